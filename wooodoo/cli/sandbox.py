"""``wooodoo sandbox`` (serve the look-alikes) and ``wooodoo demo`` (sync a generated shop).

The sandbox, werkzeug and trustme are imported inside the commands: a cron ``wooodoo sync``
never loads them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click
import platformdirs
from click.decorators import FC

from wooodoo.cli.group import CliState, pass_state
from wooodoo.cli.tenants import overall_exit, print_outcomes, run_tenants, sync_job
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, UsageError
from wooodoo.sync import Stat, SyncOptions

if TYPE_CHECKING:
    from wooodoo.sandbox import Sandbox, TaxRounding, WorkModel
    from wooodoo.sandbox.faults import FaultPlan

ROUNDING: dict[str, TaxRounding] = {"per-line": "round_per_line", "global": "round_globally"}
# The Odoo versions the sandbox imitates, as ``wooodoo.sandbox.odoo.VERSIONS`` lists them (a test
# keeps the two equal): reading them from there would load the sandbox for every command.
ODOO_VERSIONS = ("13", "14", "15", "16", "17", "18", "19")


def _sandbox_options(func: FC) -> FC:
    options = [
        click.option(
            "--orders",
            type=click.IntRange(0, 200_000),
            default=300,
            show_default=True,
            help="How many orders the generated shop has.",
        ),
        click.option(
            "--seed",
            type=int,
            default=1,
            show_default=True,
            help="Seed of the generated data (same seed, same shop).",
        ),
        click.option(
            "--odoo-version",
            type=click.Choice(ODOO_VERSIONS),
            default="19",
            show_default=True,
            help="Odoo version to imitate (19 speaks JSON-2, older XML-RPC).",
        ),
        click.option(
            "--tax-rounding",
            type=click.Choice(sorted(ROUNDING)),
            default="per-line",
            show_default=True,
            help="The Odoo company's tax rounding method.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _make_sandbox(
    orders: int,
    seed: int,
    odoo_version: str,
    tax_rounding: str,
    directory: Path,
    *,
    woo_port: int = 0,
    odoo_port: int = 0,
    woo_faults: FaultPlan | None = None,
    odoo_faults: FaultPlan | None = None,
    odoo_work: WorkModel | None = None,
    latency_ms: float = 0.0,
) -> Sandbox:
    from wooodoo.sandbox import Sandbox

    return Sandbox(
        orders=orders,
        seed=seed,
        odoo_version=int(odoo_version),
        tax_rounding=ROUNDING[tax_rounding],
        directory=directory,
        woo_port=woo_port,
        odoo_port=odoo_port,
        woo_faults=woo_faults,
        odoo_faults=odoo_faults,
        odoo_work=odoo_work,
        latency_ms=latency_ms,
    )


def _port_option(side: str, name: str) -> Callable[[FC], FC]:
    return click.option(
        f"--{side}-port",
        type=click.IntRange(0, 65535),
        default=0,
        help=f"Port of the {name} look-alike (default: any free port).",
    )


def _faults_option(side: str, name: str) -> Callable[[FC], FC]:
    return click.option(
        f"--{side}-faults",
        type=click.FloatRange(0, 0.9),
        default=None,
        help=f"Share for the {name} look-alike only (overrides --faults).",
    )


def _up_to(name: str, most: float, help: str) -> Callable[[FC], FC]:
    """A number from 0 (the default) to ``most``."""
    return click.option(
        name, type=click.FloatRange(0, most), default=0.0, show_default=True, help=help
    )


@click.command("sandbox")
@_sandbox_options
@click.option(
    "--config-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a ready config here, and FILE.env with the secrets.",
)
@_port_option("woo", "WooCommerce")
@_port_option("odoo", "Odoo")
@_up_to("--faults", 0.9, "Share of requests (both servers) that fail transiently.")
@_faults_option("woo", "WooCommerce")
@_faults_option("odoo", "Odoo")
@_up_to(
    "--commit-delay",
    600,
    "Seconds Odoo works on each create before it commits, even if the client has gone.",
)
@_up_to("--commit-per-invoice", 60, "More seconds per invoice created (a real Odoo: about 0.1).")
@_up_to(
    "--latency-ms",
    10_000,
    "Network round trip added to every request of both servers, before it is answered.",
)
@pass_state
def sandbox_command(
    state: CliState,
    orders: int,
    seed: int,
    odoo_version: str,
    tax_rounding: str,
    config_out: Path | None,
    woo_port: int,
    odoo_port: int,
    faults: float,
    woo_faults: float | None,
    odoo_faults: float | None,
    commit_delay: float,
    commit_per_invoice: float,
    latency_ms: float,
) -> None:
    """Run a local WooCommerce and Odoo look-alike until interrupted.

    WooCommerce is served over HTTPS with a certificate made for this run (its
    CA is written beside the config), Odoo over HTTP on 127.0.0.1. Faults can
    be changed while it runs: POST a JSON object such as {"rate_503": 0.2} to
    /__sandbox__/faults on either server; GET /__sandbox__/counts shows the
    requests counted per endpoint. Like a real Odoo, its Odoo can work on each
    create and commit it after the client has gone (--commit-*, /__sandbox__/work).
    --latency-ms holds every request for one round trip, as a shop far from
    its Odoo would see (change it with POST {"ms": 100} to /__sandbox__/latency).

    \b
    Examples:
      wooodoo sandbox --orders 2000 --odoo-version 17 --config-out /tmp/sb/config.yaml
      wooodoo sandbox --commit-delay 2 --commit-per-invoice 0.1 --config-out /tmp/sb/config.yaml
      wooodoo sandbox --latency-ms 100 --config-out /tmp/sb/config.yaml
      . /tmp/sb/config.yaml.env && wooodoo --config /tmp/sb/config.yaml sync
    """
    directory = config_out.parent.resolve() if config_out else _state_dir("sandbox")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    from wooodoo.sandbox import WorkModel
    from wooodoo.sandbox.faults import FaultPlan

    box = _make_sandbox(
        orders,
        seed,
        odoo_version,
        tax_rounding,
        directory,
        woo_port=woo_port,
        odoo_port=odoo_port,
        woo_faults=FaultPlan.transient(faults if woo_faults is None else woo_faults),
        odoo_faults=FaultPlan.transient(faults if odoo_faults is None else odoo_faults),
        odoo_work=WorkModel(per_call=commit_delay, per_move=commit_per_invoice),
        latency_ms=latency_ms,
    )
    with _stop_on_signal() as stop, box:
        click.echo(f"WooCommerce {box.woo_url}/wp-json/wc/v3/ (HTTPS, CA {box.ca_path})")
        click.echo(f"Odoo {odoo_version}     {box.odoo_url} (database wooodoo)")
        click.echo(f"orders {orders}, seed {seed}, Odoo tax rounding {tax_rounding}")
        _write_config(box, config_out, latency_ms)
        while not stop.wait(0.5):
            pass
    state.echo("sandbox stopped")


def _write_config(box: Sandbox, config_out: Path | None, latency_ms: float) -> None:
    """The latency, the sandbox's config and secrets file (when asked), how to use them."""
    if latency_ms:
        click.echo(f"latency {latency_ms:g} ms per request (both servers)")
    if config_out:
        cfg, env = box.write_config(config_out.resolve())
        click.echo(f"config  {cfg}")
        click.echo(f"secrets {env}   (load with: . {env})")
        click.echo(f"then:   wooodoo --config {cfg} sync")
    click.echo("Ctrl-C to stop.")


def _state_dir(name: str) -> Path:
    return (Path(platformdirs.user_state_dir("wooodoo")) / name).resolve()


@contextmanager
def _stop_on_signal() -> Iterator[threading.Event]:
    """SIGINT and SIGTERM set the event instead of stopping the process, as long as this lasts."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@click.command()
@_sandbox_options
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to keep the demo's config and audit file [default: ~/.local/state/wooodoo/demo].",
)
@pass_state
def demo(
    parent: CliState,
    orders: int,
    seed: int,
    odoo_version: str,
    tax_rounding: str,
    directory: Path | None,
) -> None:
    """Sync a generated shop into a local Odoo look-alike, end to end.

    Starts the sandbox in this process, writes a config for it, runs the real
    sync (the same code as `wooodoo sync`), prints the summary and where the
    audit file is. The generated shop has a few orders in a currency the demo
    Odoo keeps inactive: they fail on purpose and show how failures are kept.

    \b
    Examples:
      wooodoo demo
      wooodoo demo --orders 2000 --odoo-version 17 --tax-rounding global
    """
    base = directory.resolve() if directory else _state_dir("demo")
    run_dir = base / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _make_sandbox(orders, seed, odoo_version, tax_rounding, run_dir) as box:
        config_path, _ = box.write_config(run_dir / "config.yaml")
        os.environ.update(box.secret_env())  # this process only: the demo's own secrets
        state = CliState(config_path, parent.verbosity)
        parent.echo(
            f"sandbox: {orders} orders, WooCommerce {box.woo_url}, "
            f"Odoo {odoo_version} {box.odoo_url}"
        )

        outcomes = run_tenants(state, state.tenants(()), sync_job(SyncOptions()))
        print_outcomes(state, outcomes, title="wooodoo demo")
        woo_calls, odoo_calls = box.woo_requests(), box.odoo_requests()
    parent.echo(
        f"requests: {woo_calls} to WooCommerce, {odoo_calls} Odoo calls for {orders} orders"
    )
    failed = sum(o.result.stats[Stat.FAILED] for o in outcomes if o.result is not None)
    if failed:
        parent.echo(
            f"the {failed} failed order(s) are on purpose: the generated shop sells a little in"
            " yen, a currency the demo Odoo keeps inactive"
        )
    parent.echo(f"audit trail: {state.load_config().audit_db}")
    parent.echo(f"look at it:  wooodoo --config {config_path} audit failures")
    code = overall_exit([o.exit_code for o in outcomes])
    if code not in (EXIT_OK, EXIT_RECORDS_FAILED):
        raise SystemExit(code)
    if not outcomes or outcomes[0].result is None:
        raise UsageError("the demo sync did not run")


def register(group: click.Group) -> None:
    group.add_command(sandbox_command)
    group.add_command(demo)
