"""What ``wooodoo init`` reads from both sides of a new tenant to propose its config."""

from __future__ import annotations

from dataclasses import dataclass

from wooodoo.config import TenantConfig
from wooodoo.early import odoo_api
from wooodoo.http import RetryPolicy
from wooodoo.odoo.choices import (
    AccountChoice,
    JournalChoice,
    TaxChoice,
    read_account_choices,
    read_journals,
    read_sale_tax_choices,
)
from wooodoo.secrets import TenantSecrets
from wooodoo.wiring import woo_client
from wooodoo.woo.settings import StoreTaxRate, read_tax_rates, store_currency


@dataclass(frozen=True)
class Discovery:
    woo_version: str
    store_currency: str | None
    rates: list[StoreTaxRate]
    odoo_version: str
    odoo_api: str
    taxes: list[TaxChoice]
    journals: list[JournalChoice]
    accounts: list[AccountChoice]


def discover(tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy) -> Discovery:
    """Log in to both sides and read what a proposal needs; RemoteError when a side fails."""
    woo = woo_client(tenant, secrets, retry)
    try:
        version = woo.system_status().wc_version
        currency = store_currency(woo)
        rates = read_tax_rates(woo)
    finally:
        woo.close()
    api = odoo_api(tenant, secrets, retry)
    try:
        return Discovery(
            woo_version=version,
            store_currency=currency,
            rates=rates,
            odoo_version=api.version.label,
            odoo_api=api.api,
            taxes=read_sale_tax_choices(api),
            journals=read_journals(api),
            accounts=read_account_choices(api),
        )
    finally:
        api.close()
