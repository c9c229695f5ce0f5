"""``wooodoo init``, guided: asks what it cannot know (or takes it from flags), stores the keys
in the keyring, reads both sides, proposes the tax mapping, journal and accounts, and adds the
tenant to the config file keeping its comments and other tenants."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from wooodoo.cli.group import CliState
from wooodoo.config import TenantConfig
from wooodoo.config.edit import with_tenant, write_private_file
from wooodoo.errors import SecretError, UsageError
from wooodoo.http import RetryPolicy
from wooodoo.ping import ping_tenant
from wooodoo.ping.discover import Discovery, discover
from wooodoo.ping.propose import ROLES, propose_accounts, propose_journal, propose_taxes
from wooodoo.secrets import (
    REQUIRED_SECRETS,
    Secret,
    TenantSecrets,
    env_var_name,
    set_secret,
)


@dataclass
class Answers:
    """What the flags said; the rest is asked at a terminal or left to the proposals."""

    tenant: str | None = None
    store_url: str | None = None
    woo_auth: str = "basic"
    woo_ca_bundle: Path | None = None
    odoo_url: str | None = None
    odoo_database: str | None = None
    odoo_login: str | None = None
    since: dt.date | None = None
    journal: str | None = None
    accounts: dict[str, str] = field(default_factory=dict)
    taxes: dict[str, str] = field(default_factory=dict)
    yes: bool = False  # take every proposal without asking


class Asker:
    """One question: the flag's value, else the terminal's answer, else the default."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.missing: list[str] = []

    def __call__(self, given: Any, text: str, flag: str, default: Any = None) -> Any:
        if given is not None:
            return given
        if self.interactive:
            return click.prompt(text, default=default, show_default=default not in (None, ""))
        if default is None:
            self.missing.append(flag)
        return default

    def check(self) -> None:
        if self.missing:
            raise UsageError(
                "not at a terminal, and these were not given: " + ", ".join(self.missing),
                hint="Run `wooodoo init` at a terminal, or pass every one of them.",
            )


def guided_init(state: CliState, path: Path, answers: Answers, *, replace: bool) -> None:
    ask = Asker(sys.stdin.isatty())
    tenant = _connection(ask, answers)
    ask.check()
    text = path.read_text("utf-8") if path.exists() else None
    _, config = with_tenant(text, path, answers.tenant or "", tenant, replace=replace)
    draft = config.tenants[answers.tenant or ""]
    secrets = _store_keys(state, draft.name, ask.interactive)
    state.echo(f"connecting to {draft.woocommerce.url} and {draft.odoo.url} ...")
    found = discover(draft, secrets, RetryPolicy(attempts=3, total_seconds=30))
    state.echo(
        f"WooCommerce {found.woo_version} ({found.store_currency or 'currency unknown'}),"
        f" Odoo {found.odoo_version} over {found.odoo_api}: both sides answer"
    )
    tenant["sync"].update(_proposals(state, ask, answers, found))
    rendered, config = with_tenant(text, path, draft.name, tenant, replace=replace)
    write_private_file(path, rendered, overwrite=True)
    state.echo(f"wrote tenant {draft.name!r} to {path} (its comments and other tenants kept)")
    _final_ping(state, config.tenants[draft.name])


def _connection(ask: Asker, a: Answers) -> dict[str, Any]:
    a.tenant = ask(a.tenant, "Tenant name (lower case, digits, _ and -)", "--tenant", "shop")
    url = ask(a.store_url, "Store URL (where WordPress lives)", "--store-url")
    odoo_url = ask(a.odoo_url, "Odoo URL", "--odoo-url")
    database = ask(a.odoo_database, "Odoo database (empty: from the URL)", "--odoo-database", "")
    login = ask(a.odoo_login, "Odoo login (the API key's user)", "--odoo-login")
    since = ask(a.since, "Sync orders from (YYYY-MM-DD)", "--since", _today())
    woo: dict[str, Any] = {"url": url, "auth": a.woo_auth}
    if a.woo_ca_bundle is not None:
        woo["ca_bundle"] = str(a.woo_ca_bundle.resolve())
    odoo: dict[str, Any] = {"url": odoo_url, "login": login}
    if database:
        odoo["database"] = database
    since_text = since.isoformat() if isinstance(since, dt.date) else str(since)
    # accounts are proposed once Odoo has been read; the loader needs one to check the rest
    sync: dict[str, Any] = {"since": since_text, "accounts": {"products": "0"}}
    return {"woocommerce": woo, "odoo": odoo, "sync": sync}


def _today() -> str:
    return dt.datetime.now().astimezone().date().isoformat()


def _store_keys(state: CliState, tenant: str, interactive: bool) -> TenantSecrets:
    """Each key from its environment variable or asked (hidden), then kept in the keyring."""
    values: dict[str, Secret] = {}
    for name in REQUIRED_SECRETS:
        var = env_var_name(tenant, name)
        value = os.environ.get(var, "").strip()
        if not value and interactive:
            value = click.prompt(f"{name} (hidden)", hide_input=True).strip()
        if not value:
            raise UsageError(
                f"{name} of tenant {tenant!r} was not given",
                hint=f"Set {var}, or run `wooodoo init` at a terminal to type it.",
            )
        try:
            backend = set_secret(tenant, name, value)
            state.echo(f"stored {name} in the keyring ({backend})")
        except SecretError:
            if not os.environ.get(var):
                raise
            state.warn(f"{name}: the keyring cannot be used here; {var} stays the source")
        values[name] = Secret(value)
    return TenantSecrets(tenant, values, dict.fromkeys(values, "keyring"))


def _proposals(state: CliState, ask: Asker, a: Answers, found: Discovery) -> dict[str, Any]:
    """The journal, accounts and tax mapping: proposed, shown, confirmed or corrected."""
    confirm = Asker(ask.interactive and not a.yes)
    journal = propose_journal(found.journals)
    accounts = propose_accounts(found.accounts)
    mapping, left = propose_taxes(found.rates, found.taxes)
    state.echo("tax mapping (store rate -> Odoo sale tax of the same rate and country):")
    rates = {str(r.id): r for r in found.rates}
    for key, tax in mapping.items():
        state.echo(f"  {rates[key].describe()} -> {tax}")
    for rate in left:
        state.echo(f"  {rate.describe()} -> no single fitting Odoo tax: map it in sync.taxes")
    if confirm.interactive and not click.confirm("Use this mapping?", default=True):
        for key in list(rates):
            answer = click.prompt(
                f"Odoo tax for rate {rates[key].describe()} (empty: none)",
                default=mapping.get(key, ""),
                show_default=bool(mapping.get(key)),
            )
            mapping.pop(key, None)
            if answer.strip():
                mapping[key] = answer.strip()
    mapping.update(a.taxes)
    code = confirm(a.journal, "Sales journal (code)", "--journal", journal.code if journal else "")
    chosen = {
        role: confirm(
            a.accounts.get(role),
            f"Income account for {role}",
            f"--account-{role}",
            accounts.get(role),
        )
        for role in ROLES
    }
    confirm.check()
    sync: dict[str, Any] = {"accounts": {r: c for r, c in chosen.items() if c}}
    if code:
        sync["journal"] = code
    sync["taxes"] = {int(k) if k.isdigit() else k: v for k, v in mapping.items()}
    return sync


def _final_ping(state: CliState, config: TenantConfig) -> None:
    result = ping_tenant(config)
    tenant = config.name
    for warning in result.warnings:
        state.warn(f"{tenant}: {warning}")
    for error in result.errors:
        state.warn(f"{tenant}: {error.message}")
    verdict = "every check passes" if result.ok else "fix the warnings above, then run it again"
    state.echo(f"ping: {verdict} (again: `wooodoo ping --tenant {tenant}`)")
    state.echo(f"next: wooodoo sync --tenant {tenant} --dry-run --limit 20")


def parse_taxes(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        rate, sep, tax = value.partition("=")
        if not sep or not rate.strip() or not tax.strip():
            raise UsageError(f"--tax {value!r}: expected RATE=TAX, e.g. --tax '1=19% DE'")
        out[rate.strip()] = tax.strip()
    return out


def parse_accounts(pairs: Mapping[str, str | None]) -> dict[str, str]:
    return {role: code for role, code in pairs.items() if code}
