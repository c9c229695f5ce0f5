"""Payments and reconciliation: account.payment, journal items that reconcile, what is due.

A payment is a journal entry in its bank or cash journal: the receivable item (credit for
money received, debit for money paid back) and the outstanding (13: bank) item. Reconciling
receivable items lowers their ``amount_residual``; an invoice or credit note whose receivable
is settled by a payment is ``in_payment`` (the bank statement would make it ``paid``), by
another document ``paid`` (``reversed`` when that is its own reversal, 14+).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo.exceptions import UserError, ValidationError
from wooodoo.sandbox.odoo.orm import BaseModel, id_list
from wooodoo.sandbox.odoo.schema_payments import (
    LIQUIDITY_ACCOUNT,
    OUTSTANDING_PAYMENTS,
    OUTSTANDING_RECEIPTS,
)
from wooodoo.sandbox.odoo.store import Row
from wooodoo.sandbox.odoo.workflow import InvoiceModel, MoveLineModel

RECEIVABLE = "payment_term"  # the role of a move's receivable (payable) journal item


def _zero(amount: Decimal) -> bool:
    return abs(amount) < Decimal("0.000001")


class ReconcilingLineModel(MoveLineModel):
    """account.move.line with ``reconcile`` and its residual amounts."""

    RPC_METHODS = MoveLineModel.RPC_METHODS | {"reconcile"}

    def residual(self, row: Row) -> Decimal:
        account = self.env["account.account"].rows.get(row.get("account_id") or 0, {})
        if not account.get("reconcile"):
            return Decimal(0)
        return Decimal(row.get("balance") or 0) - Decimal(row.get("_applied") or 0)

    def compute(self, row: Row, name: str) -> Any:
        if name == "amount_residual":
            return self.residual(row)
        if name == "reconciled":
            return bool(row.get("_matches")) and _zero(self.residual(row))
        return super().compute(row, name)

    def reconcile(self, ids: Sequence[int]) -> bool:
        rows = self.browse_rows(id_list(ids))
        self._check(rows)
        debits = sorted((r for r in rows if self.residual(r) > 0), key=lambda r: r["id"])
        credits = sorted((r for r in rows if self.residual(r) < 0), key=lambda r: r["id"])
        for debit in debits:
            for credit in credits:
                amount = min(self.residual(debit), -self.residual(credit))
                if amount <= 0:
                    continue
                self._apply(debit, amount, credit["id"])
                self._apply(credit, -amount, debit["id"])
        self.db.tally["account.move.line reconciled"] += 1
        return True

    def _apply(self, row: Row, amount: Decimal, other: int) -> None:
        applied = Decimal(row.get("_applied") or 0) + amount
        matches = [*(row.get("_matches") or []), other]
        self.db.store.update(self._name, row["id"], {"_applied": applied, "_matches": matches})

    def _check(self, rows: list[Row]) -> None:
        """Odoo's refusals: unposted entries, several accounts, no reconciliation, done already."""
        if any(self.compute(r, "parent_state") != "posted" for r in rows):
            raise UserError("You can only reconcile posted entries.")
        accounts = {r.get("account_id") for r in rows}
        if len(accounts) > 1:
            raise UserError("Entries are not from the same account.")
        account = self.env["account.account"].rows.get(next(iter(accounts)) or 0, {})
        if not account.get("reconcile"):
            raise UserError(
                f"Account {account.get('code')} {account.get('name')} does not allow "
                "reconciliation. First change the configuration of this account to allow it."
            )
        if any(self.compute(r, "reconciled") for r in rows):
            raise UserError("You are trying to reconcile some entries that are already reconciled.")


class PaidInvoiceModel(InvoiceModel):
    """account.move whose ``amount_residual`` and payment state follow reconciliation."""

    def compute(self, row: Row, name: str) -> Any:
        if name in ("amount_residual", "payment_state", "invoice_payment_state"):
            matched = self._matched(row)
            if matched is not None and not row.get("_payment_state"):
                return self._paid(row, name, *matched)
        return super().compute(row, name)

    def _matched(self, row: Row) -> tuple[Decimal, set[int]] | None:
        """The receivable's residual and the moves it was reconciled with; None if never."""
        if row.get("state") != "posted" or not self.is_invoice(row):
            return None
        lines = self.env["account.move.line"]
        assert isinstance(lines, ReconcilingLineModel)
        receivable = self.move_lines(row, (RECEIVABLE,))
        others = [o for line in receivable for o in line.get("_matches") or []]
        if not others:
            return None
        residual = sum((lines.residual(line) for line in receivable), Decimal(0))
        moves = {lines.rows[o]["move_id"] for o in others if o in lines.rows}
        return abs(residual), moves

    def _paid(self, row: Row, name: str, residual: Decimal, moves: set[int]) -> Any:
        if name == "amount_residual":
            return residual
        if not _zero(residual):
            return "partial" if self.db.version >= 14 else "not_paid"
        if any(self.rows.get(m, {}).get("_payment_id") for m in moves):
            return "in_payment"
        if self.db.version >= 14 and moves == {row.get("reversed_entry_id")}:
            return "reversed"
        return "paid"


class PaymentModel(BaseModel):
    """account.payment: created as a draft, posted into its journal entry."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        post = "post" if self.db.version == 13 else "action_post"
        self.RPC_METHODS = BaseModel.RPC_METHODS | {post}

    @property
    def moves(self) -> PaidInvoiceModel:
        model = self.env["account.move"]
        assert isinstance(model, PaidInvoiceModel)
        return model

    def compute(self, row: Row, name: str) -> Any:
        move = self.moves.rows.get(row.get("move_id") or 0, {})
        if name == "state" and self.db.version in range(14, 18):
            return move.get("state", "draft")
        if name == "is_reconciled":
            return bool(self._receivable(row)) and all(
                self.env["account.move.line"].compute(line, "reconciled")
                for line in self._receivable(row)
            )
        if name == "reconciled_invoice_ids":
            found = {
                self.env["account.move.line"].rows[o]["move_id"]
                for line in self._receivable(row)
                for o in line.get("_matches") or []
            }
            return sorted(found)
        if name == "move_line_ids":
            return [line["id"] for line in self.moves.move_lines(move)] if move else []
        return super().compute(row, name)

    def _receivable(self, row: Row) -> list[Row]:
        move = self.moves.rows.get(row.get("move_id") or 0)
        return self.moves.move_lines(move, (RECEIVABLE,)) if move else []

    def _create_one(self, vals: Row) -> int:
        vals = dict(vals)
        if self.db.version == 13:
            vals.setdefault("payment_date", self.db.today())
        else:
            vals.setdefault("date", self.db.today())
        journal = self.env["account.journal"].rows.get(vals.get("journal_id") or 0, {})
        if journal and journal.get("type") not in ("bank", "cash"):
            raise UserError("A payment must be registered in a bank or cash journal.")
        if Decimal(str(vals.get("amount") or 0)) < 0:
            raise ValidationError("The payment amount cannot be negative.")
        if not vals.get("currency_id"):
            company = self.env["res.company"].rows[self.db.company_id]
            vals["currency_id"] = journal.get("currency_id") or company["currency_id"]
        rid = super()._create_one(vals)
        if self.db.version >= 14:
            self.touch(rid, {"move_id": self._entry(self.rows[rid])})
        self.db.tally["account.payment created"] += 1
        return rid

    def _entry(self, row: Row) -> int:
        """The payment's journal entry: receivable against outstanding (13: the bank)."""
        moves = self.moves
        inbound = row["payment_type"] == "inbound"
        memo = row.get("communication") or row.get("ref") or row.get("memo") or False
        move_id = moves._create_one(
            {
                moves.type_field: "entry",
                "journal_id": row["journal_id"],
                "partner_id": row.get("partner_id"),
                "currency_id": row.get("currency_id"),
                "date": row.get("payment_date") or row.get("date"),
                "ref": memo,
            }
        )
        amount = Decimal(row.get("amount") or 0)
        if self.db.version == 13:
            other = LIQUIDITY_ACCOUNT
        else:
            other = OUTSTANDING_RECEIPTS if inbound else OUTSTANDING_PAYMENTS
        receivable = self.env["account.account"].search([("code", "=", "121000")], limit=1)
        sign = -1 if inbound else 1
        self._line(move_id, RECEIVABLE, receivable[0], sign * amount, memo)
        self._line(move_id, "liquidity", other[2], -sign * amount, memo)
        moves.touch(move_id, {"_payment_id": row["id"], "amount_total": amount})
        return move_id

    def _line(self, move_id: int, role: str, account: int, balance: Decimal, label: Any) -> None:
        moves = self.moves
        line_id = moves.new_line(move_id, {"name": label, "account_id": account})
        moves.db.store.update(
            "account.move.line",
            line_id,
            {
                "_role": role,
                "display_type": role if self.db.version >= 16 else False,
                "exclude_from_invoice_tab": True,
                "balance": balance,
                "amount_currency": balance,
                "debit": max(balance, Decimal(0)),
                "credit": max(-balance, Decimal(0)),
            },
        )

    def post(self, ids: Sequence[int]) -> bool:
        """13: post, then reconcile with the payment's ``invoice_ids``."""
        ids = id_list(ids)
        self._check_drafts(ids)
        lines = self.env["account.move.line"]
        for rid in ids:
            row = self.rows[rid]
            move_id = self._entry(row)
            self.moves.action_post([move_id])
            self.touch(rid, {"move_id": move_id, "state": "posted"})
            for invoice in row.get("invoice_ids") or []:
                mine = self.moves.move_lines(self.moves.rows[move_id], (RECEIVABLE,))
                theirs = self.moves.move_lines(self.moves.rows[invoice], (RECEIVABLE,))
                lines.reconcile([line["id"] for line in mine + theirs])  # type: ignore[attr-defined]
        return True

    def action_post(self, ids: Sequence[int]) -> None:
        """14+: posts the journal entries. Returns None, as Odoo's does: over XML-RPC the call
        then faults ("cannot marshal None") after the work is done."""
        ids = id_list(ids)
        self._check_drafts(ids)
        for rid in ids:
            self.moves.action_post([self.rows[rid]["move_id"]])
            if self.db.version >= 18:
                self.touch(rid, {"state": "in_process"})

    def state(self, row: Row) -> str:
        if self.db.version in range(14, 18):
            return str(self.compute(row, "state"))
        return str(row.get("state") or "draft")

    def _check_drafts(self, ids: list[int]) -> None:
        if any(self.state(row) != "draft" for row in self.browse_rows(ids)):
            raise UserError("Only a draft payment can be posted.")

    def unlink(self, ids: Sequence[int]) -> bool:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            if self.state(row) != "draft":
                raise UserError("You cannot delete a payment that is already posted.")
        for rid in ids:
            move_id = self.rows[rid].get("move_id")
            if move_id:
                self.moves.unlink([move_id])
        return super().unlink(ids)
