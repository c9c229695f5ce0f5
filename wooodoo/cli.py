"""Command line: parse, wire, print, exit code. ``main`` is the console entry point.

The group and its shared state live in ``cli_base``; this module holds ``init`` and
``secrets`` and imports the other command modules, which registers their commands.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

import click

from wooodoo import config as config_mod
from wooodoo import secrets as secrets_mod
from wooodoo.cli_base import (
    CONTEXT_SETTINGS,
    CliState,
    WooodooGroup,
    _CliLogHandler,
    main,
    pass_state,
    report_error,
)
from wooodoo.errors import ConfigError, SecretError, UsageError
from wooodoo.secrets import REQUIRED_SECRETS, SECRET_NAMES, SecretName

__all__ = [
    "CliState",
    "WooodooGroup",
    "_CliLogHandler",
    "main",
    "pass_state",
    "report_error",
]


# --- init ---------------------------------------------------------------------------------


def starter_config() -> str:
    return resources.files("wooodoo").joinpath("config.example.yaml").read_text("utf-8")


def write_private_file(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` readable only by the owner (0600); refuse to replace unless told to."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if overwrite else path
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists", hint="Pass --force to overwrite it, or --path elsewhere."
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # the umask could only have removed bits; be exact
            file.write(text)
        if target != path:
            os.replace(target, path)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


@main.command()
@click.option(
    "--path",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write [default: --config, WOOODOO_CONFIG, or the per-user location].",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_state
def init(state: CliState, target: Path | None, force: bool) -> None:
    """Write a commented starter configuration (mode 0600).

    Every key is explained in the file. It refuses to replace an existing
    file unless --force is given.

    \b
    Examples:
      wooodoo init
      wooodoo init --path ./shops.yaml --force
    """
    path = config_mod.locate_config(target or state.config_path)
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


# --- secrets ------------------------------------------------------------------------------

_tenant_option = click.option(
    "--tenant", "-t", required=True, metavar="TENANT", help="Tenant name from the config file."
)
_name_argument = click.argument("name", type=click.Choice(SECRET_NAMES), metavar="SECRET")


def _valid_tenant_name(tenant: str) -> None:
    if not config_mod.TENANT_NAME_RE.fullmatch(tenant):
        raise UsageError(f"invalid tenant name {tenant!r}: use only a-z, 0-9, '_' and '-'")


def _warn_env_override(state: CliState, tenant: str, name: str) -> None:
    env_var = secrets_mod.env_var_name(tenant, name)
    if env_var in os.environ:
        state.warn(f"{env_var} is set in the environment and overrides the keyring")


@main.group("secrets", context_settings=CONTEXT_SETTINGS)
def secrets_group() -> None:
    """Store, remove and check API keys in the OS keyring.

    Secrets: woo_consumer_key, woo_consumer_secret, odoo_api_key (all
    required) and webhook_secret (only for webhooks). An environment variable
    WOOODOO_<TENANT>_<SECRET>, e.g. WOOODOO_ACME_ODOO_API_KEY, overrides the
    keyring. Values are never printed.

    \b
    Examples:
      wooodoo secrets set --tenant acme woo_consumer_key
      wooodoo secrets check
    """


@secrets_group.command("set")
@_tenant_option
@_name_argument
@click.option(
    "--stdin", "from_stdin", is_flag=True, help="Read the value from standard input (scripts)."
)
@pass_state
def secrets_set(state: CliState, tenant: str, name: SecretName, from_stdin: bool) -> None:
    """Store one secret of a tenant in the OS keyring.

    SECRET is woo_consumer_key, woo_consumer_secret, odoo_api_key or
    webhook_secret. Without --stdin it asks twice, without echoing. With --stdin it reads one
    line (a trailing newline is dropped).

    \b
    Examples:
      wooodoo secrets set --tenant acme woo_consumer_key
      printf '%s' "$ODOO_KEY" | wooodoo secrets set --tenant acme odoo_api_key --stdin
    """
    _valid_tenant_name(tenant)
    try:
        state.tenants([tenant])
    except ConfigError as exc:
        state.warn(f"tenant {tenant!r} not checked against the configuration: {exc.message}")
    if from_stdin:
        value = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    else:
        value = click.prompt(
            f"{name} for tenant {tenant}", hide_input=True, confirmation_prompt=True
        )
    for warning in secrets_mod.value_warnings(name, value):
        state.warn(warning)
    backend = secrets_mod.set_secret(tenant, name, value)
    state.echo(f"stored {name} for tenant {tenant!r} in the keyring ({backend})")
    _warn_env_override(state, tenant, name)


@secrets_group.command("delete")
@_tenant_option
@_name_argument
@pass_state
def secrets_delete(state: CliState, tenant: str, name: SecretName) -> None:
    """Remove one secret of a tenant from the OS keyring.

    SECRET is one of the names `wooodoo secrets set` takes. Removing a
    secret that is not stored is not an error.

    \b
    Example:
      wooodoo secrets delete --tenant acme webhook_secret
    """
    _valid_tenant_name(tenant)
    if secrets_mod.delete_secret(tenant, name):
        state.echo(f"deleted {name} of tenant {tenant!r} from the keyring")
    else:
        state.echo(f"no {name} of tenant {tenant!r} in the keyring; nothing to delete")
    _warn_env_override(state, tenant, name)


@secrets_group.command("check")
@click.option(
    "--tenant", "-t", "tenants", multiple=True, metavar="TENANT", help="Only these (repeatable)."
)
@pass_state
def secrets_check(state: CliState, tenants: tuple[str, ...]) -> None:
    """Show which secrets each tenant has and where they come from.

    Lists env (environment variable) or keyring per secret, never a value.
    Exits 2 when a required secret is missing.

    \b
    Examples:
      wooodoo secrets check
      wooodoo -q secrets check --tenant acme && echo ready
    """
    selected = state.tenants(tenants)
    state.echo(f"keyring: {secrets_mod.backend_name()}")
    problems: list[str] = []
    keyring_unusable = False
    env_vars: list[str] = []
    for tenant in selected:
        state.echo(f"tenant {tenant.name}:")
        for name in SECRET_NAMES:
            found = secrets_mod.lookup_secret(tenant.name, name)
            if found.secret is not None:
                where = "keyring" if found.source == "keyring" else f"env {found.env_var}"
                status = f"ok        from {where}"
            elif name not in REQUIRED_SECRETS:
                status = "missing   (optional: only webhooks need it)"
            else:
                reason = "keyring unusable" if found.keyring_unusable else found.problem
                status = "MISSING" + (f"   ({reason})" if reason else "")
                error = secrets_mod.missing_secrets_error(tenant.name, [found])
                problems.extend(f"tenant {tenant.name!r}: {p}" for p in error.problems)
                keyring_unusable = keyring_unusable or found.keyring_unusable
                env_vars.append(found.env_var)
            state.echo(f"  {name:<20} {status}")
    if problems:
        raise SecretError(
            "required secrets are missing",
            problems=problems,
            hint=secrets_mod.keyring_fix_hint(env_vars) if keyring_unusable else None,
        )


# The commands that talk to the shops live beside this module; importing registers them.
from wooodoo import cli_sandbox, cli_sync  # noqa: E402, F401  (registers their commands)
