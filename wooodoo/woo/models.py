"""Typed WooCommerce records, parsed once at the edge: money as Decimal, dates aware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from wooodoo.errors import WooodooError
from wooodoo.woo.reader import Reader


class ParseError(WooodooError):
    """A WooCommerce record does not have the shape we rely on."""

    def __init__(self, kind: str, record_id: object, problems: list[str]) -> None:
        super().__init__(f"WooCommerce {kind} {record_id}: unexpected data", problems=problems)
        self.kind = kind
        self.record_id = record_id


@dataclass(frozen=True)
class Address:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)


@dataclass(frozen=True)
class TaxAmount:
    """One rate's share of a line's tax; ``total`` is unrounded as the store keeps it."""

    rate_id: int
    total: Decimal
    subtotal: Decimal | None = None


@dataclass(frozen=True)
class LineItem:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: Decimal
    sku: str
    tax_class: str
    subtotal: Decimal  # before coupons, without tax (may be unrounded with prices incl. tax)
    subtotal_tax: Decimal
    total: Decimal  # after coupons, without tax
    total_tax: Decimal
    taxes: tuple[TaxAmount, ...] = ()


@dataclass(frozen=True)
class ShippingLine:
    id: int
    method_title: str
    method_id: str
    total: Decimal
    total_tax: Decimal
    taxes: tuple[TaxAmount, ...] = ()


@dataclass(frozen=True)
class FeeLine:
    id: int
    name: str
    tax_status: str  # "taxable" | "none" (a "none" fee can still carry tax, see fixtures)
    tax_class: str
    total: Decimal
    total_tax: Decimal
    taxes: tuple[TaxAmount, ...] = ()


@dataclass(frozen=True)
class CouponLine:
    id: int
    code: str
    discount: Decimal
    discount_tax: Decimal


@dataclass(frozen=True)
class TaxLine:
    id: int
    rate_id: int
    rate_code: str
    label: str
    compound: bool
    rate_percent: Decimal | None
    tax_total: Decimal
    shipping_tax_total: Decimal


@dataclass(frozen=True)
class RefundSummary:
    id: int
    reason: str
    total: Decimal  # negative


@dataclass(frozen=True)
class Refund:
    """One refund of an order, as the store keeps it: amounts negative, lines optional."""

    id: int
    amount: Decimal  # positive: what was paid back
    reason: str
    date_created: datetime  # aware, UTC
    local_date_created: date
    # the store paid it back through the order's payment gateway (false: a manual refund)
    refunded_payment: bool = False
    line_items: tuple[LineItem, ...] = ()
    shipping_lines: tuple[ShippingLine, ...] = ()
    fee_lines: tuple[FeeLine, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()

    @property
    def itemized(self) -> bool:
        return bool(self.line_items or self.shipping_lines or self.fee_lines)


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    currency: str
    prices_include_tax: bool
    customer_id: int
    date_created: datetime  # aware, UTC
    date_modified: datetime  # aware, UTC
    date_paid: datetime | None
    # store-local calendar dates (the shop's time zone), for the invoice date
    local_date_created: date
    local_date_paid: date | None
    billing: Address
    shipping: Address
    discount_total: Decimal
    discount_tax: Decimal
    shipping_total: Decimal
    shipping_tax: Decimal
    cart_tax: Decimal
    total: Decimal
    total_tax: Decimal
    payment_method_title: str = ""
    payment_method: str = ""  # the gateway's id, e.g. "bacs", "stripe"
    transaction_id: str = ""  # the gateway's reference for the payment ("" when none)
    line_items: tuple[LineItem, ...] = ()
    shipping_lines: tuple[ShippingLine, ...] = ()
    fee_lines: tuple[FeeLine, ...] = ()
    coupon_lines: tuple[CouponLine, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()
    refunds: tuple[RefundSummary, ...] = ()

    @property
    def version(self) -> str:
        """What changes when the order changes (as far as the store tells)."""
        return self.date_modified.strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def is_guest(self) -> bool:
        return self.customer_id == 0

    @property
    def untaxed(self) -> Decimal:
        return self.total - self.total_tax


@dataclass(frozen=True)
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    role: str
    date_created: datetime | None
    date_modified: datetime | None
    billing: Address = field(default_factory=Address)
    shipping: Address = field(default_factory=Address)


# ---------------------------------------------------------------- parsing


def _address(r: Reader) -> Address:
    return Address(**{name: r.text(name).strip() for name in Address.__dataclass_fields__})


def _taxes(r: Reader) -> TaxAmount:
    subtotal = r.raw.get("subtotal")
    return TaxAmount(
        rate_id=r.integer("id"),
        total=r.money("total"),
        subtotal=r.money("subtotal") if subtotal not in (None, "") else None,
    )


def _line_item(r: Reader) -> LineItem:
    return LineItem(
        id=r.integer("id"),
        name=r.text("name"),
        product_id=r.integer("product_id"),
        variation_id=r.integer("variation_id"),
        quantity=r.quantity("quantity"),
        sku=r.text("sku"),
        tax_class=r.text("tax_class"),
        subtotal=r.money("subtotal"),
        subtotal_tax=r.money("subtotal_tax"),
        total=r.money("total"),
        total_tax=r.money("total_tax"),
        taxes=r.rows("taxes", _taxes),
    )


def _shipping_line(r: Reader) -> ShippingLine:
    return ShippingLine(
        id=r.integer("id"),
        method_title=r.text("method_title"),
        method_id=r.text("method_id"),
        total=r.money("total"),
        total_tax=r.money("total_tax"),
        taxes=r.rows("taxes", _taxes),
    )


def _fee_line(r: Reader) -> FeeLine:
    return FeeLine(
        id=r.integer("id"),
        name=r.text("name"),
        tax_status=r.text("tax_status", "taxable"),
        tax_class=r.text("tax_class"),
        total=r.money("total"),
        total_tax=r.money("total_tax"),
        taxes=r.rows("taxes", _taxes),
    )


def _coupon_line(r: Reader) -> CouponLine:
    return CouponLine(
        id=r.integer("id"),
        code=r.text("code"),
        discount=r.money("discount"),
        discount_tax=r.money("discount_tax"),
    )


def _tax_line(r: Reader) -> TaxLine:
    percent = r.raw.get("rate_percent")
    rate: Decimal | None = None
    if isinstance(percent, int | float | str) and not isinstance(percent, bool):
        try:
            rate = Decimal(str(percent))
        except InvalidOperation:
            rate = None
    return TaxLine(
        id=r.integer("id"),
        rate_id=r.integer("rate_id"),
        rate_code=r.text("rate_code"),
        label=r.text("label"),
        compound=r.boolean("compound"),
        rate_percent=rate,
        tax_total=r.money("tax_total"),
        shipping_tax_total=r.money("shipping_tax_total"),
    )


def _refund_summary(r: Reader) -> RefundSummary:
    return RefundSummary(id=r.integer("id"), reason=r.text("reason"), total=r.money("total"))


def parse_order(raw: object) -> Order:
    """Parse one order; raise ParseError listing every field that is not as expected."""
    if not isinstance(raw, Mapping):
        raise ParseError("order", "?", ["expected a JSON object"])
    r = Reader(raw)
    order_id = r.integer("id")
    created = r.gmt("date_created_gmt")
    modified = r.gmt("date_modified_gmt")
    order = Order(
        id=order_id,
        number=r.text("number") or str(order_id),
        status=r.text("status"),
        currency=r.text("currency").upper(),
        prices_include_tax=r.boolean("prices_include_tax"),
        customer_id=r.integer("customer_id"),
        date_created=created or datetime.min.replace(tzinfo=UTC),
        date_modified=modified or created or datetime.min.replace(tzinfo=UTC),
        date_paid=r.gmt("date_paid_gmt", required=False),
        local_date_created=r.local_date("date_created") or (created or datetime.now(UTC)).date(),
        local_date_paid=r.local_date("date_paid"),
        billing=r.nested("billing", _address, Address),
        shipping=r.nested("shipping", _address, Address),
        discount_total=r.money("discount_total"),
        discount_tax=r.money("discount_tax"),
        shipping_total=r.money("shipping_total"),
        shipping_tax=r.money("shipping_tax"),
        cart_tax=r.money("cart_tax"),
        total=r.money("total"),
        total_tax=r.money("total_tax"),
        payment_method_title=r.text("payment_method_title"),
        payment_method=r.text("payment_method"),
        transaction_id=r.text("transaction_id").strip(),
        line_items=r.rows("line_items", _line_item),
        shipping_lines=r.rows("shipping_lines", _shipping_line),
        fee_lines=r.rows("fee_lines", _fee_line),
        coupon_lines=r.rows("coupon_lines", _coupon_line),
        tax_lines=r.rows("tax_lines", _tax_line),
        refunds=r.rows("refunds", _refund_summary),
    )
    if order_id <= 0:
        r.problems.append("id: missing or not positive")
    if r.problems:
        raise ParseError("order", order_id or "?", r.problems)
    return order


def parse_refund(raw: object) -> Refund:
    """Parse one refund (``/orders/<id>/refunds``); ParseError lists every unexpected field."""
    if not isinstance(raw, Mapping):
        raise ParseError("refund", "?", ["expected a JSON object"])
    r = Reader(raw)
    created = r.gmt("date_created_gmt") or datetime.min.replace(tzinfo=UTC)
    refund = Refund(
        id=r.integer("id"),
        amount=r.money("amount"),
        reason=r.text("reason"),
        date_created=created,
        local_date_created=r.local_date("date_created") or created.date(),
        refunded_payment=r.boolean("refunded_payment"),
        line_items=r.rows("line_items", _line_item),
        shipping_lines=r.rows("shipping_lines", _shipping_line),
        fee_lines=r.rows("fee_lines", _fee_line),
        tax_lines=r.rows("tax_lines", _tax_line),
    )
    if refund.id <= 0:
        r.problems.append("id: missing or not positive")
    if r.problems:
        raise ParseError("refund", refund.id or "?", r.problems)
    return refund


def parse_customer(raw: object) -> Customer:
    """Parse one customer; raise ParseError listing every unexpected field."""
    if not isinstance(raw, Mapping):
        raise ParseError("customer", "?", ["expected a JSON object"])
    r = Reader(raw)
    customer = Customer(
        id=r.integer("id"),
        email=r.text("email").strip(),
        first_name=r.text("first_name").strip(),
        last_name=r.text("last_name").strip(),
        username=r.text("username"),
        role=r.text("role"),
        date_created=r.gmt("date_created_gmt", required=False),
        date_modified=r.gmt("date_modified_gmt", required=False),
        billing=r.nested("billing", _address, Address),
        shipping=r.nested("shipping", _address, Address),
    )
    if customer.id <= 0:
        r.problems.append("id: missing or not positive")
    if r.problems:
        raise ParseError("customer", customer.id or "?", r.problems)
    return customer
