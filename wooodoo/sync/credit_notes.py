"""Refunds as credit notes: made in batches (``credit_queue``), never twice, to the cent.

Each WooCommerce refund of an invoiced order becomes one posted ``out_refund`` with the key
``<tenant>/refund/<id>``, reversing the order's invoice (``reversed_entry_id``). The store is
asked for an order's refunds only when its own refund list shows one wooodoo has not credited,
and then for many orders at once (``credit_queue``).
Credit notes go through the same path as invoices: looked up by key first (twins settled),
created in one call (a lost call awaited), read back by key, compared with the refund's amount,
the tax set to the shop's where Odoo rounds otherwise, posted; a difference is never posted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wooodoo.audit import Event, Link
from wooodoo.errors import MappingError
from wooodoo.sync.context import BatchOutcome, Sides
from wooodoo.sync.invoices import Ready, Settled, create_invoices, create_values, settle
from wooodoo.sync.mapping import InvoicePlan, map_refund, partner_key_for_order, refund_key
from wooodoo.sync.outcome import Stat
from wooodoo.sync.partners import resolve_partners, wanted_for_orders
from wooodoo.sync.twin_sweep import TwinOutcome, settle_moves
from wooodoo.woo.models import Order, Refund


@dataclass
class Documents:
    """What became of a set of plans: settled (posted, draft, mismatch, failed) or refused."""

    settled: list[Settled] = field(default_factory=list)
    refused: list[tuple[InvoicePlan, str]] = field(default_factory=list)


def make_documents(
    sides: Sides,
    out: BatchOutcome,
    plans: Mapping[str, InvoicePlan],
    ready: Callable[[list[InvoicePlan]], list[Ready]],
    *,
    credit_notes: bool = True,
) -> Documents:
    """Plans by key into posted documents: looked up by key (twins settled), what is missing
    created in one call (``ready`` gives its values), read back by key, checked, posted."""
    odoo = sides.odoo
    find = odoo.find_credit_notes if credit_notes else odoo.find_invoices
    kept, twins = settle_moves(odoo, find(list(plans)), {})
    out.twins(twins)
    new = [plan for key, plan in plans.items() if key not in kept]
    made = create_invoices(odoo, ready(new) if new else [], sides.wait, credit_notes=credit_notes)
    out.stats[Stat.IN_DOUBT] += made.unsure
    made_keys = [plan.key for plan, _ in made.made]
    again, twins = settle_moves(odoo, find(made_keys), {}) if made_keys else ({}, TwinOutcome())
    out.twins(twins)
    moves = [(plans[key], move) for key, move in {**kept, **again}.items() if key in plans]
    sync = sides.tenant.sync
    settled = settle(odoo, moves, post=sync.post, tax_adjust=sync.tax_adjust)
    return Documents(settled, list(made.refused))


def with_partners(
    sides: Sides, out: BatchOutcome, plans: list[InvoicePlan], orders: Mapping[str, Order]
) -> list[Ready]:
    """Create values with the order's partner (linked already: no Odoo call); ``orders`` by
    plan key. A plan whose partner cannot be had is left out (its order failed already)."""
    if not plans:
        return []
    ref = sides.refs.get()
    wanted: dict[str, dict[str, Any]] = {}
    for plan in plans:
        wanted.update(wanted_for_orders([orders[plan.key]], ref))
    partners = resolve_partners(wanted, ref, sides.odoo, sides.store, wait=sides.wait)
    ready: list[Ready] = []
    for plan in plans:
        pkey = partner_key_for_order(sides.name, orders[plan.key])
        if pkey in partners.ids and pkey not in partners.failed:
            values, carried = create_values(
                sides.odoo, plan, partners.ids[pkey], tax_adjust=sides.tenant.sync.tax_adjust
            )
            out.stats[Stat.TAX_TOTALS_AT_CREATE] += carried
            ready.append((plan, values))
    return ready


class CreditNotes:
    """Refunds mapped (``plan``) and made (``make``); what became of them goes to ``out``.
    ``CreditQueue`` decides which refunds and when."""

    def __init__(self, sides: Sides, out: BatchOutcome) -> None:
        self.sides = sides
        self.out = out

    def plan(
        self,
        refund: Refund,
        order: Order,
        invoice_id: int,
        plans: dict[str, tuple[InvoicePlan, Order]],
    ) -> bool:
        """Map one refund into ``plans``; False (and a ``failed`` row) when it cannot be."""
        try:
            untaxed = self.sides.tenant.sync.refund_tax == "untaxed"
            plan = map_refund(refund, order, invoice_id, self.sides.refs.get(), untaxed=untaxed)
        except MappingError as exc:
            key = refund_key(self.sides.name, refund.id)
            fingerprint = self.sides.refs.fingerprint()
            self._event(key, refund.id, "failed", str(exc), order=order.id, fingerprint=fingerprint)
            self.out.stats[Stat.FAILED] += 1
            return False
        plans[plan.key] = (plan, order)
        return True

    def unreadable(self, refund_id: int, order: Order, reason: str) -> None:
        """A refund whose details the store would not give: a ``failed`` row (retried later)."""
        key = refund_key(self.sides.name, refund_id)
        self._event(key, refund_id, "failed", reason, order=order.id)
        self.out.stats[Stat.FAILED] += 1

    def make(self, plans: dict[str, tuple[InvoicePlan, Order]]) -> dict[str, str]:
        """Find, create, check and post; the status of each credit note by key."""
        if not plans:
            return {}
        orders = {key: order for key, (_, order) in plans.items()}
        done = make_documents(
            self.sides, self.out, {k: p for k, (p, _) in plans.items()}, self._ready_for(orders)
        )
        for plan, reason in done.refused:
            self._event(plan.key, plan.order_id, "failed", reason)
            self.out.stats[Stat.FAILED] += 1
        status: dict[str, str] = {}
        for settled in done.settled:
            status[settled.plan.key] = settled.status
            self._record(settled, orders[settled.plan.key])
        return status

    def _ready_for(self, orders: dict[str, Order]) -> Callable[[list[InvoicePlan]], list[Ready]]:
        return lambda plans: with_partners(self.sides, self.out, plans, orders)

    def _record(self, done: Settled, order: Order) -> None:
        key = done.plan.key
        source = key.rsplit("/", 1)[1]
        action = "created" if done.status in ("posted", "draft") else done.status
        self._event(key, source, action, done.reason, done.move.id, done.name)
        if done.status != "failed":
            self.out.links.append(
                Link(
                    key,
                    "refund",
                    source,
                    "account.move",
                    done.move.id,
                    done.status,
                    source_version=str(order.id),
                    odoo_name=done.name,
                    amounts={"total": str(done.plan.expected.total)},
                )
            )
        stat = Stat.CREDITED if action == "created" else Stat(done.status)
        self.out.stats[stat] += 1
        self.out.stats[Stat.TAX_ADJUSTED_AFTER_READ] += done.tax_adjusted

    def _event(
        self,
        key: str,
        source: object,
        action: str,
        error: str | None,
        odoo_id: int | None = None,
        odoo_name: str | None = None,
        *,
        order: int | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """``order``: the refund's order, kept as the event's source version (replay)."""
        self.out.events.append(
            Event(
                "refund",
                str(source),
                key,
                action,
                source_version=str(order) if order is not None else None,
                odoo_model="account.move" if odoo_id else None,
                odoo_id=odoo_id,
                odoo_name=odoo_name,
                error=error,
                fingerprint=fingerprint,
            )
        )
