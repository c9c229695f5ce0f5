"""WooClient at the HTTP edge: paging, errors, retries and lookups against captured answers."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from tests.woo.helpers import (
    JSON,
    KEY,
    SECRET,
    START,
    FakeStore,
    capture,
    captured_orders,
    client,
    serve,
    variant,
    walk,
)
from wooodoo.errors import AuthError, NotFoundError, RemoteError, RemoteRequestError, TransientError
from wooodoo.http import RetryPolicy
from wooodoo.woo.pagination import PaginationError, woo_utc


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# ---------------------------------------------------------------- paging over captured orders


@pytest.mark.parametrize("per_page", [1, 2, 5, 100])
def test_walk_returns_every_captured_order_once(
    rsps: responses.RequestsMock, per_page: int
) -> None:
    orders = captured_orders()
    store = FakeStore(orders, seed=per_page)
    store.install(rsps, "https://shop.test")
    c = client(per_page=per_page)
    seen = walk(c)
    assert sorted(i for i, _ in seen) == sorted(o["id"] for o in orders)
    assert c.requests_sent == len(store.urls)
    first = dict(parse_qsl(urlsplit(store.urls[0]).query))
    assert first == {
        "per_page": str(per_page),
        "dp": "6",  # line totals unrounded, as the store keeps them
        "modified_after": "2026-11-01T00:00:00",
        "dates_are_gmt": "true",
        "orderby": "modified",
        "order": "asc",
        "page": "1",
    }


def test_orders_sharing_a_second_across_the_page_boundary(rsps: responses.RequestsMock) -> None:
    template = captured_orders()[0]
    t = datetime(2026, 11, 26, 15, 37, 37, tzinfo=UTC)
    orders = [variant(template, i, t + timedelta(seconds=i // 4)) for i in range(1, 15)]
    store = FakeStore(orders, seed=3)
    store.install(rsps, "https://shop.test")
    seen = walk(client(per_page=3))
    assert sorted(i for i, _ in seen) == list(range(1, 15))


def test_a_full_page_within_one_second_is_read_by_id(rsps: responses.RequestsMock) -> None:
    template = captured_orders()[0]
    t = datetime(2026, 11, 26, 15, 37, 37, tzinfo=UTC)
    orders = [variant(template, i, t) for i in range(1, 12)]
    orders.append(variant(template, 99, t + timedelta(seconds=5)))
    store = FakeStore(orders, seed=4)
    store.install(rsps, "https://shop.test")
    seen = walk(client(per_page=3))
    assert sorted(i for i, _ in seen) == [*range(1, 12), 99]
    bucket = [dict(parse_qsl(urlsplit(u).query)) for u in store.urls if "modified_before" in u]
    assert bucket, "a second with more orders than a page is read as a bucket"
    assert {q["orderby"] for q in bucket} == {"id"}
    assert {(q["modified_after"], q["modified_before"]) for q in bucket} == {
        ("2026-11-26T15:37:36", "2026-11-26T15:37:38")
    }


def test_orders_modified_while_paging_come_again(rsps: responses.RequestsMock) -> None:
    orders = captured_orders()
    store = FakeStore(orders, seed=5)
    later = datetime(2026, 11, 27, tzinfo=UTC)

    def modify(n: int) -> None:
        if n == 3:  # after two pages, orders already read and not yet read change
            for oid in (20, 42):
                store.orders[oid] = variant(store.orders[oid], oid, later)

    store.between = modify
    store.install(rsps, "https://shop.test")
    seen = walk(client(per_page=4))
    assert len(seen) == len(set(seen)), "no version twice"
    assert {i for i, _ in seen} == {o["id"] for o in orders}
    assert (20, "2026-11-27T00:00:00") in seen
    assert (42, "2026-11-27T00:00:00") in seen


def test_statuses_and_upper_bound_are_sent(rsps: responses.RequestsMock) -> None:
    store = FakeStore(captured_orders())
    store.install(rsps, "https://shop.test")
    until = datetime(2026, 11, 26, 15, 37, 38, tzinfo=UTC)
    seen = walk(client(), statuses=["completed", "cancelled"], modified_before=until)
    query = dict(parse_qsl(urlsplit(store.urls[0]).query))
    assert query["status"] == "completed,cancelled"
    assert query["modified_before"] == "2026-11-26T15:37:38"
    expected = {
        o["id"]
        for o in captured_orders()
        if o["status"] in ("completed", "cancelled") and o["date_modified_gmt"] < woo_utc(until)
    }
    assert {i for i, _ in seen} == expected
    assert expected


def test_a_bad_record_goes_to_rejected_and_the_page_goes_on(rsps: responses.RequestsMock) -> None:
    orders = captured_orders()
    broken = copy.deepcopy(orders[3])
    broken["total"] = "twelve"
    store = FakeStore([*orders[:3], broken, *orders[4:]])
    store.install(rsps, "https://shop.test")
    pages = list(client(per_page=5).iter_order_pages(modified_after=START))
    rejected = [r for p in pages for r in p.rejected]
    assert [r.record_id for r in rejected] == [broken["id"]]
    assert "total" in rejected[0].reason
    assert rejected[0].raw["total"] == "twelve"
    assert sum(len(p.orders) for p in pages) == len(orders) - 1


def test_a_store_ignoring_modified_after_stops_the_walk(rsps: responses.RequestsMock) -> None:
    _, headers, body = capture("orders-page1-per_page5")  # newest first, no date filter
    rsps.get(re.compile(r"https://shop\.test/wp-json/wc/v3/orders.*"), body=body, headers=headers)
    with pytest.raises(PaginationError, match=r"5\.8"):
        walk(client(per_page=5))


# ---------------------------------------------------------------- errors the store answers


@pytest.mark.parametrize(
    ("capture_name", "base", "auth", "hint"),
    [
        pytest.param(
            "error-401-basic-over-http",
            "http://shop.test",
            "basic",
            "over plain HTTP",
            id="basic-over-http",
        ),
        pytest.param(
            "error-401-query-keys-over-http",
            "http://shop.test",
            "query",
            "auth: oauth1",
            id="query-over-http",
        ),
        pytest.param(
            "error-401-bad-secret-https",
            "https://shop.test",
            "basic",
            "Check the consumer key",
            id="bad-secret-https",
        ),
        pytest.param(
            "error-401-oauth-bad-signature-http",
            "http://shop.test",
            "oauth1",
            "Check the consumer key",
            id="oauth-bad-signature",
        ),
    ],
)
def test_401_says_the_keys_were_refused_and_what_to_do(
    rsps: responses.RequestsMock, capture_name: str, base: str, auth: str, hint: str
) -> None:
    serve(rsps, capture_name)
    c = client(base, auth)
    with pytest.raises(AuthError) as info:
        walk(c)
    text = str(info.value)
    assert "refused the consumer key/secret" in text
    assert hint in text
    assert json.loads(capture(capture_name)[2])["message"] in text
    assert KEY not in text
    assert SECRET not in text
    assert c.requests_sent == 1, "a refusal is not retried"


def test_over_https_the_hint_does_not_blame_plain_http(rsps: responses.RequestsMock) -> None:
    serve(rsps, "error-401-unknown-key-https")
    with pytest.raises(AuthError) as info:
        walk(client("https://shop.test", "query"))
    assert "plain HTTP" not in str(info.value)


def test_404_and_400_keep_the_store_code(rsps: responses.RequestsMock) -> None:
    serve(rsps, "error-404-order", r"orders/999999")
    serve(rsps, "error-400-per_page-too-big")
    c = client()
    with pytest.raises(NotFoundError) as missing:
        c.get_order(999999)
    assert missing.value.code == "woocommerce_rest_shop_order_invalid_id"
    with pytest.raises(RemoteRequestError) as bad:
        walk(c)
    assert bad.value.code == "rest_invalid_param"
    assert "per_page must be between 1 (inclusive) and 100" in str(bad.value)


@pytest.mark.parametrize(
    ("body", "endpoint"),
    [
        pytest.param(b'{"id": 1}', "orders", id="object-for-a-list"),
        pytest.param(b'{"code": "x_err", "message": "Nope"}', "orders", id="error-object-200"),
        pytest.param(b"42", "orders", id="number"),
    ],
)
def test_json_of_the_wrong_shape_names_the_endpoint(
    rsps: responses.RequestsMock, body: bytes, endpoint: str
) -> None:
    rsps.get(re.compile(r"https://shop\.test/wp-json/wc/v3/orders.*"), body=body, content_type=JSON)
    with pytest.raises(RemoteError, match=rf"WooCommerce {endpoint}: expected a list"):
        client().get_orders([1])


def test_transient_answers_are_retried_then_served(rsps: responses.RequestsMock) -> None:
    store = FakeStore(captured_orders())
    html = b"<html><body>Service Temporarily Unavailable</body></html>"
    store.faults = [
        (503, {"Content-Type": "text/html", "Retry-After": "0"}, html),
        (200, {"Content-Type": "text/html"}, html),
        (200, {"Content-Type": JSON}, b"<br />\n<b>Notice</b>: x in <b>a.php</b><br />\n[]"),
        (429, {"Content-Type": "text/html", "Retry-After": "1"}, html),
    ]
    store.install(rsps, "https://shop.test")
    sleeps: list[float] = []
    c = client(
        retry=RetryPolicy(attempts=5, total_seconds=60, base_delay=0.01, sleep=sleeps.append)
    )
    assert len(walk(c)) == len(captured_orders())
    assert c.requests_sent == len(store.urls) >= 5
    assert max(sleeps) >= 1, "Retry-After honoured"


def test_retries_give_up_with_a_transient_error(rsps: responses.RequestsMock) -> None:
    rsps.get(re.compile(r"https://shop\.test/.*"), status=502, body=b"<html>bad gateway</html>")
    c = client(auth="query")
    with pytest.raises(TransientError) as info:
        c.get_order(20)
    assert c.requests_sent == 4
    assert "gave up after 4 attempts" in str(info.value)
    assert SECRET not in str(info.value)


def test_connection_errors_never_quote_the_keyed_url(rsps: responses.RequestsMock) -> None:
    leak = requests.ConnectionError(f"Max retries exceeded with url: /x?consumer_secret={SECRET}")
    rsps.get(re.compile(r"https://shop\.test/.*"), body=leak)
    with pytest.raises(TransientError) as info:
        client(auth="query").get_order(20)
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None or SECRET not in str(info.value.__cause__)


# ---------------------------------------------------------------- store info and lookups


def test_system_status_from_the_captured_store(rsps: responses.RequestsMock) -> None:
    serve(rsps, "system-status-settings-only", "system_status")
    tax = [
        {"id": "woocommerce_prices_include_tax", "value": "no"},
        {"id": "woocommerce_tax_round_at_subtotal", "value": "yes"},
    ]
    rsps.get("https://shop.test/wp-json/wc/v3/settings/tax", json=tax)
    c = client()
    info = c.system_status()
    assert (info.wc_version, info.wp_version, info.currency) == ("7.9.0", "6.1.9", "EUR")
    assert (info.prices_include_tax, info.tax_round_at_subtotal) == (False, True)
    assert info.timezone is None  # PHP's default_timezone is not the store's
    assert c.supports_modified_after
    c.system_status()
    assert c.requests_sent == 2, "cached"
    assert "_fields=environment%2Csettings" in (rsps.calls[0].request.url or "")


@pytest.mark.parametrize(
    ("version", "supported"),
    [("5.7.2", False), ("5.8.0", True), ("10.1-beta", True), ("4.9", False)],
)
def test_modified_after_needs_5_8(
    rsps: responses.RequestsMock, version: str, supported: bool
) -> None:
    rsps.get(
        "https://shop.test/wp-json/wc/v3/system_status",
        json={"environment": {"version": version}, "settings": {}},
    )
    serve(rsps, "error-404-route", "settings/tax")
    info = client().system_status()
    assert info.supports_modified_after is supported
    assert info.tax_round_at_subtotal is None


def test_get_orders_asks_in_chunks_of_100(rsps: responses.RequestsMock) -> None:
    orders = captured_orders()
    store = FakeStore(orders)
    store.install(rsps, "https://shop.test")
    wanted = [*range(1000, 1130), 20, 42, 20]
    got = client().get_orders(wanted)
    assert sorted(o.id for o in got) == [20, 42]
    includes = [dict(parse_qsl(urlsplit(u).query))["include"].split(",") for u in store.urls]
    assert [len(i) for i in includes] == [100, 32]


def test_customers_by_id_and_by_sweep(rsps: responses.RequestsMock) -> None:
    store = FakeStore([])
    store.customers = json.loads(capture("customers-all-roles")[2])
    broken = dict(store.customers[0], id=77, billing="not an address")
    store.customers.append(broken)
    store.install(rsps, "https://shop.test")
    c = client(per_page=2)
    batches = list(c.iter_customers())
    assert sorted(x.id for b in batches for x in b) == [1, 2, 3, 4, 5, 6]
    assert [r.record_id for b in batches for r in b.rejected] == [77]
    sweep = dict(parse_qsl(urlsplit(store.urls[0]).query))
    assert (sweep["orderby"], sweep["role"], sweep["order"]) == ("registered_date", "all", "asc")
    by_id = list(c.iter_customers(ids=[2, 6, 404]))
    assert sorted(x.id for b in by_id for x in b) == [2, 6]


def test_refunds_are_returned_raw(rsps: responses.RequestsMock) -> None:
    serve(rsps, "order-refunds-partial", r"orders/41/refunds")
    refunds = client().get_refunds(41)
    assert refunds[0]["id"] == 41 or refunds[0]["line_items"]
    assert refunds == json.loads(capture("order-refunds-partial")[2])
