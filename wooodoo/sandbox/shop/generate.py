"""Deterministic shop history: customers register, orders are placed, paid, completed, refunded.

Everything comes from ``random.Random(seed)`` and fixed dates (orders placed 2026-01-05 ..
2026-10-31, Europe/Berlin); events run in time order so ids grow with time as in WordPress.
A list of scenarios is always placed first among the orders so that even a small shop has the
hard cases (guests sharing a customer's e-mail, prices with tax, JPY, negative fees, refunds...).
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from wooodoo.sandbox.catalog import COUNTRIES, STORE_TIMEZONE
from wooodoo.sandbox.shop import tables as cat
from wooodoo.sandbox.shop.model import Coupon, Customer, Meta, Product, Variation
from wooodoo.sandbox.shop.orders import FeeSpec, LineSpec, ShippingSpec, convert, refund_amount

if TYPE_CHECKING:
    from wooodoo.sandbox.shop.store import StoreData

BERLIN = ZoneInfo(STORE_TIMEZONE)
CATALOG_AT = datetime(2026, 1, 2, 9, 0, tzinfo=BERLIN)
FIRST_ORDER = datetime(2026, 1, 5, tzinfo=BERLIN)
LAST_ORDER = datetime(2026, 10, 31, 23, 59, 59, tzinfo=BERLIN)
HISTORY_END = datetime(2026, 11, 20, tzinfo=BERLIN)

STATUS_WEIGHTS: dict[str, int] = {
    "completed": 44,
    "processing": 18,
    "on-hold": 6,
    "pending": 6,
    "cancelled": 7,
    "refunded": 5,
    "failed": 4,
    "checkout-draft": 2,
}


@dataclass
class Plan:
    when: datetime
    status: str
    country: str = "DE"
    customer: Customer | None = None
    billing: dict[str, str] | None = None
    currency: str = "EUR"
    incl: bool = False
    lines: list[LineSpec] = field(default_factory=list)
    fees: list[FeeSpec] = field(default_factory=list)
    coupons: list[str] = field(default_factory=list)
    payment: tuple[str, str] = ("bacs", "Direct bank transfer")
    created_via: str = "checkout"
    partial_refund: bool = False
    edit_silently: bool = False
    edit_note: bool = False
    note: str = ""


class _Gen:
    def __init__(self, store: StoreData, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.sku: dict[str, int] = {}
        self.physical: list[int] = []  # sellable ids (simple products and variations)
        self.customers: list[Customer] = []  # in order of registration
        self.registered_at: list[datetime] = []
        self.events: list[tuple[datetime, int, Callable[[], object]]] = []
        self.seq = 0
        self.guest_count = 0

    # ---- catalogue and people -------------------------------------------------------------

    def catalog(self) -> None:
        store = self.store
        for index, (
            name,
            sku,
            price,
            sale,
            tax_class,
            status,
            virtual,
            downloadable,
            category,
        ) in enumerate(cat.PRODUCTS):
            product = Product(
                id=store.new_post_id(),
                name=name,
                slug=_slug(name),
                sku=sku,
                regular_price=Decimal(price),
                sale_price=Decimal(sale) if sale else None,
                tax_class=tax_class,
                tax_status=status,
                virtual=virtual,
                downloadable=downloadable,
                category=category,
                description=f"<p>{name}.</p>\n",
                date_created=CATALOG_AT,
                date_modified=CATALOG_AT,
            )
            store.products[product.id] = product
            if sku:
                self.sku[sku] = product.id
            self.sku[name] = product.id
            for option, vsku, vprice in cat.VARIATIONS.get(index, ()):
                variation = Variation(
                    store.new_post_id(),
                    product.id,
                    vsku,
                    cat.VARIATION_ATTRIBUTE,
                    option,
                    Decimal(vprice),
                    40,
                )
                product.variations.append(variation)
                store.variations[variation.id] = variation
                self.sku[f"{name}/{option}"] = variation.id
                if vsku:
                    self.sku[vsku] = variation.id
                self.physical.append(variation.id)
            if not product.variations:
                self.physical.append(product.id)
        for code, kind, amount, description in cat.COUPONS:
            store.coupons[code] = Coupon(
                store.new_post_id(), code, kind, Decimal(amount), description, CATALOG_AT
            )

    def people(self, count: int) -> None:
        store = self.store
        store.add_customer(
            email="admin@example.test",
            username="admin",
            role="administrator",
            when=CATALOG_AT - timedelta(days=1),
        )
        span = (LAST_ORDER - FIRST_ORDER).total_seconds()
        times = sorted(
            FIRST_ORDER
            - timedelta(days=2)
            + timedelta(
                seconds=self.rng.uniform(0, 6 * 86400)
                if self.rng.random() < 0.4
                else self.rng.uniform(0, span * 0.95)
            )
            for _ in range(count)
        )
        used: dict[str, int] = {}
        for when in times:
            country = self.rng.choices(COUNTRIES, weights=cat.COUNTRY_WEIGHTS)[0]
            first, last, local = self.person(country)
            used[local] = used.get(local, 0) + 1
            if used[local] > 1:
                local = f"{local}{used[local]}"
            billing = self.address(country, first, last)
            shipping = dict(billing)
            if self.rng.random() < 0.1:
                street, city, postcode, state = self.rng.choice(cat.PLACES[country])
                shipping.update(
                    company="Büro " + last,
                    address_1=street,
                    city=city,
                    postcode=postcode,
                    state=state,
                )
            customer = store.add_customer(
                email=f"{local}@example.test",
                username=local,
                first_name=first,
                last_name=last,
                billing=billing,
                shipping=shipping,
                when=_utc(when),
            )
            customer.meta.append(Meta(store.new_meta_id(), "wc_last_active", "0"))
            self.customers.append(customer)
            self.registered_at.append(when)

    def person(self, country: str) -> tuple[str, str, str]:
        """A first name and a last name of that country, mixed, with an ASCII e-mail name."""
        people = cat.PEOPLE[country]
        first, _, local_first = self.rng.choice(people)
        _, last, local_last = self.rng.choice(people)
        return first, last, f"{local_first.split('.')[0]}.{local_last.split('.')[-1]}"

    def address(self, country: str, first: str, last: str) -> dict[str, str]:
        street, city, postcode, state = self.rng.choice(cat.PLACES[country])
        company = self.rng.choice(cat.COMPANIES) if self.rng.random() < 0.15 else ""
        phone = (
            cat.PHONE_PREFIX[country] + str(self.rng.randint(1000000, 9999999))
            if self.rng.random() < 0.6
            else ""
        )
        return {
            "first_name": first,
            "last_name": last,
            "company": company,
            "address_1": street,
            "city": city,
            "postcode": postcode,
            "country": country,
            "state": state,
            "phone": phone,
        }

    # ---- plans --------------------------------------------------------------------------

    def plan(self, when: datetime) -> Plan:
        rng = self.rng
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        plan = Plan(when=when, status=status)
        registered = bisect.bisect_right(self.registered_at, when)
        if registered and rng.random() < 0.65:
            self.use_customer(plan, self.customers[rng.randrange(registered)])
        else:
            self.use_guest(plan, rng.choices(COUNTRIES, weights=cat.COUNTRY_WEIGHTS)[0])
        roll = rng.random()
        if plan.country == "US" and roll < 0.7:
            plan.currency = "USD"
        elif plan.country == "CH" and roll < 0.6:
            plan.currency = "CHF"
        elif roll > 0.99:
            plan.currency = "JPY"
        elif roll > 0.96:
            plan.currency = "GBP"
        plan.incl = rng.random() < 0.2
        count = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
        for product_id in rng.sample(self.physical, count):
            qty = rng.choices((1, 2, 3, 4, 6), weights=(50, 25, 12, 8, 5))[0]
            plan.lines.append(LineSpec(product_id, qty))
        if rng.random() < 0.06:
            deal = self.sku["PAD-18"] if rng.random() < 0.5 else self.sku["FIL-500"]
            plan.lines.append(LineSpec(deal, 3, convert(Decimal("10.00"), plan.currency)))
        roll = rng.random()
        if roll < 0.07:
            plan.fees.append(FeeSpec("Gift wrapping", convert(Decimal("3.00"), plan.currency)))
        elif roll < 0.11:
            plan.fees.append(
                FeeSpec("Payment surcharge", convert(Decimal("1.50"), plan.currency), taxable=False)
            )
        elif roll < 0.16:
            plan.fees.append(
                FeeSpec("Loyalty discount", -convert(Decimal("5.00"), plan.currency), taxable=False)
            )
        if rng.random() < 0.12:
            kinds = ["save10", "welcome15"] + (
                ["fiveoff", "tenoff"] if plan.currency == "EUR" else []
            )
            plan.coupons.append(rng.choice(kinds))
        plan.payment = rng.choices(cat.PAYMENT_METHODS, weights=(35, 30, 20, 10, 5))[0]
        if plan.payment[0] == "cod" and plan.country != "DE":
            plan.payment = cat.PAYMENT_METHODS[0]
        plan.created_via = "checkout" if rng.random() < 0.8 else "rest-api"
        if plan.incl or any(f.amount < 0 for f in plan.fees):
            plan.created_via = rng.choice(("rest-api", "admin"))
        if status == "checkout-draft":
            plan.created_via = "store-api"
        plan.partial_refund = status == "completed" and rng.random() < 0.12
        plan.edit_silently = status in ("processing", "on-hold") and rng.random() < 0.08
        plan.edit_note = rng.random() < 0.03
        if rng.random() < 0.05:
            plan.note = rng.choice(cat.CUSTOMER_NOTES)
        return plan

    def use_customer(self, plan: Plan, customer: Customer) -> None:
        plan.customer = customer
        plan.country = customer.shipping["country"] or customer.billing["country"]
        plan.billing = None

    def use_guest(self, plan: Plan, country: str, email: str | None = None) -> None:
        first, last, local = self.person(country)
        self.guest_count += 1
        billing = self.address(country, first, last)
        billing["email"] = email or f"{local}.{self.guest_count}@example.net"
        plan.customer = None
        plan.country = country
        plan.billing = billing

    # ---- running the plans -------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        # WooCommerce stores whole seconds; a fraction would break the modified_after boundary
        when = when.replace(microsecond=0)
        if when <= HISTORY_END:
            self.seq += 1
            heapq.heappush(self.events, (when, self.seq, action))

    def shipping_for(self, plan: Plan) -> ShippingSpec | None:
        physical = False
        net_eur = Decimal(0)
        for spec in plan.lines:
            product, variation = self.product_of(spec.product_id)
            physical = physical or not product.virtual
            net_eur += (variation.regular_price if variation else product.price) * spec.quantity
        if not physical:
            return None
        if plan.country == "DE":
            method = cat.FREE if net_eur >= cat.FREE_SHIPPING_FROM else cat.FLAT_DE
            if self.rng.random() < 0.05:
                method = cat.PICKUP
        elif plan.country in ("US", "CH"):
            method = cat.WORLDWIDE
        else:
            method = cat.FLAT_EU
        return ShippingSpec(method.title, method.method_id, convert(method.cost, plan.currency))

    def product_of(self, item_id: int) -> tuple[Product, Variation | None]:
        variation = self.store.variations.get(item_id)
        if variation is not None:
            return self.store.products[variation.parent_id], variation
        return self.store.products[item_id], None

    def place(self, plan: Plan) -> None:
        store = self.store
        rng = self.rng
        when = _utc(plan.when)
        paid_now = plan.payment[0] in ("stripe", "paypal")
        status = plan.status
        initial = {
            "completed": "processing" if paid_now else "on-hold",
            "processing": "processing" if paid_now else "on-hold",
            "refunded": "processing" if paid_now else "on-hold",
            "cancelled": "pending" if paid_now else "on-hold",
            "failed": "pending",
        }.get(status, status)
        if plan.payment[0] == "cod" and initial == "on-hold":
            initial = "processing"  # cash on delivery needs no payment first
        txn = self.transaction_id(plan.payment[0])
        order = store.add_order(
            plan.lines,
            customer_id=plan.customer.id if plan.customer else 0,
            billing=plan.billing,
            shipping=self.shipping_for(plan),
            fees=plan.fees,
            coupons=plan.coupons,
            status=initial,
            currency=plan.currency,
            prices_include_tax=plan.incl,
            payment_method=plan.payment,
            transaction_id=txn if initial == "processing" else "",
            created_via=plan.created_via,
            customer_note=plan.note,
            when=when,
        )
        if plan.created_via in ("checkout", "store-api"):
            order.customer_ip_address = f"203.0.113.{rng.randint(2, 250)}"
            order.customer_user_agent = cat.USER_AGENT
        oid = order.id
        t = when
        if initial == "on-hold" and status in ("completed", "processing", "refunded"):
            t = t + timedelta(hours=rng.uniform(6, 60))
            self.at(t, lambda: self.paid(oid, txn))
        if status == "completed" or (status == "refunded" and rng.random() < 0.8):
            t = t + timedelta(hours=rng.uniform(20, 100))
            self.at(t, lambda: store.update_order(oid, status="completed", when=self.t))
        if status == "refunded":
            t = t + timedelta(days=rng.uniform(2, 20))
            reason = rng.choice(cat.REFUND_REASONS)
            self.at(t, lambda: self.full_refund(oid, reason))
        if status in ("cancelled", "failed"):
            later = (
                timedelta(minutes=rng.uniform(3, 30))
                if status == "failed"
                else timedelta(days=rng.uniform(1, 6))
            )
            self.at(t + later, lambda: store.update_order(oid, status=status, when=self.t))
        if plan.partial_refund:
            t = t + timedelta(days=rng.uniform(3, 25))
            with_shipping = rng.random() < 0.15
            self.at(t, lambda: self.partial_refund(oid, with_shipping))
        if plan.edit_silently:
            self.at(when + timedelta(hours=rng.uniform(1, 30)), lambda: self.silent_edit(oid))
        if plan.edit_note:
            self.at(
                when + timedelta(hours=rng.uniform(1, 30)),
                lambda: store.update_order(
                    oid, customer_note="Please call before delivery.", when=self.t
                ),
            )

    t: datetime = CATALOG_AT

    def paid(self, order_id: int, txn: str) -> None:
        self.store.update_order(order_id, status="processing", transaction_id=txn, when=self.t)

    def full_refund(self, order_id: int, reason: str) -> None:
        if self.store.orders[order_id].total > 0:
            self.store.refund_order(order_id, reason=reason, when=self.t)

    def partial_refund(self, order_id: int, with_shipping: bool) -> None:
        order = self.store.orders[order_id]
        if order.status != "completed" or not order.line_items:
            return
        line = self.rng.choice(order.line_items)
        qty = self.rng.randint(1, line.quantity)
        reason = self.rng.choice(cat.REFUND_REASONS)
        for lines, shipping in (({line.id: qty}, with_shipping), ({line.id: 1}, False)):
            amount = refund_amount(order, lines, shipping)
            if Decimal(0) < amount <= order.total:
                self.store.refund_order(
                    order_id, lines=lines, refund_shipping=shipping, reason=reason, when=self.t
                )
                return

    def silent_edit(self, order_id: int) -> None:
        order = self.store.orders[order_id]
        if order.refund_ids or order.status not in ("processing", "on-hold", "pending"):
            return
        extra = FeeSpec("Express handling", convert(Decimal("2.50"), order.currency))
        self.store.update_order(order_id, add_fees=[extra], touch=False, when=self.t)

    def transaction_id(self, method: str) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        if method == "stripe":
            return "ch_3" + "".join(
                self.rng.choice(alphabet + "abcdefghijkmnopqrstuvwxyz") for _ in range(23)
            )
        if method == "paypal":
            return "".join(self.rng.choice(alphabet) for _ in range(17))
        return ""

    def run(self) -> None:
        while self.events:
            when, _, action = heapq.heappop(self.events)
            self.t = when
            action()


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def _utc(when: datetime) -> datetime:
    return when.astimezone(ZoneInfo("UTC"))


def populate(store: StoreData, seed: int, orders: int, customers: int | None) -> None:
    from wooodoo.sandbox.shop.scenarios import SCENARIOS

    gen = _Gen(store, seed)
    gen.catalog()
    gen.people(customers if customers is not None else max(6, orders // 5))
    span = (LAST_ORDER - FIRST_ORDER).total_seconds()
    times = sorted(
        FIRST_ORDER + timedelta(seconds=int(gen.rng.uniform(0, span))) for _ in range(orders)
    )
    forced = list(SCENARIOS[: len(times)])
    slots = sorted(gen.rng.sample(range(len(times)), len(forced)))
    scenario_at = dict(zip(slots, forced, strict=True))
    for index, when in enumerate(times):
        plan = gen.plan(when)
        scenario = scenario_at.get(index)
        if scenario is not None:
            scenario(gen, plan)
        gen.at(_utc(when), partial(gen.place, plan))
    gen.run()
    for customer in store.customers.values():
        stamp = customer.date_modified or customer.date_created
        day = stamp.replace(hour=0, minute=0, second=0)
        for meta in customer.meta:
            if meta.key == "wc_last_active":
                meta.value = str(int(day.timestamp()))
