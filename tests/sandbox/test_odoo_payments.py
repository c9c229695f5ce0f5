"""The Odoo look-alike's payments: a payment's entry, reconciliation and Odoo's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest_odoo import DB, KEY
from wooodoo.sandbox.odoo.app import OdooApp
from wooodoo.sandbox.odoo.exceptions import UserError


def invoice(app: OdooApp, amount: float) -> int:
    moves = app.env("account.move")
    mtype = "type" if app.version == 13 else "move_type"
    move_id = moves.create(
        {
            mtype: "out_invoice",
            "partner_id": 3,
            "invoice_line_ids": [(0, 0, {"name": "Mug", "quantity": 1, "price_unit": amount})],
        }
    )
    moves.action_post([move_id])  # type: ignore[attr-defined]
    return int(move_id)  # type: ignore[arg-type]


def pay(app: OdooApp, invoice_id: int, amount: float) -> Any:
    values: dict[str, Any] = {
        "payment_type": "inbound",
        "partner_id": 3,
        "amount": amount,
        "journal_id": 6,
        "payment_reference": "t/payment/1",
    }
    if app.version == 13:
        values.update(payment_method_id=1, invoice_ids=[(6, 0, [invoice_id])])
    payments = app.env("account.payment")
    pid = payments.create(values)
    getattr(payments, "post" if app.version == 13 else "action_post")([pid])
    return payments.read([pid])[0]  # type: ignore[arg-type]


def receivables(app: OdooApp, move_ids: list[int]) -> list[int]:
    lines = app.env("account.move.line")
    return lines.search([("move_id", "in", move_ids), ("account_id.code", "=", "121000")])


@pytest.mark.parametrize("version", [19, 17, 14])
def test_a_payment_reconciled_with_its_invoice_pays_it(version: int) -> None:
    app = OdooApp(version, database=DB, api_key=KEY)
    with app.transaction():
        inv = invoice(app, 10.0)
        payment = pay(app, inv, 10.0)
        assert app.env("account.move").read([inv], ["payment_state"])[0]["payment_state"] == (
            "not_paid"
        )
        app.env("account.move.line").reconcile(  # type: ignore[attr-defined]
            receivables(app, [inv, payment["move_id"][0]])
        )
        row = app.env("account.move").read([inv], ["payment_state", "amount_residual"])[0]
        assert (row["payment_state"], row["amount_residual"]) == ("in_payment", 0.0)
        with pytest.raises(UserError, match="already reconciled"):
            app.env("account.move.line").reconcile(  # type: ignore[attr-defined]
                receivables(app, [inv, payment["move_id"][0]])
            )


def test_odoo_13_reconciles_the_invoices_of_a_payment_when_posting_it() -> None:
    app = OdooApp(13, database=DB, api_key=KEY)
    with app.transaction():
        inv = invoice(app, 10.0)
        pay(app, inv, 4.0)
        row = app.env("account.move").read([inv], ["invoice_payment_state", "amount_residual"])
        assert row[0]["amount_residual"] == 6.0


def test_reconcile_refuses_lines_of_two_accounts_and_drafts() -> None:
    app = OdooApp(19, database=DB, api_key=KEY)
    with app.transaction():
        inv = invoice(app, 10.0)
        all_lines = app.env("account.move.line").search([("move_id", "=", inv)])
        with pytest.raises(UserError, match="same account"):
            app.env("account.move.line").reconcile(all_lines)  # type: ignore[attr-defined]
        payments = app.env("account.payment")
        pid = payments.create(
            {"payment_type": "inbound", "partner_id": 3, "amount": 10.0, "journal_id": 6}
        )
        draft_move = payments.read([pid], ["move_id"])[0]["move_id"][0]  # type: ignore[list-item]
        with pytest.raises(UserError, match="posted entries"):
            app.env("account.move.line").reconcile(  # type: ignore[attr-defined]
                receivables(app, [inv, draft_move])
            )


def test_a_payment_needs_a_bank_or_cash_journal() -> None:
    app = OdooApp(19, database=DB, api_key=KEY)
    with app.transaction(), pytest.raises(UserError, match="bank or cash"):
        app.env("account.payment").create(
            {"payment_type": "inbound", "partner_id": 3, "amount": 1.0, "journal_id": 1}
        )
