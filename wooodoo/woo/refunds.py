"""The refunds of many orders at once: ``/refunds`` (WooCommerce 9.0+) or one request per order.

WooCommerce 9.0 added ``GET /wc/v3/refunds``, every refund of the store whatever its order, each
as ``/orders/<id>/refunds`` gives it (later versions add ``parent_id``, the order). Its ``parent``
argument is accepted but has no effect: the order refunds controller replaces the query's
``post_parent__in`` with the route's order id and the refunds controller then removes it, so the
store answers with all its refunds. ``include`` (refund ids) does limit the list, and the ids are
known: each order lists its refunds. So the refunds wanted are asked for by id, 100 at a time.

Older stores have no such route (WordPress answers 404 ``rest_no_route``): there each order's
refunds are read with ``/orders/<id>/refunds``, as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from wooodoo.errors import RemoteError
from wooodoo.woo.models import ParseError, Refund, parse_refund
from wooodoo.woo.pagination import record_key

REFUNDS_LIST_SINCE = (9, 0)
IDS_PER_REQUEST = 100  # ``per_page`` is at most 100: one page per request


@dataclass
class OrderRefunds:
    """What the store gave: the refunds read, by order id; the orders whose refunds could not
    be read, with why (a refused request, a refund that does not parse)."""

    found: dict[int, list[Refund]] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)

    def add(self, order_id: int, refund: Refund) -> None:
        self.found.setdefault(order_id, []).append(refund)

    def fail(self, order_ids: Sequence[int], reason: str) -> None:
        for order_id in order_ids:
            self.found.pop(order_id, None)
            self.failed[order_id] = reason


def wanted_by_refund(orders: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """{refund id: order id} from {order id: its refund ids}; a refund named by two orders
    is a RemoteError (the store's order lists disagree)."""
    owner: dict[int, int] = {}
    for order_id, refund_ids in orders.items():
        for refund_id in refund_ids:
            other = owner.setdefault(int(refund_id), int(order_id))
            if other != int(order_id):
                raise RemoteError(
                    f"WooCommerce: refund {refund_id} is listed by orders {other} and {order_id}"
                )
    return owner


def id_chunks(owner: Mapping[int, int]) -> Iterator[list[int]]:
    """The refund ids, sorted, ``IDS_PER_REQUEST`` at a time."""
    ids = sorted(owner)
    for start in range(0, len(ids), IDS_PER_REQUEST):
        yield ids[start : start + IDS_PER_REQUEST]


def take_listed(records: Sequence[object], owner: Mapping[int, int], out: OrderRefunds) -> None:
    """Sort one ``/refunds`` page into ``out`` by order.

    A refund that does not parse fails its order's refunds. A refund not asked for, or whose
    ``parent_id`` is not the order that lists it, makes the answer unusable: RemoteError.
    """
    for raw in records:
        refund_id = record_key(raw).id
        if refund_id is None or refund_id not in owner:
            raise RemoteError(
                f"WooCommerce refunds: the answer holds refund {refund_id or '?'}, which was not "
                "asked for (the store does not honour include)"
            )
        order_id = owner[refund_id]
        parent = raw.get("parent_id") if isinstance(raw, Mapping) else None
        if parent is not None and parent != order_id:
            raise RemoteError(
                f"WooCommerce refunds: refund {refund_id} belongs to order {parent}, "
                f"but order {order_id} lists it"
            )
        if order_id in out.failed:
            continue
        try:
            out.add(order_id, parse_refund(raw))
        except ParseError as exc:
            out.fail([order_id], str(exc))


def keep_wanted(order_id: int, refunds: Sequence[Refund], wanted: Sequence[int]) -> list[Refund]:
    """Of an order's refunds (``/orders/<id>/refunds``), those asked for."""
    ids = {int(i) for i in wanted}
    return [r for r in refunds if r.id in ids]
