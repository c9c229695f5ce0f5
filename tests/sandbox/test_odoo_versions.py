"""What differs between Odoo versions in the look-alike: field names, faults, numbering."""

from __future__ import annotations

import re
import xmlrpc.client

import pytest

try:
    from tests.sandbox.conftest_odoo import DB, KEY, fault_of, served
except ImportError:  # tests/sandbox is not a package
    from conftest_odoo import DB, KEY, fault_of, served

LINE = [0, 0, {"name": "Mug", "quantity": 2, "price_unit": 7.5}]


def test_odoo_13_uses_type_and_old_style_faults() -> None:
    with served(13) as odoo:
        assert odoo.common.version()["server_version_info"] == [13, 0, 0, "final", 0, ""]
        wrong = fault_of(
            lambda: odoo.call(
                "account.move", "create", [{"move_type": "out_invoice", "partner_id": 3}]
            )
        )
        assert wrong.faultCode == 1
        assert wrong.faultString.endswith(
            "ValueError: Invalid field 'move_type' on model 'account.move'\n"
        )
        [move] = odoo.call(
            "account.move",
            "create",
            [
                {
                    "type": "out_invoice",
                    "partner_id": 3,
                    "invoice_date": "2026-05-04",
                    "invoice_line_ids": [LINE],
                }
            ],
        )
        row = odoo.call(
            "account.move",
            "read",
            [move],
            fields=["name", "type", "invoice_payment_state", "amount_by_group"],
        )[0]
        assert (row["name"], row["type"], row["invoice_payment_state"]) == (
            "/",
            "out_invoice",
            "not_paid",
        )
        assert row["amount_by_group"] == []
        odoo.call("account.move", "action_post", [move])
        assert odoo.call("account.move", "read", [move], fields=["name"])[0]["name"] == (
            "INV/2026/0001"
        )
        gone = fault_of(lambda: odoo.call("res.partner", "read", [999999], fields=["name"]))
        assert (gone.faultCode, gone.faultString) == (
            2,
            "('Record does not exist or has been deleted.\\n(Record: res.partner(999999,), "
            "User: 2)', None)",
        )
        nameless = fault_of(lambda: odoo.call("res.partner", "create", [{"email": "a@b.c"}]))
        assert nameless.faultCode == 1
        assert nameless.faultString.endswith(
            "odoo.exceptions.ValidationError: ('Contacts require a name', None)\n"
        )
        denied = fault_of(
            lambda: odoo.object.execute_kw(DB, 2, "bad", "res.partner", "search", [[]])
        )
        assert (denied.faultCode, denied.faultString) == (3, "Access denied")


def test_odoo_17_over_xmlrpc() -> None:
    with served(17) as odoo:
        bad = fault_of(lambda: odoo.call("account.move", "create", [{"type": "out_invoice"}]))
        assert bad.faultString.endswith(
            "ValueError: Invalid field 'type' on model 'account.move'\n"
        )
        [move] = odoo.call(
            "account.move",
            "create",
            [{"move_type": "out_invoice", "partner_id": 3, "invoice_line_ids": [LINE]}],
        )
        draft = odoo.call("account.move", "read", [move], fields=["name", "tax_totals"])[0]
        assert draft["name"] is False
        assert draft["tax_totals"]["amount_total"] == 15.0
        assert "groups_by_subtotal" in draft["tax_totals"]
        empty = odoo.call("account.move", "create", [{"move_type": "out_invoice", "partner_id": 3}])
        no_lines = fault_of(lambda: odoo.call("account.move", "action_post", empty))
        assert (no_lines.faultCode, no_lines.faultString) == (
            2,
            "You need to add a line before posting.",
        )
        odoo.call("account.move", "action_post", [move])
        again = fault_of(lambda: odoo.call("account.move", "action_post", [move]))
        assert re.fullmatch(
            r"The entry INV/\d{4}/00001 \(id \d+\) must be in draft\.", again.faultString
        )
        refused = fault_of(lambda: odoo.call("account.move", "unlink", [move]))
        assert refused.faultString == "You cannot delete an entry which has been posted once."
        assert odoo.call("account.move", "unlink", empty) is True


def test_odoo_14_numbers_the_first_draft_of_a_sequence() -> None:
    with served(14) as odoo:
        first, second = odoo.call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": 3,
                    "invoice_date": "2026-02-03",
                    "invoice_line_ids": [LINE],
                },
                {
                    "move_type": "out_invoice",
                    "partner_id": 3,
                    "invoice_date": "2026-02-03",
                    "invoice_line_ids": [LINE],
                },
            ],
        )
        names = [
            r["name"] for r in odoo.call("account.move", "read", [first, second], fields=["name"])
        ]
        assert names == ["INV/2026/02/0001", "/"]
        odoo.call("account.move", "action_post", [second])
        assert odoo.call("account.move", "read", [second], fields=["name"])[0]["name"] == (
            "INV/2026/02/0002"
        )


@pytest.mark.parametrize("version", [16, 19])
def test_button_draft_returns_none_which_xmlrpc_cannot_marshal(version: int) -> None:
    with served(version) as odoo:
        [move] = odoo.call(
            "account.move",
            "create",
            [{"move_type": "out_invoice", "partner_id": 3, "invoice_line_ids": [LINE]}],
        )
        odoo.call("account.move", "action_post", [move])
        fault = fault_of(lambda: odoo.call("account.move", "button_draft", [move]))
        assert fault.faultCode == 1
        assert fault.faultString.endswith("cannot marshal None unless allow_none is enabled\n")
        assert odoo.call("account.move", "read", [move], fields=["state"])[0]["state"] == "draft"


@pytest.mark.parametrize("version", [13, 17])
def test_button_cancel_cancels_a_draft_then_cannot_marshal_its_none(version: int) -> None:
    mtype = "type" if version == 13 else "move_type"
    with served(version) as odoo:
        [move] = odoo.call(
            "account.move",
            "create",
            [{mtype: "out_invoice", "partner_id": 3, "invoice_line_ids": [LINE]}],
        )
        fault = fault_of(lambda: odoo.call("account.move", "button_cancel", [move]))
        assert fault.faultCode == 1
        assert fault.faultString.endswith("cannot marshal None unless allow_none is enabled\n")
        assert odoo.call("account.move", "read", [move], fields=["state"])[0]["state"] == "cancel"


def test_inactive_currency_and_archived_tax() -> None:
    with served(19) as odoo:
        assert odoo.call("res.currency", "search", [["name", "=", "JPY"]]) == []
        [jpy] = odoo.call(
            "res.currency", "search", [["name", "=", "JPY"]], context={"active_test": False}
        )
        # real Odoo only warns about an inactive currency; the client must check it itself
        [move] = odoo.call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": 3,
                    "currency_id": jpy,
                    "invoice_line_ids": [
                        [0, 0, {"name": "Tea", "quantity": 3, "price_unit": 333.3}]
                    ],
                }
            ],
        )
        row = odoo.call(
            "account.move",
            "read",
            [move],
            fields=["amount_total", "display_inactive_currency_warning"],
        )[0]
        assert row == {
            "id": move,
            "amount_total": 1000.0,
            "display_inactive_currency_warning": True,
        }
        odoo.app.set_active("res.currency", [("name", "=", "JPY")], True)
        assert odoo.call("res.currency", "search", [["name", "=", "JPY"]]) == [jpy]
        archived = odoo.app.set_active("account.tax", [("name", "=", "19% DE")], False)
        assert len(archived) == 1
        assert odoo.call("account.tax", "search", [["name", "=", "19% DE"]]) == []


def test_domains_ordering_and_calls_counted() -> None:
    with served(18) as odoo:
        ids = odoo.call(
            "res.partner",
            "create",
            [
                {"name": "Zoe", "email": "ZOE@Example.com", "ref": "t/customer/1"},
                {"name": "Adam", "email": "adam@example.com", "country_id": 57},
            ],
        )
        assert odoo.call("res.partner", "search", [["email", "=ilike", "zoe@example.com"]]) == [
            ids[0]
        ]
        assert odoo.call(
            "res.partner",
            "search",
            [["id", "in", ids], "|", ["ref", "=", "t/customer/1"], ["country_id.code", "=", "DE"]],
            order="name asc",
        ) == [ids[1], ids[0]]
        assert (
            odoo.call(
                "res.partner", "search_count", [["id", "in", ids], "!", ["email", "ilike", "adam"]]
            )
            == 1
        )
        assert odoo.call(
            "res.partner", "search", [["id", "in", ids]], limit=1, offset=1, order="id desc"
        ) == [ids[0]]
        bad = fault_of(lambda: odoo.call("res.partner", "search", [["nope", "=", 1]]))
        assert bad.faultCode == 1
        assert "Invalid field res.partner.nope" in bad.faultString
        assert all(i >= 7 for i in ids)
        assert odoo.app.counter is not None
        counts = odoo.app.counter.snapshot()
        assert counts["odoo res.partner.search"] == 4
        assert counts["odoo res.partner.create"] == 1


def test_many2many_plain_ids_and_commands() -> None:
    with served(19) as odoo:
        taxes = odoo.call("account.tax", "search", [["name", "in", ["19% DE", "7% DE"]]])
        [move] = odoo.call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": 3,
                    "invoice_line_ids": [
                        [0, 0, {"name": "A", "price_unit": 100, "tax_ids": taxes}]
                    ],
                }
            ],
        )
        assert (
            odoo.call("account.move", "read", [move], fields=["amount_tax"])[0]["amount_tax"]
            == 26.0
        )
        line = odoo.call("account.move", "read", [move], fields=["invoice_line_ids"])[0][
            "invoice_line_ids"
        ][0]
        odoo.call(
            "account.move",
            "write",
            [move],
            {"invoice_line_ids": [[1, line, {"tax_ids": [[3, taxes[0]]]}]]},
        )
        assert odoo.call("account.move", "read", [move], fields=["amount_tax"])[0][
            "amount_tax"
        ] in (7.0, 19.0)
        with pytest.raises(xmlrpc.client.Fault) as missing:
            odoo.call(
                "account.move",
                "write",
                [move],
                {"invoice_line_ids": [[1, line, {"tax_ids": [[6, 0, [987654]]]}]]},
            )
        assert "account.tax(987654,)" in missing.value.faultString
        assert KEY not in missing.value.faultString
