"""Replays the captured XML-RPC calls (real Odoo 18 and 19) against the look-alike."""

from __future__ import annotations

import re
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from tests.sandbox.conftest_odoo import (
        DB,
        KEY,
        Served,
        capture,
        fault_of,
        fifteen_percent,
        served,
    )
except ImportError:  # tests/sandbox is not a package
    from conftest_odoo import DB, KEY, Served, capture, fault_of, fifteen_percent, served


@pytest.fixture(params=[18, 19], ids=["odoo18", "odoo19"])
def odoo(request: pytest.FixtureRequest) -> Iterator[tuple[Served, dict[str, Any]]]:
    with served(request.param) as srv:
        yield srv, capture(f"odoo{request.param}-xmlrpc.json")


def _keys(records: list[dict[str, Any]]) -> set[str]:
    return set(records[0]) if records else set()


def _invoice(srv: Served, tax: int, origin: str) -> int:
    partner = srv.call("res.partner", "create", [{"name": "Capture Buyer", "email": "b@x.test"}])
    ids = srv.call(
        "account.move",
        "create",
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner[0],
                "invoice_origin": origin,
                "ref": "#1",
                "invoice_date": "2026-11-20",
                "invoice_line_ids": [
                    [
                        0,
                        0,
                        {
                            "name": "Hoodie (SKU H-1)",
                            "quantity": 3,
                            "price_unit": 10 / 3,
                            "tax_ids": [[6, 0, [tax]]],
                        },
                    ],
                    [
                        0,
                        0,
                        {
                            "name": "Flat rate shipping",
                            "quantity": 1,
                            "price_unit": 4.99,
                            "tax_ids": [[6, 0, [tax]]],
                        },
                    ],
                ],
            }
        ],
    )
    return int(ids[0])


def test_version_and_authentication(odoo: tuple[Served, dict[str, Any]]) -> None:
    srv, cap = odoo
    assert srv.common.version() == cap["common.version"]
    assert (
        srv.common.authenticate(DB, "sync@example.test", KEY, {}) == cap["common.authenticate(ok)"]
    )
    assert (
        srv.common.authenticate(DB, "sync@example.test", "wrong", {})
        is cap["common.authenticate(bad key)"]
    )
    fault = fault_of(lambda: srv.object.execute_kw(DB, 2, "wrong", "res.partner", "search", [[]]))
    assert {"faultCode": fault.faultCode, "faultString": fault.faultString} == cap[
        "execute_kw(bad key)"
    ]["fault"]


def test_reference_reads_have_the_captured_shape(odoo: tuple[Served, dict[str, Any]]) -> None:
    srv, cap = odoo
    assert (
        srv.call("res.partner", "search_read", [["ref", "=", "nobody/1"]], fields=["name"])
        == cap["res.partner.search_read"]["result"]
    )
    currencies = srv.call(
        "res.currency",
        "search_read",
        [["name", "in", ["USD", "EUR", "GBP", "JPY"]]],
        fields=["name", "active", "rounding", "decimal_places"],
        context={"active_test": False},
    )
    assert _keys(currencies) == _keys(cap["res.currency.search_read"]["result"])
    assert {c["name"]: c["active"] for c in currencies}["JPY"] is False
    tax_fields = [k for k in cap["account.tax.search_read"]["result"][0] if k != "id"]
    taxes = srv.call(
        "account.tax", "search_read", [["type_tax_use", "=", "sale"]], fields=tax_fields
    )
    assert _keys(taxes) == _keys(cap["account.tax.search_read"]["result"])
    assert {t["name"]: t["price_include"] for t in taxes}["19% DE incl."] is True
    accounts = srv.call(
        "account.account",
        "search_read",
        [["account_type", "=", "income"]],
        fields=["code", "name", "account_type"],
    )
    assert _keys(accounts) == _keys(cap["account.account.search_read(income)"]["result"])
    assert "400000" in {a["code"] for a in accounts}
    journal = srv.call(
        "account.journal",
        "search_read",
        [["type", "=", "sale"]],
        fields=["code", "name", "type", "currency_id"],
    )
    expected = cap["account.journal.search_read(sale)"]["result"]
    assert [{k: v for k, v in j.items() if k != "id"} for j in journal] == [
        {k: v for k, v in j.items() if k != "id"} for j in expected
    ]
    us = srv.call("res.country", "search_read", [["code", "=", "US"]], fields=["code", "name"])
    assert us == cap["res.country.search_read(US)"]["result"]
    state = srv.call(
        "res.country.state",
        "search_read",
        [["country_id.code", "=", "US"], ["code", "=", "CA"]],
        fields=["code", "name", "country_id"],
    )
    assert state == cap["res.country.state.search_read(US-CA)"]["result"]


def test_invoice_amounts_and_lines_match_the_capture(odoo: tuple[Served, dict[str, Any]]) -> None:
    srv, cap = odoo
    move = _invoice(srv, fifteen_percent(srv), "cap/order/1")
    draft_cap = cap["account.move.read(draft)"]["result"][0]
    draft = srv.call("account.move", "read", [move], fields=[k for k in draft_cap if k != "id"])[0]
    assert set(draft) == set(draft_cap)
    for key in (
        "name",
        "state",
        "move_type",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "payment_state",
        "invoice_date",
    ):
        assert draft[key] == draft_cap[key], key
    assert draft["journal_id"][1] == draft_cap["journal_id"][1]
    lines_cap = cap["account.move.line.read(draft lines)"]["result"]
    line_ids = srv.call("account.move", "read", [move], fields=["invoice_line_ids"])[0][
        "invoice_line_ids"
    ]
    lines = srv.call(
        "account.move.line", "read", line_ids, fields=[k for k in lines_cap[0] if k != "id"]
    )
    for got, want in zip(lines, lines_cap, strict=True):
        for key in ("name", "quantity", "price_unit", "price_subtotal", "price_total"):
            assert got[key] == want[key], key
        assert got["account_id"][1] == want["account_id"][1]

    assert (
        srv.call("account.move", "action_post", [move]) == cap["account.move.action_post"]["result"]
    )
    posted_cap = cap["account.move.read(posted)"]["result"][0]
    posted = srv.call("account.move", "read", [move], fields=[k for k in posted_cap if k != "id"])
    assert set(posted[0]) == set(posted_cap)
    assert re.fullmatch(r"INV/2026/\d{5}", posted[0]["name"])
    for key in ("state", "amount_untaxed", "amount_tax", "amount_total", "payment_state"):
        assert posted[0][key] == posted_cap[key], key
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", posted[0]["write_date"])

    fault = fault_of(
        lambda: srv.call(
            "account.move",
            "write",
            [move],
            {"invoice_line_ids": [[1, line_ids[0], {"price_unit": 5}]]},
        )
    )
    assert (fault.faultCode, fault.faultString) == tuple(
        cap["account.move.write(posted line change)"]["fault"].values()
    )


def _fault_tuple(fault: xmlrpc.client.Fault) -> tuple[int, str]:
    return fault.faultCode, fault.faultString


def test_faults_match_the_capture(odoo: tuple[Served, dict[str, Any]]) -> None:
    srv, cap = odoo
    bad_partner = fault_of(
        lambda: srv.call(
            "account.move", "create", [{"move_type": "out_invoice", "partner_id": 999999}]
        )
    )
    assert _fault_tuple(bad_partner) == tuple(
        cap["account.move.create(bad partner id)"]["fault"].values()
    )

    unknown = fault_of(
        lambda: srv.call(
            "account.move", "create", [{"move_type": "out_invoice", "x_no_such_field": 1}]
        )
    )
    want = cap["account.move.create(unknown field)"]["fault"]
    assert unknown.faultCode == want["faultCode"] == 1
    assert unknown.faultString.splitlines()[-1] == want["faultString"].splitlines()[-1]

    atomic = fault_of(
        lambda: srv.call(
            "account.move",
            "create",
            [
                {"move_type": "out_invoice", "partner_id": 3, "invoice_origin": "cap/atomic"},
                {"move_type": "out_invoice", "partner_id": 999999, "invoice_origin": "cap/atomic"},
            ],
        )
    )
    assert _fault_tuple(atomic) == tuple(
        cap["account.move.create(list, second bad) atomic?"]["fault"].values()
    )
    assert (
        srv.call("account.move", "search", [["invoice_origin", "=", "cap/atomic"]])
        == cap["account.move.search(after atomic test)"]["result"]
    )

    empty = srv.call("account.move", "create", [{"move_type": "out_invoice", "partner_id": 3}])
    no_lines = fault_of(lambda: srv.call("account.move", "action_post", empty))
    assert _fault_tuple(no_lines) == tuple(
        cap["account.move.action_post(no lines)"]["fault"].values()
    )

    no_model = fault_of(lambda: srv.call("x.no.such.model", "search", []))
    assert _fault_tuple(no_model) == tuple(cap["unknown.model.search"]["fault"].values())


def test_credit_note_through_the_reversal_wizard(odoo: tuple[Served, dict[str, Any]]) -> None:
    srv, cap = odoo
    move = _invoice(srv, fifteen_percent(srv), "cap/order/2")
    srv.call("account.move", "action_post", [move])
    wizard = srv.call(
        "account.move.reversal",
        "create",
        [{"move_ids": [[6, 0, [move]]], "reason": "refund", "journal_id": 1}],
        context={"active_model": "account.move", "active_ids": [move]},
    )
    assert isinstance(wizard[0], int)
    action = srv.call("account.move.reversal", "refund_moves", wizard)
    want = cap["account.move.reversal.refund_moves"]["result"]
    assert {k: v for k, v in action.items() if k != "res_id"} == {
        k: v for k, v in want.items() if k != "res_id"
    }
    refund = srv.call(
        "account.move",
        "read",
        [action["res_id"]],
        fields=["move_type", "reversed_entry_id", "state", "amount_total", "ref"],
    )[0]
    assert refund["move_type"] == "out_refund"
    assert refund["reversed_entry_id"][0] == move
    assert refund["state"] == "draft"
    assert (
        refund["amount_total"]
        == srv.call("account.move", "read", [move], fields=["amount_total"])[0]["amount_total"]
    )
    assert refund["ref"].startswith("Reversal of: INV/2026/")
