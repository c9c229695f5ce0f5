"""account.move and its journal items: lines, amounts, tax lines, numbering, posting."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo import totals
from wooodoo.sandbox.odoo.accounting import (
    LineInput,
    TaxSpec,
    compute_move,
    round_to,
    store_discount,
    store_price_unit,
    to_decimal,
)
from wooodoo.sandbox.odoo.exceptions import UserError
from wooodoo.sandbox.odoo.orm import BaseModel, Row, decimal_or_zero

OUTBOUND = {"out_invoice": -1, "in_refund": -1, "out_receipt": -1, "entry": -1}
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
PRODUCT_ROLES = ("product", "section")


class AccountMove(BaseModel):
    RPC_METHODS = BaseModel.RPC_METHODS | {"action_post", "button_draft", "button_cancel"}

    # ----- version-dependent names
    @property
    def type_field(self) -> str:
        return "type" if self.db.version == 13 else "move_type"

    def direction(self, row: Row) -> int:
        """Sign of the income side: -1 when income lines are credits (customer invoice)."""
        return OUTBOUND.get(row.get(self.type_field) or "entry", 1)

    def is_invoice(self, row: Row) -> bool:
        return (row.get(self.type_field) or "entry") != "entry"

    @property
    def lines(self) -> BaseModel:
        return self.env["account.move.line"]

    def move_lines(self, row: Row, roles: Sequence[str] | None = None) -> list[Row]:
        table = self.lines.rows
        found = [table[i] for i in row.get("_line_ids", []) if i in table]
        return [r for r in found if roles is None or r["_role"] in roles]

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

    def currency(self, row: Row) -> Row:
        return self.env["res.currency"].rows[row["currency_id"]]

    def rounding(self, row: Row) -> Decimal:
        return to_decimal(self.currency(row).get("rounding") or Decimal("0.01"))

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

    def _next_name(self, row: Row) -> str:
        prefix, width = self._prefix(row)
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
        items = [vals_list] if isinstance(vals_list, dict) else list(vals_list)
        line_fields = self.lines.spec.fields
        for vals in items:  # Odoo checks every field name before creating anything
            for name in vals:
                if name not in self.spec.fields:
                    raise self.invalid_field(name)
            for key in ("invoice_line_ids", "line_ids"):
                for command in vals.get(key) or []:
                    extra = (
                        command[2]
                        if isinstance(command, list | tuple)
                        and len(command) > 2
                        and isinstance(command[2], dict)
                        else {}
                    )
                    for name in extra:
                        if name not in line_fields:
                            raise self.lines.invalid_field(name)
        return super().create(vals_list)

    def _create_one(self, vals: Row) -> int:
        commands = [
            *(vals.pop("invoice_line_ids", None) or []),
            *(vals.pop("line_ids", None) or []),
        ]
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
            self.apply_tax_totals(rid, tax_totals)
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
        ids = [ids] if isinstance(ids, int) else list(ids)
        rows = self.browse_rows(ids)
        for name in vals:
            if name not in self.spec.fields:
                raise self.invalid_field(name)
        vals = dict(vals)
        for row in rows:
            if row["state"] == "posted":
                self._check_posted_write(row, vals)
        commands = [
            *(vals.pop("invoice_line_ids", None) or []),
            *(vals.pop("line_ids", None) or []),
        ]
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
        commands = [*(vals.get("invoice_line_ids") or []), *(vals.get("line_ids") or [])]
        for command in commands:
            if (
                isinstance(command, list | tuple)
                and len(command) > 2
                and isinstance(command[2], dict)
                and "tax_ids" in command[2]
            ):
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
        ids = [ids] if isinstance(ids, int) else list(ids)
        for row in self.browse_rows(ids):
            if row["state"] == "posted" or row.get("_posted_before"):
                raise UserError("You cannot delete an entry which has been posted once.")
        for rid in ids:
            for line in self.move_lines(self.rows[rid]):
                self.db.store.delete(self.lines._name, line["id"])
            self.db.store.delete(self._name, rid)
        return True

    # ----- lines
    def apply_line_commands(self, rid: int, commands: list[Any]) -> bool:
        """Apply one2many commands; True when a tax journal item was edited by hand."""
        manual = False
        row = self.rows[rid]
        for command in commands:
            if isinstance(command, int) and not isinstance(command, bool):
                command = (4, command)
            code = command[0]
            if code == 0:
                self.new_line(rid, dict(command[2] or {}))
            elif code == 1:
                manual |= self.update_line(rid, int(command[1]), dict(command[2] or {}))
            elif code in (2, 3):
                self._drop_line(rid, int(command[1]))
            elif code == 5:
                for line in self.move_lines(row, PRODUCT_ROLES):
                    self._drop_line(rid, line["id"])
            elif code == 6:
                keep = set(command[2] or [])
                for line in self.move_lines(row, PRODUCT_ROLES):
                    if line["id"] not in keep:
                        self._drop_line(rid, line["id"])
            elif code == 4:
                self.lines.browse_rows([int(command[1])])
            else:
                raise UserError(f"Unsupported one2many command {command!r}")
        return manual

    def new_line(self, rid: int, vals: Row) -> int:
        row = self.rows[rid]
        model = self.lines
        for name in vals:
            if name not in model.spec.fields:
                raise model.invalid_field(name)
        vals.pop("move_id", None)
        if vals.get("tax_line_id"):
            raise UserError("Tax journal items are computed from the invoice lines.")
        product = vals.get("product_id")
        products = self.env["product.product"]
        if product and product not in products.rows:
            products.browse_rows([product])
        if product and "name" not in vals:
            vals["name"] = products.display_name(products.rows[product])
        if product and "price_unit" not in vals:
            vals["price_unit"] = products.rows[product].get("list_price") or 0
        converted = model.convert(vals)
        converted.update(self._line_numbers(vals))
        journal = self.env["account.journal"].rows.get(row.get("journal_id") or 0, {})
        default_account = (
            journal.get("default_account_id") or journal.get("default_credit_account_id") or False
        )
        display = vals.get("display_type")
        role = "section" if display in ("line_section", "line_note") else "product"
        line_id = self.db.store.next_id(model._name)
        stamp = self.db.now()
        line: Row = {
            "id": line_id,
            "move_id": rid,
            "name": False,
            "quantity": Decimal(1),
            "price_unit": Decimal(0),
            "discount": Decimal(0),
            "tax_ids": [],
            "account_id": default_account if role == "product" else False,
            "tax_line_id": False,
            "product_id": False,
            "sequence": 10,
            "display_type": display or ("product" if self.db.version >= 16 else False),
            "exclude_from_invoice_tab": False,
            "_role": role,
            "create_date": stamp,
            "write_date": stamp,
            **converted,
        }
        self.db.store.insert(model._name, line_id, line)
        self.db.store.update(self._name, rid, {"_line_ids": [*row["_line_ids"], line_id]})
        return line_id

    def _line_numbers(self, vals: Row) -> Row:
        out: Row = {}
        if "price_unit" in vals:
            out["price_unit"] = store_price_unit(vals["price_unit"] or 0, self.db.version)
        if "discount" in vals:
            out["discount"] = store_discount(vals["discount"] or 0)
        if "quantity" in vals:
            out["quantity"] = to_decimal(vals["quantity"] or 0)
        return out

    def update_line(self, rid: int, line_id: int, vals: Row) -> bool:
        model = self.lines
        line = model.browse_rows([line_id])[0]
        if line["move_id"] != rid:
            raise UserError("This journal item belongs to another entry.")
        if line["_role"] == "tax":
            wanted = totals.tax_line_amount(vals, self.direction(self.rows[rid]))
            if wanted is not None:
                self.db.store.update(
                    model._name, line_id, {"balance": wanted * self.direction(self.rows[rid])}
                )
                return True
        changes = model.convert({k: v for k, v in vals.items() if k != "move_id"}, line)
        changes.update(self._line_numbers(vals))
        model.touch(line_id, changes)
        return False

    def _drop_line(self, rid: int, line_id: int) -> None:
        row = self.rows[rid]
        self.db.store.delete(self.lines._name, line_id)
        self.db.store.update(
            self._name, rid, {"_line_ids": [i for i in row["_line_ids"] if i != line_id]}
        )

    # ----- amounts
    def tax_spec(self, tax_id: int) -> TaxSpec:
        tax = self.env["account.tax"].rows[tax_id]
        included = (
            tax.get("price_include_override") == "tax_included"
            if self.db.version >= 18
            else bool(tax.get("price_include"))
        )
        return TaxSpec(
            tax_id,
            decimal_or_zero(tax.get("amount")),
            included,
            tax.get("tax_group_id") or 0,
            tax.get("sequence") or 1,
        )

    def recompute(self, rid: int) -> None:
        """Recompute line amounts, rebuild the tax and receivable journal items."""
        row = self.rows[rid]
        products = self.move_lines(row, ("product",))
        company = self.env["res.company"].rows[self.db.company_id]
        per_line = company.get("tax_calculation_rounding_method") != "round_globally"
        inputs = [
            LineInput(
                line["price_unit"],
                line["quantity"],
                line["discount"],
                tuple(self.tax_spec(t) for t in line["tax_ids"]),
            )
            for line in products
        ]
        result = compute_move(inputs, self.rounding(row), per_line, self.db.version)
        sign = self.direction(row)
        for line, amounts in zip(products, result.lines, strict=True):
            self._set_balance(
                line["id"],
                sign * amounts.subtotal,
                {"price_subtotal": amounts.subtotal, "price_total": amounts.total},
            )
        existing = {line["tax_line_id"]: line for line in self.move_lines(row, ("tax",))}
        wanted = {entry.tax.id: entry for entry in result.taxes if entry.amount or entry.tax.rate}
        for tax_id, line in existing.items():
            if tax_id not in wanted:
                self._drop_line(rid, line["id"])
        for tax_id, entry in wanted.items():
            line_id = (
                existing[tax_id]["id"]
                if tax_id in existing
                else self._system_line(
                    rid, "tax", self.env["account.tax"].rows[tax_id]["name"], tax_id
                )
            )
            self._set_balance(line_id, sign * entry.amount, {"tax_base_amount": entry.base})
        self.rebalance(rid)

    def _system_line(self, rid: int, role: str, label: Any, tax_id: int | bool = False) -> int:
        accounts = self.env["account.account"]
        code = "251000" if role == "tax" else "121000"
        found = accounts.search([("code", "=", code)], limit=1)
        line_id = self.new_line(rid, {"name": label})
        self.db.store.update(
            self.lines._name,
            line_id,
            {
                "_role": role,
                "tax_line_id": tax_id,
                "account_id": found[0] if found else False,
                "display_type": role if self.db.version >= 16 else False,
                "exclude_from_invoice_tab": True,
            },
        )
        return line_id

    def _set_balance(self, line_id: int, balance: Decimal, extra: Row | None = None) -> None:
        self.db.store.update(self.lines._name, line_id, {"balance": balance, **(extra or {})})

    def rebalance(self, rid: int) -> None:
        """Totals from the journal items; the receivable item takes the difference."""
        row = self.rows[rid]
        sign = self.direction(row)
        untaxed = sum(
            (line["balance"] * sign for line in self.move_lines(row, ("product",))), Decimal(0)
        )
        tax = sum((line["balance"] * sign for line in self.move_lines(row, ("tax",))), Decimal(0))
        total = untaxed + tax
        terms = self.move_lines(row, ("payment_term",))
        if self.is_invoice(row) and (total or terms):
            term_id = terms[0]["id"] if terms else self._system_line(rid, "payment_term", False)
            self._set_balance(term_id, -sign * total)
        for line in self.move_lines(row):
            balance = round_to(line.get("balance", Decimal(0)), self.rounding(row))
            self.db.store.update(
                self.lines._name,
                line["id"],
                {
                    "balance": balance,
                    "amount_currency": balance,
                    "debit": max(balance, Decimal(0)),
                    "credit": max(-balance, Decimal(0)),
                },
            )
        self.touch(rid, {"amount_untaxed": untaxed, "amount_tax": tax, "amount_total": total})

    def apply_tax_totals(self, rid: int, payload: Any) -> None:
        row = self.rows[rid]
        if row["state"] != "draft" or not self.is_invoice(row):
            return
        sign = self.direction(row)
        rounding = self.rounding(row)
        for group_id, wanted in totals.edited_groups(payload, self.db.version):
            group_lines = [
                line
                for line in self.move_lines(row, ("tax",))
                if self.env["account.tax"].rows[line["tax_line_id"]].get("tax_group_id") == group_id
            ]
            if not group_lines:
                continue
            current = sum((line["balance"] * sign for line in group_lines), Decimal(0))
            delta = round_to(wanted, rounding) - current
            if delta:
                first = group_lines[0]
                self._set_balance(first["id"], first["balance"] + delta * sign)
        self.rebalance(rid)
