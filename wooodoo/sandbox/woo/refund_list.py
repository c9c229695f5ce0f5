"""``GET /wc/v3/refunds`` of the WooCommerce look-alike: every refund, whatever its order (9.0+).

As ``WC_REST_Refunds_Controller`` answers: the order list's arguments checked (``per_page`` at
most 100), ``include``/``exclude``, the date filters (a refund is modified when it is made),
``orderby``/``order``, ``page``/``offset`` and ``dp`` applied; each refund rendered as
``/orders/<id>/refunds`` renders it with ``parent_id`` (its order) after ``id``. ``parent`` and
``parent_exclude`` are checked and then have no effect, as in WooCommerce: the query's
``post_parent__in``, set from ``parent`` by the CRUD controller, is replaced with the route's
order id by the order refunds controller and removed by the refunds controller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wooodoo.sandbox.shop.model import SITE_TZ, Order, Refund
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.shop.totals import decimals_for
from wooodoo.sandbox.woo.http import Req, Resp, collection, paginate, select, set_param
from wooodoo.sandbox.woo.params import REFUND_LIST_ARGS, validate
from wooodoo.sandbox.woo.php import date_query_value
from wooodoo.sandbox.woo.render import JSON, render_refund

DATE_FILTERS = (
    ("after", True),
    ("before", False),
    ("modified_after", True),
    ("modified_before", False),
)


def listed_refund(refund: Refund, base: str, dp: int) -> JSON:
    """A refund as ``/refunds`` gives it: ``parent_id`` right after ``id``."""
    rendered = render_refund(refund, base, dp)
    return {"id": rendered.pop("id"), "parent_id": refund.order_id, **rendered}


def _dated(refund: Refund, p: dict[str, Any]) -> bool:
    zone = refund.date_created.tzinfo if p["dates_are_gmt"] else SITE_TZ
    made = refund.date_created.astimezone(zone).replace(tzinfo=None)
    for name, after in DATE_FILTERS:
        if p.get(name) is None:
            continue
        limit = date_query_value(str(p[name]), SITE_TZ)
        if (after and not made > limit) or (not after and not made < limit):
            return False
    return True


def _sort_key(p: dict[str, Any]) -> Callable[[Refund], Any]:
    if p["orderby"] == "include" and p["include"]:
        position = {rid: i for i, rid in enumerate(p["include"])}
        return lambda r: (position.get(r.id, len(position)), r.id)
    if p["orderby"] == "id":
        return lambda r: r.id
    # date, modified, title ("Refund – <date>"), slug: all follow the refund's date
    return lambda r: (r.date_created, r.id)


def _dp(req: Req, order: Order | None) -> int:
    raw = req.query.get("dp")
    if raw is not None:
        return abs(int(float(str(raw))))
    return decimals_for(order.currency) if order else 2


class RefundList:
    def __init__(self, store: StoreData) -> None:
        self.store = store

    def list(self, req: Req) -> Resp:
        p = validate(REFUND_LIST_ARGS, req.query)
        with self.store.lock:
            found = [r for r in select(list(self.store.refunds.values()), p) if _dated(r, p)]
            descending = p["orderby"] != "include" and p["order"] == "desc"
            found.sort(key=_sort_key(p), reverse=descending)
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [
                listed_refund(r, req.home, _dp(req, self.store.orders.get(r.order_id)))
                for r in page.items
            ]
        link = dict(req.query)
        if rendered:
            set_param(link, "dp", p["dp"])
        return collection(req, page, p["page"], rendered, link)
