"""Credit-note work gathered across a run's batches and made ``sync.batch_size`` at a time.

A batch hands over the orders whose refunds need credit notes (their invoice just posted, or
posted before); their refunds are read and mapped at once, and the credit notes are made when a
full batch of them is waiting, and at the end of the run: a few Odoo calls per hundred credit
notes instead of per batch of orders. Until an order's credit notes exist its link says that
none of its refunds is credited (so a run killed meanwhile finds them again), and the cursor
does not move past the page the order came from (so that run reads the order again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from wooodoo.audit import Link
from wooodoo.sync.context import BatchOutcome, Sides
from wooodoo.sync.credit_notes import CreditNotes
from wooodoo.sync.invoiced import refund_ids
from wooodoo.sync.mapping import InvoicePlan, refund_key
from wooodoo.woo.models import Order

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
        self._done: set[str] = set()  # refund keys credited (now or before)
        self._tried: set[str] = set()  # refund keys that failed this run
        self._held: list[_Held] = [_Held(None)]
        self._released: Cursor | None = None

    @property
    def busy(self) -> bool:
        """Orders wait for credit notes: the cursor must wait for them."""
        return bool(self._waiting)

    def add(self, pending: Sequence[Pending]) -> None:
        """Read and map the new refunds of these orders; make full batches of credit notes."""
        name = self.sides.name
        keys = {p.order.id: [refund_key(name, r.id) for r in p.order.refunds] for p in pending}
        self._done |= set(self.sides.store.links(name, [k for ks in keys.values() for k in ks]))
        for item in pending:
            wanted = [k for k in keys[item.order.id] if k not in self._done]
            if not wanted:
                self._credited(item)
                continue
            for refund in self.sides.woo.refunds_of(item.order.id):
                key = refund_key(name, refund.id)
                new = key in wanted and key not in self._plans
                if new and not self._notes.plan(refund, item.order, item.invoice_id, self._plans):
                    self._tried.add(key)
            self._waiting[item.order.id] = (item, keys[item.order.id])
            self._held[-1].orders.add(item.order.id)
        while self.size is not None and len(self._plans) >= self.size:
            self._make(self.size)
        self._settle_waiting()

    def hold(self, cursor: Cursor | None) -> None:
        """A page is read up to ``cursor``: it may be saved once its orders are credited."""
        self._held[-1].cursor = cursor or self._held[-1].cursor
        self._held.append(_Held(None))
        self._release()

    def finish(self) -> None:
        """Make every credit note still waiting (the end of the run)."""
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
