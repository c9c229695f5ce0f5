"""Payments (``sync.payments``): the shop's cash in Odoo, each payment registered once.

A paid order (``date_paid`` set) whose ``payment_method`` is mapped to a bank or cash journal
gets one inbound payment of its invoice's total, dated the shop's calendar day of
``date_paid``, memo the gateway's ``transaction_id`` (the order number when empty),
reconciled with the invoice: the invoice is paid (``in_payment`` until the bank statement
is matched). A refund the shop paid back through the gateway (``refunded_payment``) gets one
outbound payment of its amount, dated the refund's day, reconciled with its credit note. A
fully refunded order thus ends with its invoice and its credit note each settled by the
cash that moved, and the customer's balance at 0, as in the shop. A refund made by hand
(``refunded_payment`` false) leaves its credit note open: what the customer is owed.

Keys, on the payment's ``payment_reference`` and in the audit links:
``<tenant>/payment/<order id>`` and ``<tenant>/refund-payment/<refund id>``. Odoo is asked
for the keys before creating (a payment left as a draft by a killed run is posted, one
posted but not reconciled is reconciled), and a lost create is awaited as invoices are.
An unmapped method leaves the invoice open and is said once per order (a ``skipped`` event
whose version names the method).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from wooodoo.audit import Event, Link
from wooodoo.sync.context import BatchOutcome, Sides
from wooodoo.sync.create_once import create_once
from wooodoo.sync.mapping import order_key, refund_key
from wooodoo.sync.outcome import Stat
from wooodoo.sync.payment_ports import Payable, PaymentDraft, PaymentFound, PaymentTarget
from wooodoo.woo.models import Order, Refund

SETTLED = "settled"  # a skipped payment's version: nothing to do, ever
BY_HAND = "by hand"


def payment_key(tenant: str, order_id: int) -> str:
    return f"{tenant}/payment/{order_id}"


def refund_payment_key(tenant: str, refund_id: int) -> str:
    return f"{tenant}/refund-payment/{refund_id}"


def memo_of(order: Order) -> str:
    return order.transaction_id or order.number


def order_payment(tenant: str, order: Order, invoice_id: int, journal: str) -> PaymentDraft | None:
    """The inbound payment of a paid order's posted invoice; None when not paid."""
    if order.date_paid is None:
        return None
    return PaymentDraft(
        key=payment_key(tenant, order.id),
        kind="order",
        source_id=str(order.id),
        move_id=invoice_id,
        inbound=True,
        amount=order.total,
        journal=journal,
        date=order.local_date_paid or order.date_paid.date(),
        memo=memo_of(order),
    )


def refund_payment(
    tenant: str, order: Order, refund: Refund, note_id: int, journal: str
) -> PaymentDraft | None:
    """The outbound payment of a refund the gateway paid back; None for a refund by hand."""
    if not refund.refunded_payment:
        return None
    return PaymentDraft(
        key=refund_payment_key(tenant, refund.id),
        kind="refund",
        source_id=str(refund.id),
        move_id=note_id,
        inbound=False,
        amount=refund.amount,
        journal=journal,
        date=refund.local_date_created,
        memo=memo_of(order),
    )


class Payments:
    """The payments of one batch of orders, after their invoices and credit notes."""

    def __init__(self, sides: Sides, out: BatchOutcome) -> None:
        self.sides = sides
        self.out = out
        self.name = sides.name
        self.journals = dict(sides.tenant.sync.payments)

    def run(self, orders: Sequence[Order]) -> None:
        paid = [o for o in orders if o.date_paid is not None]
        if not paid:
            return
        keys = [order_key(self.name, o.id) for o in paid]
        keys += [refund_key(self.name, r.id) for o in paid for r in o.refunds]
        own = [payment_key(self.name, o.id) for o in paid]
        own += [refund_payment_key(self.name, r.id) for o in paid for r in o.refunds]
        store = self.sides.store
        links = {**store.links(self.name, keys + own), **{x.key: x for x in self.out.links}}
        self.links = links
        self.last = store.last_actions(self.name, own)
        drafts: list[PaymentDraft] = []
        for order in paid:
            drafts += self._due(order)
        if drafts:
            self._register(drafts)

    def _done(self, key: str) -> bool:
        if key in self.links:
            return True
        action, version = self.last.get(key, ("", None))
        return action == "skipped" and version in (SETTLED, BY_HAND)

    def _posted(self, key: str) -> int | None:
        link = self.links.get(key)
        ok = link is not None and link.state == "posted" and link.odoo_model == "account.move"
        return link.odoo_id if ok and link else None

    def _due(self, order: Order) -> list[PaymentDraft]:
        invoice = self._posted(order_key(self.name, order.id))
        key = payment_key(self.name, order.id)
        if invoice is None:
            return []
        journal = self.journals.get(order.payment_method)
        if journal is None:
            self._unmapped(order, key)
            return []
        due: list[PaymentDraft] = []
        if not self._done(key):
            draft = order_payment(self.name, order, invoice, journal)
            due += [draft] if draft else []
        open_refunds = [
            r.id
            for r in order.refunds
            if self._posted(refund_key(self.name, r.id)) is not None
            and not self._done(refund_payment_key(self.name, r.id))
        ]
        if open_refunds:  # one WooCommerce read, only while a credited refund is undecided
            for refund in self.sides.woo.refunds_of(order.id):
                if refund.id in open_refunds:
                    due += self._refund(order, refund, journal)
        return due

    def _refund(self, order: Order, refund: Refund, journal: str) -> list[PaymentDraft]:
        note = self._posted(refund_key(self.name, refund.id))
        draft = refund_payment(self.name, order, refund, note or 0, journal)
        if draft is None:
            reason = "refunded by hand in the shop (refunded_payment false): credit note left open"
            self._event(refund_payment_key(self.name, refund.id), refund.id, "skipped", reason)
            self.out.events[-1] = replace(self.out.events[-1], source_version=BY_HAND)
            return []
        return [draft]

    def _unmapped(self, order: Order, key: str) -> None:
        """Said once per order and method: a later run finds the same event and stays quiet."""
        version = f"unmapped:{order.payment_method}"
        if self.last.get(key) == ("skipped", version):
            return
        method = order.payment_method or "(none)"
        reason = f"payment method {method} is not in sync.payments: the invoice stays open"
        self.out.events.append(
            Event("payment", str(order.id), key, "skipped", source_version=version, error=reason)
        )
        self.out.stats[Stat.PAYMENT_UNMAPPED] += 1

    # ------------------------------------------------------------ Odoo

    def _register(self, drafts: list[PaymentDraft]) -> None:
        odoo = self.sides.odoo
        if not isinstance(odoo, PaymentTarget):
            for d in drafts:
                self._failed(d, "this Odoo connection cannot register payments")
            return
        journals = odoo.payment_journals(sorted({d.journal for d in drafts}))
        found = self._found(odoo.find_payments([d.key for d in drafts]))
        payables = odoo.payable_moves([d.move_id for d in drafts if d.key not in found])
        ready: list[tuple[PaymentDraft, dict[str, object]]] = []
        for draft in drafts:
            if draft.key not in found:
                item = self._values(odoo, draft, journals, payables.get(draft.move_id))
                ready += [item] if item else []
        made = create_once(
            ready,
            lambda item: item[0].key,
            lambda items: odoo.create_payments([v for _, v in items]),
            lambda keys: {p.key: p.id for p in odoo.find_payments(keys)},
            self.sides.wait,
        )
        self.out.stats[Stat.IN_DOUBT] += made.unsure
        for (draft, _), reason in made.refused:
            self._failed(draft, reason)
        by_key = {d.key: d for d in drafts}
        todo = [d for d in drafts if d.key in found] + [d for (d, _), _id in made.made]
        unposted = [found[d.key].id for d in todo if d.key in found and not found[d.key].posted]
        odoo.post_payments(unposted + [pid for _, pid in made.made])
        now = self._found(odoo.find_payments([d.key for d in todo]))
        pairs = {p.move_id: by_key[k].move_id for k, p in now.items() if p.move_id}
        refused = odoo.reconcile_payments(pairs)
        for key, payment in now.items():
            refusal = refused.get(payment.move_id or 0)
            if refusal or not payment.posted:
                self._failed(by_key[key], refusal or "the payment was not posted")
                continue
            self._record(by_key[key], payment, adopted=key in found)

    def _found(self, payments: list[PaymentFound]) -> dict[str, PaymentFound]:
        """One payment per key: a posted one before a draft, else the oldest."""
        kept: dict[str, PaymentFound] = {}
        for p in payments:
            if p.key not in kept or (p.posted and not kept[p.key].posted):
                kept[p.key] = p
        return kept

    def _values(
        self,
        odoo: PaymentTarget,
        draft: PaymentDraft,
        journals: dict[str, int],
        payable: Payable | None,
    ) -> tuple[PaymentDraft, dict[str, object]] | None:
        if draft.journal not in journals:
            self._failed(draft, f"journal {draft.journal} is not a bank or cash journal in Odoo")
            return None
        if payable is None or not payable.posted:
            self._failed(draft, f"account.move {draft.move_id} is not posted in Odoo")
            return None
        if not payable.residual:
            self._event(draft.key, draft.source_id, "skipped", "already settled in Odoo")
            self.out.events[-1] = replace(self.out.events[-1], source_version=SETTLED)
            return None
        draft = replace(draft, amount=payable.total)
        return draft, odoo.payment_values(draft, payable, journals[draft.journal])

    def _record(self, draft: PaymentDraft, payment: PaymentFound, *, adopted: bool) -> None:
        action = "linked" if adopted else "created"
        self._event(draft.key, draft.source_id, action, None, payment.id)
        self.out.links.append(
            Link(
                draft.key,
                "payment",
                draft.source_id,
                "account.payment",
                payment.id,
                "posted",
                amounts={"amount": str(draft.amount), "move": str(draft.move_id)},
            )
        )
        self.out.stats[Stat.PAID if draft.inbound else Stat.PAID_BACK] += 1

    def _failed(self, draft: PaymentDraft, reason: str) -> None:
        self._event(draft.key, draft.source_id, "failed", reason)
        self.out.stats[Stat.FAILED] += 1

    def _event(
        self, key: str, source: object, action: str, error: str | None, odoo_id: int | None = None
    ) -> None:
        self.out.events.append(
            Event(
                "payment",
                str(source),
                key,
                action,
                odoo_model="account.payment" if odoo_id else None,
                odoo_id=odoo_id,
                error=error,
            )
        )
