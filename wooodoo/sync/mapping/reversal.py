"""A posted invoice reversed line for line: the credit note of a cancellation or a reissue.

The credit note carries the invoice's own lines as Odoo keeps them (accounts, taxes, prices,
discounts), so Odoo computes the same amounts; the invoice's tax per tax is what a draft is
adjusted to where Odoo would round otherwise (an invoice whose tax was adjusted before posting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from wooodoo.sync.mapping.invoice import InvoicePlan, Totals
from wooodoo.sync.mapping.reference import Reference


@dataclass(frozen=True)
class InvoiceCopy:
    """What a posted invoice is made of, read back from Odoo to reverse it."""

    id: int
    partner_id: int
    currency_id: int | None
    lines: list[dict[str, Any]]  # create values of its invoice lines, as Odoo keeps them
    tax_by_tax: dict[int, Decimal]  # Odoo tax id -> the invoice's tax amount
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def reversal_plan(
    invoice: InvoiceCopy, key: str, order_id: int, ref: Reference, label: str, day: date
) -> InvoicePlan:
    """The credit note of the whole ``invoice`` under ``key``; ``label`` is its reference."""
    values: dict[str, Any] = {
        ref.move_type_field: "out_refund",
        "invoice_origin": key,
        "ref": label,
        "invoice_date": day.isoformat(),
        "currency_id": invoice.currency_id or False,
        "partner_id": invoice.partner_id,
        "reversed_entry_id": invoice.id,
        "invoice_line_ids": [(0, 0, dict(line)) for line in invoice.lines],
    }
    if ref.journal_id:
        values["journal_id"] = ref.journal_id
    return InvoicePlan(
        key=key,
        order_id=order_id,
        values=values,
        expected=Totals(invoice.untaxed, invoice.tax, invoice.total),
        expected_tax_by_tax=dict(invoice.tax_by_tax),
        # the same lines: Odoo computes what it computed for the invoice, before any adjustment
        predicted_tax_by_tax=dict(invoice.tax_by_tax),
        lines=(),
        quantum=next(
            (c.quantum for c in ref.currencies.values() if c.id == invoice.currency_id),
            Decimal("0.01"),
        ),
    )
