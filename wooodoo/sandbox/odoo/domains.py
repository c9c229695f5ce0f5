"""Odoo domains on in-memory rows: prefix notation, the usual operators, one-level paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.fields import Field, ModelSpec
from wooodoo.sandbox.odoo.store import Row

Domain = Sequence[Any]
Predicate = Callable[[Row], bool]
NUMERIC = ("integer", "float", "monetary")
LIKE = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")
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
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ci else re.DOTALL) is not None


def compile_domain(model: Searchable, domain: Domain) -> Predicate:
    """A row predicate for ``domain``; implicit ``&`` between the top-level terms."""
    tokens = iter(list(domain))

    def one() -> Predicate:
        item = next(tokens)
        if item == "!":
            inner = one()
            return lambda row: not inner(row)
        if item in ("&", "|"):
            left, right = one(), one()
            if item == "&":
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        if isinstance(item, list | tuple) and len(item) == 3:
            return _leaf(model, tuple(item))
        raise ValueError(f"Invalid leaf {item!r}")

    parts: list[Predicate] = []
    while True:
        try:
            parts.append(one())
        except StopIteration:
            break
    return lambda row: all(part(row) for part in parts)


def _leaf(model: Searchable, leaf: tuple[Any, Any, Any]) -> Predicate:
    path, op, expected = leaf
    if path in (0, 1) and op == "=" and expected in (0, 1):
        return lambda _row: path == expected
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
    return lambda row: matches(model, model.value(row, path), op, expected, kind, field)


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
