"""Credit notes gathered across a run's batches: made a full batch at a time and at the end,
the invoice always first; a run stopped before they are made leaves them to the next run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeOdoo, FakeWoo
from tests.sync.test_engine import FIXTURES, make_orders, run, tenant
from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_OK
from wooodoo.sync import Engine
from wooodoo.sync.credit_notes import CreditNotes
from wooodoo.woo.models import Order, RefundSummary, parse_refund


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with AuditStore(tmp_path / "audit.sqlite3") as s:
        yield s


def refunded_shop(n: int) -> FakeWoo:
    """``n`` orders, each refunded once (its own refund) before it was ever invoiced."""
    template = parse_refund(json.loads((FIXTURES / "order-refund-single.body.json").read_text()))
    orders: list[Order] = []
    woo = FakeWoo([])
    for order in make_orders(n):
        if order.refunds:  # the fixture with a refund of its own: keep the others simple
            order = replace(order, refunds=())
        refund = replace(template, id=5000 + order.id)
        summary = RefundSummary(refund.id, refund.reason, -refund.amount)
        orders.append(replace(order, refunds=(summary,)))
        woo.refunds[order.id] = [refund]
    woo.orders = {o.id: o for o in orders}
    return woo


def notes(odoo: FakeOdoo) -> list[Any]:
    return [m for m in odoo.moves.values() if m.values.get("move_type") == "out_refund"]


def test_credit_notes_are_made_a_full_batch_at_a_time_across_batches(store: AuditStore) -> None:
    woo, odoo = refunded_shop(18), FakeOdoo()
    result = run(Engine(tenant(batch_size=10), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["credited"] == 18
    assert {m.state for m in notes(odoo)} == {"posted"}
    # the shop's pages hold 3 orders: gathered across pages, the invoices go in two batches
    # (10 + 8), and the 18 credit notes in two batches of at most 10 (one look-up and one
    # read-back by key each)
    assert odoo.calls.count("find_credit_notes") == 2 * 2
    assert odoo.calls.count("create_invoices") == 2 + 2
    links = store.links("acme", [f"acme/order/{o}" for o in woo.orders])
    assert all((link.amounts or {})["refunds"] for link in links.values())
    again = run(Engine(tenant(batch_size=10), woo, odoo, store), full=True)
    assert again.stats["credited"] == 0


def test_a_run_stopped_before_its_credit_notes_leaves_them_to_the_next(
    store: AuditStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    woo, odoo = refunded_shop(6), FakeOdoo()

    def killed(self: CreditNotes, plans: Any) -> Any:
        raise KeyboardInterrupt  # as if the run were killed before its credit notes

    with monkeypatch.context() as patch:
        patch.setattr(CreditNotes, "make", killed)
        with pytest.raises(KeyboardInterrupt):
            run(Engine(tenant(batch_size=100), woo, odoo, store))
    assert notes(odoo) == []
    assert len(odoo.moves) == 6  # the invoices exist, and their pages' rows were saved
    links = store.links("acme", [f"acme/order/{o}" for o in woo.orders])
    assert len(links) == 6
    assert {(link.amounts or {})["refunds"] for link in links.values()} == {""}
    assert store.cursor("acme", "orders") is None  # the pages are read again

    result = run(Engine(tenant(batch_size=100), woo, odoo, store))

    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["credited"] == 6
    assert result.stats["invoiced"] == 0
    assert len(notes(odoo)) == 6
    assert store.cursor("acme", "orders") is not None
