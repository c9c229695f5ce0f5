"""The ``wooodoo`` group, the state its commands share, and the one place errors become messages.

Adding a command: define it with ``@click.command()`` in a command module, take the shared
state with ``@pass_state``, raise ``WooodooError`` subclasses freely, and add it to ``main`` in
the module's ``register``. ``WooodooGroup.invoke`` prints those errors (message, problems, hint)
and exits with their code. ``--config``, ``-v`` and ``-q`` are accepted before the command and
after it: ``add_command`` gives them to every command it adds, and to its subcommands.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from wooodoo import __version__
from wooodoo import config as config_mod
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import WooodooError
from wooodoo.logs import ContextFilter, LogFormat, formatter

EXIT_INTERRUPTED = 130
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
CONFLICTING_VERBOSITY = "-v and -q cannot be combined"
CONFIG_HELP = "Configuration file [env WOOODOO_CONFIG; default ~/.config/wooodoo/config.yaml]."


class CliState:
    """What every command shares: the chosen config file, verbosity, and the loaded config."""

    def __init__(self, config_path: Path | None = None, verbosity: int = 0) -> None:
        self.config_path = config_path
        self.verbosity = verbosity  # -1 quiet, 0 normal, 1 -v, 2+ -vv
        self.log_format: LogFormat = "text"
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

tenant_option = click.option(
    "--tenant",
    "tenant_names",
    multiple=True,
    metavar="NAME",
    help="Only this tenant (repeat for several; default: all).",
)


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


def configure_logging(verbosity: int, log_format: LogFormat = "text") -> None:
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("wooodoo")
    for handler in list(logger.handlers):
        if isinstance(handler, CliLogHandler):
            logger.removeHandler(handler)
    handler = CliLogHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter(log_format))
    logger.addHandler(handler)
    logger.setLevel(level)


# --- the options every command takes ----------------------------------------------------------
# Their callbacks write into the shared state. A subcommand's options are parsed after the
# group's callback ran, so they reconfigure logging themselves.


def _more_verbose(ctx: click.Context, param: click.Parameter, count: int) -> None:
    if count:
        state = ctx.ensure_object(CliState)
        if state.quiet:
            raise click.UsageError(CONFLICTING_VERBOSITY, ctx)
        state.verbosity += count
        configure_logging(state.verbosity, state.log_format)


def _quiet(ctx: click.Context, param: click.Parameter, quiet: bool) -> None:
    if quiet:
        state = ctx.ensure_object(CliState)
        if state.verbosity > 0:
            raise click.UsageError(CONFLICTING_VERBOSITY, ctx)
        state.verbosity = -1
        configure_logging(state.verbosity, state.log_format)


def _log_format(ctx: click.Context, param: click.Parameter, log_format: str | None) -> None:
    if log_format:
        state = ctx.ensure_object(CliState)
        state.log_format = "json" if log_format == "json" else "text"
        configure_logging(state.verbosity, state.log_format)


def _config_path(ctx: click.Context, param: click.Parameter, path: Path | None) -> None:
    if path is not None:
        ctx.ensure_object(CliState).config_path = path


def _state_option(
    declarations: list[str],
    callback: Callable[[click.Context, click.Parameter, Any], None],
    **kwargs: Any,
) -> click.Option:
    """An option whose ``callback`` writes it into the shared state: commands never see it."""
    return click.Option(declarations, expose_value=False, callback=callback, **kwargs)


def shared_options(*, envvar: str | None = None) -> list[click.Option]:
    """``--config``, ``-v``, ``-q``; only the group reads the environment variable, once."""
    path = click.Path(dir_okay=False, path_type=Path)
    return [
        _state_option(
            ["--config", "config_path"], _config_path, type=path, envvar=envvar, help=CONFIG_HELP
        ),
        _state_option(
            ["-v", "--verbose"],
            _more_verbose,
            count=True,
            help="More detail on stderr (-vv: debug).",
        ),
        _state_option(
            ["-q", "--quiet"], _quiet, is_flag=True, help="Print only errors (for cron)."
        ),
        _state_option(
            ["--log-format"],
            _log_format,
            type=click.Choice(["text", "json"]),
            help="Log lines on stderr as text, or one JSON object per line with tenant and"
            " run id (for log shippers).",
        ),
    ]


def _share_options(command: click.Command) -> None:
    names = {param.name for param in command.params}
    command.params.extend(o for o in shared_options() if o.name not in names)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _share_options(sub)


# Each command's module, imported only when the command is run (or help lists them all): a
# cron ``wooodoo sync`` does not load the audit reports, the setup wizard or the sandbox.
COMMAND_MODULES = {
    "init": "wooodoo.cli.init",
    "secrets": "wooodoo.cli.secrets",
    "sync": "wooodoo.cli.sync",
    "replay": "wooodoo.cli.replay",
    "ping": "wooodoo.cli.ping",
    "audit": "wooodoo.cli.audit",
    "webhook": "wooodoo.cli.webhook",
    "sandbox": "wooodoo.cli.sandbox",
    "demo": "wooodoo.cli.sandbox",
}


class WooodooGroup(click.Group):
    """Runs every (sub)command inside one error boundary; every command takes the shared options.

    Commands are loaded on first use from ``COMMAND_MODULES``; each module's ``register`` adds
    its commands to the group.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _share_options(cmd)
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name]).register(self)
        return super().get_command(ctx, cmd_name)

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


@click.group(
    "wooodoo",
    cls=WooodooGroup,
    context_settings=CONTEXT_SETTINGS,
    params=shared_options(envvar=config_mod.CONFIG_ENV_VAR),
)
@click.version_option(__version__, "--version", prog_name="wooodoo")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Sync WooCommerce orders and customers into Odoo invoices and partners.

    Exit codes: 0 ok, 1 some records failed, 2 usage or configuration error,
    3 a remote side unreachable or refusing the credentials, 74 the audit
    file cannot be written (disk full, read-only), 75 another run holds the
    tenant's lock.

    \b
    Examples:
      wooodoo init
      wooodoo secrets set --tenant acme odoo_api_key
      wooodoo --config /etc/wooodoo/shops.yaml secrets check
    """
    state = ctx.ensure_object(CliState)
    configure_logging(state.verbosity, state.log_format)


# Python's cyclic collector runs after every 700 net new containers by default. A sync decodes
# pages of JSON into many small objects that live for a page and make no cycles: at 5,000
# orders the collector ran 650 times and took a quarter of the run's CPU (2.0 s of 6.6 s).
# After 10,000 it runs a dozen times (0.15 s) and the peak memory is the same.
GC_YOUNG_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Collect cycles less often, and never scan what was loaded to start (``gc.freeze``).
    For the ``wooodoo`` process only (``run``): tests invoke ``main`` in their own process."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def run() -> None:
    """The console entry point: ``main`` in a process of its own, which it then ends."""
    tune_garbage_collector()
    try:
        main()
    except SystemExit as stop:
        end_process(stop.code)


def end_process(code: object) -> NoReturn:
    """Exit with ``code`` as ``sys.exit`` would, but without the interpreter's teardown.

    By now every command has closed what it opened (the audit store's commits are in its
    write-ahead log, which the next open reads). What is left is Python freeing each object
    and module one by one: about 0.1 s after a 1,000-order sync, paid by every cron run. The
    logs and the terminal are flushed first. While another thread that is not a daemon still
    runs, the normal exit waits for it as usual."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message goes to stderr, the status is 1
        print(code, file=sys.stderr)
        status = 1
    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        sys.exit(status)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (``| head``)
            stream.flush()
    os._exit(status)
