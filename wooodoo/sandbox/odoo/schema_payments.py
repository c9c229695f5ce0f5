"""Payments in the look-alike: account.payment per version, reconciliation fields, bank journals.

What differs between versions (as in Odoo's ``account/models/account_payment.py``):
13 keeps the date in ``payment_date``, the memo in ``communication``, needs a
``payment_method_id``, links ``invoice_ids`` and is posted with ``post`` (which reconciles
the linked invoices); 14-17 make a payment a journal entry (``_inherits`` account.move): the
date is ``date``, the memo the move's ``ref``, ``action_post`` posts; 18+ name the memo
``memo``. Every version has ``payment_reference``, which wooodoo fills with its key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wooodoo.sandbox.odoo.fields import COMPUTED, ModelSpec, field, model

# the bank and cash journals (code -> id, name, type) and their accounts
BANK_JOURNALS: dict[str, tuple[int, str, str]] = {
    "BNK1": (6, "Bank", "bank"),
    "CSH1": (7, "Cash", "cash"),
}
LIQUIDITY_ACCOUNT = ("101401", "Bank", 41)
OUTSTANDING_RECEIPTS = ("101402", "Outstanding Receipts", 43)
OUTSTANDING_PAYMENTS = ("101403", "Outstanding Payments", 45)
MANUAL_METHODS = {"inbound": 1, "outbound": 2}  # account.payment.method ids (code "manual")


def payment(version: int) -> ModelSpec:
    fields = {
        "name": field("char", "Number", readonly=True),
        "payment_type": field(
            "selection", "Payment Type", selection=("outbound", "inbound"), required=True
        ),
        "partner_type": field(
            "selection", "Partner Type", selection=("customer", "supplier"), default="customer"
        ),
        "partner_id": field("many2one", "Customer/Vendor", "res.partner"),
        "amount": field("monetary", "Amount", default=0),
        "currency_id": field("many2one", "Currency", "res.currency"),
        "journal_id": field("many2one", "Journal", "account.journal", required=True),
        "payment_reference": field("char", "Payment Reference"),
    }
    if version == 13:
        fields["payment_date"] = field("date", "Date")
        fields["communication"] = field("char", "Memo")
        fields["payment_method_id"] = field(
            "many2one", "Payment Method", "account.payment.method", required=True
        )
        fields["invoice_ids"] = field("many2many", "Invoices", "account.move")
        items = field("one2many", "Journal Items", "account.move.line", **COMPUTED)
        fields["move_line_ids"] = items
        fields["state"] = field(
            "selection",
            "Status",
            selection=("draft", "posted", "sent", "reconciled", "cancelled"),
            default="draft",
            readonly=True,
        )
        return model("account.payment", fields, order="payment_date desc, name desc")
    fields["date"] = field("date", "Date")
    fields["move_id"] = field("many2one", "Journal Entry", "account.move", readonly=True)
    fields["is_reconciled"] = field("boolean", "Is Reconciled", **COMPUTED)
    fields["reconciled_invoice_ids"] = field("many2many", "Invoices", "account.move", **COMPUTED)
    if version >= 18:
        fields["memo"] = field("char", "Memo")
        fields["invoice_ids"] = field("many2many", "Invoices", "account.move")
        fields["state"] = field(
            "selection",
            "Status",
            selection=("draft", "in_process", "paid", "canceled", "rejected"),
            default="draft",
        )
    else:
        fields["ref"] = field("char", "Memo")
        fields["state"] = field(
            "selection", "Status", selection=("draft", "posted", "cancel"), **COMPUTED
        )
    return model("account.payment", fields, order="date desc, name desc")


def payment_method() -> ModelSpec:
    fields = {
        "name": field("char", "Name", required=True),
        "code": field("char", "Code", required=True),
        "payment_type": field(
            "selection", "Type", selection=("inbound", "outbound"), required=True
        ),
    }
    return model("account.payment.method", fields)


def line_fields() -> dict[str, Any]:
    """What account.move.line says about its reconciliation."""
    return {
        "reconciled": field("boolean", "Reconciled", **COMPUTED),
        "amount_residual": field("monetary", "Residual Amount", **COMPUTED),
    }


def seed_payments(version: int, put: Callable[..., None]) -> None:
    """Bank and cash journals, their liquidity and outstanding accounts, manual methods."""
    kinds: list[tuple[tuple[str, str, int], str, int, bool]] = [
        (LIQUIDITY_ACCOUNT, "asset_cash", 3, False),
        (OUTSTANDING_RECEIPTS, "asset_current", 5, True),
        (OUTSTANDING_PAYMENTS, "asset_current", 5, True),
    ]
    if version <= 15:
        asset = {"internal_group": "asset"}
        put("account.account.type", 3, name="Bank and Cash", type="liquidity", **asset)
        put("account.account.type", 5, name="Current Assets", type="other", **asset)
    for (code, name, aid), kind, type_id, reconcile in kinds:
        extra: dict[str, Any] = (
            {"account_type": kind} if version >= 16 else {"user_type_id": type_id}
        )
        put("account.account", aid, code=code, name=name, reconcile=reconcile, **extra)
    liquidity = LIQUIDITY_ACCOUNT[2]
    defaults = (
        {"default_credit_account_id": liquidity, "default_debit_account_id": liquidity}
        if version == 13
        else {"default_account_id": liquidity}
    )
    for code, (jid, name, kind) in BANK_JOURNALS.items():
        put(
            "account.journal",
            jid,
            name=name,
            code=code,
            type=kind,
            company_id=1,
            sequence=10 + jid,
            refund_sequence=False,
            **defaults,
        )
    for direction, mid in MANUAL_METHODS.items():
        put("account.payment.method", mid, name="Manual", code="manual", payment_type=direction)
