"""Cancellations and amendments after invoicing: drafts cancelled, posted invoices reversed.

A cancelled order's draft invoice is cancelled in Odoo (its state read back: over XML-RPC
``button_cancel`` faults after doing the work). A cancelled order's posted invoice gets one
credit note of the whole invoice (key ``<tenant>/cancel/<order id>``). An amended order, under
``sync.on_amend: reissue``, gets a credit note of its invoice (``<tenant>/amend/<id>/<n>``),
then a new invoice with the new amounts (``<tenant>/order/<id>/<n>``, n = 2, 3...); the order's
link moves to the new invoice only once both exist, so a rerun finds both by key.

A reversal copies the invoice's lines as Odoo keeps them (one read for the batch), so its
amounts are the invoice's to the cent; it is checked like every document and never posted when
it differs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wooodoo.audit import Link
from wooodoo.errors import MappingError
from wooodoo.sync.context import BatchOutcome, Sides
from wooodoo.sync.credit_notes import make_documents, with_partners
from wooodoo.sync.invoiced import Checked, amounts_of, order_event, refund_ids
from wooodoo.sync.invoices import Ready, Settled
from wooodoo.sync.mapping import (
    InvoicePlan,
    cancel_key,
    map_order,
    reissue_key,
    reversal_key,
    reversal_plan,
)
from wooodoo.sync.outcome import Stat
from wooodoo.woo.models import Order

MADE = ("posted", "draft")


@dataclass(frozen=True)
class Reversal:
    """One posted invoice to reverse, and what for (a cancellation, or a reissue)."""

    order: Order
    link: Link  # the order's link: its current invoice
    key: str  # the credit note's key
    new: InvoicePlan | None = None  # the invoice that replaces it (reissue)

    @property
    def generation(self) -> int:
        return int((self.link.amounts or {}).get("generation", "1")) + 1


class Reversals:
    """What a batch's cancelled and amended orders need; what became of them goes to ``out``."""

    def __init__(self, sides: Sides, out: BatchOutcome) -> None:
        self.sides = sides
        self.out = out

    def run(self, checked: Checked) -> None:
        self._cancel_drafts(checked.drafts)
        name = self.sides.name
        work = [Reversal(o, link, cancel_key(name, o.id)) for o, link in checked.reversed]
        for order, link in checked.amended:
            item = self._reissue(order, link)
            if item is not None:
                work.append(item)
        if work:
            self._reverse(work)

    # ------------------------------------------------------------ drafts

    def _cancel_drafts(self, pairs: list[tuple[Order, Link]]) -> None:
        if not pairs:
            return
        odoo = self.sides.odoo
        ids = [link.odoo_id for _, link in pairs]
        said = odoo.cancel_invoices(ids)
        states = odoo.read_invoices(ids)  # the truth, whatever the call answered
        for order, link in pairs:
            state = states.get(link.odoo_id)
            if state is not None and state.state == "cancel":
                self._order_event(
                    order, link, "cancelled", "cancelled in the shop: draft cancelled"
                )
                self.out.links.append(
                    replace(link, state="cancelled", source_version=order.version)
                )
                self.out.stats[Stat.CANCELLED] += 1
            else:
                why = f"cancelling its draft invoice failed: {said or 'still not cancelled'}"
                self._order_event(order, link, "failed", why)
                self.out.stats[Stat.FAILED] += 1

    # ------------------------------------------------------------ posted invoices

    def _reissue(self, order: Order, link: Link) -> Reversal | None:
        """The reissue of an amended order, its new invoice mapped first: an order that
        cannot be invoiced keeps its invoice (no credit note without the new invoice)."""
        n = int((link.amounts or {}).get("generation", "1")) + 1
        new_key = reissue_key(self.sides.name, order.id, n)
        try:
            plan = map_order(order, self.sides.refs.get())
        except MappingError as exc:
            self._order_event(order, link, "failed", f"cannot reissue: {exc}", key=new_key)
            self.out.stats[Stat.FAILED] += 1
            return None
        values = {**plan.values, "invoice_origin": new_key}
        new = replace(plan, key=new_key, values=values)
        return Reversal(order, link, reversal_key(self.sides.name, order.id, n), new)

    def _reverse(self, work: list[Reversal]) -> None:
        copies = self.sides.odoo.invoice_copies([w.link.odoo_id for w in work])
        ref = self.sides.refs.get()
        plans: dict[str, InvoicePlan] = {}
        by_key: dict[str, Reversal] = {}
        for item in work:
            copy = copies.get(item.link.odoo_id)
            if copy is None or not copy.lines:
                self._failed(item, "its invoice cannot be read back from Odoo")
                continue
            label = f"{item.order.number} {'cancelled' if item.new is None else 'amended'}"
            # dated the day the shop changed the order (at the earliest, the order's own day)
            day = max(item.order.date_modified.date(), item.order.local_date_created)
            plans[item.key] = reversal_plan(copy, item.key, item.order.id, ref, label, day)
            by_key[item.key] = item
        done = make_documents(self.sides, self.out, plans, _as_is)
        for plan, reason in done.refused:
            self._failed(by_key[plan.key], reason)
        reissues: list[Reversal] = []
        for settled in done.settled:
            item = by_key[settled.plan.key]
            self._record_reversal(item, settled)
            if settled.status in MADE and item.new is not None:
                reissues.append(item)
        if reissues:
            self._new_invoices(reissues)

    def _record_reversal(self, item: Reversal, done: Settled) -> None:
        order, link = item.order, item.link
        action = "created" if done.status in MADE else done.status
        self._document_event(item.key, order, done, action)
        if done.status == "failed":
            return
        kind = "cancel" if item.new is None else "amend"
        self.out.links.append(self._document_link(item.key, kind, order, done))
        if done.status not in MADE:
            self.out.stats[Stat(done.status)] += 1
            return
        self.out.stats[Stat.CREDITED] += 1
        if item.new is None:
            why = f"cancelled in the shop: invoice reversed by credit note {done.name or ''}"
            self._order_event(order, link, "reversed", why.strip())
            amounts = {**(link.amounts or {}), "cancel": item.key}
            self.out.links.append(replace(link, amounts=amounts, source_version=order.version))
            self.out.stats[Stat.REVERSED] += 1

    def _new_invoices(self, items: list[Reversal]) -> None:
        by_key = {item.new.key: item for item in items if item.new is not None}
        plans = {key: item.new for key, item in by_key.items() if item.new is not None}
        orders = {key: item.order for key, item in by_key.items()}

        def ready(todo: list[InvoicePlan]) -> list[Ready]:
            return with_partners(self.sides, self.out, todo, orders)

        done = make_documents(self.sides, self.out, plans, ready, credit_notes=False)
        for plan, reason in done.refused:
            self._failed(by_key[plan.key], reason, key=plan.key)
        for settled in done.settled:
            self._record_reissue(by_key[settled.plan.key], settled)

    def _record_reissue(self, item: Reversal, done: Settled) -> None:
        order, link, key = item.order, item.link, done.plan.key
        action = "created" if done.status in MADE else done.status
        self._document_event(key, order, done, action)
        if done.status == "failed":
            return
        self.out.links.append(self._document_link(key, "reissue", order, done))
        if done.status not in MADE:
            self.out.stats[Stat(done.status)] += 1
            return
        self.out.stats[Stat.INVOICED] += 1
        self.out.stats[Stat.REISSUED] += 1
        why = f"amended in the shop: reissued as {done.name or key}, the old invoice reversed"
        self._order_event(order, link, "reissued", why)
        amounts = {
            **amounts_of(done.plan.expected),
            "tax": str(order.total_tax),
            "total": str(order.total),
            "refunds": refund_ids(order),
            "generation": str(item.generation),
            "replaces": str(link.odoo_id),
        }
        self.out.links.append(
            replace(
                link,
                odoo_id=done.move.id,
                state=done.status,
                odoo_name=done.name,
                source_version=order.version,
                amounts=amounts,
            )
        )

    # ------------------------------------------------------------ audit rows

    def _document_link(self, key: str, kind: str, order: Order, done: Settled) -> Link:
        """The link of a reversal (kind ``cancel``, ``amend``) or a new invoice (``reissue``);
        its events are the order's (kind ``order``), so ``replay`` reads the order again."""
        return Link(
            key,
            kind,
            str(order.id),
            "account.move",
            done.move.id,
            done.status,
            source_version=order.version,
            odoo_name=done.name,
            amounts={"total": str(done.plan.expected.total)},
        )

    def _document_event(self, key: str, order: Order, done: Settled, action: str) -> None:
        self.out.events.append(
            order_event(
                order.id,
                key,
                action,
                source_version=order.version,
                odoo_model="account.move",
                odoo_id=done.move.id,
                odoo_name=done.name,
                error=done.reason,
            )
        )

    def _order_event(
        self, order: Order, link: Link, action: str, why: str, *, key: str | None = None
    ) -> None:
        # like "refunded" and "conflict" rows, the row's text says what happened and why
        self.out.events.append(
            order_event(
                order.id,
                key or link.key,
                action,
                source_version=order.version,
                odoo_model=link.odoo_model,
                odoo_id=link.odoo_id,
                odoo_name=link.odoo_name,
                error=why,
            )
        )

    def _failed(self, item: Reversal, reason: str, *, key: str | None = None) -> None:
        self._order_event(item.order, item.link, "failed", reason, key=key or item.key)
        self.out.stats[Stat.FAILED] += 1


def _as_is(plans: list[InvoicePlan]) -> list[Ready]:
    """A reversal's values carry the invoice's partner already."""
    return [(plan, plan.values) for plan in plans]
