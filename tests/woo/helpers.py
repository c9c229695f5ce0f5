"""Test helpers for the WooCommerce client: captured responses, a store behind `responses`,
and WooCommerce's own OAuth 1.0a check re-done from its documented steps."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests
import responses

from wooodoo.http import RetryPolicy
from wooodoo.woo.client import WooClient
from wooodoo.woo.pagination import woo_utc

REST = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce" / "rest"
KEY = "ck_3f1c0ffee5ecret0key000000000000000000ab"
SECRET = "cs_9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e"
JSON = "application/json; charset=UTF-8"
START = datetime(2026, 11, 1, tzinfo=UTC)


def capture(name: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one captured response."""
    status, headers = 0, {}
    for line in (REST / f"{name}.headers.txt").read_text().splitlines():
        if line.startswith("HTTP "):
            status = int(line.split()[1])
        elif ": " in line and not line.startswith("#"):
            k, v = line.split(": ", 1)
            headers[k] = v
    return status, headers, (REST / f"{name}.body.json").read_bytes()


def captured_orders() -> list[dict[str, Any]]:
    """Every full order in the captures, one per id (order 44 was deleted in the store)."""
    found: dict[int, dict[str, Any]] = {}
    for path in sorted(REST.glob("*.body.json")):
        data = json.loads(path.read_bytes())
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and "order_key" in item and item["id"] != 44:
                found.setdefault(item["id"], item)
    return [found[i] for i in sorted(found)]


def quiet_retry() -> RetryPolicy:
    return RetryPolicy(attempts=4, total_seconds=30, base_delay=0.01, sleep=lambda s: None)


# ---------------------------------------------------------------- a store behind `responses`


class FakeStore:
    """Answers like WooCommerce's v3 list endpoints for a set of raw orders.

    Strict ``modified_after``/``modified_before`` on the GMT column, ``orderby=modified``
    with ties in random order (MySQL leaves them undefined), ``orderby=id``, paging and
    ``X-WP-Total``. ``faults`` are served first, one per request.
    """

    def __init__(self, orders: list[dict[str, Any]], seed: int = 0) -> None:
        self.orders = {o["id"]: o for o in orders}
        self.customers: list[dict[str, Any]] = []
        self.faults: list[tuple[int, dict[str, str], bytes]] = []
        self.check: Callable[[requests.PreparedRequest], tuple[int, dict[str, str], bytes] | None]
        self.check = lambda request: None
        self.between: Callable[[int], None] = lambda n: None
        self.urls: list[str] = []
        self._rng = random.Random(seed)

    def install(self, rsps: responses.RequestsMock, base: str) -> None:
        rsps.add_callback(
            responses.GET, re.compile(re.escape(base) + r"/wp-json/wc/v3/.*"), callback=self
        )

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        self.urls.append(request.url or "")
        self.between(len(self.urls))
        if self.faults:
            return self.faults.pop(0)
        refused = self.check(request)
        if refused is not None:
            return refused
        parts = urlsplit(request.url or "")
        path = parts.path.split("/wp-json/wc/v3/", 1)[1]
        q = dict(parse_qsl(parts.query))
        if path == "orders":
            return self._list(list(self.orders.values()), q)
        if path == "customers":
            return self._list(self.customers, q)
        if m := re.fullmatch(r"orders/(\d+)", path):
            if int(m[1]) in self.orders:
                return 200, {"Content-Type": JSON}, json.dumps(self.orders[int(m[1])]).encode()
            return capture("error-404-order")
        return capture("error-404-route")

    def _list(
        self, items: list[dict[str, Any]], q: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        def gmt(o: dict[str, Any], field: str) -> str:
            return str(o.get(field, ""))

        if "include" in q:
            wanted = {int(i) for i in q["include"].split(",")}
            items = [o for o in items if o["id"] in wanted]
        if "status" in q:
            items = [o for o in items if o.get("status") in q["status"].split(",")]
        if "modified_after" in q:
            assert q.get("dates_are_gmt") == "true"
            assert not q["modified_after"].endswith("Z")
            items = [o for o in items if gmt(o, "date_modified_gmt") > q["modified_after"]]
        if "modified_before" in q:
            items = [o for o in items if gmt(o, "date_modified_gmt") < q["modified_before"]]
        if q.get("orderby") == "modified":
            items = sorted(items, key=lambda o: (gmt(o, "date_modified_gmt"), self._rng.random()))
        elif q.get("orderby") in ("id", "registered_date", None):
            items = sorted(items, key=lambda o: o["id"])
        per_page, page = int(q.get("per_page", 10)), int(q.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {
            "Content-Type": JSON,
            "X-WP-Total": str(len(items)),
            "X-WP-TotalPages": str(-(-len(items) // per_page)),
        }
        return 200, headers, json.dumps(chunk).encode()


def variant(order: dict[str, Any], order_id: int, modified: datetime) -> dict[str, Any]:
    out = copy.deepcopy(order)
    out["id"] = out["number"] = order_id
    out["number"] = str(order_id)
    out["date_modified_gmt"] = woo_utc(modified)
    return out


def client(base: str = "https://shop.test", auth: str = "basic", **kw: Any) -> WooClient:
    kw.setdefault("retry", quiet_retry())
    return WooClient(base, auth=auth, consumer_key=KEY, consumer_secret=SECRET, **kw)  # type: ignore[arg-type]


def walk(c: WooClient, **kw: Any) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []
    for page in c.iter_order_pages(modified_after=kw.pop("after", START), **kw):
        assert page.orders or page.rejected
        seen += [(o.id, o.version) for o in page.orders]
        assert all(o.date_modified <= page.cursor for o in page.orders)
    return seen


def serve(rsps: responses.RequestsMock, name: str, path: str = "orders") -> None:
    status, headers, body = capture(name)
    headers.pop("Content-Length", None)
    headers.pop("Transfer-Encoding", None)
    rsps.get(
        re.compile(rf"https?://shop\.test/wp-json/wc/v3/{path}(\?.*)?$"),
        status=status,
        body=body,
        headers=headers,
    )


# ---------------------------------------------------------------- WooCommerce's OAuth check


def rfc3986(text: str) -> str:
    return quote(text, safe="-_.~")


def php_get(query: str) -> dict[str, Any]:
    """``$_GET`` as PHP builds it: ``a[]``/``a[k]`` become arrays, a repeated key keeps the last."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        m = re.fullmatch(r"([^\[]+)\[([^\]]*)\]", key)
        if m is None:
            out[key] = value
            continue
        arr = out.setdefault(m[1], {})
        index = m[2] if m[2] != "" else str(sum(1 for k in arr if k.isdigit()))
        arr[str(int(index)) if index.isdigit() and index == str(int(index)) else index] = value
    return out


def woocommerce_accepts(url: str, secret: str, method: str = "GET") -> bool:
    """WC_REST_Authentication::check_oauth_signature, re-done from its documented steps."""
    parts = urlsplit(url)
    params = php_get(parts.query)
    signature = params.pop("oauth_signature")
    base_uri = rfc3986(f"{parts.scheme}://{parts.netloc}{parts.path}")

    def join(items: dict[str, Any], prefix: str = "") -> list[str]:
        out: list[str] = []
        for k, v in items.items():
            key = f"{prefix}%5B{k}%5D" if prefix else rfc3986(k)
            if isinstance(v, dict):
                out += join(v, key)
            else:
                out.append(rfc3986(f"{key}={rfc3986(v)}"))
        return out

    ordered = dict(sorted(params.items()))  # uksort strcmp on the top-level keys
    to_sign = f"{method}&{base_uri}&{'%26'.join(join(ordered))}"
    algo = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}[
        params["oauth_signature_method"]
    ]
    expected = base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), algo).digest())
    return hmac.compare_digest(expected.decode(), signature)
