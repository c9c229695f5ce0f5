"""Runs a job for each selected tenant and prints the outcomes: what every shop command shares.

On a terminal: rich progress while running, then a table. Otherwise one plain line per tenant,
which is what cron mails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import click

from wooodoo.cli.group import CliState
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import (
    EXIT_AUDIT,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_RECORDS_FAILED,
    EXIT_REMOTE,
    EXIT_USAGE,
    WooodooError,
)
from wooodoo.logs import log_context
from wooodoo.odoo.connecting import ConnectingApi
from wooodoo.sync import Progress as ProgressCallback
from wooodoo.sync import Stat, Step, SyncOptions, TenantResult
from wooodoo.wiring import open_tenant

log = logging.getLogger(__name__)

# Which exit code wins when tenants end differently: what needs a person most.
SEVERITY = {
    EXIT_OK: 0,
    EXIT_LOCKED: 1,
    EXIT_RECORDS_FAILED: 2,
    EXIT_REMOTE: 3,
    EXIT_AUDIT: 4,
    EXIT_USAGE: 5,
}


def overall_exit(codes: Sequence[int]) -> int:
    return max(codes, key=lambda c: SEVERITY.get(c, 6), default=EXIT_OK)


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


Job = Callable[[Config, TenantConfig, ProgressCallback], TenantResult]


def sync_job(options: SyncOptions, early: dict[str, ConnectingApi] | None = None) -> Job:
    """One tenant's sync with ``options``, on sides wired from the config and its secrets;
    ``early``: Odoo connections already under way, by tenant (each taken once)."""

    def job(config: Config, tenant: TenantConfig, progress: ProgressCallback) -> TenantResult:
        odoo = early.pop(tenant.name, None) if early else None
        with open_tenant(config, tenant, progress=progress, odoo=odoo) as engine:
            return engine.sync(options)

    return job


def run_tenants(
    state: CliState,
    tenants: Sequence[TenantConfig],
    job: Job,
    *,
    parallel: int = 1,
    run_ids: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Run ``job`` for each tenant, one after another or ``parallel`` at once; ``run_ids``:
    the log run id of a tenant whose run logged before (an early connection)."""
    config = state.load_config()
    progress = _progress_bars() if state.interactive else _NoBars()

    def one(tenant: TenantConfig) -> Outcome:
        task = progress.add_task("", total=None, tenant=tenant.name, pages=0, orders=0, invoices=0)
        counts = dict.fromkeys(Step, 0)

        def on_progress(step: Step, n: int) -> None:
            counts[step] += n
            progress.update(
                task,
                pages=counts[Step.PAGES],
                orders=counts[Step.ORDERS],
                invoices=counts[Step.INVOICES],
            )

        started = time.monotonic()
        try:
            with log_context(tenant.name, (run_ids or {}).get(tenant.name)):
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


class _NoBars:
    """Progress for cron and pipes: nothing shown, and rich is not even imported."""

    def add_task(self, description: str, **fields: Any) -> int:
        return 0

    def update(self, task: Any, **fields: Any) -> None:
        pass

    def __enter__(self) -> _NoBars:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress_bars() -> Any:
    """rich's bars on stderr: a line per tenant with its pages, orders and invoices."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.fields[tenant]}"),
        BarColumn(bar_width=None),
        TextColumn(
            "{task.fields[pages]} pages, {task.fields[orders]} orders,"
            " {task.fields[invoices]} invoices"
        ),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


# counts a summary line shows only when they are not zero
SHOWN_IF_ANY = (
    Stat.CREDITED,
    Stat.MISMATCH,
    Stat.CONFLICT,
    Stat.TAX_ADJUSTED,
    Stat.TWINS_REMOVED,
    Stat.WOULD_CREATE,
    Stat.PARTNERS_WOULD_CREATE,
)
# the operations loop's counts, in words, shown when they are not zero
OPERATIONS = {
    Stat.RETRIED: "retried",
    Stat.DRIFT: "changed by hand in Odoo",
    Stat.NEEDS_ATTENTION: "waiting for a person (past the retry cap)",
    Stat.FROM_SNAPSHOT: "booked from the audit's snapshot",
}


def summary_line(outcome: Outcome) -> str:
    if outcome.error is not None:
        first = outcome.error.message.splitlines()[0]
        return f"{outcome.tenant}: error (exit {outcome.error.exit_code}): {first}"
    result = outcome.result
    assert result is not None
    stats = result.stats
    parts = [
        f"{stats[Stat.INVOICED]} invoiced",
        f"{stats[Stat.PARTNERS_CREATED]} partners created",
        f"{stats[Stat.FAILED]} failed",
    ]
    for extra in SHOWN_IF_ANY:
        if stats[extra]:
            parts.append(f"{stats[extra]} {extra.replace('_', ' ')}")
    parts += [f"{stats[s]} {words}" for s, words in OPERATIONS.items() if stats[s]]
    status = "ok" if result.exit_code == EXIT_OK else "needs attention"
    return (
        f"{outcome.tenant}: {status}, {', '.join(parts)} "
        f"(run {result.run_id}, {outcome.seconds:.1f}s)"
    )


def pointers(outcomes: Sequence[Outcome]) -> list[tuple[str, bool]]:
    """Where to look next, once for all tenants: (line, whether it goes to stderr)."""
    out: list[tuple[str, bool]] = []
    stats = [o.result.stats for o in outcomes if o.result is not None]
    if any(s[Stat.DRIFT] for s in stats):
        out.append(
            ("changed by hand in Odoo (never made again by sync): wooodoo audit drift", False)
        )
    if any(o.exit_code == EXIT_RECORDS_FAILED for o in outcomes):
        out.append(("details: wooodoo audit failures", True))
    if any(s[Stat.NEEDS_ATTENTION] for s in stats):
        out.append(("past the retry cap, once the cause is fixed: wooodoo replay --failed", True))
    return out


def print_outcomes(state: CliState, outcomes: Sequence[Outcome], *, title: str) -> None:
    if state.interactive:
        _print_table(outcomes, title)
        for o in outcomes:
            if o.error is not None:
                _report(o.error)
        for line, _ in pointers(outcomes):
            click.echo(line)
        return
    shown = [o for o in outcomes if not (state.quiet and o.exit_code == EXIT_OK)]
    for o in shown:
        click.echo(summary_line(o), err=o.exit_code != EXIT_OK)
        if o.error is not None and not state.quiet:
            _report(o.error, first_line=False)
    if not state.quiet:
        for line, err in pointers(shown):
            click.echo(line, err=err)


def _print_table(outcomes: Sequence[Outcome], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    columns = ("tenant", "invoiced", "partners", "failed", "retried", "drift", "attention")
    for col in (*columns, "time", "result"):
        table.add_column(col, justify="right" if col not in ("tenant", "result") else "left")
    for o in outcomes:
        if o.result is None:
            first = o.error.message.splitlines()[0] if o.error else ""
            dashes = ["-"] * (len(columns) - 1)
            table.add_row(o.tenant, *dashes, f"{o.seconds:.1f}s", f"[red]{first}")
            continue
        s = o.result.stats
        table.add_row(
            o.tenant,
            str(s[Stat.INVOICED] or s[Stat.WOULD_CREATE]),
            str(s[Stat.PARTNERS_CREATED]),
            str(s[Stat.FAILED]),
            str(s[Stat.RETRIED]),
            str(s[Stat.DRIFT]),
            str(s[Stat.MISMATCH] + s[Stat.CONFLICT] + s[Stat.NEEDS_ATTENTION]),
            f"{o.seconds:.1f}s",
            "[green]ok" if o.exit_code == EXIT_OK else "[yellow]see wooodoo audit",
        )
    Console().print(table)


def _report(error: WooodooError, first_line: bool = True) -> None:
    lines = str(error).splitlines()
    for line in lines if first_line else lines[1:]:
        click.echo(f"  {line}", err=True)
