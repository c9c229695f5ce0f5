"""``wooodoo ping``: both sides of each tenant reached, logged in, and checked for a sync."""

from __future__ import annotations

from collections.abc import Sequence

import click
from rich.console import Console
from rich.table import Table

from wooodoo.cli.group import CliState, pass_state, report_error, tenant_option
from wooodoo.cli.tenants import overall_exit
from wooodoo.ping import PingResult, ping_tenant


@click.command()
@tenant_option
@pass_state
def ping(state: CliState, tenant_names: tuple[str, ...]) -> None:
    """Reach both sides of each tenant, log in, and check what a sync relies on.

    \b
    Besides versions, API and tax rounding (WooCommerce per line or at
    subtotal, Odoo per line or globally), it checks:
      - the Odoo user may read, create and write partners and invoices;
      - sync.journal, sync.accounts and sync.taxes exist in Odoo, once, active;
      - the store's currency is active in Odoo;
      - every store tax rate has a mapping (a fitting Odoo tax is named);
      - the store honours modified_after (WooCommerce 5.8+).
    Every problem names what to change.

    Exit code 0 when all is well, 1 when a check found a problem, 2 for a
    configuration or secret error, 3 when a side is unreachable or refuses
    the keys.

    \b
    Examples:
      wooodoo ping
      wooodoo ping --tenant acme
    """
    results = [ping_tenant(t) for t in state.tenants(tenant_names)]
    if state.interactive:
        _print_table(results)
    else:
        for r in results:
            if not (state.quiet and r.ok):
                click.echo(ping_line(r))
    for r in results:
        for warning in r.warnings:
            click.echo(f"warning: {r.tenant}: {warning}", err=True)
        if not state.quiet:
            for note in r.notes:
                click.echo(f"note: {r.tenant}: {note}", err=True)
        for error in r.errors:
            report_error(error, about=r.tenant)
    raise SystemExit(overall_exit([r.exit_code for r in results]))


def _status(r: PingResult) -> str:
    if r.errors:
        return "failed"
    return f"{len(r.warnings)} problem{'s' if len(r.warnings) != 1 else ''}" if r.warnings else "ok"


def _print_table(results: Sequence[PingResult]) -> None:
    table = Table(title="wooodoo ping")
    columns = ("tenant", "WooCommerce", "currency", "shop tax", "Odoo", "API", "Odoo tax")
    for col in (*columns, "checks", "result"):
        table.add_column(col)
    for r in results:
        colour = "green" if r.ok else "yellow" if not r.errors else "red"
        table.add_row(
            r.tenant,
            r.woo_version or "-",
            r.store_currency or "?",
            r.woo_tax_rounding or "?",
            r.odoo_version or "-",
            r.odoo_api or "-",
            r.odoo_tax_rounding or "?",
            str(r.checks),
            f"[{colour}]{_status(r)}",
        )
    Console().print(table)


def ping_line(r: PingResult) -> str:
    if r.woo_version:
        details = ", ".join(
            x for x in (r.woo_tax_rounding and f"tax {r.woo_tax_rounding}", r.store_currency) if x
        )
        woo = f"WooCommerce {r.woo_version} ({details or 'tax rounding unknown'})"
    else:
        woo = "WooCommerce not connected (see below)"
    odoo = (
        f"Odoo {r.odoo_version} over {r.odoo_api} (tax {r.odoo_tax_rounding or '?'})"
        if r.odoo_version
        else "Odoo not connected (see below)"
    )
    return f"{r.tenant}: {_status(r)}: {woo}; {odoo}; {r.checks} checks"


def register(group: click.Group) -> None:
    group.add_command(ping)
