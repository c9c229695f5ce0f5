"""The sandbox commands: ``wooodoo sandbox`` (serve the look-alikes) and ``wooodoo demo``."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click
import platformdirs

from wooodoo.cli_base import CliState, main, pass_state
from wooodoo.cli_sync import overall_exit, print_outcomes, run_tenants
from wooodoo.config import Config, TenantConfig
from wooodoo.engine import Progress, SyncOptions, TenantResult
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, UsageError
from wooodoo.sandbox import Sandbox, TaxRounding
from wooodoo.sandbox.faults import FaultPlan
from wooodoo.sandbox.odoo import VERSIONS
from wooodoo.wiring import open_tenant

ROUNDING: dict[str, TaxRounding] = {"per-line": "round_per_line", "global": "round_globally"}


def _sandbox_options(func: click.decorators.FC) -> click.decorators.FC:
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
            type=click.Choice([str(v) for v in VERSIONS]),
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
    faults: FaultPlan | None = None,
) -> Sandbox:
    return Sandbox(
        orders=orders,
        seed=seed,
        odoo_version=int(odoo_version),
        tax_rounding=ROUNDING[tax_rounding],
        directory=directory,
        woo_port=woo_port,
        odoo_port=odoo_port,
        woo_faults=faults,
        odoo_faults=faults,
    )


@main.command("sandbox")
@_sandbox_options
@click.option(
    "--woo-port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port of the WooCommerce look-alike (default: any free port).",
)
@click.option(
    "--odoo-port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port of the Odoo look-alike (default: any free port).",
)
@click.option(
    "--faults",
    type=click.FloatRange(0, 0.9),
    default=0.0,
    show_default=True,
    help="Share of requests (both servers) that fail transiently.",
)
@click.option(
    "--woo-faults",
    type=click.FloatRange(0, 0.9),
    default=None,
    help="Share for the WooCommerce look-alike only (overrides --faults).",
)
@click.option(
    "--odoo-faults",
    type=click.FloatRange(0, 0.9),
    default=None,
    help="Share for the Odoo look-alike only (overrides --faults).",
)
@click.option(
    "--config-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a ready config here, and FILE.env with the secrets.",
)
@pass_state
def sandbox_command(
    state: CliState,
    orders: int,
    seed: int,
    odoo_version: str,
    tax_rounding: str,
    woo_port: int,
    odoo_port: int,
    faults: float,
    woo_faults: float | None,
    odoo_faults: float | None,
    config_out: Path | None,
) -> None:
    """Run a local WooCommerce and Odoo look-alike until interrupted.

    WooCommerce is served over HTTPS with a certificate made for this run (its
    CA is written beside the config), Odoo over HTTP on 127.0.0.1. Faults can
    be changed while it runs: POST a JSON object such as {"rate_503": 0.2} to
    /__sandbox__/faults on either server; GET /__sandbox__/counts shows the
    requests counted per endpoint.

    \b
    Examples:
      wooodoo sandbox --orders 2000 --odoo-version 17 --config-out /tmp/sb/config.yaml
      . /tmp/sb/config.yaml.env && wooodoo --config /tmp/sb/config.yaml sync
    """
    directory = (
        config_out.parent
        if config_out
        else Path(platformdirs.user_state_dir("wooodoo")) / "sandbox"
    ).resolve()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    woo_share = faults if woo_faults is None else woo_faults
    odoo_share = faults if odoo_faults is None else odoo_faults
    box = _make_sandbox(
        orders,
        seed,
        odoo_version,
        tax_rounding,
        directory,
        woo_port=woo_port,
        odoo_port=odoo_port,
    )
    box.woo_faults.plan = FaultPlan.transient(woo_share)
    box.odoo_faults.plan = FaultPlan.transient(odoo_share)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with box:
            click.echo(f"WooCommerce {box.woo_url}/wp-json/wc/v3/ (HTTPS, CA {box.ca_path})")
            click.echo(f"Odoo {odoo_version}     {box.odoo_url} (database wooodoo)")
            click.echo(f"orders {orders}, seed {seed}, Odoo tax rounding {tax_rounding}")
            if config_out:
                cfg, env = box.write_config(config_out.resolve())
                click.echo(f"config  {cfg}")
                click.echo(f"secrets {env}   (load with: . {env})")
                click.echo(f"then:   wooodoo --config {cfg} sync")
            click.echo("Ctrl-C to stop.")
            while not stop.wait(0.5):
                pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    state.echo("sandbox stopped")


@main.command()
@_sandbox_options
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to keep the demo's config and audit file [default: ~/.local/state/wooodoo/demo].",
)
@click.pass_context
def demo(
    ctx: click.Context,
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
    parent: CliState = ctx.obj
    base = (directory or Path(platformdirs.user_state_dir("wooodoo")) / "demo").resolve()
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

        def job(config: Config, tenant: TenantConfig, progress: Progress) -> TenantResult:
            with open_tenant(config, tenant, progress=progress) as sides:
                return sides.engine.sync(SyncOptions())

        outcomes = run_tenants(state, state.tenants(()), job)
        print_outcomes(state, outcomes, title="wooodoo demo")
        woo_calls, odoo_calls = box.woo_requests(), box.odoo_requests()
    parent.echo(
        f"requests: {woo_calls} to WooCommerce, {odoo_calls} Odoo calls for {orders} orders"
    )
    failed = sum(o.result.stats["failed"] for o in outcomes if o.result is not None)
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
