"""``wooodoo init``: a tenant added step by step (guided), or a commented starter file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import click

from wooodoo import config as config_mod
from wooodoo.cli.group import CliState, pass_state
from wooodoo.cli.init_guided import Answers, guided_init, parse_taxes
from wooodoo.config.edit import write_private_file
from wooodoo.secrets import REQUIRED_SECRETS

F = TypeVar("F", bound=Callable[..., Any])
GUIDED_FLAGS = ("tenant", "store_url", "odoo_url", "odoo_login", "yes")


def starter_config() -> str:
    return resources.files("wooodoo").joinpath("config.example.yaml").read_text("utf-8")


def _options(command: F) -> F:
    """The guided questions' flags: with them, init runs without a terminal."""
    text = click.Path(dir_okay=False, path_type=Path)
    flags: list[tuple[str, dict[str, Any]]] = [
        ("--tenant", {"help": "Tenant name [asked; default shop]."}),
        ("--store-url", {"help": "WooCommerce store root (no /wp-json)."}),
        (
            "--woo-auth",
            {
                "type": click.Choice(["basic", "query", "oauth1"]),
                "default": "basic",
                "show_default": True,
                "help": "How the store takes the keys.",
            },
        ),
        ("--woo-ca-bundle", {"type": text, "help": "Trust this CA (a self-signed store)."}),
        ("--odoo-url", {"help": "Odoo URL."}),
        ("--odoo-database", {"help": "Odoo database [asked; empty: from the URL]."}),
        ("--odoo-login", {"help": "The Odoo user the API key belongs to."}),
        (
            "--since",
            {
                "type": click.DateTime(formats=["%Y-%m-%d"]),
                "help": "First order date to sync [asked; default today].",
            },
        ),
        ("--journal", {"help": "Sales journal code [proposed]."}),
        *(
            (f"--account-{role}", {"help": f"Income account code for {role} [proposed]."})
            for role in ("products", "shipping", "fees", "refunds")
        ),
        (
            "--tax",
            {
                "multiple": True,
                "metavar": "RATE=TAX",
                "help": "Map a store tax rate id to an Odoo tax (repeatable; wins over"
                " the proposal).",
            },
        ),
        ("--yes", {"is_flag": True, "help": "Take every proposal without asking."}),
    ]
    for decl, kwargs in reversed(flags):
        command = click.option(decl, **kwargs)(command)
    return command


@click.command()
@click.option(
    "--path",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file [default: --config, WOOODOO_CONFIG, or the per-user location].",
)
@click.option("--force", is_flag=True, help="Replace the file (--starter) or the tenant.")
@click.option("--starter", is_flag=True, help="Write the commented starter file instead.")
@_options
@pass_state
def init(
    state: CliState, /, target: Path | None, force: bool, starter: bool, **flags: object
) -> None:
    """Add a tenant to the config, guided: ask, store the keys, read both sides, propose.

    At a terminal it asks for the store URL, the Odoo URL, database and login
    and the API keys (hidden; kept in the OS keyring, or taken from
    WOOODOO_<TENANT>_<SECRET> when set). It logs in to both sides, reads the
    store's tax rates and Odoo's sale taxes and proposes a mapping (same rate,
    same country), the sales journal and the income accounts, then adds the
    tenant to the config file, keeping its comments and other tenants, and
    runs `wooodoo ping` on it. Every question has a flag, so it runs
    unattended too (keys from the environment).

    Without a terminal and without flags it writes the commented starter
    file, as --starter does (mode 0600; refused over an existing file unless
    --force).

    \b
    Examples:
      wooodoo init
      wooodoo init --tenant acme --yes   # the rest asked, or from flags
      wooodoo init --starter --path ./shops.yaml
    """
    path = config_mod.locate_config(target or state.config_path)
    given = any(flags.get(name) for name in GUIDED_FLAGS)
    if starter or not (given or sys.stdin.isatty()):
        _write_starter(state, path, force)
        return
    since = flags.get("since")
    answers = Answers(
        tenant=_text(flags.get("tenant")),
        store_url=_text(flags.get("store_url")),
        woo_auth=str(flags.get("woo_auth") or "basic"),
        woo_ca_bundle=flags.get("woo_ca_bundle"),  # type: ignore[arg-type]
        odoo_url=_text(flags.get("odoo_url")),
        odoo_database=_text(flags.get("odoo_database")),
        odoo_login=_text(flags.get("odoo_login")),
        since=since.date() if isinstance(since, datetime) else None,
        journal=_text(flags.get("journal")),
        accounts={
            role: code
            for role in ("products", "shipping", "fees", "refunds")
            if (code := _text(flags.get(f"account_{role}")))
        },
        taxes=parse_taxes(tuple(flags.get("tax") or ())),  # type: ignore[arg-type]
        yes=bool(flags.get("yes")),
    )
    guided_init(state, path, answers, replace=force)


def _text(value: object) -> str | None:
    return str(value) if value else None


def _write_starter(state: CliState, path: Path, force: bool) -> None:
    write_private_file(path, starter_config(), overwrite=force)
    again = "" if path == config_mod.locate_config(None) else f"--config {path} "
    state.echo(f"wrote a starter configuration to {path} (readable only by you)")
    state.echo("next steps:")
    state.echo("  1. edit it: store and Odoo URLs, Odoo login, accounts, tax mapping")
    state.echo("  2. store the API keys in the keyring (tenant 'acme' in the starter file):")
    for name in REQUIRED_SECRETS:
        state.echo(f"       wooodoo {again}secrets set --tenant acme {name}")
    state.echo(f"  3. wooodoo {again}secrets check")
    state.echo(f"  4. wooodoo {again}ping")


def register(group: click.Group) -> None:
    group.add_command(init)
