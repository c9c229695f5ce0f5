"""The generated shop's history: each plan becomes an order that is paid, completed, refunded.

Events run in time order, so ids grow with time as in WordPress. A list of scenarios is always
placed first among the orders so that even a small shop has the hard cases (guests sharing a
customer's e-mail, prices with tax, JPY, negative fees, refunds...).
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from wooodoo.sandbox.shop import tables as cat
from wooodoo.sandbox.shop.ledger import wall_clock
from wooodoo.sandbox.shop.model import SITE_TZ
from wooodoo.sandbox.shop.orders import FeeSpec, ShippingSpec, convert
from wooodoo.sandbox.shop.planner import CATALOG_AT, FIRST_ORDER, LAST_ORDER, Plan, Planner, utc
from wooodoo.sandbox.shop.refunds import refund_amount
from wooodoo.sandbox.shop.scenarios import SCENARIOS
from wooodoo.sandbox.shop.store import StoreData

HISTORY_END = datetime(2026, 11, 20, tzinfo=SITE_TZ)


def generate_store(
    seed: int,
    orders: int,
    *,
    customers: int | None = None,
    clock: Callable[[], datetime] = wall_clock,
) -> StoreData:
    """A shop with ``orders`` orders, the same for the same seed and sizes (no wall clock)."""
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


def populate(store: StoreData, seed: int, orders: int, customers: int | None) -> None:
    planner = Planner(store, seed)
    planner.catalog()
    planner.people(customers if customers is not None else max(6, orders // 5))
    span = (LAST_ORDER - FIRST_ORDER).total_seconds()
    times = sorted(
        FIRST_ORDER + timedelta(seconds=int(planner.rng.uniform(0, span))) for _ in range(orders)
    )
    forced = list(SCENARIOS[: len(times)])
    slots = sorted(planner.rng.sample(range(len(times)), len(forced)))
    scenario_at = dict(zip(slots, forced, strict=True))
    history = History(planner)
    for index, when in enumerate(times):
        plan = planner.plan(when)
        scenario = scenario_at.get(index)
        if scenario is not None:
            scenario(planner, plan)
        history.at(utc(when), partial(history.place, plan))
    history.run()
    for customer in store.customers.values():
        stamp = customer.date_modified or customer.date_created
        day = stamp.replace(hour=0, minute=0, second=0)
        for meta in customer.meta:
            if meta.key == "wc_last_active":
                meta.value = str(int(day.timestamp()))


def _first_status(plan: Plan) -> str:
    """Card payments are taken at checkout; a bank transfer waits on hold until it arrives."""
    paid_now = plan.payment[0] in ("stripe", "paypal")
    initial = {
        "completed": "processing" if paid_now else "on-hold",
        "processing": "processing" if paid_now else "on-hold",
        "refunded": "processing" if paid_now else "on-hold",
        "cancelled": "pending" if paid_now else "on-hold",
        "failed": "pending",
    }.get(plan.status, plan.status)
    if plan.payment[0] == "cod" and initial == "on-hold":
        initial = "processing"  # cash on delivery needs no payment first
    return initial


class History:
    """Runs the plans as events in time order, drawing from the planner's random stream."""

    def __init__(self, planner: Planner) -> None:
        self.store = planner.store
        self.rng = planner.rng
        self.events: list[tuple[datetime, int, Callable[[], object]]] = []
        self.seq = 0
        self.t = CATALOG_AT  # the time of the event being run

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        # WooCommerce stores whole seconds; a fraction would break the modified_after boundary
        when = when.replace(microsecond=0)
        if when <= HISTORY_END:
            self.seq += 1
            heapq.heappush(self.events, (when, self.seq, action))

    def run(self) -> None:
        while self.events:
            when, _, action = heapq.heappop(self.events)
            self.t = when
            action()

    def shipping_for(self, plan: Plan) -> ShippingSpec | None:
        physical = False
        net_eur = Decimal(0)
        for spec in plan.lines:
            product, variation = self.store.resolve(spec.product_id)
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

    def place(self, plan: Plan) -> None:
        when = utc(plan.when)
        initial = _first_status(plan)
        txn = self.transaction_id(plan.payment[0])
        order = self.store.add_order(
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
            order.customer_ip_address = f"203.0.113.{self.rng.randint(2, 250)}"
            order.customer_user_agent = cat.USER_AGENT
        self.follow_up(plan, order.id, when, initial == "on-hold", txn)

    def follow_up(self, plan: Plan, oid: int, when: datetime, on_hold: bool, txn: str) -> None:
        """What happens to a placed order later: payment, completion, refunds, edits."""
        store, rng, status = self.store, self.rng, plan.status
        t = when
        if on_hold and status in ("completed", "processing", "refunded"):
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
