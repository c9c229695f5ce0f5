"""The generated shop's first half: its catalogue and customers, then a plan for every order.

Everything comes from one ``random.Random(seed)`` and fixed dates (orders placed 2026-01-05 ..
2026-10-31, store time), so the same seed draws the same shop. ``generate`` turns the plans into
the shop's history.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from wooodoo.sandbox.catalog import COUNTRIES
from wooodoo.sandbox.shop import tables as cat
from wooodoo.sandbox.shop.model import SITE_TZ, Coupon, Customer, Meta, Product, Variation
from wooodoo.sandbox.shop.orders import FeeSpec, LineSpec, convert
from wooodoo.sandbox.shop.store import StoreData

CATALOG_AT = datetime(2026, 1, 2, 9, 0, tzinfo=SITE_TZ)
FIRST_ORDER = datetime(2026, 1, 5, tzinfo=SITE_TZ)
LAST_ORDER = datetime(2026, 10, 31, 23, 59, 59, tzinfo=SITE_TZ)

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


class Planner:
    """Draws the catalogue, the customers and each order's plan from one random stream."""

    def __init__(self, store: StoreData, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.sku: dict[str, int] = {}
        self.physical: list[int] = []  # sellable ids (simple products and variations)
        self.customers: list[Customer] = []  # in order of registration
        self.registered_at: list[datetime] = []
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
                id=store.post_ids.take(),
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
                    store.post_ids.take(),
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
                store.post_ids.take(), code, kind, Decimal(amount), description, CATALOG_AT
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
                when=utc(when),
            )
            customer.meta.append(Meta(store.meta_ids.take(), "wc_last_active", "0"))
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


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def utc(when: datetime) -> datetime:
    return when.astimezone(ZoneInfo("UTC"))
