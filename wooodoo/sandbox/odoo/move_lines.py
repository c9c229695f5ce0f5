"""Journal items of a move: one2many commands, line amounts, the tax and receivable items."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo import totals
from wooodoo.sandbox.odoo.accounting import (
    LineInput,
    TaxSpec,
    compute_move,
    decimal_or_zero,
    round_to,
    store_discount,
    store_price_unit,
    to_decimal,
)
from wooodoo.sandbox.odoo.exceptions import UserError
from wooodoo.sandbox.odoo.orm import BaseModel
from wooodoo.sandbox.odoo.store import Row

OUTBOUND = {"out_invoice": -1, "in_refund": -1, "out_receipt": -1, "entry": -1}
PRODUCT_ROLES = ("product", "section")


class MoveBase(BaseModel):
    """What account.move needs to keep its journal items and amounts right."""

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

    def currency(self, row: Row) -> Row:
        return self.env["res.currency"].rows[row["currency_id"]]

    def rounding(self, row: Row) -> Decimal:
        return to_decimal(self.currency(row).get("rounding") or Decimal("0.01"))

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
        model.check_names(vals)
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
            self.set_balance(
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
            self.set_balance(line_id, sign * entry.amount, {"tax_base_amount": entry.base})
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

    def set_balance(self, line_id: int, balance: Decimal, extra: Row | None = None) -> None:
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
            self.set_balance(term_id, -sign * total)
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

    def apply_tax_totals(self, rid: int, payload: Any) -> bool:
        """Set the tax groups' amounts a draft's totals widget was given; True if any moved."""
        row = self.rows[rid]
        if row["state"] != "draft" or not self.is_invoice(row):
            return False
        moved = False
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
                self.set_balance(first["id"], first["balance"] + delta * sign)
                moved = True
        self.rebalance(rid)
        return moved
