"""Odoo domains on in-memory rows: prefix notation, the usual operators, one-level paths."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.fields import Field, ModelSpec
from wooodoo.sandbox.odoo.store import Row

Domain = Sequence[Any]
Predicate = Callable[[Row], bool]
NUMERIC = ("integer", "float", "monetary")
LIKE = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")
TEXT = ("char", "text", "html", "selection", "date", "datetime")
X2MANY = ("one2many", "many2many")
OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "in", "not in", *LIKE)


class Searchable(Protocol):
    """What a domain reads from the model whose rows it tests."""

    @property
    def spec(self) -> ModelSpec: ...

    def value(self, row: Row, path: str) -> Any:
        """Raw value of a field, or of ``a.b`` through a many2one."""

    def invalid_leaf(self, name: str, leaf: Any) -> ValueError:
        """The error for a leaf naming a field the model does not have."""

    def related_spec(self, relation: str) -> ModelSpec:
        """The model a relational field points to."""

    def related_name(self, relation: str, rid: Any) -> str | None:
        """Display name of a record of ``relation``; None when there is no such record."""


def like_match(pattern: str, value: str, ci: bool, wrap: bool) -> bool:
    """PostgreSQL LIKE: % and _ are wildcards, a backslash makes the next character literal."""
    return _like_regex(pattern, ci, wrap).fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _like_regex(pattern: str, ci: bool, wrap: bool) -> re.Pattern[str]:
    parts: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            parts.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    regex = "".join(parts)
    if wrap:
        regex = f".*{regex}.*"
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ci else re.DOTALL)


def like_literal(pattern: str) -> str | None:
    """The text a LIKE pattern without wildcards matches exactly; None when it has wildcards."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "%_":
            return None
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Leaf:
    """One ``(path, operator, value)`` term; ``kind`` is the type of the field the path ends at.

    ``safe``: testing it cannot raise on any row, so testing fewer rows cannot hide an error.
    """

    path: Any
    op: str
    expected: Any
    kind: str
    test: Predicate
    safe: bool = True


@dataclass(frozen=True)
class Not:
    inner: Term
    test: Predicate


@dataclass(frozen=True)
class Both:
    """``&`` (``any_of`` False) or ``|`` (``any_of`` True) of two terms."""

    left: Term
    right: Term
    any_of: bool
    test: Predicate


Term = Leaf | Not | Both


@dataclass(frozen=True)
class ParsedDomain:
    """A domain's top-level terms (an implicit ``&``) and its row predicate."""

    terms: tuple[Term, ...]
    test: Predicate

    @property
    def safe(self) -> bool:
        """No leaf can raise on a row (then a search may test only the rows an index names)."""
        return all(leaf.safe for leaf in leaves(self.terms))


def leaves(terms: Sequence[Term]) -> Iterator[Leaf]:
    for term in terms:
        if isinstance(term, Leaf):
            yield term
        elif isinstance(term, Not):
            yield from leaves([term.inner])
        else:
            yield from leaves([term.left, term.right])


def compile_domain(model: Searchable, domain: Domain) -> Predicate:
    """A row predicate for ``domain``; implicit ``&`` between the top-level terms."""
    return parse_domain(model, domain).test


def parse_domain(model: Searchable, domain: Domain) -> ParsedDomain:
    """``domain`` as terms and a predicate; an invalid leaf raises here, as Odoo does."""
    tokens = iter(list(domain))

    def one() -> Term:
        item = next(tokens)
        if item == "!":
            inner = one()
            return Not(inner, lambda row: not inner.test(row))
        if item in ("&", "|"):
            left, right = one(), one()
            lt, rt = left.test, right.test
            if item == "&":
                return Both(left, right, False, lambda row: lt(row) and rt(row))
            return Both(left, right, True, lambda row: lt(row) or rt(row))
        if isinstance(item, list | tuple) and len(item) == 3:
            return _leaf(model, tuple(item))
        raise ValueError(f"Invalid leaf {item!r}")

    parts: list[Term] = []
    while True:
        try:
            parts.append(one())
        except StopIteration:
            break
    tests = [part.test for part in parts]
    return ParsedDomain(tuple(parts), lambda row: all(test(row) for test in tests))


def _leaf(model: Searchable, leaf: tuple[Any, Any, Any]) -> Leaf:
    path, op, expected = leaf
    if path in (0, 1) and op == "=" and expected in (0, 1):
        return Leaf(path, op, expected, "", lambda _row: path == expected)
    if not isinstance(path, str):
        raise ValueError(f"Invalid leaf {leaf!r}")
    head = path.split(".")[0]
    if head not in model.spec.fields:
        raise model.invalid_leaf(head, leaf)
    field = model.spec.fields[head]
    op = "!=" if op == "<>" else op
    if op not in OPERATORS:
        raise ValueError(f"Invalid leaf {leaf!r}")
    kind = field.type if "." not in path else _target_type(model, path)
    by_name = kind == "many2one" and isinstance(expected, str) and bool(field.relation)
    safe = by_name or leaf_safe(kind, op, expected)
    member = None if by_name or op not in ("in", "not in") else membership(expected, kind)
    if member is not None:
        hit, negate = member, op == "not in"

        def test_in(row: Row) -> bool:
            return hit(model.value(row, path)) != negate

        return Leaf(path, op, expected, kind, test_in, safe)

    def test(row: Row) -> bool:
        return matches(model, model.value(row, path), op, expected, kind, field)

    return Leaf(path, op, expected, kind, test, safe)


def _target_type(model: Searchable, path: str) -> str:
    head, _, rest = path.partition(".")
    relation = model.spec.fields[head].relation or ""
    target = model.related_spec(relation).fields.get(rest)
    if target is None:
        raise model.invalid_leaf(path, path)
    return target.type


def matches(
    model: Searchable, actual: Any, op: str, expected: Any, kind: str, field: Field
) -> bool:
    """Whether a value of ``field`` (of type ``kind``) satisfies ``op expected``."""
    if kind in ("one2many", "many2many"):
        ids = set(actual or [])
        wanted = set(expected if isinstance(expected, list | tuple) else [expected])
        if op in ("=", "in"):
            return bool(ids & wanted) if wanted - {False} else not ids
        if op in ("!=", "not in"):
            return not ids & wanted if wanted - {False} else bool(ids)
        return False
    if kind == "many2one" and isinstance(expected, str) and field.relation:
        name = model.related_name(field.relation, actual)
        return matches(model, name or False, op, expected, "char", field)
    if op in ("in", "not in"):
        values = list(expected) if isinstance(expected, list | tuple) else [expected]
        hit = any(_eq(actual, v, kind) for v in values)
        return hit if op == "in" else not hit
    if op == "=":
        return _eq(actual, expected, kind)
    if op == "!=":
        return not _eq(actual, expected, kind)
    if op in LIKE:
        return _like_op(actual, op, expected)
    # not ``in (False, None)``: 0 == False, and ("id", ">", 0) is a valid comparison
    if actual is False or actual is None or expected is False or expected is None:
        return False
    left, right = (
        (to_decimal(actual), to_decimal(expected)) if kind in NUMERIC else (actual, expected)
    )
    return bool(
        {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]
    )


def _like_op(actual: Any, op: str, expected: Any) -> bool:
    if expected is False or expected is None:
        return (not actual) if "not" not in op else bool(actual)
    text = str(actual) if actual not in (False, None) else ""
    hit = like_match(str(expected), text, "ilike" in op, op[0] != "=")
    if not actual and op in ("like", "ilike") and expected == "":
        return True
    return (not hit) if op.startswith("not") else (hit and actual is not False)


def _eq(actual: Any, expected: Any, kind: str) -> bool:
    if expected is False or expected is None:
        return actual in (False, None, "") if kind != "boolean" else actual is False
    if kind in NUMERIC and actual not in (False, None):
        return to_decimal(actual) == to_decimal(expected)
    if kind == "boolean":
        return bool(actual) == bool(expected)
    return bool(actual == expected)


def _finite(value: Any) -> bool:
    try:
        return to_decimal(value).is_finite()
    except (TypeError, ValueError, ArithmeticError):
        return False


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def leaf_safe(kind: str, op: str, expected: Any) -> bool:
    """Whether ``matches`` for this leaf returns on every stored value rather than raise."""
    listed = expected if isinstance(expected, list | tuple) else [expected]
    if kind in X2MANY:
        return all(_hashable(v) for v in listed)
    if op in LIKE:
        return True
    if op in ("=", "!=", "in", "not in"):
        values = listed if op in ("in", "not in") else [expected]
        return kind not in NUMERIC or all(v is False or v is None or _finite(v) for v in values)
    if expected is False or expected is None:
        return True
    if kind in NUMERIC:
        return _finite(expected)
    if kind in ("many2one", "boolean"):
        return isinstance(expected, int | float)
    return kind in TEXT and isinstance(expected, str)


CLEAN_NUMBERS = (int, float, Decimal, bool)


def membership(expected: Any, kind: str) -> Callable[[Any], bool] | None:
    """A fast test equal to ``in`` of ``matches`` (hashing instead of comparing with each value).

    None for the kinds and values where hashing could differ from ``_eq`` (then ``matches``).
    """
    if kind in X2MANY or kind == "boolean":
        return None
    values = list(expected) if isinstance(expected, list | tuple) else [expected]
    falsy = any(v is False or v is None for v in values)
    others = [v for v in values if v is not False and v is not None]
    if kind in NUMERIC:
        if not all(_finite(v) for v in others):
            return None
        numbers = {to_decimal(v) for v in others}

        def number_in(actual: Any) -> bool:
            if actual is not False and actual is not None and type(actual) not in CLEAN_NUMBERS:
                return any(_eq(actual, v, kind) for v in values)
            if falsy and actual in (False, None, ""):
                return True
            if actual in (False, None):  # 0 too: compared as it is, as _eq does
                return any(actual == v for v in others)
            number = to_decimal(actual)
            if not number.is_finite():
                return any(_eq(actual, v, kind) for v in values)
            return number in numbers

        return number_in
    if not all(type(v) in (str, int, bool) for v in others):
        return None
    wanted = set(others)

    def plain_in(actual: Any) -> bool:
        if falsy and actual in (False, None, ""):
            return True
        try:
            return actual in wanted
        except TypeError:
            return any(_eq(actual, v, kind) for v in values)

    return plain_in
