"""Building and editing orders the way WooCommerce does when asked through its API."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from wooodoo.sandbox.shop import totals as calc
from wooodoo.sandbox.shop.discounts import apply_coupons, coupon_data
from wooodoo.sandbox.shop.ledger import IdSequence
from wooodoo.sandbox.shop.model import (
    ADDRESS_FIELDS,
    ORDER_STATUSES,
    ZERO,
    Coupon,
    Customer,
    FeeLine,
    LineItem,
    Meta,
    Order,
    Product,
    ShippingLine,
    Variation,
)
from wooodoo.sandbox.shop.tables import CURRENCY_SYMBOLS, EXCHANGE, VARIATION_ATTRIBUTE

ORDER_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class Ids(Protocol):
    """Where new order items and meta entries get their ids (the store)."""

    item_ids: IdSequence
    meta_ids: IdSequence


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


def address(values: Mapping[str, str] | None, with_email: bool) -> dict[str, str]:
    """Every address field WooCommerce keeps, blank unless given (billing has an e-mail)."""
    out = {k: "" for k in ADDRESS_FIELDS if with_email or k != "email"}
    for key, value in (values or {}).items():
        if key in out:
            out[key] = str(value)
    return out


def addresses(
    customer: Customer | None,
    billing: Mapping[str, str] | None,
    shipping: Mapping[str, str] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """A new order's addresses: as given, else the customer's, else shipping is billing."""
    bill = billing if billing is not None else (customer.billing if customer else {})
    if shipping is None:
        shipping = customer.shipping if customer and billing is None else bill
    return address(bill, with_email=True), address(shipping, with_email=False)


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
            Meta(
                ids.meta_ids.take(), "size", variation.option, VARIATION_ATTRIBUTE, variation.option
            )
        )
    return LineItem(
        id=ids.item_ids.take(),
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
        id=ids.item_ids.take(),
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


FeeLike = FeeSpec | tuple[str, Decimal]


def make_fees(ids: Ids, fees: Sequence[FeeLike]) -> list[FeeLine]:
    """Fee lines from specs or ``(name, amount)`` pairs."""
    return [
        make_fee(ids, f if isinstance(f, FeeSpec) else FeeSpec(f[0], Decimal(f[1]))) for f in fees
    ]


def make_fee(ids: Ids, spec: FeeSpec) -> FeeLine:
    return FeeLine(
        id=ids.item_ids.take(),
        name=spec.name,
        total=calc.q6(spec.amount),
        tax_class=spec.tax_class,
        tax_status="taxable" if spec.taxable else "none",
    )


def make_shipping(ids: Ids, spec: ShippingSpec) -> ShippingLine:
    return ShippingLine(ids.item_ids.take(), spec.title, spec.method_id, calc.q6(spec.total))


def recalculate(order: Order, coupons: Sequence[Coupon], ids: Ids) -> None:
    """Taxes, coupons and totals from the current lines.

    Totals are calculated before coupons apply (as when a coupon is added to a saved order), so
    with prices entered with tax the discount splits on gross prices.
    """
    if coupons or order.coupon_lines:
        for li in order.line_items:
            li.total = li.subtotal
    calc.calculate_totals(order, ids.item_ids.take)
    if coupons:
        apply_coupons(order, coupons, ids.item_ids.take)
    else:
        order.coupon_lines = []
    for line in order.coupon_lines:
        if line.coupon is not None and not line.meta:
            data = coupon_data(line.coupon)
            line.meta.append(Meta(ids.meta_ids.take(), "coupon_data", data, "coupon_data", data))


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


def open_as(ids: Ids, order: Order, status: str, when: datetime, transaction_id: str) -> None:
    """A new order leaves ``pending`` for the status it was created with; paid ones take stock."""
    if status != "pending":
        set_status(order, status, when, transaction_id)
        if status in ("processing", "completed", "on-hold"):
            reduced_stock_meta(ids, order)


def reduced_stock_meta(ids: Ids, order: Order) -> None:
    """Paid orders carry ``_reduced_stock`` on their lines, as the shop reduces stock."""
    for li in order.line_items:
        if li.product_id and not any(m.key == "_reduced_stock" for m in li.meta):
            qty = str(li.quantity)
            li.meta.append(Meta(ids.meta_ids.take(), "_reduced_stock", qty, "_reduced_stock", qty))
