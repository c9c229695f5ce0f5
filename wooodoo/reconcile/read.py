"""Both sides read live for a reconciliation: the shop's order list, Odoo's moves, the audit.

The shop costs one request per page of orders (a refund's amount comes in its order's own
``refunds`` list); Odoo one ``search_read`` per page of moves, and one more only when a key
the shop expects (or the audit links) was not among them: a document dated elsewhere, or gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from wooodoo.audit import Link
from wooodoo.config import TenantConfig
from wooodoo.reconcile.model import BookedMove, LinkMark, ShopOrder, ShopRefund, Sides, money
from wooodoo.sync.ports import OrderPageLike
from wooodoo.woo.models import Order

# Store-local midnight is at most 14 hours before UTC midnight.
LOCAL_MARGIN = timedelta(hours=14)


class OrderLister(Protocol):
    def iter_order_pages(
        self, *, modified_after: datetime, statuses: Sequence[str] | None = None
    ) -> Iterator[OrderPageLike]: ...


class BooksReader(Protocol):
    def period_moves(self, prefix: str, first: date, last: date) -> list[BookedMove]: ...

    def moves_with_keys(self, keys: Sequence[str]) -> list[BookedMove]: ...


class LinkReader(Protocol):
    def links(self, tenant: str, keys: Sequence[str]) -> Mapping[str, Link]: ...


def shop_order(order: Order, statuses: Sequence[str]) -> ShopOrder:
    """The order as reconciliation sees it; its day is the one its invoice carries."""
    return ShopOrder(
        id=order.id,
        status=order.status,
        invoiced=order.status in statuses
        or (order.status == "refunded" and order.date_paid is not None),
        currency=order.currency,
        day=order.local_date_paid or order.local_date_created,
        created=order.local_date_created,
        total=money(order.total),
        refunds=tuple(ShopRefund(r.id, money(-r.total)) for r in order.refunds),
    )


def read_shop(
    woo: OrderLister, tenant: TenantConfig, first: date
) -> tuple[list[ShopOrder], list[tuple[int | None, str]]]:
    """Every order modified since the period began (its invoice's day cannot be earlier)."""
    start = datetime.combine(max(first, tenant.sync.since), time.min, tzinfo=UTC) - LOCAL_MARGIN
    orders: dict[int, ShopOrder] = {}
    unreadable: dict[int | None, str] = {}
    for page in woo.iter_order_pages(modified_after=start):
        for order in page.orders:
            orders[order.id] = shop_order(order, tenant.sync.statuses)  # the latest version
            unreadable.pop(order.id, None)
        for rejected in page.rejected:
            unreadable[rejected.record_id] = rejected.reason
    return list(orders.values()), list(unreadable.items())


def expected_keys(tenant: str, orders: Sequence[ShopOrder]) -> list[str]:
    keys: list[str] = []
    for o in orders:
        keys.append(f"{tenant}/order/{o.id}")
        keys += [f"{tenant}/refund/{r.id}" for r in o.refunds]
    return keys


def read_sides(
    tenant: TenantConfig,
    woo: OrderLister,
    books: BooksReader,
    audit: LinkReader,
    first: date,
    last: date,
) -> Sides:
    """Read the shop, then Odoo's moves of the period, then the audit's links for them."""
    name = tenant.name
    orders, unreadable = read_shop(woo, tenant, first)
    since = tenant.sync.since
    in_period = [o for o in orders if o.created >= since and first <= o.day <= last]
    moves = books.period_moves(f"{name}/", first, last)
    keys = list(dict.fromkeys([*expected_keys(name, in_period), *(m.key for m in moves)]))
    links = _marks(audit.links(name, keys))
    seen_keys, seen_ids = {m.key for m in moves}, {m.id for m in moves}
    wanted = [k for k in expected_keys(name, in_period) if k not in seen_keys]
    wanted += [k for k, mark in links.items() if mark.odoo_id not in seen_ids]
    if wanted:
        moves += [m for m in books.moves_with_keys(wanted) if m.id not in seen_ids]
    return Sides(name, first, last, since, orders, moves, links, unreadable)


def _marks(links: Mapping[str, Link]) -> dict[str, LinkMark]:
    return {
        key: LinkMark(link.odoo_id, link.state)
        for key, link in links.items()
        if link.odoo_model == "account.move" and link.odoo_id
    }
