"""Who may call the WooCommerce look-alike: Basic and query keys on HTTPS, OAuth 1.0a on HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_AUTH_HEADER
from requests_oauthlib import OAuth1

from tests.sandbox.conftest import WOO_KEY, WOO_READ_KEY, WooServed
from wooodoo.sandbox.woo import WooKey

CANNOT_LIST = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}


def auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> Any:
    return {"code": code, "message": message, "data": {"status": 401}}


def oauth(key: WooKey = WOO_KEY, method: str = SIGNATURE_HMAC_SHA256, **kwargs: Any) -> OAuth1:
    kwargs.setdefault("signature_type", "query")
    return OAuth1(
        key.consumer_key,
        kwargs.pop("secret", key.consumer_secret),
        signature_method=method,
        **kwargs,
    )


def call(
    served: WooServed,
    path: str,
    *,
    http: bool = False,
    auth: Any = None,
    params: dict[str, str] | None = None,
    method: str = "GET",
    **kwargs: Any,
) -> requests.Response:
    with served.session(None) as session:
        base = served.http_url if http else served.https_url
        return session.request(
            method, f"{base}/wp-json/wc/v3/{path}", auth=auth, params=params, timeout=10, **kwargs
        )


BASIC = (WOO_KEY.consumer_key, WOO_KEY.consumer_secret)
QUERY = {"consumer_key": WOO_KEY.consumer_key, "consumer_secret": WOO_KEY.consumer_secret}


def test_basic_and_query_keys_work_over_https(woo_shared: WooServed) -> None:
    for response in (
        call(woo_shared, "orders", auth=BASIC),
        call(woo_shared, "orders", params=QUERY),
    ):
        assert response.status_code == 200
        assert response.headers["Allow"] == "GET, POST"
        assert len(response.json()) == 10


@pytest.mark.parametrize("how", ["basic", "query"])
def test_basic_and_query_keys_are_ignored_over_http(woo_shared: WooServed, how: str) -> None:
    response = call(
        woo_shared,
        "orders",
        http=True,
        auth=BASIC if how == "basic" else None,
        params=QUERY if how == "query" else None,
    )
    assert response.status_code == 401
    assert response.json() == CANNOT_LIST
    assert "Allow" not in response.headers
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize("method", [SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256])
@pytest.mark.parametrize("placement", ["query", SIGNATURE_TYPE_AUTH_HEADER])
def test_oauth_over_http(woo_shared: WooServed, method: str, placement: str) -> None:
    response = call(
        woo_shared,
        "orders",
        http=True,
        params={
            "status": "on-hold,completed",
            "modified_after": "2026-03-01T10:00:00",
            "per_page": "3",
        },
        auth=oauth(method=method, signature_type=placement),
    )
    assert response.status_code == 200, response.text
    assert {o["status"] for o in response.json()} <= {"on-hold", "completed"}


def test_oauth_also_works_over_https_without_basic_auth(woo_shared: WooServed) -> None:
    assert (
        call(woo_shared, "orders/" + str(min(woo_shared.store.orders)), auth=oauth()).status_code
        == 200
    )


def test_oauth_wrong_secret_unknown_key_and_missing_parts(woo_shared: WooServed) -> None:
    wrong = call(woo_shared, "orders", http=True, auth=oauth(secret="cs_wrong"))
    assert wrong.status_code == 401
    assert wrong.json() == auth_error("Invalid signature - provided signature does not match.")
    unknown = call(woo_shared, "orders", http=True, auth=oauth(WooKey("ck_nobody", "cs_nobody")))
    assert unknown.json() == auth_error("Consumer key is invalid.")
    partial = call(
        woo_shared,
        "orders",
        http=True,
        params={"oauth_consumer_key": WOO_KEY.consumer_key, "oauth_nonce": "abc"},
    )
    assert partial.json() == auth_error(
        "Missing OAuth parameters oauth_timestamp, oauth_signature, oauth_signature_method",
        code="woocommerce_rest_authentication_missing_parameter",
    )


def test_oauth_nonce_cannot_be_replayed(woo_shared: WooServed) -> None:
    with woo_shared.session(None) as session:
        request = requests.Request(
            "GET",
            f"{woo_shared.http_url}/wp-json/wc/v3/orders",
            auth=oauth(nonce="replayed-nonce-0001"),
        )
        prepared = session.prepare_request(request)
        first = session.send(prepared, timeout=10)
        second = session.send(prepared, timeout=10)
    assert first.status_code == 200
    assert second.status_code == 401
    assert second.json() == auth_error("Invalid nonce - nonce has already been used.")


def test_oauth_timestamp_must_be_within_fifteen_minutes(woo_shared: WooServed) -> None:
    stale = str(int(time.time()) - 16 * 60)
    response = call(woo_shared, "orders", http=True, auth=oauth(timestamp=stale))
    assert response.json() == auth_error("Invalid timestamp.")


def test_bracket_lists_break_the_signature_as_on_a_real_store(woo_shared: WooServed) -> None:
    """PHP reads status[]=a as status[0]=a and signs that; a standard client signs status[]."""
    response = call(
        woo_shared, "orders?status[]=completed&status[]=on-hold", http=True, auth=oauth()
    )
    assert response.json() == auth_error("Invalid signature - provided signature does not match.")
    fine = call(woo_shared, "orders?status[0]=completed&status[1]=on-hold", http=True, auth=oauth())
    assert fine.status_code == 200


def test_keys_and_secrets_over_https(woo_shared: WooServed) -> None:
    bad_secret = call(woo_shared, "orders", auth=(WOO_KEY.consumer_key, "cs_wrong"))
    assert bad_secret.status_code == 401
    assert bad_secret.json() == auth_error("Consumer secret is invalid.")
    assert "WWW-Authenticate" not in bad_secret.headers
    unknown = call(woo_shared, "orders", auth=("ck_unknown", "cs_unknown"))
    assert unknown.json() == CANNOT_LIST
    nobody = call(woo_shared, f"orders/{min(woo_shared.store.orders)}")
    assert nobody.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot view this resource.",
        "data": {"status": 401},
    }


def test_read_only_and_write_only_keys(woo_served: WooServed) -> None:
    order_id = min(woo_served.store.orders)
    read = (WOO_READ_KEY.consumer_key, WOO_READ_KEY.consumer_secret)
    assert call(woo_served, f"orders/{order_id}", auth=read).status_code == 200
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = call(
            woo_served, f"orders/{order_id}", auth=read, method=method, json={"status": "completed"}
        )
        assert response.status_code == 401
        assert response.json() == auth_error(
            "The API key provided does not have write permissions."
        )
        assert "Allow" not in response.headers
        assert response.headers["Cache-Control"] == "no-cache, must-revalidate, max-age=0"
    assert woo_served.store.orders[order_id].status != "trash"
    writer = WooKey("ck_writer", "cs_writer", "write")
    woo_served.app.auth = type(woo_served.app.auth)([writer])
    response = call(woo_served, "orders", auth=(writer.consumer_key, writer.consumer_secret))
    assert response.json() == auth_error("The API key provided does not have read permissions.")


def test_wrong_method_is_no_route_like_wordpress(woo_shared: WooServed) -> None:
    response = call(woo_shared, "orders", auth=BASIC, method="DELETE")
    assert response.status_code == 404
    assert response.json()["code"] == "rest_no_route"
    assert "Allow" not in response.headers


def test_every_request_is_counted_by_the_fault_injector(woo_served: WooServed) -> None:
    before = woo_served.counter.total("GET /wp-json/wc/v3/orders")
    call(woo_served, "orders", auth=BASIC)
    call(woo_served, "orders", http=True)
    assert woo_served.counter.total("GET /wp-json/wc/v3/orders") == before + 2
