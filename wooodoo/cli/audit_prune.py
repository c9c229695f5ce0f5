"""``wooodoo audit prune``: drop old payload snapshots, keep the history, links and cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from wooodoo.audit import Pruned
from wooodoo.cli.audit_common import audit_store, json_option
from wooodoo.cli.group import CliState
from wooodoo.cli.human import echo_json, iso, local
from wooodoo.cli.timespec import AGE


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def pruned_document(p: Pruned, dry_run: bool) -> dict[str, object]:
    return {
        "before": iso(p.before),
        "dry_run": dry_run,
        "payloads_dropped": p.payloads,
        "payload_bytes": p.payload_bytes,
        "inbox_bodies_dropped": p.bodies,
        "inbox_body_bytes": p.body_bytes,
        "kept_as_latest": p.kept_latest,
    }


def pruned_lines(p: Pruned, dry_run: bool) -> list[str]:
    verb = "would drop" if dry_run else "dropped"
    return [
        f"{verb} {p.payloads} event payload(s) older than {local(p.before)}"
        f" ({_size(p.payload_bytes)})",
        f"{verb} the bodies of {p.bodies} processed webhook delivery(ies) ({_size(p.body_bytes)})",
        f"kept {p.kept_latest} older payload(s): the latest of their record;"
        " events, runs, links, cursors and failures are all kept",
    ]


@click.command("prune")
@click.option(
    "--older-than",
    "age",
    type=AGE,
    required=True,
    metavar="AGE",
    help="Drop snapshots older than this: 180d, 26w, 12h.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be dropped; change nothing.")
@json_option
@click.pass_context
def audit_prune(ctx: click.Context, age: timedelta, dry_run: bool, as_json: bool) -> None:
    """Drop payload snapshots older than AGE to keep the audit file small.

    Each event keeps its row (what, when, outcome, Odoo record, error); only its payload
    goes, except the latest one of each record and outcome (a partner update compares
    Odoo with it). Processed webhook deliveries lose their body. Links, cursors, failures
    and runs are never touched. SQLite reuses the space freed; `sqlite3 FILE VACUUM`
    gives it back to the disk.

    \b
    Examples:
      wooodoo audit prune --older-than 180d --dry-run
      wooodoo audit prune --older-than 180d
    """
    state = ctx.ensure_object(CliState)
    before = datetime.now(UTC) - age
    with audit_store(ctx) as store:
        pruned = store.prune_payloads(before, dry_run=dry_run)
    if as_json:
        echo_json(pruned_document(pruned, dry_run))
        return
    for line in pruned_lines(pruned, dry_run):
        state.echo(line)
