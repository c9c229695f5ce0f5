"""The WooCommerce look-alike: a WSGI app serving ``/wp-json/wc/v3/`` as WooCommerce 7.9 does.

``wc_version`` changes what a version changes: ``modified_after`` on orders (5.8+), the
``/refunds`` list (9.0+), the version ``system_status`` reports.

Request handling follows WordPress's order: authentication (errors answer 401 before anything
else), the API key's read/write permission, route match (``rest_no_route``), argument
validation (``rest_invalid_param``), the route's permission check (anonymous callers get 401)
and finally the handler. Headers and JSON bytes copy the captured store (``wp_json_encode``
escaping, ``Allow`` only for authenticated callers, no-cache headers when logged in).
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC
from typing import Any
from urllib.parse import parse_qsl

from wooodoo.sandbox.faults import StartResponse, WSGIEnviron
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.woo.auth import (
    Authenticator,
    AuthOutcome,
    Credentials,
    WooKey,
    write_permission_error,
)
from wooodoo.sandbox.woo.http import REST_PREFIX, Req, Resp, RestError, query_of
from wooodoo.sandbox.woo.orders import OrderRoutes
from wooodoo.sandbox.woo.params import REFUND_LIST_SINCE, InvalidParams, order_args
from wooodoo.sandbox.woo.php import json_encode, parse_str
from wooodoo.sandbox.woo.refund_list import RefundList
from wooodoo.sandbox.woo.resources import ResourceRoutes
from wooodoo.sandbox.woo.routes import Router
from wooodoo.sandbox.woo.site import SiteRoutes
from wooodoo.sandbox.woo.webhook_routes import WebhookRoutes
from wooodoo.sandbox.woo.webhooks import Deliver, WebhookRegistry

__all__ = ["WooApp", "WooKey"]

CRITICAL = (
    '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'support/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>'
)
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    410: "Gone",
    500: "Internal Server Error",
    501: "Not Implemented",
}


class WooApp:
    """WSGI callable: the WooCommerce REST API (wc/v3) over a :class:`StoreData`.

    ``home_url`` fixes the site URL used in links and webhook payloads; by default each request's
    own scheme and Host are used (as the captured store did). ``deliver`` sends webhook pings and
    events (see :mod:`wooodoo.sandbox.woo.webhooks`); ``clock`` is the time OAuth timestamps
    are checked against.
    """

    def __init__(
        self,
        store: StoreData,
        keys: Sequence[WooKey],
        *,
        home_url: str | None = None,
        deliver: Deliver | None = None,
        wc_version: str = "7.9.0",
        wp_version: str = "6.1.9",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.auth = Authenticator(keys, clock)
        self.home_url = home_url.rstrip("/") if home_url else None
        self._last_home = "http://127.0.0.1"
        self._lock = threading.Lock()
        self.webhooks = WebhookRegistry(store, self._webhook_home, deliver, wc_version, wp_version)
        store.subscribe(self.webhooks.on_store_event)
        self.router = Router(
            OrderRoutes(store, order_args(wc_version)),
            ResourceRoutes(store),
            WebhookRoutes(store, self.webhooks),
            SiteRoutes(wc_version, wp_version),
            RefundList(store) if _version(wc_version) >= REFUND_LIST_SINCE else None,
        )

    @property
    def deliver(self) -> Deliver | None:
        return self.webhooks.deliver

    @deliver.setter
    def deliver(self, value: Deliver | None) -> None:
        self.webhooks.deliver = value

    def close(self) -> None:
        """Stop listening to the store (webhook deliveries end)."""
        self.store.unsubscribe(self.webhooks.on_store_event)

    def _webhook_home(self) -> str:
        with self._lock:
            return self.home_url or self._last_home

    # ---- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "/"))
        home = self._home(environ)
        if not (path == REST_PREFIX or path.startswith(REST_PREFIX + "/")):
            body = (
                b"<!DOCTYPE html>\n<html><head><title>Page not found</title></head>"
                b"<body><h1>Oops! That page can&rsquo;t be found.</h1></body></html>\n"
            )
            start_response(
                "404 Not Found",
                [("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        route_path = path[len(REST_PREFIX) :].rstrip("/") or "/"
        req = Req(
            method="GET" if method == "HEAD" else method,
            route=route_path,
            query=query_of(environ),
            body={},
            home=home,
        )
        logged_in = False
        allow: str | None = None
        try:
            req.body, form = _read_body(environ)
            outcome = self._authenticate(environ, req, path, form)
            if outcome.failed:
                raise RestError(outcome.error_code, outcome.error_message, 401)
            req.key = outcome.key
            logged_in = req.key is not None
            if req.key is not None:
                denied = write_permission_error(req.key, method)
                if denied:
                    raise RestError(denied[0], denied[1], 401)
            resp, allow = self.router.dispatch(req)
        except RestError as exc:
            resp = exc.response()
        except InvalidParams as exc:
            resp = Resp(400, exc.body())
        except Exception:  # the store must answer like a broken WordPress, not crash the server
            resp = Resp(
                500,
                {
                    "code": "internal_server_error",
                    "message": CRITICAL,
                    "data": {"status": 500},
                    "additional_errors": [],
                },
            )
        return self._respond(
            start_response, environ, req, resp, logged_in, allow, head=method == "HEAD"
        )

    def _home(self, environ: WSGIEnviron) -> str:
        if self.home_url:
            return self.home_url
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        host = environ.get("HTTP_HOST") or (
            f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
        )
        home = f"{scheme}://{host}"
        with self._lock:
            self._last_home = home
        return home

    def _authenticate(
        self, environ: WSGIEnviron, req: Req, path: str, form: dict[str, Any]
    ) -> AuthOutcome:
        if not req.route.lower().startswith("/wc/"):
            return AuthOutcome()
        return self.auth.authenticate(
            Credentials(
                https=environ.get("wsgi.url_scheme") == "https",
                method=str(environ.get("REQUEST_METHOD", "GET")),
                url=req.home + path,
                query=req.query,
                form=form,
                authorization=str(environ.get("HTTP_AUTHORIZATION", "")),
            )
        )

    def _respond(
        self,
        start_response: StartResponse,
        environ: WSGIEnviron,
        req: Req,
        resp: Resp,
        logged_in: bool,
        allow: str | None,
        head: bool,
    ) -> list[bytes]:
        extra = dict(resp.headers)
        link = extra.get("Link", f'<{req.home}/wp-json/>; rel="https://api.w.org/"')
        headers = [
            ("X-Robots-Tag", "noindex"),
            ("Link", link),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
            (
                "Access-Control-Allow-Headers",
                "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
            ),
        ]
        origin = environ.get("HTTP_ORIGIN")
        if origin:
            headers += [
                ("Access-Control-Allow-Origin", str(origin)),
                ("Access-Control-Allow-Methods", "OPTIONS, GET, POST, PUT, PATCH, DELETE"),
                ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin"),
            ]
        elif not logged_in and req.method == "GET":
            headers.append(("Vary", "Origin"))
        for name in ("X-WP-Total", "X-WP-TotalPages", "Location"):
            if name in extra:
                headers.append((name, extra[name]))
        if allow:
            headers.append(("Allow", allow))
        if logged_in:
            headers += [
                ("Expires", "Wed, 11 Jan 1984 05:00:00 GMT"),
                ("Cache-Control", "no-cache, must-revalidate, max-age=0"),
            ]
        body = json_encode(resp.body, pretty="_pretty" in req.query)
        headers += [
            # the web server's clock is the store's: a clock set back shows in Date too
            ("Date", email.utils.format_datetime(self.store.clock().astimezone(UTC), usegmt=True)),
            ("Content-Type", "application/json; charset=UTF-8"),
            ("Content-Length", str(len(body))),
        ]
        reason = STATUS_TEXT.get(resp.status, "Error")
        start_response(f"{resp.status} {reason}", headers)
        return [] if head else [body]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:2])


def _read_body(environ: WSGIEnviron) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request body as parameters, and separately the form fields OAuth signs."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    if not raw:
        return {}, {}
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RestError(
                "rest_invalid_json",
                "Invalid JSON body passed.",
                400,
                {"status": 400, "json_error_code": 4, "json_error_message": "Syntax error"},
            ) from exc
        return (data if isinstance(data, dict) else {}), {}
    if content_type == "application/x-www-form-urlencoded":
        form = parse_str(raw.decode("utf-8", "replace"))
        return dict(form), form
    return dict(parse_qsl(raw.decode("utf-8", "replace"))), {}
