"""Pages of parsed records: what parsed, and what the store sent that did not."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from wooodoo.woo.models import Order, ParseError
from wooodoo.woo.pagination import record_key

T = TypeVar("T")


@dataclass(frozen=True)
class Rejected:
    """A record the store returned that we could not parse; it never stops its page."""

    record_id: int | None
    reason: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class OrderPage:
    """New orders of one page; ``cursor`` is the newest ``date_modified`` returned so far."""

    orders: list[Order]
    rejected: list[Rejected]
    cursor: datetime


class ParsedBatch(list[T]):
    """A list of parsed records that also carries the records that failed to parse."""

    def __init__(self, items: Sequence[T] = (), rejected: Sequence[Rejected] = ()) -> None:
        super().__init__(items)
        self.rejected: list[Rejected] = list(rejected)


def parse_all(records: Sequence[object], parse: Callable[[object], T]) -> ParsedBatch[T]:
    """Each record parsed; one that does not parse is rejected, the others kept."""
    out: ParsedBatch[T] = ParsedBatch()
    for raw in records:
        try:
            out.append(parse(raw))
        except ParseError as exc:
            out.rejected.append(
                Rejected(id_of(raw), str(exc), raw if isinstance(raw, Mapping) else {"raw": raw})
            )
    return out


def id_of(raw: object) -> int | None:
    return record_key(raw).id
