"""Requests, responses and collection paging of the WooCommerce look-alike, WordPress-style."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wooodoo.sandbox.woo.auth import WooKey
from wooodoo.sandbox.woo.php import add_query_arg, add_query_args, parse_str

JSONish = Any
REST_PREFIX = "/wp-json"


@dataclass
class Req:
    method: str
    route: str  # path after /wp-json, e.g. /wc/v3/orders/42
    query: dict[str, Any]  # PHP-parsed query string; sanitized values replace raw ones
    body: dict[str, Any]  # JSON or form body
    home: str  # site home URL, e.g. https://127.0.0.1:8443
    key: WooKey | None = None
    match: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """What ``$request[...]`` sees: body values win over the query string."""
        return {**self.query, **self.body}

    def int_match(self, name: str) -> int:
        return int(self.match[name])


@dataclass
class Resp:
    status: int
    body: JSONish
    headers: list[tuple[str, str]] = field(default_factory=list)


class RestError(Exception):
    """A ``WP_Error`` turned into a response: ``{"code", "message", "data": {"status"}}``."""

    def __init__(self, code: str, message: str, status: int, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = {"status": status} if data is None else data

    def response(self) -> Resp:
        return Resp(self.status, {"code": self.code, "message": self.message, "data": self.data})


def invalid_id(post_type: str) -> RestError:
    """An id that is no post of that type (orders, refunds, webhooks)."""
    return RestError(f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.", 404)


def invalid_resource_id() -> RestError:
    """An id that is no customer or tax rate (they are not posts)."""
    return RestError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)


def no_route() -> RestError:
    return RestError(
        "rest_no_route", "No route was found matching the URL and request method.", 404
    )


def filter_fields(item: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """``rest_filter_response_fields``: keep listed keys (``a.b`` reaches into objects)."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        nested = [f[len(key) + 1 :] for f in fields if f.startswith(key + ".")]
        if key in fields:
            out[key] = value
        elif nested and isinstance(value, dict):
            out[key] = filter_fields(value, nested)
    return out


def requested_fields(req: Req) -> list[str] | None:
    raw = req.query.get("_fields")
    if raw is None:
        return None
    values = raw if isinstance(raw, list) else str(raw).split(",")
    return [v.strip() for v in values if str(v).strip()]


def select(items: list[Any], p: dict[str, Any]) -> list[Any]:
    """The ``include`` and ``exclude`` arguments of a collection: ids to keep, ids to drop."""
    if p.get("include"):
        items = [i for i in items if i.id in p["include"]]
    return [i for i in items if i.id not in (p.get("exclude") or [])]


@dataclass
class Page:
    total: int
    pages: int
    items: list[Any]


def paginate(items: Sequence[Any], page: int, per_page: int, offset: int | None) -> Page:
    start = offset if offset is not None else (page - 1) * per_page
    total = len(items)
    return Page(
        total, math.ceil(total / per_page) if per_page else 0, list(items[start : start + per_page])
    )


def collection(
    req: Req,
    page: Page,
    page_number: int,
    rendered: list[Any],
    link_params: dict[str, Any],
) -> Resp:
    """A list response with ``X-WP-Total``/``X-WP-TotalPages`` and WooCommerce's ``Link``."""
    fields = requested_fields(req)
    body = [filter_fields(r, fields) for r in rendered] if fields is not None else rendered
    headers = [("X-WP-Total", str(page.total)), ("X-WP-TotalPages", str(page.pages))]
    base = add_query_args(link_params, f"{req.home}{REST_PREFIX}{req.route}")
    links = []
    if page_number > 1:
        previous = min(page_number - 1, page.pages)
        links.append(f'<{add_query_arg("page", previous, base)}>; rel="prev"')
    if page.pages > page_number:
        links.append(f'<{add_query_arg("page", page_number + 1, base)}>; rel="next"')
    if links:
        headers.append(("Link", ", ".join(links)))
    return Resp(200, body, headers)


def single(req: Req, item: dict[str, Any], status: int = 200) -> Resp:
    fields = requested_fields(req)
    return Resp(status, filter_fields(item, fields) if fields is not None else item)


def set_param(params: dict[str, Any], key: str, value: Any) -> None:
    """``WP_REST_Request::set_param``: an existing key keeps its place, a new one goes last."""
    params[key] = value


def query_of(environ: dict[str, Any]) -> dict[str, Any]:
    return parse_str(str(environ.get("QUERY_STRING", "")))


Handler = Callable[[Req], Resp]
