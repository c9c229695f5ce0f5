"""``OdooTarget`` for real: the Odoo operations the sync needs, each one batched call over any
OdooApi transport (XML-RPC or JSON-2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from wooodoo.errors import OdooRecordError, RemoteRequestError
from wooodoo.odoo.copies import read_copies
from wooodoo.odoo.payments import PaymentWriter
from wooodoo.odoo.protocol import FieldNames, OdooApi
from wooodoo.odoo.reference import read_company, read_reference
from wooodoo.odoo.tax_edits import TAX_LINE_FIELDS, tax_item_edits, tax_totals_edit
from wooodoo.odoo.transport import decimal_of
from wooodoo.sync.mapping import InvoiceCopy, Reference, TaxRounding
from wooodoo.sync.ports import CHANGES_PAGE, MoveState, ReferenceSpec


def _like_literal(text: str) -> str:
    """``text`` as a LIKE pattern that matches only itself (``_`` and ``%`` are wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def email_domain(emails: Sequence[str]) -> list[Any]:
    """A domain matching any of ``emails``, case-insensitively and literally."""
    terms: list[Any] = [("email", "=ilike", _like_literal(e)) for e in emails]
    return ["|"] * (len(terms) - 1) + terms


class OdooWriter(PaymentWriter):
    """OdooTarget over a real connection (XML-RPC or JSON-2); payments mixed in."""

    MOVE_FIELDS = (
        "invoice_origin",
        "name",
        "state",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
    )

    def __init__(self, api: OdooApi) -> None:
        self.api = api
        self._tax_groups: dict[int, int | None] = {}
        self._company_currency: int | None = None

    @property
    def fields(self) -> FieldNames:
        """The version's field names (asked of the connection when used: it may still be
        connecting)."""
        return self.api.fields

    # ------------------------------------------------------------ reference data

    def load_reference(self, spec: ReferenceSpec) -> Reference:
        """One read per model; the tax groups and the company currency kept for adjustments."""
        loaded = read_reference(self.api, spec)
        self._tax_groups.update(loaded.tax_groups)
        self._company_currency = loaded.company_currency
        return loaded.reference

    def tax_rounding(self) -> TaxRounding:
        """The company's tax rounding method (one read)."""
        rounding, self._company_currency = read_company(self.api)
        return rounding

    def products_by_sku(self, skus: Sequence[str]) -> dict[str, int]:
        if not skus:
            return {}
        rows = self.api.call(
            "product.product",
            "search_read",
            domain=[("default_code", "in", list(skus))],
            fields=["default_code"],
        )
        return {r["default_code"]: r["id"] for r in rows}

    # ------------------------------------------------------------ partners

    def find_partners(self, keys: Sequence[str], emails: Sequence[str]) -> list[dict[str, Any]]:
        domain: list[Any] = [("ref", "in", list(keys))]
        if emails:
            domain = ["|", *domain, *email_domain(emails)]
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=domain,
                fields=["ref", "email", "name"],
                order="id",
            )
        )

    def create_partners(self, values: Sequence[dict[str, Any]]) -> list[int]:
        return list(self.api.call("res.partner", "create", vals_list=list(values)))

    def read_partners(self, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        """The partners that still exist, with these fields (one call)."""
        if not ids:
            return []
        # search_read, not read: read refuses the whole call when one partner was deleted
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=[("id", "in", list(ids))],
                fields=list(fields),
                context={"active_test": False},
            )
        )

    def update_partner(self, partner_id: int, values: dict[str, Any]) -> None:
        # the same values twice do no harm: safe to retry
        self.api.call("res.partner", "write", ids=[partner_id], vals=values, retry=True)

    # ------------------------------------------------------------ invoices

    def find_invoices(self, keys: Sequence[str]) -> list[MoveState]:
        """Every invoice (not cancelled) carrying one of ``keys``, oldest first: twins too."""
        if not keys:
            return []
        return self._moves([("invoice_origin", "in", list(keys))])

    def find_credit_notes(self, keys: Sequence[str]) -> list[MoveState]:
        """Every credit note (not cancelled) carrying one of ``keys``, oldest first."""
        if not keys:
            return []
        return self._moves([("invoice_origin", "in", list(keys))], ("out_refund",))

    def recent_invoices(self, prefix: str, since: datetime) -> list[MoveState]:
        """Invoices and credit notes whose key starts with ``prefix``, created since ``since``."""
        return self._moves(
            [
                ("invoice_origin", "=like", _like_literal(prefix) + "%"),
                ("create_date", ">=", since),
            ],
            ("out_invoice", "out_refund"),
        )

    def _moves(
        self, domain: list[Any], types: tuple[str, ...] = ("out_invoice",)
    ) -> list[MoveState]:
        rows = self.api.call(
            "account.move",
            "search_read",
            domain=[
                *domain,
                (self.fields.move_type, "in", list(types)),
                ("state", "!=", "cancel"),
            ],
            fields=list(self.MOVE_FIELDS),
            order="id",
        )
        return [self._state(r) for r in rows]

    def remove_invoices(self, ids: Sequence[int]) -> None:
        """Delete drafts (twins); OdooRecordError when Odoo refuses (nothing deleted then)."""
        self._unlink("account.move", ids)

    def recent_partners(self, prefix: str, since: datetime) -> list[dict[str, Any]]:
        """Partners whose key (``ref``) starts with ``prefix``, created since ``since``."""
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=[
                    ("ref", "=like", _like_literal(prefix) + "%"),
                    ("create_date", ">=", since),
                ],
                fields=["ref", "email", "name"],
                order="id",
                context={"active_test": False},
            )
        )

    # ------------------------------------------------------------ what changed in Odoo

    def changed_moves(
        self, prefix: str, since: str, after_id: int = 0, limit: int = CHANGES_PAGE
    ) -> list[dict[str, Any]]:
        """Invoices and credit notes with our keys written since ``since`` (Odoo's UTC text),
        cancelled ones too: one call for a page of ``limit``, by id after ``after_id``."""
        return list(
            self.api.call(
                "account.move",
                "search_read",
                domain=[
                    ("invoice_origin", "=like", _like_literal(prefix) + "%"),
                    (self.fields.move_type, "in", ["out_invoice", "out_refund"]),
                    ("write_date", ">=", since),
                    ("id", ">", after_id),
                ],
                fields=["invoice_origin", "name", "state", "write_date", "create_date"],
                order="id",
                limit=limit,
            )
        )

    def count_moves(self, prefix: str, created_before: str | None = None) -> int:
        """How many documents carry our keys (those created before ``created_before``)."""
        created = [("create_date", "<", created_before)] if created_before else []
        return int(
            self.api.call(
                "account.move",
                "search_count",
                domain=[
                    ("invoice_origin", "=like", _like_literal(prefix) + "%"),
                    (self.fields.move_type, "in", ["out_invoice", "out_refund"]),
                    *created,
                ],
            )
        )

    def changed_partners(
        self, since: str, after_id: int = 0, limit: int = CHANGES_PAGE
    ) -> list[dict[str, Any]]:
        """Partners written since ``since``, archived ones too (a merge writes the partner that
        survives it): one call for a page of ``limit``, by id after ``after_id``."""
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=[("write_date", ">=", since), ("id", ">", after_id)],
                fields=["ref", "email", "name", "active", "write_date", "create_date"],
                order="id",
                limit=limit,
                context={"active_test": False},
            )
        )

    def existing(self, model: str, ids: Sequence[int]) -> list[int]:
        """Which of ``ids`` still exist (archived ones included)."""
        if not ids:
            return []
        found = self.api.call(
            model, "search", domain=[("id", "in", list(ids))], context={"active_test": False}
        )
        return [int(i) for i in found]

    def remove_partners(self, ids: Sequence[int]) -> None:
        self._unlink("res.partner", ids)

    def _unlink(self, model: str, ids: Sequence[int]) -> None:
        # Never sent twice: after a lost answer the records may be gone, and Odoo refuses to
        # delete a missing record. The next sweep looks again.
        if ids:
            self.api.call(model, "unlink", ids=list(ids))

    def create_invoices(self, values: Sequence[dict[str, Any]]) -> list[int]:
        return list(self.api.call("account.move", "create", vals_list=list(values)))

    def read_invoices(self, ids: Sequence[int]) -> dict[int, MoveState]:
        if not ids:
            return {}
        rows = self.api.call("account.move", "read", ids=list(ids), fields=list(self.MOVE_FIELDS))
        return {r["id"]: self._state(r) for r in rows}

    def post_invoices(self, ids: Sequence[int]) -> None:
        if ids:
            self.api.call("account.move", "action_post", ids=list(ids))

    def cancel_invoices(self, ids: Sequence[int]) -> str | None:
        """Cancel drafts; Odoo's error, if any. Read the state back either way: over XML-RPC
        ``button_cancel`` returns None, which cannot be marshalled, so the call faults after
        Odoo did the work (JSON-2 answers null)."""
        if not ids:
            return None
        try:
            self.api.call("account.move", "button_cancel", ids=list(ids))
        except RemoteRequestError as exc:
            return exc.message
        return None

    def invoice_copies(self, ids: Sequence[int]) -> dict[int, InvoiceCopy]:
        """Invoices line for line (two calls), to reverse them."""
        return read_copies(self.api, ids)

    def adjust_taxes(self, adjustments: Mapping[int, Mapping[int, Decimal]]) -> dict[int, str]:
        """Set drafts' tax amounts the way Odoo's tax totals widget does; refusals by move.

        16-17 and 18+ take an edited ``tax_totals`` per tax group (one write per move);
        13-15 have no such widget: there the tax journal items themselves are edited, found
        for all moves in one search.
        """
        refused: dict[int, str] = {}
        tax_lines: dict[int, list[dict[str, Any]]] = {}
        if self.api.version.major < 16:
            try:
                rows = self.api.call(
                    "account.move.line",
                    "search_read",
                    domain=[("move_id", "in", list(adjustments)), ("tax_line_id", "!=", False)],
                    fields=list(TAX_LINE_FIELDS),
                )
            except OdooRecordError as exc:  # refuse these adjustments, keep the run going
                return {move_id: exc.message for move_id in adjustments}
            for row in rows:
                tax_lines.setdefault(row["move_id"][0], []).append(row)
        for move_id, tax_by_tax in adjustments.items():
            try:
                if self.api.version.major >= 16:
                    vals = {"tax_totals": self._tax_totals_edit(move_id, tax_by_tax)}
                else:
                    major, company = self.api.version.major, self._company_currency
                    lines = tax_lines.get(move_id, [])
                    edits = tax_item_edits(major, company, move_id, tax_by_tax, lines)
                    vals = {"line_ids": edits}
                # setting the same target amounts again does no harm: safe to retry
                self.api.call("account.move", "write", ids=[move_id], vals=vals, retry=True)
            except OdooRecordError as exc:
                refused[move_id] = exc.message
        return refused

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None:
        """A ``tax_totals`` value for ``create``, or None where Odoo cannot take one (13-15).

        From 16, ``account.move.create`` applies a given ``tax_totals`` once its tax lines
        exist, as the totals widget would: the adjustment then costs no call of its own.
        """
        if self.api.version.major < 16:
            return None
        try:
            return self._tax_totals_edit(0, tax_by_tax)
        except OdooRecordError:
            return None

    def _tax_totals_edit(self, move_id: int, tax_by_tax: Mapping[int, Decimal]) -> Any:
        return tax_totals_edit(self.api.version.major, self._tax_groups, move_id, tax_by_tax)

    def _state(self, r: Mapping[str, Any]) -> MoveState:
        name = r.get("name")
        return MoveState(
            id=r["id"],
            key=r.get("invoice_origin") or "",
            name=name if isinstance(name, str) and name not in ("/", "") else None,
            state=r.get("state") or "draft",
            untaxed=decimal_of(r.get("amount_untaxed")),
            tax=decimal_of(r.get("amount_tax")),
            total=decimal_of(r.get("amount_total")),
        )
