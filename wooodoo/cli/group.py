"""The ``wooodoo`` group, the state its commands share, and the one place errors become messages.

Adding a command: define it with ``@click.command()`` in a command module, take the shared
state with ``@pass_state``, raise ``WooodooError`` subclasses freely, and add it to ``main`` in
the module's ``register``. ``WooodooGroup.invoke`` prints those errors (message, problems, hint)
and exits with their code.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from wooodoo import __version__
from wooodoo import config as config_mod
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import WooodooError

EXIT_INTERRUPTED = 130
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CliState:
    """What every command shares: the chosen config file, verbosity, and the loaded config."""

    def __init__(self, config_path: Path | None = None, verbosity: int = 0) -> None:
        self.config_path = config_path
        self.verbosity = verbosity  # -1 quiet, 0 normal, 1 -v, 2+ -vv
        self._config: Config | None = None

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def interactive(self) -> bool:
        """Rich tables and progress bars only on a terminal, and never when quiet."""
        return sys.stdout.isatty() and not self.quiet

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


def report_error(exc: WooodooError, *, about: str = "") -> None:
    """Message, problems and hint on stderr; ``about`` (a tenant) prefixes the message."""
    click.echo(f"error: {about + ': ' if about else ''}{exc.message}", err=True)
    for problem in exc.problems:
        click.echo(f"  - {problem}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


def _interrupted(ctx: click.Context) -> NoReturn:
    click.echo("interrupted", err=True)
    ctx.exit(EXIT_INTERRUPTED)


class CliLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler the CLI installed, so a later call replaces it instead of adding one."""


def configure_logging(verbosity: int) -> None:
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("wooodoo")
    for handler in list(logger.handlers):
        if isinstance(handler, CliLogHandler):
            logger.removeHandler(handler)
    handler = CliLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


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
    configure_logging(verbosity)
