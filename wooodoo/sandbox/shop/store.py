"""The WooCommerce look-alike's store: generated deterministically, mutable and thread-safe.

``generate_store(seed, orders)`` builds the same shop for the same seed and size. Tests and the
demo change it while it is served (``add_order``, ``update_order``, ``refund_order`` ...); every
change runs under one lock and is announced to listeners (the webhook registry) as a topic such
as ``order.updated``.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.catalog import TAX_RATES, TaxRate
from wooodoo.sandbox.shop import orders as build
from wooodoo.sandbox.shop import totals as calc
from wooodoo.sandbox.shop.model import (
    ORDER_STATUSES,
    Coupon,
    Customer,
    FeeLine,
    LineItem,
    Meta,
    Order,
    Product,
    Refund,
    Variation,
)
from wooodoo.sandbox.shop.orders import FeeSpec, ItemChange, LineSpec, OrderError, ShippingSpec
from wooodoo.sandbox.shop.tables import EXCHANGE

__all__ = [
    "FeeSpec",
    "ItemChange",
    "LineSpec",
    "OrderError",
    "ShippingSpec",
    "StoreData",
    "generate_store",
]

Listener = Callable[[str, int], None]
LineLike = LineSpec | tuple[int, int] | tuple[int, int, Decimal]
FeeLike = FeeSpec | tuple[str, Decimal]


def wall_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class StoreData:
    """Everything the shop holds. Read it under ``with store.lock``; change it through methods."""

    def __init__(self, *, clock: Callable[[], datetime] = wall_clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.tax_rates: tuple[TaxRate, ...] = TAX_RATES
        self.products: dict[int, Product] = {}
        self.variations: dict[int, Variation] = {}
        self.coupons: dict[str, Coupon] = {}
        self.customers: dict[int, Customer] = {}
        self.orders: dict[int, Order] = {}
        self.refunds: dict[int, Refund] = {}
        self._listeners: list[Listener] = []
        self._by_email: dict[str, int] = {}
        self._next_post = 10
        self._next_item = 1
        self._next_meta = 1
        self._next_user = 1
        self._last_stamp: datetime | None = None

    # ---- ids and time ------------------------------------------------------------------------

    def new_post_id(self) -> int:
        """Products, coupons, orders and refunds share WordPress's post ids."""
        with self.lock:
            self._next_post += 1
            return self._next_post - 1

    def new_item_id(self) -> int:
        with self.lock:
            self._next_item += 1
            return self._next_item - 1

    def new_meta_id(self) -> int:
        with self.lock:
            self._next_meta += 1
            return self._next_meta - 1

    def new_user_id(self) -> int:
        with self.lock:
            self._next_user += 1
            return self._next_user - 1

    def now(self) -> datetime:
        """The store's clock, to the second, never earlier than anything already stored."""
        with self.lock:
            stamp = self.clock().astimezone(UTC).replace(microsecond=0)
            if self._last_stamp is not None and stamp < self._last_stamp:
                stamp = self._last_stamp
            self._last_stamp = stamp
            return stamp

    def note_time(self, when: datetime) -> None:
        """Generated history moves the floor of ``now()`` forward."""
        with self.lock:
            if self._last_stamp is None or when > self._last_stamp:
                self._last_stamp = when

    # ---- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """``listener(topic, resource_id)`` after each change, e.g. ``("order.created", 42)``."""
        with self.lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def announce(self, *events: tuple[str, int]) -> None:
        """Tell the listeners; changes made under ``quiet()`` are announced this way."""
        with self.lock:
            listeners = list(self._listeners)
        for topic, resource_id in events:
            for listener in listeners:
                listener(topic, resource_id)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Make changes without announcing them (used while generating)."""
        with self.lock:
            saved, self._listeners = self._listeners, []
            try:
                yield
            finally:
                self._listeners = saved

    # ---- look-ups ----------------------------------------------------------------------------

    def get_order(self, order_id: int) -> Order:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise OrderError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
            return order

    def refunds_of(self, order_id: int) -> list[Refund]:
        """Newest first, as ``get_refunds()`` lists them."""
        with self.lock:
            order = self.orders.get(order_id)
            return [self.refunds[r] for r in order.refund_ids] if order else []

    def customer_by_email(self, email: str) -> Customer | None:
        """WordPress compares e-mails case-insensitively (MySQL collation)."""
        with self.lock:
            customer_id = self._by_email.get(email.casefold())
            return self.customers.get(customer_id) if customer_id else None

    def _resolve(self, product_id: int) -> tuple[Product, Variation | None]:
        variation = self.variations.get(product_id)
        if variation is not None:
            return self.products[variation.parent_id], variation
        product = self.products.get(product_id)
        if product is None:
            raise OrderError(
                "woocommerce_rest_invalid_product_id", f"Product ID {product_id} is invalid."
            )
        if product.variations:
            raise OrderError(
                "woocommerce_rest_invalid_product_id", "Choose a variation of a variable product."
            )
        return product, None

    # ---- changes -----------------------------------------------------------------------------

    def add_customer(
        self,
        *,
        email: str,
        first_name: str = "",
        last_name: str = "",
        username: str | None = None,
        billing: Mapping[str, str] | None = None,
        shipping: Mapping[str, str] | None = None,
        role: str = "customer",
        when: datetime | None = None,
    ) -> Customer:
        with self.lock:
            if self.customer_by_email(email) is not None:
                raise OrderError(
                    "registration-error-email-exists",
                    "An account is already registered with your email address.",
                )
            stamp = when or self.now()
            bill = build.address(
                {
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": email,
                    **(billing or {}),
                },
                with_email=True,
            )
            ship_values = shipping if shipping is not None else billing or {}
            ship = build.address(
                {"first_name": first_name, "last_name": last_name, **ship_values}, with_email=False
            )
            customer = Customer(
                id=self.new_user_id(),
                username=username or email.split("@", 1)[0].lower(),
                email=email,
                first_name=first_name,
                last_name=last_name,
                billing=bill,
                shipping=ship,
                date_created=stamp,
                role=role,
            )
            self.customers[customer.id] = customer
            self._by_email[email.casefold()] = customer.id
        self.announce(("customer.created", customer.id))
        return customer

    def add_order(
        self,
        lines: Sequence[LineLike],
        *,
        customer_id: int = 0,
        billing: Mapping[str, str] | None = None,
        shipping_address: Mapping[str, str] | None = None,
        shipping: ShippingSpec | None = None,
        fees: Sequence[FeeLike] = (),
        coupons: Sequence[str] = (),
        status: str = "processing",
        currency: str = "EUR",
        prices_include_tax: bool = False,
        payment_method: tuple[str, str] = ("bacs", "Direct bank transfer"),
        transaction_id: str = "",
        created_via: str = "checkout",
        customer_note: str = "",
        when: datetime | None = None,
    ) -> Order:
        """Create an order as checkout or the REST API would; totals computed like WooCommerce.

        ``billing`` defaults to the customer's billing address; a guest order (customer 0) needs
        one. ``shipping=None`` means no shipping line.
        """
        with self.lock:
            if status not in ORDER_STATUSES:
                raise OrderError("rest_invalid_param", f"Invalid status {status}.")
            if currency not in EXCHANGE:
                raise OrderError("rest_invalid_param", f"Unknown currency {currency}.")
            customer = self.customers.get(customer_id) if customer_id else None
            if customer_id and customer is None:
                raise OrderError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
            bill_src = billing if billing is not None else (customer.billing if customer else {})
            ship_src = (
                shipping_address
                if shipping_address is not None
                else (customer.shipping if customer and billing is None else bill_src)
            )
            stamp = when or self.now()
            order_id = self.new_post_id()
            order = Order(
                id=order_id,
                status="pending",
                currency=currency,
                prices_include_tax=prices_include_tax,
                date_created=stamp,
                date_modified=stamp,
                customer_id=customer_id,
                order_key=build.order_key(f"{order_id}/{stamp.isoformat()}/{customer_id}"),
                billing=build.address(bill_src, with_email=True),
                shipping=build.address(ship_src, with_email=False),
                payment_method=payment_method[0],
                payment_method_title=payment_method[1],
                created_via=created_via,
                customer_note=customer_note,
            )
            self._fill(order, lines, shipping, fees)
            self._recalculate(order, coupons)
            self.orders[order.id] = order
            if status != "pending":
                build.set_status(order, status, stamp, transaction_id)
                if status in ("processing", "completed", "on-hold"):
                    build.reduced_stock_meta(self, order)
            if customer and order.date_paid is not None:
                customer.is_paying_customer = True
            if customer:
                customer.date_modified = stamp
            self.note_time(stamp)
        self.announce(("order.created", order.id))
        return order

    def _fill(
        self,
        order: Order,
        lines: Sequence[LineLike],
        shipping: ShippingSpec | None,
        fees: Sequence[FeeLike],
    ) -> None:
        order.line_items = self._make_lines(order, lines)
        order.shipping_lines = [build.make_shipping(self, shipping)] if shipping else []
        order.fee_lines = self._make_fees(fees)

    def _make_lines(
        self, order: Order, lines: Sequence[LineLike], lenient: bool = False
    ) -> list[LineItem]:
        items = []
        for raw in lines:
            spec = raw if isinstance(raw, LineSpec) else LineSpec(*raw)
            known = spec.product_id in self.products or spec.product_id in self.variations
            if lenient and not known:
                # the REST API accepts an unknown product id and adds an empty line
                items.append(build.placeholder_line(self, spec))
                continue
            product, variation = self._resolve(spec.product_id)
            items.append(
                build.make_line(
                    self, spec, product, variation, order.currency, order.prices_include_tax
                )
            )
        return items

    def _make_fees(self, fees: Sequence[FeeLike]) -> list[FeeLine]:
        return [
            build.make_fee(self, f if isinstance(f, FeeSpec) else FeeSpec(f[0], Decimal(f[1])))
            for f in fees
        ]

    def _recalculate(self, order: Order, coupon_codes: Sequence[str]) -> None:
        coupons = []
        for code in coupon_codes:
            coupon = self.coupons.get(code.lower())
            if coupon is None:
                raise OrderError(
                    "woocommerce_rest_invalid_coupon", f'Coupon "{code}" does not exist!'
                )
            coupons.append(coupon)
        build.recalculate(order, coupons, self)

    def update_order(
        self,
        order_id: int,
        *,
        touch: bool = True,
        status: str | None = None,
        lines: Sequence[LineLike] | None = None,
        add_lines: Sequence[LineLike] = (),
        item_changes: Mapping[int, ItemChange] | None = None,
        fees: Sequence[FeeLike] | None = None,
        add_fees: Sequence[FeeLike] = (),
        shipping: ShippingSpec | None = None,
        coupons: Sequence[str] | None = None,
        billing: Mapping[str, str] | None = None,
        shipping_address: Mapping[str, str] | None = None,
        customer_note: str | None = None,
        transaction_id: str | None = None,
        meta: Mapping[str, Any] | None = None,
        when: datetime | None = None,
        lenient: bool = False,
    ) -> Order:
        """Change an order; totals are recalculated when lines, fees or addresses change.

        ``lines``/``fees`` replace all, ``add_lines``/``add_fees`` append, ``item_changes`` edit
        existing items by id (quantity 0 removes one), ``shipping`` replaces the shipping line.
        ``touch=False`` leaves ``date_modified`` alone, as WooCommerce 7.9 does when only line
        items or fees are edited through the REST API. ``lenient`` turns unknown product ids
        into empty lines instead of refusing them (what the REST API does).
        """
        with self.lock:
            order = self.get_order(order_id)
            stamp = when or self.now()
            recalc = coupons is not None or bool(add_lines or add_fees or item_changes)
            if billing is not None:
                order.billing.update(build.address({**order.billing, **billing}, True))
                recalc = True
            if shipping_address is not None:
                order.shipping.update(build.address({**order.shipping, **shipping_address}, False))
                recalc = True
            if lines is not None:
                order.line_items = self._make_lines(order, lines)
                recalc = True
            if fees is not None:
                order.fee_lines = self._make_fees(fees)
                recalc = True
            if shipping is not None:
                order.shipping_lines = [build.make_shipping(self, shipping)]
                recalc = True
            order.line_items += self._make_lines(order, add_lines, lenient)
            order.fee_lines += self._make_fees(add_fees)
            build.change_items(order, item_changes or {})
            if recalc:
                codes = coupons if coupons is not None else [c.code for c in order.coupon_lines]
                self._recalculate(order, codes)
            if customer_note is not None:
                order.customer_note = customer_note
            if transaction_id is not None:
                order.transaction_id = transaction_id
            for key, value in (meta or {}).items():
                self._set_meta(order, key, value)
            if status is not None and status != order.status:
                build.set_status(order, status, stamp)
            if touch:
                order.date_modified = max(stamp, order.date_modified)
            self.note_time(stamp)
        self.announce(("order.updated", order_id))
        return order

    def _set_meta(self, order: Order, key: str, value: Any) -> None:
        for m in order.meta:
            if m.key == key:
                m.value = value
                return
        order.meta.append(Meta(self.new_meta_id(), key, value))

    def cancel_order(self, order_id: int, *, when: datetime | None = None) -> Order:
        return self.update_order(order_id, status="cancelled", when=when)

    def refund_order(
        self,
        order_id: int,
        amount: Decimal | None = None,
        *,
        lines: Mapping[int, int] | None = None,
        refund_shipping: bool = False,
        reason: str = "",
        when: datetime | None = None,
    ) -> Refund:
        """Refund ``lines`` (item id -> quantity) and/or an ``amount``.

        Without both the rest of the order is refunded, amount only. When nothing is left to
        refund the order becomes ``refunded``.
        """
        with self.lock:
            order = self.get_order(order_id)
            stamp = when or self.now()
            previous = self.refunds_of(order_id)
            already = calc.refunded_total(previous)
            if amount is None:
                amount = (
                    build.refund_amount(order, lines or {}, refund_shipping)
                    if (lines or refund_shipping)
                    else order.total - already
                )
            amount = Decimal(amount)
            build.check_refund(order, amount, already)
            items, ship, _ = build.refund_lines(self, order, lines or {}, refund_shipping)
            refund = Refund(
                id=self.new_post_id(),
                order_id=order_id,
                date_created=stamp,
                amount=amount,
                reason=reason,
                line_items=items,
                shipping_lines=ship,
            )
            full = build.attach_refund(self, order, refund, previous)
            self.refunds[refund.id] = refund
            if full:
                build.set_status(order, "refunded", stamp)
            order.date_modified = max(stamp, order.date_modified)
            self.note_time(stamp)
        self.announce(("order.updated", order_id))
        return refund

    def delete_order(
        self, order_id: int, *, force: bool = True, when: datetime | None = None
    ) -> Order:
        """``force`` deletes for good (with its refunds); otherwise the order goes to the trash."""
        with self.lock:
            order = self.get_order(order_id)
            if force:
                del self.orders[order_id]
                for refund_id in order.refund_ids:
                    self.refunds.pop(refund_id, None)
            else:
                stamp = when or self.now()
                order.status = "trash"
                order.date_modified = max(stamp, order.date_modified)
                self.note_time(stamp)
        self.announce(("order.deleted", order_id))
        return order


def generate_store(
    seed: int,
    orders: int,
    *,
    customers: int | None = None,
    clock: Callable[[], datetime] = wall_clock,
) -> StoreData:
    """A shop with ``orders`` orders, the same for the same seed and sizes (no wall clock)."""
    from wooodoo.sandbox.shop.generate import populate

    store = StoreData(clock=clock)
    # hundreds of thousands of small objects that all live on: the cyclic GC only slows this down
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with store.quiet():
            populate(store, seed, orders, customers)
    finally:
        if was_enabled:
            gc.enable()
    return store
