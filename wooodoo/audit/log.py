"""The ``AuditLog`` protocol: what the sync core and the CLI need from an audit backend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol, Self

from wooodoo.audit.records import (
    Delivery,
    Event,
    EventQuery,
    EventRecord,
    Failure,
    InboxItem,
    Link,
    Pruned,
    Run,
    TenantStats,
)


class AuditLog(Protocol):
    """Runs, one transaction per page (events, links, failures, cursor), and reads of all of it.

    Reads never need the network. A page's cursor is saved in the same transaction as the rows
    it covers, so a cursor never moves past anything unrecorded. A ``tenant`` left out means
    every tenant's, a ``key`` left out every key's; how many rows ``limit`` keeps by default is
    the backend's choice (SQLite: 20 runs, 100 events).
    """

    def start_run(self, tenant: str, command: str) -> int: ...

    def finish_run(
        self, run_id: int, status: str, stats: dict[str, Any], error: str | None = ...
    ) -> None: ...

    def runs(self, tenant: str | None = ..., limit: int = ...) -> list[Run]:
        """The latest runs, newest first."""
        ...

    def runs_after(self, tenant: str, after_id: int) -> list[Run]:
        """The tenant's runs after ``after_id``, oldest first."""
        ...

    def commit_page(
        self,
        tenant: str,
        run_id: int | None,
        events: Sequence[Event],
        links: Iterable[Link] = ...,
        cursor: tuple[str, str] | None = ...,
    ) -> None:
        """Events, links, failures and the cursor of one page: all of them or none."""
        ...

    def name_documents(self, tenant: str, names: Iterable[tuple[str, int, str]]) -> None:
        """Names Odoo gave documents, ``(key, odoo id, name)``, for links to those very ids."""
        ...

    def cursor(self, tenant: str, name: str) -> str | None: ...

    def links(self, tenant: str, keys: Sequence[str]) -> dict[str, Link]: ...

    def last_actions(self, tenant: str, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """The latest event's (action, source version) for each of these keys that has one."""
        ...

    def all_links(self, tenant: str, kind: str | None = ...) -> list[Link]: ...

    def iter_links(self, tenant: str, model: str, size: int = ...) -> Iterator[list[Link]]: ...

    def failures(self, tenant: str | None = ...) -> list[Failure]: ...

    def events(self, tenant: str, key: str | None = ..., limit: int = ...) -> list[EventRecord]:
        """The latest events, newest first."""
        ...

    def find_events(self, query: EventQuery) -> list[EventRecord]:
        """The events ``query`` selects, newest first."""
        ...

    def event(self, event_id: int) -> EventRecord | None: ...

    def tenant_stats(self, tenants: Sequence[str]) -> list[TenantStats]: ...

    def prune_payloads(self, before: datetime, *, dry_run: bool = ...) -> Pruned:
        """Drop payload snapshots older than ``before``; the newest of each record stays, and
        links, cursors, failures and runs are never touched."""
        ...

    def inbox_add(self, delivery: Delivery) -> bool:
        """Keep a verified webhook delivery, durably; False when it is kept already."""
        ...

    def inbox_pending(self, tenant: str, limit: int = ...) -> list[InboxItem]: ...

    def inbox_done(self, tenant: str, notes: dict[int, str]) -> None: ...

    def inbox_tenants(self) -> list[str]: ...

    def inbox_recent(self, tenant: str, limit: int = ...) -> list[InboxItem]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
