"""Command line: parse, wire, print, exit code; the one place errors become messages.

Adding a command: decorate a function with ``@main.command()`` (or a group's ``.command()``),
take the shared state with ``@pass_state`` and raise ``WooodooError`` subclasses freely:
``WooodooGroup.invoke`` prints them (message, problems, hint) and exits with their code.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import click

from wooodoo import __version__
from wooodoo import config as config_mod
from wooodoo import secrets as secrets_mod
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import ConfigError, SecretError, UsageError, WooodooError
from wooodoo.secrets import REQUIRED_SECRETS, SECRET_NAMES, SecretName

EXIT_INTERRUPTED = 130
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CliState:
    """What every command shares: the chosen config file, verbosity, and the loaded config."""

    def __init__(self, config_path: Path | None, verbosity: int) -> None:
        self.config_path = config_path
        self.verbosity = verbosity  # -1 quiet, 0 normal, 1 -v, 2+ -vv
        self._config: Config | None = None

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    def load_config(self) -> Config:
        if self._config is None:
            self._config = config_mod.load_config(self.config_path)
        return self._config

    def tenants(self, names: Sequence[str]) -> list[TenantConfig]:
        return config_mod.select_tenants(self.load_config(), names)

    def echo(self, message: str = "") -> None:
        if not self.quiet:
            click.echo(message)

    def warn(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)


pass_state = click.make_pass_decorator(CliState)


def report_error(exc: WooodooError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for problem in exc.problems:
        click.echo(f"  - {problem}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


def _interrupted(ctx: click.Context) -> NoReturn:
    click.echo("interrupted", err=True)
    ctx.exit(EXIT_INTERRUPTED)


class WooodooGroup(click.Group):
    """Runs every (sub)command inside one error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WooodooError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _interrupted(ctx)
        except click.Abort as exc:
            # click turns Ctrl-C at a prompt into Abort; keep the conventional 130 for it.
            if isinstance(exc.__context__, KeyboardInterrupt):
                _interrupted(ctx)
            raise


class _CliLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so repeated invocations replace it."""


def _setup_logging(verbosity: int) -> None:
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("wooodoo")
    for handler in list(logger.handlers):
        if isinstance(handler, _CliLogHandler):
            logger.removeHandler(handler)
    handler = _CliLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


@click.group("wooodoo", cls=WooodooGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=config_mod.CONFIG_ENV_VAR,
    help="Configuration file [env WOOODOO_CONFIG; default ~/.config/wooodoo/config.yaml].",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (for cron).")
@click.version_option(__version__, "--version", prog_name="wooodoo")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Sync WooCommerce orders and customers into Odoo invoices and partners.

    Exit codes: 0 ok, 1 some records failed, 2 usage or configuration error,
    3 a remote side unreachable or refusing the credentials, 75 another run
    holds the tenant's lock.

    \b
    Examples:
      wooodoo init
      wooodoo secrets set --tenant acme odoo_api_key
      wooodoo --config /etc/wooodoo/shops.yaml secrets check
    """
    if verbose and quiet:
        raise click.UsageError("-v and -q cannot be combined")
    verbosity = -1 if quiet else verbose
    ctx.obj = CliState(config_path, verbosity)
    _setup_logging(verbosity)


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
from wooodoo import cli_sandbox, cli_sync  # noqa: E402, F401
