"""WooCommerce 7.9 order arithmetic: taxes, coupons, fees and totals, rounded as WooCommerce does.

Follows the order code path (REST/admin ``calculate_totals``) with
``woocommerce_tax_round_at_subtotal = no``: per-rate taxes are kept to 6 places, rounded per line
when summed, coupons are split per item in cents (``WC_Discounts``), negative fees carry tax
split across the cart's tax classes, and with prices entered with tax the store's base rates are
removed before the customer's rates are added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from wooodoo.sandbox.catalog import TAX_RATES, TaxRate
from wooodoo.sandbox.shop.model import (
    ZERO,
    Coupon,
    CouponLine,
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


class RefundError(ValueError):
    """A refund WooCommerce would refuse ("Invalid refund amount.")."""


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


# ---- coupons (WC_Discounts on an order) ----------------------------------------------------


@dataclass
class _DiscountItem:
    item: LineItem
    price: Decimal  # in cents, may carry fractions


class _Discounts:
    def __init__(self, order: Order, dp: int) -> None:
        self.scale = Decimal(10) ** dp
        items = []
        for li in order.line_items:
            price = li.subtotal * self.scale
            if order.prices_include_tax:
                price += li.subtotal_tax * self.scale
            items.append(_DiscountItem(li, price))
        # uasort by price, highest first; PHP 8's sort is stable
        self.items = sorted(items, key=lambda d: d.price, reverse=True)
        self.discounts: dict[str, dict[int, Decimal]] = {}

    def _item_discount(self, key: int) -> Decimal:
        return sum((d.get(key, ZERO) for d in self.discounts.values()), ZERO)

    def discounted_cents(self, it: _DiscountItem) -> Decimal:
        left = (it.price - self._item_discount(it.item.id)).quantize(Decimal(1), ROUND_HALF_UP)
        return abs(left)

    def apply(self, coupon: Coupon) -> None:
        codes = self.discounts.setdefault(coupon.code, {})
        for it in self.items:
            codes.setdefault(it.item.id, ZERO)
        to_apply = [
            it for it in self.items if self.discounted_cents(it) != 0 and it.item.quantity > 0
        ]
        if coupon.discount_type == "percent":
            self._percent(coupon, to_apply)
        else:
            self._fixed_cart(coupon, to_apply, None)

    def _add(self, coupon: Coupon, it: _DiscountItem, cents: Decimal) -> None:
        self.discounts[coupon.code][it.item.id] += cents

    def _percent(self, coupon: Coupon, items: list[_DiscountItem]) -> None:
        total = ZERO
        cart_total = ZERO
        share = coupon.amount / HUNDRED
        for it in items:
            discounted = self.discounted_cents(it)
            to_discount = it.price.quantize(Decimal(1), ROUND_HALF_UP)
            discount = (to_discount * share).to_integral_value(ROUND_FLOOR)
            discount = min(discounted, discount).quantize(Decimal(1), ROUND_HALF_DOWN)
            cart_total += to_discount
            total += discount
            self._add(coupon, it, discount)
        whole_cart = (cart_total * share).quantize(Decimal(1), ROUND_HALF_DOWN)
        if total < whole_cart:
            self._remainder(coupon, items, whole_cart - total)

    def _fixed_product(
        self, coupon: Coupon, items: list[_DiscountItem], amount: Decimal
    ) -> Decimal:
        total = ZERO
        for it in items:
            discount = min(self.discounted_cents(it), amount * it.item.quantity)
            total += discount
            self._add(coupon, it, discount)
        return total

    def _fixed_cart(
        self, coupon: Coupon, items: list[_DiscountItem], amount: Decimal | None
    ) -> Decimal:
        amount = amount if amount else coupon.amount * self.scale
        items = [it for it in items if self.discounted_cents(it) > 0]
        count = sum(it.item.quantity for it in items)
        if not count or not amount:
            return ZERO
        per_item = (amount / count).to_integral_value(ROUND_FLOOR)
        total = ZERO
        if per_item > 0:
            total = self._fixed_product(coupon, items, per_item)
            if ZERO < total < amount:
                total += self._fixed_cart(coupon, items, amount - total)
        elif amount > 0:
            total += self._remainder(coupon, items, amount)
        return total

    def _remainder(self, coupon: Coupon, items: list[_DiscountItem], amount: Decimal) -> Decimal:
        total = ZERO
        for it in items:
            for _ in range(it.item.quantity):
                discount = min(self.discounted_cents(it), Decimal(1))
                total += discount
                self._add(coupon, it, discount)
                if total >= amount:
                    return total
        return total


def apply_coupons(order: Order, coupons: Sequence[Coupon], new_item_id: Callable[[], int]) -> None:
    """``recalculate_coupons``: reset line totals, split each coupon per item, then total up."""
    dp = decimals_for(order.currency)
    country = tax_country(order)
    for li in order.line_items:
        li.total = li.subtotal
        li.total_tax = li.subtotal_tax
    discounts = _Discounts(order, dp)
    for coupon in coupons:
        discounts.apply(coupon)
    existing = {c.code: c for c in order.coupon_lines}
    lines: list[CouponLine] = []
    by_id = {li.id: li for li in order.line_items}
    for coupon in coupons:
        per_item = discounts.discounts.get(coupon.code, {})
        amount = sum(per_item.values(), ZERO) / discounts.scale
        discount_tax = ZERO
        for item_id, cents in per_item.items():
            li = by_id[item_id]
            if not li.taxable:
                continue
            rates = find_rates(country, li.tax_class)
            taxes = calc_tax(cents / discounts.scale, rates, inclusive=order.prices_include_tax)
            rounded = round_money(sum(taxes.values(), ZERO), dp)
            discount_tax += rounded
            if order.prices_include_tax:
                amount -= rounded
        line = existing.get(coupon.code) or CouponLine(new_item_id(), coupon.code, ZERO, ZERO)
        line.coupon = coupon
        line.discount = q6(amount)
        line.discount_tax = q6(discount_tax)
        lines.append(line)
    order.coupon_lines = lines
    item_totals: dict[int, Decimal] = {}
    for per_item in discounts.discounts.values():
        for item_id, cents in per_item.items():
            item_totals[item_id] = item_totals.get(item_id, ZERO) + cents / discounts.scale
    for item_id, amount in item_totals.items():
        li = by_id[item_id]
        if order.prices_include_tax and li.taxable:
            rates = find_rates(country, li.tax_class)
            amount -= sum(calc_tax(amount, rates, inclusive=True).values(), ZERO)
        li.total = q6(max(ZERO, li.total - amount))
    calculate_totals(order, new_item_id)


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


def refunded_total(refunds: Iterable[Refund]) -> Decimal:
    return sum((r.amount for r in refunds), ZERO)


def build_refund(
    order: Order,
    refund: Refund,
    already_refunded: Decimal,
    new_item_id: Callable[[], int],
) -> None:
    """Check the amount like ``wc_create_refund`` and build the refund's tax lines."""
    dp = decimals_for(order.currency)
    remaining = order.total - already_refunded
    if refund.amount < 0 or refund.amount > remaining:
        raise RefundError("Invalid refund amount.")
    update_taxes(refund, new_item_id, dp)
