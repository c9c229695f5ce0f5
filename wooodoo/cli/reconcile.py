"""``wooodoo audit reconcile``: the shop against the books, both read live; exit 1 when apart."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from wooodoo.audit import open_audit
from wooodoo.cli.group import CliState, tenant_option
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, UsageError
from wooodoo.odoo.books import OdooBooks
from wooodoo.reconcile import DayRow, Finding, Reconciliation, Tally, reconcile
from wooodoo.reconcile.read import read_sides
from wooodoo.wiring import open_readers

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("reconcile")
@tenant_option
@click.option("--from", "first", type=DAY, metavar="YYYY-MM-DD", help="First day (sync.since).")
@click.option("--to", "last", type=DAY, metavar="YYYY-MM-DD", help="Last day (today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (amounts as strings).")
@click.pass_context
def audit_reconcile(
    ctx: click.Context,
    tenant_names: tuple[str, ...],
    first: dt.datetime | None,
    last: dt.datetime | None,
    as_json: bool,
) -> None:
    """The shop against the books, both read live (no lock: a sync may run meanwhile).

    Per day and currency, the orders in invoiced statuses and their refunds against
    Odoo's invoices and credit notes carrying the tenant's keys; then every order or
    refund missing, duplicated or differing in total, and every document a person
    cancelled, reset to draft or deleted in Odoo. A day is the one the invoice
    carries (paid, else created); refunds count under their order's day. Exit 0 when
    the two sides agree, 1 otherwise.

    \b
    Examples:
      wooodoo audit reconcile --tenant acme
      wooodoo audit reconcile --tenant acme --from 2026-03-01 --to 2026-03-31 --json
    """
    state = ctx.ensure_object(CliState)
    config = state.load_config()
    before = ctx.parent.params.get("tenant_names", ()) if ctx.parent else ()
    tenants = state.tenants((*before, *tenant_names))
    if len(tenants) != 1:
        raise UsageError(
            "audit reconcile compares one tenant at a time",
            hint="Name it: `wooodoo audit reconcile --tenant acme`.",
        )
    tenant = tenants[0]
    start = first.date() if first else tenant.sync.since
    # today where the day is furthest on (UTC+14): no order of the store's today is left out
    end = last.date() if last else (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    if start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
    with open_readers(config, tenant) as (woo, api), open_audit(config.audit_db) as store:
        sides = read_sides(tenant, woo, OdooBooks(api), store, start, end)
        result = reconcile(sides)
        requests = {"woocommerce": woo.requests_sent, "odoo": api.requests_sent}
    if as_json:
        click.echo(json.dumps(as_document(result, requests), indent=2))
    elif state.interactive:
        print_tables(result)
    else:
        print_lines(result, quiet=state.quiet)
    raise SystemExit(EXIT_OK if result.agrees else EXIT_RECORDS_FAILED)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _tally(t: Tally) -> dict[str, Any]:
    return {"count": t.count, "total": str(t.total)}


def _day(row: DayRow) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "currency": row.currency,
        "shop": {
            "orders": _tally(row.orders),
            "refunds": _tally(row.refunds),
            "net": str(row.shop_net),
        },
        "odoo": {
            "invoices": _tally(row.invoices),
            "credit_notes": _tally(row.credit_notes),
            "net": str(row.books_net),
        },
        "agrees": row.agrees,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "problem": f.problem,
        "key": f.key,
        "kind": f.kind,
        "order_id": f.order_id,
        "currency": f.currency,
        "shop_total": _money(f.shop_total),
        "odoo_total": _money(f.books_total),
        "odoo_ids": list(f.odoo_ids),
        "note": f.note,
    }


def as_document(result: Reconciliation, requests: dict[str, int]) -> dict[str, Any]:
    """What ``--json`` prints: exact amounts as strings."""
    return {
        "tenant": result.tenant,
        "from": result.first.isoformat(),
        "to": result.last.isoformat(),
        "agrees": result.agrees,
        "currencies": {c: _day(r) for c, r in _by_currency(result).items()},
        "days": [_day(d) for d in result.days],
        "findings": [_finding(f) for f in result.findings],
        "requests": requests,
    }


def _by_currency(result: Reconciliation) -> dict[str, DayRow]:
    """The period's totals per currency, as one row each (its day: the period's first)."""
    sums: dict[str, list[Tally]] = defaultdict(lambda: [Tally()] * 4)
    for d in result.days:
        sums[d.currency] = [
            Tally(a.count + b.count, a.total + b.total)
            for a, b in zip(
                sums[d.currency], (d.orders, d.refunds, d.invoices, d.credit_notes), strict=True
            )
        ]
    return {c: DayRow(result.first, c, *t) for c, t in sorted(sums.items())}


def _headline(result: Reconciliation) -> str:
    verdict = "the books agree with the shop" if result.agrees else "the books differ from the shop"
    found = f", {len(result.findings)} finding(s)" if result.findings else ""
    return f"{result.tenant}: {verdict} from {result.first} to {result.last}{found}"


def print_lines(result: Reconciliation, *, quiet: bool) -> None:
    """Plain lines (cron, pipes): the headline, totals per currency, one line per finding."""
    if quiet and result.agrees:
        return
    click.echo(_headline(result))
    for currency, row in _by_currency(result).items():
        click.echo(
            f"{currency}\tshop {row.orders.count} orders {row.orders.total}"
            f" - {row.refunds.count} refunds {row.refunds.total} = {row.shop_net}"
            f"\todoo {row.invoices.count} invoices {row.invoices.total}"
            f" - {row.credit_notes.count} credit notes {row.credit_notes.total} = {row.books_net}"
        )
    for d in result.days:
        if not d.agrees:
            click.echo(f"{d.day}\t{d.currency}\tshop {d.shop_net}\todoo {d.books_net}")
    for f in result.findings:
        click.echo("\t".join(_finding_cells(f)))


def _finding_cells(f: Finding) -> list[str]:
    ids = ",".join(map(str, f.odoo_ids)) or "-"
    shop = "-" if f.shop_total is None else f"{f.shop_total} {f.currency or ''}".strip()
    books = "-" if f.books_total is None else str(f.books_total)
    return [f.problem, f.key, f"shop {shop}", f"odoo {books}", f"ids {ids}", f.note]


def print_tables(result: Reconciliation) -> None:
    console = Console()
    days = Table(title=f"{result.tenant}: {result.first} to {result.last}")
    for col in ("day", "cur", "orders", "refunds", "shop net", "invoices", "credit notes"):
        days.add_column(col, justify="left" if col in ("day", "cur") else "right")
    days.add_column("odoo net", justify="right")
    days.add_column("")
    for d in result.days:
        days.add_row(
            d.day.isoformat(),
            d.currency,
            f"{d.orders.count} / {d.orders.total}",
            f"{d.refunds.count} / {d.refunds.total}",
            str(d.shop_net),
            f"{d.invoices.count} / {d.invoices.total}",
            f"{d.credit_notes.count} / {d.credit_notes.total}",
            str(d.books_net),
            "[green]ok" if d.agrees else "[red]differs",
        )
    console.print(days)
    if result.findings:
        found = Table(title="findings")
        for col in ("problem", "key", "shop", "odoo", "Odoo ids", "note"):
            found.add_column(col)
        for f in result.findings:
            cells = _finding_cells(f)
            found.add_row(f"[red]{cells[0]}", cells[1], *(c.split(" ", 1)[1] for c in cells[2:5]),
                          cells[5])  # fmt: skip
        console.print(found)
    console.print(_headline(result))
