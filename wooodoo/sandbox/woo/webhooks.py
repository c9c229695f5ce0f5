"""Webhooks of the WooCommerce look-alike: the REST resource, pings, signed deliveries, failures.

Creating a webhook sends the form-encoded ping ``webhook_id=N`` (no signature). Store changes
are delivered as JSON signed with ``X-WC-Webhook-Signature`` = base64(HMAC-SHA256(body,
secret)). Sending is a pluggable ``deliver(webhook, topic, body, headers) -> status | None``
(an exception counts as unreachable); without one, deliveries are only recorded. Returned
status codes are counted: after more than five failed deliveries in a row the webhook is
disabled, as WooCommerce does; a callable that returns None is not counted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.woo.http import invalid_id, invalid_resource_id
from wooodoo.sandbox.woo.php import json_encode
from wooodoo.sandbox.woo.render import render_customer, render_order, site_dates

HOOKS: dict[str, list[str]] = {
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
    "customer.created": [
        "user_register",
        "woocommerce_created_customer",
        "woocommerce_new_customer",
    ],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}
MAX_FAILURES = 5


def valid_topic(topic: str) -> bool:
    """``wc_is_webhook_valid_topic``."""
    if topic.startswith("action."):
        return True
    resource, _, event = topic.partition(".")
    return resource in ("coupon", "customer", "order", "product") and event in (
        "created",
        "updated",
        "deleted",
        "restored",
    )


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Webhook:
    id: int
    name: str
    status: str  # active | paused | disabled
    topic: str
    delivery_url: str
    secret: str
    date_created: datetime
    date_modified: datetime
    failure_count: int = 0

    @property
    def resource(self) -> str:
        return self.topic.partition(".")[0]

    @property
    def event(self) -> str:
        return self.topic.partition(".")[2]

    def render(self, base: str, *, with_secret: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "topic": self.topic,
            "resource": self.resource,
            "event": self.event,
            "hooks": list(HOOKS.get(self.topic, [])),
            "delivery_url": self.delivery_url,
        }
        if with_secret:
            data["secret"] = self.secret
        data.update(
            site_dates(date_created=self.date_created, date_modified=self.date_modified),
            _links={
                "self": [{"href": f"{base}/wp-json/wc/v3/webhooks/{self.id}"}],
                "collection": [{"href": f"{base}/wp-json/wc/v3/webhooks"}],
            },
        )
        return data


@dataclass(frozen=True)
class Delivery:
    """One ping or event as sent (or as it would have been sent without a ``deliver``)."""

    webhook_id: int
    topic: str  # "ping" for the creation ping
    body: bytes
    headers: dict[str, str]
    response_code: int | None
    error: str = ""


Deliver = Callable[[Webhook, str, bytes, Mapping[str, str]], int | None]


@dataclass
class WebhookRegistry:
    store: StoreData
    home_url: Callable[[], str]
    deliver: Deliver | None = None
    wc_version: str = "7.9.0"
    wp_version: str = "6.1.9"
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    deliveries: deque[Delivery] = field(default_factory=lambda: deque(maxlen=1000))
    _next_id: int = 1
    _deliveries_sent: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def user_agent(self) -> str:
        return f"WooCommerce/{self.wc_version} Hookshot (WordPress/{self.wp_version})"

    def create(
        self, *, name: str, topic: str, delivery_url: str, secret: str, status: str = "active"
    ) -> Webhook:
        stamp = self.store.now()
        with self._lock:
            hook = Webhook(self._next_id, name, status, topic, delivery_url, secret, stamp, stamp)
            self._next_id += 1
            self.webhooks[hook.id] = hook
        return hook

    def remove(self, webhook_id: int) -> None:
        with self._lock:
            self.webhooks.pop(webhook_id, None)

    def ping(self, hook: Webhook) -> Delivery:
        body = f"webhook_id={hook.id}".encode()
        headers = {
            "User-Agent": self.user_agent,
            "Referer": hook.delivery_url,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        code, error = self._call(hook, "ping", body, headers)
        record = Delivery(hook.id, "ping", body, headers, code, error)
        self.deliveries.append(record)
        return record

    def payload(self, topic: str, resource_id: int) -> Any:
        resource, _, event = topic.partition(".")
        if event == "deleted":
            return {"id": resource_id}
        base = self.home_url()
        with self.store.lock:
            if resource == "order":
                order = self.store.orders.get(resource_id)
                if order is None:
                    return invalid_id("shop_order").response().body
                return render_order(order, self.store.refunds_of(order.id), base, 2)
            if resource == "customer":
                customer = self.store.customers.get(resource_id)
                if customer is None:
                    return invalid_resource_id().response().body
                return render_customer(customer, base)
        return {"id": resource_id}

    def on_store_event(self, topic: str, resource_id: int) -> None:
        """Store listener: deliver ``topic`` to every active webhook subscribed to it."""
        with self._lock:
            targets = [
                h for h in self.webhooks.values() if h.status == "active" and h.topic == topic
            ]
        for hook in targets:
            self.send(hook, topic, resource_id)

    def send(self, hook: Webhook, topic: str, resource_id: int) -> Delivery:
        body = json_encode(self.payload(topic, resource_id)).strip()
        with self._lock:
            self._deliveries_sent += 1
            delivery_id = hashlib.md5(
                f"{hook.id}/{self._deliveries_sent}".encode(), usedforsecurity=False
            ).hexdigest()
        headers = {
            "User-Agent": self.user_agent,
            "Referer": hook.delivery_url,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self.home_url().rstrip("/") + "/",
            "X-WC-Webhook-Topic": hook.topic,
            "X-WC-Webhook-Resource": hook.resource,
            "X-WC-Webhook-Event": hook.event,
            "X-WC-Webhook-Signature": signature(body, hook.secret),
            "X-WC-Webhook-ID": str(hook.id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        code, error = self._call(hook, topic, body, headers)
        record = Delivery(hook.id, topic, body, headers, code, error)
        self.deliveries.append(record)
        if code is not None:
            self._count(hook, code)
        return record

    def _call(
        self, hook: Webhook, topic: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str]:
        if self.deliver is None:
            return None, ""
        try:
            return self.deliver(hook, topic, body, headers), ""
        except Exception as exc:  # an unreachable URL is a failed delivery, as for WP_Http
            return 0, f"{type(exc).__name__}: {exc}"

    def all(self) -> list[Webhook]:
        with self._lock:
            return list(self.webhooks.values())

    def get(self, webhook_id: int) -> Webhook | None:
        with self._lock:
            return self.webhooks.get(webhook_id)

    def _count(self, hook: Webhook, code: int) -> None:
        with self._lock:
            if 200 <= code < 300:
                hook.failure_count = 0
            elif hook.failure_count > MAX_FAILURES:
                hook.status = "disabled"
            else:
                hook.failure_count += 1
