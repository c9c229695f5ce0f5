"""One batch of orders into Odoo: sort, map, find, create, settle; the outcome as a value."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from wooodoo.audit import Link
from wooodoo.errors import MappingError
from wooodoo.sync.context import BatchOptions, BatchOutcome, Sides
from wooodoo.sync.credit_queue import CreditQueue, Pending
from wooodoo.sync.invoiced import Checked, amounts_of, check_invoiced, order_event, refund_ids
from wooodoo.sync.invoices import Settled, create_invoices, create_values, settle, totals
from wooodoo.sync.mapping import (
    InvoicePlan,
    Reference,
    map_orders,
    order_key,
    partner_key_for_order,
)
from wooodoo.sync.outcome import Stat
from wooodoo.sync.partners import resolve_partners, wanted_for_orders
from wooodoo.sync.payments import Payments
from wooodoo.sync.ports import MoveState
from wooodoo.sync.reversals import Reversals
from wooodoo.sync.twin_sweep import TwinOutcome, settle_moves
from wooodoo.woo.models import Order
from wooodoo.woo.snapshot import order_snapshot

INVOICED = ("posted", "draft")
REMOVED = ("deleted", "cancelled")  # by a person in Odoo (or a draft wooodoo cancelled)


class OrderBatch:
    """Invoices the orders of one batch; never edits a posted invoice, never makes one twice."""

    def __init__(
        self, sides: Sides, *, run_id: int | None, credits: CreditQueue | None = None
    ) -> None:
        """``credits``: the run's credit notes, made in batches of their own (None: now)."""
        self.sides = sides
        self.run_id = run_id
        self.credits = credits
        self.out = BatchOutcome()
        self._set_at_create: set[str] = set()  # keys whose create carried the shop's tax
        self._posted_with_refunds: list[tuple[Order, int]] = []  # invoiced now, refunded already
        self._refunded: list[tuple[Order, Link]] = []  # invoiced before, refunded since
        self._checked = Checked()  # invoiced before: what cancellations and amendments need

    def run(self, orders: Sequence[Order], options: BatchOptions) -> BatchOutcome:
        if not orders:
            return self.out
        keys = [order_key(self.sides.name, o.id) for o in orders]
        local = self.sides.store.links(self.sides.name, keys)
        todo = self._sort(orders, local, options.since, options.recreate)
        plans, found = self._plans_and_invoices(todo)
        by_id = {o.id: o for o in todo}
        if options.dry_run:
            self._dry_run(plans, found, by_id)
            return self.out
        linked = {k: link.odoo_id for k, link in local.items() if link.odoo_model == "account.move"}
        kept, twins = settle_moves(self.sides.odoo, found, linked)
        adopted = self._adopt(plans, kept, twins, by_id)
        created = self._create([p for p in plans if p.key not in kept], by_id)
        self._settle(created + adopted, by_id, options.names_later)
        self.out.invoices_created = len(created)
        self._credit()
        Reversals(self.sides, self.out).run(self._checked)
        if self.sides.tenant.sync.payments:  # the cash, once the documents are posted
            Payments(self.sides, self.out).run(orders)
        return self.out

    def _credit(self) -> None:
        """Credit notes for the new refunds of posted invoices: those just made, then older ones.

        An order's link says which refunds are credited: none, until its credit notes exist
        (the run's ``CreditQueue`` may make them batches later); an order whose refunds are not
        all credited is looked at again next time.
        """
        fresh = {order_key(self.sides.name, o.id) for o, _ in self._posted_with_refunds}
        self.out.links = [
            replace(link, amounts={**(link.amounts or {}), "refunds": ""})
            if link.key in fresh
            else link
            for link in self.out.links
        ]
        links = {link.key: link for link in self.out.links}
        pending = [
            Pending(o, inv, links[order_key(self.sides.name, o.id)])
            for o, inv in self._posted_with_refunds
        ] + [Pending(o, link.odoo_id, link) for o, link in self._refunded]
        if not pending:
            return
        # Payments of refunds follow their credit notes within the batch: with payments on,
        # credit notes are made per batch (no run-wide queue), as for replay and webhooks.
        shared = None if self.sides.tenant.sync.payments else self.credits
        queue = shared or CreditQueue(self.sides)
        queue.add(pending)
        if shared is None:  # made now
            queue.finish()
            self.out.add(queue.take()[0])

    def _failed(self, order: Order, reason: str, fingerprint: str | None = None) -> None:
        """``fingerprint``: a cause only a change of the config or Odoo can fix. The event keeps
        the order as read (``replay --from-snapshot``, once the store has lost it)."""
        key = order_key(self.sides.name, order.id)
        self.out.events.append(
            order_event(
                order.id,
                key,
                "failed",
                source_version=order.version,
                error=reason,
                fingerprint=fingerprint,
                payload={"order": order_snapshot(order)},
            )
        )
        self.out.stats[Stat.FAILED] += 1

    def _sort(
        self,
        orders: Sequence[Order],
        local: Mapping[str, Link],
        since: date,
        recreate: bool = False,
    ) -> list[Order]:
        """The orders to invoice; the rest are checked (invoiced) or skipped (their status)."""
        statuses = set(self.sides.tenant.sync.statuses)
        todo: list[Order] = []
        passed: list[tuple[Order, str]] = []
        invoiced: list[tuple[Order, Link]] = []
        for order in orders:
            key = order_key(self.sides.name, order.id)
            link = local.get(key)
            # a draft left as a mismatch is looked at again (replay, or a later sync), unless
            # its order is cancelled: then the draft is cancelled
            cancelled = order.status == "cancelled"
            if link is not None and link.state in REMOVED and recreate:
                link = None  # replay: what a person removed in Odoo is made again
            if link is not None and (link.state != "mismatch" or cancelled):
                invoiced.append((order, link))
            elif order.local_date_created < since:
                self.out.stats[Stat.BEFORE_SINCE] += 1
            elif order.status in statuses or (order.status == "refunded" and order.date_paid):
                todo.append(order)  # a paid order refunded in full: its sale and its refund
            else:
                passed.append((order, key))
        checked = check_invoiced(invoiced, self.sides.tenant.sync)
        self._refunded = checked.refunded
        self._checked = checked
        self.out.events += checked.events
        self.out.links += checked.links
        self.out.stats.update(checked.stats)
        self._skipped(passed)
        return todo

    def _skipped(self, passed: list[tuple[Order, str]]) -> None:
        """An order in a status that is not invoiced leaves one "skipped" row per version."""
        last = (
            self.sides.store.last_actions(self.sides.name, [key for _, key in passed])
            if passed
            else {}
        )
        for order, key in passed:
            self.out.stats[Stat.SKIPPED] += 1
            if last.get(key) != ("skipped", order.version):
                self.out.events.append(
                    order_event(
                        order.id,
                        key,
                        "skipped",
                        source_version=order.version,
                        error=f"status {order.status} is not invoiced",
                    )
                )

    def _plans_and_invoices(
        self, todo: Sequence[Order]
    ) -> tuple[list[InvoicePlan], list[MoveState]]:
        """The orders' plans, and the invoices Odoo has for their keys. The orders are mapped
        in a thread of their own while Odoo looks the keys up: the mapping's CPU (the batch's
        largest share) and the call's round trip overlap."""
        if not todo:
            return [], []
        self.sides.refs.learn_products(todo)  # an Odoo call of its own: before, not beside
        ref = self.sides.refs.get()
        keys = [order_key(self.sides.name, o.id) for o in todo]  # a plan's key is its order's
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wooodoo-map") as mapper:
            mapping = mapper.submit(_map_once_the_lookup_left, todo, ref)
            found = self.sides.odoo.find_invoices(keys)
            plans, refused = mapping.result()
        for order, reason in refused:
            self._failed(order, reason, self.sides.refs.fingerprint())
        planned = {p.key for p in plans}
        return plans, [m for m in found if m.key in planned]

    def _dry_run(
        self, plans: list[InvoicePlan], found: Sequence[MoveState], orders: Mapping[int, Order]
    ) -> None:
        existing = {m.key for m in found}
        new_plans = [p for p in plans if p.key not in existing]
        self.out.planned += new_plans
        self.out.stats[Stat.WOULD_CREATE] += len(new_plans)
        self.out.stats[Stat.UNCHANGED] += len(plans) - len(new_plans)
        ref = self.sides.refs.get()
        wanted: dict[str, dict[str, Any]] = {}
        for plan in new_plans:
            try:
                wanted.update(wanted_for_orders([orders[plan.order_id]], ref))
            except MappingError:
                continue  # the order would fail; its plan says why
        partners = resolve_partners(wanted, ref, self.sides.odoo, self.sides.store, dry_run=True)
        self.out.stats[Stat.PARTNERS_WOULD_CREATE] += sum(
            1 for e in partners.events if e.action == "would_create"
        )

    def _adopt(
        self,
        plans: Iterable[InvoicePlan],
        kept: Mapping[str, MoveState],
        twins: TwinOutcome,
        orders: Mapping[int, Order],
    ) -> list[tuple[InvoicePlan, MoveState]]:
        """Invoices Odoo already has for these plans, twins settled; two posted: a conflict."""
        self.out.twins(twins)
        adopted: list[tuple[InvoicePlan, MoveState]] = []
        for plan in plans:
            move = kept.get(plan.key)
            if move is None:
                continue
            if plan.key not in twins.conflicts:
                adopted.append((plan, move))
                continue
            order = orders[plan.order_id]
            state = "posted" if move.state == "posted" else "draft"
            self.out.links.append(
                Link(
                    plan.key,
                    "order",
                    str(order.id),
                    "account.move",
                    move.id,
                    "conflict",
                    source_version=order.version,
                    odoo_name=move.name,
                    amounts={"state": state},
                )
            )
        return adopted

    def _partners(self, plans: list[InvoicePlan], orders: Mapping[int, Order]) -> dict[str, int]:
        """The partner id of each plan that can go ahead, by the plan's key."""
        ref = self.sides.refs.get()
        wanted: dict[str, dict[str, Any]] = {}
        good: list[InvoicePlan] = []
        for plan in plans:
            try:
                wanted.update(wanted_for_orders([orders[plan.order_id]], ref))
                good.append(plan)
            except MappingError as exc:
                self._failed(orders[plan.order_id], str(exc))
        partners = resolve_partners(
            wanted, ref, self.sides.odoo, self.sides.store, wait=self.sides.wait
        )
        self.out.stats[Stat.IN_DOUBT] += partners.unsure
        self.out.events += partners.events
        created = sum(1 for e in partners.events if e.action == "created")
        self.out.stats[Stat.PARTNERS_CREATED] += created
        self.sides.store.commit_page(self.sides.name, self.run_id, [], partners.links)
        ids: dict[str, int] = {}
        for plan in good:
            order = orders[plan.order_id]
            pkey = partner_key_for_order(self.sides.name, order)
            if pkey in partners.failed:
                self._failed(order, f"partner: {partners.failed[pkey]}")
            else:
                ids[plan.key] = partners.ids[pkey]
        return ids

    def _create(
        self, plans: list[InvoicePlan], orders: Mapping[int, Order]
    ) -> list[tuple[InvoicePlan, MoveState]]:
        if not plans:
            return []
        partner_ids = self._partners(plans, orders)
        ready = [(p, self._values(p, partner_ids[p.key])) for p in plans if p.key in partner_ids]
        done = create_invoices(self.sides.odoo, ready, self.sides.wait)
        self.out.stats[Stat.IN_DOUBT] += done.unsure
        for plan, reason in done.refused:
            self._failed(orders[plan.order_id], reason)
        # Read back by key, not by id: a late twin from a call whose client had gone may have
        # landed meanwhile; one invoice per key stays, and that is the one checked and posted.
        made = [plan for plan, _ in done.made]
        kept, twins = settle_moves(
            self.sides.odoo, self.sides.odoo.find_invoices([p.key for p in made]), {}
        )
        return self._adopt(made, kept, twins, orders)

    def _values(self, plan: InvoicePlan, partner_id: int) -> dict[str, Any]:
        tax_adjust = self.sides.tenant.sync.tax_adjust
        values, carried = create_values(self.sides.odoo, plan, partner_id, tax_adjust=tax_adjust)
        if carried:
            self._set_at_create.add(plan.key)
            self.out.stats[Stat.TAX_TOTALS_AT_CREATE] += 1
        return values

    def _settle(
        self,
        moves: list[tuple[InvoicePlan, MoveState]],
        orders: Mapping[int, Order],
        names_later: bool,
    ) -> None:
        """Check, adjust and post the batch's drafts; record what became of each."""
        sync = self.sides.tenant.sync
        settled = settle(
            self.sides.odoo,
            moves,
            post=sync.post,
            tax_adjust=sync.tax_adjust,
            names_later=names_later,
        )
        for done in settled:
            self._record(done, orders[done.plan.order_id])

    def _record(self, done: Settled, order: Order) -> None:
        action = "created" if done.status in INVOICED else done.status
        about = {
            "source_version": order.version,
            "odoo_model": "account.move",
            "odoo_id": done.move.id,
            "odoo_name": done.name,
        }
        payload = {
            "expected": amounts_of(done.plan.expected),
            "odoo": amounts_of(totals(done.move)),
            "state": done.status,
            "currency": order.currency,
        }
        self.out.events.append(
            order_event(
                order.id, done.plan.key, action, error=done.reason, payload=payload, **about
            )
        )
        if order.refunds and done.status == "posted":
            # refunded before it was invoiced: the invoice first, then its credit notes
            self._posted_with_refunds.append((order, done.move.id))
        elif order.refunds and done.status == "draft":
            total = sum((r.total for r in order.refunds), Decimal(0))
            reason = f"refunded ({-total}) but its invoice is a draft: no credit note yet"
            self.out.events.append(
                order_event(order.id, done.plan.key, "refunded", error=reason, **about)
            )
            self.out.stats[Stat.REFUNDED] += 1
        if done.status != "failed":
            self.out.links.append(self._link(done, order))
        self.out.stats[Stat.INVOICED if action == "created" else Stat(done.status)] += 1
        # once per invoice, whether the create carried it or a later write did
        adjusted = done.tax_adjusted or done.plan.key in self._set_at_create
        self.out.stats[Stat.TAX_ADJUSTED] += adjusted and done.status in INVOICED
        # a write after the read-back: on 13-15 always, on 16+ only where the mapping's
        # prediction of Odoo's own rounding was wrong (each costs one more call)
        self.out.stats[Stat.TAX_ADJUSTED_AFTER_READ] += done.tax_adjusted

    def _link(self, done: Settled, order: Order) -> Link:
        return Link(
            done.plan.key,
            "order",
            str(order.id),
            "account.move",
            done.move.id,
            done.status,
            source_version=order.version,
            odoo_name=done.name,
            amounts={
                "untaxed": str(done.plan.expected.untaxed),
                "tax": str(order.total_tax),
                "total": str(order.total),
                "refunds": refund_ids(order),
                "currency": order.currency,
            },
        )


# A thread holds the interpreter until it blocks or 5 ms pass (sys.getswitchinterval): the
# mapping, started first, kept the lookup from being sent for up to that long in each batch.
LOOKUP_HEAD_START = 0.001


def _map_once_the_lookup_left(
    orders: Sequence[Order], ref: Reference
) -> tuple[list[InvoicePlan], list[tuple[Order, str]]]:
    """``map_orders``, after a millisecond's pause that lets the lookup's request go out (it
    needs well under a millisecond of the interpreter, then waits on the network)."""
    time.sleep(LOOKUP_HEAD_START)
    return map_orders(orders, ref)
