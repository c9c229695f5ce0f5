"""``wooodoo secrets``: stores, removes and checks API keys in the OS keyring; never prints one."""

from __future__ import annotations

import os
import sys

import click

from wooodoo import config as config_mod
from wooodoo import secrets as secrets_mod
from wooodoo.cli.group import CliState, pass_state
from wooodoo.errors import ConfigError, SecretError, UsageError
from wooodoo.secrets import REQUIRED_SECRETS, SECRET_NAMES, SecretName

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


@click.group("secrets")
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

    SECRET is woo_consumer_key, woo_consumer_secret, odoo_api_key or
    webhook_secret. Removing a secret that is not stored is not an error.

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


def register(group: click.Group) -> None:
    group.add_command(secrets_group)
