"""The store's records in the exact JSON shapes of WooCommerce 7.9's REST API (wc/v3).

Key order, value types and number formatting follow the captured store: order money strings use
``dp`` decimals, per-rate taxes are unrounded strings with trailing zeros cut ("2.375", "0"),
a line's ``price`` is a float (or an int when it divides evenly), dates are site-local without an
offset and ``*_gmt`` dates are UTC without ``Z``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wooodoo.sandbox.shop.model import (
    SITE_TZ,
    CouponLine,
    Customer,
    FeeLine,
    LineItem,
    Meta,
    Order,
    Refund,
    ShippingLine,
    TaxLine,
)
from wooodoo.sandbox.shop.orders import currency_symbol
from wooodoo.sandbox.shop.totals import decimals_for

API = "/wp-json/wc/v3"
JSON = dict[str, Any]


def local_date(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(SITE_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def gmt_date(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def site_dates(**stamps: datetime | None) -> JSON:
    """Each date as WordPress gives it: site-local under its name, UTC under ``<name>_gmt``."""
    out: JSON = {}
    for name, when in stamps.items():
        out[name] = local_date(when)
        out[f"{name}_gmt"] = gmt_date(when)
    return out


def money(value: Decimal, dp: int) -> str:
    """``wc_format_decimal($value, $dp)``: PHP ``number_format`` to ``dp`` places."""
    rounded = value.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


def trimmed(value: Decimal) -> str:
    """A computed amount as WooCommerce stores it: 6 places, trailing zeros cut."""
    text = f"{value.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def php_number(value: Decimal) -> int | float:
    """A PHP number as json_encode writes it: ints stay ints."""
    return int(value) if value == value.to_integral_value() else float(value)


def line_price(total: Decimal, quantity: int) -> int | float:
    """``$item->get_total() / $item->get_quantity()`` in PHP: int when it divides evenly."""
    if not quantity:
        return 0
    if total == total.to_integral_value() and int(total) % quantity == 0:
        return int(total) // quantity
    return float(total) / quantity


def rest_links(base: str, self_path: str, collection: str, **extra: str) -> JSON:
    links: JSON = {
        "self": [{"href": f"{base}{API}/{self_path}"}],
        "collection": [{"href": f"{base}{API}/{collection}"}],
    }
    for rel, path in extra.items():
        links[rel] = [{"href": f"{base}{API}/{path}"}]
    return links


def _meta(meta: list[Meta]) -> list[JSON]:
    return [{"id": m.id, "key": m.key, "value": m.value} for m in meta]


def _item_meta(meta: list[Meta]) -> list[JSON]:
    return [
        {
            "id": m.id,
            "key": m.key,
            "value": m.value,
            "display_key": m.display_key if m.display_key is not None else m.key,
            "display_value": m.display_value if m.display_value is not None else m.value,
        }
        for m in meta
    ]


def _taxes(total: dict[int, Decimal], subtotal: dict[int, Decimal] | None) -> list[JSON]:
    return [
        {
            "id": rate_id,
            "total": trimmed(amount),
            "subtotal": trimmed(subtotal[rate_id]) if subtotal and rate_id in subtotal else "",
        }
        for rate_id, amount in total.items()
    ]


def render_line(item: LineItem, dp: int) -> JSON:
    return {
        "id": item.id,
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": item.quantity,
        "tax_class": item.tax_class,
        "subtotal": money(item.subtotal, dp),
        "subtotal_tax": money(item.subtotal_tax, dp),
        "total": money(item.total, dp),
        "total_tax": money(item.total_tax, dp),
        "taxes": _taxes(item.taxes, item.subtotal_taxes),
        "meta_data": _item_meta(item.meta),
        "sku": item.sku,
        "price": line_price(item.total, item.quantity),
        # a simple product without image says "", a variation (or no product) says 0
        "image": {"id": "" if item.product_id and not item.variation_id else 0, "src": ""},
        "parent_name": item.parent_name,
    }


def render_tax_line(line: TaxLine, dp: int) -> JSON:
    return {
        "id": line.id,
        "rate_code": line.rate_code,
        "rate_id": line.rate_id,
        "label": line.label,
        "compound": line.compound,
        "tax_total": money(line.tax_total, dp),
        "shipping_tax_total": money(line.shipping_tax_total, dp),
        "rate_percent": php_number(line.rate_percent),
        "meta_data": _item_meta(line.meta),
    }


def _charged(line: ShippingLine | FeeLine, dp: int) -> JSON:
    """What a shipping or fee line charges; these keys end both objects."""
    return {
        "total": money(line.total, dp),
        "total_tax": money(line.total_tax, dp),
        "taxes": _taxes(line.taxes, None),
        "meta_data": _item_meta(line.meta),
    }


def render_shipping(line: ShippingLine, dp: int) -> JSON:
    return {
        "id": line.id,
        "method_title": line.method_title,
        "method_id": line.method_id,
        "instance_id": line.instance_id,
        **_charged(line, dp),
    }


def render_fee(line: FeeLine, dp: int) -> JSON:
    return {
        "id": line.id,
        "name": line.name,
        "tax_class": line.tax_class,
        "tax_status": line.tax_status,
        "amount": "",
        **_charged(line, dp),
    }


def render_coupon_line(line: CouponLine) -> JSON:
    return {
        "id": line.id,
        "code": line.code,
        "discount": trimmed(line.discount),
        "discount_tax": trimmed(line.discount_tax),
        "meta_data": _item_meta(line.meta),
    }


def needs_payment(order: Order) -> bool:
    return order.status in ("pending", "failed") and order.total > 0


def render_order(order: Order, refunds: list[Refund], base: str, dp: int | None = None) -> JSON:
    """One order as ``GET /orders/<id>`` returns it; ``base`` is the site's home URL."""
    places = decimals_for(order.currency) if dp is None else dp
    return {
        "id": order.id,
        "parent_id": order.parent_id,
        "status": order.status,
        "currency": order.currency,
        "version": order.version,
        "prices_include_tax": order.prices_include_tax,
        "date_created": local_date(order.date_created),
        "date_modified": local_date(order.date_modified),
        **_order_amounts(order, places),
        "customer_id": order.customer_id,
        "order_key": order.order_key,
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_ip_address": order.customer_ip_address,
        "customer_user_agent": order.customer_user_agent,
        "created_via": order.created_via,
        "customer_note": order.customer_note,
        "date_completed": local_date(order.date_completed),
        "date_paid": local_date(order.date_paid),
        "cart_hash": order.cart_hash,
        "number": order.number,
        "meta_data": _meta(order.meta),
        **_order_lines(order, refunds, places),
        "payment_url": (
            f"{base}/checkout/order-pay/{order.id}/?pay_for_order=true&key={order.order_key}"
        ),
        "is_editable": order.status in ("pending", "on-hold", "auto-draft"),
        "needs_payment": needs_payment(order),
        "needs_processing": any(li.needs_processing for li in order.line_items),
        "date_created_gmt": gmt_date(order.date_created),
        "date_modified_gmt": gmt_date(order.date_modified),
        "date_completed_gmt": gmt_date(order.date_completed),
        "date_paid_gmt": gmt_date(order.date_paid),
        "currency_symbol": currency_symbol(order.currency),
        "_links": _order_links(order, base),
    }


def _order_amounts(order: Order, places: int) -> JSON:
    return {
        "discount_total": money(order.discount_total, places),
        "discount_tax": money(order.discount_tax, places),
        "shipping_total": money(order.shipping_total, places),
        "shipping_tax": money(order.shipping_tax, places),
        "cart_tax": money(order.cart_tax, places),
        "total": money(order.total, places),
        "total_tax": money(order.total_tax, places),
    }


def _order_lines(order: Order, refunds: list[Refund], places: int) -> JSON:
    """The order's items, tax, shipping, fee and coupon lines, and a summary of its refunds."""
    return {
        "line_items": [render_line(li, places) for li in order.line_items],
        "tax_lines": [render_tax_line(t, places) for t in order.tax_lines],
        "shipping_lines": [render_shipping(s, places) for s in order.shipping_lines],
        "fee_lines": [render_fee(f, places) for f in order.fee_lines],
        "coupon_lines": [render_coupon_line(c) for c in order.coupon_lines],
        "refunds": [
            {"id": r.id, "reason": r.reason, "total": "-" + money(r.amount, places)}
            for r in refunds
        ],
    }


def _order_links(order: Order, base: str) -> JSON:
    links = rest_links(base, f"orders/{order.id}", "orders")
    if order.customer_id:
        links["customer"] = [{"href": f"{base}{API}/customers/{order.customer_id}"}]
    if order.parent_id:
        links["up"] = [{"href": f"{base}{API}/orders/{order.parent_id}"}]
    return links


def render_refund(refund: Refund, base: str, dp: int) -> JSON:
    path = f"orders/{refund.order_id}/refunds"
    return {
        "id": refund.id,
        **site_dates(date_created=refund.date_created),
        "amount": money(refund.amount, dp),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": refund.refunded_payment,
        "meta_data": _meta(refund.meta),
        "line_items": [render_line(li, dp) for li in refund.line_items],
        "shipping_lines": [render_shipping(s, dp) for s in refund.shipping_lines],
        "tax_lines": [render_tax_line(t, dp) for t in refund.tax_lines],
        "fee_lines": [render_fee(f, dp) for f in refund.fee_lines],
        "_links": rest_links(base, f"{path}/{refund.id}", path, up=f"orders/{refund.order_id}"),
    }


def avatar_url(email: str) -> str:
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g"


_CUSTOMER_ADDRESS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "country",
    "state",
    "email",
    "phone",
)


def render_customer(customer: Customer, base: str) -> JSON:
    billing = {k: customer.billing.get(k, "") for k in _CUSTOMER_ADDRESS}
    shipping = {k: customer.shipping.get(k, "") for k in _CUSTOMER_ADDRESS if k != "email"}
    return {
        "id": customer.id,
        **site_dates(date_created=customer.date_created, date_modified=customer.date_modified),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "role": customer.role,
        "username": customer.username,
        "billing": billing,
        "shipping": shipping,
        "is_paying_customer": customer.is_paying_customer,
        "avatar_url": avatar_url(customer.email),
        "meta_data": _meta(customer.meta),
        "_links": rest_links(base, f"customers/{customer.id}", "customers"),
    }
