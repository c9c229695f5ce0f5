"""Builds a tenant's concrete sides from config and secrets: WooCommerce, Odoo, audit, engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wooodoo.audit import open_audit
from wooodoo.config import Config, TenantConfig
from wooodoo.http import RetryPolicy
from wooodoo.odoo.connect import connect
from wooodoo.odoo.protocol import OdooApi
from wooodoo.odoo.target import OdooWriter
from wooodoo.secrets import TenantSecrets, resolve_secrets
from wooodoo.sync import Engine, Progress, no_progress, tenant_lock
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


def odoo_api(tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy) -> OdooApi:
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


def lock_dir(config: Config) -> Path:
    return config.audit_db.parent / "locks"


@contextmanager
def open_tenant(
    config: Config,
    tenant: TenantConfig,
    *,
    progress: Progress = no_progress,
    retry: RetryPolicy | None = None,
) -> Iterator[Engine]:
    """Lock the tenant, resolve its secrets, connect both sides, open the audit store."""
    retry = retry or RetryPolicy()
    with tenant_lock(lock_dir(config), tenant.name):
        secrets = resolve_secrets(tenant)
        woo = woo_client(tenant, secrets, retry)
        api = odoo_api(tenant, secrets, retry)
        try:
            with open_audit(config.audit_db) as store:
                yield Engine(tenant, woo, OdooWriter(api), store, progress=progress)
        finally:
            api.close()
            woo.close()
