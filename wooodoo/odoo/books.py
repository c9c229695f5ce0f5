"""Reading the books for reconciliation: the tenant's invoices and credit notes, any state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.transport import decimal_of
from wooodoo.reconcile.model import BookedMove, money

PAGE = 2000  # moves per search_read: a few calls for a year of a busy shop
KEY_CHUNK = 1000
KINDS = {"out_invoice": "invoice", "out_refund": "credit_note"}


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class OdooBooks:
    """Odoo's side of a reconciliation, read in pages of ``search_read`` (never written)."""

    def __init__(self, api: OdooApi, page: int = PAGE) -> None:
        self.api = api
        self.type_field = api.fields.move_type
        self.page = page

    def period_moves(self, prefix: str, first: date, last: date) -> list[BookedMove]:
        """Invoices dated in the period and credit notes dated from its first day on, whose
        key starts with ``prefix`` (a refund in a later period still credits a sale of this
        one)."""
        return self._paged(
            [
                ("invoice_origin", "=like", _like_literal(prefix) + "%"),
                ("invoice_date", ">=", first),
                "|",
                (self.type_field, "=", "out_refund"),
                ("invoice_date", "<=", last),
            ]
        )

    def moves_with_keys(self, keys: Sequence[str]) -> list[BookedMove]:
        """Every invoice and credit note carrying one of ``keys``, whatever its date."""
        found: list[BookedMove] = []
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), KEY_CHUNK):
            found += self._paged([("invoice_origin", "in", keys[start : start + KEY_CHUNK])])
        return found

    def _paged(self, domain: list[Any]) -> list[BookedMove]:
        # anchored on the last id, not an offset: a move made while reading shifts no page
        moves: list[BookedMove] = []
        after = 0
        while True:
            rows = self.api.call(
                "account.move",
                "search_read",
                domain=[
                    ("id", ">", after),
                    (self.type_field, "in", list(KINDS)),
                    *domain,
                ],
                fields=[
                    "invoice_origin",
                    "name",
                    "state",
                    self.type_field,
                    "invoice_date",
                    "currency_id",
                    "amount_total",
                    "reversed_entry_id",
                ],
                order="id",
                limit=self.page,
            )
            moves += [self._move(r) for r in rows]
            if len(rows) < self.page:
                return moves
            after = rows[-1]["id"]

    def _move(self, r: dict[str, Any]) -> BookedMove:
        name = r.get("name")
        day = r.get("invoice_date")
        return BookedMove(
            id=r["id"],
            key=r.get("invoice_origin") or "",
            kind="invoice" if r[self.type_field] == "out_invoice" else "credit_note",
            state=r.get("state") or "draft",
            currency=_many2one_name(r.get("currency_id")),
            day=date.fromisoformat(day) if isinstance(day, str) else None,
            total=money(abs(decimal_of(r.get("amount_total")))),
            name=name if isinstance(name, str) and name not in ("", "/") else None,
            reverses=_many2one_id(r.get("reversed_entry_id")),
        )


def _many2one_id(value: Any) -> int | None:
    return int(value[0]) if isinstance(value, list | tuple) and value else None


def _many2one_name(value: Any) -> str:
    return str(value[1]) if isinstance(value, list | tuple) and len(value) > 1 else ""
