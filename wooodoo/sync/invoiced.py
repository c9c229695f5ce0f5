"""Orders already invoiced: unchanged, or changed in a way a posted invoice cannot follow.

A posted invoice is never edited. New refunds of a posted invoice become credit notes (also
partial ones: WooCommerce then keeps the order's total and status, only its refund list moves).
An order cancelled after invoicing is reversed (``sync.on_cancel: reverse``: a credit note of
the whole posted invoice, or a draft invoice cancelled) unless it has refunds in the shop: those
are credited, and what is left un-refunded is a ``conflict`` for a person (the shop paid back
only the refunds; wooodoo cannot tell what became of the rest). An order whose amounts changed
is reissued (``sync.on_amend: reissue``) or flagged. Whatever the policy leaves is recorded once
as a ``conflict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from wooodoo.audit import Event, Link
from wooodoo.config import SyncConfig
from wooodoo.sync.mapping import Totals
from wooodoo.sync.outcome import Stat
from wooodoo.woo.models import Order


@dataclass
class Checked:
    """What the check of already-invoiced orders found: audit rows and counts."""

    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    stats: dict[Stat, int] = field(default_factory=dict)
    refunded: list[tuple[Order, Link]] = field(default_factory=list)  # new refunds: credit notes
    reversed: list[tuple[Order, Link]] = field(default_factory=list)  # cancelled: full reversal
    drafts: list[tuple[Order, Link]] = field(default_factory=list)  # cancelled: cancel the draft
    amended: list[tuple[Order, Link]] = field(default_factory=list)  # reissue

    def count(self, stat: Stat, n: int = 1) -> None:
        self.stats[stat] = self.stats.get(stat, 0) + n


def order_event(source_id: object, key: str, action: str, **details: Any) -> Event:
    """An audit row about an order."""
    return Event("order", str(source_id), key, action, **details)


def refund_ids(order: Order) -> str:
    return ",".join(str(i) for i in sorted(r.id for r in order.refunds))


def amounts_of(t: Totals) -> dict[str, str]:
    return {"untaxed": str(t.untaxed), "tax": str(t.tax), "total": str(t.total)}


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except ArithmeticError:
        return None


def check_invoiced(pairs: list[tuple[Order, Link]], sync: SyncConfig) -> Checked:
    """Compare each invoiced order with what its invoice was made from.

    Amounts are compared even when the modification date did not move: WooCommerce 7.9
    does not stamp edits of line items made through the REST API.
    """
    out = Checked()
    for order, link in pairs:
        reason = _change(order, link)
        if link.state in DONE or reason is None:
            if link.source_version != order.version and link.state not in DONE:
                out.links.append(replace(link, source_version=order.version))
            out.count(Stat.UNCHANGED)
        elif not _answered(order, link, reason, sync, out):
            _conflict(order, link, _why(reason, order) + "; needs a credit note", out)
    return out


# nothing more to do: a person's call, a cancelled draft, or an invoice a person deleted in
# Odoo (never made again unless replayed)
DONE = ("conflict", "cancelled", "deleted")


def _answered(order: Order, link: Link, reason: str, sync: SyncConfig, out: Checked) -> bool:
    """Whether a policy answers the change (the order is queued for it)."""
    if reason == CANCELLED and sync.on_cancel == "reverse":
        return _cancelled(order, link, out)
    if link.state != "posted":
        return False
    if reason == REFUNDED:
        out.refunded.append((order, link))
    elif reason.startswith(AMENDED) and sync.on_amend == "reissue":
        out.amended.append((order, link))
    else:
        return False
    return True


def _cancelled(order: Order, link: Link, out: Checked) -> bool:
    if link.state in ("draft", "mismatch"):
        out.drafts.append((order, link))  # a draft is cancelled in Odoo, never reversed
        return True
    if link.state != "posted":
        return False
    if not order.refunds:
        out.reversed.append((order, link))
        return True
    # Refunds before or after the cancellation: they are credited; the rest is a person's call.
    flagged = replace(link, amounts={**(link.amounts or {}), "cancel": "flagged"})
    if refund_ids(order) != (link.amounts or {}).get("refunds", ""):
        out.refunded.append((order, flagged))
    left = order.total + sum((r.total for r in order.refunds), Decimal(0))
    if left:
        why = f"order is now cancelled with {left} of {order.total} not refunded in the shop"
        _conflict(order, flagged, why + "; needs a person: only its refunds are credited", out)
    elif refund_ids(order) == (link.amounts or {}).get("refunds", ""):
        out.links.append(replace(flagged, source_version=order.version))
        out.count(Stat.UNCHANGED)
    return True


def _conflict(order: Order, link: Link, error: str, out: Checked) -> None:
    out.events.append(
        order_event(
            order.id,
            link.key,
            "conflict",
            source_version=order.version,
            odoo_model=link.odoo_model,
            odoo_id=link.odoo_id,
            odoo_name=link.odoo_name,
            error=error,
        )
    )
    if not _queued(order, out):
        out.links.append(replace(link, state="conflict", source_version=order.version))
    out.count(Stat.CONFLICT)


def _queued(order: Order, out: Checked) -> bool:
    """Its refunds are being credited: the credit notes' bookkeeping writes its link."""
    return any(o.id == order.id for o, _ in out.refunded)


REFUNDED = "refunded after invoicing"
CANCELLED = "order is now cancelled"
AMENDED = "amounts changed after invoicing"


def _change(order: Order, link: Link) -> str | None:
    """Why the order no longer matches its invoice, or None.

    New refunds (the store keeps the order's total, and often its status, and only its refund
    list moves; a fully refunded order becomes ``refunded``) are answered with credit notes
    when the invoice is posted; a cancellation still needs a person.
    """
    amounts = link.amounts or {}
    new_refunds = amounts.get("refunds", "") != refund_ids(order)
    if order.status == "cancelled" and not amounts.get("cancel"):
        return CANCELLED
    if new_refunds and amounts.get("cancel", "flagged") != "flagged":
        return "refunded after its cancellation was reversed"
    if new_refunds:
        return REFUNDED
    if order.status == "cancelled":
        return None  # answered already (reversed, or its remainder flagged)
    # compared as numbers: "72.66" and "72.660000" (asked with dp=6) are the same amount
    then = (_number(amounts.get("total")), _number(amounts.get("tax")))
    if then != (order.total, order.total_tax):
        return f"{AMENDED}: total {amounts.get('total')} → {order.total}"
    return None


def _why(reason: str, order: Order) -> str:
    if reason != REFUNDED:
        return reason
    total = sum((r.total for r in order.refunds), Decimal(0))
    return f"{REFUNDED} ({-total} in {len(order.refunds)} refund(s)), its invoice not posted"
