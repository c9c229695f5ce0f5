"""The Odoo client against the loopback Odoo look-alike: 13 and 17 over XML-RPC, 19 over JSON-2."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.odoo.fakes import KEY
from wooodoo.errors import AuthError, ConfigError, OdooRecordError, RemoteError, TransientError
from wooodoo.http import RetryPolicy, make_session
from wooodoo.odoo.connect import connect
from wooodoo.odoo.json2 import JsonTwoApi
from wooodoo.odoo.protocol import OdooApi, OdooVersion
from wooodoo.odoo.transport import Channel
from wooodoo.sandbox.faults import FaultInjector, FaultPlan, RequestCounter
from wooodoo.sandbox.odoo import OdooApp
from wooodoo.sandbox.server import LoopbackServer

# Enough attempts that a 30 % fault rate (fixed seed) never exhausts them; no real waiting.
PATIENT = RetryPolicy(attempts=10, total_seconds=30, base_delay=0.001, max_delay=0.005)


@dataclass
class Sandbox:
    app: OdooApp
    injector: FaultInjector
    counter: RequestCounter
    url: str

    def connect(self, **overrides: Any) -> OdooApi:
        options: dict[str, Any] = {
            "database": None,
            "login": self.app.login,
            "api_key": KEY,
            "api": "auto",
            "timeout": 5,
            "retry": PATIENT,
            "tenant": "shop",
        }
        options.update(overrides)
        return connect(self.url, **options)


@pytest.fixture
def odoo() -> Iterator[Callable[[int], Sandbox]]:
    with ExitStack() as stack:

        def start(version: int) -> Sandbox:
            counter = RequestCounter()
            app = OdooApp(version, api_key=KEY)
            injector = FaultInjector(app, counter)
            server = stack.enter_context(LoopbackServer(injector))
            return Sandbox(app, injector, counter, server.url)

        yield start


def reference_ids(api: OdooApi) -> tuple[int, int, int]:
    """(sale tax "19% DE", income account 400000, sale journal) in one call each."""
    [tax] = api.call(
        "account.tax",
        "search_read",
        domain=[["name", "=", "19% DE"], ["type_tax_use", "=", "sale"]],
        fields=["id"],
    )
    [account] = api.call(
        "account.account", "search_read", domain=[["code", "=", "400000"]], fields=["id"]
    )
    [journal] = api.call(
        "account.journal", "search_read", domain=[["type", "=", "sale"]], fields=["id"], limit=1
    )
    return tax["id"], account["id"], journal["id"]


@pytest.mark.parametrize(("version", "api_name"), [(13, "xmlrpc"), (17, "xmlrpc"), (19, "json2")])
def test_partner_and_invoice_round_trip(
    odoo: Callable[[int], Sandbox], version: int, api_name: str
) -> None:
    sandbox = odoo(version)
    api = sandbox.connect()
    assert (api.api, api.version.major) == (api_name, version)
    tax, account, journal = reference_ids(api)
    [partner] = api.call(
        "res.partner", "create", vals_list=[{"name": "Ada Buyer", "email": "ada@example.test"}]
    )

    def line(name: str, quantity: int, price_unit: Decimal) -> tuple[int, int, dict[str, Any]]:
        vals = {"name": name, "quantity": quantity, "price_unit": price_unit}
        return (0, 0, {**vals, "account_id": account, "tax_ids": [(6, 0, [tax])]})

    invoice = {
        api.fields.move_type: "out_invoice",
        "partner_id": partner,
        "journal_id": journal,
        "invoice_date": date(2026, 1, 15),
        "invoice_origin": "shop/order/1",
        "ref": "#1",
        # 3 x 10/3: Odoo up to 18 rounds the unit price to 3.33 (9.99), 19 keeps it (10.00).
        "invoice_line_ids": [
            line("Hoodie", 3, Decimal(10) / Decimal(3)),
            line("Shipping", 1, Decimal("4.99")),
        ],
    }
    [move] = api.call("account.move", "create", vals_list=[invoice])
    api.call("account.move", "action_post", ids=[move])
    [row] = api.call(
        "account.move",
        "read",
        ids=[move],
        fields=["state", "amount_untaxed", "amount_tax", "amount_total", api.fields.move_type],
    )
    untaxed = Decimal("14.98") if api.fields.price_unit_rounded else Decimal("14.99")
    got = {k: Decimal(str(row[k])) for k in ("amount_untaxed", "amount_tax", "amount_total")}
    assert got == {
        "amount_untaxed": untaxed,
        "amount_tax": Decimal("2.85"),  # 1.90 + 0.95, rounded per line
        "amount_total": untaxed + Decimal("2.85"),
    }
    assert (row["state"], row[api.fields.move_type]) == ("posted", "out_invoice")
    assert api.requests_sent == sandbox.counter.total()
    api.close()


@pytest.mark.parametrize("version", [13, 19])
def test_bad_key(odoo: Callable[[int], Sandbox], version: int) -> None:
    sandbox = odoo(version)
    with pytest.raises(AuthError) as caught:
        sandbox.connect(api_key="not-the-key")
    assert "Odoo refused the API key of tenant shop: key invalid, expired or revoked" in str(
        caught.value
    )
    assert "not-the-key" not in str(caught.value)


@pytest.mark.parametrize("version", [13, 17, 19])
def test_bad_partner_id_is_a_record_error(odoo: Callable[[int], Sandbox], version: int) -> None:
    api = odoo(version).connect()
    with pytest.raises(OdooRecordError) as caught:
        api.call(
            "account.move",
            "create",
            vals_list=[{api.fields.move_type: "out_invoice", "partner_id": 999999}],
        )
    assert "Record does not exist or has been deleted" in caught.value.message
    assert "res.partner(999999,)" in caught.value.message
    assert "None)" not in caught.value.message
    api.close()


@pytest.mark.parametrize("version", [17, 19])
def test_transient_faults_on_reads_are_retried(
    odoo: Callable[[int], Sandbox], version: int
) -> None:
    sandbox = odoo(version)
    sandbox.injector.plan = FaultPlan.transient(0.3).with_updates(retry_after=0)
    api = sandbox.connect()
    for _ in range(50):
        rows = api.call(
            "res.currency", "search_read", domain=[["name", "=", "EUR"]], fields=["name"]
        )
        assert [r["name"] for r in rows] == ["EUR"]
    served = sandbox.injector.faults_served
    assert sum(served.values()) >= 8, served
    assert len(served) >= 4, served  # dropped connections, 429, 50x, HTML, PHP notices
    assert api.requests_sent == sandbox.counter.total()
    api.close()


def test_a_write_that_may_have_run_is_not_sent_again(odoo: Callable[[int], Sandbox]) -> None:
    sandbox = odoo(19)
    api = sandbox.connect()
    sandbox.injector.plan = FaultPlan(html_200=1.0)
    before = api.requests_sent
    with pytest.raises(TransientError):
        api.call("res.partner", "create", vals_list=[{"name": "Maybe"}])
    assert api.requests_sent == before + 1
    api.close()


def test_json2_forced_on_18(odoo: Callable[[int], Sandbox]) -> None:
    sandbox = odoo(18)
    with pytest.raises(ConfigError, match="json2 needs Odoo 19"):
        sandbox.connect(api="json2")
    # And 18's answer to /json/2/ (200, an HTML login page) is no success either.
    chan = Channel(sandbox.url, session=make_session(), timeout=5, retry=PATIENT)
    client = JsonTwoApi(
        chan, version=OdooVersion(19, 0, "19.0"), database=None, api_key=KEY, tenant="shop"
    )
    with pytest.raises(RemoteError) as caught:
        client.call("res.partner", "search_count", domain=[])
    assert not isinstance(caught.value, TransientError)
    assert client.requests_sent == 1
    client.close()
