"""An order as one invoice plan: values, expected totals, and Odoo's tax predicted (no I/O).

The store's tax per rate (sum of per-line rounded taxes, as WooCommerce rounds) is the target
for each Odoo tax; ``predict_odoo_taxes`` says what Odoo computes from the lines it is sent, so
the shop's tax goes with a create only where Odoo would miss it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from wooodoo.errors import MappingError
from wooodoo.sync.mapping.keys import order_key
from wooodoo.sync.mapping.lines import (
    HUNDRED,
    ZERO,
    PlannedLine,
    apportion,
    half_up,
    line_commands,
    odoo_subtotal,
    resolve_tax,
    with_twin,
    woo_lines,
)
from wooodoo.sync.mapping.reference import Reference, TaxRounding
from wooodoo.woo.models import Order


@dataclass(frozen=True)
class Totals:
    untaxed: Decimal
    tax: Decimal
    total: Decimal

    def differs(self, other: Totals) -> bool:
        return (self.untaxed, self.tax, self.total) != (other.untaxed, other.tax, other.total)

    def __str__(self) -> str:
        return f"untaxed {self.untaxed} + tax {self.tax} = {self.total}"


@dataclass(frozen=True)
class InvoicePlan:
    key: str
    order_id: int
    values: dict[str, Any]  # account.move create values (partner_id filled by the engine)
    expected: Totals  # the order's amounts
    expected_tax_by_tax: dict[int, Decimal]  # Odoo tax id -> the store's tax amount
    predicted_tax_by_tax: dict[int, Decimal]  # what Odoo will compute before any adjustment
    lines: tuple[PlannedLine, ...]
    quantum: Decimal = Decimal("0.01")  # the currency's smallest unit (1 for JPY)

    @property
    def needs_tax_adjustment(self) -> bool:
        """Odoo's own rounding misses the shop's tax in some tax group (Odoo's totals widget
        and the invoice's total only see groups: taxes of one group may trade a cent)."""
        group = {t.id: t.group_id or -t.id for line in self.lines for t in line.taxes}

        def by_group(amounts: dict[int, Decimal]) -> dict[int, Decimal]:
            sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
            for tax_id, amount in amounts.items():
                sums[group.get(tax_id, -tax_id)] += amount
            return {g: a for g, a in sums.items() if a}

        return by_group(self.expected_tax_by_tax) != by_group(self.predicted_tax_by_tax)


def predict_odoo_taxes(
    lines: Sequence[tuple[Decimal, PlannedLine]],
    rounding: TaxRounding,
    quantum: Decimal,
    subtotals: Sequence[Sequence[Decimal]] | None = None,
) -> dict[int, Decimal]:
    """What Odoo computes per tax (percent taxes), per line or globally.

    A price-excluded tax is ``net × rate``; a price-included one is taken out of the gross:
    ``gross × rate / (100 + rate)``. Rounding per line, Odoo rounds each of its own lines:
    a planned line sent as two Odoo lines (``subtotals``) is rounded twice.
    """
    raw: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for n, (net, line) in enumerate(lines):
        gross = net + (line.priced - line.net)
        split = subtotals[n] if subtotals is not None and not line.included else [net]
        for tax in line.taxes:
            if line.included:
                amount = gross * tax.amount / (HUNDRED + tax.amount)
                raw[tax.id] += half_up(amount, quantum) if rounding == "round_per_line" else amount
            elif rounding == "round_per_line":
                raw[tax.id] += sum(
                    (half_up(p * tax.amount / HUNDRED, quantum) for p in split), ZERO
                )
            else:
                raw[tax.id] += net * tax.amount / HUNDRED
    return {tax_id: half_up(amount, quantum) for tax_id, amount in raw.items()}


def map_orders(
    orders: Sequence[Order], ref: Reference
) -> tuple[list[InvoicePlan], list[tuple[Order, str]]]:
    """Each order's plan (``map_order``), or why it can have none."""
    plans: list[InvoicePlan] = []
    refused: list[tuple[Order, str]] = []
    for order in orders:
        try:
            plans.append(map_order(order, ref))
        except MappingError as exc:
            refused.append((order, str(exc)))
    return plans, refused


def map_order(order: Order, ref: Reference) -> InvoicePlan:
    """Invoice values for an order; MappingError lists every missing mapping at once."""
    problems: list[str] = []
    currency = ref.currencies.get(order.currency)
    if currency is None:
        problems.append(f"currency {order.currency} does not exist in Odoo")
    elif not currency.active:
        problems.append(f"currency {order.currency} is not active in Odoo: activate it first")
    quantum = currency.quantum if currency else Decimal("0.01")
    if order.total < 0:
        # WooCommerce lets a negative fee take an order below zero when nothing is left to
        # discount; Odoo posts no invoice below zero.
        problems.append(
            f"the order's total is negative ({order.total} {order.currency}): Odoo posts no"
            " invoice below zero; book it as a credit note by hand"
        )
    for summary in order.tax_lines:
        if summary.compound:
            problems.append(f"compound tax {summary.rate_code} is not supported")
    planned = woo_lines(order, ref, problems)
    for role in {line.role for line, _ in planned}:
        if role not in ref.accounts:
            problems.append(f"no income account for {role}: set sync.accounts.{role}")
    if not planned:
        problems.append("the order has no lines")
    _refuse(order, problems)
    untaxed = order.total - order.total_tax
    nets = apportion([raw for _, raw in planned], untaxed, quantum)
    lines = [with_twin(line, net, quantum) for (line, _), net in zip(planned, nets, strict=True)]
    line_values: list[dict[str, Any]] = []
    subtotals: list[list[Decimal]] = []  # each line's Odoo line subtotals
    for line, net in zip(lines, nets, strict=True):
        commands = line_commands(line, net, ref, ref.accounts[line.role], quantum)
        line_values += commands
        subtotals.append([odoo_subtotal(vals, ref, quantum) for vals in commands])
    expected_tax = _shop_tax(order, lines, ref, problems)
    _refuse(order, problems)
    predicted = predict_odoo_taxes(
        list(zip(nets, lines, strict=True)), ref.tax_rounding, quantum, subtotals
    )
    return InvoicePlan(
        key=order_key(ref.tenant, order.id),
        order_id=order.id,
        values=_move_values(order, ref, currency.id if currency else None, line_values),
        expected=Totals(untaxed, order.total_tax, order.total),
        expected_tax_by_tax={k: v for k, v in expected_tax.items() if v or k in predicted},
        predicted_tax_by_tax={k: v for k, v in predicted.items() if v or k in expected_tax},
        lines=tuple(lines),
        quantum=quantum,
    )


def _refuse(order: Order, problems: list[str]) -> None:
    if problems:
        raise MappingError(
            f"order {order.number} (id {order.id}) cannot be invoiced", problems=problems
        )


def _shop_tax(
    order: Order, lines: Sequence[PlannedLine], ref: Reference, problems: list[str]
) -> dict[int, Decimal]:
    """The shop's tax per Odoo tax: its per-line rounded taxes (as its tax lines add them up),
    grouped by the Odoo tax each line uses; the order's tax lines when those disagree."""
    expected: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        for tax, amount in zip(line.taxes, line.store_taxes, strict=True):
            expected[tax.id] += amount
    if sum(expected.values(), ZERO) == order.total_tax:
        return expected
    expected = defaultdict(lambda: ZERO)
    for summary in order.tax_lines:
        mapped = resolve_tax(summary.rate_id, order, ref, problems)
        if mapped is not None:
            expected[mapped.id] += summary.tax_total + summary.shipping_tax_total
    return expected


def _move_values(
    order: Order, ref: Reference, currency_id: int | None, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    invoice_date: date = order.local_date_paid or order.local_date_created
    values: dict[str, Any] = {
        ref.move_type_field: "out_invoice",
        "invoice_origin": order_key(ref.tenant, order.id),
        "ref": order.number,
        "invoice_date": invoice_date.isoformat(),
        "currency_id": currency_id or False,
        "invoice_line_ids": [(0, 0, vals) for vals in lines],
    }
    if ref.journal_id:
        values["journal_id"] = ref.journal_id
    return values
