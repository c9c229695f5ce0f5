"""What reconciliation compares and what it finds: both sides as plain values, Decimal money."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

DocKind = Literal["invoice", "credit_note"]
Problem = Literal[
    "missing",  # the shop has it, no document carries its key
    "duplicate",  # more than one live document carries the key
    "differs",  # the document's total (or currency) is not the shop's
    "unexpected",  # a document the shop does not explain
    "deleted",  # the audit links the key to a document that is gone
    "cancelled",  # a person cancelled a document the shop still expects
    "reset to draft",  # a draft the audit says was posted
    "unreadable",  # the shop answered an order wooodoo could not parse
]


CENT = Decimal("0.01")


def money(amount: Decimal) -> Decimal:
    """The same amount written with two decimals where that loses nothing ("72.660000" from
    the shop's ``dp=6``, 22457.0 from Odoo's floats), so that both sides print alike."""
    cents = amount.quantize(CENT)
    return cents if cents == amount else amount


@dataclass(frozen=True)
class ShopRefund:
    id: int
    amount: Decimal  # positive: what was paid back


@dataclass(frozen=True)
class ShopOrder:
    """An order as the shop's order list gives it (its refunds from the order's own list)."""

    id: int
    status: str
    invoiced: bool  # in the tenant's invoiced statuses, or refunded in full after it was paid
    currency: str
    day: date  # the date its invoice carries: the day it was paid, else the day it was made
    created: date
    total: Decimal
    refunds: tuple[ShopRefund, ...] = ()


@dataclass(frozen=True)
class BookedMove:
    """An Odoo invoice or credit note carrying one of the tenant's keys."""

    id: int
    key: str
    kind: DocKind
    state: str  # draft | posted | cancel
    currency: str
    day: date | None
    total: Decimal  # positive for both kinds, in the move's currency
    name: str | None = None
    reverses: int | None = None  # reversed_entry_id

    @property
    def live(self) -> bool:
        return self.state != "cancel"


@dataclass(frozen=True)
class LinkMark:
    """What the audit trail says wooodoo made for a key."""

    odoo_id: int
    state: str


@dataclass(frozen=True)
class Sides:
    """Both sides as read, and the period asked for."""

    tenant: str
    first: date
    last: date
    since: date  # orders made before it are out of scope
    orders: Sequence[ShopOrder]
    moves: Sequence[BookedMove]
    links: Mapping[str, LinkMark] = field(default_factory=dict)
    unreadable: Sequence[tuple[int | None, str]] = ()


@dataclass(frozen=True)
class Tally:
    count: int = 0
    total: Decimal = Decimal("0.00")

    def plus(self, amount: Decimal) -> Tally:
        return Tally(self.count + 1, self.total + amount)


@dataclass(frozen=True)
class DayRow:
    """One day and currency: the shop's orders and refunds against Odoo's documents."""

    day: date
    currency: str
    orders: Tally
    refunds: Tally
    invoices: Tally
    credit_notes: Tally

    @property
    def shop_net(self) -> Decimal:
        return self.orders.total - self.refunds.total

    @property
    def books_net(self) -> Decimal:
        return self.invoices.total - self.credit_notes.total

    @property
    def agrees(self) -> bool:
        # Nets, not counts: a cancellation or a reissue answered in Odoo adds documents the
        # shop's order list has no count for; each record is checked on its own anyway.
        return self.shop_net == self.books_net


@dataclass(frozen=True)
class Finding:
    """One record on which the two sides disagree, or a document a person changed."""

    problem: Problem
    key: str
    kind: DocKind
    order_id: int | None = None
    currency: str | None = None
    shop_total: Decimal | None = None
    books_total: Decimal | None = None
    odoo_ids: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Reconciliation:
    tenant: str
    first: date
    last: date
    days: tuple[DayRow, ...]
    findings: tuple[Finding, ...]

    @property
    def agrees(self) -> bool:
        return not self.findings and all(d.agrees for d in self.days)
