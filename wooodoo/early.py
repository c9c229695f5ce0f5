"""Odoo connections started as a command begins, before the sync code is loaded.

Connecting to Odoo (the handshakes, the version probe, the key check) is round trips that
need nothing from the sync. A ``sync`` starts them for the tenants it runs first, then loads
its code (a few hundred milliseconds of imports) while they travel; ``wiring.open_tenant``
takes the connection made. A tenant whose secrets cannot be resolved here gets none: its run
resolves them again and reports the error where it always did. A connection no run took is
closed when the block ends.

Only light modules are imported here (no ``wooodoo.sync``), so that the connections leave
first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from wooodoo.config import Config, TenantConfig
from wooodoo.errors import WooodooError
from wooodoo.http import RetryPolicy
from wooodoo.lock import lock_dir, lock_is_free
from wooodoo.logs import log_context
from wooodoo.odoo.connect import connect
from wooodoo.odoo.connecting import ConnectingApi
from wooodoo.odoo.protocol import OdooApi
from wooodoo.secrets import TenantSecrets, resolve_secrets


def odoo_api(tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy) -> OdooApi:
    """The tenant's Odoo, connected (version detection picks JSON-2 on 19+, XML-RPC below)."""
    odoo = tenant.odoo
    return connect(
        odoo.url,
        database=odoo.database,
        login=odoo.login,
        api_key=secrets.require("odoo_api_key").reveal(),
        api=odoo.api,
        ca_bundle=odoo.ca_bundle,
        timeout=odoo.timeout,
        retry=retry,
        tenant=tenant.name,
    )


def connecting(tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy) -> ConnectingApi:
    """The tenant's Odoo, being connected in a thread (see ``ConnectingApi``)."""
    return ConnectingApi(lambda: odoo_api(tenant, secrets, retry))


@dataclass
class Early:
    """The connections under way, by tenant (``pop`` one to use it), and the run id each
    tenant's log lines carry (the connect's lines come before its run's)."""

    connections: dict[str, ConnectingApi] = field(default_factory=dict)
    run_ids: dict[str, str] = field(default_factory=dict)


@contextmanager
def early_connections(config: Config, tenants: Sequence[TenantConfig]) -> Iterator[Early]:
    """Odoo connections under way for ``tenants`` (those whose lock is free now)."""
    early = Early()
    for tenant in tenants:
        if not lock_is_free(lock_dir(config), tenant.name):
            continue  # its run stops at the lock: nothing to connect for
        try:
            secrets = resolve_secrets(tenant)
        except WooodooError:
            continue  # the run resolves them again and says what is missing
        with log_context(tenant.name) as run_id:  # the thread logs under the tenant's run
            early.connections[tenant.name] = connecting(tenant, secrets, RetryPolicy())
            early.run_ids[tenant.name] = run_id
    try:
        yield early
    finally:
        for api in early.connections.values():  # no run took it (an error before it)
            api.close(wait=False)
