"""Building, editing and refunding orders the way WooCommerce does when asked through its API."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from wooodoo.sandbox.catalog import STORE_TIMEZONE
from wooodoo.sandbox.shop import totals as calc
from wooodoo.sandbox.shop.model import (
    ADDRESS_FIELDS,
    ORDER_STATUSES,
    ZERO,
    Coupon,
    FeeLine,
    LineItem,
    Meta,
    Order,
    Product,
    Refund,
    ShippingLine,
    Variation,
)
from wooodoo.sandbox.shop.tables import CURRENCY_SYMBOLS, EXCHANGE, VARIATION_ATTRIBUTE

PAID_STATUSES = ("processing", "completed", "refunded")
SITE_TZ = ZoneInfo(STORE_TIMEZONE)
ORDER_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class Ids(Protocol):
    def new_item_id(self) -> int: ...

    def new_meta_id(self) -> int: ...


class OrderError(ValueError):
    """A request the store refuses; ``code`` is WooCommerce's error code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class LineSpec:
    """A product (or variation) id and quantity; ``total`` overrides the line price (a deal).

    ``total`` is what the customer is charged before coupons, in the order's currency, with
    tax when the order's prices include tax.
    """

    product_id: int
    quantity: int = 1
    total: Decimal | None = None


@dataclass(frozen=True)
class ItemChange:
    """An edit of an existing line or fee (REST ``{"id": ..}``); amounts are without tax."""

    quantity: int | None = None
    total: Decimal | None = None
    subtotal: Decimal | None = None


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount: Decimal
    taxable: bool = True
    tax_class: str = ""


@dataclass(frozen=True)
class ShippingSpec:
    title: str
    method_id: str
    total: Decimal


def blank_address(with_email: bool) -> dict[str, str]:
    return {k: "" for k in ADDRESS_FIELDS if with_email or k != "email"}


def address(values: Mapping[str, str] | None, with_email: bool) -> dict[str, str]:
    out = blank_address(with_email)
    for key, value in (values or {}).items():
        if key in out:
            out[key] = str(value)
    return out


def convert(amount_eur: Decimal, currency: str) -> Decimal:
    return calc.round_money(amount_eur * EXCHANGE[currency], calc.decimals_for(currency))


def currency_symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get(currency, currency)


def make_line(
    ids: Ids,
    spec: LineSpec,
    product: Product,
    variation: Variation | None,
    currency: str,
    prices_include_tax: bool,
) -> LineItem:
    if spec.quantity < 1:
        raise OrderError("woocommerce_rest_invalid_quantity", "Quantity must be positive.")
    unit = variation.regular_price if variation else product.price
    gross = spec.total if spec.total is not None else convert(unit, currency) * spec.quantity
    taxable = product.tax_status == "taxable"
    net = calc.net_from_gross(gross, product.tax_class, taxable) if prices_include_tax else gross
    meta: list[Meta] = []
    name = product.name
    sku: str | None = product.sku
    parent_name = None
    if variation is not None:
        name = f"{product.name} - {variation.option}"
        sku = variation.sku or product.sku
        parent_name = product.name
        meta.append(
            Meta(ids.new_meta_id(), "size", variation.option, VARIATION_ATTRIBUTE, variation.option)
        )
    return LineItem(
        id=ids.new_item_id(),
        name=name,
        product_id=product.id,
        variation_id=variation.id if variation else 0,
        quantity=spec.quantity,
        tax_class=product.tax_class,
        taxable=taxable,
        subtotal=calc.q6(net),
        total=calc.q6(net),
        sku=sku,
        parent_name=parent_name,
        needs_processing=not (product.virtual and product.downloadable),
        meta=meta,
    )


def change_items(order: Order, changes: Mapping[int, ItemChange]) -> None:
    """Like the REST API: a new quantity alone does not reprice a line; quantity 0 removes it."""
    for item_id, change in changes.items():
        if change.quantity == 0:
            order.line_items = [li for li in order.line_items if li.id != item_id]
            order.fee_lines = [f for f in order.fee_lines if f.id != item_id]
            continue
        for li in order.line_items:
            if li.id == item_id:
                if change.quantity is not None:
                    li.quantity = change.quantity
                if change.total is not None:
                    li.total = calc.q6(change.total)
                    li.subtotal = calc.q6(
                        change.subtotal
                        if change.subtotal is not None
                        else max(li.subtotal, change.total)
                    )
                elif change.subtotal is not None:
                    li.subtotal = calc.q6(change.subtotal)
        for fee in order.fee_lines:
            if fee.id == item_id and change.total is not None:
                fee.total = calc.q6(change.total)


def placeholder_line(ids: Ids, spec: LineSpec) -> LineItem:
    amount = calc.q6(spec.total) if spec.total is not None else ZERO
    return LineItem(
        id=ids.new_item_id(),
        name="",
        product_id=0,
        variation_id=0,
        quantity=spec.quantity,
        tax_class="",
        taxable=True,
        subtotal=amount,
        total=amount,
        sku=None,
        needs_processing=False,
    )


def make_fee(ids: Ids, spec: FeeSpec) -> FeeLine:
    return FeeLine(
        id=ids.new_item_id(),
        name=spec.name,
        total=calc.q6(spec.amount),
        tax_class=spec.tax_class,
        tax_status="taxable" if spec.taxable else "none",
    )


def make_shipping(ids: Ids, spec: ShippingSpec) -> ShippingLine:
    return ShippingLine(ids.new_item_id(), spec.title, spec.method_id, calc.q6(spec.total))


def recalculate(order: Order, coupons: Sequence[Coupon], ids: Ids) -> None:
    """Taxes, coupons and totals from the current lines.

    Totals are calculated before coupons apply (as when a coupon is added to a saved order), so
    with prices entered with tax the discount splits on gross prices.
    """
    if coupons or order.coupon_lines:
        for li in order.line_items:
            li.total = li.subtotal
    calc.calculate_totals(order, ids.new_item_id)
    if coupons:
        calc.apply_coupons(order, coupons, ids.new_item_id)
    else:
        order.coupon_lines = []
    for line in order.coupon_lines:
        if line.coupon is not None and not line.meta:
            data = coupon_data(line.coupon)
            line.meta.append(Meta(ids.new_meta_id(), "coupon_data", data, "coupon_data", data))


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


def order_key(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "wc_order_" + "".join(ORDER_KEY_ALPHABET[b % 62] for b in digest[:13])


def set_status(order: Order, status: str, when: datetime, transaction_id: str = "") -> None:
    """A status change with the side effects WooCommerce applies (paid / completed dates)."""
    if status not in ORDER_STATUSES and status != "trash":
        raise OrderError("woocommerce_rest_invalid_status", f"Invalid status {status}.")
    if status in ("processing", "completed") and order.date_paid is None:
        order.date_paid = when
        if transaction_id and not order.transaction_id:
            order.transaction_id = transaction_id
    if status == "completed":
        order.date_completed = when
    order.status = status


def reduced_stock_meta(ids: Ids, order: Order) -> None:
    """Paid orders carry ``_reduced_stock`` on their lines, as the shop reduces stock."""
    for li in order.line_items:
        if li.product_id and not any(m.key == "_reduced_stock" for m in li.meta):
            qty = str(li.quantity)
            li.meta.append(Meta(ids.new_meta_id(), "_reduced_stock", qty, "_reduced_stock", qty))


def refund_amount(order: Order, lines: Mapping[int, int], refund_shipping: bool) -> Decimal:
    """What refunding these lines (and the shipping) gives back, before anything is created."""
    dp = calc.decimals_for(order.currency)
    by_id = {li.id: li for li in order.line_items}
    amount = ZERO
    for item_id, qty in lines.items():
        li = by_id.get(item_id)
        if li is None or qty < 1 or qty > li.quantity:
            raise OrderError(
                "woocommerce_rest_cannot_create_order_refund", "Invalid refund line.", 500
            )
        share = Decimal(qty) / Decimal(li.quantity)
        amount += calc.round_money(li.total * share, dp)
        amount += sum((calc.round_money(t * share, dp) for t in li.taxes.values()), ZERO)
    if refund_shipping:
        for ship in order.shipping_lines:
            amount += ship.total + sum((calc.round_money(t, dp) for t in ship.taxes.values()), ZERO)
    return amount


def check_refund(order: Order, amount: Decimal, already: Decimal) -> None:
    if amount < 0 or amount > order.total - already:
        raise OrderError(
            "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.", 500
        )


def refund_lines(
    ids: Ids, order: Order, lines: Mapping[int, int], refund_shipping: bool
) -> tuple[list[LineItem], list[ShippingLine], Decimal]:
    """Refund ``lines`` (item id -> quantity) at their paid prices; returns items and amount."""
    dp = calc.decimals_for(order.currency)
    by_id = {li.id: li for li in order.line_items}
    items: list[LineItem] = []
    amount = ZERO
    for item_id, qty in lines.items():
        li = by_id.get(item_id)
        if li is None or qty < 1 or qty > li.quantity:
            raise OrderError(
                "woocommerce_rest_cannot_create_order_refund", "Invalid refund line.", 500
            )
        share = Decimal(qty) / Decimal(li.quantity)
        total = calc.round_money(li.total * share, dp)
        taxes = {r: calc.round_money(t * share, dp) for r, t in li.taxes.items()}
        meta = [
            Meta(ids.new_meta_id(), m.key, m.value, m.display_key, m.display_value)
            for m in li.meta
            if not m.key.startswith("_")
        ]
        meta.append(
            Meta(
                ids.new_meta_id(), "_refunded_item_id", str(li.id), "_refunded_item_id", str(li.id)
            )
        )
        item = LineItem(
            id=ids.new_item_id(),
            name=li.name,
            product_id=li.product_id,
            variation_id=li.variation_id,
            quantity=-qty,
            tax_class=li.tax_class,
            taxable=li.taxable,
            subtotal=-total,
            total=-total,
            sku=li.sku,
            parent_name=li.parent_name,
            meta=meta,
        )
        negative = {r: -t for r, t in taxes.items()}
        calc.set_line_taxes(item, negative, dict(negative), dp)
        items.append(item)
        amount += total + sum(taxes.values(), ZERO)
    shipping: list[ShippingLine] = []
    if refund_shipping:
        for ship in order.shipping_lines:
            if not ship.total:
                continue
            taxes = {r: -calc.round_money(t, dp) for r, t in ship.taxes.items()}
            line = ShippingLine(ids.new_item_id(), ship.method_title, ship.method_id, -ship.total)
            line.taxes = taxes
            line.total_tax = sum(taxes.values(), ZERO)
            line.meta = [
                Meta(
                    ids.new_meta_id(),
                    "_refunded_item_id",
                    str(ship.id),
                    "_refunded_item_id",
                    str(ship.id),
                )
            ]
            shipping.append(line)
            amount += ship.total - line.total_tax
    return items, shipping, amount


def attach_refund(
    ids: Ids,
    order: Order,
    refund: Refund,
    previous: Sequence[Refund],
) -> bool:
    """Validate and attach ``refund``; True when it refunds what was left (order -> refunded)."""
    already = calc.refunded_total(previous)
    try:
        calc.build_refund(order, refund, already, ids.new_item_id)
    except calc.RefundError as exc:
        raise OrderError("woocommerce_rest_cannot_create_order_refund", str(exc), 500) from exc
    order.refund_ids.insert(0, refund.id)
    return already + refund.amount >= order.total
