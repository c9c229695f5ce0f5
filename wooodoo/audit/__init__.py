"""The audit trail: typed records, the ``AuditLog`` protocol, and its SQLite backend."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from wooodoo.audit.encoding import now_iso, scrub
from wooodoo.audit.log import AuditLog
from wooodoo.audit.migrations import MIGRATIONS
from wooodoo.audit.records import (
    ACTIONS,
    ATTENTION_ACTIONS,
    CursorState,
    Delivery,
    Event,
    EventQuery,
    EventRecord,
    Failure,
    InboxItem,
    Link,
    Pruned,
    RetryPolicy,
    Run,
    TenantStats,
)
from wooodoo.audit.sqlite import AuditStore
from wooodoo.errors import ConfigError

__all__ = [
    "ACTIONS",
    "ATTENTION_ACTIONS",
    "MIGRATIONS",
    "AuditLog",
    "AuditStore",
    "CursorState",
    "Delivery",
    "Event",
    "EventQuery",
    "EventRecord",
    "Failure",
    "InboxItem",
    "Link",
    "Pruned",
    "RetryPolicy",
    "Run",
    "TenantStats",
    "now_iso",
    "open_audit",
    "scrub",
]


def open_audit(
    location: Path | str,
    *,
    durable: bool = False,
    checkpoints: bool | Literal["background"] = True,
) -> AuditLog:
    """The audit log at ``location``: a file path today; a URL names a backend still to come.

    ``durable``: every commit is on the disk when it returns; ``checkpoints`` False: this
    connection never copies the write-ahead log back into the file (others do); "background":
    a thread of its own does, after commits."""
    if isinstance(location, str):
        scheme, is_url, _ = location.partition("://")
        if is_url:
            raise ConfigError(
                f"audit_db: {scheme}:// is not supported yet; the audit log is an SQLite file",
                hint="Set audit_db to a file path (the default is"
                " ~/.local/state/wooodoo/audit.sqlite3).",
            )
        location = Path(location)
    return AuditStore(location, durable=durable, checkpoints=checkpoints)
