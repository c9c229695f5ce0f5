"""Posted invoices read back line for line, to reverse them (cancellations, reissues)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.transport import decimal_of
from wooodoo.sync.mapping import InvoiceCopy

MOVE_FIELDS = ("partner_id", "currency_id", "amount_untaxed", "amount_tax", "amount_total")
LINE_FIELDS = (
    "move_id",
    "name",
    "quantity",
    "price_unit",
    "discount",
    "account_id",
    "tax_ids",
    "product_id",
    "tax_line_id",
    "amount_currency",
    "display_type",
)


def read_copies(api: OdooApi, ids: Sequence[int]) -> dict[int, InvoiceCopy]:
    """Two calls for any number of invoices: the moves, then all their journal items."""
    if not ids:
        return {}
    old = api.version.major < 16  # invoice lines told apart by exclude_from_invoice_tab
    fields = [*LINE_FIELDS, "exclude_from_invoice_tab"] if old else list(LINE_FIELDS)
    moves = api.call("account.move", "read", ids=list(ids), fields=list(MOVE_FIELDS))
    items = api.call(
        "account.move.line", "search_read", domain=[("move_id", "in", list(ids))], fields=fields
    )
    by_move: dict[int, list[Mapping[str, Any]]] = {}
    for item in items:
        by_move.setdefault(_id(item["move_id"]) or 0, []).append(item)
    return {m["id"]: _copy(m, by_move.get(m["id"], []), old) for m in moves}


def _id(value: Any) -> int | None:
    """A many2one as Odoo sends it: ``[id, name]``, a bare id, or False."""
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    return int(value) if value else None


def _copy(move: Mapping[str, Any], items: list[Mapping[str, Any]], old: bool) -> InvoiceCopy:
    lines: list[dict[str, Any]] = []
    tax_by_tax: dict[int, Decimal] = {}
    for item in items:
        tax_id = _id(item.get("tax_line_id"))
        if tax_id:
            # an invoice's income side is credit: its amounts are negative in the journal
            tax_by_tax[tax_id] = tax_by_tax.get(tax_id, Decimal(0)) - decimal_of(
                item.get("amount_currency")
            )
        elif _invoice_line(item, old):
            lines.append(_line_values(item))
    return InvoiceCopy(
        id=move["id"],
        partner_id=_id(move.get("partner_id")) or 0,
        currency_id=_id(move.get("currency_id")),
        lines=lines,
        tax_by_tax=tax_by_tax,
        untaxed=decimal_of(move.get("amount_untaxed")),
        tax=decimal_of(move.get("amount_tax")),
        total=decimal_of(move.get("amount_total")),
    )


def _invoice_line(item: Mapping[str, Any], old: bool) -> bool:
    if old:
        return not item.get("exclude_from_invoice_tab") and not item.get("display_type")
    return item.get("display_type") == "product"


def _line_values(item: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": item.get("name") or "",
        "quantity": item.get("quantity"),
        "price_unit": item.get("price_unit"),
        "discount": item.get("discount") or 0.0,
        "account_id": _id(item.get("account_id")),
        "tax_ids": [(6, 0, [int(t) for t in item.get("tax_ids") or []])],
    }
    product = _id(item.get("product_id"))
    if product:
        values["product_id"] = product
    return values
