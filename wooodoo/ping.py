"""Reach both sides of a tenant, authenticate, and report versions, API and tax rounding."""

from __future__ import annotations

from dataclasses import dataclass, field

from wooodoo.config import TenantConfig
from wooodoo.errors import WooodooError
from wooodoo.http import RetryPolicy
from wooodoo.odoo.target import OdooWriter
from wooodoo.secrets import resolve_secrets
from wooodoo.wiring import odoo_api, woo_client


@dataclass
class PingResult:
    tenant: str
    woo_version: str | None = None
    woo_tax_rounding: str | None = None  # "per line" | "at subtotal"
    odoo_version: str | None = None
    odoo_api: str | None = None
    odoo_tax_rounding: str | None = None  # "per line" | "globally"
    warnings: list[str] = field(default_factory=list)
    errors: list[WooodooError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return max((e.exit_code for e in self.errors), default=0)


def ping_tenant(tenant: TenantConfig, retry: RetryPolicy | None = None) -> PingResult:
    """Both sides are tried even when one fails, so one run shows every problem."""
    retry = retry or RetryPolicy(attempts=3, total_seconds=30)
    result = PingResult(tenant.name)
    try:
        secrets = resolve_secrets(tenant)
    except WooodooError as exc:
        result.errors.append(exc)
        return result
    try:
        woo = woo_client(tenant, secrets, retry)
        try:
            info = woo.system_status()
        finally:
            woo.close()
        result.woo_version = info.wc_version
        if info.tax_round_at_subtotal is not None:
            result.woo_tax_rounding = "at subtotal" if info.tax_round_at_subtotal else "per line"
        if not info.supports_modified_after:
            result.warnings.append(
                f"WooCommerce {info.wc_version} has no modified_after filter (5.8+): "
                "changed orders are found only by a full re-read; please upgrade"
            )
    except WooodooError as exc:
        result.errors.append(exc)
    try:
        api = odoo_api(tenant, secrets, retry)
        try:
            result.odoo_version = api.version.label
            result.odoo_api = api.api
            rounding = OdooWriter(api).tax_rounding()
            result.odoo_tax_rounding = "per line" if rounding == "round_per_line" else "globally"
        finally:
            api.close()
    except WooodooError as exc:
        result.errors.append(exc)
    if result.woo_tax_rounding == "per line" and result.odoo_tax_rounding == "globally":
        result.warnings.append(
            "the shop rounds tax per line and Odoo globally: some invoices will need their tax "
            "adjusted on the draft (sync.tax_adjust, on by default)"
        )
    return result
