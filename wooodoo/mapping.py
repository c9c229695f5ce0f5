"""Pure mapping: WooCommerce orders and customers → Odoo values, money in Decimal (no I/O).

How cents are kept (DESIGN.md "Where naive mappings lose cents"):
- Every Odoo line gets a net amount in the currency's decimals; the nets are apportioned so that
  they add up exactly to the order's untaxed total (``total - total_tax``), whatever rounding the
  store used for prices entered with tax.
- A net that ``quantity × price_unit`` cannot reproduce once Odoo rounds ``price_unit`` (18 and
  below) is split into ``(q-1) × p`` and ``1 × rest``; a discount is shown only when Odoo's
  2-decimal discount reproduces the net exactly.
- Lines taxed at several rates of different classes (fees) become one Odoo line per rate, the
  base of each derived from its tax; rates that stack apply together on one line.
- The store's tax per rate (sum of per-line rounded taxes, as WooCommerce rounds) is the target
  for each Odoo tax; ``expected_odoo_taxes`` predicts what Odoo computes so the engine knows
  whether a draft's tax groups need adjusting before posting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from wooodoo.errors import MappingError
from wooodoo.woo.models import Address, Customer, Order, TaxAmount

TaxRounding = Literal["round_per_line", "round_globally"]
ZERO = Decimal(0)
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Currency:
    id: int
    code: str
    decimals: int
    active: bool

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OdooTax:
    id: int
    name: str
    amount: Decimal  # percent
    price_include: bool
    group_id: int | None = None


@dataclass(frozen=True)
class Reference:
    """Odoo reference data resolved once per run, plus the tenant's mapping choices."""

    tenant: str
    currencies: Mapping[str, Currency]
    taxes: Mapping[str, OdooTax]  # WooCommerce rate id (as text) or rate code -> Odoo tax
    accounts: Mapping[str, int]  # role (products, shipping, fees, refunds) -> account id
    countries: Mapping[str, int]  # ISO code -> res.country id
    states: Mapping[tuple[str, str], int]  # (country code, state code) -> res.country.state id
    products_by_sku: Mapping[str, int] = field(default_factory=dict)
    journal_id: int | None = None
    move_type_field: str = "move_type"
    price_unit_rounded: bool = True  # Odoo 18 and below round price_unit to 2 decimals
    price_decimals: int = 2  # "Product Price" decimal precision
    tax_rounding: TaxRounding = "round_per_line"
    use_products: bool = False
    # price-excluded tax id -> its price-included twin (same rate and group), used for the
    # items of orders entered with tax so that Odoo splits each gross exactly as the shop did
    included: Mapping[int, OdooTax] = field(default_factory=dict)


# ---------------------------------------------------------------- keys


def order_key(tenant: str, order_id: int) -> str:
    return f"{tenant}/order/{order_id}"


def customer_key(tenant: str, customer_id: int) -> str:
    return f"{tenant}/customer/{customer_id}"


def guest_key(tenant: str, email: str) -> str:
    return f"{tenant}/guest/{email.strip().lower()}"


def partner_key_for_order(tenant: str, order: Order) -> str:
    if order.customer_id:
        return customer_key(tenant, order.customer_id)
    return guest_key(tenant, _guest_email(order))


def _guest_email(order: Order) -> str:
    """The billing e-mail, or a stand-in that keeps an e-mail-less guest's key unique."""
    return order.billing.email or f"order-{order.id}@guest.invalid"


# ---------------------------------------------------------------- partners


def partner_values(
    key: str, address: Address, email: str, ref: Reference, *, fallback_name: str = ""
) -> dict[str, Any]:
    """res.partner values for a customer or guest; raises MappingError on unknown country."""
    problems: list[str] = []
    name = address.full_name or address.company or email or fallback_name
    values: dict[str, Any] = {
        "name": name,
        "email": email.strip() or False,
        "phone": address.phone or False,
        "street": address.address_1 or False,
        "street2": address.address_2 or False,
        "city": address.city or False,
        "zip": address.postcode or False,
        "ref": key,
        "customer_rank": 1,
    }
    if address.company and address.full_name:
        values["company_name"] = address.company
    country = address.country.upper()
    if country:
        country_id = ref.countries.get(country)
        if country_id is None:
            problems.append(f"country {country!r} is not known to Odoo")
        else:
            values["country_id"] = country_id
            state = address.state.upper()
            if state:
                # Unknown states are common (free-text states): keep the address, drop the state.
                state_id = ref.states.get((country, state))
                if state_id is not None:
                    values["state_id"] = state_id
    if problems:
        raise MappingError(f"partner {key}: cannot be mapped", problems=problems)
    return values


def customer_partner_values(customer: Customer, ref: Reference) -> dict[str, Any]:
    address = customer.billing
    if not address.full_name:
        address = Address(
            **{
                **address.__dict__,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
            }
        )
    return partner_values(
        customer_key(ref.tenant, customer.id),
        address,
        customer.email or customer.billing.email,
        ref,
        fallback_name=customer.username,
    )


def guest_partner_values(order: Order, ref: Reference) -> dict[str, Any]:
    return partner_values(
        guest_key(ref.tenant, _guest_email(order)),
        order.billing,
        order.billing.email,
        ref,
        fallback_name=f"Guest of order {order.number}",
    )


# ---------------------------------------------------------------- invoice lines


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


def _round(amount: Decimal, quantum: Decimal) -> Decimal:
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def _resolve_tax(rate_id: int, order: Order, ref: Reference, problems: list[str]) -> OdooTax | None:
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


def _split_by_rate(
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
        part = _round(base, quantum)
        parts.append((part, (tax,)))
        remaining -= part
    zero_rated = tuple(tax for tax, _ in taxes if not tax.amount)
    if remaining or zero_rated:
        parts.append((remaining, zero_rated))
    return parts


def _woo_lines(
    order: Order, ref: Reference, problems: list[str]
) -> list[tuple[PlannedLine, Decimal]]:
    """Lines with their store net before apportioning (unrounded for prices incl. tax)."""
    currency_q = Decimal(1).scaleb(-_currency_decimals(order, ref))
    out: list[tuple[PlannedLine, Decimal]] = []

    def taxes_of(amounts: Iterable[TaxAmount]) -> list[tuple[OdooTax, Decimal]]:
        found: list[tuple[OdooTax, Decimal]] = []
        for amount in amounts:
            tax = _resolve_tax(amount.rate_id, order, ref, problems)
            if tax is not None:
                found.append((tax, amount.total))
        return found

    def parts(
        total: Decimal, taxes: list[tuple[OdooTax, Decimal]]
    ) -> list[tuple[Decimal, tuple[OdooTax, ...], tuple[Decimal, ...]]]:
        """Bases with their taxes and the shop's rounded tax of each, per part of a line."""
        amounts = {tax.id: amount for tax, amount in taxes}
        out_parts = []
        for base, group in _split_by_rate(total, taxes, currency_q):
            out_parts.append((base, group, tuple(_round(amounts[t.id], currency_q) for t in group)))
        return out_parts

    for item in order.line_items:
        taxes = taxes_of(item.taxes)
        product_id = ref.products_by_sku.get(item.sku) if ref.use_products and item.sku else None
        name = item.name + (f" [{item.sku}]" if item.sku else "")
        gross_unit = None
        if item.subtotal != item.total and item.quantity:
            gross_unit = item.subtotal / item.quantity
        split = parts(item.total, taxes)
        # Only with per-line rounding: rounding globally, Odoo leaves the net of a
        # price-included line unrounded and the untaxed total would drift by cents.
        per_line = ref.tax_rounding == "round_per_line"
        twin = ref.included.get(taxes[0][0].id) if len(taxes) == 1 and per_line else None
        if order.prices_include_tax and twin is not None and len(split) == 1:
            # Entered with tax: the gross may go to Odoo with the price-included twin, so it
            # takes the tax out of each line as WooCommerce did; decided once the nets are
            # final (map_order), falling back to the exact net with the tax excluded.
            _, group, store_taxes = split[0]
            line = PlannedLine(
                name,
                "products",
                item.total,
                item.quantity,
                group,
                product_id,
                None,
                store_taxes,
                twin=twin,
            )
            out.append((line, item.total))
            continue
        for base, group, store_taxes in split:
            line = PlannedLine(
                name,
                "products",
                base,
                item.quantity,
                group,
                product_id,
                gross_unit if len(taxes) <= 1 else None,
                store_taxes,
            )
            out.append((line, base))
    for ship in order.shipping_lines:
        for base, group, store_taxes in parts(ship.total, taxes_of(ship.taxes)):
            line = PlannedLine(
                ship.method_title or "Shipping",
                "shipping",
                base,
                Decimal(1),
                group,
                store_taxes=store_taxes,
            )
            out.append((line, base))
    for fee in order.fee_lines:
        split = parts(fee.total, taxes_of(fee.taxes))
        for base, group, store_taxes in split:
            label = fee.name or "Fee"
            if len(split) > 1:
                shown = ", ".join(t.name for t in group) if group else "no tax"
                label = f"{label} ({shown})"
            line = PlannedLine(label, "fees", base, Decimal(1), group, store_taxes=store_taxes)
            out.append((line, base))
    return out


def _currency_decimals(order: Order, ref: Reference) -> int:
    currency = ref.currencies.get(order.currency)
    return currency.decimals if currency else 2


def _apportion(amounts: Sequence[Decimal], target: Decimal, quantum: Decimal) -> list[Decimal]:
    """Round each amount to ``quantum`` so the rounded amounts add up to ``target`` exactly.

    Largest-remainder method: the cents the plain rounding lost or gained go to the amounts
    whose rounding moved them the most, one quantum each.
    """
    rounded = [_round(a, quantum) for a in amounts]
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


def _line_commands(
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
        stored = _round(price, price_q) if ref.price_unit_rounded else price
        return _round(stored * quantity * (1 - discount / HUNDRED), quantum)

    # 1. with the coupon visible as a discount, when Odoo reproduces the net with it. Rounding
    #    globally, Odoo (18+) rounds the sum of the unrounded line amounts, so there the
    #    discounted amount must come out exact, not merely round to the net.
    if line.gross_unit and line.quantity > 0 and line.gross_unit * qty:
        discount = _round((1 - net / (line.gross_unit * qty)) * HUNDRED, Decimal("0.01"))
        unit = line.gross_unit if not ref.price_unit_rounded else _round(line.gross_unit, price_q)
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
        stored_unit = unit if not ref.price_unit_rounded else _round(unit, price_q)
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


def _with_twin(line: PlannedLine, net: Decimal, quantum: Decimal) -> PlannedLine:
    """The line with its price-included twin, when Odoo takes out of the gross exactly the
    shop's tax (then its net is the shop's too); else unchanged, tax excluded."""
    if line.twin is None or len(line.store_taxes) != 1:
        return line
    rate = line.twin.amount
    gross = net + line.store_taxes[0]
    if _round(gross * rate / (HUNDRED + rate), quantum) != line.store_taxes[0]:
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


def _odoo_subtotal(vals: Mapping[str, Any], ref: Reference, quantum: Decimal) -> Decimal:
    """An Odoo line's amount before tax as Odoo rounds it, from the values we send it."""
    price = Decimal(repr(vals["price_unit"]))
    if ref.price_unit_rounded:
        price = _round(price, Decimal(1).scaleb(-ref.price_decimals))
    quantity = Decimal(repr(vals["quantity"]))
    discount = Decimal(repr(vals.get("discount", 0.0)))
    return _round(price * quantity * (1 - discount / HUNDRED), quantum)


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
                raw[tax.id] += _round(amount, quantum) if rounding == "round_per_line" else amount
            elif rounding == "round_per_line":
                raw[tax.id] += sum((_round(p * tax.amount / HUNDRED, quantum) for p in split), ZERO)
            else:
                raw[tax.id] += net * tax.amount / HUNDRED
    return {tax_id: _round(amount, quantum) for tax_id, amount in raw.items()}


def map_order(order: Order, ref: Reference) -> InvoicePlan:
    """Invoice values for an order; MappingError lists every missing mapping at once."""
    problems: list[str] = []
    key = order_key(ref.tenant, order.id)
    currency = ref.currencies.get(order.currency)
    if currency is None:
        problems.append(f"currency {order.currency} does not exist in Odoo")
    elif not currency.active:
        problems.append(f"currency {order.currency} is not active in Odoo: activate it first")
    quantum = currency.quantum if currency else Decimal("0.01")
    for summary in order.tax_lines:
        if summary.compound:
            problems.append(f"compound tax {summary.rate_code} is not supported")
    planned = _woo_lines(order, ref, problems)
    for role in {line.role for line, _ in planned}:
        if role not in ref.accounts:
            problems.append(f"no income account for {role}: set sync.accounts.{role}")
    if not planned:
        problems.append("the order has no lines")
    if problems:
        raise MappingError(
            f"order {order.number} (id {order.id}) cannot be invoiced", problems=problems
        )

    untaxed = order.total - order.total_tax
    nets = _apportion([raw for _, raw in planned], untaxed, quantum)

    planned = [
        (_with_twin(line, net, quantum), raw)
        for (line, raw), net in zip(planned, nets, strict=True)
    ]
    line_values: list[dict[str, Any]] = []
    parts: list[tuple[PlannedLine, list[Decimal]]] = []  # each line's Odoo line subtotals
    for (line, _), net in zip(planned, nets, strict=True):
        commands = _line_commands(line, net, ref, ref.accounts[line.role], quantum)
        line_values += commands
        parts.append((line, [_odoo_subtotal(vals, ref, quantum) for vals in commands]))

    # The shop's tax per Odoo tax: its per-line rounded taxes (as its tax lines add them up),
    # grouped by the Odoo tax each line uses; the order's tax lines when those disagree.
    expected_tax: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line, _ in planned:
        for tax, amount in zip(line.taxes, line.store_taxes, strict=True):
            expected_tax[tax.id] += amount
    if sum(expected_tax.values(), ZERO) != order.total_tax:
        expected_tax = defaultdict(lambda: ZERO)
        for summary in order.tax_lines:
            mapped = _resolve_tax(summary.rate_id, order, ref, problems)
            if mapped is not None:
                expected_tax[mapped.id] += summary.tax_total + summary.shipping_tax_total
    if problems:
        raise MappingError(
            f"order {order.number} (id {order.id}) cannot be invoiced", problems=problems
        )
    predicted = predict_odoo_taxes(
        [(net, line) for (line, _), net in zip(planned, nets, strict=True)],
        ref.tax_rounding,
        quantum,
        [subtotals for _, subtotals in parts],
    )
    invoice_date: date = order.local_date_paid or order.local_date_created
    values: dict[str, Any] = {
        ref.move_type_field: "out_invoice",
        "invoice_origin": key,
        "ref": order.number,
        "invoice_date": invoice_date.isoformat(),
        "currency_id": currency.id if currency else False,
        "invoice_line_ids": [(0, 0, vals) for vals in line_values],
    }
    if ref.journal_id:
        values["journal_id"] = ref.journal_id
    return InvoicePlan(
        key=key,
        order_id=order.id,
        values=values,
        expected=Totals(untaxed, order.total_tax, order.total),
        expected_tax_by_tax={k: v for k, v in expected_tax.items() if v or k in predicted},
        predicted_tax_by_tax={k: v for k, v in predicted.items() if v or k in expected_tax},
        lines=tuple(line for line, _ in planned),
    )
