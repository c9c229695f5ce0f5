"""Draining the webhook inbox: the store's pushes through the same path as a scheduled sync.

A burst is coalesced: the order ids of up to a page of deliveries are read from WooCommerce in
one request (``include=``) and go to Odoo as one batch, with the same keys, checks and audit
rows as ``sync``. Customers become partners as in the customer sweep. Deletions are recorded,
never acted on. The deliveries' bodies are only a hint: the store is read again, so a late or
repeated delivery never brings back an old version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from wooodoo.audit import Event, InboxItem
from wooodoo.sync.context import BatchOptions, BatchOutcome
from wooodoo.sync.mapping import order_key
from wooodoo.sync.partners import CustomerSweep
from wooodoo.sync.ports import AuditLog, WooSource
from wooodoo.woo.models import Order

ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})
CUSTOMER_TOPICS = frozenset({"customer.created", "customer.updated"})
DELETED_TOPICS = frozenset({"order.deleted", "customer.deleted"})
PAGE = 100  # deliveries (and order ids) taken at a time


@dataclass
class Drained:
    """What became of the deliveries of one round: a note per inbox item, audit events."""

    notes: dict[int, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


def numeric_id(item: InboxItem) -> int | None:
    text = item.resource_id or ""
    return int(text) if text.isdigit() else None


class InboxDrain:
    """One tenant's waiting deliveries, a page at a time, until none is left (bounded)."""

    def __init__(
        self,
        tenant: str,
        woo: WooSource,
        store: AuditLog,
        batch: Callable[[Sequence[Order], BatchOptions], BatchOutcome],
        customers: Callable[[], CustomerSweep],
        options: BatchOptions,
        between: Callable[[], None] = lambda: None,
    ) -> None:
        self.tenant = tenant
        self.between = between  # called between rounds: the receiver may want the CPU
        self.woo = woo
        self.store = store
        self.batch = batch
        self.customers = customers
        self.options = options

    def run(self, run_id: int | None, max_rounds: int = 1000) -> int:
        """Drain; returns how many deliveries were processed."""
        handled = 0
        for _ in range(max_rounds):
            items = self.store.inbox_pending(self.tenant, PAGE)
            if not items:
                break
            drained = self._round(items, run_id)
            self.store.commit_page(self.tenant, run_id, drained.events)
            self.store.inbox_done(self.tenant, drained.notes)
            handled += len(items)
            self.between()
        return handled

    def _round(self, items: list[InboxItem], run_id: int | None) -> Drained:
        out = Drained()
        orders = [i for i in items if i.topic in ORDER_TOPICS and numeric_id(i) is not None]
        customers = [i for i in items if i.topic in CUSTOMER_TOPICS and numeric_id(i) is not None]
        handled = {i.id for i in (*orders, *customers)}
        for item in items:
            if item.topic in DELETED_TOPICS:
                out.notes[item.id] = "deleted in the store: recorded, nothing done in Odoo"
                out.events.append(self._deleted(item))
            elif item.id not in handled:
                out.notes[item.id] = "topic not handled: recorded only"
        if orders:
            self._orders(orders, run_id, out)
        if customers:
            self._customers(customers, out)
        return out

    def _orders(self, items: list[InboxItem], run_id: int | None, out: Drained) -> None:
        ids = sorted({n for n in (numeric_id(i) for i in items) if n is not None})
        found = {o.id: o for o in self.woo.get_orders(ids)}
        done = self.batch(list(found.values()), self.options)
        self.store.commit_page(self.tenant, run_id, done.events, done.links)
        last = {e.key: e for e in done.events}
        for item in items:
            order_id = numeric_id(item)
            if order_id not in found:
                out.notes[item.id] = "order not found in the store"
                continue
            event = last.get(order_key(self.tenant, order_id))
            if found[order_id].local_date_created < self.options.since:
                out.notes[item.id] = "skipped: created before sync.since"
            elif event is None:
                out.notes[item.id] = "no change: invoiced already"
            else:
                out.notes[item.id] = event.action + (f": {event.error}" if event.error else "")

    def _customers(self, items: list[InboxItem], out: Drained) -> None:
        ids = sorted({n for n in (numeric_id(i) for i in items) if n is not None})
        sweep = self.customers()
        for page in self.woo.iter_customers(ids=ids):
            sweep.process(page)
        for item in items:
            out.notes[item.id] = "partner resolved (see the audit events of its key)"

    def _deleted(self, item: InboxItem) -> Event:
        resource = item.topic.partition(".")[0]
        source = item.resource_id or "?"
        return Event(
            resource,
            source,
            f"{self.tenant}/{resource}/{source}",
            "deleted",
            error="deleted in WooCommerce: recorded, nothing done in Odoo",
        )
