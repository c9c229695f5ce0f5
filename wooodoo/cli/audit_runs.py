"""``wooodoo audit runs`` and ``audit stats``: what ran and how each tenant is doing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from wooodoo.audit import AuditLog, CursorState, Run, TenantStats
from wooodoo.cli.audit_common import audit_store, json_option, limit_option, named_tenants
from wooodoo.cli.group import CliState, tenant_option
from wooodoo.cli.human import ago, between, counts, duration, echo_json, iso, local
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED

# the exit code a run's status implies (an aborted run keeps its error, not its code)
RUN_EXIT = {"ok": EXIT_OK, "partial": EXIT_RECORDS_FAILED}


def latest_runs(store: AuditLog, tenants: Sequence[str], limit: int) -> list[Run]:
    """The latest runs of these tenants (none named: of every tenant), newest first."""
    if not tenants:
        return store.runs(None, limit)
    merged = [r for t in tenants for r in store.runs(t, limit)]
    return sorted(merged, key=lambda r: r.id, reverse=True)[:limit]


def run_document(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "tenant": run.tenant,
        "command": run.command,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "duration_seconds": between(run.started_at, run.finished_at),
        "status": run.status,
        "exit_code": RUN_EXIT.get(run.status),
        "counts": dict(sorted(run.stats.items())),
        "error": run.error,
    }


def run_result(run: Run) -> str:
    if run.status == "ok":
        return "ok"
    if run.status == "partial":
        return "needs attention (exit 1)"
    if run.status == "running":
        return "running, or killed"
    return f"{run.status}: {run.error}" if run.error else run.status


def print_runs(state: CliState, runs: Sequence[Run]) -> None:
    if state.interactive:
        table = Table(title="runs, latest first")
        for col in ("run", "tenant", "command", "started", "took", "counts", "result"):
            table.add_column(col, justify="right" if col in ("run", "took") else "left")
        for r in runs:
            result = run_result(r)
            style = "green" if r.status == "ok" else "yellow" if r.status == "partial" else "red"
            table.add_row(
                str(r.id),
                r.tenant,
                r.command,
                local(r.started_at),
                duration(between(r.started_at, r.finished_at)),
                counts(r.stats),
                f"[{style}]{result}",
            )
        Console().print(table)
        return
    for r in runs:
        took = duration(between(r.started_at, r.finished_at))
        click.echo(
            f"run {r.id}\t{r.tenant}\t{r.command}\t{local(r.started_at)}\t{took}"
            f"\t{run_result(r)}\t{counts(r.stats)}"
        )


@click.command("runs")
@tenant_option
@limit_option(20)
@json_option
@click.pass_context
def audit_runs(
    ctx: click.Context, tenant_names: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """The latest runs, newest first: command (sync, replay, webhook...), start in local time,
    how long it took, its counts, and how it ended.

    \b
    Examples:
      wooodoo audit runs
      wooodoo audit runs --tenant acme --limit 5
      wooodoo audit runs --json | jq '.runs[0].counts'
    """
    state = ctx.ensure_object(CliState)
    tenants = named_tenants(ctx, tenant_names)
    with audit_store(ctx) as store:
        runs = latest_runs(store, tenants, limit)
    if as_json:
        echo_json({"runs": [run_document(r) for r in runs]})
    elif runs:
        print_runs(state, runs)
    else:
        state.echo("no runs recorded")


# ------------------------------------------------------------------------------ stats


def _lag(cursor: CursorState, now: datetime) -> int | None:
    """How far behind now a time cursor stands (None: this cursor is no time, e.g. a run id)."""
    try:
        value = datetime.fromisoformat(cursor.value)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return max(0, round((now - value).total_seconds()))


def stats_document(s: TenantStats, now: datetime) -> dict[str, Any]:
    return {
        "tenant": s.tenant,
        "last_run": run_document(s.last_run) if s.last_run else None,
        "last_success_at": iso(s.last_success_at),
        "failures_waiting": s.failures_waiting,
        "retries_pending": s.retries_pending,
        "next_retry_at": iso(s.next_retry_at),
        "failures_by_wait": s.failures_by_wait,
        "cursors": {
            c.name: {"value": c.value, "saved_at": iso(c.saved_at), "lag_seconds": _lag(c, now)}
            for c in s.cursors
        },
    }


def _orders_cursor(s: TenantStats, now: datetime) -> tuple[str, str]:
    """The orders cursor as a local time, and how far behind it is."""
    for c in s.cursors:
        if c.name == "orders":
            lag = _lag(c, now)
            return local(datetime.fromisoformat(c.value)), "-" if lag is None else duration(lag)
    return "none yet", "-"


def _stats_cells(s: TenantStats, now: datetime) -> list[str]:
    last = f"{local(s.last_run.started_at)} {run_result(s.last_run)}" if s.last_run else "never"
    retries = str(s.retries_pending)
    if s.next_retry_at is not None:
        retries += f" (next {local(s.next_retry_at)})"
    cursor, lag = _orders_cursor(s, now)
    return [s.tenant, last, ago(s.last_success_at, now), str(s.failures_waiting), retries,
            cursor, lag]  # fmt: skip


STATS_COLUMNS = ("tenant", "last run", "last success", "failures waiting", "retries pending",
                 "orders cursor", "cursor lag")  # fmt: skip


def print_stats(state: CliState, stats: Sequence[TenantStats], now: datetime) -> None:
    if state.interactive:
        table = Table(title="wooodoo audit stats")
        for col in STATS_COLUMNS:
            table.add_column(col)
        for s in stats:
            cells = _stats_cells(s, now)
            if s.failures_waiting:
                cells[3] = f"[yellow]{cells[3]}"
            table.add_row(*cells)
        Console().print(table)
        return
    for s in stats:
        cells = _stats_cells(s, now)
        click.echo(
            "\t".join([cells[0], *(f"{name} {c}" for name, c in zip(STATS_COLUMNS[1:], cells[1:],
                                                                     strict=True))])
        )  # fmt: skip


@click.command("stats")
@tenant_option
@json_option
@click.pass_context
def audit_stats(ctx: click.Context, tenant_names: tuple[str, ...], as_json: bool) -> None:
    """Per tenant: the last run, the last success, failures waiting (for a person, or for
    the config or Odoo to change), retries pending (with the next one's time), and how far
    the orders cursor is behind now.

    \b
    Examples:
      wooodoo audit stats
      wooodoo audit stats --tenant acme --json   # for monitoring
    """
    state = ctx.ensure_object(CliState)
    tenants = named_tenants(ctx, tenant_names) or tuple(t.name for t in state.tenants(()))
    now = datetime.now(UTC)
    with audit_store(ctx) as store:
        stats = store.tenant_stats(tenants)
    if as_json:
        echo_json({"at": iso(now), "tenants": [stats_document(s, now) for s in stats]})
    else:
        print_stats(state, stats, now)
