"""Audit rows made back into records: links, events, runs, failures."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from wooodoo.audit.encoding import from_iso
from wooodoo.audit.records import EventRecord, Failure, Link, Run

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def record(cls: type[R], row: sqlite3.Row, **parsed: Any) -> R:
    """``cls`` from the row's columns of the same names; ``parsed`` for those stored as text."""
    columns = {name: row[name] for name in field_names(cls) if name not in parsed}
    return cls(**columns, **parsed)


def json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


def event_from(row: sqlite3.Row) -> EventRecord:
    at, payload = from_iso(row["at"]), json_or_none(row["payload"])
    return record(EventRecord, row, at=at, payload=payload, fingerprint=None)


def link_from(row: sqlite3.Row) -> Link:
    return record(Link, row, amounts=json_or_none(row["amounts"]))


def run_from(row: sqlite3.Row) -> Run:
    started_at = from_iso(row["started_at"])
    finished_at = from_iso(row["finished_at"]) if row["finished_at"] else None
    stats = json_or_none(row["stats"]) or {}
    return record(Run, row, started_at=started_at, finished_at=finished_at, stats=stats)


def failure_from(row: sqlite3.Row) -> Failure:
    due = row["next_attempt_at"]
    return record(
        Failure,
        row,
        last_at=from_iso(row["last_at"]),
        next_attempt_at=from_iso(due) if due else None,
    )
