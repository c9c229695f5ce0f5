"""Journal entries, their items and the credit note wizard, as they differ between versions."""

from __future__ import annotations

from wooodoo.sandbox.odoo.fields import COMPUTED, ModelSpec, field, model

MOVE_STATES = ("draft", "posted", "cancel")


def move(version: int) -> ModelSpec:
    types = (
        "entry",
        "out_invoice",
        "out_refund",
        "in_invoice",
        "in_refund",
        "out_receipt",
        "in_receipt",
    )
    type_field = "type" if version == 13 else "move_type"
    payment_field = "invoice_payment_state" if version == 13 else "payment_state"
    payment_states = (
        ("not_paid", "in_payment", "paid")
        if version == 13
        else ("not_paid", "in_payment", "paid", "partial", "reversed", "invoicing_legacy")
    )
    fields = {
        "name": field("char", "Number"),
        "ref": field("char", "Reference"),
        "state": field(
            "selection",
            "Status",
            selection=MOVE_STATES,
            default="draft",
            readonly=True,
        ),
        type_field: field("selection", "Type", selection=types, default="entry", required=True),
        "partner_id": field("many2one", "Partner", "res.partner"),
        "commercial_partner_id": field("many2one", "Commercial Entity", "res.partner", **COMPUTED),
        "invoice_date": field("date", "Invoice/Bill Date"),
        "invoice_date_due": field("date", "Due Date"),
        "date": field("date", "Date"),
        "journal_id": field("many2one", "Journal", "account.journal"),
        "currency_id": field("many2one", "Currency", "res.currency"),
        "company_id": field("many2one", "Company", "res.company", **COMPUTED),
        "invoice_origin": field("char", "Origin"),
        "narration": field("text", "Terms and Conditions"),
        "payment_reference": field("char", "Payment Reference"),
        "invoice_line_ids": field("one2many", "Invoice lines", "account.move.line"),
        "line_ids": field("one2many", "Journal Items", "account.move.line"),
        "amount_untaxed": field("monetary", "Untaxed Amount", **COMPUTED),
        "amount_tax": field("monetary", "Tax", **COMPUTED),
        "amount_total": field("monetary", "Total", **COMPUTED),
        "amount_residual": field("monetary", "Amount Due", **COMPUTED),
        "amount_untaxed_signed": field("monetary", "Untaxed Amount Signed", **COMPUTED),
        "amount_total_signed": field("monetary", "Total Signed", **COMPUTED),
        payment_field: field("selection", "Payment Status", selection=payment_states, **COMPUTED),
        "reversed_entry_id": field("many2one", "Reversal of", "account.move"),
        "posted_before": field("boolean", "Posted Before", **COMPUTED),
        "display_inactive_currency_warning": field("boolean", "Inactive currency", **COMPUTED),
    }
    if version >= 16:
        fields["tax_totals"] = field("binary", "Invoice Totals", readonly=False, computed=True)
    else:
        fields["amount_by_group"] = field("binary", "Tax amount by group", **COMPUTED)
    return model("account.move", fields, order="date desc, name desc, id desc")


def move_line(version: int) -> ModelSpec:
    fields = {
        "move_id": field("many2one", "Journal Entry", "account.move", required=True),
        "name": field("char", "Label"),
        "quantity": field("float", "Quantity", default=1),
        "price_unit": field("float", "Unit Price", default=0),
        "discount": field("float", "Discount (%)", default=0),
        "price_subtotal": field("monetary", "Subtotal", **COMPUTED),
        "price_total": field("monetary", "Total", **COMPUTED),
        "account_id": field("many2one", "Account", "account.account"),
        "tax_ids": field("many2many", "Taxes", "account.tax"),
        "tax_line_id": field("many2one", "Originator Tax", "account.tax", readonly=True),
        "tax_group_id": field("many2one", "Originator tax group", "account.tax.group", **COMPUTED),
        "tax_base_amount": field("monetary", "Base Amount", **COMPUTED),
        "product_id": field("many2one", "Product", "product.product"),
        "debit": field("monetary", "Debit"),
        "credit": field("monetary", "Credit"),
        "balance": field("monetary", "Balance"),
        "amount_currency": field("monetary", "Amount in Currency"),
        "currency_id": field("many2one", "Currency", "res.currency", **COMPUTED),
        "partner_id": field("many2one", "Partner", "res.partner", **COMPUTED),
        "parent_state": field("selection", "Status", selection=MOVE_STATES, **COMPUTED),
        "date": field("date", "Date", **COMPUTED),
        "sequence": field("integer", "Sequence", default=10),
    }
    if version >= 16:
        fields["display_type"] = field(
            "selection",
            "Display Type",
            selection=(
                "product",
                "cogs",
                "tax",
                "rounding",
                "payment_term",
                "line_section",
                "line_note",
                "epd",
            ),
            default="product",
        )
    else:
        fields["display_type"] = field(
            "selection", "Display Type", selection=("line_section", "line_note")
        )
        fields["exclude_from_invoice_tab"] = field(
            "boolean", "Excluded from Invoice Tab", default=False
        )
    return model("account.move.line", fields, order="date desc, move_name desc, id")


def reversal(version: int) -> ModelSpec:
    fields = {
        "date": field("date", "Reversal date"),
        "reason": field("char", "Reason"),
        "journal_id": field("many2one", "Use Specific Journal", "account.journal"),
        "company_id": field("many2one", "Company", "res.company", **COMPUTED),
    }
    if version == 13:
        fields["move_id"] = field("many2one", "Journal Entry", "account.move")
    else:
        fields["move_ids"] = field("many2many", "Moves", "account.move")
        fields["new_move_ids"] = field("many2many", "New Moves", "account.move", readonly=True)
    if version <= 15:
        fields["refund_method"] = field(
            "selection", "Credit Method", selection=("refund", "cancel", "modify"), default="refund"
        )
    if version in (14, 15):
        fields["date_mode"] = field(
            "selection", "Date Mode", selection=("custom", "entry"), default="custom"
        )
    return model("account.move.reversal", fields)
