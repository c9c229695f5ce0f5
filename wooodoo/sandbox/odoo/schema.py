"""The models and fields the Odoo look-alike knows, as they differ between versions 13 and 19."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RELATIONAL = ("many2one", "one2many", "many2many")


@dataclass(frozen=True)
class Field:
    type: str
    string: str = ""
    relation: str | None = None
    required: bool = False
    readonly: bool = False
    computed: bool = False  # not stored from vals: writes are ignored, reads are computed
    selection: tuple[str, ...] = ()
    default: Any = None


@dataclass
class ModelSpec:
    name: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"
    description: str = ""


def _f(kind: str, string: str = "", relation: str | None = None, **flags: Any) -> Field:
    return Field(kind, string, relation, **flags)


def _common() -> dict[str, Field]:
    return {
        "id": _f("integer", "ID", readonly=True, computed=True),
        "display_name": _f("char", "Display Name", readonly=True, computed=True),
        "create_date": _f("datetime", "Created on", readonly=True, computed=True),
        "write_date": _f("datetime", "Last Updated on", readonly=True, computed=True),
    }


def _model(
    name: str, fields: dict[str, Field], order: str = "id", rec_name: str = "name"
) -> ModelSpec:
    return ModelSpec(name, {**_common(), **fields}, order, rec_name)


def _partner(version: int) -> ModelSpec:
    fields = {
        "name": _f("char", "Name"),
        "email": _f("char", "Email"),
        "phone": _f("char", "Phone"),
        "street": _f("char", "Street"),
        "street2": _f("char", "Street2"),
        "city": _f("char", "City"),
        "zip": _f("char", "Zip"),
        "country_id": _f("many2one", "Country", "res.country"),
        "state_id": _f("many2one", "State", "res.country.state"),
        "ref": _f("char", "Reference"),
        "vat": _f("char", "Tax ID"),
        "company_name": _f("char", "Company Name"),
        "is_company": _f("boolean", "Is a Company", default=False),
        "customer_rank": _f("integer", "Customer Rank", default=0),
        "supplier_rank": _f("integer", "Supplier Rank", default=0),
        "lang": _f("char", "Language", default="en_US"),
        "active": _f("boolean", "Active", default=True),
        "type": _f(
            "selection",
            "Address Type",
            selection=("contact", "invoice", "delivery", "other", "private"),
            default="contact",
        ),
        "parent_id": _f("many2one", "Related Company", "res.partner"),
        "company_id": _f("many2one", "Company", "res.company"),
        "comment": _f("text", "Notes"),
    }
    if version <= 17:
        fields["mobile"] = _f("char", "Mobile")
    return _model("res.partner", fields, order="complete_name asc, id desc")


def _account(version: int) -> ModelSpec:
    fields = {
        "code": _f("char", "Code", required=True),
        "name": _f("char", "Account Name", required=True),
        "reconcile": _f("boolean", "Allow Reconciliation", default=False),
        "deprecated": _f("boolean", "Deprecated", default=False),
        "currency_id": _f("many2one", "Account Currency", "res.currency"),
    }
    if version >= 16:
        fields["account_type"] = _f(
            "selection",
            "Type",
            required=True,
            selection=(
                "income",
                "income_other",
                "asset_receivable",
                "liability_current",
                "liability_payable",
                "asset_current",
                "expense",
            ),
        )
    else:
        fields["user_type_id"] = _f("many2one", "Type", "account.account.type", required=True)
        fields["internal_type"] = _f(
            "selection",
            "Internal Type",
            readonly=True,
            computed=True,
            selection=("other", "receivable", "payable", "liquidity"),
        )
        fields["internal_group"] = _f(
            "selection",
            "Internal Group",
            readonly=True,
            computed=True,
            selection=("income", "asset", "liability", "expense"),
        )
    return _model("account.account", fields, order="code asc, id")


def _tax(version: int) -> ModelSpec:
    fields = {
        "name": _f("char", "Tax Name", required=True),
        "amount": _f("float", "Amount", default=0),
        "amount_type": _f(
            "selection",
            "Tax Computation",
            selection=("percent", "fixed", "group", "division"),
            default="percent",
        ),
        "type_tax_use": _f(
            "selection", "Tax Type", selection=("sale", "purchase", "none"), default="sale"
        ),
        "price_include": _f("boolean", "Included in Price", default=False),
        "include_base_amount": _f("boolean", "Affect Base of Subsequent Taxes", default=False),
        "company_id": _f("many2one", "Company", "res.company"),
        "active": _f("boolean", "Active", default=True),
        "sequence": _f("integer", "Sequence", default=1),
        "tax_group_id": _f("many2one", "Tax Group", "account.tax.group"),
        "description": _f("char", "Label on Invoices"),
    }
    if version >= 18:
        # 18 made price_include a computed field; the stored choice is price_include_override
        fields["price_include"] = _f("boolean", "Included in Price", readonly=True, computed=True)
        fields["price_include_override"] = _f(
            "selection", "Included in Price", selection=("tax_included", "tax_excluded")
        )
    return _model("account.tax", fields, order="sequence, id")


def _move(version: int) -> ModelSpec:
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
    ro: dict[str, Any] = {"readonly": True, "computed": True}
    fields = {
        "name": _f("char", "Number"),
        "ref": _f("char", "Reference"),
        "state": _f(
            "selection",
            "Status",
            selection=("draft", "posted", "cancel"),
            default="draft",
            readonly=True,
        ),
        type_field: _f("selection", "Type", selection=types, default="entry", required=True),
        "partner_id": _f("many2one", "Partner", "res.partner"),
        "commercial_partner_id": _f("many2one", "Commercial Entity", "res.partner", **ro),
        "invoice_date": _f("date", "Invoice/Bill Date"),
        "invoice_date_due": _f("date", "Due Date"),
        "date": _f("date", "Date"),
        "journal_id": _f("many2one", "Journal", "account.journal"),
        "currency_id": _f("many2one", "Currency", "res.currency"),
        "company_id": _f("many2one", "Company", "res.company", **ro),
        "invoice_origin": _f("char", "Origin"),
        "narration": _f("text", "Terms and Conditions"),
        "payment_reference": _f("char", "Payment Reference"),
        "invoice_line_ids": _f("one2many", "Invoice lines", "account.move.line"),
        "line_ids": _f("one2many", "Journal Items", "account.move.line"),
        "amount_untaxed": _f("monetary", "Untaxed Amount", **ro),
        "amount_tax": _f("monetary", "Tax", **ro),
        "amount_total": _f("monetary", "Total", **ro),
        "amount_residual": _f("monetary", "Amount Due", **ro),
        "amount_untaxed_signed": _f("monetary", "Untaxed Amount Signed", **ro),
        "amount_total_signed": _f("monetary", "Total Signed", **ro),
        payment_field: _f("selection", "Payment Status", selection=payment_states, **ro),
        "reversed_entry_id": _f("many2one", "Reversal of", "account.move"),
        "posted_before": _f("boolean", "Posted Before", **ro),
        "display_inactive_currency_warning": _f("boolean", "Inactive currency", **ro),
    }
    if version >= 16:
        fields["tax_totals"] = _f("binary", "Invoice Totals", readonly=False, computed=True)
    else:
        fields["amount_by_group"] = _f("binary", "Tax amount by group", **ro)
    return _model("account.move", fields, order="date desc, name desc, id desc")


def _move_line(version: int) -> ModelSpec:
    ro: dict[str, Any] = {"readonly": True, "computed": True}
    fields = {
        "move_id": _f("many2one", "Journal Entry", "account.move", required=True),
        "name": _f("char", "Label"),
        "quantity": _f("float", "Quantity", default=1),
        "price_unit": _f("float", "Unit Price", default=0),
        "discount": _f("float", "Discount (%)", default=0),
        "price_subtotal": _f("monetary", "Subtotal", **ro),
        "price_total": _f("monetary", "Total", **ro),
        "account_id": _f("many2one", "Account", "account.account"),
        "tax_ids": _f("many2many", "Taxes", "account.tax"),
        "tax_line_id": _f("many2one", "Originator Tax", "account.tax", readonly=True),
        "tax_group_id": _f("many2one", "Originator tax group", "account.tax.group", **ro),
        "tax_base_amount": _f("monetary", "Base Amount", **ro),
        "product_id": _f("many2one", "Product", "product.product"),
        "debit": _f("monetary", "Debit"),
        "credit": _f("monetary", "Credit"),
        "balance": _f("monetary", "Balance"),
        "amount_currency": _f("monetary", "Amount in Currency"),
        "currency_id": _f("many2one", "Currency", "res.currency", **ro),
        "partner_id": _f("many2one", "Partner", "res.partner", **ro),
        "parent_state": _f("selection", "Status", selection=("draft", "posted", "cancel"), **ro),
        "date": _f("date", "Date", **ro),
        "sequence": _f("integer", "Sequence", default=10),
    }
    if version >= 16:
        fields["display_type"] = _f(
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
        fields["display_type"] = _f(
            "selection", "Display Type", selection=("line_section", "line_note")
        )
        fields["exclude_from_invoice_tab"] = _f(
            "boolean", "Excluded from Invoice Tab", default=False
        )
    return _model("account.move.line", fields, order="date desc, move_name desc, id")


def _reversal(version: int) -> ModelSpec:
    fields = {
        "date": _f("date", "Reversal date"),
        "reason": _f("char", "Reason"),
        "journal_id": _f("many2one", "Use Specific Journal", "account.journal"),
        "company_id": _f("many2one", "Company", "res.company", readonly=True, computed=True),
    }
    if version == 13:
        fields["move_id"] = _f("many2one", "Journal Entry", "account.move")
    else:
        fields["move_ids"] = _f("many2many", "Moves", "account.move")
        fields["new_move_ids"] = _f("many2many", "New Moves", "account.move", readonly=True)
    if version <= 15:
        fields["refund_method"] = _f(
            "selection", "Credit Method", selection=("refund", "cancel", "modify"), default="refund"
        )
    if version in (14, 15):
        fields["date_mode"] = _f(
            "selection", "Date Mode", selection=("custom", "entry"), default="custom"
        )
    return _model("account.move.reversal", fields)


def build_schema(version: int) -> dict[str, ModelSpec]:
    """Every model of the look-alike with the fields of that Odoo version."""
    specs = [
        _partner(version),
        _model(
            "res.company",
            {
                "name": _f("char", "Company Name", required=True),
                "currency_id": _f("many2one", "Currency", "res.currency"),
                "country_id": _f("many2one", "Country", "res.country"),
                "partner_id": _f("many2one", "Partner", "res.partner"),
                "tax_calculation_rounding_method": _f(
                    "selection",
                    "Tax Calculation Rounding Method",
                    selection=("round_per_line", "round_globally"),
                ),
            },
        ),
        _model(
            "res.currency",
            {
                "name": _f("char", "Currency", required=True),
                "symbol": _f("char", "Symbol"),
                "rounding": _f("float", "Rounding Factor", default=0.01),
                "decimal_places": _f("integer", "Decimal Places", readonly=True, computed=True),
                "active": _f("boolean", "Active", default=True),
                "position": _f(
                    "selection", "Symbol Position", selection=("after", "before"), default="after"
                ),
            },
            order="active desc, name",
        ),
        _model(
            "res.country",
            {"name": _f("char", "Country Name", required=True), "code": _f("char", "Country Code")},
            order="name",
        ),
        _model(
            "res.country.state",
            {
                "name": _f("char", "State Name", required=True),
                "code": _f("char", "State Code", required=True),
                "country_id": _f("many2one", "Country", "res.country", required=True),
            },
            order="country_id, name",
        ),
        _model(
            "product.product",
            {
                "name": _f("char", "Name", required=True),
                "default_code": _f("char", "Internal Reference"),
                "list_price": _f("float", "Sales Price", default=1),
                "active": _f("boolean", "Active", default=True),
            },
            order="default_code, name, id",
        ),
        _account(version),
        _model(
            "account.journal",
            {
                "name": _f("char", "Journal Name", required=True),
                "code": _f("char", "Short Code", required=True),
                "type": _f(
                    "selection",
                    "Type",
                    selection=("sale", "purchase", "cash", "bank", "general"),
                    required=True,
                ),
                "currency_id": _f("many2one", "Currency", "res.currency"),
                "company_id": _f("many2one", "Company", "res.company"),
                "refund_sequence": _f("boolean", "Dedicated Credit Note Sequence", default=True),
                "active": _f("boolean", "Active", default=True),
                "sequence": _f("integer", "Sequence", default=10),
                **(
                    {
                        "default_credit_account_id": _f(
                            "many2one", "Default Credit Account", "account.account"
                        ),
                        "default_debit_account_id": _f(
                            "many2one", "Default Debit Account", "account.account"
                        ),
                    }
                    if version == 13
                    else {
                        "default_account_id": _f("many2one", "Default Account", "account.account")
                    }
                ),
            },
            order="sequence, type, code",
        ),
        _model(
            "account.tax.group",
            {
                "name": _f("char", "Name", required=True),
                "sequence": _f("integer", "Sequence", default=10),
            },
            order="sequence asc, id",
        ),
        _tax(version),
        _move(version),
        _move_line(version),
        _reversal(version),
    ]
    if version <= 15:
        specs.append(
            _model(
                "account.account.type",
                {
                    "name": _f("char", "Account Type", required=True),
                    "type": _f(
                        "selection",
                        "Type",
                        selection=("other", "receivable", "payable", "liquidity"),
                        default="other",
                    ),
                    "internal_group": _f(
                        "selection",
                        "Internal Group",
                        selection=("income", "asset", "liability", "expense"),
                    ),
                },
            )
        )
    return {spec.name: spec for spec in specs}
