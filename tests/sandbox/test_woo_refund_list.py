"""``GET /wc/v3/refunds`` of the look-alike: served from WooCommerce 9.0 as its refunds controller
answers (arguments, paging headers, each refund with ``parent_id``), a missing route before."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from tests.sandbox.conftest import WooServed

NO_ROUTE = {
    "code": "rest_no_route",
    "message": "No route was found matching the URL and request method.",
    "data": {"status": 404},
}


def all_refund_ids(served: WooServed) -> list[int]:
    return sorted(served.store.refunds)


def test_before_9_0_there_is_no_such_route(woo_shared: WooServed) -> None:
    resp = woo_shared.get("refunds", params={"per_page": "100"})
    assert (resp.status_code, resp.json()) == (404, NO_ROUTE)


def test_every_refund_once_with_its_order_as_the_order_list_renders_it(
    woo9_shared: WooServed,
) -> None:
    ids = all_refund_ids(woo9_shared)
    assert len(ids) >= 3  # the generated shop refunds some orders
    resp = woo9_shared.get("refunds", params={"per_page": "100", "orderby": "id", "order": "asc"})
    assert resp.status_code == 200
    listed = resp.json()
    assert [r["id"] for r in listed] == ids
    assert (resp.headers["X-WP-Total"], resp.headers["X-WP-TotalPages"]) == (str(len(ids)), "1")
    for refund in listed:
        order_id = woo9_shared.store.refunds[refund["id"]].order_id
        assert list(refund)[:2] == ["id", "parent_id"]
        assert refund["parent_id"] == order_id
        same = woo9_shared.get(f"orders/{order_id}/refunds/{refund['id']}").json()
        assert {k: v for k, v in refund.items() if k != "parent_id"} == same


def test_include_takes_a_list_or_an_array_and_dp_the_decimals(woo9_shared: WooServed) -> None:
    ids = all_refund_ids(woo9_shared)[:3]
    as_list = woo9_shared.get("refunds", params={"include": f"{ids[2]},{ids[0]}", "dp": "4"})
    as_array = woo9_shared.get("refunds", params=[("include[]", str(i)) for i in ids[:2]])
    assert sorted(r["id"] for r in as_list.json()) == [ids[0], ids[2]]
    assert sorted(r["id"] for r in as_array.json()) == ids[:2]
    amount = as_list.json()[0]["amount"]
    assert len(amount.split(".")[1]) == 4


def test_parent_is_checked_but_has_no_effect_as_in_woocommerce(woo9_shared: WooServed) -> None:
    ids = all_refund_ids(woo9_shared)
    order_id = woo9_shared.store.refunds[ids[0]].order_id
    for params in ({"parent": str(order_id)}, [("parent[]", str(order_id))]):
        resp = woo9_shared.get("refunds", params=params)
        assert resp.headers["X-WP-Total"] == str(len(ids))
    bad = woo9_shared.get("refunds", params={"parent": "abc"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "rest_invalid_param"
    assert bad.json()["data"]["params"] == {"parent": "parent[0] is not of type integer."}


def test_per_page_above_100_is_refused_as_wordpress_does(woo9_shared: WooServed) -> None:
    resp = woo9_shared.get("refunds", params={"per_page": "101"})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == "Invalid parameter(s): per_page"
    assert body["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }


def test_pages_carry_totals_and_links(woo9_shared: WooServed) -> None:
    ids = all_refund_ids(woo9_shared)
    seen: list[int] = []
    params = {"per_page": "2", "orderby": "id", "order": "asc"}
    first = woo9_shared.get("refunds", params=params)
    pages = int(first.headers["X-WP-TotalPages"])
    assert pages == -(-len(ids) // 2)
    next_link = first.headers["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in first.headers["Link"]
    assert dict(parse_qsl(urlsplit(next_link).query))["page"] == "2"
    for page in range(1, pages + 1):
        resp = woo9_shared.get("refunds", params={**params, "page": str(page)})
        seen += [r["id"] for r in resp.json()]
        if page > 1:
            assert 'rel="prev"' in resp.headers["Link"]
    assert seen == ids


def test_the_list_is_read_only(woo9_shared: WooServed) -> None:
    with woo9_shared.session() as session:
        resp = session.post(f"{woo9_shared.https_url}/wp-json/wc/v3/refunds", json={}, timeout=10)
    assert (resp.status_code, resp.json()) == (404, NO_ROUTE)
