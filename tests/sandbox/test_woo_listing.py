"""Lists, filters, writes and webhooks of the WooCommerce look-alike, over the wire."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.sandbox.conftest import WooServed
from wooodoo.sandbox.woo.webhooks import Webhook


def walk(served: WooServed, first: str, limit: int = 100) -> tuple[list[int], list[str]]:
    """Follow ``Link: rel="next"`` from ``first``; the ids seen and each page's X-WP-Total."""
    ids: list[int] = []
    totals: list[str] = []
    url: str | None = f"{served.https_url}/wp-json/wc/v3/{first}"
    with served.session() as session:
        for _ in range(limit):
            if url is None:
                break
            response = session.get(url, timeout=10)
            assert response.status_code == 200, response.text
            ids += [item["id"] for item in response.json()]
            totals.append(response.headers["X-WP-Total"])
            nexts = re.findall(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
            url = nexts[0] if nexts else None
        else:
            pytest.fail("pagination did not end")
    return ids, totals


def test_walking_the_links_sees_every_order_once(woo_shared: WooServed) -> None:
    ids, totals = walk(woo_shared, "orders?per_page=7")
    visible = [o for o in woo_shared.store.orders.values() if o.status != "trash"]
    assert sorted(ids) == sorted(o.id for o in visible)
    assert len(ids) == len(set(ids))
    assert set(totals) == {str(len(visible))}
    assert len(totals) == -(-len(visible) // 7)


def test_default_order_is_newest_first_and_orderby_works(woo_shared: WooServed) -> None:
    store = woo_shared.store
    newest = [o["id"] for o in woo_shared.get("orders?per_page=100").json()]
    expected = sorted(store.orders.values(), key=lambda o: (o.date_created, o.id), reverse=True)
    assert newest == [o.id for o in expected]
    by_id = [o["id"] for o in woo_shared.get("orders?orderby=id&order=asc&per_page=100").json()]
    assert by_id == sorted(by_id)
    modified = woo_shared.get(
        "orders?orderby=modified&order=asc&per_page=100&_fields=id,date_modified_gmt"
    ).json()
    stamps = [o["date_modified_gmt"] for o in modified]
    assert stamps == sorted(stamps)
    assert all(set(o) == {"id", "date_modified_gmt"} for o in modified)
    picked = sorted(store.orders)[:3][::-1]
    include = ",".join(map(str, picked))
    chosen = woo_shared.get(f"orders?include={include}&orderby=include").json()
    assert [o["id"] for o in chosen] == picked


def test_status_filters_take_single_comma_and_array_values(woo_shared: WooServed) -> None:
    store = woo_shared.store
    wanted = {"on-hold", "cancelled"}
    expected = {o.id for o in store.orders.values() if o.status in wanted}
    for query in (
        "status=on-hold,cancelled",
        "status[]=on-hold&status[]=cancelled",
        "status[0]=cancelled&status[1]=on-hold",
    ):
        response = woo_shared.get(f"orders?{query}&per_page=100")
        assert {o["id"] for o in response.json()} == expected, query
    completed = woo_shared.get("orders?status=completed&per_page=100").json()
    assert {o["status"] for o in completed} == {"completed"}


def test_customer_filter_leaves_out_guest_orders_with_the_same_email(
    woo_shared: WooServed,
) -> None:
    store = woo_shared.store
    guest = next(
        o
        for o in store.orders.values()
        if o.customer_id == 0 and store.customer_by_email(o.billing["email"]) is not None
    )
    customer = store.customer_by_email(guest.billing["email"])
    assert customer is not None
    ids = {o["id"] for o in woo_shared.get(f"orders?customer={customer.id}&per_page=100").json()}
    assert guest.id not in ids
    assert ids == {o.id for o in store.orders.values() if o.customer_id == customer.id}


def test_dp_changes_the_decimals_and_prices_with_tax_show_their_digits(
    woo_shared: WooServed,
) -> None:
    store = woo_shared.store
    order = next(
        o
        for o in store.orders.values()
        if o.prices_include_tax
        and any(li.total != li.total.quantize(Decimal("0.01")) for li in o.line_items)
    )
    two = woo_shared.get(f"orders/{order.id}").json()
    six = woo_shared.get(f"orders/{order.id}?dp=6").json()
    line = next(
        i for i, li in enumerate(order.line_items) if li.total != li.total.quantize(Decimal("0.01"))
    )
    assert re.fullmatch(r"-?\d+\.\d{2}", two["line_items"][line]["total"])
    assert Decimal(six["line_items"][line]["total"]) == order.line_items[line].total
    assert two["total"] == f"{order.total:.2f}"
    assert six["total"] == f"{order.total:.6f}"


def test_after_and_before_use_the_creation_date(woo_shared: WooServed) -> None:
    store = woo_shared.store
    dates = sorted(o.date_created for o in store.orders.values())
    middle = dates[len(dates) // 2]
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%S")
    after = woo_shared.get(f"orders?after={stamp}&dates_are_gmt=1&per_page=100").json()
    before = woo_shared.get(f"orders?before={stamp}&dates_are_gmt=1&per_page=100").json()
    assert {o["id"] for o in after} == {
        o.id for o in store.orders.values() if o.date_created > middle
    }
    assert {o["id"] for o in before} == {
        o.id for o in store.orders.values() if o.date_created < middle
    }


def test_refund_lists_and_single_refunds(woo_shared: WooServed) -> None:
    store = woo_shared.store
    order = next(o for o in store.orders.values() if o.refund_ids)
    listed = woo_shared.get(f"orders/{order.id}/refunds").json()
    assert [r["id"] for r in listed] == order.refund_ids
    one = woo_shared.get(f"orders/{order.id}/refunds/{order.refund_ids[0]}")
    assert one.json()["id"] == order.refund_ids[0]
    other = next(o for o in store.orders.values() if o.id != order.id)
    wrong = woo_shared.get(f"orders/{other.id}/refunds/{order.refund_ids[0]}")
    assert wrong.status_code == 500  # WooCommerce passes 404 as error data, not as a status
    assert wrong.json()["code"] == "woocommerce_rest_invalid_order_refund_id"
    assert woo_shared.get("orders/999999/refunds").json() == []
    assert woo_shared.get(f"orders/{order.refund_ids[0]}").status_code == 404


def test_customers_lists_roles_email_and_paging(woo_shared: WooServed) -> None:
    store = woo_shared.store
    customers = woo_shared.get("customers?per_page=100").json()
    assert {c["role"] for c in customers} == {"customer"}
    assert [c["username"] for c in customers] == sorted(c["username"] for c in customers)
    everyone = woo_shared.get("customers?role=all&per_page=100").json()
    assert {c["id"] for c in everyone} == set(store.customers)
    some = next(c for c in store.customers.values() if c.id > 1)
    found = woo_shared.get(f"customers?email={some.email.upper()}").json()
    assert [c["id"] for c in found] == [some.id]
    ids, _ = walk(woo_shared, "customers?per_page=4")
    assert sorted(ids) == sorted(c.id for c in store.customers.values() if c.role == "customer")
    bad = woo_shared.get("customers?email=not-an-email")
    assert bad.status_code == 400
    assert bad.json()["data"]["params"] == {"email": "Invalid email address."}


def test_several_bad_parameters_are_reported_at_once(woo_shared: WooServed) -> None:
    response = woo_shared.get("orders?per_page=0&orderby=price&dates_are_gmt=maybe")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid parameter(s): per_page, dates_are_gmt, orderby"
    assert body["data"]["params"]["orderby"] == (
        "orderby is not one of date, id, include, title, slug, and modified."
    )


# ---- writes ------------------------------------------------------------------------------


def test_put_status_moves_date_modified_but_fee_edits_do_not(woo_served: WooServed) -> None:
    store, clock = woo_served.store, woo_served.clock
    order = next(o for o in store.orders.values() if o.status == "processing")
    url = f"{woo_served.https_url}/wp-json/wc/v3/orders/{order.id}"
    with woo_served.session() as session:
        clock.advance(120)
        edited = session.put(
            url, json={"fee_lines": [{"name": "Rush", "total": "4.00"}]}, timeout=10
        ).json()
        assert edited["date_modified_gmt"] == order.date_modified.strftime("%Y-%m-%dT%H:%M:%S")
        assert clock.now > order.date_modified
        assert any(
            (f["name"] == "Rush" and f["total_tax"] != "0.00")
            or order.billing["country"] in ("US", "CH")
            for f in edited["fee_lines"]
        )
        clock.advance(60)
        done = session.put(url, json={"status": "completed"}, timeout=10).json()
    assert done["status"] == "completed"
    assert done["date_modified_gmt"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    assert done["date_completed_gmt"] == done["date_modified_gmt"]


def test_rest_refund_then_order_lists_it(woo_served: WooServed) -> None:
    store = woo_served.store
    order = next(
        o
        for o in store.orders.values()
        if o.status == "completed" and not o.refund_ids and o.total > 5
    )
    url = f"{woo_served.https_url}/wp-json/wc/v3/orders/{order.id}/refunds"
    with woo_served.session() as session:
        created = session.post(url, json={"amount": "5.00", "reason": "Kulanz"}, timeout=10)
        too_much = session.post(url, json={"amount": str(order.total)}, timeout=10)
    assert created.status_code == 201
    assert created.json()["amount"] == "5.00"
    assert too_much.status_code == 500
    assert too_much.json()["message"] == "Invalid refund amount."
    refunds = woo_served.get(f"orders/{order.id}").json()["refunds"]
    assert refunds == [{"id": created.json()["id"], "reason": "Kulanz", "total": "-5.00"}]


# ---- webhooks ----------------------------------------------------------------------------


class Inbox:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[int, str, bytes, dict[str, str]]] = []

    def __call__(self, hook: Webhook, topic: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.received.append((hook.id, topic, body, dict(headers)))
        return self.status


def _create(served: WooServed, **fields: Any) -> Any:
    with served.session() as session:
        return session.post(f"{served.https_url}/wp-json/wc/v3/webhooks", json=fields, timeout=10)


def test_webhook_creation_pings_and_changes_are_signed(woo_served: WooServed) -> None:
    inbox = Inbox()
    woo_served.app.deliver = inbox
    response = _create(
        woo_served,
        name="Odoo",
        topic="order.updated",
        delivery_url="http://127.0.0.1:9/hook",
        secret="whsec-local-test-123",
    )
    assert response.status_code == 201
    hook = response.json()
    assert hook["secret"] == "whsec-local-test-123"
    assert hook["hooks"] == ["woocommerce_update_order", "woocommerce_order_refunded"]
    assert inbox.received[0][1:3] == ("ping", f"webhook_id={hook['id']}".encode())
    assert not any(h.startswith("X-WC-") for h in inbox.received[0][3])
    listed = woo_served.get("webhooks").json()
    assert "secret" not in listed[0]
    order = next(iter(woo_served.store.orders.values()))
    woo_served.store.update_order(order.id, customer_note="Bitte klingeln")
    _, topic, body, headers = inbox.received[-1]
    assert topic == "order.updated"
    digest = hmac.new(b"whsec-local-test-123", body, hashlib.sha256).digest()
    assert headers["X-WC-Webhook-Signature"] == base64.b64encode(digest).decode()
    assert headers["X-WC-Webhook-Topic"] == "order.updated"
    assert headers["X-WC-Webhook-ID"] == str(hook["id"])
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-WC-Webhook-Delivery-ID"])
    assert headers["X-WC-Webhook-Source"] == woo_served.https_url + "/"
    assert b"Bitte klingeln" in body
    assert all(byte < 128 for byte in body)


def test_deleted_orders_are_announced_by_id_and_failing_hooks_get_disabled(
    woo_served: WooServed,
) -> None:
    inbox = Inbox(status=500)
    woo_served.app.deliver = inbox
    hook = _create(woo_served, topic="order.deleted", delivery_url="https://h.test/x").json()
    order_id = min(woo_served.store.orders)
    woo_served.store.delete_order(order_id)
    assert inbox.received[-1][2] == f'{{"id":{order_id}}}'.encode()
    for order_id in sorted(woo_served.store.orders)[:7]:
        woo_served.store.delete_order(order_id)
    assert woo_served.get(f"webhooks/{hook['id']}").json()["status"] == "disabled"
    sent = len(inbox.received)
    woo_served.store.delete_order(min(woo_served.store.orders))
    assert len(inbox.received) == sent


def test_webhook_validation_update_and_delete(woo_served: WooServed) -> None:
    bad_topic = _create(woo_served, topic="order.shipped", delivery_url="https://h.test/")
    assert bad_topic.status_code == 400
    assert bad_topic.json()["code"] == "woocommerce_rest_webhook_invalid_topic"
    bad_url = _create(woo_served, topic="order.created", delivery_url="ftp://h.test/")
    assert bad_url.json()["code"] == "woocommerce_rest_webhook_invalid_delivery_url"
    hook = _create(woo_served, topic="order.created", delivery_url="https://h.test/").json()
    url = f"{woo_served.https_url}/wp-json/wc/v3/webhooks/{hook['id']}"
    with woo_served.session() as session:
        paused = session.put(url, json={"status": "paused"}, timeout=10).json()
        trash = session.delete(url, timeout=10)
        gone = session.delete(url, params={"force": "true"}, timeout=10)
        missing = session.get(url, timeout=10)
    assert paused["status"] == "paused"
    assert trash.status_code == 501
    assert gone.status_code == 200
    assert missing.status_code == 404
    assert missing.json()["code"] == "woocommerce_rest_shop_webhook_invalid_id"


def test_rest_created_orders_fire_created_and_updated(woo_served: WooServed) -> None:
    inbox = Inbox()
    woo_served.app.deliver = inbox
    for topic in ("order.created", "order.updated"):
        _create(woo_served, topic=topic, delivery_url="https://h.test/")
    mug = next(p.id for p in woo_served.store.products.values() if p.sku == "MUG-CER")
    with woo_served.session() as session:
        created = session.post(
            f"{woo_served.https_url}/wp-json/wc/v3/orders",
            timeout=10,
            json={
                "billing": {"first_name": "Zoë", "country": "AT", "email": "zoe@example.test"},
                "line_items": [{"product_id": mug, "quantity": 2}],
                "shipping_lines": [
                    {"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}
                ],
                "set_paid": True,
            },
        ).json()
    assert created["status"] == "processing"
    assert created["total"] == "25.06"  # (2 x 7.99 + 4.90) plus 20 % Austrian VAT per line
    topics = [t for _, t, _, _ in inbox.received if t != "ping"]
    assert topics == ["order.created", "order.updated"]
    assert created["date_paid_gmt"] is not None
    woo_served.clock.advance(1)
    assert (
        woo_served.clock.now - timedelta(seconds=1)
        == woo_served.store.orders[created["id"]].date_created
    )


def test_deliver_returning_none_is_not_counted_but_exceptions_are(woo_served: WooServed) -> None:
    hook = woo_served.app.webhooks.create(
        name="x", topic="order.updated", delivery_url="https://h.test/", secret="s"
    )
    calls: list[str] = []

    def silent(hook: Webhook, topic: str, body: bytes, headers: Mapping[str, str]) -> None:
        calls.append(topic)

    woo_served.app.deliver = silent
    order_ids = sorted(woo_served.store.orders)
    for order_id in order_ids[:8]:
        woo_served.store.update_order(order_id, customer_note="n")
    assert len(calls) == 8
    assert hook.status == "active"
    assert hook.failure_count == 0

    def unreachable(hook: Webhook, topic: str, body: bytes, headers: Mapping[str, str]) -> int:
        raise ConnectionError("connection refused")

    woo_served.app.deliver = unreachable
    woo_served.store.update_order(order_ids[0], customer_note="again")
    assert hook.failure_count == 1
    assert woo_served.app.webhooks.deliveries[-1].error.startswith("ConnectionError")
