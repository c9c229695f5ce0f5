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

    A customer invoice's tax is a credit. In another currency than the company's, the
    amount goes to ``amount_currency`` and the credit follows at the line's own rate.
    """
    by_tax: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        tax = line["tax_line_id"]
        if isinstance(tax, list) and tax and tax[0] in tax_by_tax:
            by_tax.setdefault(tax[0], []).append(line)
    commands: list[Any] = []
    for tax_id, tax_lines in by_tax.items():
        first, *others = tax_lines
        foreign = _foreign(first, company_currency)
        field = "amount_currency" if foreign else "credit"
        sign = Decimal(-1) if foreign else Decimal(1)
        rest = sum((decimal_of(o.get(field)) * sign for o in others), Decimal(0))
        if not foreign:
            rest -= sum((decimal_of(o.get("debit")) for o in others), Decimal(0))
        amount = tax_by_tax[tax_id] - rest
        vals: dict[str, Any]
        if foreign:
            old_currency = -decimal_of(first.get("amount_currency"))
            old_balance = decimal_of(first.get("credit")) - decimal_of(first.get("debit"))
            if not old_currency:
                raise OdooRecordError(f"move {move_id}: no rate on its tax line")
            credit = (amount * old_balance / old_currency).quantize(Decimal("0.01"))
            vals = {"amount_currency": -float(amount), "credit": float(credit), "debit": 0.0}
        else:
            vals = {"credit": float(amount), "debit": 0.0}
            if major >= 14:
                vals["amount_currency"] = -float(amount)  # 14+ keep it on every line
        commands.append((1, first["id"], vals))
    if not commands:
        raise OdooRecordError(f"move {move_id}: no tax line to adjust")
    return commands


def _foreign(line: Mapping[str, Any], company_currency: int | None) -> bool:
    currency = line.get("currency_id")
    currency_id = currency[0] if isinstance(currency, list) and currency else None
    return bool(currency_id and company_currency and currency_id != company_currency)
