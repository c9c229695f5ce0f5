"""The WooCommerce look-alike's records: products, customers, orders and refunds as kept.

Amounts are Decimal and kept the way WooCommerce stores them (line totals and per-rate taxes
unrounded up to 6 places); rounding to the currency happens where WooCommerce rounds. Datetimes
are aware UTC; the REST layer renders them in the store's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from wooodoo.sandbox.catalog import STORE_TIMEZONE

ZERO = Decimal(0)
SITE_TZ = ZoneInfo(STORE_TIMEZONE)  # where the shop's wall clock hangs; records keep UTC

ORDER_STATUSES: tuple[str, ...] = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
# statuses WordPress knows for shop orders beyond WooCommerce's own
POST_STATUSES: tuple[str, ...] = ("trash", "auto-draft")

ADDRESS_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)


@dataclass(slots=True)
class Meta:
    """One meta_data entry; ``display_key`` / ``display_value`` only matter on order items."""

    id: int
    key: str
    value: Any
    display_key: str | None = None
    display_value: Any = None


@dataclass(slots=True)
class Variation:
    id: int
    parent_id: int
    sku: str
    attribute: str  # e.g. "Size"
    option: str  # e.g. "M"
    regular_price: Decimal
    stock_quantity: int


@dataclass(slots=True)
class Product:
    id: int
    name: str
    slug: str
    sku: str  # "" when the shop never gave one
    regular_price: Decimal
    sale_price: Decimal | None
    tax_class: str  # "" (standard) or "reduced-rate"
    tax_status: str  # "taxable" | "none"
    virtual: bool = False
    downloadable: bool = False
    category: str = "Coffee"
    description: str = ""
    stock_quantity: int = 100
    total_sales: int = 0
    variations: list[Variation] = field(default_factory=list)
    date_created: datetime | None = None
    date_modified: datetime | None = None

    @property
    def type(self) -> str:
        return "variable" if self.variations else "simple"

    @property
    def price(self) -> Decimal:
        return self.sale_price if self.sale_price is not None else self.regular_price


@dataclass(slots=True)
class Coupon:
    id: int
    code: str
    discount_type: str  # "percent" | "fixed_cart"
    amount: Decimal
    description: str
    date_created: datetime
    usage_count: int = 0


@dataclass(slots=True)
class Customer:
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    billing: dict[str, str]
    shipping: dict[str, str]
    date_created: datetime
    date_modified: datetime | None = None
    role: str = "customer"
    is_paying_customer: bool = False
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class LineItem:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: int
    tax_class: str
    taxable: bool  # the product's tax status; gift cards are not taxable
    subtotal: Decimal  # before coupons, without tax, up to 6 places
    total: Decimal  # after coupons, without tax, up to 6 places
    sku: str | None
    parent_name: str | None = None
    needs_processing: bool = True  # False only for virtual downloadable products
    taxes: dict[int, Decimal] = field(default_factory=dict)
    subtotal_taxes: dict[int, Decimal] = field(default_factory=dict)
    subtotal_tax: Decimal = ZERO
    total_tax: Decimal = ZERO
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class ShippingLine:
    id: int
    method_title: str
    method_id: str
    total: Decimal
    instance_id: str = ""
    taxes: dict[int, Decimal] = field(default_factory=dict)
    total_tax: Decimal = ZERO
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class FeeLine:
    id: int
    name: str
    total: Decimal
    tax_class: str = ""
    tax_status: str = "taxable"  # "taxable" | "none"
    taxes: dict[int, Decimal] = field(default_factory=dict)
    total_tax: Decimal = ZERO
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class CouponLine:
    id: int
    code: str
    discount: Decimal
    discount_tax: Decimal
    coupon: Coupon | None = None
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class TaxLine:
    id: int
    rate_id: int
    rate_code: str
    label: str
    rate_percent: Decimal
    tax_total: Decimal
    shipping_tax_total: Decimal
    compound: bool = False
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class Refund:
    id: int
    order_id: int
    date_created: datetime
    amount: Decimal
    reason: str
    refunded_by: int = 1
    refunded_payment: bool = False
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    fee_lines: list[FeeLine] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    meta: list[Meta] = field(default_factory=list)


@dataclass(slots=True)
class Order:
    id: int
    status: str
    currency: str
    prices_include_tax: bool
    date_created: datetime
    date_modified: datetime
    customer_id: int
    order_key: str
    billing: dict[str, str]
    shipping: dict[str, str]
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    customer_ip_address: str = ""
    customer_user_agent: str = ""
    created_via: str = "checkout"
    customer_note: str = ""
    cart_hash: str = ""
    parent_id: int = 0
    version: str = "7.9.0"
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    discount_total: Decimal = ZERO
    discount_tax: Decimal = ZERO
    shipping_total: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    cart_tax: Decimal = ZERO
    total: Decimal = ZERO
    total_tax: Decimal = ZERO
    meta: list[Meta] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    fee_lines: list[FeeLine] = field(default_factory=list)
    coupon_lines: list[CouponLine] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)  # newest first, as WooCommerce lists them

    @property
    def number(self) -> str:
        return str(self.id)
