"""Payments, the pure parts: which payment an order or a refund gets, parsed from real captures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from wooodoo.sync.payments import memo_of, order_payment, payment_key, refund_payment
from wooodoo.woo.models import Order, parse_order, parse_refund

REST = Path(__file__).parents[1] / "fixtures" / "woocommerce" / "rest"


def captured(name: str) -> object:
    return json.loads((REST / f"{name}.body.json").read_text())


def order(name: str) -> Order:
    return parse_order(captured(name))


def test_a_paid_order_gets_its_invoices_total_on_the_shops_day_with_the_transaction_id() -> None:
    paid = order("order-refunded-full")  # bacs, TX-O10, paid 16:37 Berlin time
    draft = order_payment("acme", paid, 77, "BNK1")
    assert draft is not None
    assert (draft.key, draft.move_id, draft.inbound) == ("acme/payment/29", 77, True)
    assert (draft.amount, draft.journal, draft.memo) == (Decimal("39.00"), "BNK1", "TX-O10")
    assert draft.date == date(2026, 11, 26)


def test_an_unpaid_order_gets_no_payment() -> None:
    on_hold = parse_order(captured("orders-status-multi")[0])  # type: ignore[index]
    assert on_hold.date_paid is None
    assert order_payment("acme", on_hold, 1, "BNK1") is None


@pytest.mark.parametrize(
    ("transaction", "memo"), [("TX-1", "TX-1"), ("", "29")], ids=["gateway", "by-number"]
)
def test_the_memo_is_the_transaction_id_or_the_order_number(transaction: str, memo: str) -> None:
    from dataclasses import replace

    assert memo_of(replace(order("order-refunded-full"), transaction_id=transaction)) == memo


def test_a_refund_made_by_hand_gets_no_payment_and_one_paid_back_does() -> None:
    paid = order("order-refunded-full")
    manual = parse_refund(captured("order-refunds-full")[0])  # type: ignore[index]
    assert manual.refunded_payment is False
    assert refund_payment("acme", paid, manual, 90, "BNK1") is None
    raw = dict(captured("order-refunds-full")[0])  # type: ignore[index]
    raw["refunded_payment"] = True
    back = refund_payment("acme", paid, parse_refund(raw), 90, "BNK1")
    assert back is not None
    assert (back.key, back.inbound, back.amount, back.move_id) == (
        "acme/refund-payment/40",
        False,
        Decimal("39.00"),
        90,
    )


def test_orders_parse_the_payment_method_and_transaction() -> None:
    guest = order("order-guest")
    assert (guest.payment_method, guest.transaction_id) == ("cod", "TX-O11")
    assert payment_key("acme", guest.id) == "acme/payment/30"
