"""What happens to a shop's paid orders after they were invoiced: cancelled, amended, refunded.

``after_sale`` is the step an acceptance run puts between two syncs: from one seed it picks paid
orders (``processing``/``completed``) and, each order getting one fate, cancels some (orders
without refunds), amends some (a fee or one more item, their totals recalculated), and refunds
more: part of an item, an amount only, both in turn on one order, or everything that is left.
Every change is stamped with the store's clock, so the next sync reads it as modified.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from wooodoo.sandbox.shop.model import Order
from wooodoo.sandbox.shop.orders import FeeSpec, LineSpec, convert
from wooodoo.sandbox.shop.refunds import refund_amount, refunded_total
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.shop.totals import decimals_for, round_money

PAID = ("processing", "completed")


@dataclass(frozen=True)
class AfterSaleShares:
    """The share of paid orders each change takes (an order gets one change at most)."""

    cancel: float = 0.03
    amend: float = 0.03
    item_refund: float = 0.03
    amount_refund: float = 0.03
    several_refunds: float = 0.02
    refund_rest: float = 0.02


@dataclass
class AfterSale:
    """The orders each change touched, by id."""

    cancelled: list[int] = field(default_factory=list)
    amended: list[int] = field(default_factory=list)
    refunded: dict[int, list[int]] = field(default_factory=dict)  # order id -> new refund ids

    @property
    def refunds(self) -> int:
        return sum(len(ids) for ids in self.refunded.values())


def after_sale(store: StoreData, seed: int, shares: AfterSaleShares | None = None) -> AfterSale:
    """Cancel, amend and refund paid orders, drawn from ``seed``; what was done."""
    shares = shares or AfterSaleShares()
    rng = random.Random(seed)
    with store.lock:
        paid = sorted(o.id for o in store.orders.values() if _paid(o))
    done = AfterSale()
    fates = (
        ("cancel", shares.cancel),
        ("amend", shares.amend),
        ("item_refund", shares.item_refund),
        ("amount_refund", shares.amount_refund),
        ("several_refunds", shares.several_refunds),
        ("refund_rest", shares.refund_rest),
    )
    for order_id in paid:
        roll, floor = rng.random(), 0.0
        for fate, share in fates:
            if floor <= roll < floor + share:
                _apply(store, rng, store.orders[order_id], fate, done)
                break
            floor += share
    return done


def _paid(order: Order) -> bool:
    return order.status in PAID and order.date_paid is not None and order.total > 0


def _apply(store: StoreData, rng: random.Random, order: Order, fate: str, done: AfterSale) -> None:
    untouched = not order.refund_ids
    if fate == "cancel" and untouched:
        store.cancel_order(order.id)
        done.cancelled.append(order.id)
    elif fate == "amend" and untouched:
        _amend(store, rng, order)
        done.amended.append(order.id)
    elif fate in ("item_refund", "several_refunds") and order.line_items:
        _refund_item(store, rng, order, done)
        if fate == "several_refunds":
            _refund_amount(store, rng, order, done)
    elif fate in ("amount_refund", "several_refunds"):
        _refund_amount(store, rng, order, done)
    elif fate == "refund_rest":
        _refund(store, order, done, None)


def _amend(store: StoreData, rng: random.Random, order: Order) -> None:
    """One more of an item the order has, or a handling fee: both change its totals."""
    if order.line_items and rng.random() < 0.5:
        item = rng.choice(order.line_items)
        product = item.variation_id or item.product_id
        store.update_order(order.id, add_lines=[LineSpec(product, 1)])
    else:
        fee = FeeSpec("Express handling", convert(Decimal("4.90"), order.currency))
        store.update_order(order.id, add_fees=[fee])


def _refund_item(store: StoreData, rng: random.Random, order: Order, done: AfterSale) -> None:
    item = rng.choice(order.line_items)
    lines = {item.id: rng.randint(1, max(1, item.quantity))}
    with_shipping = rng.random() < 0.2
    left = order.total - refunded_total(store.refunds_of(order.id))
    if Decimal(0) < refund_amount(order, lines, with_shipping) <= left:
        refund = store.refund_order(order.id, lines=lines, refund_shipping=with_shipping)
        done.refunded.setdefault(order.id, []).append(refund.id)


def _refund_amount(store: StoreData, rng: random.Random, order: Order, done: AfterSale) -> None:
    left = order.total - refunded_total(store.refunds_of(order.id))
    share = Decimal(str(rng.choice((0.1, 0.25, 0.3, 0.5))))
    amount = round_money(left * share, decimals_for(order.currency))
    if amount > 0:
        _refund(store, order, done, amount)


def _refund(store: StoreData, order: Order, done: AfterSale, amount: Decimal | None) -> None:
    if order.total - refunded_total(store.refunds_of(order.id)) > 0:
        refund = store.refund_order(order.id, amount, reason="After-sale")
        done.refunded.setdefault(order.id, []).append(refund.id)
