"""``wooodoo replay``: try records again by audit event id, order number or key, or every
failed one."""

from __future__ import annotations

import click

from wooodoo.audit import open_audit
from wooodoo.cli.group import CliState, pass_state, tenant_option
from wooodoo.cli.tenants import overall_exit, print_outcomes, run_tenants
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import UsageError
from wooodoo.sync import Progress, TenantResult
from wooodoo.sync.replay import resolve
from wooodoo.wiring import open_tenant


@click.command()
@tenant_option
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY",
    help="A record's key, e.g. acme/order/1042 (repeatable; the same as giving it as an ID).",
)
@click.option("--failed", is_flag=True, help="Every record whose last attempt failed.")
@click.option(
    "--from-snapshot",
    is_flag=True,
    help="An order the store no longer has is booked as it was read when it failed.",
)
@pass_state
def replay(
    state: CliState,
    tenant_names: tuple[str, ...],
    ids: tuple[str, ...],
    keys: tuple[str, ...],
    failed: bool,
    from_snapshot: bool,
) -> None:
    """Try records again, through the same path as a sync.

    An ID is an audit event id (as `wooodoo audit events` prints it), a
    WooCommerce order number, or a key such as acme/order/1042 (also refund,
    cancel and customer keys). An ID that could name two records is refused
    with both listed: write event:ID or order:ID. Each record is read again
    from WooCommerce; nothing is created twice, and the new attempt points at
    the event it replays. What a person deleted or cancelled in Odoo is made
    again only this way. Failed records are also retried by every sync (see
    `wooodoo audit failures`). With --from-snapshot, an order deleted from the
    store since it failed is booked from the copy its failed event keeps (until
    audit prune drops it).

    \b
    Examples:
      wooodoo replay 1042                     # order 1042 (or event 1042: asked)
      wooodoo replay acme/order/1042 event:88
      wooodoo replay --failed --tenant acme   # every failed record of acme
      wooodoo replay --from-snapshot 1042     # order 1042, gone from the store
    """
    wanted = (*ids, *keys)
    if wanted and failed:
        raise UsageError("replay: give IDs or --failed, not both")
    tenants = state.tenants(tenant_names)
    by_tenant: dict[str, dict[str, int | None]] | None = None
    if wanted:
        with open_audit(state.load_config().audit_db) as store:
            by_tenant = resolve(wanted, [t.name for t in tenants], store)
        tenants = [t for t in tenants if t.name in by_tenant]

    def job(config: Config, tenant: TenantConfig, progress: Progress) -> TenantResult:
        with open_tenant(config, tenant, progress=progress) as engine:
            chosen = by_tenant[tenant.name] if by_tenant is not None else None
            return engine.replay(chosen, from_snapshot=from_snapshot)

    outcomes = run_tenants(state, tenants, job)
    print_outcomes(state, outcomes, title="wooodoo replay")
    raise SystemExit(overall_exit([o.exit_code for o in outcomes]))


def register(group: click.Group) -> None:
    group.add_command(replay)
