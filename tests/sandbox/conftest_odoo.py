"""Helpers for the Odoo look-alike tests: a served app per version, proxies, the captures."""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wooodoo.sandbox.faults import RequestCounter
from wooodoo.sandbox.odoo import OdooApp
from wooodoo.sandbox.server import LoopbackServer

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "odoo"
KEY = "sandbox-api-key-0123456789"
DB = "wooodoo"


def capture(name: str) -> dict[str, Any]:
    return json.loads((CAPTURES / name).read_text())


class Served:
    """An OdooApp on a loopback port, with XML-RPC helpers."""

    def __init__(self, app: OdooApp, url: str) -> None:
        self.app = app
        self.url = url
        self.common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.object = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.object.execute_kw(DB, 2, KEY, model, method, list(args), kwargs)

    @property
    def type_field(self) -> str:
        return "type" if self.app.version == 13 else "move_type"


@contextmanager
def served(version: int, **kwargs: Any) -> Iterator[Served]:
    kwargs.setdefault("counter", RequestCounter())
    app = OdooApp(version, database=DB, api_key=KEY, **kwargs)
    with LoopbackServer(app) as server:
        yield Served(app, server.url)


def fifteen_percent(odoo: Served) -> int:
    """A 15 % sale tax like the captured server's, with its own tax group."""
    group = odoo.call("account.tax.group", "create", [{"name": "Tax 15%"}])[0]
    return int(
        odoo.call(
            "account.tax",
            "create",
            [
                {
                    "name": "15%",
                    "amount": 15,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "tax_group_id": group,
                }
            ],
        )[0]
    )


def fault_of(call: Any) -> xmlrpc.client.Fault:
    try:
        call()
    except xmlrpc.client.Fault as fault:
        return fault
    raise AssertionError("expected an XML-RPC fault")
