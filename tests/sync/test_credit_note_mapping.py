"""A refund as a credit note plan: itemized or amount-only, to the cent, on the right accounts."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sync.test_mapping import make_ref as plain_ref
from wooodoo.errors import MappingError
from wooodoo.sync.mapping import map_refund
from wooodoo.woo.models import Order, Refund, parse_order, parse_refund

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce" / "rest"


def make_ref() -> Any:
    ref = plain_ref()
    return replace(ref, accounts={**ref.accounts, "refunds": 103})


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.body.json").read_text())


def order_of(name: str) -> Order:
    return parse_order(fixture(name))


def lines(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [vals for _, _, vals in values["invoice_line_ids"]]


def test_an_itemized_refund_reverses_its_items_on_their_accounts_and_taxes() -> None:
    order = order_of("order-partial-refund-negative-fee")
    refund = parse_refund(fixture("order-refund-single"))
    ref = make_ref()
    plan = map_refund(refund, order, 501, ref)
    values = plan.values
    assert values["move_type"] == "out_refund"
    assert values["invoice_origin"] == f"{ref.tenant}/refund/{refund.id}"
    assert values["reversed_entry_id"] == 501
    assert values["invoice_date"] == "2026-11-26"
    [line] = lines(values)
    assert line["account_id"] == ref.accounts["products"]
    assert line["tax_ids"] == [(6, 0, [ref.taxes["1"].id])]
    assert (line["quantity"], line["price_unit"]) == (1.0, 7.99)
    assert (plan.expected.untaxed, plan.expected.tax, plan.expected.total) == (
        Decimal("7.99"),
        Decimal("1.52"),
        Decimal("9.51"),
    )


def amount_only(amount: str, refund_id: int = 40) -> Refund:
    raw = fixture("order-refunds-full")
    raw = raw[0] if isinstance(raw, list) else raw
    return replace(parse_refund(raw), id=refund_id, amount=Decimal(amount))


def test_an_amount_only_refund_goes_on_the_refunds_account_taxed_like_the_order() -> None:
    order = order_of("order-partial-refund-negative-fee")
    ref = make_ref()
    plan = map_refund(amount_only("39.00"), order, 501, ref)
    assert {line["account_id"] for line in lines(plan.values)} == {ref.accounts["refunds"]}
    assert plan.expected.total == Decimal("39.00")
    assert plan.expected.untaxed + plan.expected.tax == plan.expected.total
    # each rate's tax is taken from the refund's share of the order's gross at that rate
    want = Decimal(0)
    for line in order.tax_lines:
        tax = line.tax_total + line.shipping_tax_total
        assert line.rate_percent
        gross = tax * (100 + line.rate_percent) / line.rate_percent
        share = Decimal("39.00") * gross / order.total
        want += (share * line.rate_percent / (100 + line.rate_percent)).quantize(Decimal("0.01"))
    assert plan.expected.tax == want
    assert 0 < want < Decimal("39.00") * 19 / 119  # the order has an untaxed part too


def test_an_amount_only_refund_needs_a_refunds_account() -> None:
    ref = plain_ref()  # products, shipping and fees only
    with pytest.raises(MappingError) as info:
        map_refund(amount_only("5.00"), order_of("order-guest"), 1, ref)
    assert "sync.accounts.refunds" in str(info.value)


@settings(max_examples=150, deadline=None)
@given(cents=st.integers(1, 20_000))
def test_any_amount_only_refund_totals_its_amount_to_the_cent(cents: int) -> None:
    order = order_of("order-fee-and-gift-wrap")
    amount = Decimal(cents) / 100
    plan = map_refund(amount_only(str(amount)), order, 7, make_ref())
    assert plan.expected.total == amount
    assert plan.expected.untaxed + plan.expected.tax == amount
    net = sum(
        (Decimal(repr(v["price_unit"])) * Decimal(repr(v["quantity"])) for v in lines(plan.values)),
        Decimal(0),
    )
    assert net.quantize(Decimal("0.01")) == plan.expected.untaxed


def test_an_amount_only_refund_can_be_one_untaxed_line() -> None:
    order = order_of("order-partial-refund-negative-fee")
    ref = make_ref()
    plan = map_refund(amount_only("39.00"), order, 501, ref, untaxed=True)
    [line] = lines(plan.values)
    assert line["account_id"] == ref.accounts["refunds"]
    assert line["tax_ids"] == [(6, 0, [])]
    assert (plan.expected.untaxed, plan.expected.tax, plan.expected.total) == (
        Decimal("39.00"),
        Decimal(0),
        Decimal("39.00"),
    )


def test_an_itemized_refund_keeps_its_taxes_when_amount_only_ones_are_untaxed() -> None:
    order = order_of("order-partial-refund-negative-fee")
    refund = parse_refund(fixture("order-refund-single"))
    plan = map_refund(refund, order, 501, make_ref(), untaxed=True)
    assert plan.expected.tax == Decimal("1.52")
