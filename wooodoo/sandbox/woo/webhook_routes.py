"""``/wc/v3/webhooks``: listing, creating (with its ping), editing and deleting webhooks."""

from __future__ import annotations

import hashlib

from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.woo.http import (
    Req,
    Resp,
    RestError,
    collection,
    invalid_id,
    paginate,
    select,
    single,
)
from wooodoo.sandbox.woo.params import FORCE, WEBHOOK_ARGS, check_enum, validate
from wooodoo.sandbox.woo.webhooks import Webhook, WebhookRegistry, valid_topic

WEBHOOK_STATUSES = ("active", "paused", "disabled")


class WebhookRoutes:
    def __init__(self, store: StoreData, registry: WebhookRegistry) -> None:
        self.store = store
        self.registry = registry

    def list(self, req: Req) -> Resp:
        p = validate(WEBHOOK_ARGS, req.query)
        hooks = select(self.registry.all(), p)
        if p["status"] != "all":
            hooks = [h for h in hooks if h.status == p["status"]]
        if p["orderby"] == "id":
            hooks.sort(key=lambda h: h.id, reverse=p["order"] == "desc")
        else:
            hooks.sort(key=lambda h: (h.date_created, h.id), reverse=p["order"] == "desc")
        page = paginate(hooks, p["page"], p["per_page"], p["offset"])
        edit = p["context"] == "edit"
        rendered = [h.render(req.home, with_secret=edit) for h in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def get(self, req: Req) -> Resp:
        edit = req.query.get("context") == "edit"
        return single(req, self._hook(req).render(req.home, with_secret=edit))

    def create(self, req: Req) -> Resp:
        body = req.params
        check_enum(body, "status", WEBHOOK_STATUSES)
        topic = str(body.get("topic") or "").lower()
        if not topic or not valid_topic(topic):
            raise RestError(
                "woocommerce_rest_webhook_invalid_topic",
                "Webhook topic is required and must be valid.",
                400,
            )
        url = str(body.get("delivery_url") or "")
        if not url.startswith(("http://", "https://")):
            raise RestError(
                "woocommerce_rest_webhook_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                400,
            )
        stamp = self.store.now()
        name = str(body.get("name") or "") or (
            f"Webhook created on {stamp.strftime('%b %d, %Y @ %I:%M %p')}"
        )
        hook = self.registry.create(
            name=name,
            topic=topic,
            delivery_url=url,
            secret=str(body.get("secret") or "") or _generated_secret(stamp.isoformat()),
            status=str(body.get("status") or "active"),
        )
        resp = single(req, hook.render(req.home, with_secret=True), 201)
        resp.headers.append(("Location", f"{req.home}/wp-json/wc/v3/webhooks/{hook.id}"))
        self.registry.ping(hook)
        return resp

    def update(self, req: Req) -> Resp:
        body = req.params
        check_enum(body, "status", WEBHOOK_STATUSES)
        hook = self._hook(req)
        if "topic" in body:
            topic = str(body["topic"]).lower()
            if not valid_topic(topic):
                raise RestError(
                    "woocommerce_rest_webhook_invalid_topic", "Webhook topic must be valid.", 400
                )
            hook.topic = topic
        for name in ("name", "delivery_url", "secret", "status"):
            if body.get(name):
                setattr(hook, name, str(body[name]))
        hook.date_modified = self.store.now()
        return single(req, hook.render(req.home, with_secret=True))

    def delete(self, req: Req) -> Resp:
        force = validate((FORCE,), dict(req.params))["force"]
        hook = self._hook(req)
        if not force:
            raise RestError(
                "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
            )
        rendered = hook.render(req.home, with_secret=True)
        self.registry.remove(hook.id)
        return single(req, rendered)

    def _hook(self, req: Req) -> Webhook:
        hook = self.registry.get(req.int_match("id"))
        if hook is None:
            raise invalid_id("shop_webhook")
        return hook


def _generated_secret(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:50]
