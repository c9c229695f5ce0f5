"""The shop against the books, pure: per day and currency, and record by record.

An order in scope (made on or after ``since``, its invoice's day within the period) expects,
when it is in an invoiced status, one invoice with its total under ``<tenant>/order/<id>`` and
one credit note per refund under ``<tenant>/refund/<id>``. Documents are attributed to orders
by their key; a document with a key kind reconciliation does not know (a reversal, a reissued
invoice) by the invoice it reverses, else by the first number of its key. An order with such
documents, or in a status that is not invoiced, is checked by its net instead: invoices minus
credit notes against the order's total minus its refunds (nothing, if it is not invoiced).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from wooodoo.reconcile.model import (
    BookedMove,
    DayRow,
    DocKind,
    Finding,
    LinkMark,
    Problem,
    Reconciliation,
    ShopOrder,
    Sides,
    Tally,
)

ZERO = Decimal(0)


def reconcile(sides: Sides) -> Reconciliation:
    """Compare both sides; findings are sorted by order, then key."""
    books = _Books(sides)
    scope = {o.id: o for o in sides.orders if _in_scope(o, sides)}
    docs: dict[int, list[BookedMove]] = defaultdict(list)
    strays: list[BookedMove] = []
    for move in sides.moves:
        owner = books.owner(move)
        if owner in scope:
            docs[owner].append(move)
        elif books.is_stray(move, owner):
            strays.append(move)
    findings: list[Finding] = []
    for order in scope.values():
        findings += _check_order(sides.tenant, order, docs[order.id], sides.links)
    findings += [_stray(sides.tenant, m) for m in strays if m.live]
    findings += [
        Finding("unreadable", f"{sides.tenant}/order/{oid if oid is not None else '?'}",
                "invoice", oid, note=reason)
        for oid, reason in sides.unreadable
    ]  # fmt: skip
    findings.sort(key=lambda f: (f.order_id or 0, f.key, f.problem))
    days = _days(scope.values(), docs, strays)
    return Reconciliation(sides.tenant, sides.first, sides.last, days, tuple(findings))


def _in_scope(order: ShopOrder, sides: Sides) -> bool:
    return order.created >= sides.since and sides.first <= order.day <= sides.last


def split_key(tenant: str, key: str) -> tuple[str, str] | None:
    """``<tenant>/<kind>/<rest>`` as (kind, rest); None for another tenant's key."""
    head, _, tail = key.partition("/")
    kind, sep, rest = tail.partition("/")
    return (kind, rest) if head == tenant and sep else None


def _leading_int(text: str) -> int | None:
    digits = ""
    for ch in text:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else None


class _Books:
    """Which order each document belongs to."""

    def __init__(self, sides: Sides) -> None:
        self.tenant = sides.tenant
        self.period = (sides.first, sides.last)
        self.read = {o.id for o in sides.orders}
        self.refund_order = {r.id: o.id for o in sides.orders for r in o.refunds}
        self.by_id = {m.id: m for m in sides.moves}

    def owner(self, move: BookedMove, depth: int = 0) -> int | None:
        parts = split_key(self.tenant, move.key)
        if parts is None:
            return None
        kind, rest = parts
        if kind == "order" and rest.isdigit():
            return int(rest)
        if kind == "refund" and rest.isdigit() and int(rest) in self.refund_order:
            return self.refund_order[int(rest)]
        reversed_move = self.by_id.get(move.reverses or 0)
        if reversed_move is not None and depth < 3:
            return self.owner(reversed_move, depth + 1)
        return None if kind == "refund" or move.reverses else _leading_int(rest)

    def is_stray(self, move: BookedMove, owner: int | None) -> bool:
        """A document of no order in scope that the period still has to explain."""
        if owner in self.read or split_key(self.tenant, move.key) is None:
            return False  # an order read but out of scope (its documents are too), or not ours
        if move.reverses is not None and move.reverses not in self.by_id:
            return False  # it reverses a document outside the period
        first, last = self.period
        return move.day is not None and first <= move.day <= last


def _stray(tenant: str, move: BookedMove) -> Finding:
    parts = split_key(tenant, move.key)
    oid = _leading_int(parts[1]) if parts else None
    return Finding(
        "unexpected",
        move.key,
        move.kind,
        oid,
        move.currency,
        None,
        move.total,
        (move.id,),
        "no order or refund in the shop's period explains it",
    )


@dataclass(frozen=True)
class _Expected:
    key: str
    kind: DocKind
    total: Decimal


def _check_order(
    tenant: str, order: ShopOrder, docs: Sequence[BookedMove], links: Mapping[str, LinkMark]
) -> list[Finding]:
    okey = f"{tenant}/order/{order.id}"
    expected: dict[str, _Expected] = {}
    if order.invoiced:
        expected[okey] = _Expected(okey, "invoice", order.total)
        for r in order.refunds:
            rkey = f"{tenant}/refund/{r.id}"
            expected[rkey] = _Expected(rkey, "credit_note", r.amount)
    known = {okey, *(f"{tenant}/refund/{r.id}" for r in order.refunds)}
    others = [d for d in docs if d.key not in known]
    by_net = bool(others) or not order.invoiced
    findings: list[Finding] = []
    keys = dict.fromkeys([*expected, okey, *sorted(known - {okey}), *(d.key for d in docs)])
    for key in keys:
        found = [d for d in docs if d.key == key]
        want = expected.get(key)
        kind: DocKind = "invoice" if key == okey else "credit_note"
        kind = want.kind if want else (found[0].kind if found else kind)
        person = _person(key, kind, order, docs, links.get(key), want is not None)
        findings += person
        if want is not None and not person:
            findings += _check_expected(order, want, found, compare_totals=not by_net)
    if by_net and not any(f.problem in ("missing", "duplicate", "deleted") for f in findings):
        findings += _check_net(okey, order, docs)
    return findings


def _person(
    key: str,
    kind: DocKind,
    order: ShopOrder,
    docs: Sequence[BookedMove],
    link: LinkMark | None,
    expected: bool,
) -> list[Finding]:
    """What a person did in Odoo to the document the audit links to ``key`` (which may carry
    another of the order's keys: a reissued invoice)."""
    if link is None:
        return []
    mine = [d for d in docs if d.id == link.odoo_id]
    problem: Problem
    books: Decimal | None
    if not mine:
        problem, note, books = "deleted", f"the audit links it to {link.odoo_id}", None
    elif mine[0].state == "cancel" and expected:
        problem, note, books = "cancelled", "cancelled in Odoo", mine[0].total
    elif mine[0].state == "draft" and link.state == "posted":
        problem, note, books = "reset to draft", "posted by wooodoo, a draft now", mine[0].total
    else:
        return []
    return [
        Finding(problem, key, kind, order.id, order.currency, None, books, (link.odoo_id,), note)
    ]


def _check_expected(
    order: ShopOrder, want: _Expected, found: Sequence[BookedMove], *, compare_totals: bool
) -> list[Finding]:
    live = [d for d in found if d.live and d.kind == want.kind]
    ids = tuple(d.id for d in live)

    def finding(problem: Problem, books: Decimal | None, note: str = "") -> list[Finding]:
        return [
            Finding(
                problem,
                want.key,
                want.kind,
                order.id,
                order.currency,
                want.total,
                books,
                ids,
                note,
            )
        ]

    if not live:
        cancelled = any(not d.live for d in found)
        return finding("cancelled" if cancelled else "missing", None)
    if len(live) > 1:
        return finding("duplicate", sum((d.total for d in live), ZERO), f"{len(live)} documents")
    doc = live[0]
    if compare_totals and (doc.total != want.total or doc.currency != order.currency):
        note = "" if doc.currency == order.currency else f"in {doc.currency}"
        return finding("differs", doc.total, note)
    return []


def _net(docs: Sequence[BookedMove]) -> Decimal:
    return sum((d.total if d.kind == "invoice" else -d.total for d in docs if d.live), ZERO)


def _check_net(okey: str, order: ShopOrder, docs: Sequence[BookedMove]) -> list[Finding]:
    """An order checked by its net: every document attributed to it, whatever its key."""
    shop = order.total - sum((r.amount for r in order.refunds), ZERO) if order.invoiced else ZERO
    books = _net(docs)
    if books == shop and all(d.currency == order.currency for d in docs if d.live):
        return []
    problem: Problem = "differs" if order.invoiced else "unexpected"
    note = f"net of {len(docs)} document(s); the order is {order.status}"
    ids = tuple(d.id for d in docs if d.live)
    return [Finding(problem, okey, "invoice", order.id, order.currency, shop, books, ids, note)]


def _days(
    orders: Iterable[ShopOrder],
    docs: Mapping[int, Sequence[BookedMove]],
    strays: Sequence[BookedMove],
) -> tuple[DayRow, ...]:
    shop: dict[tuple[date, str], list[Tally]] = defaultdict(lambda: [Tally(), Tally()])
    books: dict[tuple[date, str], list[Tally]] = defaultdict(lambda: [Tally(), Tally()])
    for order in orders:
        if order.invoiced:
            row = shop[(order.day, order.currency)]
            row[0] = row[0].plus(order.total)
            for r in order.refunds:
                row[1] = row[1].plus(r.amount)
        for d in docs.get(order.id, ()):
            _count(books, order.day, d)
    for d in strays:
        if d.live and d.day is not None:
            _count(books, d.day, d)
    rows = []
    for day, currency in sorted(set(shop) | set(books)):
        s, b = shop[(day, currency)], books[(day, currency)]
        rows.append(DayRow(day, currency, s[0], s[1], b[0], b[1]))
    return tuple(rows)


def _count(books: dict[tuple[date, str], list[Tally]], day: date, d: BookedMove) -> None:
    if d.live:
        row = books[(day, d.currency)]
        i = 0 if d.kind == "invoice" else 1
        row[i] = row[i].plus(d.total)
