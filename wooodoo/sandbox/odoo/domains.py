"""Odoo domains on in-memory rows: prefix notation, the usual operators, one-level paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.schema import Field, ModelSpec

if TYPE_CHECKING:
    from wooodoo.sandbox.odoo.orm import Database, Env

Row = dict[str, Any]
Domain = Sequence[Any]
NUMERIC = ("integer", "float", "monetary")


def _like(pattern: str, value: str, ci: bool, wrap: bool) -> bool:
    # PostgreSQL LIKE: % and _ are wildcards, a backslash makes the next character literal
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


class DomainMixin:
    """Compiles a domain into a row predicate; mixed into BaseModel."""

    spec: ModelSpec
    env: Env
    db: Database

    def value(self, row: Row, path: str) -> Any:
        raise NotImplementedError

    def _invalid_leaf(self, name: str, leaf: Any) -> ValueError:
        raise NotImplementedError

    def _parse(self, domain: Domain) -> Callable[[Row], bool]:
        tokens = iter(list(domain))

        def one() -> Callable[[Row], bool]:
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
                return self._leaf(tuple(item))
            raise ValueError(f"Invalid leaf {item!r}")

        parts: list[Callable[[Row], bool]] = []
        while True:
            try:
                parts.append(one())
            except StopIteration:
                break
        return lambda row: all(part(row) for part in parts)

    def _leaf(self, leaf: tuple[Any, Any, Any]) -> Callable[[Row], bool]:
        path, op, expected = leaf
        if path in (0, 1) and op == "=" and expected in (0, 1):
            return lambda _row: path == expected
        if not isinstance(path, str):
            raise ValueError(f"Invalid leaf {leaf!r}")
        head = path.split(".")[0]
        if head not in self.spec.fields:
            raise self._invalid_leaf(head, leaf)
        field = self.spec.fields[head]
        op = "!=" if op == "<>" else op
        if op not in (
            "=",
            "!=",
            ">",
            ">=",
            "<",
            "<=",
            "in",
            "not in",
            "like",
            "not like",
            "ilike",
            "not ilike",
            "=like",
            "=ilike",
        ):
            raise ValueError(f"Invalid leaf {leaf!r}")
        kind = field.type if "." not in path else self._target_type(path)
        return lambda row: self._match(self.value(row, path), op, expected, kind, field)

    def _target_type(self, path: str) -> str:
        head, _, rest = path.partition(".")
        relation = self.spec.fields[head].relation or ""
        target = self.db.schema[relation].fields.get(rest)
        if target is None:
            raise self._invalid_leaf(path, path)
        return target.type

    def _match(self, actual: Any, op: str, expected: Any, kind: str, field: Field) -> bool:
        if kind in ("one2many", "many2many"):
            ids = set(actual or [])
            wanted = set(expected if isinstance(expected, list | tuple) else [expected])
            if op in ("=", "in"):
                return bool(ids & wanted) if wanted - {False} else not ids
            if op in ("!=", "not in"):
                return not ids & wanted if wanted - {False} else bool(ids)
            return False
        if kind == "many2one" and isinstance(expected, str) and field.relation:
            comodel = self.env[field.relation]
            name = comodel.display_name(comodel.rows[actual]) if actual in comodel.rows else ""
            return self._match(name or False, op, expected, "char", field)
        if op in ("in", "not in"):
            values = list(expected) if isinstance(expected, list | tuple) else [expected]
            hit = any(self._eq(actual, v, kind) for v in values)
            return hit if op == "in" else not hit
        if op == "=":
            return self._eq(actual, expected, kind)
        if op == "!=":
            return not self._eq(actual, expected, kind)
        if op in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
            if expected is False or expected is None:
                return (not actual) if "not" not in op else bool(actual)
            text = str(actual) if actual not in (False, None) else ""
            hit = _like(str(expected), text, "ilike" in op, op[0] != "=")
            if not actual and op in ("like", "ilike") and expected == "":
                return True
            return (not hit) if op.startswith("not") else (hit and actual is not False)
        if actual in (False, None) or expected in (False, None):
            return False
        left, right = (
            (to_decimal(actual), to_decimal(expected)) if kind in NUMERIC else (actual, expected)
        )
        return bool(
            {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]
        )

    @staticmethod
    def _eq(actual: Any, expected: Any, kind: str) -> bool:
        if expected is False or expected is None:
            return actual in (False, None, "") if kind != "boolean" else actual is False
        if kind in NUMERIC and actual not in (False, None):
            return to_decimal(actual) == to_decimal(expected)
        if kind == "boolean":
            return bool(actual) == bool(expected)
        return bool(actual == expected)
