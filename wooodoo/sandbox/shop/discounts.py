"""Coupons on an order: ``WC_Discounts``' split per item in cents, and the coupon lines.

A percent coupon takes its share of each item, a fixed cart coupon is spread over the items'
quantities; what rounding leaves over goes a cent at a time to the most expensive items first.
With prices entered with tax the split is on gross prices and the tax comes off afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from wooodoo.sandbox.catalog import STORE_TIMEZONE
from wooodoo.sandbox.shop.model import SITE_TZ, ZERO, Coupon, CouponLine, LineItem, Order
from wooodoo.sandbox.shop.totals import (
    HUNDRED,
    calc_tax,
    calculate_totals,
    decimals_for,
    find_rates,
    q6,
    round_money,
    tax_country,
)


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


def _php_date(when: datetime) -> dict[str, Any]:
    return {
        "date": when.astimezone(SITE_TZ).strftime("%Y-%m-%d %H:%M:%S.000000"),
        "timezone_type": 3,
        "timezone": STORE_TIMEZONE,
    }


def coupon_data(coupon: Coupon) -> dict[str, Any]:
    """The coupon as WooCommerce snapshots it into the order's coupon line (``coupon_data``)."""
    return {
        "id": coupon.id,
        "code": coupon.code,
        "amount": f"{coupon.amount:.2f}",
        "status": "publish",
        "date_created": _php_date(coupon.date_created),
        "date_modified": _php_date(coupon.date_created),
        "date_expires": None,
        "discount_type": coupon.discount_type,
        "description": coupon.description,
        "usage_count": coupon.usage_count,
        "individual_use": False,
        "product_ids": [],
        "excluded_product_ids": [],
        "usage_limit": 0,
        "usage_limit_per_user": 0,
        "limit_usage_to_x_items": None,
        "free_shipping": False,
        "product_categories": [],
        "excluded_product_categories": [],
        "exclude_sale_items": False,
        "minimum_amount": "",
        "maximum_amount": "",
        "email_restrictions": [],
        "virtual": False,
        "meta_data": [],
    }
