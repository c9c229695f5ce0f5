"""A draft whose tax Odoo rounded otherwise is adjusted when it is off by up to one unit of its
currency per line: a cent for EUR, a yen for JPY (no cents there)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from wooodoo.sync.invoices import settle
from wooodoo.sync.mapping import InvoicePlan
from wooodoo.sync.mapping.invoice import Totals
from wooodoo.sync.ports import MoveState


class Adjusting:
    """Odoo taking every tax adjustment; read back, the drafts have the shop's tax."""

    def __init__(self, after: MoveState) -> None:
        self.after = after
        self.adjusted: list[int] = []

    def adjust_taxes(self, adjustments: Mapping[int, Mapping[int, Decimal]]) -> dict[int, str]:
        self.adjusted += list(adjustments)
        return {}

    def read_invoices(self, ids: Sequence[int]) -> dict[int, MoveState]:
        return {i: self.after for i in ids}


def plan(quantum: str, untaxed: str, tax: str) -> InvoicePlan:
    total = Decimal(untaxed) + Decimal(tax)
    return InvoicePlan(
        key="acme/order/1",
        order_id=1,
        values={"invoice_line_ids": [(0, 0, {}), (0, 0, {})]},
        expected=Totals(Decimal(untaxed), Decimal(tax), total),
        expected_tax_by_tax={11: Decimal(tax)},
        predicted_tax_by_tax={11: Decimal(tax)},
        lines=(),
        quantum=Decimal(quantum),
    )


def state(untaxed: str, tax: str) -> MoveState:
    u, t = Decimal(untaxed), Decimal(tax)
    return MoveState(7, "acme/order/1", None, "draft", u, t, u + t)


@pytest.mark.parametrize(
    ("quantum", "untaxed", "shop_tax", "odoo_tax"),
    [("1", "26131", "4288", "4289"), ("0.01", "13.29", "0.92", "0.93")],
    ids=["JPY, a yen", "EUR, a cent"],
)
def test_a_tax_off_by_one_unit_is_adjusted(
    quantum: str, untaxed: str, shop_tax: str, odoo_tax: str
) -> None:
    odoo: Any = Adjusting(state(untaxed, shop_tax))
    [settled] = settle(
        odoo, [(plan(quantum, untaxed, shop_tax), state(untaxed, odoo_tax))],
        post=False, tax_adjust=True,
    )  # fmt: skip
    assert odoo.adjusted == [7]
    assert (settled.status, settled.tax_adjusted) == ("draft", True)


def test_a_tax_off_by_more_than_a_unit_per_line_is_a_mismatch() -> None:
    odoo: Any = Adjusting(state("26131", "4288"))
    [settled] = settle(
        odoo, [(plan("1", "26131", "4288"), state("26131", "4291"))], post=False, tax_adjust=True
    )
    assert odoo.adjusted == []
    assert settled.status == "mismatch"


class Adjusting13(Adjusting):
    """Odoo 13-15: a create cannot carry the shop's tax."""

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None:
        return None


class Adjusting16(Adjusting):
    """Odoo 16+: the create carried the shop's tax already."""

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None:
        return {"carried": True}


def traded_plan() -> InvoicePlan:
    """Odoo's rounding moves a cent from 7% to 19%; the total stays the shop's."""
    return InvoicePlan(
        key="acme/order/1",
        order_id=1,
        values={"invoice_line_ids": [(0, 0, {}), (0, 0, {})]},
        expected=Totals(Decimal("20.00"), Decimal("1.43"), Decimal("21.43")),
        expected_tax_by_tax={11: Decimal("0.93"), 12: Decimal("0.50")},
        predicted_tax_by_tax={11: Decimal("0.94"), 12: Decimal("0.49")},
        lines=(),
    )


@pytest.mark.parametrize(("fake", "adjusted"), [(Adjusting13, [7]), (Adjusting16, [])])
def test_a_cent_traded_between_taxes_is_set_right_where_the_create_could_not(
    fake: type[Adjusting], adjusted: list[int]
) -> None:
    odoo: Any = fake(state("20.00", "1.43"))
    [settled] = settle(odoo, [(traded_plan(), state("20.00", "1.43"))], post=False, tax_adjust=True)
    assert odoo.adjusted == adjusted
    assert settled.status == "draft"
    assert settled.tax_adjusted == bool(adjusted)
