"""The tenant's reference data read from Odoo, one read per model; every mismatch with the
config reported at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wooodoo.errors import ConfigError
from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.transport import decimal_of
from wooodoo.sync.mapping import Currency, OdooTax, Reference, TaxRounding
from wooodoo.sync.ports import ReferenceSpec


@dataclass(frozen=True)
class LoadedReference:
    """The Reference, and what the adapter keeps for its own later calls."""

    reference: Reference
    tax_groups: Mapping[int, int | None]  # every sale tax's group, by tax id
    company_currency: int | None


def read_reference(api: OdooApi, spec: ReferenceSpec) -> LoadedReference:
    """Read every model once, in this order; ConfigError listing each mismatch with the config."""
    currencies = read_currencies(api)
    sale_taxes = read_sale_taxes(api)
    taxes, tax_problems = pick_taxes(spec.taxes, sale_taxes)
    accounts, account_problems = read_accounts(api, spec.accounts)
    journal_id, journal_problems = read_journal(api, spec.journal)
    countries = read_countries(api)
    states = read_states(api, countries)
    rounding, company_currency = read_company(api)
    problems = [*tax_problems, *account_problems, *journal_problems]
    if problems:
        raise ConfigError(
            f"tenant {spec.tenant!r}: the config does not match Odoo",
            problems=problems,
            hint="Fix the names in the config or create them in Odoo.",
        )
    reference = Reference(
        tenant=spec.tenant,
        currencies=currencies,
        taxes=taxes,
        accounts=accounts,
        countries=countries,
        states=states,
        journal_id=journal_id,
        move_type_field=api.fields.move_type,
        price_unit_rounded=api.fields.price_unit_rounded,
        tax_rounding=rounding,
        use_products=spec.use_products,
        sale_taxes=tuple(_last_by_name(sale_taxes).values()),
    )
    return LoadedReference(
        reference, {tax.id: tax.group_id for tax in sale_taxes}, company_currency
    )


def read_currencies(api: OdooApi) -> dict[str, Currency]:
    """Every currency, active or not, by its code."""
    rows = api.call(
        "res.currency",
        "search_read",
        domain=[],
        fields=["name", "active", "decimal_places"],
        context={"active_test": False},
    )
    return {
        r["name"]: Currency(
            r["id"], r["name"], _decimals(r.get("decimal_places")), bool(r["active"])
        )
        for r in rows
    }


def _decimals(value: object) -> int:
    """0 is a currency without cents (JPY); only a missing value means the usual 2."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 2


def read_sale_taxes(api: OdooApi) -> list[OdooTax]:
    """Every percent sale tax, as Odoo lists them (one name may stand for several)."""
    rows = api.call(
        "account.tax",
        "search_read",
        domain=[("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")],
        # ``price_include`` is readable on every version (computed from
        # ``price_include_override`` on 18+, whose value is a selection, not a flag)
        fields=["name", "amount", "price_include", "tax_group_id"],
    )
    return [
        OdooTax(
            r["id"],
            r["name"],
            decimal_of(r["amount"]),
            bool(r.get("price_include")),
            _first_id(r.get("tax_group_id")),
        )
        for r in rows
    ]


def pick_taxes(
    wanted: Mapping[str, str], sale_taxes: Sequence[OdooTax]
) -> tuple[dict[str, OdooTax], list[str]]:
    """The tax of each Woo rate (``sync.taxes``), and the problems with the names."""
    count = Counter(tax.name for tax in sale_taxes)
    by_name = _last_by_name(sale_taxes)
    taxes: dict[str, OdooTax] = {}
    problems: list[str] = []
    for woo_rate, tax_name in wanted.items():
        if count[tax_name] > 1:
            # several companies (or a copy) with the same name: never guess which one
            problems.append(
                f"sync.taxes.{woo_rate}: {count[tax_name]} sale taxes are"
                f" named {tax_name!r} in Odoo; rename them so one name is one tax"
            )
            continue
        tax = by_name.get(tax_name)
        if tax is None:
            problems.append(f"sync.taxes.{woo_rate}: no active sale tax named {tax_name!r} in Odoo")
        elif tax.price_include:
            problems.append(
                f"sync.taxes.{woo_rate}: Odoo tax {tax_name!r} includes the"
                " price; map to a tax that excludes it"
            )
        else:
            taxes[woo_rate] = tax
    return taxes, problems


def read_accounts(api: OdooApi, wanted: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """The account id of each role (``sync.accounts``), and the problems with the codes."""
    codes = sorted(set(wanted.values()))
    rows = api.call(
        "account.account", "search_read", domain=[("code", "in", codes)], fields=["code"]
    )
    account_ids = {r["code"]: r["id"] for r in rows}
    shared = sorted(code for code, n in Counter(r["code"] for r in rows).items() if n > 1)
    problems = [
        f"sync.accounts: several Odoo accounts have the code {code!r}"
        " (one per company?): wooodoo cannot tell which to use"
        for code in shared
    ]
    for code in shared:
        account_ids.pop(code, None)
    accounts: dict[str, int] = {}
    for role, code in wanted.items():
        if code in account_ids:
            accounts[role] = account_ids[code]
        elif code not in shared:
            problems.append(f"sync.accounts.{role}: no account with code {code!r} in Odoo")
    return accounts, problems


def read_journal(api: OdooApi, code: str | None) -> tuple[int | None, list[str]]:
    """The sales journal named in ``sync.journal``; no read when none is named."""
    if not code:
        return None, []
    journals = api.call(
        "account.journal",
        "search_read",
        domain=[("code", "=", code), ("type", "=", "sale")],
        fields=["code"],
        limit=1,
    )
    if journals:
        return journals[0]["id"], []
    return None, [f"sync.journal: no sales journal with code {code!r}"]


def read_countries(api: OdooApi) -> dict[str, int]:
    rows = api.call("res.country", "search_read", domain=[], fields=["code"])
    return {r["code"]: r["id"] for r in rows if r.get("code")}


def read_states(api: OdooApi, countries: Mapping[str, int]) -> dict[tuple[str, str], int]:
    """States by (country code, state code), the state code upper-cased as Woo sends it."""
    code_by_country = {v: k for k, v in countries.items()}
    states: dict[tuple[str, str], int] = {}
    for r in api.call("res.country.state", "search_read", domain=[], fields=["code", "country_id"]):
        country = _first_id(r.get("country_id"))
        if country is not None and country in code_by_country:
            states[(code_by_country[country], str(r["code"]).upper())] = r["id"]
    return states


def read_company(api: OdooApi) -> tuple[TaxRounding, int | None]:
    """The company's tax rounding method and its currency's id."""
    rows = api.call(
        "res.company",
        "search_read",
        domain=[],
        fields=["tax_calculation_rounding_method", "currency_id"],
        limit=1,
    )
    currency = _first_id(rows[0].get("currency_id")) if rows else None
    method = rows[0].get("tax_calculation_rounding_method") if rows else None
    return ("round_globally" if method == "round_globally" else "round_per_line"), currency


def _last_by_name(taxes: Sequence[OdooTax]) -> dict[str, OdooTax]:
    # one name given to several taxes keeps the last (a name the config uses is refused then)
    return {tax.name: tax for tax in taxes}


def _first_id(value: object) -> int | None:
    """The id of a many2one value as Odoo reads it (``[id, name]``, or False when empty)."""
    return value[0] if isinstance(value, list) and value else None
