"""Small per-model rules: display names, computed fields and constraints of reference models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.exceptions import ValidationError
from wooodoo.sandbox.odoo.indexes import KeyIndex, plain_key
from wooodoo.sandbox.odoo.orm import BaseModel, id_list
from wooodoo.sandbox.odoo.payments import PaidInvoiceModel, PaymentModel, ReconcilingLineModel
from wooodoo.sandbox.odoo.store import Row
from wooodoo.sandbox.odoo.workflow import ReversalModel


class PartnerModel(BaseModel):
    def validate(self, row: Row) -> None:
        if not row.get("name") and row.get("type", "contact") == "contact":
            raise ValidationError("Contacts require a name")

    def unlink(self, ids: Sequence[int]) -> bool:
        """Refused while an entry names the partner: PostgreSQL's foreign key, as Odoo words it."""
        ids = id_list(ids)
        wanted = set(ids)
        if self._named_by_a_move(wanted):
            raise ValidationError(
                "The operation cannot be completed: another model requires the record being"
                " deleted. If possible, archive it instead.\n\nModel: Journal Entry"
                " (account.move)\nConstraint: account_move_partner_id_fkey"
            )
        return super().unlink(ids)

    def _named_by_a_move(self, wanted: set[int]) -> bool:
        """Whether an entry names one of the partners (its candidates from an index)."""
        moves = self.env["account.move"].rows
        index = self.db.store.index(
            "account.move", ("key", "partner_id"), lambda: KeyIndex("partner_id", plain_key)
        )
        found = index.lookup(wanted).fetch()
        return any(moves[rid].get("partner_id") in wanted for rid in found)

    def display_name(self, row: Row) -> str:
        name = str(row.get("name") or "")
        parent = self.rows.get(row.get("parent_id") or 0)
        if parent and parent.get("is_company") and name:
            return f"{parent.get('name')}, {name}"
        return name


class CurrencyModel(BaseModel):
    def compute(self, row: Row, name: str) -> Any:
        if name == "decimal_places":
            rounding = to_decimal(row.get("rounding") or 0)
            if rounding <= 0 or rounding >= 1:
                return 0
            return max(0, -rounding.normalize().as_tuple().exponent)  # type: ignore[operator]
        return super().compute(row, name)


class StateModel(BaseModel):
    def display_name(self, row: Row) -> str:
        if self.db.version < 16:
            return str(row.get("name") or "")
        country = self.env["res.country"].rows.get(row.get("country_id") or 0, {})
        return f"{row.get('name')} ({country.get('code', '')})"


class ProductModel(BaseModel):
    def display_name(self, row: Row) -> str:
        code = row.get("default_code")
        return f"[{code}] {row.get('name')}" if code else str(row.get("name") or "")


class AccountModel(BaseModel):
    def display_name(self, row: Row) -> str:
        if self.db.version >= 19:
            return str(row.get("name") or "")
        return f"{row.get('code')} {row.get('name')}"

    def compute(self, row: Row, name: str) -> Any:
        if name in ("internal_type", "internal_group"):
            kind = self.env["account.account.type"].rows.get(row.get("user_type_id") or 0, {})
            return kind.get("type" if name == "internal_type" else "internal_group") or False
        return super().compute(row, name)


class TaxModel(BaseModel):
    def compute(self, row: Row, name: str) -> Any:
        if name == "price_include" and self.db.version >= 18:
            return row.get("price_include_override") == "tax_included"
        return super().compute(row, name)


def model_classes() -> dict[str, type[BaseModel]]:
    return {
        "res.partner": PartnerModel,
        "res.currency": CurrencyModel,
        "res.country.state": StateModel,
        "product.product": ProductModel,
        "account.account": AccountModel,
        "account.tax": TaxModel,
        "account.move": PaidInvoiceModel,
        "account.move.line": ReconcilingLineModel,
        "account.payment": PaymentModel,
        "account.move.reversal": ReversalModel,
    }
