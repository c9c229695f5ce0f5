"""Authentication on the wire: OAuth 1.0a as WooCommerce checks it, Basic, query keys, no leaks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from tests.woo.helpers import (
    KEY,
    SECRET,
    FakeStore,
    capture,
    captured_orders,
    client,
    walk,
    woocommerce_accepts,
)
from wooodoo.woo.auth import WooOAuth1, php_compatible_query


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("method", ["HMAC-SHA256", "HMAC-SHA1"])
@pytest.mark.parametrize(
    "query",
    [
        pytest.param("per_page=5&page=1", id="plain"),
        pytest.param("status=processing%2Ccompleted&include=1,2,3", id="comma-lists"),
        pytest.param("status[]=processing&status[]=completed", id="bracket-list"),
        pytest.param(
            "s[]=a&s[]=b&s[]=c&s[]=d&s[]=e&s[]=f&s[]=g&s[]=h&s[]=i&s[]=j&s[]=k",
            id="bracket-list-of-11",
        ),
        pytest.param(
            "modified_after=2026-11-26T15%3A37%3A34&dates_are_gmt=true&search=a+b%2Bc",
            id="dates-spaces-plus",
        ),
        pytest.param("oauth_signature=OLD&oauth_nonce=OLD&page=2", id="old-signature-in-url"),
    ],
)
def test_oauth_signature_validates_the_woocommerce_way(query: str, method: str) -> None:
    req = requests.Request("GET", f"http://shop.test:8080/wp-json/wc/v3/orders?{query}").prepare()
    signed = WooOAuth1(KEY, SECRET, method)(req)  # type: ignore[arg-type]
    assert woocommerce_accepts(signed.url or "", SECRET)
    assert not woocommerce_accepts(signed.url or "", SECRET + "x")
    assert "OLD" not in (signed.url or "")
    assert SECRET not in (signed.url or "")


def test_php_compatible_query_refuses_repeated_plain_keys() -> None:
    with pytest.raises(ValueError, match="repeated"):
        php_compatible_query("http://x/?a=1&a=2")


def test_every_attempt_is_signed_afresh_and_link_urls_are_not_followed(
    rsps: responses.RequestsMock,
) -> None:
    store = FakeStore(captured_orders())
    _, link_headers, _ = capture("oauth-http-orders-page1")
    store.faults = [(503, {"Content-Type": "text/html"}, b"<html>busy</html>")] * 2
    verified: list[bool] = []

    def check(request: requests.PreparedRequest) -> Any:
        verified.append(woocommerce_accepts(request.url or "", SECRET))
        return None

    store.check = check
    store.install(rsps, "http://shop.test")
    original = store._list

    def with_link(items: Any, q: Any) -> Any:
        status, headers, body = original(items, q)
        return status, {**headers, "Link": link_headers["Link"]}, body

    store._list = with_link  # type: ignore[method-assign]
    seen = walk(client("http://shop.test", "oauth1", per_page=5))
    assert len(seen) == len(captured_orders())
    assert verified
    assert all(verified)
    queries = [dict(parse_qsl(urlsplit(u).query)) for u in store.urls]
    nonces = [q["oauth_nonce"] for q in queries]
    assert len(set(nonces)) == len(nonces), "fresh nonce on every attempt, retries included"
    assert not any("status%5B0%5D=any" in u or "dp=2" in u for u in store.urls)


def test_basic_and_query_auth_on_the_wire(rsps: responses.RequestsMock) -> None:
    store = FakeStore(captured_orders())
    store.install(rsps, "https://shop.test")
    client(auth="basic").get_order(20)
    client(auth="query").get_order(20)
    basic, query = rsps.calls[0].request, rsps.calls[1].request
    assert basic.headers["Authorization"].startswith("Basic ")
    assert "consumer_key" not in (basic.url or "")
    assert dict(parse_qsl(urlsplit(query.url or "").query)) == {
        "dp": "6",
        "consumer_key": KEY,
        "consumer_secret": SECRET,
    }
    assert "Authorization" not in query.headers


def test_secrets_stay_out_of_logs_and_repr(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeStore(captured_orders())
    store.faults = [(502, {"Content-Type": "text/html"}, b"<html>x</html>")]
    store.install(rsps, "http://shop.test")
    for auth in ("query", "oauth1"):
        c = client("http://shop.test", auth)
        walk(c)
        assert KEY not in repr(c)
        assert SECRET not in repr(c._auth)
    assert "retrying WooCommerce GET" in caplog.text
    assert KEY not in caplog.text
    assert SECRET not in caplog.text


def test_plain_oauth1_signs_bracket_lists_as_woocommerce_does_not() -> None:
    from requests_oauthlib import OAuth1

    url = "http://shop.test:8080/wp-json/wc/v3/orders?status%5B%5D=a&status%5B%5D=b"
    plain = OAuth1(KEY, SECRET, signature_method="HMAC-SHA256", signature_type="query")
    signed = plain(requests.Request("GET", url).prepare())
    assert not woocommerce_accepts(signed.url or "", SECRET)
    ours = WooOAuth1(KEY, SECRET)(requests.Request("GET", url).prepare())
    assert woocommerce_accepts(ours.url or "", SECRET)
