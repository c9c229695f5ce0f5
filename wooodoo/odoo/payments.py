"""Payments for real: ``account.payment`` created, posted and reconciled in batches.

The fields differ by version (Odoo's ``account/models/account_payment.py``): 13 has
``payment_date``, ``communication`` (the memo), a required ``payment_method_id``,
``invoice_ids`` and ``post`` (which reconciles the invoices given); 14-17 make the payment a
journal entry (``date``, the move's ``ref`` as memo, ``action_post``); 18+ call the memo
``memo``. ``payment_reference`` exists on every version: it carries wooodoo's key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from wooodoo.errors import OdooRecordError, RemoteRequestError
from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.transport import decimal_of
from wooodoo.sync.payment_ports import Payable, PaymentDraft, PaymentFound

DONE_STATES = {"posted", "sent", "reconciled", "in_process", "paid"}
GONE_STATES = {"cancel", "cancelled", "canceled", "rejected"}


def _unmarshallable(exc: RemoteRequestError) -> bool:
    """XML-RPC cannot send None back: the method ran and was committed before this fault."""
    return "cannot marshal" in exc.message


class _HasApi(Protocol):
    api: OdooApi


class PaymentWriter:
    """The payment half of ``OdooWriter`` (mixed in; needs ``self.api``)."""

    api: OdooApi
    _manual_methods: dict[str, int] | None = None

    def payment_journals(self, codes: Sequence[str]) -> dict[str, int]:
        """Bank and cash journals by code (one search)."""
        if not codes:
            return {}
        rows = self.api.call(
            "account.journal",
            "search_read",
            domain=[("code", "in", list(codes)), ("type", "in", ["bank", "cash"])],
            fields=["code"],
        )
        return {r["code"]: r["id"] for r in rows}

    def find_payments(self, keys: Sequence[str]) -> list[PaymentFound]:
        """Payments carrying these keys (``payment_reference``), not cancelled, oldest first."""
        if not keys:
            return []
        fields = ["payment_reference", "state"]
        if self.api.version.major >= 14:
            fields.append("move_id")
        rows = self.api.call(
            "account.payment",
            "search_read",
            domain=[("payment_reference", "in", list(keys))],
            fields=fields,
            order="id",
        )
        found = []
        for r in rows:
            if r.get("state") in GONE_STATES:
                continue
            move = r.get("move_id")
            found.append(
                PaymentFound(
                    id=r["id"],
                    key=r.get("payment_reference") or "",
                    posted=r.get("state") in DONE_STATES,
                    move_id=move[0] if isinstance(move, list) and move else None,
                )
            )
        return found

    def payable_moves(self, ids: Sequence[int]) -> dict[int, Payable]:
        """Posted invoices and credit notes as a payment needs them (one read)."""
        if not ids:
            return {}
        fields = ["partner_id", "currency_id", "state", "amount_total", "amount_residual"]
        rows = self.api.call("account.move", "read", ids=list(ids), fields=fields)
        return {
            r["id"]: Payable(
                id=r["id"],
                partner_id=r["partner_id"][0] if r.get("partner_id") else 0,
                currency_id=r["currency_id"][0] if r.get("currency_id") else 0,
                posted=r.get("state") == "posted",
                total=decimal_of(r.get("amount_total")),
                residual=decimal_of(r.get("amount_residual")),
            )
            for r in rows
        }

    def payment_values(self, draft: PaymentDraft, payable: Payable, journal: int) -> dict[str, Any]:
        major = self.api.version.major
        values: dict[str, Any] = {
            "payment_type": "inbound" if draft.inbound else "outbound",
            "partner_type": "customer",
            "partner_id": payable.partner_id,
            "amount": float(draft.amount),
            "currency_id": payable.currency_id,
            "journal_id": journal,
            "payment_reference": draft.key,
        }
        day = draft.date.isoformat()
        if major == 13:
            methods = self._methods()
            direction = "inbound" if draft.inbound else "outbound"
            values.update(
                payment_date=day,
                communication=draft.memo,
                payment_method_id=methods.get(direction),
                invoice_ids=[(6, 0, [draft.move_id])],  # ``post`` reconciles them
            )
        else:
            values.update({"date": day, ("memo" if major >= 18 else "ref"): draft.memo})
        return values

    def _methods(self) -> dict[str, int]:
        if self._manual_methods is None:
            rows = self.api.call(
                "account.payment.method",
                "search_read",
                domain=[("code", "=", "manual")],
                fields=["payment_type"],
            )
            self._manual_methods = {r["payment_type"]: r["id"] for r in rows}
        return self._manual_methods

    def create_payments(self, values: Sequence[dict[str, Any]]) -> list[int]:
        return list(self.api.call("account.payment", "create", vals_list=list(values)))

    def post_payments(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        method = "post" if self.api.version.major == 13 else "action_post"
        try:
            self.api.call("account.payment", method, ids=list(ids))
        except OdooRecordError:
            raise
        except RemoteRequestError as exc:
            if not _unmarshallable(exc):
                raise

    def reconcile_payments(self, pairs: Mapping[int, int]) -> dict[int, str]:
        """Reconcile each payment's move (key) with its document (value): one search for the
        open receivable items, one ``reconcile`` per pair; Odoo's refusals by payment move.
        13 reconciled at ``post`` already."""
        if not pairs or self.api.version.major == 13:
            return {}
        rows = self.api.call(
            "account.move.line",
            "search_read",
            domain=[
                ("move_id", "in", [*pairs, *pairs.values()]),
                ("account_id.reconcile", "=", True),
                ("reconciled", "=", False),
            ],
            fields=["move_id", "account_id"],
            order="id",
        )
        by_move: dict[int, list[tuple[int, int]]] = {}
        for r in rows:
            by_move.setdefault(r["move_id"][0], []).append((r["id"], r["account_id"][0]))
        refused: dict[int, str] = {}
        for payment_move, document in pairs.items():
            theirs = by_move.get(document, [])
            mine = [
                line for line, acc in by_move.get(payment_move, []) if acc in {a for _, a in theirs}
            ]
            if not mine:
                continue  # reconciled already (an earlier run, or a person)
            ids = mine + [line for line, _ in theirs]
            try:
                self.api.call("account.move.line", "reconcile", ids=ids)
            except RemoteRequestError as exc:
                if not _unmarshallable(exc):
                    refused[payment_move] = exc.message
        return refused
