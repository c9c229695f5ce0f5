"""WooCommerce 7.9 order arithmetic: taxes, fees and totals, rounded as WooCommerce does.

Follows the order code path (REST/admin ``calculate_totals``) with
``woocommerce_tax_round_at_subtotal = no``: per-rate taxes are kept to 6 places, rounded per line
when summed, negative fees carry tax split across the cart's tax classes, and with prices entered
with tax the store's base rates are removed before the customer's rates are added. Coupons are
split per item in ``discounts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from wooodoo.sandbox.catalog import TAX_RATES, TaxRate
from wooodoo.sandbox.shop.model import (
    ZERO,
    FeeLine,
    LineItem,
    Order,
    Refund,
    ShippingLine,
    TaxLine,
)

Q6 = Decimal("0.000001")
HUNDRED = Decimal(100)
BASE_COUNTRY = "DE"  # the shop's base location: prices entered with tax include German VAT
CURRENCY_DECIMALS: dict[str, int] = {"JPY": 0}
TAX_CLASS_ORDER: tuple[str, ...] = ("", "reduced-rate", "zero-rate")


def decimals_for(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency, 2)


def round_money(value: Decimal, dp: int) -> Decimal:
    """PHP ``round()``: half away from zero."""
    return value.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)


def q6(value: Decimal) -> Decimal:
    """What ``wc_format_decimal`` keeps of a computed float: 6 places."""
    return value.quantize(Q6, rounding=ROUND_HALF_UP)


def _class_slug(rate: TaxRate) -> str:
    return "" if rate.tax_class == "standard" else rate.tax_class


def find_rates(country: str, tax_class: str) -> tuple[TaxRate, ...]:
    return tuple(r for r in TAX_RATES if r.country == country and _class_slug(r) == tax_class)


def calc_tax(price: Decimal, rates: Sequence[TaxRate], *, inclusive: bool) -> dict[int, Decimal]:
    """``WC_Tax::calc_tax`` for simple (non-compound) rates, rounded to 6 places per rate."""
    taxes: dict[int, Decimal] = {}
    if inclusive:
        regular = sum((r.rate for r in rates), ZERO)
        for r in rates:
            taxes[r.id] = q6(price * r.rate / (HUNDRED + regular))
    else:
        for r in rates:
            taxes[r.id] = q6(price * r.rate / HUNDRED)
    return taxes


def net_from_gross(gross: Decimal, tax_class: str, taxable: bool) -> Decimal:
    """``wc_get_price_excluding_tax`` for a price entered with tax: the base rates come off."""
    if not taxable:
        return gross
    removed = calc_tax(gross, find_rates(BASE_COUNTRY, tax_class), inclusive=True)
    return q6(gross - sum(removed.values(), ZERO))


def tax_country(order: Order) -> str:
    """Taxes are based on the shipping address, or billing when there is none."""
    return order.shipping.get("country") or order.billing.get("country", "")


def _sum_rounded(taxes: Iterable[Decimal], dp: int) -> Decimal:
    return sum((round_money(t, dp) for t in taxes), ZERO)


def set_line_taxes(
    item: LineItem, total: dict[int, Decimal], subtotal: dict[int, Decimal], dp: int
) -> None:
    if sum(subtotal.values(), ZERO) < sum(total.values(), ZERO):
        subtotal = dict(total)  # "subtotal cannot be less than total"
    item.taxes = total
    item.subtotal_taxes = subtotal
    item.total_tax = _sum_rounded(total.values(), dp)
    item.subtotal_tax = _sum_rounded(subtotal.values(), dp)


def _set_simple_taxes(item: FeeLine | ShippingLine, taxes: dict[int, Decimal], dp: int) -> None:
    item.taxes = taxes
    item.total_tax = _sum_rounded(taxes.values(), dp)


# ---- taxes and totals ------------------------------------------------------------------------


def _items_tax_classes(order: Order) -> list[str]:
    found: list[str] = []
    for li in order.line_items:
        if li.taxable and li.tax_class not in found:
            found.append(li.tax_class)
    return found


def _negative_fee_taxes(order: Order, fee: FeeLine, country: str) -> dict[int, Decimal]:
    classes = _items_tax_classes(order)
    inherit = classes[0] if classes else ""
    costs: dict[str, Decimal] = {c: ZERO for c in classes}
    costs["non-taxable"] = ZERO
    parts: list[tuple[Decimal, bool, str]] = [
        (li.total, li.taxable, li.tax_class) for li in order.line_items
    ]
    parts += [(f.total, f.tax_status == "taxable", f.tax_class) for f in order.fee_lines]
    parts += [(s.total, True, inherit) for s in order.shipping_lines]
    for total, taxable, tax_class in parts:
        if total < 0:
            continue
        key = tax_class if taxable else "non-taxable"
        costs[key] = costs.get(key, ZERO) + total
    costs = {k: v for k, v in costs.items() if v}
    all_costs = sum(costs.values(), ZERO)
    taxes: dict[int, Decimal] = {}
    if not all_costs:
        return taxes
    for tax_class, cost in costs.items():
        if tax_class == "non-taxable":
            continue
        part = fee.total * (cost / all_costs)
        for rate_id, tax in calc_tax(part, find_rates(country, tax_class), inclusive=False).items():
            taxes[rate_id] = taxes.get(rate_id, ZERO) + tax
    return taxes


def calculate_taxes(order: Order, new_item_id: Callable[[], int]) -> None:
    dp = decimals_for(order.currency)
    country = tax_country(order)
    classes = _items_tax_classes(order)
    shipping_class = next((c for c in TAX_CLASS_ORDER if c in classes), None)
    for li in order.line_items:
        if li.taxable:
            rates = find_rates(country, li.tax_class)
            set_line_taxes(
                li,
                calc_tax(li.total, rates, inclusive=False),
                calc_tax(li.subtotal, rates, inclusive=False),
                dp,
            )
        else:
            set_line_taxes(li, {}, {}, dp)
    for fee in order.fee_lines:
        if fee.total < 0:
            taxes = _negative_fee_taxes(order, fee, country)
        elif fee.tax_status == "taxable":
            taxes = calc_tax(fee.total, find_rates(country, fee.tax_class), inclusive=False)
        else:
            taxes = {}
        _set_simple_taxes(fee, taxes, dp)
    for ship in order.shipping_lines:
        if shipping_class is None:
            _set_simple_taxes(ship, {}, dp)
        else:
            rates = find_rates(country, shipping_class)
            _set_simple_taxes(ship, calc_tax(ship.total, rates, inclusive=False), dp)
    update_taxes(order, new_item_id, dp)


def _merge_rounded(target: dict[int, Decimal], taxes: dict[int, Decimal], dp: int) -> None:
    for rate_id, tax in taxes.items():
        target[rate_id] = target.get(rate_id, ZERO) + round_money(tax, dp)


def update_taxes(order: Order | Refund, new_item_id: Callable[[], int], dp: int) -> None:
    """Rebuild the tax lines from the items' taxes, each rounded per line first."""
    cart: dict[int, Decimal] = {}
    shipping: dict[int, Decimal] = {}
    for li in order.line_items:
        _merge_rounded(cart, li.taxes, dp)
    for fee in order.fee_lines:
        _merge_rounded(cart, fee.taxes, dp)
    for ship in order.shipping_lines:
        _merge_rounded(shipping, ship.taxes, dp)
    kept: list[TaxLine] = []
    seen: set[int] = set()
    for line in order.tax_lines:
        if (line.rate_id not in cart and line.rate_id not in shipping) or line.rate_id in seen:
            continue
        seen.add(line.rate_id)
        line.tax_total = cart.get(line.rate_id, ZERO)
        line.shipping_tax_total = shipping.get(line.rate_id, ZERO)
        kept.append(line)
    by_id = {r.id: r for r in TAX_RATES}
    for rate_id in [*cart, *(k for k in shipping if k not in cart)]:
        if rate_id in seen:
            continue
        rate = by_id[rate_id]
        kept.append(
            TaxLine(
                id=new_item_id(),
                rate_id=rate_id,
                rate_code=rate.rate_code,
                label=rate.name,
                rate_percent=rate.rate,
                tax_total=cart.get(rate_id, ZERO),
                shipping_tax_total=shipping.get(rate_id, ZERO),
            )
        )
    order.tax_lines = kept
    if isinstance(order, Order):
        order.shipping_tax = sum(shipping.values(), ZERO)
        order.cart_tax = sum(cart.values(), ZERO)
        order.total_tax = order.cart_tax + order.shipping_tax


def calculate_totals(order: Order, new_item_id: Callable[[], int]) -> None:
    """``WC_Abstract_Order::calculate_totals(true)``."""
    dp = decimals_for(order.currency)
    cart_subtotal = sum((round_money(li.subtotal, dp) for li in order.line_items), ZERO)
    cart_total = sum((round_money(li.total, dp) for li in order.line_items), ZERO)
    shipping_total = sum((round_money(s.total, dp) for s in order.shipping_lines), ZERO)
    order.shipping_total = shipping_total
    fees_total = ZERO
    for fee in order.fee_lines:
        if fee.total < 0:
            # a negative fee can take the order down to zero, not below
            max_discount = -round_money(cart_total + fees_total + shipping_total, dp)
            if fee.total < max_discount and max_discount < 0:
                fee.total = max_discount
        fees_total += fee.total
    calculate_taxes(order, new_item_id)
    total_tax = sum((sum(li.taxes.values(), ZERO) for li in order.line_items), ZERO)
    subtotal_tax = sum((sum(li.subtotal_taxes.values(), ZERO) for li in order.line_items), ZERO)
    order.discount_total = round_money(cart_subtotal - cart_total, dp)
    order.discount_tax = round_money(subtotal_tax - total_tax, dp)
    order.total = round_money(
        cart_total + fees_total + shipping_total + order.cart_tax + order.shipping_tax, dp
    )
