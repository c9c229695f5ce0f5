"""The starting data of the look-alike database, built from the shared sandbox catalog.

Ids follow a real database loosely (partner 1 is the company, 2 OdooBot, 3 the admin; countries
and currencies keep ids with gaps) so that nothing relies on small consecutive ids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wooodoo.sandbox import catalog
from wooodoo.sandbox.odoo.orm import Database
from wooodoo.sandbox.odoo.schema_payments import seed_payments

COUNTRIES: dict[str, tuple[int, str]] = {
    "AT": (13, "Austria"),
    "BE": (20, "Belgium"),
    "CH": (43, "Switzerland"),
    "DE": (57, "Germany"),
    "FR": (75, "France"),
    "GB": (231, "United Kingdom"),
    "NL": (165, "Netherlands"),
    "US": (233, "United States"),
    "IT": (109, "Italy"),
    "ES": (68, "Spain"),
}
STATES: dict[tuple[str, str], tuple[int, str]] = {
    ("US", "CA"): (13, "California"),
    ("US", "NY"): (40, "New York"),
    ("US", "TX"): (52, "Texas"),
    ("DE", "BY"): (77, "Bayern"),
    ("DE", "BE"): (78, "Berlin"),
    ("DE", "HH"): (81, "Hamburg"),
}
CURRENCIES: dict[str, tuple[int, str, str, str]] = {  # code -> id, symbol, position, rounding
    "EUR": (1, "€", "after", "0.01"),
    "USD": (2, "$", "before", "0.01"),
    "CHF": (5, "CHF", "after", "0.01"),
    "JPY": (25, "¥", "before", "1"),
    "GBP": (147, "£", "before", "0.01"),
}
PRODUCTS = (
    ("H-1", "Hoodie", "39.90"),
    ("M-1", "Mug", "7.50"),
    ("T-1", "T-Shirt", "19.99"),
    ("C-1", "Cap", "14.00"),
)
ACCOUNT_TYPES = {  # the account.account.type records of 13-15: id -> name, type, group
    13: ("Income", "other", "income"),
    1: ("Receivable", "receivable", "asset"),
    9: ("Current Liabilities", "other", "liability"),
}
# which of those stands for each 16+ account_type of the catalog's accounts
ACCOUNT_TYPE_IDS = {"income": 13, "asset_receivable": 1, "liability_current": 9}


def seed(db: Database, login: str, rounding_method: str) -> None:
    """Fill an empty database with the company, reference data, taxes and accounts."""
    put = _Putter(db)
    _countries_and_currencies(put)
    _company(db, put, login, rounding_method)
    account_ids = _accounts(db, put)
    _journals(db, put, income=account_ids[catalog.ACCOUNT_ROLES["products"]])
    _seed_taxes(db, put)
    seed_payments(db.version, put)
    for index, (code, name, price) in enumerate(PRODUCTS):
        put(
            "product.product",
            5 + index * 3,
            name=name,
            default_code=code,
            list_price=Decimal(price),
        )
    db.store.sequences["account.move"] = 2
    db.store.sequences["account.move.line"] = 6


def _countries_and_currencies(put: _Putter) -> None:
    for code, (cid, name) in COUNTRIES.items():
        put("res.country", cid, name=name, code=code)
    for (country, code), (sid, name) in STATES.items():
        put("res.country.state", sid, name=name, code=code, country_id=COUNTRIES[country][0])
    for code, (cid, symbol, position, rounding) in CURRENCIES.items():
        put(
            "res.currency",
            cid,
            name=code,
            symbol=symbol,
            position=position,
            rounding=Decimal(rounding),
            active=catalog.CURRENCIES.get(code, False),
        )


def _company(db: Database, put: _Putter, login: str, rounding_method: str) -> None:
    """The company, its partner, OdooBot and the user the sync logs in as."""
    put(
        "res.partner",
        1,
        name="Sandbox Company",
        is_company=True,
        email="info@sandbox.test",
        country_id=COUNTRIES["DE"][0],
        company_id=1,
    )
    put("res.partner", 2, name="OdooBot", email="odoobot@example.com", active=False)
    put("res.partner", 3, name="Sync User", email=login)
    put(
        "res.company",
        1,
        name="Sandbox Company",
        currency_id=CURRENCIES[catalog.STORE_CURRENCY][0],
        country_id=COUNTRIES["DE"][0],
        partner_id=1,
        tax_calculation_rounding_method=rounding_method,
    )
    db.store.sequences["res.partner"] = 6


def _accounts(db: Database, put: _Putter) -> dict[str, int]:
    """The catalog's accounts (and on 13-15 their account types); their ids by code."""
    if db.version <= 15:
        for tid, (name, kind, group) in ACCOUNT_TYPES.items():
            put("account.account.type", tid, name=name, type=kind, internal_group=group)
    account_ids: dict[str, int] = {}
    for index, (code, (name, kind)) in enumerate(sorted(catalog.ACCOUNTS.items())):
        aid = 21 + index * 2
        account_ids[code] = aid
        extra: dict[str, Any] = (
            {"account_type": kind} if db.version >= 16 else {"user_type_id": ACCOUNT_TYPE_IDS[kind]}
        )
        put(
            "account.account",
            aid,
            code=code,
            name=name,
            reconcile=kind == "asset_receivable",
            **extra,
        )
    return account_ids


def _journals(db: Database, put: _Putter, income: int) -> None:
    sale_name = "Sales" if db.version >= 19 else "Customer Invoices"
    defaults = (
        {"default_credit_account_id": income, "default_debit_account_id": income}
        if db.version == 13
        else {"default_account_id": income}
    )
    put(
        "account.journal",
        1,
        name=sale_name,
        code=catalog.SALE_JOURNAL,
        type="sale",
        company_id=1,
        refund_sequence=True,
        sequence=5,
        **defaults,
    )
    put(
        "account.journal",
        2,
        name="Vendor Bills",
        code="BILL",
        type="purchase",
        company_id=1,
        sequence=6,
    )
    put(
        "account.journal",
        3,
        name="Miscellaneous Operations",
        code="MISC",
        type="general",
        company_id=1,
        sequence=9,
        refund_sequence=False,
    )


def _seed_taxes(db: Database, put: _Putter) -> None:
    groups: dict[Decimal, int] = {}
    rates = sorted({r.rate for r in catalog.TAX_RATES} | {Decimal(0)}, reverse=True)
    for index, rate in enumerate(rates):
        groups[rate] = index + 1
        put("account.tax.group", index + 1, name=f"Tax {rate.normalize():f}%", sequence=index)
    tax_id = 1
    for tax_rate in catalog.TAX_RATES:
        for name, included in ((tax_rate.odoo_tax, False), (tax_rate.odoo_tax_included, True)):
            vals = _tax_vals(db, name, tax_rate.rate, included, groups, tax_rate.country)
            put("account.tax", tax_id, **vals)
            tax_id += 1
    put("account.tax", 40, **_tax_vals(db, catalog.EXPORT_TAX, Decimal(0), False, groups, "DE"))


def _tax_vals(
    db: Database,
    name: str,
    rate: Decimal,
    included: bool,
    groups: dict[Decimal, int],
    country: str,
) -> dict[str, Any]:
    vals: dict[str, Any] = {
        "name": name,
        "amount": rate,
        "amount_type": "percent",
        "type_tax_use": "sale",
        "company_id": 1,
        "active": True,
        "sequence": 1,
        "tax_group_id": groups[rate],
        "description": name,
    }
    if db.version >= 15:
        vals["country_id"] = COUNTRIES[country][0]
    if db.version >= 18:
        vals["price_include_override"] = "tax_included" if included else False
    else:
        vals["price_include"] = included
    return vals


class _Putter:
    """Insert rows with given ids, defaults filled, and keep each model's id sequence past them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, model: str, rid: int, **vals: Any) -> None:
        spec = self.db.schema[model]
        row = spec.stored_defaults()
        stamp = self.db.now()
        row.update(vals)
        row.update({"id": rid, "create_date": stamp, "write_date": stamp})
        for name, field in spec.fields.items():
            if field.type in ("float", "monetary") and name in row:
                row[name] = Decimal(str(row[name]))
        self.db.store.insert(model, rid, row)
        seq = self.db.store.sequences
        seq[model] = max(seq.get(model, 0), rid)
