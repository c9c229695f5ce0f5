"""A refund as a credit note plan: the same accounts, taxes and cents as the invoice it reverses.

An itemized refund (its items, shipping and fees, with their tax per rate, as the store keeps
them) is mapped exactly as an order is, its amounts turned positive, so the credit note's lines
land on the accounts and taxes of the invoice lines they reverse and its total is the refund's
to the cent. An amount-only refund goes on ``accounts.refunds``: its tax is split across the
order's tax rates in proportion to the order's gross per rate (what is left over, the order's
untaxed part, stays untaxed), rounded per rate as the store rounds; or, with
``sync.refund_tax: untaxed``, as one untaxed line of the whole amount.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from wooodoo.errors import MappingError
from wooodoo.sync.mapping.invoice import InvoicePlan, map_order
from wooodoo.sync.mapping.keys import refund_key
from wooodoo.sync.mapping.reference import Reference
from wooodoo.woo.models import FeeLine, LineItem, Order, Refund, ShippingLine, TaxAmount, TaxLine

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def map_refund(
    refund: Refund, order: Order, invoice_id: int, ref: Reference, *, untaxed: bool = False
) -> InvoicePlan:
    """The credit note of one refund, reversing the order's invoice ``invoice_id``;
    ``untaxed``: an amount-only refund is one untaxed line instead of split by tax rate."""
    title = f"refund {refund.id} of order {order.number}"
    if refund.itemized:
        lines_ref, shop = ref, _itemized(order, refund)
    else:
        if "refunds" not in ref.accounts:
            raise MappingError(
                f"{title} cannot be credited",
                problems=["no account for refunds: set sync.accounts.refunds"],
            )
        lines_ref = replace(ref, accounts={**ref.accounts, "fees": ref.accounts["refunds"]})
        currency = ref.currencies.get(order.currency)
        quantum = currency.quantum if currency else Decimal("0.01")
        shop = _untaxed(order, refund) if untaxed else _amount_only(order, refund, title, quantum)
    plan = map_order(shop, lines_ref)
    key = refund_key(ref.tenant, refund.id)
    values = {
        **plan.values,
        ref.move_type_field: "out_refund",
        "invoice_origin": key,
        "ref": f"{order.number} refund {refund.id}",
        "invoice_date": refund.local_date_created.isoformat(),
        "reversed_entry_id": invoice_id,
    }
    return replace(plan, key=key, values=values)


def _pseudo_order(
    order: Order,
    refund: Refund,
    lines: tuple[tuple[LineItem, ...], tuple[ShippingLine, ...], tuple[FeeLine, ...]],
    tax_lines: tuple[TaxLine, ...],
    tax: Decimal,
) -> Order:
    """The refund in the shape of an order (positive amounts), for the order mapping."""
    items, shipping, fees = lines
    return replace(
        order,
        number=f"{order.number} refund {refund.id}",
        local_date_created=refund.local_date_created,
        local_date_paid=None,
        line_items=items,
        shipping_lines=shipping,
        fee_lines=fees,
        coupon_lines=(),
        tax_lines=tax_lines,
        total=refund.amount,
        total_tax=tax,
        refunds=(),
    )


def _itemized(order: Order, refund: Refund) -> Order:
    items = tuple(
        replace(
            i,
            quantity=-i.quantity,
            subtotal=-i.total,  # no coupon on a refund line: the refunded net is the price
            subtotal_tax=-i.total_tax,
            total=-i.total,
            total_tax=-i.total_tax,
            taxes=_positive(i.taxes),
        )
        for i in refund.line_items
    )
    shipping = tuple(
        replace(s, total=-s.total, total_tax=-s.total_tax, taxes=_positive(s.taxes))
        for s in refund.shipping_lines
    )
    fees = tuple(
        replace(f, total=-f.total, total_tax=-f.total_tax, taxes=_positive(f.taxes))
        for f in refund.fee_lines
    )
    tax_lines = tuple(
        replace(t, tax_total=-t.tax_total, shipping_tax_total=-t.shipping_tax_total)
        for t in refund.tax_lines
    )
    tax = sum((t.tax_total + t.shipping_tax_total for t in tax_lines), ZERO)
    net = sum((line.total for group in (items, shipping, fees) for line in group), ZERO)
    if abs(net + tax - refund.amount) >= Decimal("0.01"):  # nets may be unrounded (dp=6)
        raise MappingError(
            f"refund {refund.id} of order {order.number} cannot be credited",
            problems=[f"its amount {refund.amount} is not its lines' {net + tax}"],
        )
    return _pseudo_order(order, refund, (items, shipping, fees), tax_lines, tax)


def _positive(taxes: tuple[TaxAmount, ...]) -> tuple[TaxAmount, ...]:
    return tuple(replace(t, total=-t.total, subtotal=None) for t in taxes)


def _amount_only(order: Order, refund: Refund, title: str, quantum: Decimal) -> Order:
    """One line of the refund's amount, its tax split by the order's gross per rate."""
    gross: dict[int, tuple[TaxLine, Decimal]] = {}
    for line in order.tax_lines:
        tax = line.tax_total + line.shipping_tax_total
        if not tax:
            continue
        if not line.rate_percent:
            raise MappingError(
                f"{title} cannot be credited",
                problems=[f"the order's tax {line.rate_code} has no rate to split the refund by"],
            )
        gross[line.rate_id] = (line, tax * (HUNDRED + line.rate_percent) / line.rate_percent)
    taxes: list[TaxAmount] = []
    tax_lines: list[TaxLine] = []
    for line, rate_gross in gross.values():
        share = refund.amount * rate_gross / order.total if order.total else ZERO
        assert line.rate_percent is not None
        amount = (share * line.rate_percent / (HUNDRED + line.rate_percent)).quantize(
            quantum, ROUND_HALF_UP
        )
        taxes.append(TaxAmount(line.rate_id, amount))
        tax_lines.append(replace(line, tax_total=amount, shipping_tax_total=ZERO))
    tax = sum((t.total for t in taxes), ZERO)
    fee = FeeLine(
        id=refund.id,
        name=refund.reason or "Refund",
        tax_status="taxable",
        tax_class="",
        total=refund.amount - tax,
        total_tax=tax,
        taxes=tuple(taxes),
    )
    return _pseudo_order(order, refund, ((), (), (fee,)), tuple(tax_lines), tax)


def _untaxed(order: Order, refund: Refund) -> Order:
    """One untaxed line of the refund's whole amount."""
    fee = FeeLine(
        id=refund.id,
        name=refund.reason or "Refund",
        tax_status="none",
        tax_class="",
        total=refund.amount,
        total_tax=ZERO,
        taxes=(),
    )
    return _pseudo_order(order, refund, ((), (), (fee,)), (), ZERO)
