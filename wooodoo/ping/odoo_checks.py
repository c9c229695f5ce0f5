"""What ``ping`` checks in Odoo: the API user's rights, and that the journal, accounts, taxes
and currency the config names exist, are unique and active. Each problem names its fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from wooodoo.config import Accounts, TenantConfig
from wooodoo.odoo.choices import (
    TaxChoice,
    access_allowed,
    read_account_choices,
    read_currency_states,
    read_journals,
)
from wooodoo.odoo.protocol import OdooApi

RIGHTS = (
    ("res.partner", "partners", ("read", "create", "write")),
    ("account.move", "invoices", ("read", "create", "write")),
)


def rights_problems(api: OdooApi, login: str) -> list[str]:
    """One problem per model the API user may not fully use."""
    problems: list[str] = []
    for model, what, operations in RIGHTS:
        refused = [op for op in operations if not access_allowed(api, model, op)]
        if refused:
            problems.append(
                f"Odoo user {login!r} may not {' or '.join(refused)} {what} ({model}): give it"
                " the Invoicing / Accounting 'Billing' rights (Settings → Users) or log in"
                " as a user who has them (odoo.login)"
            )
    return problems


def journal_problems(api: OdooApi, code: str | None) -> list[str]:
    if not code:
        return []
    found = read_journals(api, code)
    if not found:
        sales = ", ".join(j.code for j in read_journals(api) if j.active) or "none"
        return [f"sync.journal: no journal with code {code!r} in Odoo (sales journals: {sales})"]
    if len(found) > 1:
        return [
            f"sync.journal: {len(found)} journals have the code {code!r} (one per company?):"
            " give one another code in Odoo"
        ]
    journal = found[0]
    if journal.type != "sale":
        return [f"sync.journal: {code!r} is a {journal.type} journal: name a sales journal"]
    if not journal.active:
        return [f"sync.journal: journal {code!r} is archived in Odoo: unarchive it or name another"]
    return []


def account_problems(api: OdooApi, accounts: Accounts) -> list[str]:
    wanted = {role: getattr(accounts, role) for role in ("products", "shipping", "fees", "refunds")}
    found = read_account_choices(api, sorted(set(wanted.values())))
    by_code = Counter(a.code for a in found)
    problems: list[str] = []
    for role, code in wanted.items():
        where = f"sync.accounts.{role}"
        if by_code[code] == 0:
            problems.append(f"{where}: no account with code {code!r} in Odoo")
        elif by_code[code] > 1:
            problems.append(
                f"{where}: {by_code[code]} Odoo accounts have the code {code!r}"
                " (one per company?): wooodoo cannot tell which to use"
            )
        elif not next(a for a in found if a.code == code).active:
            problems.append(
                f"{where}: account {code!r} is deprecated or archived in Odoo: restore it"
                " or name another"
            )
    return problems


def tax_problems(mapping: Mapping[str, str], taxes: Sequence[TaxChoice]) -> list[str]:
    problems: list[str] = []
    for key, name in mapping.items():
        named = [t for t in taxes if t.name == name]
        active = [t for t in named if t.active]
        where = f"sync.taxes.{key}"
        if not named:
            problems.append(f"{where}: no sale tax named {name!r} in Odoo")
        elif not active:
            problems.append(f"{where}: Odoo tax {name!r} is archived: unarchive it")
        elif len(active) > 1:
            problems.append(
                f"{where}: {len(active)} active sale taxes are named {name!r} in Odoo;"
                " rename them so one name is one tax"
            )
        elif active[0].price_include:
            problems.append(
                f"{where}: Odoo tax {name!r} includes the price; map to a tax that excludes it"
            )
    return problems


def currency_problems(api: OdooApi, currency: str | None) -> list[str]:
    if not currency:
        return []
    states = read_currency_states(api, [currency])[currency]
    if not states:
        return [f"the store sells in {currency}, which Odoo does not know: add it in Odoo"]
    if len(states) > 1:
        return [f"Odoo has {len(states)} currencies named {currency}: keep one"]
    if not states[0]:
        return [
            f"the store sells in {currency}, which is not active in Odoo: activate it"
            " (Accounting → Configuration → Currencies)"
        ]
    return []


def config_problems(
    api: OdooApi, tenant: TenantConfig, taxes: Sequence[TaxChoice] | None, currency: str | None
) -> list[str]:
    """Every problem with what the config names in Odoo, and with the store's currency;
    ``taxes`` None: Odoo's taxes could not be read, the mapping is not checked."""
    sync = tenant.sync
    return [
        *journal_problems(api, sync.journal),
        *account_problems(api, sync.accounts),
        *(tax_problems(sync.taxes, taxes) if taxes is not None else []),
        *currency_problems(api, currency),
    ]
