"""Reach both sides of a tenant, log in, and check what a sync relies on: versions, tax
rounding, the Odoo user's rights, the journal, accounts, taxes and currency the config names,
the store's tax rates without a mapping, its currency and its ``modified_after``.

Every problem is a warning naming what to change (exit 1); a side unreachable or refusing the
keys is an error (exit 3), and the other side is still tried, so one run shows everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from wooodoo.config import TenantConfig
from wooodoo.early import odoo_api
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, RemoteRequestError, WooodooError
from wooodoo.http import RetryPolicy
from wooodoo.odoo.choices import TaxChoice, read_sale_tax_choices
from wooodoo.odoo.target import OdooWriter
from wooodoo.ping.odoo_checks import config_problems, rights_problems
from wooodoo.ping.propose import propose_tax, stale_keys, unmapped_rates
from wooodoo.secrets import TenantSecrets, resolve_secrets
from wooodoo.wiring import woo_client
from wooodoo.woo.settings import (
    StoreTaxRate,
    orders_modified_after,
    read_tax_rates,
    store_currency,
)

T = TypeVar("T")


@dataclass
class PingResult:
    tenant: str
    woo_version: str | None = None
    woo_tax_rounding: str | None = None  # "per line" | "at subtotal"
    store_currency: str | None = None
    odoo_version: str | None = None
    odoo_api: str | None = None
    odoo_tax_rounding: str | None = None  # "per line" | "globally"
    checks: int = 0  # checks that ran, passed or not
    warnings: list[str] = field(default_factory=list)  # problems, each naming its fix
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing to fix
    errors: list[WooodooError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings

    @property
    def exit_code(self) -> int:
        if self.errors:
            return max(e.exit_code for e in self.errors)
        return EXIT_RECORDS_FAILED if self.warnings else EXIT_OK

    def step(self, what: str, check: Callable[[], T]) -> T | None:
        """Run one check; a request the remote refuses is a warning, the others go on."""
        self.checks += 1
        try:
            return check()
        except RemoteRequestError as exc:
            self.warnings.append(f"could not check {what}: {exc.message}")
            return None


def ping_tenant(
    tenant: TenantConfig, retry: RetryPolicy | None = None, *, now: datetime | None = None
) -> PingResult:
    """Both sides are tried even when one fails, so one run shows every problem."""
    retry = retry or RetryPolicy(attempts=3, total_seconds=30)
    result = PingResult(tenant.name)
    try:
        secrets = resolve_secrets(tenant)
    except WooodooError as exc:
        result.errors.append(exc)
        return result
    rates = _check_store(tenant, secrets, retry, result, now or datetime.now(UTC))
    taxes = _check_odoo(tenant, secrets, retry, result)
    if rates is not None:
        result.warnings += rate_problems(tenant, rates, taxes)
    if result.woo_tax_rounding == "per line" and result.odoo_tax_rounding == "globally":
        result.notes.append(
            "the shop rounds tax per line and Odoo globally: some invoices will need their tax "
            "adjusted on the draft (sync.tax_adjust, on by default)"
        )
    return result


def _check_store(
    tenant: TenantConfig,
    secrets: TenantSecrets,
    retry: RetryPolicy,
    result: PingResult,
    now: datetime,
) -> list[StoreTaxRate] | None:
    """Versions, currency, tax rates and ``modified_after``; the rates, when they were read."""
    try:
        woo = woo_client(tenant, secrets, retry)
        try:
            info = woo.system_status()
            result.woo_version = info.wc_version
            if info.tax_round_at_subtotal is not None:
                result.woo_tax_rounding = (
                    "at subtotal" if info.tax_round_at_subtotal else "per line"
                )
            result.store_currency = result.step("the store's currency", lambda: store_currency(woo))
            rates = result.step("the store's tax rates", lambda: read_tax_rates(woo))
            tomorrow = now + timedelta(days=1)
            listed = result.step("modified_after", lambda: orders_modified_after(woo, tomorrow))
            if listed:
                result.warnings.append(
                    f"the store ignores modified_after (WooCommerce {info.wc_version}; it came"
                    " in 5.8): changed orders are found only by `wooodoo sync --full`;"
                    " upgrade WooCommerce"
                )
            return rates
        finally:
            woo.close()
    except WooodooError as exc:
        result.errors.append(exc)
        return None


def _check_odoo(
    tenant: TenantConfig, secrets: TenantSecrets, retry: RetryPolicy, result: PingResult
) -> list[TaxChoice] | None:
    """Version, rounding, rights and the config's names; Odoo's sale taxes, when read."""
    try:
        api = odoo_api(tenant, secrets, retry)
        try:
            result.odoo_version = api.version.label
            result.odoo_api = api.api
            rounding = OdooWriter(api).tax_rounding()
            result.odoo_tax_rounding = "per line" if rounding == "round_per_line" else "globally"
            rights = result.step(
                "the Odoo user's rights", lambda: rights_problems(api, tenant.odoo.login)
            )
            taxes = result.step("Odoo's sale taxes", lambda: read_sale_tax_choices(api))
            problems = result.step(
                "the journal, accounts, taxes and currency",
                lambda: config_problems(api, tenant, taxes, result.store_currency),
            )
            result.warnings += [*(rights or []), *(problems or [])]
            return taxes
        finally:
            api.close()
    except WooodooError as exc:
        result.errors.append(exc)
        return None


def rate_problems(
    tenant: TenantConfig, rates: list[StoreTaxRate], taxes: list[TaxChoice] | None
) -> list[str]:
    """Store rates without a mapping (with the tax that fits, when one does), stale keys."""
    problems: list[str] = []
    for rate in unmapped_rates(rates, tenant.sync.taxes):
        tax = propose_tax(rate, taxes) if taxes is not None else None
        fix = f'add `{rate.id}: "{tax.name}"` to' if tax else "map it in"
        problems.append(
            f"store tax rate {rate.describe()} has no mapping: {fix} sync.taxes"
            " (orders taxed at it fail until then)"
        )
    problems += [
        f"sync.taxes.{key}: the store has no tax rate with this id or code: remove it"
        for key in stale_keys(rates, tenant.sync.taxes)
    ]
    return problems
