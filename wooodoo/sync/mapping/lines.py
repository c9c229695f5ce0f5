"""Invoice lines: the shop's items, shipping and fees as Odoo lines that keep every cent.

- Every Odoo line gets a net amount in the currency's decimals; the nets are apportioned so that
  they add up exactly to the order's untaxed total (``total - total_tax``), whatever rounding the
  store used for prices entered with tax.
- A net that ``quantity × price_unit`` cannot reproduce once Odoo rounds ``price_unit`` (18 and
  below) is split into ``(q-1) × p`` and ``1 × rest``; a discount is shown only when Odoo's
  2-decimal discount reproduces the net exactly.
- Lines taxed at several rates of different classes (fees) become one Odoo line per rate, the
  base of each derived from its tax; rates that stack apply together on one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from wooodoo.sync.mapping.reference import OdooTax, Reference
from wooodoo.woo.models import LineItem, Order, TaxAmount

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PlannedLine:
    """One Odoo invoice line as the mapping wants it; ``net`` is the exact untaxed amount."""

    name: str
    role: str  # products | shipping | fees
    net: Decimal
    quantity: Decimal
    taxes: tuple[OdooTax, ...]
    product_id: int | None = None
    gross_unit: Decimal | None = None  # price before coupon, when a discount can show it
    store_taxes: tuple[Decimal, ...] = ()  # the shop's tax per tax of ``taxes``, rounded
    included: bool = False  # ``taxes`` are price-included: the line's price carries its tax
    twin: OdooTax | None = None  # the price-included twin to use if Odoo reproduces the tax

    @property
    def priced(self) -> Decimal:
        """What quantity × unit price must come to in Odoo."""
        return self.net + sum(self.store_taxes, ZERO) if self.included else self.net


def half_up(amount: Decimal, quantum: Decimal) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def resolve_tax(rate_id: int, order: Order, ref: Reference, problems: list[str]) -> OdooTax | None:
    tax = ref.taxes.get(str(rate_id))
    if tax is None:
        code = next((t.rate_code for t in order.tax_lines if t.rate_id == rate_id), "")
        tax = ref.taxes.get(code) if code else None
        if tax is None:
            label = f"rate id {rate_id}" + (f" ({code})" if code else "")
            problems.append(
                f"WooCommerce tax {label} has no mapping: add it under sync.taxes in the config"
            )
    return tax


def split_by_rate(
    net: Decimal, taxes: Sequence[tuple[OdooTax, Decimal]], quantum: Decimal
) -> list[tuple[Decimal, tuple[OdooTax, ...]]]:
    """Bases per rate for a line whose tax does not cover all of it at every rate.

    Rates that each apply to the whole base (stacked) stay together on one line. Otherwise
    (WooCommerce's fees, taxed in proportion to the taxable share of the cart) each rate gets
    the base its tax implies, and what no rate covers becomes an untaxed part; the parts add
    up to ``net`` exactly.
    """
    implied = [(tax, amount / (tax.amount / HUNDRED)) for tax, amount in taxes if tax.amount]
    if not implied or all(abs(base - net) <= quantum * 2 for _, base in implied):
        return [(net, tuple(tax for tax, _ in taxes))]
    parts: list[tuple[Decimal, tuple[OdooTax, ...]]] = []
    remaining = net
    for tax, base in implied:
        part = half_up(base, quantum)
        parts.append((part, (tax,)))
        remaining -= part
    zero_rated = tuple(tax for tax, _ in taxes if not tax.amount)
    if remaining or zero_rated:
        parts.append((remaining, zero_rated))
    return parts


def woo_lines(
    order: Order, ref: Reference, problems: list[str]
) -> list[tuple[PlannedLine, Decimal]]:
    """Lines with their store net before apportioning (unrounded for prices incl. tax)."""
    lines = _LineBuilder(order, ref, problems)
    out: list[tuple[PlannedLine, Decimal]] = []
    for item in order.line_items:
        out += lines.item(item)
    for ship in order.shipping_lines:
        for base, group, store_taxes in lines.parts(ship.total, lines.taxes_of(ship.taxes)):
            name = ship.method_title or "Shipping"
            line = PlannedLine(name, "shipping", base, Decimal(1), group, store_taxes=store_taxes)
            out.append((line, base))
    for fee in order.fee_lines:
        split = lines.parts(fee.total, lines.taxes_of(fee.taxes))
        for base, group, store_taxes in split:
            label = fee.name or "Fee"
            if len(split) > 1:
                shown = ", ".join(t.name for t in group) if group else "no tax"
                label = f"{label} ({shown})"
            line = PlannedLine(label, "fees", base, Decimal(1), group, store_taxes=store_taxes)
            out.append((line, base))
    return out


Part = tuple[Decimal, tuple[OdooTax, ...], tuple[Decimal, ...]]  # base, taxes, shop's tax each


class _LineBuilder:
    """The Odoo lines of one order's items, shipping and fees, taxes resolved as they come."""

    def __init__(self, order: Order, ref: Reference, problems: list[str]) -> None:
        self.order = order
        self.ref = ref
        self.problems = problems
        self.quantum = Decimal(1).scaleb(-currency_decimals(order, ref))

    def taxes_of(self, amounts: Iterable[TaxAmount]) -> list[tuple[OdooTax, Decimal]]:
        found: list[tuple[OdooTax, Decimal]] = []
        for amount in amounts:
            tax = resolve_tax(amount.rate_id, self.order, self.ref, self.problems)
            if tax is not None:
                found.append((tax, amount.total))
        return found

    def parts(self, total: Decimal, taxes: list[tuple[OdooTax, Decimal]]) -> list[Part]:
        """Bases with their taxes and the shop's rounded tax of each, per part of a line."""
        amounts = {tax.id: amount for tax, amount in taxes}
        return [
            (base, group, tuple(half_up(amounts[t.id], self.quantum) for t in group))
            for base, group in split_by_rate(total, taxes, self.quantum)
        ]

    def item(self, item: LineItem) -> list[tuple[PlannedLine, Decimal]]:
        ref = self.ref
        taxes = self.taxes_of(item.taxes)
        product_id = ref.products_by_sku.get(item.sku) if ref.use_products and item.sku else None
        name = item.name + (f" [{item.sku}]" if item.sku else "")
        split = self.parts(item.total, taxes)
        # Only with per-line rounding: rounding globally, Odoo leaves the net of a
        # price-included line unrounded and the untaxed total would drift by cents.
        per_line = ref.tax_rounding == "round_per_line"
        twin = ref.included.get(taxes[0][0].id) if len(taxes) == 1 and per_line else None
        if self.order.prices_include_tax and twin is not None and len(split) == 1:
            # Entered with tax: the gross may go to Odoo with the price-included twin, so it
            # takes the tax out of each line as WooCommerce did; decided once the nets are
            # final (map_order), falling back to the exact net with the tax excluded.
            _, group, store_taxes = split[0]
            line = PlannedLine(name, "products", item.total, item.quantity, group, product_id)
            return [(replace(line, store_taxes=store_taxes, twin=twin), item.total)]
        gross_unit = None
        if item.subtotal != item.total and item.quantity and len(taxes) <= 1:
            gross_unit = item.subtotal / item.quantity
        return [
            (PlannedLine(name, "products", b, item.quantity, g, product_id, gross_unit, t), b)
            for b, g, t in split
        ]


def currency_decimals(order: Order, ref: Reference) -> int:
    currency = ref.currencies.get(order.currency)
    return currency.decimals if currency else 2


def apportion(amounts: Sequence[Decimal], target: Decimal, quantum: Decimal) -> list[Decimal]:
    """Round each amount to ``quantum`` so the rounded amounts add up to ``target`` exactly.

    Largest-remainder method: the cents the plain rounding lost or gained go to the amounts
    whose rounding moved them the most, one quantum each.
    """
    rounded = [half_up(a, quantum) for a in amounts]
    diff = target - sum(rounded, ZERO)
    if not amounts or not diff:
        return rounded
    steps = int((diff / quantum).to_integral_value())
    sign = 1 if steps > 0 else -1
    order = sorted(
        range(len(amounts)), key=lambda i: sign * (amounts[i] - rounded[i]), reverse=True
    )
    for n in range(abs(steps)):
        rounded[order[n % len(order)]] += sign * quantum
    return rounded


def line_commands(
    line: PlannedLine, net: Decimal, ref: Reference, account_id: int, quantum: Decimal
) -> list[dict[str, Any]]:
    """Odoo line values whose quantity × unit price come to ``line.priced`` exactly.

    ``net`` is the apportioned untaxed amount of the line (``line.net`` give or take the cents
    the apportioning moved); for a price-included line the gross moves with it.
    """
    net = net + (line.priced - line.net)
    tax_ids = [t.id for t in line.taxes]
    base: dict[str, Any] = {
        "name": line.name,
        "account_id": account_id,
        "tax_ids": [(6, 0, tax_ids)],
    }
    if line.product_id:
        base["product_id"] = line.product_id
    qty = line.quantity if line.quantity > 0 else Decimal(1)
    price_q = Decimal(1).scaleb(-ref.price_decimals)

    def subtotal(price: Decimal, quantity: Decimal, discount: Decimal = ZERO) -> Decimal:
        stored = half_up(price, price_q) if ref.price_unit_rounded else price
        return half_up(stored * quantity * (1 - discount / HUNDRED), quantum)

    # 1. with the coupon visible as a discount, when Odoo reproduces the net with it. Rounding
    #    globally, Odoo (18+) rounds the sum of the unrounded line amounts, so there the
    #    discounted amount must come out exact, not merely round to the net.
    if line.gross_unit and line.quantity > 0 and line.gross_unit * qty:
        discount = half_up((1 - net / (line.gross_unit * qty)) * HUNDRED, Decimal("0.01"))
        unit = line.gross_unit if not ref.price_unit_rounded else half_up(line.gross_unit, price_q)
        raw = unit * qty * (1 - discount / HUNDRED)
        exact = ref.tax_rounding == "round_per_line" or raw == net
        if ZERO < discount < HUNDRED and exact and subtotal(unit, qty, discount) == net:
            return [
                {
                    **base,
                    "quantity": float(qty),
                    "price_unit": float(unit),
                    "discount": float(discount),
                }
            ]
    # 2. the net price per unit
    unit = net / qty
    if not ref.price_unit_rounded or subtotal(unit, qty) == net:
        stored_unit = unit if not ref.price_unit_rounded else half_up(unit, price_q)
        if subtotal(stored_unit, qty) == net:
            return [{**base, "quantity": float(qty), "price_unit": float(stored_unit)}]
    # 3. Odoo would round the unit price: (q-1) × p and 1 × rest. Not with the tax in the
    #    price: Odoo would take the tax out of each part separately and round it twice.
    if qty == qty.to_integral_value() and qty > 1 and not line.included:
        unit = (net / qty).quantize(price_q, rounding=ROUND_DOWN)
        rest = net - unit * (qty - 1)
        if subtotal(unit, qty - 1) + subtotal(rest, Decimal(1)) == net:
            return [
                {**base, "quantity": float(qty - 1), "price_unit": float(unit)},
                {**base, "quantity": 1.0, "price_unit": float(rest)},
            ]
    # 4. one unit carrying the whole net; the quantity stays visible in the label
    label = f"{line.name} ({qty.normalize()} ×)" if qty != 1 else line.name
    return [{**base, "name": label, "quantity": 1.0, "price_unit": float(net)}]


def with_twin(line: PlannedLine, net: Decimal, quantum: Decimal) -> PlannedLine:
    """The line with its price-included twin, when Odoo takes out of the gross exactly the
    shop's tax (then its net is the shop's too); else unchanged, tax excluded."""
    if line.twin is None or len(line.store_taxes) != 1:
        return line
    rate = line.twin.amount
    gross = net + line.store_taxes[0]
    if half_up(gross * rate / (HUNDRED + rate), quantum) != line.store_taxes[0]:
        return line
    return PlannedLine(
        line.name,
        line.role,
        net,
        line.quantity,
        (line.twin,),
        line.product_id,
        None,
        line.store_taxes,
        included=True,
    )


def odoo_subtotal(vals: Mapping[str, Any], ref: Reference, quantum: Decimal) -> Decimal:
    """An Odoo line's amount before tax as Odoo rounds it, from the values we send it."""
    price = Decimal(repr(vals["price_unit"]))
    if ref.price_unit_rounded:
        price = half_up(price, Decimal(1).scaleb(-ref.price_decimals))
    quantity = Decimal(repr(vals["quantity"]))
    discount = Decimal(repr(vals.get("discount", 0.0)))
    return half_up(price * quantity * (1 - discount / HUNDRED), quantum)
