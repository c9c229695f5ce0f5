"""JSON-2 transport (Odoo 19+): POST /json/2/<model>/<method> with named arguments."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import requests

from wooodoo.errors import NotFoundError, RemoteError, TransientError
from wooodoo.http import classify, json_or_transient
from wooodoo.odoo import faults
from wooodoo.odoo.protocol import ApiName
from wooodoo.odoo.transport import Channel, Connection, check_ids, wire_json

# Markers of Odoo's own web pages (login, database selector): an Odoo that routes /json/2/ to
# its website answers 200 with one of them, which is no success and no passing fault.
_ODOO_PAGE_MARKERS = ("<title>odoo</title>", "/web/login", "o_database_list", "oe_login_form")


def _looks_like_odoo_page(resp: requests.Response) -> bool:
    head = resp.text[:4000].lower()
    return any(marker in head for marker in _ODOO_PAGE_MARKERS)


def decode(resp: requests.Response, *, what: str, tenant: str, secrets: Sequence[str]) -> Any:
    """The result of a JSON-2 call, or the mapped error."""
    if 200 <= resp.status_code < 300:
        if "json" not in resp.headers.get("Content-Type", "").lower() and _looks_like_odoo_page(
            resp
        ):
            raise RemoteError(
                f"{what}: HTTP {resp.status_code} with an Odoo web page instead of JSON: "
                "this server does not serve JSON-2 here",
                hint=(
                    "JSON-2 needs Odoo 19 or later and a selected database: set odoo.api to "
                    "auto or xmlrpc, or set odoo.database."
                ),
            )
        return json_or_transient(resp, what)
    _raise_for_error(resp, what=what, tenant=tenant, secrets=secrets)


def _raise_for_error(
    resp: requests.Response, *, what: str, tenant: str, secrets: Sequence[str]
) -> NoReturn:
    body: Any = None
    if "json" in resp.headers.get("Content-Type", "").lower():
        try:
            body = resp.json()
        except ValueError:
            body = None
    failure = faults.from_json2(resp.status_code, body)
    if failure is not None:
        raise faults.to_error(failure, what=what, tenant=tenant, secrets=secrets)
    classify(resp, what, lambda b: (str(b.get("name", "")), str(b.get("message", ""))))
    raise TransientError(f"{what}: HTTP {resp.status_code}")  # classify raises for non-2xx


def web_version(channel: Channel, *, tenant: str) -> dict[str, Any]:
    """``GET /web/version`` (19+); NotFoundError on older servers (a 404 HTML page)."""
    what = f"Odoo /web/version (tenant {tenant})"

    def send() -> dict[str, Any]:
        resp = channel.request("GET", "/web/version", what=what, headers=_ACCEPT_JSON)
        if resp.status_code == 404:
            raise NotFoundError(f"{what}: HTTP 404", status=404)
        result = decode(resp, what=what, tenant=tenant, secrets=())
        if not isinstance(result, dict):
            raise TransientError(f"{what}: unexpected answer")
        return result

    return channel.run(send, retry=True, what=what)


def list_databases(channel: Channel, *, tenant: str) -> list[str] | None:
    """JSON-RPC ``/web/database/list``; None when the server does not list its databases."""
    what = f"Odoo database list (tenant {tenant})"
    payload = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}).encode()

    def send() -> list[str] | None:
        resp = channel.request(
            "POST",
            "/web/database/list",
            what=what,
            data=payload,
            headers={**_ACCEPT_JSON, "Content-Type": "application/json"},
        )
        if resp.status_code in (403, 404):
            return None
        body = decode(resp, what=what, tenant=tenant, secrets=())
        result = body.get("result") if isinstance(body, dict) else None
        # An "error" member (AccessDenied when list_db is off) means: not listed.
        return [str(name) for name in result] if isinstance(result, list) else None

    return channel.run(send, retry=True, what=what)


_ACCEPT_JSON = {"Accept": "application/json"}


class JsonTwoApi(Connection):
    """An authenticated JSON-2 connection: bearer API key, one transaction per call."""

    api: ApiName = "json2"

    def _headers(self) -> Mapping[str, str]:
        headers = {
            **_ACCEPT_JSON,
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"bearer {self._api_key}",
        }
        if self.database:
            headers["X-Odoo-Database"] = self.database
        return headers

    def _sender(
        self, model: str, method: str, ids: Sequence[int] | None, kwargs: dict[str, Any], what: str
    ) -> Callable[[], Any]:
        check_ids(method, ids)
        named = dict(kwargs)
        if ids is not None:
            named["ids"] = list(ids)
        body = wire_json(named)
        secrets = (self._api_key,)

        def send() -> Any:
            resp = self.channel.request(
                "POST", f"/json/2/{model}/{method}", what=what, data=body, headers=self._headers()
            )
            return decode(resp, what=what, tenant=self.tenant, secrets=secrets)

        return send
