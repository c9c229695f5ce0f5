"""Regression pins: the same seed and size give byte-for-byte the same shop and the same answers.

The digests were computed from the code before the sandbox was regrouped into woo/ and shop/;
a change here means generated data or the wire format changed, which a refactor must not do.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import pytest

from wooodoo.sandbox.shop import generate_store
from wooodoo.sandbox.shop.totals import decimals_for
from wooodoo.sandbox.woo import WooApp, WooKey
from wooodoo.sandbox.woo.render import render_customer, render_order, render_refund
from wooodoo.sandbox.woo.render_catalog import render_product, render_tax_rate, render_variation

BASE = "https://shop.test"
KEY = WooKey("ck_pinned_0123456789abcdef", "cs_pinned_secret_0123456789")


def store_digest(seed: int, orders: int, customers: int | None = None) -> str:
    """The records as kept (repr) and as rendered, and the next free ids."""
    store = generate_store(seed, orders, customers=customers)
    digest = hashlib.sha256()
    for name in (
        "tax_rates",
        "products",
        "variations",
        "coupons",
        "customers",
        "orders",
        "refunds",
    ):
        digest.update(name.encode())
        digest.update(repr(getattr(store, name)).encode())
    refunds = [
        render_refund(r, BASE, decimals_for(store.orders[r.order_id].currency))
        for r in store.refunds.values()
    ]
    variations = [
        render_variation(store.products[v.parent_id], v, BASE) for v in store.variations.values()
    ]
    rendered = {
        "orders": [render_order(o, store.refunds_of(o.id), BASE) for o in store.orders.values()],
        "refunds": refunds,
        "customers": [render_customer(c, BASE) for c in store.customers.values()],
        "products": [render_product(p, BASE, []) for p in store.products.values()],
        "variations": variations,
        "tax_rates": [render_tax_rate(t, BASE) for t in store.tax_rates],
        "next_ids": [
            store.post_ids.take(),
            store.item_ids.take(),
            store.meta_ids.take(),
            store.user_ids.take(),
        ],
    }
    digest.update(json.dumps(rendered, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("seed", "orders", "customers", "expected"),
    [
        (1, 300, None, "7e04c463696deb993bf733c5c8e2496890c9f2389ff7cf9bac7c0b35d9c26b4f"),
        (20261126, 60, None, "b221bfd1174795a0785e07d12b8e1aeb5578ea8a224bd21f43bda83e1736e90a"),
        (7, 500, 40, "6c96523c22780c6114fe320fabd22ddaabb432bca0b6d278b8959d507ef1f692"),
    ],
    ids=["sandbox-default", "woo-tests", "few-customers"],
)
def test_the_same_seed_and_size_give_the_pinned_shop(
    seed: int, orders: int, customers: int | None, expected: str
) -> None:
    assert store_digest(seed, orders, customers) == expected


# GET and OPTIONS only: nothing here changes the store or reads the wall clock
REQUESTS: tuple[str, ...] = (
    "GET /wp-json/",
    "GET /wp-json/wc/v3",
    "GET /wp-json/wc/v3/orders?per_page=100&orderby=id&order=asc",
    "GET /wp-json/wc/v3/orders?per_page=7&page=3&status=completed,refunded&dp=4",
    "GET /wp-json/wc/v3/orders?modified_after=2026-03-01T00:00:00&dates_are_gmt=true&_fields=id",
    "GET /wp-json/wc/v3/orders?search=example&orderby=include&include=34,28,30",
    "GET /wp-json/wc/v3/orders?per_page=0&page=x&status=nope&after=yesterday&include=a",
    "GET /wp-json/wc/v3/orders/30",
    "GET /wp-json/wc/v3/orders/999999",
    "GET /wp-json/wc/v3/orders/31/refunds",
    "GET /wp-json/wc/v3/orders/33/refunds/38?dp=3",
    "GET /wp-json/wc/v3/orders/31/refunds/38",
    "GET /wp-json/wc/v3/customers?per_page=100&role=all&orderby=registered_date",
    "GET /wp-json/wc/v3/customers?email=nope&role=king",
    "GET /wp-json/wc/v3/customers?search=example&orderby=name&order=desc&per_page=5&page=2",
    "GET /wp-json/wc/v3/customers/2",
    "GET /wp-json/wc/v3/products?per_page=100",
    "GET /wp-json/wc/v3/products?sku=ESP-1KG,PAD-18&_fields=id,name,sku",
    "GET /wp-json/wc/v3/products?search=coffee&order=asc&exclude=11",
    "GET /wp-json/wc/v3/products/11",
    "GET /wp-json/wc/v3/products/15/variations",
    "GET /wp-json/wc/v3/products/15/variations/17",
    "GET /wp-json/wc/v3/taxes?per_page=100",
    "GET /wp-json/wc/v3/taxes/3",
    "GET /wp-json/wc/v3/taxes/classes",
    "GET /wp-json/wc/v3/webhooks?orderby=id&order=asc",
    "GET /wp-json/wc/v3/webhooks?status=sleeping",
    "GET /wp-json/wc/v3/system_status",
    "GET /wp-json/wc/v3/settings/general",
    "GET /wp-json/wc/v3/settings/tax",
    "OPTIONS /wp-json/wc/v3/orders",
    "GET /wp-json/wc/v3/nowhere",
    "GET /shop/",
)


def answer(app: WooApp, line: str, *, authorized: bool) -> tuple[list[Any], bytes]:
    """One request through the WSGI app: ``([status, headers], body)``."""
    method, _, target = line.partition(" ")
    path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "HTTP_HOST": "shop.test",
    }
    if authorized:
        credentials = f"{KEY.consumer_key}:{KEY.consumer_secret}".encode()
        environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(credentials).decode()
    seen: list[Any] = []
    body = b"".join(app(environ, lambda status, headers: seen.extend([status, headers])))
    if len(seen) == 2:  # the store's clock (Date) is the wall clock: not pinned
        seen[1] = [(k, v) for k, v in seen[1] if k != "Date"]
    return seen, body


def answers_digest(app: WooApp, *, authorized: bool) -> str:
    digest = hashlib.sha256()
    for line in REQUESTS:
        seen, body = answer(app, line, authorized=authorized)
        digest.update(repr((line, seen)).encode())
        digest.update(body)
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("authorized", "expected"),
    [
        (True, "f82ce1dd122014c80baf320abf3756051024762ebeb65be71756c45c7db3b6df"),
        (False, "11cc7d62d2afba50b6ea5b32cadfe2c10861bdb6b8d75559e09507392676ade0"),
    ],
    ids=["with-key", "anonymous"],
)
def test_the_woocommerce_look_alike_answers_as_pinned(authorized: bool, expected: str) -> None:
    app = WooApp(generate_store(20261126, 60), [KEY], home_url=BASE)
    try:
        assert answers_digest(app, authorized=authorized) == expected
    finally:
        app.close()
