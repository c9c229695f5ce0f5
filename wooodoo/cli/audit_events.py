"""``wooodoo audit events`` and ``audit show``: attempts on records, filtered, and one in full."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click
from rich.console import Console
from rich.table import Table

from wooodoo.audit import ACTIONS, EventQuery, EventRecord
from wooodoo.cli.audit_common import audit_store, json_option, limit_option, named_tenants
from wooodoo.cli.audit_render import (
    event_document,
    link_document,
    print_event,
    print_journey,
)
from wooodoo.cli.group import CliState, tenant_option
from wooodoo.cli.human import echo_json, local
from wooodoo.cli.timespec import SINCE
from wooodoo.errors import UsageError


def _target(e: EventRecord) -> str:
    if not e.odoo_id:
        return "-"
    return f"{e.odoo_model} {e.odoo_id}" + (f" {e.odoo_name}" if e.odoo_name else "")


def _first_line(text: str | None) -> str:
    return (text or "").splitlines()[0] if text else ""


def print_events(state: CliState, events: Sequence[EventRecord]) -> None:
    if state.interactive:
        table = Table(title="events, latest first")
        for col in ("event", "when", "tenant", "record", "action", "Odoo", "error"):
            table.add_column(col, justify="right" if col == "event" else "left")
        for e in events:
            style = "red" if e.error else "green"
            table.add_row(
                str(e.id),
                local(e.at),
                e.tenant,
                f"{e.kind} {e.source_id}",
                f"[{style}]{e.action}",
                _target(e),
                _first_line(e.error),
            )
        Console().print(table)
        return
    for e in events:
        click.echo(
            f"{e.id}\t{local(e.at)}\t{e.tenant}\t{e.kind} {e.source_id}\t{e.action}"
            f"\t{_target(e)}\t{_first_line(e.error) or '-'}"
        )


@click.command("events")
@tenant_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(sorted(ACTIONS), case_sensitive=False),
    help="Only events with this outcome (repeatable), e.g. failed.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only this kind of record (repeatable): order, refund, customer, guest...",
)
@click.option(
    "--since",
    type=SINCE,
    metavar="WHEN",
    help="Only events from then on: 7d, 12h, 2026-03-01, 2026-03-01T14:00 (local time).",
)
@click.option("--woo-id", metavar="ID", help="Only events about this WooCommerce id.")
@limit_option(50)
@json_option
@click.pass_context
def audit_events(
    ctx: click.Context,
    tenant_names: tuple[str, ...],
    statuses: tuple[str, ...],
    kinds: tuple[str, ...],
    since: datetime | None,
    woo_id: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Attempts on records, latest first: event id, time (local), record, outcome, the Odoo
    record, the error. `wooodoo audit show ID` shows one in full.

    \b
    Examples:
      wooodoo audit events --status failed --since 7d
      wooodoo audit events --tenant acme --kind refund --limit 20
      wooodoo audit events --woo-id 1042 --json
    """
    state = ctx.ensure_object(CliState)
    query = EventQuery(
        tenants=named_tenants(ctx, tenant_names),
        actions=tuple(s.lower() for s in statuses),
        kinds=tuple(k.lower() for k in kinds),
        since=since,
        source_id=woo_id,
        limit=limit,
    )
    with audit_store(ctx) as store:
        events = store.find_events(query)
    if as_json:
        echo_json({"events": [event_document(e, payload=False) for e in events]})
    elif events:
        print_events(state, events)
    else:
        state.echo("no events match")


@click.command("show")
@click.argument("ident", metavar="ID|KEY")
@json_option
@click.pass_context
def audit_show(ctx: click.Context, ident: str, as_json: bool) -> None:
    """One event in full (its payload and error), by the id `audit events` prints; or, given
    a key, one record's journey: its current Odoo record and every event.

    \b
    Examples:
      wooodoo audit show 1234
      wooodoo audit show acme/order/1042
      wooodoo audit show 1234 --json
    """
    if ident.isdigit():
        _show_event(ctx, int(ident), as_json)
        return
    tenant = ident.split("/", 1)[0]
    with audit_store(ctx) as store:
        link = store.links(tenant, [ident]).get(ident)
        events = store.events(tenant, ident)
    if link is None and not events:
        raise UsageError(
            f"nothing is recorded for {ident!r}",
            hint="Give an event id or a key as `wooodoo audit events` lists them"
            " (e.g. acme/order/1042).",
        )
    if as_json:
        document = {
            "key": ident,
            "link": link_document(link) if link else None,
            "events": [event_document(e, payload=True) for e in events],
        }
        echo_json(document)
    else:
        print_journey(ident, link, events)


def _show_event(ctx: click.Context, event_id: int, as_json: bool) -> None:
    with audit_store(ctx) as store:
        event = store.event(event_id)
        link = store.links(event.tenant, [event.key]).get(event.key) if event else None
    if event is None:
        raise UsageError(
            f"no event {event_id} in the audit store",
            hint="List the event ids with `wooodoo audit events`.",
        )
    if as_json:
        document = {
            "event": event_document(event, payload=True),
            "link": link_document(link) if link else None,
        }
        echo_json(document)
    else:
        print_event(event, link)
