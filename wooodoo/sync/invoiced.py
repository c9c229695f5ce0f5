"""Orders already invoiced: unchanged, or changed in a way a posted invoice cannot follow.

A posted invoice is never edited. An order cancelled, refunded (also partly: WooCommerce then
keeps the order's total and status, only its refund list moves) or changed after invoicing is
recorded once as a ``conflict`` that needs a credit note. Credit notes will answer these here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from wooodoo.audit import Event, Link
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


def check_invoiced(pairs: list[tuple[Order, Link]]) -> Checked:
    """Compare each invoiced order with what its invoice was made from.

    Amounts are compared even when the modification date did not move: WooCommerce 7.9
    does not stamp edits of line items made through the REST API.
    """
    out = Checked()
    for order, link in pairs:
        reason = _change(order, link)
        if link.state == "posted" and reason == REFUNDED:
            out.refunded.append((order, link))  # answered with credit notes
            continue
        if link.state == "conflict" or reason is None:
            if link.source_version != order.version and link.state != "conflict":
                out.links.append(replace(link, source_version=order.version))
            out.count(Stat.UNCHANGED)
            continue
        out.events.append(
            order_event(
                order.id,
                link.key,
                "conflict",
                source_version=order.version,
                odoo_model=link.odoo_model,
                odoo_id=link.odoo_id,
                odoo_name=link.odoo_name,
                error=_why(reason, order) + "; needs a credit note",
            )
        )
        out.links.append(replace(link, state="conflict", source_version=order.version))
        out.count(Stat.CONFLICT)
    return out


REFUNDED = "refunded after invoicing"


def _change(order: Order, link: Link) -> str | None:
    """Why the order no longer matches its invoice, or None.

    New refunds (the store keeps the order's total, and often its status, and only its refund
    list moves; a fully refunded order becomes ``refunded``) are answered with credit notes
    when the invoice is posted; a cancellation still needs a person.
    """
    amounts = link.amounts or {}
    if order.status == "cancelled":
        return "order is now cancelled"
    if amounts.get("refunds", "") != refund_ids(order):
        return REFUNDED
    # compared as numbers: "72.66" and "72.660000" (asked with dp=6) are the same amount
    then = (_number(amounts.get("total")), _number(amounts.get("tax")))
    if then != (order.total, order.total_tax):
        return f"amounts changed after invoicing: total {amounts.get('total')} → {order.total}"
    return None


def _why(reason: str, order: Order) -> str:
    if reason != REFUNDED:
        return reason
    total = sum((r.total for r in order.refunds), Decimal(0))
    return f"{REFUNDED} ({-total} in {len(order.refunds)} refund(s)), its invoice not posted"
