"""The Odoo client: calls and argument translation, version detection, discovery, retries."""

from __future__ import annotations

import json
import logging
import socket
import xmlrpc.client
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.odoo.fakes import (
    FAST,
    HTTP18,
    JSON19,
    KEY,
    TRACEBACK,
    URL,
    V19,
    XML18,
    XML19,
    XmlRecorder,
    assert_no_secret,
    do_connect,
    json_client,
    odoo_xmlrpc,
    xml_client,
    xml_fault,
    xml_ok,
)
from wooodoo.errors import (
    AuthError,
    ConfigError,
    TransientError,
    WooodooError,
)
from wooodoo.http import make_session
from wooodoo.odoo.connect import parse_version
from wooodoo.odoo.json2 import JsonTwoApi
from wooodoo.odoo.protocol import OdooVersion
from wooodoo.odoo.transport import Channel, to_wire, wire_json
from wooodoo.odoo.xmlrpc import XmlRpcApi


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- Successful calls ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "search_read partner",
        "create partner (vals_list)",
        "create invoice",
        "action_post",
        "read posted",
    ],
)
def test_json2_requests_and_results_match_the_captures(
    rsps: responses.RequestsMock, name: str
) -> None:
    case = JSON19[name]
    rsps.post(f"{URL}{case['request']['path']}", json=case["response"]["body"])
    _, model, method = case["request"]["path"].rsplit("/", 2)
    args = dict(case["request"]["body"])
    ids = args.pop("ids", None)
    result = json_client().call(model, method, ids=ids, **args)
    assert result == case["response"]["body"]
    sent = rsps.calls[0].request
    assert json.loads(sent.body) == case["request"]["body"]
    assert sent.headers["Authorization"] == f"bearer {KEY}"
    assert sent.headers["X-Odoo-Database"] == "db"
    assert sent.headers["Content-Type"].startswith("application/json")


def test_json2_without_database_sends_no_database_header(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{URL}/json/2/res.partner/search_count", json=3)
    assert json_client(database=None).call("res.partner", "search_count", domain=[]) == 3
    assert "X-Odoo-Database" not in rsps.calls[0].request.headers


TRANSLATIONS = [
    pytest.param(
        "search_read",
        None,
        {"domain": [["ref", "=", "k"]], "fields": ["id"], "limit": 5},
        [[["ref", "=", "k"]]],
        {"fields": ["id"], "limit": 5},
        id="search_read: domain positional",
    ),
    pytest.param("search", None, {"domain": [], "order": "id"}, [[]], {"order": "id"}, id="search"),
    pytest.param("search_count", None, {}, [[]], {}, id="search_count: empty domain"),
    pytest.param(
        "create",
        None,
        {"vals_list": [{"name": "A", "price_unit": Decimal("3.3333")}]},
        [[{"name": "A", "price_unit": 3.3333}]],
        {},
        id="create: vals_list positional, Decimal as float",
    ),
    pytest.param(
        "write",
        [7],
        {"vals": {"invoice_date": date(2026, 11, 20)}, "context": {"lang": "en_US"}},
        [[7], {"invoice_date": "2026-11-20"}],
        {"context": {"lang": "en_US"}},
        id="write: ids then vals, date as string, context kwarg",
    ),
    pytest.param("read", (3, 4), {"fields": ["name"]}, [[3, 4]], {"fields": ["name"]}, id="read"),
    pytest.param("action_post", [3], {}, [[3]], {}, id="action_post: ids only"),
    pytest.param(
        "fields_get", None, {"attributes": ["type"]}, [], {"attributes": ["type"]}, id="fields_get"
    ),
]


@pytest.mark.parametrize(("method", "ids", "named", "args", "kwargs"), TRANSLATIONS)
def test_xmlrpc_argument_translation(
    rsps: responses.RequestsMock,
    method: str,
    ids: Any,
    named: dict[str, Any],
    args: list[Any],
    kwargs: dict[str, Any],
) -> None:
    recorder = XmlRecorder(lambda m, p: xml_ok(42))
    rsps.add_callback(responses.POST, f"{URL}/xmlrpc/2/object", callback=recorder)
    assert xml_client().call("account.move", method, ids=ids, **named) == 42
    [(rpc_method, params)] = recorder.calls
    assert rpc_method == "execute_kw"
    assert params == ("db", 2, KEY, "account.move", method, args, kwargs)
    assert rsps.calls[0].request.headers["Content-Type"].startswith("text/xml")


def test_ids_on_a_model_method_are_refused_before_sending(rsps: responses.RequestsMock) -> None:
    with pytest.raises(TypeError):
        xml_client().call("res.partner", "create", ids=[1], vals_list=[{}])
    with pytest.raises(TypeError):
        json_client().call("res.partner", "search_read", ids=[1], domain=[])
    assert len(rsps.calls) == 0


_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(places=2, min_value=-(10**9), max_value=10**9)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
)
_PAYLOADS = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=6) | st.integers(0, 99), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_PAYLOADS)
def test_json2_bodies_carry_the_wire_values(payload: object) -> None:
    """JSON-2 converts the leaves as the encoder meets them: the same JSON as ``to_wire``."""
    assert json.loads(wire_json({"vals": payload})) == json.loads(
        json.dumps(to_wire({"vals": payload}))
    )


def test_wire_values() -> None:
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert to_wire({"a": (Decimal("1.10"), aware)}) == {"a": [1.1, "2026-01-02 03:04:05"]}
    with pytest.raises(ValueError, match="naive"):
        to_wire(datetime(2026, 1, 2))


# --- Version detection, database discovery, authentication ------------------------------------


def test_connect_18_uses_xmlrpc(rsps: responses.RequestsMock) -> None:
    recorder = odoo_xmlrpc(rsps, XML18["common.version"])
    api = do_connect()
    assert isinstance(api, XmlRpcApi)
    assert (api.api, api.version.major, api.uid, api.database) == ("xmlrpc", 18, 2, "db")
    assert api.fields.price_unit_rounded  # 18 still rounds price_unit to 2 decimals
    assert recorder.calls[1] == ("authenticate", ("db", "sync@example.com", KEY, {}))
    assert api.requests_sent == 2


def test_connect_19_auto_uses_json2_and_proves_the_key(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    rsps.post(f"{URL}/json/2/res.partner/search_count", json=0)
    api = do_connect()
    assert isinstance(api, JsonTwoApi)
    assert (api.api, api.version.label, api.database) == ("json2", "19.0", "db")
    assert api.fields.price_unit_rounded is False
    sent = rsps.calls[-1].request
    assert json.loads(sent.body) == {"domain": [["id", "=", 0]]}
    assert sent.headers["Authorization"] == f"bearer {KEY}"


def test_connect_json2_forced_reads_web_version(rsps: responses.RequestsMock) -> None:
    page = JSON19["GET /web/version"]
    rsps.get(f"{URL}/web/version", body=page["body"], content_type="application/json")
    rsps.post(f"{URL}/json/2/res.partner/search_count", json=0)
    api = do_connect(api="json2")
    assert api.version == OdooVersion(19, 0, "19.0")
    assert not any("/xmlrpc/" in c.request.url for c in rsps.calls)


def test_json2_forced_on_18_is_a_config_error(rsps: responses.RequestsMock) -> None:
    page = HTTP18["GET /web/version"]
    rsps.get(f"{URL}/web/version", status=404, body=page["body"], content_type="text/html")
    odoo_xmlrpc(rsps, XML18["common.version"])
    with pytest.raises(ConfigError) as caught:
        do_connect(api="json2")
    assert caught.value.exit_code == 2
    assert "is 18.0" in str(caught.value)
    assert "json2 needs Odoo 19" in str(caught.value)


def test_xmlrpc_forced_on_19_works_and_warns_once(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    with caplog.at_level(logging.WARNING, logger="wooodoo.odoo"):
        first = do_connect(tenant="warn-once", api="xmlrpc")
        do_connect(tenant="warn-once", api="xmlrpc")
    assert isinstance(first, XmlRpcApi)
    assert first.version.major == 19
    warnings = [r for r in caplog.records if "deprecates XML-RPC" in r.getMessage()]
    assert len(warnings) == 1


def test_no_odoo_at_the_url(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{URL}/xmlrpc/2/common", status=404, body="<html>Not Found</html>")
    rsps.get(f"{URL}/web/version", status=404, body="<html>Not Found</html>")
    with pytest.raises(ConfigError, match="No Odoo answers"):
        do_connect()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(XML18["common.version"], OdooVersion(18, 0, "18.0"), id="18"),
        pytest.param(
            json.loads(JSON19["GET /web/version"]["body"]), OdooVersion(19, 0, "19.0"), id="19 web"
        ),
        pytest.param(
            {"server_version": "saas~18.3", "server_version_info": ["saas~18", 3, 0, "final"]},
            OdooVersion(18, 3, "saas~18.3"),
            id="saas",
        ),
        pytest.param({"server_version": "13.0+e"}, OdooVersion(13, 0, "13.0+e"), id="label only"),
    ],
)
def test_parse_version(payload: dict[str, Any], expected: OdooVersion) -> None:
    assert parse_version(payload) == expected


def test_bad_key_on_xmlrpc(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML18["common.version"], uid=XML18["common.authenticate(bad key)"])
    with pytest.raises(AuthError) as caught:
        do_connect()
    assert caught.value.message == (
        "Odoo refused the API key of tenant acme: key invalid, expired or revoked"
    )
    assert caught.value.exit_code == 3
    assert "wooodoo secrets set --tenant acme odoo_api_key" in str(caught.value.hint)


def test_bad_key_on_json2(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    error = JSON19["error: invalid key"]["response"]
    rsps.post(f"{URL}/json/2/res.partner/search_count", status=401, json=error["body"])
    with pytest.raises(AuthError, match="tenant acme: key invalid, expired or revoked"):
        do_connect()


def test_database_discovery_one_database(rsps: responses.RequestsMock) -> None:
    recorder = odoo_xmlrpc(rsps, XML18["common.version"], databases=["books"])
    api = do_connect(database=None)
    assert api.database == "books"
    assert recorder.calls[-1][1][0] == "books"


def test_database_discovery_several_databases(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML18["common.version"], databases=["books", "test"])
    with pytest.raises(ConfigError) as caught:
        do_connect(database=None)
    assert "books, test" in str(caught.value)
    assert "odoo.database" in str(caught.value)


def test_database_listing_disabled_is_not_a_key_problem(rsps: responses.RequestsMock) -> None:
    denied = xmlrpc.client.Fault(3, "Access Denied")
    odoo_xmlrpc(rsps, XML18["common.version"], databases=denied)
    with pytest.raises(ConfigError, match="does not list its databases") as caught:
        do_connect(database=None)
    assert "odoo.database" in str(caught.value)


def test_database_of_odoo_online_is_its_subdomain(rsps: responses.RequestsMock) -> None:
    online = "https://acme.odoo.com"
    denied = xmlrpc.client.Fault(3, "Access Denied")
    recorder = odoo_xmlrpc(rsps, XML18["common.version"], databases=denied, url=online)
    api = do_connect(database=None, url=online)
    assert api.database == "acme"
    assert recorder.calls[-1][1][0] == "acme"


def test_unknown_database_is_a_config_error(rsps: responses.RequestsMock) -> None:
    trace = TRACEBACK.format(
        last='psycopg2.OperationalError: connection to server failed: FATAL:  database "nope" '
        "does not exist"
    )
    odoo_xmlrpc(rsps, XML18["common.version"], uid=xmlrpc.client.Fault(1, trace))
    with pytest.raises(ConfigError) as caught:
        do_connect(database="nope")
    assert 'database "nope" does not exist' in str(caught.value)
    assert "odoo.database" in str(caught.value)


def test_json2_database_discovery(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    rsps.post(f"{URL}/web/database/list", json={"jsonrpc": "2.0", "id": 1, "result": ["books"]})
    rsps.post(f"{URL}/json/2/res.partner/search_count", json=0)
    api = do_connect(database=None)
    assert api.database == "books"
    assert rsps.calls[-1].request.headers["X-Odoo-Database"] == "books"


def test_json2_listing_disabled_lets_the_server_pick(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    denied = {"jsonrpc": "2.0", "id": 1, "error": {"data": {"name": "AccessDenied"}}}
    rsps.post(f"{URL}/web/database/list", json=denied)
    rsps.post(f"{URL}/json/2/res.partner/search_count", json=0)
    api = do_connect(database=None)
    assert api.database is None
    assert "X-Odoo-Database" not in rsps.calls[-1].request.headers


def test_json2_listing_disabled_and_no_database_picked(rsps: responses.RequestsMock) -> None:
    odoo_xmlrpc(rsps, XML19["common.version"])
    rsps.post(f"{URL}/web/database/list", status=404, body="<html>Not Found</html>")
    selector = "<html><head><title>Odoo</title></head><body class='o_database_list'></body></html>"
    rsps.post(f"{URL}/json/2/res.partner/search_count", body=selector, content_type="text/html")
    with pytest.raises(ConfigError, match="does not list its databases"):
        do_connect(database=None)


# --- Retries: reads always, writes only when Odoo never saw them ------------------------------


def test_reads_are_retried_on_transient_failures(rsps: responses.RequestsMock) -> None:
    path = f"{URL}/xmlrpc/2/object"
    rsps.post(path, status=503, body="<html>busy</html>", content_type="text/html")
    rsps.post(path, status=200, body="<html>maintenance</html>", content_type="text/html")
    rsps.post(path, body=xml_ok([{"id": 1}]), content_type="text/xml")
    client = xml_client()
    assert client.call("res.partner", "search_read", domain=[]) == [{"id": 1}]
    assert client.requests_sent == 3


def test_writes_are_not_retried_blindly(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{URL}/json/2/account.move/create", status=502, body="<html>Bad gateway</html>")
    rsps.post(f"{URL}/json/2/account.move/create", json=[9])
    client = json_client()
    with pytest.raises(TransientError):
        client.call("account.move", "create", vals_list=[{"ref": "#1"}])
    assert client.requests_sent == 1
    assert client.call("account.move", "create", vals_list=[{"ref": "#1"}], retry=True) == [9]


def test_writes_are_retried_after_429(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{URL}/xmlrpc/2/object", status=429, headers={"Retry-After": "0"})
    rsps.post(f"{URL}/xmlrpc/2/object", body=xml_ok([5]), content_type="text/xml")
    client = xml_client()
    assert client.call("res.partner", "create", vals_list=[{"name": "A"}]) == [5]
    assert client.requests_sent == 2


def test_writes_are_retried_when_the_connection_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = make_session()
    chan = Channel(f"http://127.0.0.1:{port}", session=session, timeout=2, retry=FAST)
    client = JsonTwoApi(chan, version=V19, database="db", api_key=KEY, tenant="acme")
    with pytest.raises(TransientError, match="gave up after 3 attempts") as caught:
        client.call("account.move", "action_post", ids=[1])
    assert client.requests_sent == FAST.attempts
    assert_no_secret(str(caught.value))


def test_a_read_can_opt_out_of_retries(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{URL}/json/2/res.partner/search_read", status=503, body="busy")
    client = json_client()
    with pytest.raises(TransientError):
        client.call("res.partner", "search_read", domain=[], retry=False)
    assert client.requests_sent == 1


# --- Secrets ---------------------------------------------------------------------------------


def test_the_key_never_reaches_errors_or_logs(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    echoed = TRACEBACK.format(last=f"ValueError: Invalid field 'x' with key {KEY}")
    rsps.post(f"{URL}/xmlrpc/2/object", body=xml_fault(1, echoed), content_type="text/xml")
    rsps.post(
        f"{URL}/json/2/res.partner/read",
        status=500,
        json={"name": "builtins.KeyError", "message": f"bad {KEY}"},
    )
    odoo_xmlrpc(rsps, XML18["common.version"], uid=False)
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for attempt in (
            lambda: xml_client().call("res.partner", "read", ids=[1]),
            lambda: json_client().call("res.partner", "read", ids=[1]),
            lambda: do_connect(),
        ):
            with pytest.raises(WooodooError) as caught:
                attempt()
            texts += [str(caught.value), repr(caught.value)]
    assert "REDACTED" in texts[0]
    texts += [r.getMessage() for r in caplog.records]
    texts += [repr(xml_client()), repr(json_client())]
    assert_no_secret(*texts)
