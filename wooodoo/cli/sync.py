"""``wooodoo sync``: new and changed orders into posted invoices (``replay`` has its own module).

The sync code is imported only once the first tenants' Odoo connections are under way
(``wooodoo.early``): a cron start spends a few hundred milliseconds importing it, which the
connections' round trips then overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from wooodoo.cli.group import CliState, pass_state, tenant_option

if TYPE_CHECKING:
    from wooodoo.cli.tenants import Job, Outcome
    from wooodoo.config import Config, TenantConfig
    from wooodoo.odoo.connecting import ConnectingApi
    from wooodoo.sync import Progress, SyncOptions, TenantResult
    from wooodoo.sync.mapping import Currency


@click.command()
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
    from wooodoo.early import early_connections

    tenants = state.tenants(tenant_names)
    with early_connections(state.load_config(), tenants[:parallel]) as early:
        # the sync code, loaded while those connections travel
        from wooodoo.cli.tenants import overall_exit, print_outcomes, run_tenants, sync_job
        from wooodoo.sync import SyncOptions

        options = SyncOptions(
            since=since.date() if since else None, dry_run=dry_run, full=full, limit=limit
        )
        currencies: dict[str, dict[int, Currency]] = {}
        connections = early.connections
        job = (
            _dry_run_job(options, currencies, connections)
            if dry_run
            else sync_job(options, connections)
        )
        outcomes = run_tenants(state, tenants, job, parallel=parallel, run_ids=early.run_ids)
    if dry_run:
        _print_plans(outcomes, currencies)
    print_outcomes(state, outcomes, title="wooodoo sync" + (" (dry run)" if dry_run else ""))
    raise SystemExit(overall_exit([o.exit_code for o in outcomes]))


def _dry_run_job(
    options: SyncOptions,
    currencies: dict[str, dict[int, Currency]],
    early: dict[str, ConnectingApi],
) -> Job:
    """The dry run, keeping each tenant's Odoo currencies (by id): a plan names its currency
    by Odoo id only."""
    from wooodoo.wiring import open_tenant

    def job(config: Config, tenant: TenantConfig, progress: Progress) -> TenantResult:
        odoo = early.pop(tenant.name, None)
        with open_tenant(config, tenant, progress=progress, odoo=odoo) as engine:
            result = engine.sync(options)
            if result.planned:  # the reference data was read for them: no request more
                known = engine.sides.refs.get().currencies.values()
                currencies[tenant.name] = {c.id: c for c in known}
            return result

    return job


def _print_plans(
    outcomes: Sequence[Outcome], currencies: Mapping[str, Mapping[int, Currency]]
) -> None:
    from wooodoo.cli.human import money

    for o in outcomes:
        if o.result is None:
            continue
        for plan in o.result.planned:
            currency = currencies.get(o.tenant, {}).get(plan.values.get("currency_id") or 0)
            code = currency.code if currency else None
            t = plan.expected
            amounts = ", ".join(
                f"{name} {money(value, code)}"
                for name, value in (("untaxed", t.untaxed), ("tax", t.tax), ("total", t.total))
            )
            lines = len(plan.values["invoice_line_ids"])
            click.echo(
                f"{o.tenant}: would create invoice for order {plan.values['ref']}"
                f" ({plan.key}): {amounts}; {lines} lines"
                f"{', tax adjusted' if plan.needs_tax_adjustment else ''}"
            )


def register(group: click.Group) -> None:
    group.add_command(sync)
