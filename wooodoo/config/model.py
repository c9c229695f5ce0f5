"""The configuration as frozen dataclasses: what a tenant's sync may rely on once loaded."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from wooodoo.errors import UsageError

TENANT_NAME_RE = re.compile(r"[a-z0-9_-]+")
WOO_STATUSES = (
    *("pending", "processing", "on-hold", "completed"),
    *("cancelled", "refunded", "failed", "checkout-draft"),
)
DEFAULT_STATUSES = ("processing", "completed")

WooAuth = Literal["basic", "query", "oauth1"]
OdooApiChoice = Literal["auto", "xmlrpc", "json2"]
CancelPolicy = Literal["reverse", "flag"]
AmendPolicy = Literal["flag", "reissue"]
RefundTax = Literal["split", "untaxed"]
ProductMatching = Literal["none", "sku"]


@dataclass(frozen=True)
class WooConfig:
    """Where the store is and how to authenticate (the keys themselves are secrets)."""

    url: str  # store root, no trailing slash; the REST API is at <url>/wp-json/wc/v3/
    auth: WooAuth
    ca_bundle: Path | None = None
    timeout: float = 30.0
    per_page: int = 100


@dataclass(frozen=True)
class OdooConfig:
    """The Odoo server; ``database`` None means "discover it" (single-database servers)."""

    url: str
    database: str | None
    login: str
    api: OdooApiChoice = "auto"
    timeout: float = 120.0
    ca_bundle: Path | None = None


@dataclass(frozen=True)
class Accounts:
    """Income account codes; shipping, fees and refunds default to the products account."""

    products: str
    shipping: str
    fees: str
    refunds: str


@dataclass(frozen=True)
class SyncConfig:
    since: dt.date
    accounts: Accounts
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    post: bool = True
    journal: str | None = None
    # WooCommerce tax rate id (as a string) or rate code -> Odoo tax name
    taxes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    products: ProductMatching = "none"
    batch_size: int = 100
    overlap_seconds: int = 300
    tax_adjust: bool = True
    # an order cancelled after its invoice: reverse it (credit note / cancel a draft) or flag it
    on_cancel: CancelPolicy = "reverse"
    # an order whose amounts changed after its invoice was posted: flag it or reissue
    on_amend: AmendPolicy = "flag"
    # WooCommerce payment_method -> Odoo journal code; empty: no payments registered
    payments: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # an amount-only refund's tax: split by the order's gross per rate, or an untaxed line
    refund_tax: RefundTax = "split"


@dataclass(frozen=True)
class TenantConfig:
    name: str
    woocommerce: WooConfig
    odoo: OdooConfig
    sync: SyncConfig


@dataclass(frozen=True)
class Config:
    audit_db: Path
    tenants: dict[str, TenantConfig]  # in file order
    path: Path


def select_tenants(config: Config, names: Sequence[str]) -> list[TenantConfig]:
    """The named tenants in the order given (duplicates once); all of them when none is named."""
    if not names:
        return list(config.tenants.values())
    unknown = [n for n in dict.fromkeys(names) if n not in config.tenants]
    if unknown:
        raise UsageError(
            f"unknown tenant{'s' if len(unknown) > 1 else ''} "
            + ", ".join(repr(n) for n in unknown),
            hint=f"Tenants in {config.path}: {', '.join(config.tenants)}.",
        )
    return [config.tenants[n] for n in dict.fromkeys(names)]
