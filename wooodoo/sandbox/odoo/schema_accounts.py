"""The chart of accounts, journals and taxes of the look-alike, as they differ between versions."""

from __future__ import annotations

from wooodoo.sandbox.odoo.fields import COMPUTED, ModelSpec, field, model

# account.account.type's kinds and groups (13-15), which account.account reads through it
ACCOUNT_KINDS = ("other", "receivable", "payable", "liquidity")
INTERNAL_GROUPS = ("income", "asset", "liability", "expense")
ACCOUNT_TYPES_16 = (
    "income",
    "income_other",
    "asset_receivable",
    "liability_current",
    "liability_payable",
    "asset_current",
    "asset_cash",
    "expense",
)


def account(version: int) -> ModelSpec:
    fields = {
        "code": field("char", "Code", required=True),
        "name": field("char", "Account Name", required=True),
        "reconcile": field("boolean", "Allow Reconciliation", default=False),
        "deprecated": field("boolean", "Deprecated", default=False),
        "currency_id": field("many2one", "Account Currency", "res.currency"),
    }
    if version >= 16:
        fields["account_type"] = field(
            "selection", "Type", required=True, selection=ACCOUNT_TYPES_16
        )
    else:
        fields["user_type_id"] = field("many2one", "Type", "account.account.type", required=True)
        fields["internal_type"] = field(
            "selection", "Internal Type", selection=ACCOUNT_KINDS, **COMPUTED
        )
        fields["internal_group"] = field(
            "selection", "Internal Group", selection=INTERNAL_GROUPS, **COMPUTED
        )
    return model("account.account", fields, order="code asc, id")


def account_type() -> ModelSpec:
    """account.account.type, which 16 replaced by account.account's own ``account_type``."""
    fields = {
        "name": field("char", "Account Type", required=True),
        "type": field("selection", "Type", selection=ACCOUNT_KINDS, default="other"),
        "internal_group": field("selection", "Internal Group", selection=INTERNAL_GROUPS),
    }
    return model("account.account.type", fields)


def journal(version: int) -> ModelSpec:
    fields = {
        "name": field("char", "Journal Name", required=True),
        "code": field("char", "Short Code", required=True),
        "type": field(
            "selection",
            "Type",
            selection=("sale", "purchase", "cash", "bank", "general"),
            required=True,
        ),
        "currency_id": field("many2one", "Currency", "res.currency"),
        "company_id": field("many2one", "Company", "res.company"),
        "refund_sequence": field("boolean", "Dedicated Credit Note Sequence", default=True),
        "active": field("boolean", "Active", default=True),
        "sequence": field("integer", "Sequence", default=10),
    }
    if version == 13:
        fields["default_credit_account_id"] = field(
            "many2one", "Default Credit Account", "account.account"
        )
        fields["default_debit_account_id"] = field(
            "many2one", "Default Debit Account", "account.account"
        )
    else:
        fields["default_account_id"] = field("many2one", "Default Account", "account.account")
    return model("account.journal", fields, order="sequence, type, code")


def tax_group() -> ModelSpec:
    fields = {
        "name": field("char", "Name", required=True),
        "sequence": field("integer", "Sequence", default=10),
    }
    return model("account.tax.group", fields, order="sequence asc, id")


def tax(version: int) -> ModelSpec:
    fields = {
        "name": field("char", "Tax Name", required=True),
        "amount": field("float", "Amount", default=0),
        "amount_type": field(
            "selection",
            "Tax Computation",
            selection=("percent", "fixed", "group", "division"),
            default="percent",
        ),
        "type_tax_use": field(
            "selection", "Tax Type", selection=("sale", "purchase", "none"), default="sale"
        ),
        "price_include": field("boolean", "Included in Price", default=False),
        "include_base_amount": field("boolean", "Affect Base of Subsequent Taxes", default=False),
        "company_id": field("many2one", "Company", "res.company"),
        "active": field("boolean", "Active", default=True),
        "sequence": field("integer", "Sequence", default=1),
        "tax_group_id": field("many2one", "Tax Group", "account.tax.group"),
        "description": field("char", "Label on Invoices"),
    }
    if version >= 15:
        # the country whose tax it is (15 brought taxes of several countries to one company)
        fields["country_id"] = field("many2one", "Country", "res.country")
    if version >= 18:
        # 18 made price_include a computed field; the stored choice is price_include_override
        fields["price_include"] = field("boolean", "Included in Price", **COMPUTED)
        fields["price_include_override"] = field(
            "selection", "Included in Price", selection=("tax_included", "tax_excluded")
        )
    return model("account.tax", fields, order="sequence, id")
