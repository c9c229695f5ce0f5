"""The webhook receiver: a WSGI app that verifies, keeps and acknowledges the store's pushes.

One path per tenant, ``POST /webhooks/<tenant>``, and ``GET /healthz``. The raw body is
verified before anything reads it as JSON. A verified delivery is written to the audit inbox
(durably, kept once) *before* the 2xx; the sync work happens afterwards, in the worker. The
answers are fixed texts: nothing of the request is ever echoed, and an unknown tenant gets
the same 401 as a wrong signature, so tenants cannot be enumerated.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from wooodoo.audit import Delivery
from wooodoo.webhook.signature import verify

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # a big order with many lines is well under 1 MiB
KNOWN_TOPICS = frozenset(
    {
        "order.created",
        "order.updated",
        "order.deleted",
        "order.restored",
        "customer.created",
        "customer.updated",
        "customer.deleted",
    }
)
PING = re.compile(rb"webhook_id=\d{1,12}")
TENANT = re.compile(r"[a-z0-9_-]{1,64}")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class DeliveryInbox(Protocol):
    def inbox_add(self, delivery: Delivery) -> bool: ...


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, str]
    allow: str | None = None


REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}
UNAUTHORIZED = Answer(401, {"error": "missing or invalid signature"})


class Receiver:
    """The WSGI app. ``secrets`` maps tenant names to their webhook secrets."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        inbox: DeliveryInbox,
        wake: Callable[[str], None],
        *,
        max_body: int = MAX_BODY,
    ) -> None:
        self.secrets = dict(secrets)
        self.inbox = inbox
        self.wake = wake
        self.max_body = max_body

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        try:
            answer = self.answer(environ)
        except Exception:  # never a 500 with a traceback: the store only needs to know "later"
            log.exception("webhook delivery could not be kept")
            answer = Answer(503, {"error": "the delivery could not be kept; send it again"})
        data = json.dumps(answer.body).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ]
        if answer.allow:
            headers.append(("Allow", answer.allow))
        start_response(f"{answer.status} {REASONS[answer.status]}", headers)
        return [data]

    def answer(self, environ: WSGIEnviron) -> Answer:
        path = str(environ.get("PATH_INFO") or "")
        method = str(environ.get("REQUEST_METHOD") or "GET")
        if path == "/healthz":
            if method not in ("GET", "HEAD"):
                return Answer(405, {"error": "method not allowed"}, allow="GET, HEAD")
            return Answer(200, {"status": "ok"})
        if not path.startswith("/webhooks/"):
            return Answer(404, {"error": "not found"})
        if method != "POST":
            return Answer(405, {"error": "method not allowed"}, allow="POST")
        body = self._body(environ)
        if isinstance(body, Answer):
            return body
        tenant = path.removeprefix("/webhooks/")
        signature = str(environ.get("HTTP_X_WC_WEBHOOK_SIGNATURE") or "")
        if not signature and PING.fullmatch(body.strip()):
            return Answer(200, {"status": "pong"})  # the store's ping when a hook is created
        secret = self.secrets.get(tenant) if TENANT.fullmatch(tenant) else None
        if secret is None or not verify(body, secret, signature):
            return UNAUTHORIZED
        return self._keep(tenant, body, environ)

    def _body(self, environ: WSGIEnviron) -> bytes | Answer:
        length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
        stream = environ["wsgi.input"]
        if not length_text:
            data = bytes(stream.read(self.max_body + 1))
            return Answer(413, {"error": "body too large"}) if len(data) > self.max_body else data
        if not length_text.isdigit():
            return Answer(400, {"error": "invalid Content-Length"})
        length = int(length_text)
        if length > self.max_body:
            return Answer(413, {"error": "body too large"})
        return bytes(stream.read(length))

    def _keep(self, tenant: str, body: bytes, environ: WSGIEnviron) -> Answer:
        topic = str(environ.get("HTTP_X_WC_WEBHOOK_TOPIC") or "").strip().lower()
        delivery_id = str(environ.get("HTTP_X_WC_WEBHOOK_DELIVERY_ID") or "").strip() or None
        if topic not in KNOWN_TOPICS:
            text = body.decode("utf-8", errors="replace")
            safe_topic = topic if re.fullmatch(r"[a-z_]{1,32}\.[a-z_]{1,32}", topic) else "unknown"
            self.inbox.inbox_add(Delivery(tenant, delivery_id, safe_topic, None, None, text))
            return Answer(202, {"status": "recorded; topic not handled"})
        try:
            text = body.decode("utf-8")
            payload = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            return Answer(400, {"error": "the body is not JSON"})
        if not isinstance(payload, dict):
            return Answer(400, {"error": "the body is not a JSON object"})
        resource_id = payload.get("id")
        if isinstance(resource_id, bool) or not isinstance(resource_id, int) or resource_id < 1:
            # e.g. an order deleted before the store's async delivery ran: the body is then
            # the REST error {"code": "woocommerce_rest_shop_order_invalid_id", ...}, signed
            self.inbox.inbox_add(Delivery(tenant, delivery_id, topic, None, None, text))
            return Answer(202, {"status": "recorded; the body names no resource"})
        modified = payload.get("date_modified_gmt")
        delivery = Delivery(
            tenant,
            delivery_id,
            topic,
            str(resource_id),
            modified if isinstance(modified, str) and len(modified) <= 40 else None,
            text,
        )
        if self.inbox.inbox_add(delivery):
            self.wake(tenant)
            return Answer(200, {"status": "kept"})
        return Answer(200, {"status": "kept already"})
