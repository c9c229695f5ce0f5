"""Replays the captured JSON-2 and HTTP exchanges (real Odoo 19 and 18) against the look-alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

try:
    from tests.sandbox.conftest_odoo import DB, KEY, Served, capture, fifteen_percent, served
except ImportError:  # tests/sandbox is not a package
    from conftest_odoo import DB, KEY, Served, capture, fifteen_percent, served

CAP19 = capture("odoo19-json2-and-http.json")
CAP18 = capture("odoo18-http.json")
AUTH = {"Authorization": f"bearer {KEY}", "X-Odoo-Database": DB}


@pytest.fixture
def odoo19() -> Iterator[Served]:
    with served(19) as srv:
        yield srv


@pytest.fixture
def odoo18() -> Iterator[Served]:
    with served(18) as srv:
        yield srv


def _post(
    srv: Served, path: str, body: Any, headers: dict[str, str] | None = None
) -> requests.Response:
    return requests.post(
        f"{srv.url}{path}", json=body, headers=AUTH if headers is None else headers, timeout=10
    )


def test_version_endpoints(odoo19: Served, odoo18: Served) -> None:
    for srv, cap in ((odoo19, CAP19), (odoo18, CAP18)):
        got = requests.get(f"{srv.url}/web/version", timeout=10)
        want = cap["GET /web/version"]
        assert got.status_code == want["status"]
        assert got.headers["Content-Type"] == want["headers"]["Content-Type"]
        if got.status_code == 200:
            assert got.json() == json.loads(want["body"])
        else:
            assert got.text.startswith(want["body"].split(" ... ")[0].rsplit("/web/", 1)[0])
        info = requests.post(f"{srv.url}/web/webclient/version_info", json={}, timeout=10)
        want = cap["POST /web/webclient/version_info"]
        assert info.status_code == want["status"]
        assert info.json() == json.loads(want["body"])


def test_json2_on_a_pre_19_server_is_the_login_page(odoo18: Served) -> None:
    got = _post(odoo18, "/json/2/res.partner/search_count", {"domain": []})
    want = CAP18["POST /json/2 on a pre-19 server"]
    assert got.status_code == want["status"] == 200
    assert got.headers["Content-Type"] == want["headers"]["Content-Type"]
    assert got.text.startswith(want["body"].split(" ... ")[0])


def test_successful_calls_follow_the_capture(odoo19: Served) -> None:
    partner = _post(
        odoo19, "/json/2/res.partner/create", CAP19["create partner (vals_list)"]["request"]["body"]
    )
    assert partner.status_code == 200
    [partner_id] = partner.json()
    read = _post(
        odoo19,
        "/json/2/res.partner/search_read",
        {"domain": [["id", "=", partner_id]], "fields": ["name", "email", "ref", "write_date"]},
    )
    want = CAP19["search_read partner"]["response"]
    assert read.status_code == want["status"]
    assert read.headers["Content-Type"] == want["headers"]["Content-Type"]
    assert set(read.json()[0]) == set(want["body"][0])

    tax = fifteen_percent(odoo19)
    body = CAP19["create invoice"]["request"]["body"]
    body["vals_list"][0]["partner_id"] = partner_id
    body["vals_list"][0]["invoice_line_ids"][0][2]["tax_ids"] = [[6, 0, [tax]]]
    [move] = _post(odoo19, "/json/2/account.move/create", body).json()
    posted = _post(odoo19, "/json/2/account.move/action_post", {"ids": [move]})
    assert (posted.status_code, posted.json()) == (200, CAP19["action_post"]["response"]["body"])
    read = _post(
        odoo19,
        "/json/2/account.move/read",
        CAP19["read posted"]["request"]["body"] | {"ids": [move]},
    )
    want_row = CAP19["read posted"]["response"]["body"][0]
    got_row = read.json()[0]
    assert {k: v for k, v in got_row.items() if k not in ("id", "name")} == {
        k: v for k, v in want_row.items() if k not in ("id", "name")
    }


ERRORS = [k for k in CAP19 if k.startswith("error: ")]


@pytest.mark.parametrize("case", ERRORS, ids=[k.removeprefix("error: ") for k in ERRORS])
def test_errors_follow_the_capture(odoo19: Served, case: str) -> None:
    exchange = CAP19[case]
    request = exchange["request"]
    if case == "error: post without lines (UserError)":
        empty = odoo19.call(
            "account.move", "create", [{"move_type": "out_invoice", "partner_id": 3}]
        )
        request = {**request, "body": {"ids": empty}}
    headers = dict(AUTH)
    if case == "error: no auth header":
        headers.pop("Authorization")
    if case == "error: invalid key":
        headers["Authorization"] = "bearer not-the-key"
    if case == "error: malformed json":
        got = requests.post(
            f"{odoo19.url}/json/2/res.partner/search",
            data=b"{not json",
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
        want_body = json.loads(exchange["response"]["body"])
    else:
        got = _post(odoo19, request["path"], request["body"], headers)
        want_body = exchange["response"]["body"]
    assert got.status_code == exchange["response"]["status"]
    assert got.headers["Content-Type"] == exchange["response"]["headers"]["Content-Type"]
    body = got.json()
    assert set(body) == set(want_body)
    for key in ("name", "message", "arguments", "context"):
        assert body[key] == want_body[key], key
    assert body["debug"].startswith("Traceback (most recent call last):")


def test_wrong_http_methods_get_405(odoo19: Served) -> None:
    xml = requests.get(f"{odoo19.url}/xmlrpc/2/object", timeout=10)
    assert xml.status_code == 405
    assert "Method Not Allowed" in xml.text
    assert xml.headers["Allow"] == "POST"
    json2 = requests.get(f"{odoo19.url}/json/2/res.partner/search", headers=AUTH, timeout=10)
    assert json2.status_code == 405
    assert json2.json()["name"] == "werkzeug.exceptions.MethodNotAllowed"
    anonymous = requests.get(f"{odoo19.url}/json/2/res.partner/search", timeout=10)
    assert anonymous.status_code == 401


def test_json2_binding_errors_and_counter(odoo19: Served) -> None:
    extra = _post(odoo19, "/json/2/account.move/action_post", {"ids": [], "nope": 1})
    assert extra.status_code == 422
    assert extra.json()["message"] == "got an unexpected keyword argument 'nope'"
    missing = _post(odoo19, "/json/2/res.partner/create", {})
    assert missing.status_code == 422
    assert missing.json()["message"] == "missing a required argument: 'vals_list'"
    private = _post(odoo19, "/json/2/res.partner/_read_format", {})
    assert private.status_code == 403
    counts = odoo19.app.counter.snapshot() if odoo19.app.counter else {}
    assert counts["odoo account.move.action_post"] == 1
    assert counts["odoo res.partner.create"] == 1
