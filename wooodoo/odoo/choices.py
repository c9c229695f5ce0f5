"""What Odoo offers a tenant's config, read for ``ping`` and ``init``: sale taxes with their
country, journals, accounts with their state, and the API user's access rights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.transport import decimal_of

ALL = {"active_test": False}  # archived records too: "archived" is worth saying
# the first version whose taxes name their country (taxes of several countries per company)
TAX_COUNTRY_SINCE = 15


@dataclass(frozen=True)
class TaxChoice:
    id: int
    name: str
    amount: Decimal
    price_include: bool
    active: bool
    country: str | None  # None: the version does not say


@dataclass(frozen=True)
class JournalChoice:
    id: int
    code: str
    name: str
    type: str
    active: bool


@dataclass(frozen=True)
class AccountChoice:
    id: int
    code: str
    name: str
    active: bool
    income: bool


def access_allowed(api: OdooApi, model: str, operation: str) -> bool:
    """Whether the API user may ``operation`` records of ``model`` (model-level rights).

    ``check_access_rights`` is deprecated from 18 on, where ``has_access`` on an empty
    recordset asks the same; 13-17 know only the former.
    """
    if api.version.major >= 18:
        return bool(api.call(model, "has_access", ids=[], operation=operation))
    return bool(api.call(model, "check_access_rights", operation=operation, raise_exception=False))


def read_sale_tax_choices(api: OdooApi) -> list[TaxChoice]:
    """Every percent sale tax, archived ones included, with its country where Odoo has one."""
    with_country = api.version.major >= TAX_COUNTRY_SINCE
    fields = ["name", "amount", "price_include", "active"]
    rows = api.call(
        "account.tax",
        "search_read",
        domain=[("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")],
        fields=[*fields, "country_id"] if with_country else fields,
        context=ALL,
    )
    countries = _country_codes(api, rows) if with_country else {}
    return [
        TaxChoice(
            r["id"],
            r["name"],
            decimal_of(r["amount"]),
            bool(r.get("price_include")),
            bool(r.get("active", True)),
            countries.get(_first_id(r.get("country_id")) or 0) if with_country else None,
        )
        for r in rows
    ]


def _country_codes(api: OdooApi, rows: Sequence[dict[str, Any]]) -> dict[int, str]:
    ids = sorted({cid for r in rows if (cid := _first_id(r.get("country_id")))})
    if not ids:
        return {}
    found = api.call("res.country", "search_read", domain=[("id", "in", ids)], fields=["code"])
    return {r["id"]: r["code"] for r in found if r.get("code")}


def read_journals(api: OdooApi, code: str | None = None) -> list[JournalChoice]:
    """Journals with this code (any type), or every sales journal; archived ones too."""
    domain = [("code", "=", code)] if code else [("type", "=", "sale")]
    rows = api.call(
        "account.journal",
        "search_read",
        domain=domain,
        fields=["code", "name", "type", "active"],
        context=ALL,
    )
    return [
        JournalChoice(r["id"], r["code"], r["name"], r["type"], bool(r.get("active", True)))
        for r in rows
    ]


def read_account_choices(api: OdooApi, codes: Sequence[str] | None = None) -> list[AccountChoice]:
    """Accounts with these codes, or every account; whether each is usable and for income.

    Versions differ: ``deprecated`` or ``active`` says whether an account is usable,
    ``account_type`` (16+) or the type's ``internal_group`` (13-15) whether it is income.
    """
    known = api.call("account.account", "fields_get", attributes=["type"])
    usable = "active" if "active" in known else "deprecated"
    kind = "account_type" if "account_type" in known else "internal_group"
    domain = [("code", "in", list(codes))] if codes is not None else []
    rows = api.call(
        "account.account",
        "search_read",
        domain=domain,
        fields=["code", "name", usable, kind],
        context=ALL,
    )
    return [
        AccountChoice(
            r["id"],
            str(r["code"]),
            str(r.get("name") or ""),
            bool(r.get("active")) if usable == "active" else not r.get("deprecated"),
            r.get(kind) in ("income", "income_other"),
        )
        for r in rows
    ]


def read_currency_states(api: OdooApi, codes: Sequence[str]) -> dict[str, list[bool]]:
    """Each code's currencies in Odoo by whether each is active (two with one code: two)."""
    rows = api.call(
        "res.currency",
        "search_read",
        domain=[("name", "in", list(codes))],
        fields=["name", "active"],
        context=ALL,
    )
    states: dict[str, list[bool]] = {code: [] for code in codes}
    for r in rows:
        states.setdefault(r["name"], []).append(bool(r["active"]))
    return states


def _first_id(value: object) -> int | None:
    return value[0] if isinstance(value, list) and value else None
