"""Events and links for a person (amounts with their currency, local times) and for
``--json`` (every value as stored: amounts as strings, times ISO 8601 with their offset)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import click

from wooodoo.audit import EventRecord, Link
from wooodoo.cli.human import iso, local, money

# how amounts are written in the audit: Decimal text, as the shop (52.790000) or Odoo (52.79)
AMOUNT = re.compile(r"-?\d+\.\d+")


def event_document(e: EventRecord, *, payload: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": e.id,
        "run_id": e.run_id,
        "tenant": e.tenant,
        "at": iso(e.at),
        "kind": e.kind,
        "source_id": e.source_id,
        "source_version": e.source_version,
        "key": e.key,
        "action": e.action,
        "odoo_model": e.odoo_model,
        "odoo_id": e.odoo_id,
        "odoo_name": e.odoo_name,
        "error": e.error,
    }
    if payload:
        document["payload"] = e.payload
    return document


def link_document(link: Link) -> dict[str, Any]:
    return {
        "key": link.key,
        "kind": link.kind,
        "source_id": link.source_id,
        "source_version": link.source_version,
        "odoo_model": link.odoo_model,
        "odoo_id": link.odoo_id,
        "odoo_name": link.odoo_name,
        "state": link.state,
        "amounts": link.amounts,
    }


def currency_of(*sources: Any) -> str | None:
    """The currency a record names (``currency`` in its payload or link amounts), if any."""
    for source in sources:
        if isinstance(source, Mapping):
            found = source.get("currency")
            if isinstance(found, str) and found:
                return found
    return None


def value_text(value: Any, currency: str | None) -> str:
    if isinstance(value, str) and AMOUNT.fullmatch(value):
        return money(value, currency)
    if value is None or value is False:
        return "-"
    return str(value)


def inline(values: Mapping[str, Any], currency: str | None) -> str:
    """A flat mapping on one line: ``untaxed 14.99 EUR, tax 2.85 EUR, total 17.84 EUR``."""
    return ", ".join(f"{k} {value_text(v, currency)}" for k, v in values.items() if k != "currency")


def payload_lines(value: Any, currency: str | None, indent: str = "    ") -> list[str]:
    """A payload as indented ``name: value`` lines; flat mappings fit on one line."""
    if isinstance(value, Mapping):
        out: list[str] = []
        for k, v in value.items():
            if isinstance(v, Mapping) and not any(
                isinstance(x, Mapping | list) for x in v.values()
            ):
                out.append(f"{indent}{k}: {inline(v, currency)}")
            elif isinstance(v, Mapping | list) and v:
                out.append(f"{indent}{k}:")
                out += payload_lines(v, currency, indent + "  ")
            else:
                out.append(f"{indent}{k}: {value_text(v, currency)}")
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, Mapping | list):
                out.append(f"{indent}-")
                out += payload_lines(item, currency, indent + "  ")
            else:
                out.append(f"{indent}- {value_text(item, currency)}")
        return out
    return [f"{indent}{value_text(value, currency)}"]


def _target(model: str | None, odoo_id: int | None, name: str | None) -> str:
    if not odoo_id:
        return "-"
    return f"{model} {odoo_id}" + (f" {name}" if name else "")


def link_line(link: Link, currency: str | None = None) -> str:
    currency = currency_of(link.amounts) or currency
    about = f"; {inline(link.amounts, currency)}" if link.amounts else ""
    return (
        f"{link.key} -> {_target(link.odoo_model, link.odoo_id, link.odoo_name)}"
        f" [{link.state}]{about}"
    )


def print_event(e: EventRecord, link: Link | None) -> None:
    """One event in full, for a person."""
    run = f" (run {e.run_id})" if e.run_id else ""
    click.echo(f"event {e.id}: {e.tenant} {e.kind} {e.source_id} {e.action}, {local(e.at)}{run}")
    click.echo(f"  key:      {e.key}")
    if e.source_version:
        click.echo(f"  version:  {e.source_version}")
    click.echo(f"  Odoo:     {_target(e.odoo_model, e.odoo_id, e.odoo_name)}")
    if e.error:
        first, *more = e.error.splitlines()
        click.echo(f"  error:    {first}")
        for line in more:
            click.echo(f"            {line.strip()}")
    currency = currency_of(e.payload, link and link.amounts)
    if e.payload is None:
        click.echo("  payload:  none kept")
    else:
        click.echo("  payload:")
        for line in payload_lines(e.payload, currency):
            click.echo(line)
    click.echo(f"  now:      {link_line(link, currency)}" if link else "  now:      not linked")


def print_journey(key: str, link: Link | None, events: Sequence[EventRecord]) -> None:
    """A record's current link, then its events, oldest first."""
    click.echo(link_line(link) if link else f"{key}: not linked to any Odoo record")
    for e in reversed(events):
        target = "" if not e.odoo_id else " " + _target(e.odoo_model, e.odoo_id, e.odoo_name)
        reason = f": {e.error}" if e.error else ""
        click.echo(f"  {local(e.at)}  event {e.id}  run {e.run_id} {e.action}{target}{reason}")
