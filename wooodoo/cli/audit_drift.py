"""``wooodoo audit drift``: what people changed in Odoo on wooodoo's documents and partners."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from wooodoo.audit import EventQuery, EventRecord
from wooodoo.cli.audit_common import audit_store, json_option, limit_option, named_tenants
from wooodoo.cli.audit_render import event_document
from wooodoo.cli.group import CliState, tenant_option
from wooodoo.cli.human import echo_json, local
from wooodoo.cli.timespec import SINCE

# drift rows written before they carried a payload (or whose payload was pruned) say it in words
_SAID = (
    ("merged", "merged"),
    ("deleted", "deleted"),
    ("reset to draft", "draft"),
    ("cancelled", "cancelled"),
    ("posted", "posted"),
)
_INTO = re.compile(r"into partner (\d+)")
CHANGE_WORDS = {
    "merged": "merged into another partner",
    "deleted": "deleted by hand",
    "draft": "reset to draft by hand",
    "cancelled": "cancelled by hand",
    "posted": "posted by hand",
}


def change_of(e: EventRecord) -> tuple[str, int | None]:
    """What a person did (merged, deleted, draft, cancelled, posted), and the Odoo record the
    link points at since (None: the link did not move to another record)."""
    payload = e.payload if isinstance(e.payload, Mapping) else {}
    change = payload.get("change")
    now = payload.get("now")
    if isinstance(change, str):
        moved = isinstance(now, Mapping) and now.get("odoo_id") != _was(payload)
        return change, int(now["odoo_id"]) if moved and isinstance(now, Mapping) else None
    text = e.error or ""
    change = next((c for said, c in _SAID if said in text), "changed")
    into = _INTO.search(text)
    return change, int(into[1]) if into and "followed" in text else None


def _was(payload: Mapping[str, Any]) -> Any:
    was = payload.get("was")
    return was.get("odoo_id") if isinstance(was, Mapping) else None


def what_follows(e: EventRecord) -> str:
    """What wooodoo does about it, for a person."""
    change, followed = change_of(e)
    if change == "merged" and followed is not None:
        return f"followed: its next invoices go to partner {followed}"
    if e.odoo_model == "res.partner":
        return "not followed: no partner took it"
    if change in ("deleted", "cancelled"):
        return "not made again by sync (replay makes it again)"
    return f"link follows Odoo: {change}"


def drift_document(e: EventRecord) -> dict[str, Any]:
    change, followed = change_of(e)
    payload = e.payload if isinstance(e.payload, Mapping) else {}
    return {
        **event_document(e, payload=False),
        "change": change,
        "followed_to": followed,
        "was": payload.get("was"),
        "now": payload.get("now"),
        "what_follows": what_follows(e),
    }


def _record(e: EventRecord) -> str:
    return f"{e.kind} {e.source_id}"


def _odoo(e: EventRecord) -> str:
    name = f" {e.odoo_name}" if e.odoo_name else ""
    return f"{e.odoo_model} {e.odoo_id}{name}" if e.odoo_id else "-"


def print_drift(state: CliState, events: Sequence[EventRecord]) -> None:
    rows = [
        (
            str(e.id),
            local(e.at),
            e.tenant,
            _record(e),
            _odoo(e),
            CHANGE_WORDS.get(change_of(e)[0], change_of(e)[0]),
            what_follows(e),
        )
        for e in events
    ]
    if state.interactive:
        table = Table(title="changed by hand in Odoo, latest first")
        for col in ("event", "seen", "tenant", "record", "Odoo", "change", "wooodoo"):
            table.add_column(col, justify="right" if col == "event" else "left")
        for row in rows:
            table.add_row(*row[:5], f"[yellow]{row[5]}", row[6])
        Console().print(table)
        return
    for row in rows:
        click.echo("\t".join(row))


@click.command("drift")
@tenant_option
@click.option(
    "--since",
    type=SINCE,
    metavar="WHEN",
    help="Only changes seen from then on: 7d, 12h, 2026-03-01, 2026-03-01T14:00 (local time).",
)
@limit_option(50)
@json_option
@click.pass_context
def audit_drift(
    ctx: click.Context,
    tenant_names: tuple[str, ...],
    since: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """What people changed in Odoo on wooodoo's invoices, credit notes and partners, latest
    first: a document cancelled, reset to draft or deleted by hand, a partner merged into
    another (followed: the next invoices go to the partner it became).

    Each change is seen by the sync after it (from Odoo's write dates) and listed once. A sync
    never makes again what a person deleted or cancelled; `wooodoo replay` does, when asked.

    \b
    Examples:
      wooodoo audit drift
      wooodoo audit drift --tenant acme --since 7d
      wooodoo audit drift --json | jq '.drift[] | select(.change == "deleted")'
    """
    state = ctx.ensure_object(CliState)
    query = EventQuery(
        tenants=named_tenants(ctx, tenant_names), actions=("drift",), since=since, limit=limit
    )
    with audit_store(ctx) as store:
        events = store.find_events(query)
    if as_json:
        echo_json({"drift": [drift_document(e) for e in events]})
    elif events:
        print_drift(state, events)
    else:
        state.echo("no change made by hand in Odoo is recorded")
