"""Posting, resetting, journal items called directly, and credit notes (account.move.reversal)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo.exceptions import UserError
from wooodoo.sandbox.odoo.move_lines import PRODUCT_ROLES
from wooodoo.sandbox.odoo.moves import AccountMove
from wooodoo.sandbox.odoo.orm import BaseModel, id_list, vals_rows
from wooodoo.sandbox.odoo.store import Row

REFUND_OF = {
    "out_invoice": "out_refund",
    "out_refund": "out_invoice",
    "in_invoice": "in_refund",
    "in_refund": "in_invoice",
    "entry": "entry",
}
NEGATIVE_INVOICE = (
    "You cannot validate an invoice with a negative total amount. You should create a credit"
    " note instead. Use the action menu to transform it into a credit note or refund."
)
PARTNER_LABEL = {"out": ("Customer", "Customer Invoice"), "in": ("Vendor", "Vendor Bill")}


class InvoiceModel(AccountMove):
    """account.move with its buttons."""

    def action_post(self, ids: Sequence[int]) -> bool:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            problems = self._post_problems(row)
            if problems:
                raise UserError("\n".join(problems))
        for rid in ids:
            row = self.rows[rid]
            needs_name = not row.get("name") or row["name"] == "/"
            changes: Row = {"state": "posted", "_posted_before": True}
            if self.is_invoice(row) and not row.get("invoice_date"):
                changes["invoice_date"] = self.db.today()
            if self.is_invoice(row):
                changes["date"] = changes.get("invoice_date") or row["invoice_date"]
            self.touch(rid, changes)
            if needs_name:
                self.touch(rid, {"name": self._next_name(row)})
        return False

    def _post_problems(self, row: Row) -> list[str]:
        version = self.db.version
        mtype = row.get(self.type_field) or "entry"
        problems = []
        no_lines = not self.move_lines(row, ("product", "tax", "payment_term"))
        lines_msg = (
            "Even magicians can't post nothing!"
            if version >= 19
            else "You need to add a line before posting."
        )
        side = mtype.split("_")[0]
        if side in PARTNER_LABEL and Decimal(str(row.get("amount_total") or 0)) < 0:
            # AccountMove._post: refused on every version 13-19
            problems.append(NEGATIVE_INVOICE)
        if not row.get("partner_id") and side in PARTNER_LABEL:
            who, doc = PARTNER_LABEL[side]
            problems.append(
                f"The field '{who}' is required, please complete it to validate the {doc}."
            )
        if version >= 17:
            if row["state"] in ("posted", "cancel"):
                problems.append(f"The entry {row.get('name')} (id {row['id']}) must be in draft.")
            if no_lines:
                problems.append(lines_msg)
            return problems
        if no_lines:
            return [lines_msg]
        if row["state"] == "posted":
            return [f"The entry {row.get('name')} (id {row['id']}) is already posted."]
        return problems[:1]

    def button_draft(self, ids: Sequence[int]) -> None:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            if self.db.version >= 17 and row["state"] not in ("posted", "cancel"):
                raise UserError("Only posted/cancelled journal entries can be reset to draft.")
        for rid in ids:
            self.touch(rid, {"state": "draft"})
        # Odoo's button returns None: XML-RPC then answers "cannot marshal None"

    def button_cancel(self, ids: Sequence[int]) -> None:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            if self.db.version >= 17 and row["state"] != "draft":
                raise UserError("Only draft journal entries can be cancelled.")
        for rid in ids:
            self.touch(rid, {"state": "cancel"})


class MoveLineModel(BaseModel):
    """account.move.line: computed fields; direct changes go through their move's rules."""

    @property
    def moves(self) -> InvoiceModel:
        model = self.env["account.move"]
        assert isinstance(model, InvoiceModel)
        return model

    def display_name(self, row: Row) -> str:
        move = self.moves.rows.get(row["move_id"])
        name = self.moves.display_name(move) if move else ""
        return f"{name} {row['name']}" if row.get("name") else name

    def compute(self, row: Row, name: str) -> Any:
        move = self.moves.rows.get(row["move_id"], {})
        if name in ("price_subtotal", "price_total", "tax_base_amount"):
            return row.get(name, Decimal(0))
        if name == "parent_state":
            return move.get("state", "draft")
        if name in ("currency_id", "partner_id", "date"):
            return move.get(name) or False
        if name == "tax_group_id":
            tax = self.env["account.tax"].rows.get(row.get("tax_line_id") or 0, {})
            return tax.get("tax_group_id") or False
        return super().compute(row, name)

    def create(self, vals_list: Row | list[Row]) -> int | list[int]:
        items = vals_rows(vals_list)
        ids = []
        for vals in items:
            move_id = int(vals.get("move_id") or 0)
            if not move_id:
                self.check_required({})
            vals = {k: v for k, v in vals.items() if k != "move_id"}
            before = (
                set(self.moves.rows[move_id]["_line_ids"]) if move_id in self.moves.rows else set()
            )
            self.moves.write([move_id], {"line_ids": [(0, 0, vals)]})
            ids.extend(sorted(set(self.moves.rows[move_id]["_line_ids"]) - before)[:1])
        return ids[0] if isinstance(vals_list, dict) else ids

    def write(self, ids: Sequence[int], vals: Row) -> bool:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            self.moves.write([row["move_id"]], {"line_ids": [(1, row["id"], vals)]})
        return True

    def unlink(self, ids: Sequence[int]) -> bool:
        ids = id_list(ids)
        for row in self.browse_rows(ids):
            self.moves.write([row["move_id"]], {"line_ids": [(2, row["id"])]})
        return True


class ReversalModel(BaseModel):
    """The credit note wizard: create it on posted moves, then refund_moves/reverse_moves."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        methods = {"reverse_moves"} | (
            {"refund_moves", "modify_moves"} if self.db.version >= 16 else set()
        )
        self.RPC_METHODS = BaseModel.RPC_METHODS | methods

    def _create_one(self, vals: Row) -> int:
        ctx = self.env.context
        active = ctx.get("active_ids") if ctx.get("active_model") == "account.move" else None
        if self.db.version == 13:
            vals.setdefault("move_id", (active or [False])[0] or ctx.get("active_id") or False)
        elif "move_ids" not in vals and active:
            vals["move_ids"] = [(6, 0, list(active))]
        vals.setdefault("date", self.db.today())
        return super()._create_one(vals)

    def _moves_of(self, row: Row) -> list[int]:
        ids = [row["move_id"]] if self.db.version == 13 else list(row.get("move_ids") or [])
        if not [i for i in ids if i]:
            raise UserError("There are no journal items in the draft state to post.")
        return ids

    def refund_moves(self, ids: Sequence[int]) -> Row:
        return self.reverse_moves(ids)

    def modify_moves(self, ids: Sequence[int]) -> Row:
        return self.reverse_moves(ids, is_modify=True)

    def reverse_moves(self, ids: Sequence[int], is_modify: bool = False) -> Row:
        ids = id_list(ids)
        wizard = self.browse_rows(ids[:1])[0]
        method = "modify" if is_modify else wizard.get("refund_method") or "refund"
        moves = self.env["account.move"]
        assert isinstance(moves, InvoiceModel)
        created = []
        redirect = []
        for move_id in self._moves_of(wizard):
            refund_id = self._reverse(moves, moves.browse_rows([move_id])[0], wizard)
            created.append(refund_id)
            redirect.append(refund_id)
            if method in ("cancel", "modify"):
                moves.action_post([refund_id])
                moves.touch(
                    move_id, {"_payment_state": "paid" if self.db.version == 13 else "reversed"}
                )
                moves.touch(refund_id, {"_payment_state": "paid"})
            if method == "modify":
                redirect[-1] = self._copy_move(moves, move_id)
        if self.db.version >= 14:
            self.touch(wizard["id"], {"new_move_ids": created})
        return self._action(moves, redirect)

    def _reverse(self, moves: InvoiceModel, move: Row, wizard: Row) -> int:
        field = moves.type_field
        reason = wizard.get("reason")
        ref = f"Reversal of: {move.get('name')}" + (f", {reason}" if reason else "")
        date = wizard.get("date") or self.db.today()
        refund_id = moves._create_one(
            {
                field: REFUND_OF[move.get(field) or "entry"],
                "partner_id": move.get("partner_id"),
                "currency_id": move.get("currency_id"),
                "ref": ref,
                "date": date,
                "invoice_date": date if moves.is_invoice(move) else False,
                "journal_id": wizard.get("journal_id") or move.get("journal_id"),
                "reversed_entry_id": move["id"],
                "invoice_line_ids": _copied_lines(moves, move),
            }
        )
        # the credit note keeps the original's tax amounts, hand adjustments included
        refund = moves.rows[refund_id]
        originals = {
            line["tax_line_id"]: line["balance"] for line in moves.move_lines(move, ("tax",))
        }
        for line in moves.move_lines(refund, ("tax",)):
            if line["tax_line_id"] in originals:
                moves.set_balance(line["id"], -originals[line["tax_line_id"]])
        moves.rebalance(refund_id)
        return refund_id

    def _copy_move(self, moves: InvoiceModel, move_id: int) -> int:
        move = moves.rows[move_id]
        return moves._create_one(
            {
                moves.type_field: move.get(moves.type_field),
                "partner_id": move.get("partner_id"),
                "currency_id": move.get("currency_id"),
                "journal_id": move.get("journal_id"),
                "invoice_line_ids": _copied_lines(moves, move),
            }
        )

    def _action(self, moves: InvoiceModel, ids: list[int]) -> Row:
        action: Row = {
            "name": "Reverse Moves",
            "type": "ir.actions.act_window",
            "res_model": "account.move",
        }
        if len(ids) == 1:
            action.update({"view_mode": "form", "res_id": ids[0]})
        else:
            mode = "list,form" if self.db.version >= 17 else "tree,form"
            action.update({"view_mode": mode, "domain": [["id", "in", ids]]})
        if self.db.version >= 15 and ids:
            first = moves.rows[ids[0]].get(moves.type_field)
            action["context"] = {f"default_{moves.type_field}": first}
        return action


def _copied_lines(moves: InvoiceModel, move: Row) -> list[tuple[int, int, Row]]:
    """Commands that create the move's product and section lines again on another move."""
    return [(0, 0, _line_vals(line)) for line in moves.move_lines(move, PRODUCT_ROLES)]


def _line_vals(line: Row) -> Row:
    return {
        "name": line.get("name"),
        "quantity": float(line["quantity"]),
        "price_unit": float(line["price_unit"]),
        "discount": float(line["discount"]),
        "account_id": line.get("account_id"),
        "product_id": line.get("product_id"),
        "tax_ids": [(6, 0, list(line.get("tax_ids") or []))],
        **({"display_type": line["display_type"]} if line["_role"] == "section" else {}),
    }
