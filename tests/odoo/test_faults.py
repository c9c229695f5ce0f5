"""One fault table for both Odoo transports, replayed from captured faults and error bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from tests.odoo.fakes import (
    HTTP18,
    JSON19,
    TRACEBACK,
    URL,
    XML18,
    XML19,
    json_client,
    xml_client,
    xml_fault,
)
from wooodoo.errors import (
    AuthError,
    NotFoundError,
    OdooRecordError,
    RemoteError,
    RemoteRequestError,
    TransientError,
    WooodooError,
)
from wooodoo.odoo import faults


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- One fault table, both transports ---------------------------------------------------------

XMLRPC_EXPECTED = {
    "execute_kw(bad key)": (AuthError, "key invalid, expired or revoked"),
    "account.move.write(posted line change)": (OdooRecordError, "readonly fields on a posted"),
    "account.move.create(bad partner id)": (OdooRecordError, "Record does not exist"),
    "account.move.create(unknown field)": (OdooRecordError, "Invalid field 'x_no_such_field'"),
    "account.move.create(list, second bad) atomic?": (OdooRecordError, "res.partner(999999,)"),
    "account.move.action_post(no lines)": (OdooRecordError, ""),
    "unknown.model.search": (NotFoundError, "Object x.no.such.model doesn't exist"),
}
XMLRPC_CASES = [
    pytest.param(data[name]["fault"], cls, text, id=f"{label}:{name}")
    for label, data in (("18", XML18), ("19", XML19))
    for name, (cls, text) in XMLRPC_EXPECTED.items()
]
SYNTHETIC_FAULTS = [
    pytest.param(
        {"faultCode": 4, "faultString": "You are not allowed to modify 'Journal Entry'"},
        OdooRecordError,
        "not allowed to modify",
        id="code 4 AccessError",
    ),
    pytest.param(
        {
            "faultCode": 1,
            "faultString": TRACEBACK.format(
                last="psycopg2.errors.SerializationFailure: could not serialize access due to "
                "concurrent update"
            ),
        },
        TransientError,
        "could not serialize access",
        id="serialization failure",
    ),
    pytest.param(
        {
            "faultCode": 1,
            "faultString": TRACEBACK.format(
                last="psycopg2.errors.DeadlockDetected: deadlock detected\nDETAIL:  Process 1"
            ),
        },
        TransientError,
        "deadlock detected",
        id="deadlock",
    ),
    pytest.param(
        {
            "faultCode": 1,
            "faultString": TRACEBACK.format(
                last="AttributeError: type object 'res.partner' has no attribute 'nope'"
            ),
        },
        NotFoundError,
        "has no attribute 'nope'",
        id="unknown method up to 16",
    ),
    pytest.param(
        {
            "faultCode": 1,
            "faultString": TRACEBACK.format(
                last="odoo.exceptions.ValidationError: The operation cannot be completed:\n"
                "- Create/update: a mandatory field is not set."
            ),
        },
        OdooRecordError,
        "a mandatory field is not set",
        id="multi-line message after a traceback",
    ),
    pytest.param(
        {"faultCode": 1, "faultString": TRACEBACK.format(last="KeyError: 'tax_ids'")},
        RemoteRequestError,
        "'tax_ids'",
        id="other application error",
    ),
    pytest.param(
        {
            "faultCode": 1,
            "faultString": TRACEBACK.format(
                last="AttributeError: 'NoneType' object has no attribute 'id'"
            ),
        },
        RemoteRequestError,
        "'NoneType' object has no attribute 'id'",
        id="a bug in Odoo is no unknown method",
    ),
    pytest.param(
        {"faultCode": 2, "faultString": repr(("Record does not exist or has been deleted.", None))},
        OdooRecordError,
        "Record does not exist or has been deleted.",
        id="13: except_orm tuple unwrapped",
    ),
    pytest.param(
        {"faultCode": "warning -- MissingError\n\nRecord does not exist", "faultString": ""},
        OdooRecordError,
        "Record does not exist",
        id="string code MissingError (<=15 /xmlrpc/)",
    ),
    pytest.param(
        {"faultCode": "warning -- Validation Error\n\nThe VAT is wrong", "faultString": ""},
        OdooRecordError,
        "The VAT is wrong",
        id="string code Validation Error (old e.name)",
    ),
    pytest.param(
        {"faultCode": "AccessDenied", "faultString": "Access Denied"},
        AuthError,
        "tenant acme",
        id="string code AccessDenied",
    ),
    pytest.param(
        {
            "faultCode": "Invalid field 'x' on model 'account.move'",
            "faultString": TRACEBACK.format(last="ValueError: Invalid field 'x'"),
        },
        OdooRecordError,
        "Invalid field 'x' on model 'account.move'",
        id="string code other exception",
    ),
]


@pytest.mark.parametrize(("fault", "cls", "text"), XMLRPC_CASES + SYNTHETIC_FAULTS)
def test_xmlrpc_faults_map_to_one_error_class(
    rsps: responses.RequestsMock, fault: dict[str, Any], cls: type[Exception], text: str
) -> None:
    rsps.post(
        f"{URL}/xmlrpc/2/object",
        body=xml_fault(fault["faultCode"], fault["faultString"]),
        content_type="text/xml",
    )
    with pytest.raises(WooodooError) as caught:
        xml_client().call("account.move", "search_read", domain=[], retry=False)
    assert type(caught.value) is cls
    assert text in str(caught.value)
    assert 'File "/opt' not in str(caught.value), "never the whole traceback"
    assert len(rsps.calls) == 1


JSON2_EXPECTED = {
    "error: no auth header": AuthError,
    "error: invalid key": AuthError,
    "error: unknown model": NotFoundError,
    "error: unknown method": NotFoundError,
    "error: ids on model method": RemoteRequestError,
    "error: bad kwarg": RemoteRequestError,
    "error: positional args": RemoteRequestError,
    "error: bad partner id on create": OdooRecordError,
    "error: unknown field": OdooRecordError,
    "error: post without lines (UserError)": OdooRecordError,
    "error: malformed json": RemoteRequestError,
}


def _json2_error_cases() -> Iterator[Any]:
    for name, cls in JSON2_EXPECTED.items():
        resp = JSON19[name]["response"]
        body = resp["body"] if isinstance(resp["body"], str) else json.dumps(resp["body"])
        message = json.loads(body)["message"]
        yield pytest.param(resp["status"], body, cls, message, id=name)


@pytest.mark.parametrize(("status", "body", "cls", "message"), list(_json2_error_cases()))
def test_json2_error_bodies_map_to_one_error_class(
    rsps: responses.RequestsMock, status: int, body: str, cls: type[Exception], message: str
) -> None:
    rsps.post(
        f"{URL}/json/2/res.partner/search_read",
        status=status,
        body=body,
        content_type="application/json; charset=utf-8",
    )
    with pytest.raises(WooodooError) as caught:
        json_client().call("res.partner", "search_read", domain=[], retry=False)
    assert type(caught.value) is cls
    if cls is AuthError:
        assert "Odoo refused the API key of tenant acme: key invalid, expired or revoked" in str(
            caught.value
        )
        assert caught.value.exit_code == 3
    assert message in str(caught.value)
    if isinstance(caught.value, RemoteRequestError):
        assert caught.value.status == status
        assert caught.value.code == json.loads(body)["name"]


@pytest.mark.parametrize(
    ("status", "ctype", "body", "cls"),
    [
        pytest.param(503, "text/html", "<html><h1>Busy</h1></html>", TransientError, id="503 html"),
        pytest.param(502, "text/html", "<html>Bad gateway</html>", TransientError, id="502 html"),
        pytest.param(504, "text/html", "", TransientError, id="504 empty"),
        pytest.param(429, "text/html", "slow down", TransientError, id="429"),
        pytest.param(
            500,
            "application/json",
            json.dumps(
                {
                    "name": "psycopg2.errors.SerializationFailure",
                    "message": "could not serialize access due to concurrent update",
                }
            ),
            TransientError,
            id="500 serialization failure",
        ),
        pytest.param(
            403,
            "application/json",
            json.dumps({"name": "odoo.exceptions.AccessError", "message": "Not allowed"}),
            OdooRecordError,
            id="403 AccessError",
        ),
        pytest.param(200, "text/html", "<html>maintenance</html>", TransientError, id="200 html"),
    ],
)
def test_json2_transport_failures(
    rsps: responses.RequestsMock, status: int, ctype: str, body: str, cls: type[Exception]
) -> None:
    rsps.post(f"{URL}/json/2/res.partner/write", status=status, body=body, content_type=ctype)
    with pytest.raises(cls):
        json_client().call("res.partner", "write", ids=[1], vals={"name": "x"}, retry=False)


def test_json2_on_an_18_server_is_no_success(rsps: responses.RequestsMock) -> None:
    page = HTTP18["POST /json/2 on a pre-19 server"]
    rsps.post(
        f"{URL}/json/2/res.partner/search_count",
        status=page["status"],
        body=page["body"],
        content_type=page["headers"]["Content-Type"],
    )
    with pytest.raises(RemoteError) as caught:
        json_client().call("res.partner", "search_count", domain=[])
    assert not isinstance(caught.value, TransientError), "a permanent answer: no retry"
    assert "19" in str(caught.value)
    assert len(rsps.calls) == 1


def test_traceback_parsing_keeps_the_last_exception_of_a_chain() -> None:
    text = (
        TRACEBACK.format(last="psycopg2.errors.NotNullViolation: null value")
        + "\nThe above exception was the direct cause of the following exception:\n\n"
        + TRACEBACK.format(last="odoo.exceptions.ValidationError: mandatory field\nModel: Move")
    )
    assert faults.parse_traceback(text) == (
        "odoo.exceptions.ValidationError",
        "mandatory field\nModel: Move",
    )
    old = faults.from_fault(2, repr(("Record does not exist or has been deleted.\n(x)", None)))
    assert old.message == "Record does not exist or has been deleted.\n(x)"
    assert old.short_name == "MissingError"
    assert faults.parse_traceback("only one line") == ("", "only one line")
    assert faults.parse_traceback("first\n  middle\nlast") == ("", "first … last")
