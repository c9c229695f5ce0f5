"""The Odoo look-alike as one thread-safe WSGI app: routes, version endpoints, test access."""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.wrappers import Request, Response

from wooodoo.sandbox.faults import RequestCounter, StartResponse, WSGIEnviron
from wooodoo.sandbox.odoo import json2, xmlrpc
from wooodoo.sandbox.odoo.models import model_classes
from wooodoo.sandbox.odoo.orm import BaseModel, Database, Env
from wooodoo.sandbox.odoo.schema import build_schema
from wooodoo.sandbox.odoo.seed import seed
from wooodoo.sandbox.odoo.work import WorkModel, created_values

T = TypeVar("T")

VERSIONS = (13, 14, 15, 16, 17, 18, 19)
HTML_HEAD = (
    '<!DOCTYPE html>\n<html{attrs}>\n    <head>\n        <meta charset="utf-8"/>\n'
    '        <meta http-equiv="X-UA-Compatible" content="IE=edge"/>\n'
    '        <meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
    "        <title>Odoo</title>\n"
    '        <link type="image/x-icon" rel="shortcut icon" href="/web/static/img/favicon.ico"/>\n'
    "    </head>\n"
)
NOT_FOUND_PAGE = HTML_HEAD.format(attrs="") + (
    '    <body>\n        <div class="container">\n            <h1>404: Page not found</h1>\n'
    "            <p>The page you were looking for could not be found.</p>\n"
    "        </div>\n    </body>\n</html>\n"
)
LOGIN_PAGE = HTML_HEAD.format(attrs=' style="height: 100%;"') + (
    '    <body class="bg-100">\n        <form class="oe_login_form" role="form" '
    'action="/web/login" method="post">\n            <input type="text" name="login" '
    'id="login" required="required"/>\n            <input type="password" name="password" '
    'id="password" required="required"/>\n            <button type="submit">Log in</button>\n'
    "        </form>\n    </body>\n</html>\n"
)


class OdooApp:
    """An Odoo server of one version with one database, reachable over XML-RPC and JSON-2.

    ``env(model)`` gives tests direct access to the records without HTTP; ``set_active``
    archives or restores a currency, tax, product... while the server runs.
    """

    def __init__(
        self,
        version: int,
        *,
        database: str = "wooodoo",
        login: str = "sync@example.test",
        api_key: str,
        tax_rounding: Literal["round_per_line", "round_globally"] = "round_per_line",
        counter: RequestCounter | None = None,
        clock: Callable[[], datetime] | None = None,
        work: WorkModel | None = None,
    ) -> None:
        if version not in VERSIONS:
            raise ValueError(f"unsupported Odoo version {version}; choose from {VERSIONS}")
        self.version = version
        self.database = database
        self.login = login
        self.uid = 2
        self._api_key = api_key
        self.counter = counter
        self.work = work or WorkModel()  # may be replaced while the server runs
        self._lock = threading.RLock()
        self._busy = threading.Condition()
        self._in_flight = 0  # calls at work before their commit
        self.db = Database(
            database,
            version,
            build_schema(version),
            model_classes(),
            clock or (lambda: datetime.now(UTC)),
        )
        seed(self.db, login, tax_rounding)

    # ----- access for tests and the demo
    def env(self, model: str, context: dict[str, Any] | None = None) -> BaseModel:
        """A model to call directly, e.g. ``app.env("account.move").search_read(...)``."""
        return Env(self.db, context)[model]

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a model method as one locked, all-or-nothing transaction (like one RPC)."""
        with self.transaction():
            return getattr(self.env(model), method)(*args, **kwargs)

    def set_active(self, model: str, domain: list[Any], active: bool) -> list[int]:
        """Archive (or restore) the records matching ``domain``; returns their ids."""
        with self.transaction():
            records = self.env(model, {"active_test": False})
            ids = records.search(domain)
            records.write(ids, {"active": active})
            return ids

    def set_tax_rounding(self, method: Literal["round_per_line", "round_globally"]) -> None:
        with self.transaction():
            self.env("res.company").write(
                [self.db.company_id], {"tax_calculation_rounding_method": method}
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self.db.store.transaction():
            yield

    def run_call(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        run: Callable[[], T],
    ) -> T:
        """Run one RPC call as one transaction, after the work its ``create`` costs.

        The work is spent before the transaction takes the lock, so other calls go on and see
        nothing of this one until it commits; a client that went away changes nothing. What it
        creates is stamped with the time the call began, as PostgreSQL's ``now()`` would.
        """
        values = created_values(method, args, kwargs)
        delay = self.work.seconds(model, values) if values else 0.0
        if delay <= 0:
            with self.transaction():
                return run()
        began = self.db.clock()
        with self._busy:
            self._in_flight += 1
        try:
            time.sleep(delay)
            with self.transaction():
                clock = self.db.clock
                self.db.clock = lambda: began
                try:
                    return run()
                finally:
                    self.db.clock = clock
        finally:
            with self._busy:
                self._in_flight -= 1
                self._busy.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is at work (its commit still to come); False on timeout."""
        with self._busy:
            return self._busy.wait_for(lambda: self._in_flight == 0, timeout)

    def work_done(self) -> dict[str, int]:
        """What the calls cost so far, e.g. ``account.move created with tax_totals``."""
        with self._lock:
            return dict(self.db.tally)

    # ----- helpers for the endpoints
    def version_info(self) -> dict[str, Any]:
        serie = f"{self.version}.0"
        return {
            "server_version": serie,
            "server_version_info": [self.version, 0, 0, "final", 0, ""],
            "server_serie": serie,
            "protocol_version": 1,
        }

    def key_ok(self, key: Any) -> bool:
        return isinstance(key, str) and hmac.compare_digest(key.encode(), self._api_key.encode())

    def credentials_ok(self, login: Any, key: Any) -> bool:
        return login == self.login and self.key_ok(key)

    def count(self, model: str, method: str) -> None:
        if self.counter is not None:
            self.counter.add(f"odoo {model}.{method}")

    # ----- WSGI
    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["xmlrpc", "2"]:
            if request.method != "POST":
                return MethodNotAllowed(valid_methods=["POST"]).get_response()
            body = xmlrpc.handle(self, parts[2], request.get_data())
            return Response(body, content_type="text/xml; charset=utf-8")
        if path == "/web/webclient/version_info":
            if request.method != "POST":
                return MethodNotAllowed(valid_methods=["POST"]).get_response()
            return self._version_info_rpc(request)
        if path == "/web/version" and self.version >= 19:
            info = {
                "version_info": self.version_info()["server_version_info"],
                "version": f"{self.version}.0",
            }
            return Response(json.dumps(info), content_type=json2.JSON_TYPE)
        if parts[:2] == ["json", "2"]:
            if self.version < 19:
                return Response(LOGIN_PAGE, content_type="text/html; charset=utf-8")
            if len(parts) == 4:
                return json2.handle(self, request, parts[2], parts[3])
        return Response(NOT_FOUND_PAGE, status=404, content_type="text/html;charset=utf-8")

    def _version_info_rpc(self, request: Request) -> Response:
        try:
            payload = json.loads(request.get_data() or b"{}")
        except ValueError:
            payload = {}
        rid = payload.get("id") if isinstance(payload, dict) else None
        body = {"jsonrpc": "2.0", "id": rid, "result": self.version_info()}
        return Response(json.dumps(body), content_type=json2.JSON_TYPE)
