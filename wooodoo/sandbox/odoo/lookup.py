"""Which rows a search tests: all of them, or the candidates an index gives for its domain.

A search tests its whole domain on the rows it reads, so candidates only narrow the work: the
rows and their order (the table's, as a full scan meets them) are those of a scan. A leaf is
looked up in an index when it can be (``=``/``in`` on a stored field or ``id``, an exact
``=like``/``=ilike``, ``<``... on text); ``&`` takes its smallest side, ``|`` the union of both
when both can be looked up. Domains with a leaf that could raise on some row are scanned, so
that an error is raised exactly when it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.domains import NUMERIC, TEXT, X2MANY, Both, Leaf, ParsedDomain, Term
from wooodoo.sandbox.odoo.domains import like_literal as literal_of
from wooodoo.sandbox.odoo.fields import ModelSpec
from wooodoo.sandbox.odoo.indexes import (
    Candidates,
    KeyIndex,
    SortedIndex,
    decimal_key,
    folded_key,
    plain_key,
)
from wooodoo.sandbox.odoo.store import Row, Store

# a smaller table is scanned: an index would cost more than it saves
INDEX_FROM = 64
# computed fields the ORM stores in the row as they are
STORED_COMPUTED = frozenset({"create_date", "write_date"})
ORDERING = (">", ">=", "<", "<=")


@dataclass(frozen=True)
class Table:
    """What a search reads: the store and the model (its name and fields)."""

    store: Store
    spec: ModelSpec


def rows_to_test(table: Table, parsed: ParsedDomain) -> Iterable[Row]:
    """The rows that may match ``parsed``, in table order: a scan's rows, or fewer."""
    name = table.spec.name
    rows = table.store.table(name)
    if len(rows) < INDEX_FROM or not parsed.safe:
        return rows.values()
    found = _all_of([_plan(table, term) for term in parsed.terms])
    if found is None or found.estimate >= len(rows):
        return rows.values()
    return table.store.in_table_order(name, found.fetch())


def _plan(table: Table, term: Term) -> Candidates | None:
    if isinstance(term, Leaf):
        return _leaf(table, term)
    if isinstance(term, Both):
        sides = [_plan(table, term.left), _plan(table, term.right)]
        return _any_of(sides) if term.any_of else _all_of(sides)
    return None  # "!": what does not match is not in an index


def _all_of(plans: Sequence[Candidates | None]) -> Candidates | None:
    known = [plan for plan in plans if plan is not None]
    return min(known, key=lambda plan: plan.estimate) if known else None


def _any_of(plans: Sequence[Candidates | None]) -> Candidates | None:
    known = [plan for plan in plans if plan is not None]
    if len(known) < len(plans):
        return None

    def fetch() -> set[int]:
        return set().union(*(plan.fetch() for plan in known))

    return Candidates(sum(plan.estimate for plan in known), fetch)


def _leaf(table: Table, leaf: Leaf) -> Candidates | None:
    path, op, expected = leaf.path, leaf.op, leaf.expected
    if not isinstance(path, str) or "." in path:
        return None
    if path == "id":
        return _ids(table, op, expected)
    name, field = table.spec.name, table.spec.fields[path]
    stored = not field.computed or path in STORED_COMPUTED
    if not stored or field.type in X2MANY or field.type == "boolean":
        return None
    if field.type == "many2one" and isinstance(expected, str):
        return None  # compared with the record's name
    if op in ("=", "in"):
        return _keys(table, path, leaf.kind, op, expected)
    if op in ("=like", "=ilike") and isinstance(expected, str):
        literal = literal_of(expected)
        if literal is None or not literal.isascii():
            return None
        folded = table.store.index(name, ("folded", path), lambda: KeyIndex(path, folded_key))
        return folded.lookup([literal.lower()])
    if op in ORDERING and field.type in TEXT and isinstance(expected, str):
        return table.store.index(name, ("sorted", path), lambda: SortedIndex(path)).range(
            op, expected
        )
    return None


def _keys(table: Table, path: str, kind: str, op: str, expected: Any) -> Candidates | None:
    values = list(expected) if op == "in" and isinstance(expected, list | tuple) else [expected]
    if any(v is False or v is None for v in values):
        return None
    key = decimal_key if kind in NUMERIC else plain_key
    try:
        keys = [key(v) for v in values]
    except (TypeError, ValueError, ArithmeticError):
        return None
    index = table.store.index(table.spec.name, ("key", path), lambda: KeyIndex(path, key))
    return index.lookup(keys)


def _ids(table: Table, op: str, expected: Any) -> Candidates | None:
    """``id`` = / in: the table's own keys (an id equals a value equal to it as a number)."""
    if op not in ("=", "in"):
        return None
    values = list(expected) if op == "in" and isinstance(expected, list | tuple) else [expected]
    rows = table.store.table(table.spec.name)
    ids: set[int] = set()
    for value in values:
        if value is False or value is None:
            return None
        try:
            number = to_decimal(value)
        except (TypeError, ValueError, ArithmeticError):
            return None
        if not number.is_finite():
            return None
        if number == number.to_integral_value() and int(number) in rows:
            ids.add(int(number))
    return Candidates(len(ids), lambda: ids)
