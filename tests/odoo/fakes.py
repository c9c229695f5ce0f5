"""Helpers for the Odoo client tests: captures, mocked XML-RPC answers, ready clients."""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

import responses

from wooodoo.http import RetryPolicy, make_session
from wooodoo.odoo.connect import connect
from wooodoo.odoo.json2 import JsonTwoApi
from wooodoo.odoo.protocol import OdooApi, OdooVersion
from wooodoo.odoo.transport import Channel
from wooodoo.odoo.xmlrpc import XmlRpcApi

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "odoo"
URL = "http://127.0.0.1:8069"
KEY = "sk-very-secret-0123456789"
FAST = RetryPolicy(attempts=3, total_seconds=10, base_delay=0.001, max_delay=0.002)
V18 = OdooVersion(18, 0, "18.0")
V19 = OdooVersion(19, 0, "19.0")


def capture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CAPTURES / name).read_text())
    return data


XML18 = capture("odoo18-xmlrpc.json")
XML19 = capture("odoo19-xmlrpc.json")
JSON19 = capture("odoo19-json2-and-http.json")
HTTP18 = capture("odoo18-http.json")


def xml_ok(result: Any) -> str:
    return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)


def xml_fault(code: int | str, text: str) -> str:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), allow_none=True)


def channel() -> Channel:
    return Channel(URL, session=make_session(), timeout=5, retry=FAST)


def xml_client(version: OdooVersion = V18) -> XmlRpcApi:
    return XmlRpcApi(channel(), version=version, database="db", uid=2, api_key=KEY, tenant="acme")


def json_client(database: str | None = "db") -> JsonTwoApi:
    return JsonTwoApi(channel(), version=V19, database=database, api_key=KEY, tenant="acme")


class XmlRecorder:
    """A responses callback that decodes each XML-RPC request and answers from a function."""

    def __init__(self, answer: Callable[[str, tuple[Any, ...]], str]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        params, method = xmlrpc.client.loads(request.body, use_builtin_types=True)
        self.calls.append((method, params))
        return 200, {"Content-Type": "text/xml"}, self.answer(method, params)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert KEY not in text


TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/odoo/service/model.py", line 150, in retrying\n'
    "    result = func()\n"
    "             ^^^^^^\n"
    '  File "/opt/odoo/odoo/sql_db.py", line 354, in execute\n'
    "    res = self._obj.execute(query, params)\n"
    "{last}\n"
)


def odoo_xmlrpc(
    rsps: responses.RequestsMock,
    version: dict[str, Any],
    *,
    uid: Any = 2,
    databases: list[str] | xmlrpc.client.Fault | None = None,
    url: str = URL,
) -> XmlRecorder:
    """A mocked Odoo speaking XML-RPC: common.version/authenticate and db.list."""

    def answer(method: str, params: tuple[Any, ...]) -> str:
        if method == "version":
            return xml_ok(version)
        if method == "authenticate":
            if isinstance(uid, xmlrpc.client.Fault):
                return xmlrpc.client.dumps(uid)
            return xml_ok(uid)
        if method == "list":
            if isinstance(databases, xmlrpc.client.Fault):
                return xmlrpc.client.dumps(databases)
            return xml_ok(databases)
        raise AssertionError(f"unexpected XML-RPC {method}")

    recorder = XmlRecorder(answer)
    for service in ("common", "db"):
        rsps.add_callback(responses.POST, f"{url}/xmlrpc/2/{service}", callback=recorder)
    return recorder


def do_connect(tenant: str = "acme", **overrides: Any) -> OdooApi:
    options: dict[str, Any] = {
        "database": "db",
        "login": "sync@example.com",
        "api_key": KEY,
        "api": "auto",
        "timeout": 5,
        "retry": FAST,
        "tenant": tenant,
    }
    options.update(overrides)
    url = options.pop("url", URL)
    return connect(url, **options)
