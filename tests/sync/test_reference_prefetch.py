"""Odoo's reference data is read while the pages that fill the first batch are still coming.

The first batch of a run waits for its pages (a page holds orders that are only skipped, so a
batch of 100 that need Odoo takes more than one). The reference data (taxes, accounts, journal,
countries) is read as soon as a page brings an order that needs it: the reads and the next
page's request wait for each other here (bounded), and fail the test when they run one after the
other. (A run with nothing new reads none of it: ``test_e2e``'s idle run.) A tenant's first run
reads it at once, while the first page comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import invoice_problems, running_box
from tests.rendezvous import Rendezvous
from wooodoo.odoo.target import OdooWriter
from wooodoo.woo.client import WooClient

LONG_AGO = "2000-01-01T00:00:00+00:00"


def page_and_reference_meet(
    meet: Rendezvous, page: int, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """The reference reads and the request of the ``page``-th page arrive at ``meet``; the
    pages asked for are counted."""
    pages: list[int] = []
    real_load, real_list = OdooWriter.load_reference, WooClient._get_list

    def load_reference(self: OdooWriter, spec: Any) -> Any:
        meet.arrive("the reference reads")
        return real_load(self, spec)

    def get_list(self: WooClient, path: str, params: Mapping[str, str]) -> Any:
        if path == "orders":
            pages.append(1)
            if len(pages) == page:
                meet.arrive("the page")
        return real_list(self, path, params)

    monkeypatch.setattr(OdooWriter, "load_reference", load_reference)
    monkeypatch.setattr(WooClient, "_get_list", get_list)
    return pages


def test_the_reference_data_is_read_while_the_second_page_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meet = Rendezvous("the reference reads", "the page")
    pages = page_and_reference_meet(meet, 2, monkeypatch)
    with running_box(tmp_path, monkeypatch, orders=250, seed=3) as box:
        with box.audit() as store:  # not the tenant's first run: a cursor was saved before
            store.commit_page(box.tenant_name, None, [], cursor=("orders", LONG_AGO))
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)

    assert len(pages) >= 3
    assert meet.met == meet.both_met()
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []


def test_a_first_run_reads_the_reference_data_while_the_first_page_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meet = Rendezvous("the reference reads", "the page")
    page_and_reference_meet(meet, 1, monkeypatch)
    with running_box(tmp_path, monkeypatch, orders=120, seed=3) as box:
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)

    assert meet.met == meet.both_met()
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []
