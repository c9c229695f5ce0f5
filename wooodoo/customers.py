"""The customer sweep: registrations since the last run (everyone with ``--full``) → partners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Protocol

from wooodoo.audit import AuditStore
from wooodoo.batching import CommitWait
from wooodoo.odoo.target import OdooTarget
from wooodoo.partners import resolve_partners, wanted_for_customers
from wooodoo.sync.mapping import Reference
from wooodoo.woo.models import Customer

CUSTOMER_CURSOR = "customers"
# WordPress users who run the shop: they are not buyers
STAFF_ROLES = frozenset({"administrator", "shop_manager", "editor", "author", "contributor"})


class CustomerSource(Protocol):
    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[list[Customer]]: ...


class CustomerSweep:
    """Creates or updates the partners of WooCommerce customers, for one tenant and run."""

    def __init__(
        self,
        tenant: str,
        woo: CustomerSource,
        odoo: OdooTarget,
        store: AuditStore,
        ref: Callable[[], Reference],
        *,
        run_id: int | None,
        stats: Counter[str],
        dry_run: bool = False,
        wait: CommitWait | None = None,
    ) -> None:
        self.tenant = tenant
        self.woo = woo
        self.odoo = odoo
        self.store = store
        self.ref = ref  # read on first use: a sweep with nothing new costs no Odoo reads
        self.run_id = run_id
        self.stats = stats
        self.dry_run = dry_run
        self.wait = wait

    def sweep(self, *, mark: datetime, full: bool) -> None:
        """Customers registered after the saved mark, newest first (everyone with ``full``).

        The first run only sets the mark: buyers come with their orders, and ``--full``
        brings in everyone else. ``mark`` becomes the next run's starting point.
        """
        saved = self.store.cursor(self.tenant, CUSTOMER_CURSOR)
        if saved is not None or full:
            after = None if full or saved is None else datetime.fromisoformat(saved)
            for customers in self.woo.iter_customers(role="all", newest_first=after is not None):
                new = [
                    c
                    for c in customers
                    if after is None or c.date_created is None or c.date_created > after
                ]
                self.process([c for c in new if c.email and c.role not in STAFF_ROLES])
                if after is not None and any(
                    c.date_created is not None and c.date_created <= after for c in customers
                ):
                    break  # newest first: the rest registered before the mark
        if not self.dry_run:
            self.store.commit_page(
                self.tenant, self.run_id, [], cursor=(CUSTOMER_CURSOR, mark.isoformat())
            )

    def process(self, customers: Sequence[Customer]) -> None:
        """Partners for these customers: found, created, or updated when their data changed."""
        if not customers:
            return
        ref = self.ref()
        wanted, events = wanted_for_customers(customers, ref)
        self.stats["failed"] += len(events)
        partners = resolve_partners(
            wanted,
            ref,
            self.odoo,
            self.store,
            dry_run=self.dry_run,
            update_known=True,
            wait=self.wait,
        )
        self.stats["in_doubt"] += partners.unsure
        self.stats["failed"] += len(partners.failed)
        self.stats["partners_created"] += sum(1 for e in partners.events if e.action == "created")
        if not self.dry_run:
            self.store.commit_page(
                self.tenant, self.run_id, events + partners.events, partners.links
            )
