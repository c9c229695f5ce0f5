"""Cancellations and amendments after invoicing, against working fakes: reversed, cancelled,
reissued, each exactly once and to the cent; flagged when the policy says so."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeMove, FakeOdoo, FakeWoo
from tests.sync.test_engine import FIXTURES, make_orders, run, tenant
from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.sync import Engine
from wooodoo.sync.mapping import InvoiceCopy
from wooodoo.woo.models import Order, RefundSummary, parse_order, parse_refund


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with AuditStore(tmp_path / "audit.sqlite3") as s:
        yield s


def later(order: Order, **changes: Any) -> Order:
    """The order as the shop has it after a change (its modification date moved)."""
    return Order(
        **{**order.__dict__, "date_modified": order.date_modified + timedelta(hours=1), **changes}
    )


def moves_with(odoo: FakeOdoo, origin: str) -> list[FakeMove]:
    return [m for m in odoo.moves.values() if m.values["invoice_origin"] == origin]


def amounts(odoo: FakeOdoo, move: FakeMove) -> tuple[str, Decimal, Decimal, Decimal]:
    state = odoo.read_invoices([move.id])[move.id]
    return state.state, state.untaxed, state.tax, state.total


def actions(store: AuditStore, key: str) -> list[str]:
    return [e.action for e in store.events("acme", key=key)]


@pytest.mark.parametrize("rounding", ["round_per_line", "round_globally"])
def test_a_cancelled_order_gets_one_credit_note_of_its_whole_invoice(
    store: AuditStore, rounding: str
) -> None:
    orders = make_orders(8)
    woo, odoo = FakeWoo(orders), FakeOdoo(rounding=rounding)
    run(Engine(tenant(), woo, odoo, store))
    target = orders[1]  # no refunds in the shop
    [invoice] = moves_with(odoo, "acme/order/1001")
    woo.orders[target.id] = later(target, status="cancelled")

    result = run(Engine(tenant(), woo, odoo, store))

    assert result.exit_code == EXIT_OK, result.stats
    assert (result.stats["reversed"], result.stats["credited"]) == (1, 1)
    [note] = moves_with(odoo, "acme/cancel/1001")
    assert note.values["move_type"] == "out_refund"
    assert note.values["reversed_entry_id"] == invoice.id
    assert note.values["partner_id"] == invoice.values["partner_id"]
    posted, *totals = amounts(odoo, note)
    assert posted == "posted"
    assert totals == list(amounts(odoo, invoice)[1:])
    assert totals[2] == target.total
    assert actions(store, "acme/order/1001")[0] == "reversed"
    assert actions(store, "acme/cancel/1001") == ["created"]
    assert amounts(odoo, invoice)[0] == "posted"  # the invoice itself is never touched


def test_a_cancelled_order_is_reversed_once(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    woo.orders[1001] = later(orders[1], status="cancelled")
    run(Engine(tenant(), woo, odoo, store))
    moves = len(odoo.moves)

    again = run(Engine(tenant(), woo, odoo, store), full=True)

    assert (again.stats["reversed"], again.stats["credited"], again.stats["conflict"]) == (0, 0, 0)
    assert len(odoo.moves) == moves


def test_a_reversal_found_in_odoo_is_adopted_not_made_again(tmp_path: Path) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    with AuditStore(tmp_path / "a.sqlite3") as first:
        run(Engine(tenant(), woo, odoo, first))
        woo.orders[1001] = later(orders[1], status="cancelled")
        run(Engine(tenant(), woo, odoo, first))
    # the audit lost: the next run finds the credit note by its key
    with AuditStore(tmp_path / "b.sqlite3") as second:
        run(Engine(tenant(), woo, odoo, second))
    assert len(moves_with(odoo, "acme/cancel/1001")) == 1


def test_a_reversal_that_differs_from_its_invoice_is_never_posted(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    woo.orders[1001] = later(orders[1], status="cancelled")
    read = odoo.invoice_copies

    def wrong(ids: Any) -> dict[int, InvoiceCopy]:
        return {
            i: replace(c, total=c.total + 1, untaxed=c.untaxed + 1) for i, c in read(ids).items()
        }

    odoo.invoice_copies = wrong  # type: ignore[method-assign]
    result = run(Engine(tenant(), woo, odoo, store))

    assert result.exit_code == EXIT_RECORDS_FAILED
    assert result.stats["mismatch"] == 1
    [note] = moves_with(odoo, "acme/cancel/1001")
    assert note.state == "draft"
    assert "reversed" not in actions(store, "acme/order/1001")


def test_a_cancelled_order_s_draft_invoice_is_cancelled_in_odoo(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(post=False), woo, odoo, store))
    [draft] = moves_with(odoo, "acme/order/1001")
    woo.orders[1001] = later(orders[1], status="cancelled")

    # the fake answers like Odoo over XML-RPC: an error after doing the work
    result = run(Engine(tenant(post=False), woo, odoo, store))

    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["cancelled"] == 1
    assert draft.state == "cancel"
    assert moves_with(odoo, "acme/cancel/1001") == []
    assert actions(store, "acme/order/1001")[0] == "cancelled"
    again = run(Engine(tenant(post=False), woo, odoo, store), full=True)
    assert again.stats["cancelled"] == 0
    assert odoo.calls.count("cancel_invoices") == 1


def test_a_cancelled_order_with_refunds_gets_its_refunds_credited_and_the_rest_flagged(
    store: AuditStore,
) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    refund = parse_refund(json.loads((FIXTURES / "order-refund-single.body.json").read_text()))
    woo.refunds[1001] = [refund]
    summary = RefundSummary(refund.id, refund.reason, -refund.amount)
    woo.orders[1001] = later(orders[1], status="cancelled", refunds=(summary,))

    result = run(Engine(tenant(), woo, odoo, store))

    assert result.stats["credited"] == 1  # the refund
    assert result.stats["conflict"] == 1  # the rest: a person's call
    assert len(moves_with(odoo, f"acme/refund/{refund.id}")) == 1
    assert moves_with(odoo, "acme/cancel/1001") == []
    [conflict] = [e for e in store.events("acme", key="acme/order/1001") if e.action == "conflict"]
    left = orders[1].total - refund.amount
    assert f"{left} of {orders[1].total} not refunded" in (conflict.error or "")
    again = run(Engine(tenant(), woo, odoo, store), full=True)
    assert (again.stats["credited"], again.stats["conflict"]) == (0, 0)


def test_a_cancelled_order_refunded_in_full_needs_nothing_more(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    raw = json.loads((FIXTURES / "order-refund-single.body.json").read_text())
    raw["amount"] = str(orders[1].total)
    raw["line_items"] = raw["shipping_lines"] = raw["fee_lines"] = raw["tax_lines"] = []
    refund = parse_refund(raw)  # amount only, the whole order
    woo.refunds[1001] = [refund]
    summary = RefundSummary(refund.id, refund.reason, -refund.amount)
    woo.orders[1001] = later(orders[1], status="cancelled", refunds=(summary,))

    result = run(Engine(tenant(), woo, odoo, store))

    assert result.exit_code == EXIT_OK, result.stats
    assert (result.stats["credited"], result.stats["conflict"]) == (1, 0)
    assert moves_with(odoo, "acme/cancel/1001") == []


def amended(order: Order, base: str) -> Order:
    """``order`` with the lines and amounts of another fixture: its amounts changed."""
    raw = json.loads((FIXTURES / f"{base}.body.json").read_text())
    raw.update(id=order.id, number=order.number, status="completed")
    other = parse_order(raw)
    return later(
        order,
        line_items=other.line_items,
        shipping_lines=other.shipping_lines,
        fee_lines=other.fee_lines,
        coupon_lines=other.coupon_lines,
        tax_lines=other.tax_lines,
        total=other.total,
        total_tax=other.total_tax,
    )


def test_an_amended_order_is_flagged_by_default(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    woo.orders[1001] = amended(orders[1], "order-guest")
    moves = len(odoo.moves)

    result = run(Engine(tenant(), woo, odoo, store))

    assert result.stats["conflict"] == 1
    assert len(odoo.moves) == moves


def test_an_amended_order_is_reissued_once_and_its_link_follows(store: AuditStore) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    cfg = tenant(on_amend="reissue")
    run(Engine(cfg, woo, odoo, store))
    [old] = moves_with(odoo, "acme/order/1001")
    new_order = amended(orders[1], "order-guest")
    woo.orders[1001] = new_order

    result = run(Engine(cfg, woo, odoo, store))

    assert result.exit_code == EXIT_OK, result.stats
    assert (result.stats["reissued"], result.stats["credited"]) == (1, 1)
    [note] = moves_with(odoo, "acme/amend/1001/2")
    assert note.values["reversed_entry_id"] == old.id
    assert amounts(odoo, note) == ("posted", *amounts(odoo, old)[1:])
    [new] = moves_with(odoo, "acme/order/1001/2")
    assert amounts(odoo, new)[0] == "posted"
    assert amounts(odoo, new)[3] == new_order.total != orders[1].total
    link = store.links("acme", ["acme/order/1001"])["acme/order/1001"]
    assert (link.odoo_id, link.state) == (new.id, "posted")
    assert (link.amounts or {})["replaces"] == str(old.id)
    assert actions(store, "acme/order/1001")[0] == "reissued"
    moves = len(odoo.moves)
    again = run(Engine(cfg, woo, odoo, store), full=True)
    assert (again.stats["reissued"], again.stats["conflict"]) == (0, 0)
    assert len(odoo.moves) == moves

    # amended again: the second invoice is reversed and a third made
    woo.orders[1001] = amended(new_order, "order-guest-same-email-as-customer")
    third = run(Engine(cfg, woo, odoo, store))
    assert third.stats["reissued"] == 1
    [note3] = moves_with(odoo, "acme/amend/1001/3")
    assert note3.values["reversed_entry_id"] == new.id
    assert len(moves_with(odoo, "acme/order/1001/3")) == 1


def test_a_reissue_interrupted_after_its_credit_note_is_finished_by_replay(
    store: AuditStore,
) -> None:
    orders = make_orders(4)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    cfg = tenant(on_amend="reissue")
    run(Engine(cfg, woo, odoo, store))
    woo.orders[1001] = amended(orders[1], "order-guest")
    odoo.reject_origins.add("acme/order/1001/2")

    first = run(Engine(cfg, woo, odoo, store))

    assert first.exit_code == EXIT_RECORDS_FAILED
    assert len(moves_with(odoo, "acme/amend/1001/2")) == 1
    assert moves_with(odoo, "acme/order/1001/2") == []
    link = store.links("acme", ["acme/order/1001"])["acme/order/1001"]
    assert link.odoo_id == moves_with(odoo, "acme/order/1001")[0].id  # not moved yet
    odoo.reject_origins.clear()

    replayed = Engine(cfg, woo, odoo, store).replay()

    assert replayed.exit_code == EXIT_OK, replayed.stats
    assert len(moves_with(odoo, "acme/amend/1001/2")) == 1  # found by key, not made again
    assert len(moves_with(odoo, "acme/order/1001/2")) == 1
    assert store.failures("acme") == []
