"""An order as the audit keeps it: the fields wooodoo parsed, written back in WooCommerce's
own shape (amounts as text, ``*_gmt`` times), so that ``parse_order`` reads it again.

A failed order's event keeps one, so that ``replay --from-snapshot`` can book it after the
store has lost it. Nothing else of the store's answer is kept (no meta data, no links)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wooodoo.woo.models import Order, TaxAmount, parse_order

# Order fields whose WooCommerce name differs (times in UTC, calendar dates in the shop's zone)
_ORDER_NAMES = {
    "date_created": "date_created_gmt",
    "date_modified": "date_modified_gmt",
    "date_paid": "date_paid_gmt",
    "local_date_created": "date_created",
    "local_date_paid": "date_paid",
}
_NAMES: dict[type, dict[str, str]] = {Order: _ORDER_NAMES, TaxAmount: {"rate_id": "id"}}


def order_snapshot(order: Order) -> dict[str, Any]:
    """What ``order_from_snapshot`` needs to give the same ``Order`` back."""
    out = _raw(order)
    assert isinstance(out, dict)
    return out


def order_from_snapshot(snapshot: object) -> Order:
    """The order a snapshot was taken of (``ParseError`` when it is not one)."""
    return parse_order(snapshot)


def _raw(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        names = _NAMES.get(type(value), {})
        out: dict[str, Any] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is not None:
                out[names.get(f.name, f.name)] = _raw(item)
        return out
    if isinstance(value, tuple | list):
        return [_raw(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
