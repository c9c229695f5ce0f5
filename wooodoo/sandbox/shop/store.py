"""The shop's records and every change to them, made as WooCommerce makes them.

Tests and the demo change the store while it is served (``add_order``, ``update_order``,
``refund_order`` ...); every change runs under one lock and is announced to listeners (the webhook
registry) as a topic such as ``order.updated``. ``shop.generate`` fills a store from a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.catalog import TAX_RATES, TaxRate
from wooodoo.sandbox.shop import orders as build
from wooodoo.sandbox.shop.ledger import Ledger, wall_clock
from wooodoo.sandbox.shop.model import (
    ORDER_STATUSES,
    Coupon,
    Customer,
    LineItem,
    Meta,
    Order,
    Product,
    Refund,
    Variation,
)
from wooodoo.sandbox.shop.orders import FeeLike, ItemChange, LineSpec, OrderError, ShippingSpec
from wooodoo.sandbox.shop.refunds import (
    attach_refund,
    check_refund,
    refund_amount,
    refund_lines,
    refunded_total,
)
from wooodoo.sandbox.shop.tables import EXCHANGE, GATEWAY_REFUNDS

LineLike = LineSpec | tuple[int, int] | tuple[int, int, Decimal]


class StoreData(Ledger):
    """Everything the shop holds. Read it under ``with store.lock``; change it through methods."""

    def __init__(self, *, clock: Callable[[], datetime] = wall_clock) -> None:
        super().__init__(clock=clock)
        self.tax_rates: tuple[TaxRate, ...] = TAX_RATES
        self.products: dict[int, Product] = {}
        self.variations: dict[int, Variation] = {}
        self.coupons: dict[str, Coupon] = {}
        self.customers: dict[int, Customer] = {}
        self.orders: dict[int, Order] = {}
        self.refunds: dict[int, Refund] = {}
        self._by_email: dict[str, int] = {}

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

    def resolve(self, product_id: int) -> tuple[Product, Variation | None]:
        """A sellable id: a simple product, or a variation and its product."""
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
                id=self.user_ids.take(),
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
            customer = self._customer(customer_id)
            bill, ship = build.addresses(customer, billing, shipping_address)
            stamp = when or self.now()
            order_id = self.post_ids.take()
            order = Order(
                id=order_id,
                status="pending",
                currency=currency,
                prices_include_tax=prices_include_tax,
                date_created=stamp,
                date_modified=stamp,
                customer_id=customer_id,
                order_key=build.order_key(f"{order_id}/{stamp.isoformat()}/{customer_id}"),
                billing=bill,
                shipping=ship,
                payment_method=payment_method[0],
                payment_method_title=payment_method[1],
                created_via=created_via,
                customer_note=customer_note,
            )
            self._fill(order, lines, shipping, fees)
            self._recalculate(order, coupons)
            self.orders[order.id] = order
            build.open_as(self, order, status, stamp, transaction_id)
            if customer:
                customer.is_paying_customer |= order.date_paid is not None
                customer.date_modified = stamp
            self.note_time(stamp)
        self.announce(("order.created", order.id))
        return order

    def _customer(self, customer_id: int) -> Customer | None:
        """An order's customer; 0 is a guest."""
        customer = self.customers.get(customer_id) if customer_id else None
        if customer_id and customer is None:
            raise OrderError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
        return customer

    def _fill(
        self,
        order: Order,
        lines: Sequence[LineLike],
        shipping: ShippingSpec | None,
        fees: Sequence[FeeLike],
    ) -> None:
        order.line_items = self._make_lines(order, lines)
        order.shipping_lines = [build.make_shipping(self, shipping)] if shipping else []
        order.fee_lines = build.make_fees(self, fees)

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
            product, variation = self.resolve(spec.product_id)
            items.append(
                build.make_line(
                    self, spec, product, variation, order.currency, order.prices_include_tax
                )
            )
        return items

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
            replaced = (billing, shipping_address, lines, fees, shipping, coupons)
            recalc = any(x is not None for x in replaced) or bool(
                add_lines or add_fees or item_changes
            )
            if billing is not None:
                order.billing.update(build.address({**order.billing, **billing}, True))
            if shipping_address is not None:
                order.shipping.update(build.address({**order.shipping, **shipping_address}, False))
            if lines is not None:
                order.line_items = self._make_lines(order, lines)
            if fees is not None:
                order.fee_lines = build.make_fees(self, fees)
            if shipping is not None:
                order.shipping_lines = [build.make_shipping(self, shipping)]
            order.line_items += self._make_lines(order, add_lines, lenient)
            order.fee_lines += build.make_fees(self, add_fees)
            build.change_items(order, item_changes or {})
            if recalc:
                codes = coupons if coupons is not None else [c.code for c in order.coupon_lines]
                self._recalculate(order, codes)
            self._annotate(order, customer_note, transaction_id, meta or {})
            if status is not None and status != order.status:
                build.set_status(order, status, stamp)
            if touch:
                order.date_modified = max(stamp, order.date_modified)
            self.note_time(stamp)
        self.announce(("order.updated", order_id))
        return order

    def _annotate(
        self,
        order: Order,
        customer_note: str | None,
        transaction_id: str | None,
        meta: Mapping[str, Any],
    ) -> None:
        if customer_note is not None:
            order.customer_note = customer_note
        if transaction_id is not None:
            order.transaction_id = transaction_id
        for key, value in meta.items():
            entry = next((m for m in order.meta if m.key == key), None)
            if entry is None:
                order.meta.append(Meta(self.meta_ids.take(), key, value))
            else:
                entry.value = value

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
        refunded_payment: bool | None = None,
    ) -> Refund:
        """Refund ``lines`` (item id -> quantity) and/or an ``amount``.

        Without both the rest of the order is refunded, amount only. When nothing is left to
        refund the order becomes ``refunded``. ``refunded_payment``: paid back through the
        gateway; by default where the order's gateway can refund (cards, PayPal), as a shop
        owner's "Refund via ..." button does; bank transfers and cash are refunded by hand.
        """
        with self.lock:
            order = self.get_order(order_id)
            stamp = when or self.now()
            already = refunded_total(self.refunds_of(order_id))
            if amount is None:
                amount = (
                    refund_amount(order, lines or {}, refund_shipping)
                    if (lines or refund_shipping)
                    else order.total - already
                )
            amount = Decimal(amount)
            check_refund(order, amount, already)
            items, ship = refund_lines(self, order, lines or {}, refund_shipping)
            refund = Refund(
                id=self.post_ids.take(),
                order_id=order_id,
                date_created=stamp,
                amount=amount,
                reason=reason,
                refunded_payment=(
                    order.payment_method in GATEWAY_REFUNDS
                    if refunded_payment is None
                    else refunded_payment
                ),
                line_items=items,
                shipping_lines=ship,
            )
            full = attach_refund(self, order, refund, already)
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
