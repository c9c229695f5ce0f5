"""account.move: reading, tax summary, numbering, create / write / unlink rules."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo import totals
from wooodoo.sandbox.odoo.accounting import (
    to_decimal,
)
from wooodoo.sandbox.odoo.exceptions import UserError
from wooodoo.sandbox.odoo.move_lines import PRODUCT_ROLES, MoveBase
from wooodoo.sandbox.odoo.orm import BaseModel, id_list, vals_rows
from wooodoo.sandbox.odoo.sequences import SequenceIndex
from wooodoo.sandbox.odoo.store import Row

DRAFT_LABEL = {
    "out_invoice": "Invoice",
    "out_refund": "Credit Note",
    "in_invoice": "Bill",
    "in_refund": "Vendor Credit Note",
    "out_receipt": "Sales Receipt",
    "in_receipt": "Purchase Receipt",
    "entry": "Entry",
}
PROTECTED_17 = (
    "invoice_line_ids",
    "line_ids",
    "invoice_date",
    "date",
    "partner_id",
    "invoice_payment_term_id",
    "currency_id",
    "fiscal_position_id",
    "invoice_cash_rounding_id",
)

LINE_FIELDS = ("invoice_line_ids", "line_ids")


def line_commands(vals: Row) -> list[Any]:
    """The one2many commands of both line fields of ``vals``, invoice lines first."""
    return [command for key in LINE_FIELDS for command in vals.get(key) or []]


def command_values(command: Any) -> Row:
    """The values of a ``(0, 0, vals)`` or ``(1, id, vals)`` command; {} for other commands."""
    if isinstance(command, list | tuple) and len(command) > 2 and isinstance(command[2], dict):
        return command[2]
    return {}


class AccountMove(MoveBase):
    RPC_METHODS = BaseModel.RPC_METHODS | {"action_post", "button_draft", "button_cancel"}

    # ----- reading
    def display_name(self, row: Row) -> str:
        name = row.get("name")
        mtype = row.get(self.type_field) or "entry"
        if row.get("state") == "draft" and (mtype != "entry" or not name or name == "/"):
            label = f"Draft {DRAFT_LABEL[mtype]} "
            label += f"(* {row['id']})" if not name or name == "/" else str(name)
        else:
            label = str(name or "/")
        if self.db.version >= 14 and row.get("ref"):
            label += f" ({row['ref']})"
        return label

    def compute(self, row: Row, name: str) -> Any:
        version = self.db.version
        if name == "invoice_line_ids":
            return [r["id"] for r in self.move_lines(row, PRODUCT_ROLES)]
        if name == "line_ids":
            return [r["id"] for r in self.move_lines(row)]
        if name in ("amount_untaxed", "amount_tax", "amount_total"):
            return row.get(name, Decimal(0))
        if name == "amount_residual":
            paid = row.get("_payment_state") in ("paid", "reversed")
            return Decimal(0) if paid else row.get("amount_total", Decimal(0))
        if name in ("amount_untaxed_signed", "amount_total_signed"):
            sign = -1 if row.get(self.type_field) in ("out_refund", "in_invoice") else 1
            return sign * row.get(name.removesuffix("_signed"), Decimal(0))
        if name in ("payment_state", "invoice_payment_state"):
            return row.get("_payment_state", "not_paid")
        if name == "commercial_partner_id":
            return row.get("partner_id") or False
        if name == "company_id":
            return self.db.company_id
        if name == "posted_before":
            return bool(row.get("_posted_before"))
        if name == "display_inactive_currency_warning":
            currency = self.env["res.currency"].rows.get(row.get("currency_id") or 0, {})
            return (
                bool(currency)
                and not currency.get("active")
                and (version < 16 or row.get("state") == "draft")
            )
        if name in ("tax_totals", "amount_by_group"):
            return self.tax_summary(row)
        return super().compute(row, name)

    def groups(self, row: Row) -> list[totals.Group]:
        groups: dict[int, totals.Group] = {}
        group_rows = self.env["account.tax.group"].rows
        tax_rows = self.env["account.tax"].rows
        for line in self.move_lines(row, ("tax",)):
            tax = tax_rows[line["tax_line_id"]]
            gid = tax.get("tax_group_id") or 0
            grow = group_rows.get(gid, {"name": "Taxes", "sequence": 10})
            group = groups.setdefault(gid, totals.Group(gid, grow["name"], grow["sequence"]))
            group.amount += line["balance"] * self.direction(row)
            group.base += line.get("tax_base_amount", Decimal(0))
            group.tax_ids.append(tax["id"])
        return sorted(groups.values(), key=lambda g: (g.sequence, g.id))

    def tax_summary(self, row: Row) -> Any:
        if not self.is_invoice(row):
            return False
        currency = self.currency(row)
        rounding = self.rounding(row)

        def fmt(amount: Decimal) -> str:
            return totals.format_amount(
                amount,
                currency.get("symbol") or currency["name"],
                currency.get("position") or "after",
                rounding,
            )

        groups = self.groups(row)
        untaxed, total = row.get("amount_untaxed", Decimal(0)), row.get("amount_total", Decimal(0))
        if self.db.version <= 15:
            return totals.amount_by_group(groups, fmt)
        if self.db.version <= 17:
            return totals.tax_totals_16(groups, untaxed, total, fmt, row.get("state") == "draft")
        company = self.env["res.company"].rows[self.db.company_id]
        company_currency = self.env["res.currency"].rows[company["currency_id"]]
        return totals.tax_totals_18(
            groups,
            untaxed,
            (currency["id"], rounding),
            (company_currency["id"], to_decimal(company_currency.get("rounding") or 0)),
        )

    # ----- numbering
    def _prefix(self, row: Row) -> tuple[str, int]:
        journal = self.env["account.journal"].rows[row["journal_id"]]
        code = journal["code"]
        if journal.get("refund_sequence") and row.get(self.type_field) in (
            "out_refund",
            "in_refund",
        ):
            code = "R" + code
        year, month = str(row.get("date") or self.db.today())[:7].split("-")
        if self.db.version == 14:
            return f"{code}/{year}/{month}/", 4
        return f"{code}/{year}/", 4 if self.db.version == 13 else 5

    def _sequences(self) -> SequenceIndex:
        return self.db.store.index(self._name, "sequences", SequenceIndex)

    def _next_name(self, row: Row) -> str:
        prefix, width = self._prefix(row)
        top = self._sequences().highest(row.get("journal_id"), prefix, but=row["id"])
        if top is not None:
            return f"{prefix}{top + 1:0{width}d}"
        numbers = [
            int(other["name"][len(prefix) :])
            for other in self.rows.values()
            if other["id"] != row["id"]
            and other.get("journal_id") == row.get("journal_id")
            and isinstance(other.get("name"), str)
            and other["name"].startswith(prefix)
            and other["name"][len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"

    def _draft_name(self, row: Row) -> str | bool:
        if self.db.version >= 17:
            return False
        if self.db.version == 13 or not row.get("journal_id"):
            return "/"
        # 14-16 give its number at once to the first move of a sequence, "/" to the others
        prefix, _width = self._prefix(row)
        taken = self._sequences().taken(row["journal_id"], prefix, but=row["id"])
        if taken is None:
            taken = any(
                isinstance(o.get("name"), str)
                and o["name"].startswith(prefix)
                and o.get("journal_id") == row["journal_id"]
                for o in self.rows.values()
                if o["id"] != row["id"]
            )
        return "/" if taken else self._next_name(row)

    # ----- create / write / unlink
    def create(self, vals_list: Row | list[Row]) -> int | list[int]:
        for vals in vals_rows(vals_list):  # Odoo checks every field name before creating anything
            self.check_names(vals)
            for command in line_commands(vals):
                self.lines.check_names(command_values(command))
        return super().create(vals_list)

    def _create_one(self, vals: Row) -> int:
        commands = line_commands(vals)
        for key in LINE_FIELDS:
            vals.pop(key, None)
        tax_totals = vals.pop("tax_totals", None)
        mtype = (
            vals.get(self.type_field)
            or self.env.context.get(f"default_{self.type_field}")
            or "entry"
        )
        vals[self.type_field] = mtype
        if not vals.get("journal_id"):
            vals["journal_id"] = self._default_journal(mtype)
        journal = self.env["account.journal"].rows.get(vals["journal_id"] or 0, {})
        if not vals.get("currency_id"):
            company = self.env["res.company"].rows[self.db.company_id]
            vals["currency_id"] = journal.get("currency_id") or company["currency_id"]
        vals.setdefault("date", vals.get("invoice_date") or self.db.today())
        vals.pop("name", None) if vals.get("name") in ("/", False) else None
        rid = super()._create_one(vals)
        row = self.rows[rid]
        self.db.store.update(
            self._name,
            rid,
            {"state": "draft", "_line_ids": [], "name": vals.get("name") or self._draft_name(row)},
        )
        self.apply_line_commands(rid, commands)
        self.recompute(rid)
        if tax_totals is not None:
            self.db.tally[f"{self._name} created with tax_totals"] += 1
            if self.apply_tax_totals(rid, tax_totals):
                self.db.tally[f"{self._name} tax_totals that moved a tax group"] += 1
        self.db.tally[f"{self._name} created"] += 1
        self.db.tally[f"{self._name} created {mtype}"] += 1
        return rid

    def _default_journal(self, mtype: str) -> int | bool:
        wanted = (
            "sale"
            if mtype.startswith("out_")
            else "purchase"
            if mtype.startswith("in_")
            else "general"
        )
        journals = self.env["account.journal"]
        found = journals.search([("type", "=", wanted)], limit=1)
        return found[0] if found else False

    def write(self, ids: Sequence[int], vals: Row) -> bool:
        ids = id_list(ids)
        rows = self.browse_rows(ids)
        self.check_names(vals)
        vals = dict(vals)
        for row in rows:
            if row["state"] == "posted":
                self._check_posted_write(row, vals)
        commands = line_commands(vals)
        for key in LINE_FIELDS:
            vals.pop(key, None)
        tax_totals = vals.pop("tax_totals", None)
        if "invoice_date" in vals and "date" not in vals and vals["invoice_date"]:
            vals["date"] = vals["invoice_date"]
        super().write(ids, vals)
        for rid in ids:
            manual = self.apply_line_commands(rid, commands) if commands else False
            if commands or "currency_id" in vals:
                if not manual:
                    self.recompute(rid)
                else:
                    self.rebalance(rid)
            if tax_totals is not None:
                self.apply_tax_totals(rid, tax_totals)
        return True

    def _check_posted_write(self, row: Row, vals: Row) -> None:
        if self.db.version >= 17:
            blocked = [name for name in vals if name in PROTECTED_17]
            if blocked:
                raise UserError(
                    "You cannot modify the following readonly fields on a posted "
                    f"move: {', '.join(blocked)}"
                )
            return
        commands = line_commands(vals)
        for command in commands:
            if "tax_ids" in command_values(command):
                raise UserError(
                    "You cannot modify the taxes related to a posted journal item, "
                    "you should reset the journal entry to draft to do so."
                )
        if commands:
            # 13-16 let the change through the ORM, then refuse the unbalanced entry
            raise UserError(
                f"Cannot create unbalanced journal entry. Ids: [{row['id']}]\n"
                "Differences debit - credit: [changed invoice lines]"
            )

    def unlink(self, ids: Sequence[int]) -> bool:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            self._check_deletable(row)
        for rid in ids:
            for line in self.move_lines(self.rows[rid]):
                self.db.store.delete(self.lines._name, line["id"])
            self.db.store.delete(self._name, rid)
        return True

    def _check_deletable(self, row: Row) -> None:
        """Posted entries never go; a draft that was posted once keeps its number, and a gap in
        the numbering is refused: up to 15 always, from 16 unless it is the last of its chain
        (``force_delete`` in the context overrides both, as in Odoo)."""
        if row["state"] == "posted":
            raise UserError("You cannot delete an entry which has been posted once.")
        named = isinstance(row.get("name"), str) and row["name"] not in ("", "/")
        if not (row.get("_posted_before") and named) or self.env.context.get("force_delete"):
            return
        if self.db.version < 16:
            raise UserError("You cannot delete an entry which has been posted once.")
        if not self._is_end_of_chain(row):
            raise UserError(
                "You cannot delete this entry, as it has already consumed a sequence number and"
                " is not the last one in the chain. You should probably revert it instead."
            )

    def _is_end_of_chain(self, row: Row) -> bool:
        prefix = row["name"].rsplit("/", 1)[0] + "/"
        top = self._sequences().highest(row.get("journal_id"), prefix)
        if top is not None:
            return int(row["name"][len(prefix) :]) >= top
        numbers = [
            int(other["name"][len(prefix) :])
            for other in self.rows.values()
            if other.get("journal_id") == row.get("journal_id")
            and isinstance(other.get("name"), str)
            and other["name"].startswith(prefix)
            and other["name"][len(prefix) :].isdigit()
        ]
        return int(row["name"][len(prefix) :]) >= max(numbers, default=0)
