"""What a person sets up once in the store and a sync relies on: its tax rates, its currency,
and whether its order list honours ``modified_after`` (registered in WooCommerce 5.8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wooodoo.woo.answers import expect_json, int_header
from wooodoo.woo.client import WooClient
from wooodoo.woo.pagination import PageWalker, woo_utc
from wooodoo.woo.store import settings_by_id


@dataclass(frozen=True)
class StoreTaxRate:
    """One row of WooCommerce → Settings → Tax (``GET /taxes``)."""

    id: int
    country: str  # "" for every country
    state: str
    rate: Decimal  # percent
    name: str
    priority: int
    tax_class: str

    @property
    def code(self) -> str:
        """The rate code orders carry (``WC_Tax::get_rate_code``): COUNTRY-STATE-NAME-PRIORITY."""
        parts = (self.country, self.state, self.name or "TAX", str(self.priority))
        return "-".join(p for p in parts if p and p != "0").upper()

    def describe(self) -> str:
        where = "-".join(p for p in (self.country, self.state) if p) or "every country"
        return f"{self.id} ({self.name or 'TAX'}, {self.rate.normalize():f} %, {where})"


def read_tax_rates(woo: WooClient) -> list[StoreTaxRate]:
    """Every tax rate of the store, page by page."""
    walker = PageWalker(per_page=100)
    rates: list[StoreTaxRate] = []
    while (page := walker.next_page()) is not None:
        data, headers = woo.request("GET", "taxes", params={"per_page": "100", "page": str(page)})
        records = expect_json(data, list, "taxes")
        walker.accept(len(records), int_header(headers, "X-WP-TotalPages"))
        rates += [rate for r in records if (rate := _tax_rate(r)) is not None]
    return rates


def _tax_rate(raw: Any) -> StoreTaxRate | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
        return None
    try:
        rate = Decimal(str(raw.get("rate") or "0"))
    except InvalidOperation:
        return None
    return StoreTaxRate(
        id=raw["id"],
        country=str(raw.get("country") or "").upper(),
        state=str(raw.get("state") or "").upper(),
        rate=rate,
        name=str(raw.get("name") or ""),
        priority=int(raw.get("priority") or 1),
        tax_class=str(raw.get("class") or "standard"),
    )


def orders_modified_after(woo: WooClient, when: datetime) -> int:
    """How many orders the store lists as modified after ``when`` (one request).

    A store older than 5.8 ignores the argument and counts every order.
    """
    params = {
        "modified_after": woo_utc(when),
        "dates_are_gmt": "true",
        "per_page": "1",
        "_fields": "id",
    }
    data, headers = woo.request("GET", "orders", params=params)
    records = expect_json(data, list, "orders")
    total = int_header(headers, "X-WP-Total")
    return total if total is not None else len(records)


def store_currency(woo: WooClient) -> str | None:
    """The shop's currency: ``system_status`` says it; else the general settings."""
    currency = woo.system_status().currency
    if currency:
        return currency
    data, _ = woo.request("GET", "settings/general")
    value = settings_by_id(data).get("woocommerce_currency")
    return value if isinstance(value, str) and value else None
