"""The models and fields the Odoo look-alike knows, as they differ between versions 13 and 19."""

from __future__ import annotations

from wooodoo.sandbox.odoo import schema_accounts as accounts
from wooodoo.sandbox.odoo import schema_moves as moves
from wooodoo.sandbox.odoo import schema_payments as payments
from wooodoo.sandbox.odoo.fields import COMPUTED, ModelSpec, field, model


def build_schema(version: int) -> dict[str, ModelSpec]:
    """Every model of the look-alike with the fields of that Odoo version."""
    specs = [
        partner(version),
        company(),
        currency(),
        country(),
        country_state(),
        product(),
        accounts.account(version),
        accounts.journal(version),
        accounts.tax_group(),
        accounts.tax(version),
        moves.move(version),
        moves.move_line(version),
        moves.reversal(version),
        payments.payment(version),
        payments.payment_method(),
    ]
    if version <= 15:
        specs.append(accounts.account_type())
    schema = {spec.name: spec for spec in specs}
    schema["account.move.line"].fields.update(payments.line_fields())
    return schema


def partner(version: int) -> ModelSpec:
    fields = {
        "name": field("char", "Name"),
        "email": field("char", "Email"),
        "phone": field("char", "Phone"),
        "street": field("char", "Street"),
        "street2": field("char", "Street2"),
        "city": field("char", "City"),
        "zip": field("char", "Zip"),
        "country_id": field("many2one", "Country", "res.country"),
        "state_id": field("many2one", "State", "res.country.state"),
        "ref": field("char", "Reference"),
        "vat": field("char", "Tax ID"),
        "company_name": field("char", "Company Name"),
        "is_company": field("boolean", "Is a Company", default=False),
        "customer_rank": field("integer", "Customer Rank", default=0),
        "supplier_rank": field("integer", "Supplier Rank", default=0),
        "lang": field("char", "Language", default="en_US"),
        "active": field("boolean", "Active", default=True),
        "type": field(
            "selection",
            "Address Type",
            selection=("contact", "invoice", "delivery", "other", "private"),
            default="contact",
        ),
        "parent_id": field("many2one", "Related Company", "res.partner"),
        "company_id": field("many2one", "Company", "res.company"),
        "comment": field("text", "Notes"),
    }
    if version <= 17:
        fields["mobile"] = field("char", "Mobile")
    return model("res.partner", fields, order="complete_name asc, id desc")


def company() -> ModelSpec:
    fields = {
        "name": field("char", "Company Name", required=True),
        "currency_id": field("many2one", "Currency", "res.currency"),
        "country_id": field("many2one", "Country", "res.country"),
        "partner_id": field("many2one", "Partner", "res.partner"),
        "tax_calculation_rounding_method": field(
            "selection",
            "Tax Calculation Rounding Method",
            selection=("round_per_line", "round_globally"),
        ),
    }
    return model("res.company", fields)


def currency() -> ModelSpec:
    fields = {
        "name": field("char", "Currency", required=True),
        "symbol": field("char", "Symbol"),
        "rounding": field("float", "Rounding Factor", default=0.01),
        "decimal_places": field("integer", "Decimal Places", **COMPUTED),
        "active": field("boolean", "Active", default=True),
        "position": field(
            "selection", "Symbol Position", selection=("after", "before"), default="after"
        ),
    }
    return model("res.currency", fields, order="active desc, name")


def country() -> ModelSpec:
    fields = {
        "name": field("char", "Country Name", required=True),
        "code": field("char", "Country Code"),
    }
    return model("res.country", fields, order="name")


def country_state() -> ModelSpec:
    fields = {
        "name": field("char", "State Name", required=True),
        "code": field("char", "State Code", required=True),
        "country_id": field("many2one", "Country", "res.country", required=True),
    }
    return model("res.country.state", fields, order="country_id, name")


def product() -> ModelSpec:
    fields = {
        "name": field("char", "Name", required=True),
        "default_code": field("char", "Internal Reference"),
        "list_price": field("float", "Sales Price", default=1),
        "active": field("boolean", "Active", default=True),
    }
    return model("product.product", fields, order="default_code, name, id")
