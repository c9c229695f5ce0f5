"""What a run's batches share (the tenant's sides, its reference data) and what they return."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from wooodoo.audit import Event, Link
from wooodoo.config import TenantConfig
from wooodoo.sync.create_once import CommitWait
from wooodoo.sync.mapping import InvoicePlan, Reference, with_included_twins
from wooodoo.sync.outcome import Stat, Stats
from wooodoo.sync.ports import AuditLog, OdooTarget, ReferenceSpec, WooSource
from wooodoo.sync.twin_sweep import TwinOutcome
from wooodoo.woo.models import Order


class References:
    """The tenant's Odoo reference data, read on first use; products learned SKU by SKU."""

    def __init__(self, tenant: TenantConfig, odoo: OdooTarget) -> None:
        self.tenant = tenant
        self.odoo = odoo
        self._ref: Reference | None = None
        self._skus_asked: set[str] = set()

    def get(self) -> Reference:
        # Read on first use: a run with nothing new costs no Odoo reads.
        if self._ref is None:
            sync = self.tenant.sync
            spec = ReferenceSpec(
                tenant=self.tenant.name,
                taxes=dict(sync.taxes),
                accounts={
                    "products": sync.accounts.products,
                    "shipping": sync.accounts.shipping,
                    "fees": sync.accounts.fees,
                    "refunds": sync.accounts.refunds,
                },
                journal=sync.journal,
                use_products=sync.products == "sku",
            )
            self._ref = with_included_twins(self.odoo.load_reference(spec))
        return self._ref

    @property
    def loaded(self) -> bool:
        return self._ref is not None

    def fingerprint(self) -> str:
        """What a failure of mapping depends on: the config's sync section and the Odoo data
        it was mapped with (products aside: they are learned as orders come)."""
        ref = self.get()
        odoo = (ref.currencies, ref.taxes, ref.accounts, ref.countries, ref.journal_id)
        return f"{config_fingerprint(self.tenant)}:{_digest(repr(odoo))}"

    def learn_products(self, orders: Sequence[Order]) -> None:
        """Odoo products for the SKUs of these orders not asked about yet: one search."""
        ref = self.get()
        skus = {item.sku for o in orders for item in o.line_items if item.sku}
        unknown = sorted(skus - self._skus_asked)
        if not ref.use_products or not unknown:
            return
        self._skus_asked.update(unknown)
        found = self.odoo.products_by_sku(unknown)
        if found:
            self._ref = replace(ref, products_by_sku={**ref.products_by_sku, **found})


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def config_fingerprint(tenant: TenantConfig) -> str:
    """The tenant's ``sync`` section, digested: a failure it caused is retried once it changes."""
    return _digest(repr(tenant.sync))


@dataclass
class BatchOutcome:
    """What became of one batch: audit rows to commit, counts, and (dry run) the plans."""

    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    stats: Stats = field(default_factory=Counter)
    planned: list[InvoicePlan] = field(default_factory=list)
    invoices_created: int = 0

    def add(self, other: BatchOutcome) -> None:
        self.events += other.events
        self.links += other.links
        self.stats.update(other.stats)

    def twins(self, out: TwinOutcome) -> None:
        self.events += out.events
        self.stats[Stat.TWINS_REMOVED] += out.removed
        self.stats[Stat.CONFLICT] += len(out.conflicts)


@dataclass(frozen=True)
class BatchOptions:
    since: date
    dry_run: bool = False
    recreate: bool = False  # replay: make again what a person removed in Odoo
    names_later: bool = False  # a sync: its last poll of Odoo reads the invoices' names


@dataclass(frozen=True)
class Sides:
    """What every batch of one tenant's run works with."""

    tenant: TenantConfig
    woo: WooSource
    odoo: OdooTarget
    store: AuditLog
    refs: References
    wait: CommitWait  # how long a lost create is awaited

    @property
    def name(self) -> str:
        return self.tenant.name
