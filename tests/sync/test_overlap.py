"""A batch's orders are mapped while Odoo looks up the invoices their keys already have.

The two wait for each other (bounded): run one after the other, the first to arrive would wait
in vain and the run records it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import invoice_problems, running_box
from wooodoo.odoo.target import OdooWriter
from wooodoo.sync.mapping import invoice

RENDEZVOUS_SECONDS = 5


def test_a_batch_is_mapped_while_odoo_looks_its_invoices_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping, lookup = threading.Event(), threading.Event()
    met: list[tuple[str, bool]] = []
    real_map, real_find = invoice.map_order, OdooWriter.find_invoices

    def wait_for(other: threading.Event) -> bool:
        # once one wait was in vain, the rest of the run goes on without waiting
        return other.wait(RENDEZVOUS_SECONDS if all(ok for _, ok in met) else 0)

    def map_order(order: Any, ref: Any) -> Any:
        mapping.set()
        met.append(("mapping saw the lookup", wait_for(lookup)))
        return real_map(order, ref)

    def find_invoices(self: OdooWriter, keys: Sequence[str]) -> Any:
        lookup.set()
        met.append(("lookup saw the mapping", wait_for(mapping)))
        return real_find(self, keys)

    monkeypatch.setattr(invoice, "map_order", map_order)
    monkeypatch.setattr(OdooWriter, "find_invoices", find_invoices)
    with running_box(tmp_path, monkeypatch, orders=30, seed=3) as box:
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)

    assert met
    assert [what for what, ok in met if not ok] == []
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []
