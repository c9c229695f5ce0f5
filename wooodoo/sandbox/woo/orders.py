"""``/wc/v3/orders`` and ``/orders/<id>/refunds`` of the WooCommerce look-alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wooodoo.sandbox.shop.model import ORDER_STATUSES, SITE_TZ, Order
from wooodoo.sandbox.shop.orders import FeeSpec, ItemChange, LineSpec, OrderError, ShippingSpec
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.shop.totals import decimals_for
from wooodoo.sandbox.woo.http import (
    Req,
    Resp,
    RestError,
    collection,
    invalid_id,
    paginate,
    select,
    set_param,
    single,
)
from wooodoo.sandbox.woo.params import (
    FORCE,
    ORDER_ARGS,
    REFUND_ARGS,
    Arg,
    check_enum,
    validate,
)
from wooodoo.sandbox.woo.php import date_query_value
from wooodoo.sandbox.woo.render import render_order, render_refund

WRITE_STATUSES = ("auto-draft", *ORDER_STATUSES)
LINE_ONLY_KEYS = {"line_items", "fee_lines", "shipping_lines", "coupon_lines"}


def _dp(req: Req) -> int | None:
    raw = req.query.get("dp")
    try:
        return abs(int(float(str(raw)))) if raw is not None else None
    except ValueError:
        return None


def _column(order: Order, name: str, gmt: bool) -> datetime:
    when = order.date_created if name == "date" else order.date_modified
    zone = when.tzinfo if gmt else SITE_TZ
    return when.astimezone(zone).replace(tzinfo=None)


def _matches(order: Order, p: dict[str, Any], sent: dict[str, Any]) -> bool:
    statuses: list[str] = p["status"]
    if "any" in statuses:
        if order.status in ("trash", "auto-draft"):
            return False
    elif order.status not in statuses:
        return False
    if "customer" in sent and order.customer_id != p["customer"]:
        return False
    if p["product"] and not any(
        p["product"] in (li.product_id, li.variation_id) for li in order.line_items
    ):
        return False
    if p["include"] and order.id not in p["include"]:
        return False
    if order.id in p["exclude"]:
        return False
    if p["parent"] and order.parent_id not in p["parent"]:
        return False
    if order.parent_id in p["parent_exclude"]:
        return False
    if p["search"]:
        needle = str(p["search"]).casefold()
        hay = " ".join([*order.billing.values(), *order.shipping.values(), str(order.id)])
        if needle not in hay.casefold():
            return False
    gmt = bool(p["dates_are_gmt"])
    for name, column, after in (
        ("after", "date", True),
        ("before", "date", False),
        ("modified_after", "modified", True),
        ("modified_before", "modified", False),
    ):
        if p.get(name) is None:  # absent too: not registered before WooCommerce 5.8
            continue
        value = _column(order, column, gmt)
        limit = date_query_value(str(p[name]), SITE_TZ)
        if (after and not value > limit) or (not after and not value < limit):
            return False
    return True


def _sort_key(p: dict[str, Any]) -> Callable[[Order], Any]:
    orderby = p["orderby"]
    if orderby == "include" and p["include"]:
        position = {oid: i for i, oid in enumerate(p["include"])}
        return lambda o: (position.get(o.id, len(position)), o.id)
    if orderby == "modified":
        return lambda o: (o.date_modified, o.id)
    if orderby == "id":
        return lambda o: o.id
    return lambda o: (o.date_created, o.id)


class OrderRoutes:
    def __init__(self, store: StoreData, args: tuple[Arg, ...] = ORDER_ARGS) -> None:
        self.store = store
        self.args = args  # the list's registered arguments: the store's version decides

    # ---- orders ----------------------------------------------------------------------------

    def list(self, req: Req) -> Resp:
        sent = dict(req.query)
        p = validate(self.args, req.query)
        with self.store.lock:
            found = [o for o in self.store.orders.values() if _matches(o, p, sent)]
            descending = p["orderby"] != "include" and p["order"] == "desc"
            found.sort(key=_sort_key(p), reverse=descending)
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [
                render_order(o, self.store.refunds_of(o.id), req.home, _dp(req)) for o in page.items
            ]
        link = dict(req.query)
        link.pop("status", None)  # WooCommerce unsets and re-adds it: it moves to the end
        link["status"] = p["status"]
        if rendered:
            set_param(link, "dp", p["dp"])
            set_param(link, "context", p["context"] or "view")
        return collection(req, page, p["page"], rendered, link)

    def _order(self, req: Req) -> Order:
        order = self.store.orders.get(req.int_match("id"))
        if order is None:
            raise invalid_id("shop_order")
        return order

    def _render(self, req: Req, order: Order) -> dict[str, Any]:
        return render_order(order, self.store.refunds_of(order.id), req.home, _dp(req))

    def get(self, req: Req) -> Resp:
        with self.store.lock:
            return single(req, self._render(req, self._order(req)))

    def create(self, req: Req) -> Resp:
        body = req.params
        check_enum(body, "status", WRITE_STATUSES)
        try:
            # one order.created and one order.updated, however many saves it takes (as captured)
            with self.store.quiet():
                order = self.store.add_order(
                    [],
                    customer_id=int(body.get("customer_id") or 0),
                    billing=body.get("billing") or {},
                    shipping_address=body.get("shipping"),
                    status="pending",
                    currency=str(body.get("currency") or "EUR"),
                    payment_method=(
                        str(body.get("payment_method", "")),
                        str(body.get("payment_method_title", "")),
                    ),
                    created_via="rest-api",
                    customer_note=str(body.get("customer_note", "")),
                )
                self._apply_items(order.id, body, touch=True)
                status = str(body.get("status") or "pending")
                if body.get("set_paid") in (True, "true", "1", 1):
                    needs = any(li.needs_processing for li in order.line_items)
                    status = "processing" if needs else "completed"
                txn = body.get("transaction_id")
                self.store.update_order(
                    order.id, status=status, transaction_id=str(txn) if txn else None
                )
        except OrderError as exc:
            raise RestError(exc.code, exc.message, exc.status) from exc
        self.store.announce(("order.created", order.id), ("order.updated", order.id))
        with self.store.lock:
            resp = single(req, self._render(req, order), 201)
        resp.headers.append(("Location", f"{req.home}/wp-json/wc/v3/orders/{order.id}"))
        return resp

    def update(self, req: Req) -> Resp:
        body = req.body
        check_enum(body, "status", WRITE_STATUSES)
        with self.store.lock:
            order = self._order(req)
        # WooCommerce 7.9 saves line, fee and shipping edits without moving date_modified
        touch = not set(body) <= LINE_ONLY_KEYS
        try:
            self._apply_items(order.id, body, touch=touch)
            self.store.update_order(
                order.id,
                touch=touch,
                status=str(body["status"]) if body.get("status") else None,
                billing=body.get("billing"),
                shipping_address=body.get("shipping"),
                customer_note=body.get("customer_note"),
                transaction_id=body.get("transaction_id"),
                meta={
                    m["key"]: m.get("value")
                    for m in body.get("meta_data") or []
                    if isinstance(m, dict) and "key" in m
                },
            )
        except OrderError as exc:
            raise RestError(exc.code, exc.message, exc.status) from exc
        with self.store.lock:
            return single(req, self._render(req, order))

    def _apply_items(self, order_id: int, body: dict[str, Any], *, touch: bool) -> None:
        """Items with an ``id`` are edited (quantity 0 removes), items without are added."""
        add_lines: list[LineSpec] = []
        add_fees: list[FeeSpec] = []
        changes: dict[int, ItemChange] = {}
        shipping: ShippingSpec | None = None
        for raw in _dicts(body.get("line_items")):
            if raw.get("id"):
                changes[int(raw["id"])] = _change(raw)
                continue
            product = int(raw.get("variation_id") or raw.get("product_id") or 0)
            qty = int(raw.get("quantity") or 1)
            total = _decimal(raw["total"]) if raw.get("total") not in (None, "") else None
            add_lines.append(LineSpec(product, qty, total))
        for raw in _dicts(body.get("fee_lines")):
            if raw.get("id"):
                changes[int(raw["id"])] = _change(raw)
                continue
            add_fees.append(
                FeeSpec(
                    str(raw.get("name", "")),
                    _decimal(raw.get("total", "0")),
                    raw.get("tax_status", "taxable") == "taxable",
                    str(raw.get("tax_class", "")),
                )
            )
        for raw in _dicts(body.get("shipping_lines")):
            shipping = ShippingSpec(
                str(raw.get("method_title", "")),
                str(raw.get("method_id", "")),
                _decimal(raw.get("total", "0")),
            )
        coupons = body.get("coupon_lines")
        codes = [str(c["code"]) for c in _dicts(coupons) if c.get("code")]
        if not (add_lines or add_fees or changes or shipping or isinstance(coupons, list)):
            return
        self.store.update_order(
            order_id,
            add_lines=add_lines,
            add_fees=add_fees,
            item_changes=changes,
            shipping=shipping,
            coupons=codes if isinstance(coupons, list) else None,
            touch=touch,
            lenient=True,
        )

    def delete(self, req: Req) -> Resp:
        force = validate((FORCE,), dict(req.params))["force"]
        with self.store.lock:
            order = self._order(req)
            if not force and order.status == "trash":
                raise RestError(
                    "woocommerce_rest_already_trashed",
                    "The shop_order has already been deleted.",
                    410,
                )
            rendered = self._render(req, order)
        self.store.delete_order(order.id, force=bool(force))
        return single(req, rendered)

    # ---- refunds ---------------------------------------------------------------------------

    def refunds(self, req: Req) -> Resp:
        p = validate(REFUND_ARGS, req.query)
        order_id = req.int_match("order_id")
        with self.store.lock:
            found = select([r for r in self.store.refunds.values() if r.order_id == order_id], p)
            key = (lambda r: r.id) if p["orderby"] == "id" else (lambda r: (r.date_created, r.id))
            found.sort(key=key, reverse=p["order"] == "desc")
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            order = self.store.orders.get(order_id)
            asked = _dp(req)
            dp = asked if asked is not None else _order_dp(order)
            rendered = [render_refund(r, req.home, dp) for r in page.items]
        link = dict(req.query)
        if rendered:
            set_param(link, "dp", p["dp"])
        return collection(req, page, p["page"], rendered, link)

    def refund(self, req: Req) -> Resp:
        order_id = req.int_match("order_id")
        refund_id = req.int_match("id")
        with self.store.lock:
            refund = self.store.refunds.get(refund_id)
            other = self.store.orders.get(refund_id)
            if refund is None and other is None:
                raise invalid_id("shop_order_refund")
            order = self.store.orders.get(order_id)
            if order is None:
                raise RestError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 500, 404)
            if refund is None or refund.order_id != order_id:
                raise RestError(
                    "woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.", 500, 404
                )
            asked = _dp(req)
            dp = asked if asked is not None else _order_dp(order)
            return single(req, render_refund(refund, req.home, dp))

    def create_refund(self, req: Req) -> Resp:
        body = req.params
        order_id = req.int_match("order_id")
        if order_id not in self.store.orders:
            raise RestError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 500, 404)
        amount = _decimal(body.get("amount", "0") or "0")
        if amount < 0:
            raise RestError(
                "woocommerce_rest_invalid_order_refund",
                "Refund amount must be greater than zero.",
                500,
                400,
            )
        lines = {
            int(li["id"]): int(li.get("quantity") or 0)
            for li in body.get("line_items") or []
            if isinstance(li, dict) and li.get("id")
        }
        lines = {k: v for k, v in lines.items() if v > 0}
        try:
            refund = self.store.refund_order(
                order_id, amount, lines=lines, reason=str(body.get("reason") or "")
            )
        except OrderError as exc:
            raise RestError(exc.code, exc.message, exc.status) from exc
        with self.store.lock:
            dp = _order_dp(self.store.orders.get(order_id))
            resp = single(req, render_refund(refund, req.home, dp), 201)
        resp.headers.append(
            ("Location", f"{req.home}/wp-json/wc/v3/orders/{order_id}/refunds/{refund.id}")
        )
        return resp


def _order_dp(order: Order | None) -> int:
    return decimals_for(order.currency) if order else 2


def _dicts(raw: Any) -> list[dict[str, Any]]:
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def _change(raw: dict[str, Any]) -> ItemChange:
    def amount(key: str) -> Decimal | None:
        return _decimal(raw[key]) if raw.get(key) not in (None, "") else None

    quantity = int(raw["quantity"]) if raw.get("quantity") is not None else None
    return ItemChange(quantity, amount("total"), amount("subtotal"))


def _decimal(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise RestError("woocommerce_rest_invalid_amount", "Invalid amount.", 400) from exc


__all__ = ["OrderRoutes"]
