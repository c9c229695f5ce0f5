"""Credit-note work gathered across a run's batches and made ``sync.batch_size`` at a time.

A batch hands over the orders whose refunds need credit notes (their invoice just posted, or
posted before). Their refunds' details are not read at once: the orders wait until enough
refunds wait to fill a batch of credit notes (and at the end of the run), then the refunds of
as many as one request holds are read at once (``WooSource.refunds_of_orders``: on WooCommerce
9.0+ one request per 100 refunds, below one per order), mapped, and made into credit notes (a
batch a little short of ``sync.batch_size`` rather than a second request): a few Odoo calls
per hundred credit notes instead of per batch of orders. Until an order's credit notes
exist its link says that none of its refunds is credited (so a run killed meanwhile finds them
again), and the cursor does not move past the page the order came from (so that run reads the
order again). An order whose refunds the store will not give fails alone: one ``failed`` row
per refund, retried later; the other orders go on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from wooodoo.audit import Link
from wooodoo.sync.context import BatchOutcome, Sides
from wooodoo.sync.credit_notes import CreditNotes
from wooodoo.sync.invoiced import refund_ids
from wooodoo.sync.mapping import InvoicePlan, refund_key
from wooodoo.woo.models import Order
from wooodoo.woo.refunds import IDS_PER_REQUEST as REFUNDS_PER_READ

log = logging.getLogger(__name__)

MADE = ("posted", "draft")
Cursor = tuple[str, str]  # the cursor's name and value, as the audit log keeps it


@dataclass(frozen=True)
class Pending:
    """An order with refunds to credit: its invoice, and its link to update once credited."""

    order: Order
    invoice_id: int
    link: Link


@dataclass
class _Held:
    cursor: Cursor | None
    orders: set[int] = field(default_factory=set)  # pending orders read up to this cursor


class CreditQueue:
    """One run's credit notes; ``size``: how many make one Odoo batch (None: all at once)."""

    def __init__(self, sides: Sides, size: int | None = None) -> None:
        self.sides = sides
        self.size = size
        self.out = BatchOutcome()  # rows not handed out yet (``take``)
        self._notes = CreditNotes(sides, self.out)
        self._plans: dict[str, tuple[InvoicePlan, Order]] = {}
        self._waiting: dict[int, tuple[Pending, list[str]]] = {}  # order id -> its refund keys
        self._unread: dict[int, tuple[Pending, list[int]]] = {}  # order id -> refund ids to read
        self._done: set[str] = set()  # refund keys credited (now or before)
        self._tried: set[str] = set()  # refund keys that failed this run
        self._held: list[_Held] = [_Held(None)]
        self._released: Cursor | None = None

    @property
    def busy(self) -> bool:
        """Orders wait for credit notes: the cursor must wait for them."""
        return bool(self._waiting)

    def add(self, pending: Sequence[Pending]) -> None:
        """Keep these orders waiting for their new refunds; read, map and make full batches."""
        name = self.sides.name
        keys = {p.order.id: [refund_key(name, r.id) for r in p.order.refunds] for p in pending}
        self._done |= set(self.sides.store.links(name, [k for ks in keys.values() for k in ks]))
        for item in pending:
            order = item.order
            wanted = [r.id for r in order.refunds if refund_key(name, r.id) not in self._done]
            if not wanted:
                self._credited(item)
                continue
            self._unread[order.id] = (item, wanted)
            self._waiting[order.id] = (item, keys[order.id])
            self._held[-1].orders.add(order.id)
        unread = sum(len(ids) for _, ids in self._unread.values())
        if self.size is not None and len(self._plans) + unread >= self.size:
            self._read(self._fitting(self.size))
            while self._plans:  # the last batch may be smaller: what the read gave
                self._make(self.size)
        self._settle_waiting()

    def hold(self, cursor: Cursor | None) -> None:
        """A page is read up to ``cursor``: it may be saved once its orders are credited."""
        self._held[-1].cursor = cursor or self._held[-1].cursor
        self._held.append(_Held(None))
        self._release()

    def finish(self) -> None:
        """Make every credit note still waiting (the end of the run)."""
        self._read()
        while self._plans:
            self._make(self.size or len(self._plans))
        self._settle_waiting()
        self._waiting.clear()  # failed ones: their links still say "not credited"
        for held in self._held:
            held.orders.clear()
        self._release()

    def take(self) -> tuple[BatchOutcome, Cursor | None]:
        """The audit rows made since the last take, and a cursor now safe to save."""
        out, self.out = self.out, BatchOutcome()
        self._notes.out = self.out
        cursor, self._released = self._released, None
        return out, cursor

    def _fitting(self, size: int) -> list[int]:
        """Orders waiting for their refunds, as many as one read fills in the requests that
        ``size`` refunds need (the store gives ``REFUNDS_PER_READ`` a request); one at least."""
        room = REFUNDS_PER_READ * max(1, -(-size // REFUNDS_PER_READ))
        chosen: list[int] = []
        for order_id, (_, ids) in self._unread.items():
            if not chosen or len(ids) <= room:
                chosen.append(order_id)
                room -= len(ids)
        return chosen

    def _read(self, order_ids: Sequence[int] | None = None) -> None:
        """The refunds of these orders waiting for them (None: all), read at once, mapped."""
        chosen = list(self._unread) if order_ids is None else list(order_ids)
        unread = {oid: self._unread.pop(oid) for oid in chosen}
        if not unread:
            return
        got = self.sides.woo.refunds_of_orders({oid: ids for oid, (_, ids) in unread.items()})
        name = self.sides.name
        for order_id, (item, ids) in unread.items():
            keys = {refund_key(name, i): i for i in ids}
            if order_id in got.failed:
                for key, refund_id in keys.items():
                    self._notes.unreadable(refund_id, item.order, got.failed[order_id])
                    self._tried.add(key)
                continue
            found = got.found.get(order_id, [])
            for refund in found:
                key = refund_key(name, refund.id)
                if key in self._plans or key in self._done:
                    continue
                if not self._notes.plan(refund, item.order, item.invoice_id, self._plans):
                    self._tried.add(key)
            returned = {refund_key(name, r.id) for r in found}
            missing = [k for k in keys if k not in returned and k not in self._done]
            if missing:  # gone from the store since the order was read: the next run looks again
                log.info("order %s: the store did not return refunds %s", order_id, missing)
                self._tried |= set(missing)

    def _make(self, size: int) -> None:
        chunk = dict(list(self._plans.items())[:size])
        for key in chunk:
            del self._plans[key]
        status = self._notes.make(chunk)
        self._done |= {k for k, s in status.items() if s in MADE}
        self._tried |= {k for k in chunk if status.get(k) not in MADE}

    def _settle_waiting(self) -> None:
        for order_id, (item, keys) in list(self._waiting.items()):
            if all(k in self._done for k in keys):
                self._credited(item)
            elif not all(k in self._done or k in self._tried for k in keys):
                continue  # still waiting for a batch
            del self._waiting[order_id]
        self._release()

    def _credited(self, item: Pending) -> None:
        amounts = {**(item.link.amounts or {}), "refunds": refund_ids(item.order)}
        self.out.links.append(
            replace(item.link, amounts=amounts, source_version=item.order.version)
        )

    def _release(self) -> None:
        """Save the cursor of every page read whose orders are all credited (or failed)."""
        while len(self._held) > 1 and not (self._held[0].orders & set(self._waiting)):
            done = self._held.pop(0)
            self._released = done.cursor or self._released
