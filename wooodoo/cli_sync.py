"""Commands that talk to the shops: sync, replay, ping, audit (registered on ``wooodoo.cli.main``).

Printing lives here: rich progress and tables on a terminal, one plain line per tenant otherwise.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from wooodoo.audit import AuditStore
from wooodoo.cli_base import CliState, main, pass_state
from wooodoo.config import Config, TenantConfig
from wooodoo.engine import SyncOptions, TenantResult
from wooodoo.errors import (
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_RECORDS_FAILED,
    EXIT_REMOTE,
    EXIT_USAGE,
    WooodooError,
)
from wooodoo.ping import PingResult, ping_tenant
from wooodoo.wiring import open_tenant

log = logging.getLogger(__name__)

# Which exit code wins when tenants end differently: what needs a person most.
SEVERITY = {EXIT_OK: 0, EXIT_LOCKED: 1, EXIT_RECORDS_FAILED: 2, EXIT_REMOTE: 3, EXIT_USAGE: 4}


def overall_exit(codes: Sequence[int]) -> int:
    return max(codes, key=lambda c: SEVERITY.get(c, 5), default=EXIT_OK)


def interactive(state: CliState) -> bool:
    return sys.stdout.isatty() and not state.quiet


@dataclass
class Outcome:
    tenant: str
    result: TenantResult | None
    error: WooodooError | None
    seconds: float

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        return self.result.exit_code if self.result else EXIT_OK


Job = Callable[[Config, TenantConfig, Callable[[str, int], None]], TenantResult]


def run_tenants(
    state: CliState, tenants: Sequence[TenantConfig], job: Job, *, parallel: int = 1
) -> list[Outcome]:
    """Run ``job`` for each tenant, one after another or ``parallel`` at once."""
    config = state.load_config()
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]{task.fields[tenant]}"),
        BarColumn(bar_width=None),
        TextColumn(
            "{task.fields[pages]} pages, {task.fields[orders]} orders,"
            " {task.fields[invoices]} invoices"
        ),
        TimeElapsedColumn(),
        console=console,
        disable=not interactive(state),
        transient=False,
    )

    def one(tenant: TenantConfig) -> Outcome:
        task: TaskID = progress.add_task(
            "", total=None, tenant=tenant.name, pages=0, orders=0, invoices=0
        )
        counts = {"pages": 0, "orders": 0, "invoices": 0}

        def on_progress(what: str, n: int) -> None:
            key = {"page": "pages"}.get(what, what)
            if key in counts:
                counts[key] += n
                progress.update(
                    task,
                    pages=counts["pages"],
                    orders=counts["orders"],
                    invoices=counts["invoices"],
                )

        started = time.monotonic()
        try:
            result = job(config, tenant, on_progress)
            outcome = Outcome(tenant.name, result, None, time.monotonic() - started)
        except WooodooError as exc:
            outcome = Outcome(tenant.name, None, exc, time.monotonic() - started)
        except Exception as exc:  # a bug in one tenant must not stop the others
            # Only the type is shown: an unexpected message could carry a URL with keys.
            log.debug("tenant %s stopped by an unexpected error", tenant.name, exc_info=True)
            internal = WooodooError(
                f"internal error ({type(exc).__name__}); nothing after the last committed page"
                " was recorded",
                hint="Run again with -vv for the traceback, and report it.",
            )
            outcome = Outcome(tenant.name, None, internal, time.monotonic() - started)
        progress.update(task, total=1, completed=1)
        return outcome

    with progress:
        if parallel > 1 and len(tenants) > 1:
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                return list(pool.map(one, tenants))
        return [one(t) for t in tenants]


def summary_line(outcome: Outcome) -> str:
    if outcome.error is not None:
        first = outcome.error.message.splitlines()[0]
        return f"{outcome.tenant}: error (exit {outcome.error.exit_code}): {first}"
    result = outcome.result
    assert result is not None
    stats = result.stats
    parts = [
        f"{stats['invoiced']} invoiced",
        f"{stats['partners_created']} partners created",
        f"{stats['failed']} failed",
    ]
    for extra in ("mismatch", "conflict", "tax_adjusted", "would_create", "partners_would_create"):
        if stats[extra]:
            parts.append(f"{stats[extra]} {extra.replace('_', ' ')}")
    status = "ok" if result.exit_code == EXIT_OK else "needs attention"
    return (
        f"{outcome.tenant}: {status}, {', '.join(parts)} "
        f"(run {result.run_id}, {outcome.seconds:.1f}s)"
    )


def print_outcomes(state: CliState, outcomes: Sequence[Outcome], *, title: str) -> None:
    failed = [o for o in outcomes if o.exit_code != EXIT_OK]
    if interactive(state):
        table = Table(title=title)
        for col in ("tenant", "invoiced", "partners", "failed", "attention", "time", "result"):
            table.add_column(col, justify="right" if col not in ("tenant", "result") else "left")
        for o in outcomes:
            if o.result is None:
                table.add_row(
                    o.tenant,
                    "-",
                    "-",
                    "-",
                    "-",
                    f"{o.seconds:.1f}s",
                    f"[red]{o.error.message.splitlines()[0] if o.error else ''}",
                )
                continue
            s = o.result.stats
            attention = s["mismatch"] + s["conflict"]
            result = "[green]ok" if o.exit_code == EXIT_OK else "[yellow]see wooodoo audit"
            table.add_row(
                o.tenant,
                str(s["invoiced"] or s["would_create"]),
                str(s["partners_created"]),
                str(s["failed"]),
                str(attention),
                f"{o.seconds:.1f}s",
                result,
            )
        Console().print(table)
        for o in outcomes:
            if o.error is not None:
                _report(o.error)
        return
    for o in outcomes:
        if state.quiet and o.exit_code == EXIT_OK:
            continue
        click.echo(summary_line(o), err=o.exit_code != EXIT_OK)
        if o.error is not None and not state.quiet:
            _report(o.error, first_line=False)
    if any(o.exit_code == EXIT_RECORDS_FAILED for o in failed) and not state.quiet:
        click.echo("details: wooodoo audit failures", err=True)


def _report(error: WooodooError, first_line: bool = True) -> None:
    lines = str(error).splitlines()
    for line in lines if first_line else lines[1:]:
        click.echo(f"  {line}", err=True)


def print_plans(outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.result is None:
            continue
        for plan in o.result.planned:
            click.echo(
                f"{o.tenant}: would create invoice for order {plan.values['ref']}"
                f" ({plan.key}): {plan.expected}, {len(plan.values['invoice_line_ids'])}"
                f" lines{', tax adjusted' if plan.needs_tax_adjustment else ''}"
            )


# ------------------------------------------------------------------------------ commands

tenant_option = click.option(
    "--tenant",
    "tenant_names",
    multiple=True,
    metavar="NAME",
    help="Only this tenant (repeat for several; default: all).",
)


@main.command()
@tenant_option
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="Read orders from this date (YYYY-MM-DD) instead of the saved cursor.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read both sides, print what would be created, write nothing to Odoo.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Re-read every order since sync.since (catches edits the shop did not date) and"
    " sweep every customer, not only new ones.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after this many orders (per tenant).",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Sync this many tenants at once.",
)
@pass_state
def sync(
    state: CliState,
    tenant_names: tuple[str, ...],
    since: datetime | None,
    dry_run: bool,
    full: bool,
    limit: int | None,
    parallel: int,
) -> None:
    """Turn new and changed WooCommerce orders into posted Odoo invoices.

    Each tenant runs under its own lock; a second run of the same tenant exits
    with 75. Exit code 1 means some records failed: see `wooodoo audit failures`
    and `wooodoo replay`.

    \b
    Examples:
      wooodoo sync                       # every tenant, from the saved cursor
      wooodoo sync --tenant acme -v      # one tenant, with detail
      wooodoo sync --dry-run --limit 20  # what would be created, nothing written
      wooodoo sync -q                    # for cron: silent unless something failed
      wooodoo sync --full -q             # nightly: re-read all orders, all customers
    """
    options = SyncOptions(
        since=since.date() if since else None, dry_run=dry_run, full=full, limit=limit
    )

    def job(
        config: Config, tenant: TenantConfig, progress: Callable[[str, int], None]
    ) -> TenantResult:
        with open_tenant(config, tenant, progress=progress) as sides:
            return sides.engine.sync(options)

    outcomes = run_tenants(state, state.tenants(tenant_names), job, parallel=parallel)
    if dry_run:
        print_plans(outcomes)
    print_outcomes(state, outcomes, title="wooodoo sync" + (" (dry run)" if dry_run else ""))
    raise SystemExit(overall_exit([o.exit_code for o in outcomes]))


@main.command()
@tenant_option
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY",
    help="Only this record, e.g. acme/order/123 (repeatable).",
)
@pass_state
def replay(state: CliState, tenant_names: tuple[str, ...], keys: tuple[str, ...]) -> None:
    """Retry the records that failed, after the cause has been fixed.

    Failed records are listed by `wooodoo audit failures`; they are read again
    from WooCommerce and go through the same checks as in a sync (nothing is
    created twice).

    \b
    Examples:
      wooodoo replay                          # every failed record of every tenant
      wooodoo replay --tenant acme --key acme/order/1042
    """

    def job(
        config: Config, tenant: TenantConfig, progress: Callable[[str, int], None]
    ) -> TenantResult:
        with open_tenant(config, tenant, progress=progress) as sides:
            return sides.engine.replay(list(keys) or None)

    outcomes = run_tenants(state, state.tenants(tenant_names), job)
    print_outcomes(state, outcomes, title="wooodoo replay")
    raise SystemExit(overall_exit([o.exit_code for o in outcomes]))


@main.command()
@tenant_option
@pass_state
def ping(state: CliState, tenant_names: tuple[str, ...]) -> None:
    """Reach both sides of each tenant, log in, and report versions and API.

    Also says how each side rounds tax (WooCommerce per line or at subtotal,
    Odoo per line or globally) and warns about a WooCommerce older than 5.8.
    Exit code 0 when every tenant answered, 3 otherwise.

    \b
    Examples:
      wooodoo ping
      wooodoo ping --tenant acme
    """
    results = [ping_tenant(t) for t in state.tenants(tenant_names)]
    if interactive(state):
        table = Table(title="wooodoo ping")
        for col in ("tenant", "WooCommerce", "shop tax", "Odoo", "API", "Odoo tax", "result"):
            table.add_column(col)
        for r in results:
            table.add_row(
                r.tenant,
                r.woo_version or "-",
                r.woo_tax_rounding or "?",
                r.odoo_version or "-",
                r.odoo_api or "-",
                r.odoo_tax_rounding or "?",
                "[green]ok" if r.ok else "[red]failed",
            )
        Console().print(table)
    else:
        for r in results:
            if not (state.quiet and r.ok):
                click.echo(_ping_line(r))
    for r in results:
        for warning in r.warnings:
            click.echo(f"warning: {r.tenant}: {warning}", err=True)
        for error in r.errors:
            click.echo(f"error: {r.tenant}: {error.message}", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
            if error.hint:
                click.echo(f"hint: {error.hint}", err=True)
    codes = [r.exit_code for r in results]
    raise SystemExit(overall_exit(codes))


def _ping_line(r: PingResult) -> str:
    woo = (
        f"WooCommerce {r.woo_version} (tax {r.woo_tax_rounding or 'rounding unknown'})"
        if r.woo_version
        else "WooCommerce not connected (see below)"
    )
    odoo = (
        f"Odoo {r.odoo_version} over {r.odoo_api} (tax {r.odoo_tax_rounding or '?'})"
        if r.odoo_version
        else "Odoo not connected (see below)"
    )
    return f"{r.tenant}: {'ok' if r.ok else 'failed'}: {woo}; {odoo}"


@main.group(invoke_without_command=True)
@tenant_option
@click.pass_context
def audit(ctx: click.Context, tenant_names: tuple[str, ...]) -> None:
    """Read the local audit trail (no network): runs, failures, one record's history.

    \b
    Examples:
      wooodoo audit                          # last runs and open failures
      wooodoo audit failures --tenant acme
      wooodoo audit show acme/order/1042
    """
    ctx.ensure_object(CliState)
    ctx.meta["tenant_names"] = tenant_names
    if ctx.invoked_subcommand is None:
        state: CliState = ctx.obj
        config = state.load_config()
        names = [t.name for t in state.tenants(tenant_names)]
        with AuditStore(config.audit_db) as store:
            click.echo(f"audit store: {config.audit_db}")
            for name in names:
                for row in store.runs(name, limit=5):
                    click.echo(
                        f"{name}: run {row['id']} {row['command']} {row['started_at']}"
                        f" {row['status']} {row['stats']}"
                    )
                open_failures = store.failures(name)
                click.echo(f"{name}: {len(open_failures)} open failure(s)")


@audit.command("failures")
@tenant_option
@pass_state
def audit_failures(state: CliState, tenant_names: tuple[str, ...]) -> None:
    """List records whose last attempt failed, with the reason.

    \b
    Example:
      wooodoo audit failures --tenant acme
    """
    config = state.load_config()
    names = {t.name for t in state.tenants(tenant_names)}
    with AuditStore(config.audit_db) as store:
        rows = [f for f in store.failures() if f.tenant in names]
    for f in rows:
        click.echo(f"{f.key}\tattempts {f.attempts}\t{f.last_at}\t{f.reason.splitlines()[0]}")
        for extra in f.reason.splitlines()[1:]:
            click.echo(f"\t{extra.strip()}")
    if not rows:
        state.echo("no open failures")


@audit.command("show")
@click.argument("key")
@pass_state
def audit_show(state: CliState, key: str) -> None:
    """Show one record's journey: every event and its current link.

    \b
    Example:
      wooodoo audit show acme/order/1042
    """
    tenant = key.split("/", 1)[0]
    config = state.load_config()
    with AuditStore(config.audit_db) as store:
        link = store.links(tenant, [key]).get(key)
        events = store.events(tenant, key)
    if link:
        click.echo(
            f"{key} -> {link.odoo_model} {link.odoo_id} {link.odoo_name or ''}"
            f" [{link.state}] {link.amounts or ''}"
        )
    else:
        click.echo(f"{key}: not linked to any Odoo record")
    for e in reversed(events):
        target = ""
        if e["odoo_id"]:
            target = f" {e['odoo_model']} {e['odoo_id']}" + (
                f" {e['odoo_name']}" if e["odoo_name"] else ""
            )
        reason = f": {e['error']}" if e["error"] else ""
        click.echo(f"  {e['at']} run {e['run_id']} {e['action']}{target}{reason}")
