"""A sync's first WooCommerce pages are read while the run reaches Odoo.

Before its order walk, a sync connects to Odoo (version, key check), sweeps twins, polls Odoo
for what changed there and retries its failures: Odoo round trips that do not need the pages.
The first page's request and the connect, or the poll, wait for each other here (bounded), and
fail the test when the page is asked for only once the other is over.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import invoice_problems, running_box
from tests.rendezvous import Rendezvous
from wooodoo import early
from wooodoo.odoo.protocol import OdooApi
from wooodoo.sync.odoo_changes import OdooChanges
from wooodoo.woo.client import WooClient


def synced_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_box(tmp_path, monkeypatch, orders=120, seed=5) as box:
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []


def first_page_arrives(meet: Rendezvous, monkeypatch: pytest.MonkeyPatch) -> None:
    real_list = WooClient._get_list

    def get_list(self: WooClient, path: str, params: Mapping[str, str]) -> Any:
        if path == "orders":
            meet.arrive("the first page")
        return real_list(self, path, params)

    monkeypatch.setattr(WooClient, "_get_list", get_list)


def test_the_first_page_is_read_while_odoo_is_polled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meet, real_run = Rendezvous("the poll", "the first page"), OdooChanges.run

    def run(self: OdooChanges) -> Any:
        meet.arrive("the poll")  # the run's first poll, before the walk
        return real_run(self)

    monkeypatch.setattr(OdooChanges, "run", run)
    first_page_arrives(meet, monkeypatch)
    synced_cleanly(tmp_path, monkeypatch)
    assert meet.met == meet.both_met()


def test_the_first_page_is_read_while_odoo_connects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meet, real_connect = Rendezvous("the connect", "the first page"), early.connect

    def connect(*args: Any, **kwargs: Any) -> OdooApi:
        meet.arrive("the connect")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(early, "connect", connect)
    first_page_arrives(meet, monkeypatch)
    synced_cleanly(tmp_path, monkeypatch)
    assert meet.met == meet.both_met()
