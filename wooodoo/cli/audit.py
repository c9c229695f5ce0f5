"""``wooodoo audit``: the group, its overview, ``failures`` and ``inbox``; the reports live in
``audit_runs``, ``audit_events`` and ``audit_prune``. The local audit trail only, no network."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from wooodoo.audit import open_audit
from wooodoo.cli.audit_drift import audit_drift
from wooodoo.cli.audit_events import audit_events, audit_show
from wooodoo.cli.audit_prune import audit_prune
from wooodoo.cli.audit_runs import audit_runs, audit_stats, latest_runs, print_runs, print_stats
from wooodoo.cli.group import CliState, tenant_option
from wooodoo.cli.reconcile import audit_reconcile


@click.group(invoke_without_command=True)
@tenant_option
@click.pass_context
def audit(ctx: click.Context, tenant_names: tuple[str, ...]) -> None:
    """Read the local audit trail (no network): runs, events, failures, each tenant's
    health; `prune` drops old snapshots; `reconcile` compares the shop with the books, live.

    \b
    Examples:
      wooodoo audit                          # each tenant's health and the last runs
      wooodoo audit runs --tenant acme
      wooodoo audit events --status failed --since 7d
      wooodoo audit show 1234                # one event; or a key: acme/order/1042
      wooodoo audit stats --json
      wooodoo audit failures --tenant acme
      wooodoo audit prune --older-than 180d --dry-run
      wooodoo audit inbox --tenant acme
      wooodoo audit reconcile --tenant acme
    """
    if ctx.invoked_subcommand is not None:
        return
    state = ctx.ensure_object(CliState)
    config = state.load_config()
    names = [t.name for t in state.tenants(tenant_names)]
    now = datetime.now(UTC)
    with open_audit(config.audit_db) as store:
        state.echo(f"audit store: {config.audit_db}")
        print_stats(state, store.tenant_stats(names), now)
        runs = latest_runs(store, names, 10)
    if runs:
        state.echo()
        print_runs(state, runs)


@audit.command("failures")
@tenant_option
@click.pass_context
def audit_failures(ctx: click.Context, tenant_names: tuple[str, ...]) -> None:
    """List records whose last attempt failed, with the reason.

    Tenants can be named before or after `failures`; without any, every tenant's.

    \b
    Examples:
      wooodoo audit failures --tenant acme
      wooodoo audit --tenant acme failures
    """
    state = ctx.ensure_object(CliState)
    config = state.load_config()
    before = ctx.parent.params["tenant_names"] if ctx.parent else ()  # `audit --tenant X failures`
    named = (*before, *tenant_names)
    names = {t.name for t in state.tenants(named)}
    with open_audit(config.audit_db) as store:
        rows = [f for f in store.failures() if f.tenant in names]
    for f in rows:
        first, *more = f.reason.splitlines() or ["(no reason recorded)"]
        click.echo(f"{f.key}\tattempts {f.attempts}\t{f.last_at.isoformat()}\t{first}")
        for extra in more:
            click.echo(f"\t{extra.strip()}")
    if not rows:
        state.echo("no open failures")


@audit.command("inbox")
@tenant_option
@click.option("--pending", is_flag=True, help="Only the deliveries still waiting.")
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="How many."
)
@click.pass_context
def audit_inbox(
    ctx: click.Context, tenant_names: tuple[str, ...], pending: bool, limit: int
) -> None:
    """The webhook deliveries kept, newest first, with what became of each.

    One line each: inbox id, received (UTC), topic, resource id, delivery id,
    then the note the sync left ("created", "skipped: status pending", ...),
    or "waiting" while it has not been drained.

    \b
    Examples:
      wooodoo audit inbox --tenant acme
      wooodoo audit inbox --pending
    """
    state = ctx.ensure_object(CliState)
    config = state.load_config()
    before = ctx.parent.params["tenant_names"] if ctx.parent else ()
    names = [t.name for t in state.tenants((*before, *tenant_names))]
    with open_audit(config.audit_db) as store:
        for name in names:
            items = store.inbox_pending(name, limit) if pending else store.inbox_recent(name, limit)
            for item in items:
                fate = "waiting" if item.processed_at is None else item.note or "done"
                click.echo(
                    f"{name}\t{item.id}\t{item.received_at.isoformat()}\t{item.topic}"
                    f"\t{item.resource_id or '-'}\t{item.delivery_id or '-'}\t{fate}"
                )
            if not items:
                state.echo(f"{name}: no {'waiting ' if pending else ''}deliveries")


for command in (audit_runs, audit_events, audit_show, audit_stats, audit_prune, audit_reconcile):
    audit.add_command(command)
audit.add_command(audit_drift)


def register(group: click.Group) -> None:
    group.add_command(audit)
