"""The tax summary widgets of an invoice per version, and the edits they accept on drafts.

Read shapes (what ``read(['tax_totals'])`` / ``read(['amount_by_group'])`` return):

* 13-15 ``amount_by_group``: ``[[group name, amount, base, "formatted amount",
  "formatted base", number of groups, group id], ...]`` (no tax totals widget).
* 16-17 ``tax_totals``: ``{amount_untaxed, amount_total, formatted_amount_total,
  formatted_amount_untaxed, groups_by_subtotal: {"Untaxed Amount": [{tax_group_name,
  tax_group_amount, tax_group_base_amount, formatted_tax_group_amount,
  formatted_tax_group_base_amount, tax_group_id, group_key}]}, subtotals: [{name, amount,
  formatted_amount}], subtotals_order, display_tax_base, allow_tax_edition}``.
* 18-19 ``tax_totals``: ``{currency_id, currency_pd, company_currency_id, company_currency_pd,
  has_tax_groups, same_tax_base, base_amount_currency, base_amount, tax_amount_currency,
  tax_amount, total_amount_currency, total_amount, subtotals: [{name, base_amount_currency,
  base_amount, tax_amount_currency, tax_amount, tax_groups: [{id, involved_tax_ids,
  tax_amount_currency, tax_amount, base_amount_currency, base_amount,
  display_base_amount_currency, display_base_amount, group_name, group_label}]}]}``.

Edits accepted on a draft invoice (Odoo's ``_inverse_tax_totals``: the difference goes to the
first tax line of the group; groups left out of the payload are not touched):

* 16-17 ``write([id], {"tax_totals": {"groups_by_subtotal": {"Untaxed Amount":
  [{"tax_group_id": G, "tax_group_amount": 1.23}]}}})``
* 18-19 ``write([id], {"tax_totals": {"subtotals": [{"tax_groups": [{"id": G,
  "tax_amount_currency": 1.23}]}]}})``
* every version, and the only way on 13-15: edit the tax journal item itself,
  ``write([id], {"line_ids": [[1, tax_line_id, {"credit": 1.23}]]})`` (or ``price_unit``,
  ``debit``, ``balance``, ``amount_currency`` with the journal item's sign).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from wooodoo.sandbox.odoo.accounting import round_to, to_decimal

UNTAXED = "Untaxed Amount"


def format_amount(amount: Decimal, symbol: str, position: str, rounding: Decimal) -> str:
    """formatLang with a currency: the symbol before or after, a no-break space between."""
    places = max(0, -rounding.normalize().as_tuple().exponent)  # type: ignore[operator]
    text = f"{round_to(amount, rounding):,.{places}f}"
    return f"{symbol}\xa0{text}" if position == "before" else f"{text}\xa0{symbol}"


class Group:
    """One tax group's share of an invoice."""

    def __init__(self, group_id: int, name: str, sequence: int) -> None:
        self.id = group_id
        self.name = name
        self.sequence = sequence
        self.amount = Decimal(0)
        self.base = Decimal(0)
        self.tax_ids: list[int] = []


def amount_by_group(groups: list[Group], fmt: Any) -> list[list[Any]]:
    return [
        [g.name, float(g.amount), float(g.base), fmt(g.amount), fmt(g.base), len(groups), g.id]
        for g in groups
    ]


def tax_totals_16(
    groups: list[Group], untaxed: Decimal, total: Decimal, fmt: Any, draft: bool
) -> dict[str, Any]:
    entries = [
        {
            "tax_group_name": g.name,
            "tax_group_amount": float(g.amount),
            "tax_group_base_amount": float(g.base),
            "formatted_tax_group_amount": fmt(g.amount),
            "formatted_tax_group_base_amount": fmt(g.base),
            "tax_group_id": g.id,
            "group_key": g.id,
        }
        for g in groups
    ]
    return {
        "amount_untaxed": float(untaxed),
        "amount_total": float(total),
        "formatted_amount_total": fmt(total),
        "formatted_amount_untaxed": fmt(untaxed),
        "groups_by_subtotal": {UNTAXED: entries} if entries else {},
        "subtotals": [
            {"name": UNTAXED, "amount": float(untaxed), "formatted_amount": fmt(untaxed)}
        ],
        "subtotals_order": [UNTAXED],
        "display_tax_base": False,
        "allow_tax_edition": draft,
    }


def tax_totals_18(
    groups: list[Group],
    untaxed: Decimal,
    currency: tuple[int, Decimal],
    company_currency: tuple[int, Decimal],
) -> dict[str, Any]:
    tax = sum((g.amount for g in groups), Decimal(0))
    entries = [
        {
            "id": g.id,
            "involved_tax_ids": list(g.tax_ids),
            "tax_amount_currency": float(g.amount),
            "tax_amount": float(g.amount),
            "base_amount_currency": float(g.base),
            "base_amount": float(g.base),
            "display_base_amount_currency": float(g.base),
            "display_base_amount": float(g.base),
            "group_name": g.name,
            "group_label": False,
        }
        for g in groups
    ]
    return {
        "currency_id": currency[0],
        "currency_pd": float(currency[1]),
        "company_currency_id": company_currency[0],
        "company_currency_pd": float(company_currency[1]),
        "has_tax_groups": bool(groups),
        "subtotals": [
            {
                "tax_groups": entries,
                "tax_amount_currency": float(tax),
                "tax_amount": float(tax),
                "base_amount_currency": float(untaxed),
                "base_amount": float(untaxed),
                "name": UNTAXED,
            }
        ],
        "base_amount_currency": float(untaxed),
        "base_amount": float(untaxed),
        "tax_amount_currency": float(tax),
        "tax_amount": float(tax),
        "same_tax_base": len({g.base for g in groups}) <= 1,
        "total_amount_currency": float(untaxed + tax),
        "total_amount": float(untaxed + tax),
    }


def edited_groups(payload: Any, version: int) -> Iterator[tuple[int, Decimal]]:
    """(tax group id, wanted amount) pairs in a written tax_totals, read as Odoo reads them."""
    if not isinstance(payload, dict):
        return
    if version >= 18:
        for subtotal in payload.get("subtotals") or []:
            for group in subtotal.get("tax_groups") or []:
                yield int(group["id"]), to_decimal(group["tax_amount_currency"])
        return
    for entries in (payload.get("groups_by_subtotal") or {}).values():
        for group in entries:
            yield int(group["tax_group_id"]), to_decimal(group["tax_group_amount"])


def tax_line_amount(vals: dict[str, Any], direction: int) -> Decimal | None:
    """The tax amount a journal-item edit asks for, in the invoice's own sign, if any."""
    if "price_unit" in vals:
        return to_decimal(vals["price_unit"])
    if "credit" in vals or "debit" in vals:
        balance = to_decimal(vals.get("debit") or 0) - to_decimal(vals.get("credit") or 0)
        return balance * direction
    for key in ("balance", "amount_currency"):
        if key in vals:
            return to_decimal(vals[key]) * direction
    return None
