"""``WooClient.refunds_of_orders``: on WooCommerce 9.0+ one ``/refunds?include=`` per 100
refunds, below one ``/orders/<id>/refunds`` per order; what a bad answer does."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from tests.woo.helpers import JSON, REST, client
from wooodoo.errors import AuthError, RemoteError
from wooodoo.sandbox import Sandbox
from wooodoo.woo.client import WooClient
from wooodoo.woo.store import StoreInfo

TEMPLATE: dict[str, Any] = json.loads((REST / "order-refunds-partial.body.json").read_bytes())[0]
LIST = re.compile(r"https://shop\.test/wp-json/wc/v3/refunds(\?.*)?$")
PER_ORDER = re.compile(r"https://shop\.test/wp-json/wc/v3/orders/(\d+)/refunds(\?.*)?$")
NO_ROUTE = {
    "code": "rest_no_route",
    "message": "No route was found matching the URL and request method.",
    "data": {"status": 404},
}


def refund(refund_id: int, order_id: int | None = None) -> dict[str, Any]:
    raw = copy.deepcopy(TEMPLATE)
    raw["id"] = refund_id
    if order_id is not None:  # /refunds names the order (9.x); /orders/<id>/refunds does not
        raw = {"id": refund_id, "parent_id": order_id, **{k: v for k, v in raw.items()}}
    return raw


def query(request: requests.PreparedRequest) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(request.url)).query))


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def serve_list(rsps: responses.RequestsMock, owner: dict[int, int], **special: Any) -> None:
    """``/refunds`` answering ``include`` from {refund id: order id}; ``special`` changes it."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        ids = [int(i) for i in query(request)["include"].split(",")]
        body = [refund(i, owner[i]) for i in ids if i in owner] + special.get("extra", [])
        headers = {"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"}
        return 200, headers, json.dumps(body)

    rsps.add_callback(responses.GET, LIST, callback=answer, content_type=JSON)


def test_9x_asks_by_refund_id_a_hundred_at_a_time(rsps: responses.RequestsMock) -> None:
    owner = {5000 + i: 100 + i // 2 for i in range(150)}  # 75 orders, 2 refunds each
    serve_list(rsps, owner)
    wanted: dict[int, list[int]] = {}
    for refund_id, order_id in owner.items():
        wanted.setdefault(order_id, []).append(refund_id)
    got = client().refunds_of_orders(wanted)
    asked = [query(call.request) for call in rsps.calls]
    assert [len(q["include"].split(",")) for q in asked] == [100, 50]
    assert {k: v for k, v in asked[0].items() if k != "include"} == {
        "per_page": "100",
        "orderby": "id",
        "order": "asc",
        "dp": "6",
        "page": "1",
    }
    assert got.failed == {}
    assert {o: sorted(r.id for r in rs) for o, rs in got.found.items()} == wanted


def test_before_9_0_per_order_after_one_rest_no_route(rsps: responses.RequestsMock) -> None:
    rsps.get(LIST, status=404, json=NO_ROUTE)

    def per_order(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        match = PER_ORDER.match(str(request.url))
        assert match is not None
        order_id = int(match.group(1))
        return 200, {}, json.dumps([refund(order_id * 10), refund(order_id * 10 + 1)])

    rsps.add_callback(responses.GET, PER_ORDER, callback=per_order, content_type=JSON)
    c = client()
    first = c.refunds_of_orders({7: [70], 8: [80, 81]})
    second = c.refunds_of_orders({9: [91]})
    urls = [urlsplit(str(call.request.url)).path for call in rsps.calls]
    assert urls == [
        "/wp-json/wc/v3/refunds",
        "/wp-json/wc/v3/orders/7/refunds",
        "/wp-json/wc/v3/orders/8/refunds",
        "/wp-json/wc/v3/orders/9/refunds",  # /refunds not tried again
    ]
    assert {o: [r.id for r in rs] for o, rs in first.found.items()} == {7: [70], 8: [80, 81]}
    assert [r.id for r in second.found[9]] == [91]  # only the refunds asked for


def test_a_known_old_version_never_tries_the_list(rsps: responses.RequestsMock) -> None:
    rsps.get(PER_ORDER, json=[refund(30)])
    c = client()
    c._store = StoreInfo("7.9.0")  # as after system_status
    assert [r.id for r in c.refunds_of_orders({3: [30]}).found[3]] == [30]
    assert [urlsplit(str(call.request.url)).path for call in rsps.calls] == [
        "/wp-json/wc/v3/orders/3/refunds"
    ]


def test_a_refund_not_asked_for_is_a_remote_error(rsps: responses.RequestsMock) -> None:
    serve_list(rsps, {10: 1}, extra=[refund(99, 2)])
    with pytest.raises(RemoteError, match=r"refund 99, which was not asked for"):
        client().refunds_of_orders({1: [10]})


def test_a_refund_of_another_order_is_a_remote_error(rsps: responses.RequestsMock) -> None:
    serve_list(rsps, {10: 2})  # the store says refund 10 belongs to order 2
    with pytest.raises(RemoteError, match=r"refund 10 belongs to order 2, but order 1 lists it"):
        client().refunds_of_orders({1: [10]})


def test_a_refund_that_does_not_parse_fails_only_its_order(rsps: responses.RequestsMock) -> None:
    broken = refund(11, 1)
    broken["amount"] = "lots"

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        return 200, {"X-WP-TotalPages": "1"}, json.dumps([refund(10, 1), broken, refund(20, 2)])

    rsps.add_callback(responses.GET, LIST, callback=answer, content_type=JSON)
    got = client().refunds_of_orders({1: [10, 11], 2: [20]})
    assert set(got.failed) == {1}
    assert "refund 11" in got.failed[1]
    assert list(got.found) == [2]


def test_a_refused_chunk_fails_its_orders_and_the_next_chunk_goes_on(
    rsps: responses.RequestsMock,
) -> None:
    owner = {i: i // 10 for i in range(1, 151)}
    calls = iter([400, 200])

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if next(calls) == 400:
            body = {"code": "rest_invalid_param", "message": "Invalid parameter(s): include"}
            return 400, {}, json.dumps(body)
        ids = [int(i) for i in query(request)["include"].split(",")]
        return 200, {"X-WP-TotalPages": "1"}, json.dumps([refund(i, owner[i]) for i in ids])

    rsps.add_callback(responses.GET, LIST, callback=answer, content_type=JSON)
    wanted: dict[int, list[int]] = {}
    for refund_id, order_id in owner.items():
        wanted.setdefault(order_id, []).append(refund_id)
    got = client().refunds_of_orders(wanted)
    first_chunk_orders = {owner[i] for i in range(1, 101)}
    assert set(got.failed) == first_chunk_orders  # order 10 spans both chunks: failed
    assert set(got.found) == set(wanted) - first_chunk_orders
    assert "rest_invalid_param" in got.failed[0]


def test_per_order_a_404_fails_that_order_a_401_stops(rsps: responses.RequestsMock) -> None:
    rsps.get(re.compile(r".*/orders/1/refunds.*"), json=[refund(10)])
    rsps.get(re.compile(r".*/orders/2/refunds.*"), status=404, json=NO_ROUTE)
    c = client()
    c._store = StoreInfo("7.9.0")
    got = c.refunds_of_orders({1: [10], 2: [20]})
    assert list(got.found) == [1]
    assert list(got.failed) == [2]
    rsps.get(
        re.compile(r".*/orders/3/refunds.*"),
        status=401,
        json={
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
        },
    )
    with pytest.raises(AuthError):
        c.refunds_of_orders({3: [30]})


# ---------------------------------------------------------------- against the look-alike


def sandbox_client(sb: Sandbox) -> WooClient:
    return WooClient(
        sb.woo_url,
        auth="basic",
        consumer_key=sb.secrets.woo_consumer_key,
        consumer_secret=sb.secrets.woo_consumer_secret,
        ca_bundle=sb.ca_path,
    )


@pytest.mark.parametrize("version", ["9.3.3", "7.9.0"])
def test_the_same_refunds_as_per_order_on_both_versions(tmp_path: Path, version: str) -> None:
    with Sandbox(orders=400, seed=5, directory=tmp_path, woo_version=version) as sb:
        wanted: dict[int, list[int]] = {}
        for r in sb.store.refunds.values():
            wanted.setdefault(r.order_id, []).append(r.id)
        count = sum(len(ids) for ids in wanted.values())
        assert count > 30
        with sandbox_client(sb) as c:
            got = c.refunds_of_orders(wanted)
            sent = c.requests_sent
            per_order = {o: c.refunds_of(o) for o in wanted}
    assert got.failed == {}
    assert got.found == per_order
    expected = -(-count // 100) if version == "9.3.3" else 1 + len(wanted)  # the 404, then each
    assert sent == expected
