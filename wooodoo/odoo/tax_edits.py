"""The values that set a draft invoice's tax amounts, per Odoo version: the totals widget's
``tax_totals`` (16+) or edits of the tax journal items themselves (13-15). No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from wooodoo.errors import OdooRecordError
from wooodoo.odoo.transport import decimal_of

# What ``tax_item_edits`` reads of each tax journal item (13-15).
TAX_LINE_FIELDS = ("move_id", "tax_line_id", "debit", "credit", "amount_currency", "currency_id")


def tax_totals_edit(
    major: int,
    tax_groups: Mapping[int, int | None],
    move_id: int,
    tax_by_tax: Mapping[int, Decimal],
) -> Any:
    """An edited ``tax_totals`` (16+) giving each tax group the sum of its taxes' amounts."""
    by_group: dict[int, Decimal] = {}
    for tax_id, amount in tax_by_tax.items():
        group = tax_groups.get(tax_id)
        if group is None:
            raise OdooRecordError(f"move {move_id}: tax {tax_id} has no tax group")
        by_group[group] = by_group.get(group, Decimal(0)) + amount
    if major >= 18:
        return {
            "subtotals": [
                {
                    "tax_groups": [
                        {"id": g, "tax_amount_currency": float(a)} for g, a in by_group.items()
                    ]
                }
            ]
        }
    return {
        "groups_by_subtotal": {
            "Untaxed Amount": [
                {"tax_group_id": g, "tax_group_amount": float(a)} for g, a in by_group.items()
            ]
        }
    }


def tax_item_edits(
    major: int,
    company_currency: int | None,
    move_id: int,
    tax_by_tax: Mapping[int, Decimal],
    lines: list[dict[str, Any]],
) -> list[Any]:
    """Journal item edits that bring each tax to its amount (13-15: no tax totals there).

    A customer invoice's tax is a credit, a credit note's a debit: the side the move's tax
    items are on now says which (Odoo computed them from the same taxes; an adjustment moves
    them by a cent or so, never across zero). In another currency than the company's, the
    amount goes to ``amount_currency`` and the balance follows at the line's own rate.
    """
    by_tax: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        tax = line["tax_line_id"]
        if isinstance(tax, list) and tax and tax[0] in tax_by_tax:
            by_tax.setdefault(tax[0], []).append(line)
    # +1: the tax is a credit (invoice), -1: a debit (credit note)
    side = Decimal(-1) if sum((_credit(line) for line in lines), Decimal(0)) < 0 else Decimal(1)
    commands: list[Any] = []
    for tax_id, tax_lines in by_tax.items():
        first, *others = tax_lines
        foreign = _foreign(first, company_currency)
        if foreign:
            rest = sum((-decimal_of(o.get("amount_currency")) for o in others), Decimal(0))
        else:
            rest = sum((_credit(o) for o in others), Decimal(0))
        amount = tax_by_tax[tax_id] * side - rest  # the first item's credit (negative: debit)
        old_currency = -decimal_of(first.get("amount_currency"))
        if amount == (old_currency if foreign else _credit(first)):
            continue  # this tax is right already (e.g. a zero tax item: it has no rate to use)
        vals: dict[str, Any]
        if foreign:
            if not old_currency:
                raise OdooRecordError(f"move {move_id}: no rate on its tax line")
            balance = (amount * _credit(first) / old_currency).quantize(Decimal("0.01"))
            vals = {"amount_currency": -float(amount), **_sides(balance)}
        else:
            vals = _sides(amount)
            if major >= 14:
                vals["amount_currency"] = -float(amount)  # 14+ keep it on every line
        commands.append((1, first["id"], vals))
    if not by_tax:
        raise OdooRecordError(f"move {move_id}: no tax line to adjust")
    return commands


def _credit(line: Mapping[str, Any]) -> Decimal:
    return decimal_of(line.get("credit")) - decimal_of(line.get("debit"))


def _sides(credit: Decimal) -> dict[str, Any]:
    """A credit (positive) or a debit (negative) as Odoo's two columns."""
    return {"credit": float(max(credit, Decimal(0))), "debit": float(max(-credit, Decimal(0)))}


def _foreign(line: Mapping[str, Any], company_currency: int | None) -> bool:
    currency = line.get("currency_id")
    currency_id = currency[0] if isinstance(currency, list) and currency else None
    return bool(currency_id and company_currency and currency_id != company_currency)
