"""The look-alike answers each captured request the way the real store did: status, headers, shape.

For every capture in fixtures/woocommerce/rest that the sandbox serves, the equivalent request
(ids and dates taken from the generated store) goes over the wire and the answer is compared
with the captured one. Errors must match byte for byte. Not compared: coupons, payment gateways
and order notes, which the sandbox does not serve.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus, unquote
from zoneinfo import ZoneInfo

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from tests.sandbox.conftest import (
    WOO_FIXTURES,
    WOO_KEY,
    WOO_READ_KEY,
    WooServed,
    woo_capture,
    woo_header_diff,
    woo_shape_diff,
)
from wooodoo.sandbox.shop import StoreData
from wooodoo.sandbox.shop.model import Order

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Call:
    path: str  # after /wp-json/wc/v3/
    method: str = "GET"
    auth: str = "basic"  # basic | none | wrong-secret | unknown-key | read-key | query | oauth...
    http: bool = False  # plain HTTP instead of HTTPS
    json: dict[str, Any] | None = None
    oauth_method: str = SIGNATURE_HMAC_SHA256
    setup: Callable[[WooServed], None] | None = None
    then: list[Call] = field(default_factory=list)


def _orders(store: StoreData, test: Callable[[Order], bool]) -> Order:
    with store.lock:
        return next(o for o in store.orders.values() if test(o))


def _guest_sharing_email(store: StoreData) -> Order:
    emails = {c.email.casefold() for c in store.customers.values()}
    return _orders(
        store,
        lambda o: (
            o.customer_id == 0
            and o.billing["email"].casefold() in emails
            and o.billing["email"] not in {c.email for c in store.customers.values()}
        ),
    )


def _last_page(store: StoreData) -> int:
    return -(-sum(1 for o in store.orders.values() if o.status != "trash") // 5)


def _cut(store: StoreData) -> Any:
    """A modification time with ten orders changed after it."""
    stamps = sorted({o.date_modified for o in store.orders.values()}, reverse=True)
    return stamps[10]


def _local(when: Any) -> str:
    return when.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M:%S")


def _gmt(when: Any) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _offset(when: Any) -> str:
    local = when.astimezone(BERLIN)
    return _local(when) + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def _single(test: Callable[[Order], bool]) -> Callable[[StoreData], Call]:
    return lambda store: Call(f"orders/{_orders(store, test).id}")


def _has_line_refund(o: Order, store: StoreData) -> bool:
    return any(store.refunds[r].line_items for r in o.refund_ids)


def _webhooks(served: WooServed) -> None:
    for topic in ("order.created", "order.updated"):
        served.app.webhooks.create(
            name=f"Odoo sync - {topic}",
            topic=topic,
            delivery_url="http://127.0.0.1:9/hook",
            secret="whsec-1",
        )


READS: dict[str, Callable[[StoreData], Call]] = {
    "orders-page1-per_page5": lambda s: Call("orders?per_page=5&page=1"),
    "orders-page2-per_page5": lambda s: Call("orders?per_page=5&page=2"),
    "orders-page5-per_page5-last": lambda s: Call(f"orders?per_page=5&page={_last_page(s)}"),
    "orders-page9-beyond-last": lambda s: Call(f"orders?per_page=5&page={_last_page(s) + 4}"),
    "orders-status-completed": lambda s: Call("orders?status=completed&per_page=100"),
    "orders-status-multi": lambda s: Call("orders?status=on-hold%2Ccancelled&per_page=100"),
    "orders-customer-2": lambda s: Call(
        f"orders?customer={_orders(s, lambda o: o.customer_id > 0).customer_id}"
    ),
    "orders-orderby-modified-asc": lambda s: Call(
        "orders?orderby=modified&order=asc&per_page=100"
        "&_fields=id%2Cstatus%2Cdate_modified%2Cdate_modified_gmt"
    ),
    "orders-modified_after-local": lambda s: Call(
        f"orders?modified_after={quote(_local(_cut(s)))}&per_page=50"
    ),
    "orders-modified_after-gmt": lambda s: Call(
        f"orders?modified_after={quote(_gmt(_cut(s)))}&dates_are_gmt=true&per_page=50"
    ),
    "orders-modified_after-with-Z": lambda s: Call(
        f"orders?modified_after={quote(_gmt(_cut(s)) + 'Z')}&per_page=50"
    ),
    "orders-modified_after-Z-and-dates_are_gmt": lambda s: Call(
        f"orders?modified_after={quote(_gmt(_cut(s)) + 'Z')}&dates_are_gmt=true&per_page=50"
    ),
    "orders-modified_after-offset": lambda s: Call(
        f"orders?modified_after={quote(_offset(_cut(s)), safe='')}&per_page=50"
    ),
    "order-registered-coupon-completed": _single(
        lambda o: o.customer_id > 0 and bool(o.coupon_lines) and o.status == "completed"
    ),
    "order-fee-and-gift-wrap": _single(
        lambda o: bool(o.fee_lines) and any(li.variation_id for li in o.line_items)
    ),
    "order-guest-same-email-as-customer": lambda s: Call(f"orders/{_guest_sharing_email(s).id}"),
    "order-guest": _single(lambda o: o.customer_id == 0 and o.payment_method == "cod"),
    "order-refunded-full": _single(lambda o: o.status == "refunded"),
    "order-partial-refund-negative-fee": _single(
        lambda o: any(f.total < 0 for f in o.fee_lines) and bool(o.refund_ids)
    ),
    "order-us-no-tax-virtual": _single(
        lambda o: o.billing["country"] == "US" and any(li.sku == "GIFT-25" for li in o.line_items)
    ),
    "order-reduced-rate-be-coupon": _single(
        lambda o: o.billing["country"] == "BE" and bool(o.coupon_lines)
    ),
    "order-no-shipping-lines": _single(lambda o: not o.shipping_lines),
    "order-refunds-partial": lambda s: Call(
        f"orders/{_orders(s, lambda o: _has_line_refund(o, s)).id}/refunds"
    ),
    "order-refunds-full": lambda s: Call(
        f"orders/{_orders(s, lambda o: o.status == 'refunded').id}/refunds"
    ),
    "order-refund-single": lambda s: Call(
        "orders/{0.id}/refunds/{0.refund_ids[0]}".format(
            _orders(s, lambda o: _has_line_refund(o, s))
        )
    ),
    "customers": lambda s: Call("customers?per_page=100"),
    "customers-all-roles": lambda s: Call("customers?role=all&per_page=100"),
    "customer-single": lambda s: Call(
        f"customers/{next(c.id for c in s.customers.values() if c.date_modified and c.id > 1)}"
    ),
    "customers-email-filter": lambda s: Call(
        f"customers?email={quote(next(c.email for c in s.customers.values() if c.id > 1))}"
    ),
    "products": lambda s: Call("products?per_page=20"),
    "product-variations": lambda s: Call(
        f"products/{next(p.id for p in s.products.values() if p.variations)}/variations"
    ),
    "products-by-sku": lambda s: Call("products?sku=ESP-1KG"),
    "taxes": lambda s: Call("taxes"),
    "taxes-classes": lambda s: Call("taxes/classes"),
    "settings-general": lambda s: Call("settings/general"),
    "system-status-settings-only": lambda s: Call(
        "system_status?_fields=environment%2Csettings%2Cdatabase"
    ),
    "webhooks": lambda s: Call("webhooks", setup=_webhooks),
    "error-401-bad-secret-https": lambda s: Call("orders", auth="wrong-secret"),
    "error-401-unknown-key-https": lambda s: Call("orders", auth="unknown-key"),
    "error-401-no-auth-https": lambda s: Call("orders", auth="none"),
    "error-401-basic-over-http": lambda s: Call("orders", http=True),
    "error-401-query-keys-over-http": lambda s: Call("orders", auth="query", http=True),
    "error-401-oauth-bad-signature-http": lambda s: Call("orders", auth="oauth-wrong", http=True),
    "error-401-read-only-key-write": lambda s: Call(
        f"orders/{min(s.orders)}", "PUT", auth="read-key", json={"status": "completed"}
    ),
    "error-404-order": lambda s: Call("orders/999999"),
    "error-404-refund": lambda s: Call(f"orders/{min(s.orders)}/refunds/999999"),
    "error-404-route": lambda s: Call("orderz"),
    "error-400-per_page-too-big": lambda s: Call("orders?per_page=500"),
    "error-400-bad-status": lambda s: Call("orders?status=shipped"),
    "error-400-bad-date": lambda s: Call("orders?modified_after=yesterday"),
    "error-400-create-bad-status": lambda s: Call("orders", "POST", json={"status": "shipped"}),
    "oauth-http-orders-page1": lambda s: Call("orders?per_page=5&page=1", auth="oauth", http=True),
    "oauth-http-order-single-sha1": lambda s: Call(
        f"orders/{min(s.orders)}", auth="oauth", http=True, oauth_method=SIGNATURE_HMAC_SHA1
    ),
    "create-order-nonexistent-product-accepted-201": lambda s: Call(
        "orders", "POST", json={"line_items": [{"product_id": 999999, "quantity": 1}]}
    ),
}


def send(served: WooServed, call: Call) -> requests.Response:
    base = served.http_url if call.http else served.https_url
    key = WOO_READ_KEY if call.auth == "read-key" else WOO_KEY
    session = served.session(None)
    if call.auth in ("basic", "read-key"):
        session.auth = (key.consumer_key, key.consumer_secret)
    elif call.auth == "wrong-secret":
        session.auth = (key.consumer_key, "cs_not_the_secret")
    elif call.auth == "unknown-key":
        session.auth = ("ck_unknown", key.consumer_secret)
    elif call.auth == "query":
        session.params = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    elif call.auth.startswith("oauth"):
        secret = "cs_wrong" if call.auth == "oauth-wrong" else key.consumer_secret
        session.auth = OAuth1(
            key.consumer_key, secret, signature_method=call.oauth_method, signature_type="query"
        )
    with session:
        return session.request(
            call.method, f"{base}/wp-json/wc/v3/{call.path}", json=call.json, timeout=10
        )


CAPTURED_ERRORS = sorted(name for name in READS if name.startswith("error-"))


def compare(served: WooServed, name: str, call: Call) -> tuple[requests.Response, list[str]]:
    meta, expected = woo_capture(name)
    if call.setup:
        call.setup(served)
    response = send(served, call)
    diffs = []
    if response.status_code != meta["status"]:
        diffs.append(f"status: expected {meta['status']}, got {response.status_code}")
    diffs += woo_header_diff(meta["headers"], response.headers)
    diffs += woo_shape_diff(expected, response.json())
    return response, diffs


@pytest.mark.parametrize("name", sorted(n for n in READS if not n.startswith("create-")))
def test_answers_like_the_captured_store(woo_shared: WooServed, name: str) -> None:
    _, diffs = compare(woo_shared, name, READS[name](woo_shared.store))
    assert diffs == [], f"{name}:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", CAPTURED_ERRORS)
def test_error_bodies_are_byte_identical(woo_shared: WooServed, name: str) -> None:
    response = send(woo_shared, READS[name](woo_shared.store))
    assert response.content == (WOO_FIXTURES / "rest" / f"{name}.body.json").read_bytes()


def test_create_then_force_delete_like_the_captures(woo_served: WooServed) -> None:
    name = "create-order-nonexistent-product-accepted-201"
    response, diffs = compare(woo_served, name, READS[name](woo_served.store))
    assert diffs == [], "\n".join(diffs)
    created = response.json()
    assert created["status"] == "pending"
    assert created["total"] == "0.00"
    assert created["line_items"][0]["product_id"] == 0
    assert created["line_items"][0]["sku"] is None
    assert response.headers["Location"].endswith(f"/wp-json/wc/v3/orders/{created['id']}")
    meta, expected = woo_capture("delete-bogus-order-force")
    deleted = send(woo_served, Call(f"orders/{created['id']}?force=true", "DELETE"))
    assert deleted.status_code == meta["status"]
    assert woo_header_diff(meta["headers"], deleted.headers) == []
    assert woo_shape_diff(expected, deleted.json()) == []
    assert deleted.json()["id"] == created["id"]
    assert woo_served.get(f"orders/{created['id']}").status_code == 404


def test_bodies_are_encoded_like_wp_json_encode(woo_shared: WooServed) -> None:
    """Slashes escaped, non-ASCII as lowercase \\uXXXX, no spaces, like the raw captures."""
    order = _orders(
        woo_shared.store,
        lambda o: any(ord(ch) > 127 for ch in o.billing["city"] + o.billing["last_name"]),
    )
    raw = woo_shared.get(f"orders/{order.id}").content
    assert b'"payment_url":"https:\\/\\/127.0.0.1:' in raw
    assert b"\\u20ac" in raw or order.currency != "EUR"
    assert all(byte < 128 for byte in raw)
    assert b'", "' not in raw
    assert b'": ' not in raw
    assert json.loads(raw)["billing"]["city"] == order.billing["city"]


def test_link_header_repeats_the_query_like_the_capture(woo_shared: WooServed) -> None:
    meta, _ = woo_capture("orders-page2-per_page5")
    response = woo_shared.get("orders?per_page=5&page=2")
    expected = meta["headers"]["Link"].replace("https://127.0.0.1:8443", woo_shared.https_url)
    assert response.headers["Link"] == expected


def test_oauth_link_repeats_the_signature_the_way_wordpress_mangles_it(
    woo_shared: WooServed,
) -> None:
    """As captured: the signature comes back re-encoded, ``+`` kept, the ``=`` padding dropped."""
    response = send(woo_shared, READS["oauth-http-orders-page1"](woo_shared.store))
    assert response.status_code == 200
    sent = dict(p.split("=", 1) for p in response.request.url.split("?", 1)[1].split("&"))
    signature = unquote(sent["oauth_signature"])
    mangled = quote_plus(signature.rstrip("=").replace("+", " "), safe="")
    link = response.headers["Link"]
    assert f"oauth_signature={mangled}&status%5B0%5D=any&dp=2&context=view>" in link
    assert link.startswith(f"<{woo_shared.http_url}/wp-json/wc/v3/orders?per_page=5&page=2&")


def _naive(when: datetime, zone: Any) -> datetime:
    return when.astimezone(zone).replace(tzinfo=None)


def test_modified_after_forms_and_the_z_pitfall(woo_shared: WooServed) -> None:
    """Local, GMT, Z and offset forms pick the orders changed after the cut; a Z together with
    dates_are_gmt=true is read as site time and compared with the GMT column: nothing comes back
    when the cut is within the UTC offset of the last change (as in the capture)."""
    store = woo_shared.store
    latest = max(o.date_modified for o in store.orders.values())
    cut = latest - timedelta(minutes=30)
    local_cut, gmt_cut = _naive(cut, BERLIN), _naive(cut, UTC)
    forms = {
        "local": f"modified_after={quote(_local(cut))}",
        "gmt": f"modified_after={quote(_gmt(cut))}&dates_are_gmt=true",
        "z": f"modified_after={quote(_gmt(cut) + 'Z')}",
        "offset": f"modified_after={quote(_offset(cut), safe='')}",
        "z-and-gmt": f"modified_after={quote(_gmt(cut) + 'Z')}&dates_are_gmt=true",
    }
    found = {}
    for name, query in forms.items():
        response = woo_shared.get(f"orders?{query}&per_page=100")
        assert response.status_code == 200, response.text
        found[name] = {o["id"] for o in response.json()}
    after_local = {
        o.id for o in store.orders.values() if _naive(o.date_modified, BERLIN) > local_cut
    }
    after_gmt = {o.id for o in store.orders.values() if _naive(o.date_modified, UTC) > gmt_cut}
    assert found["local"] == found["z"] == found["offset"] == after_local
    assert found["gmt"] == after_gmt
    assert after_gmt
    assert found["z-and-gmt"] == set()
