"""Builds a tenant's concrete sides from config and secrets: WooCommerce, Odoo, audit, engine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from wooodoo.audit import open_audit
from wooodoo.config import Config, TenantConfig
from wooodoo.early import connecting, odoo_api
from wooodoo.errors import RemoteError
from wooodoo.http import RetryPolicy
from wooodoo.lock import lock_dir
from wooodoo.odoo.connecting import ConnectingApi
from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.target import OdooWriter
from wooodoo.secrets import TenantSecrets, resolve_secrets
from wooodoo.sync import Engine, Progress, no_progress, tenant_lock
from wooodoo.sync.context import References
from wooodoo.woo.client import WooClient


def woo_client(tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy) -> WooClient:
    woo = tenant.woocommerce
    return WooClient(
        woo.url,
        auth=woo.auth,
        consumer_key=secrets.require("woo_consumer_key").reveal(),
        consumer_secret=secrets.require("woo_consumer_secret").reveal(),
        ca_bundle=woo.ca_bundle,
        timeout=woo.timeout,
        retry=retry,
        per_page=woo.per_page,
    )


@contextmanager
def open_tenant(
    config: Config,
    tenant: TenantConfig,
    *,
    progress: Progress = no_progress,
    retry: RetryPolicy | None = None,
    odoo: ConnectingApi | None = None,
) -> Iterator[Engine]:
    """Lock the tenant, resolve its secrets, connect both sides, open the audit store.

    Odoo is connected in a thread while the audit store opens and the run starts (its first
    WooCommerce pages are asked for meanwhile); the first Odoo call waits for it, and raises
    what connecting raised. ``odoo``: a connection ``early.early_connections`` started (it is
    closed here whatever happens)."""
    retry = retry or RetryPolicy()
    try:
        with tenant_lock(lock_dir(config), tenant.name):
            secrets = resolve_secrets(tenant)
            api = odoo or connecting(tenant, secrets, retry)
            with _sides(config, tenant, secrets, retry, api, progress) as engine:
                yield engine
    finally:
        if odoo is not None:  # a lock held, say: its connect is not waited for
            odoo.close(wait=False)


@contextmanager
def _sides(
    config: Config,
    tenant: TenantConfig,
    secrets: TenantSecrets,
    retry: RetryPolicy,
    api: OdooApi,
    progress: Progress,
) -> Iterator[Engine]:
    woo = woo_client(tenant, secrets, retry)
    try:
        # the write-ahead log is copied back by a thread while the sync waits for Odoo
        with open_audit(config.audit_db, checkpoints="background") as store:
            yield Engine(tenant, woo, OdooWriter(api), store, progress=progress)
    finally:
        api.close()
        woo.close()


@contextmanager
def open_readers(
    config: Config, tenant: TenantConfig, *, retry: RetryPolicy | None = None
) -> Iterator[tuple[WooClient, OdooApi]]:
    """Both clients connected, for reading only: no lock, so a sync may run meanwhile."""
    retry = retry or RetryPolicy()
    secrets = resolve_secrets(tenant)
    woo = woo_client(tenant, secrets, retry)
    try:
        api = odoo_api(tenant, secrets, retry)
        try:
            yield woo, api
        finally:
            api.close()
    finally:
        woo.close()


# Reference data (taxes, accounts, currencies...) a long process reads again after this many
# seconds, so that a currency activated or a tax renamed in Odoo is seen without a restart.
REFERENCE_TTL = 600.0


class KeptSides:
    """A tenant's clients and reference data kept open between runs of one long process.

    The webhook worker drains often; connecting (version, key check) and reading the
    reference data again for each drain would cost more Odoo calls than the invoices. Each
    run still takes the tenant's lock and opens the audit log; after a remote error the
    connections are dropped and made again next time.
    """

    def __init__(self, config: Config, tenant: TenantConfig, retry: RetryPolicy | None = None):
        self.config = config
        self.tenant = tenant
        self.retry = retry or RetryPolicy()
        self._open: tuple[WooClient, OdooApi, OdooWriter, References] | None = None
        self._since = 0.0

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        with tenant_lock(lock_dir(self.config), self.tenant.name):
            woo, _, writer, refs = self._sides()
            try:
                with open_audit(self.config.audit_db) as store:
                    yield Engine(self.tenant, woo, writer, store, refs=refs)
            except RemoteError:
                self.close()
                raise

    def _sides(self) -> tuple[WooClient, OdooApi, OdooWriter, References]:
        if self._open is not None and time.monotonic() - self._since > REFERENCE_TTL:
            woo, api, writer, _ = self._open  # reference data read again now and then
            self._open = (woo, api, writer, References(self.tenant, writer))
            self._since = time.monotonic()
        if self._open is None:
            self._since = time.monotonic()
            secrets = resolve_secrets(self.tenant)
            woo = woo_client(self.tenant, secrets, self.retry)
            api = odoo_api(self.tenant, secrets, self.retry)
            writer = OdooWriter(api)
            self._open = (woo, api, writer, References(self.tenant, writer))
        return self._open

    def close(self) -> None:
        if self._open is not None:
            woo, api, _, _ = self._open
            self._open = None
            api.close()
            woo.close()
