"""Field values between RPC and the store: what a write stores per field type, what a read gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from wooodoo.sandbox.odoo.accounting import to_decimal
from wooodoo.sandbox.odoo.exceptions import MissingError, UserError
from wooodoo.sandbox.odoo.fields import Field
from wooodoo.sandbox.odoo.store import Row


class Relations(Protocol):
    """What relational values are checked against and read with: the other models' records."""

    def related_rows(self, relation: str) -> Mapping[int, Row]:
        """The rows of the model a relational field points to."""

    def related_name(self, relation: str, rid: Any) -> str | None:
        """Display name of a record of ``relation``; None when there is no such record."""

    def missing_records(self, relation: str, ids: list[int]) -> MissingError:
        """The error for ids of ``relation`` that do not exist."""


def to_stored(field: Field, where: str, value: Any, relations: Relations) -> Any:
    """The value stored for an RPC ``value`` of ``field``; ``where`` names it in errors."""
    kind = field.type
    if value is None:
        value = False
    if kind in ("char", "text", "date", "datetime"):
        return str(value) if value is not False else False
    if kind == "selection":
        if value is not False and value not in field.selection:
            raise ValueError(f"Wrong value for {where}: {value!r}")
        return value
    if kind == "boolean":
        return bool(value)
    if kind == "integer":
        return int(value or 0)
    if kind in ("float", "monetary"):
        return to_decimal(value or 0)
    if kind == "many2one":
        rid = value[0] if isinstance(value, list | tuple) and value else value
        if rid and field.relation and rid not in relations.related_rows(field.relation):
            raise relations.missing_records(field.relation, [int(rid)])
        return int(rid) if rid else False
    if kind == "many2many":
        return x2many_ids(field, [], value, relations)
    return value


def x2many_ids(field: Field, current: list[int], commands: Any, relations: Relations) -> list[int]:
    """Apply many2many commands (or a plain id list) to ``current``."""
    ids = list(current)
    if commands is False:
        return []
    for command in commands or []:
        if isinstance(command, int) and not isinstance(command, bool):
            ids.append(command)
            continue
        code = command[0]
        if code == 6:
            ids = list(command[2] or [])
        elif code == 5:
            ids = []
        elif code == 4:
            ids.append(command[1])
        elif code in (3, 2):
            ids = [i for i in ids if i != command[1]]
        else:
            raise UserError(f"Unsupported x2many command {command!r} on {field.string}")
    unique = list(dict.fromkeys(int(i) for i in ids))
    if field.relation:
        rows = relations.related_rows(field.relation)
        gone = [i for i in unique if i not in rows]
        if gone:
            raise relations.missing_records(field.relation, gone)
    return unique


def to_read(field: Field, val: Any, load: str, relations: Relations) -> Any:
    """What ``read`` gives for a field's value: ``[id, name]`` for a many2one, floats, lists."""
    if field.type == "many2one":
        if not val or field.relation is None:
            return False
        if load != "_classic_read":
            return val
        label = relations.related_name(field.relation, val)
        return [val, label] if label is not None else False
    if field.type in ("one2many", "many2many"):
        return list(val or [])
    if field.type in ("float", "monetary"):
        return float(val) if val not in (False, None) else 0.0
    if field.type == "integer":
        return int(val or 0)
    if field.type == "boolean":
        return bool(val)
    return False if val is None else val
