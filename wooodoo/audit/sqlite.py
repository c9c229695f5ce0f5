"""The audit log in one SQLite file: runs, events, links, cursors, failures, webhook inbox."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from wooodoo.audit import inbox, migrations, reading
from wooodoo.audit.checkpoint import Checkpoints
from wooodoo.audit.connection import AuditConnection
from wooodoo.audit.encoding import now_iso
from wooodoo.audit.group_commit import GroupCommit
from wooodoo.audit.records import (
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
from wooodoo.audit.rows import event_from, failure_from, link_from, run_from
from wooodoo.audit.writing import INSERT_EVENT, UPSERT_LINK, event_row, link_row, note_attention
from wooodoo.errors import AuditWriteError, ConfigError
from wooodoo.files import warn_if_shared

if TYPE_CHECKING:
    pass

# SQLite allows 999 parameters per statement in older builds; key look-ups go in chunks.
_CHUNK = 500


class AuditStore:
    """One SQLite file (0600, WAL). Reading it never needs the network."""

    def __init__(
        self,
        path: Path,
        *,
        durable: bool = False,
        retry: RetryPolicy | None = None,
        checkpoints: bool | Literal["background"] = True,
    ) -> None:
        """``durable``: every commit reaches the disk before it returns (an fsync each), so a
        power cut keeps it too; without it, a commit survives a crash of the process only.
        ``retry``: when a failed record is tried again (automatic retry).
        ``checkpoints`` False: a commit never copies the write-ahead log back into the file
        (SQLite does it in the commit that passes 1,000 pages, which then waits for the disk
        again); the other connections, and the last one to close, still do. "background": a
        thread of its own does them, after commits (``audit/checkpoint.py``)."""
        self.path = path
        self.retry = retry or RetryPolicy()
        _create_private(path)
        self.db = sqlite3.connect(
            path,
            timeout=30,
            isolation_level=None,
            check_same_thread=False,
            factory=AuditConnection,
        )
        self.db.path = path
        self.db.row_factory = sqlite3.Row
        # the webhook receiver answers from several threads over this one connection
        self._inbox_lock = threading.Lock()
        # deliveries arriving together share one durable commit
        self._inbox_writes: GroupCommit[Delivery, bool] = GroupCommit(self._inbox_add_many)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            if checkpoints is not True:
                self.db.execute("PRAGMA wal_autocheckpoint=0")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrations.migrate(self.db)
        except AuditWriteError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ConfigError(
                f"the audit store {path} cannot be used: {exc}",
                hint="Point audit_db at another file, or move this one aside (it may be damaged"
                " or not an SQLite file).",
            ) from None

        self._checkpoints = Checkpoints(path) if checkpoints == "background" else None

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.db.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One transaction; its commit is then copied back into the file (see __init__)."""
        nudge = self._checkpoints.nudge if self._checkpoints else None
        return migrations.transaction(self.db, after=nudge)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def applied_migrations(self) -> list[str]:
        return migrations.applied(self.db)

    # ------------------------------------------------------------ runs

    def start_run(self, tenant: str, command: str) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (tenant, command, started_at) VALUES (?, ?, ?)",
            (tenant, command, now_iso()),
        )
        return int(cur.lastrowid or 0)

    def finish_run(
        self, run_id: int, status: str, stats: dict[str, Any], error: str | None = None
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, stats = ?, error = ? WHERE id = ?",
            (now_iso(), status, json.dumps(stats, sort_keys=True), error, run_id),
        )

    def runs(self, tenant: str | None = None, limit: int = 20) -> list[Run]:
        """The latest runs, newest first."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE (? IS NULL OR tenant = ?) ORDER BY id DESC LIMIT ?",
            (tenant, tenant, limit),
        )
        return [run_from(row) for row in rows]

    def runs_after(self, tenant: str, after_id: int) -> list[Run]:
        """The tenant's runs after ``after_id``, oldest first."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE tenant = ? AND id > ? ORDER BY id", (tenant, after_id)
        )
        return [run_from(row) for row in rows]

    # ------------------------------------------------------------ page commit

    def commit_page(
        self,
        tenant: str,
        run_id: int | None,
        events: Sequence[Event],
        links: Iterable[Link] = (),
        cursor: tuple[str, str] | None = None,
    ) -> None:
        """Events, links, failures and the cursor of one page, in one transaction."""
        at = now_iso()
        with self._write() as db:
            db.executemany(INSERT_EVENT, (event_row(tenant, run_id, e, at) for e in events))
            note_attention(db, tenant, events, at, self.retry)
            db.executemany(UPSERT_LINK, (link_row(tenant, link, at) for link in links))
            if cursor is not None:
                name, value = cursor
                db.execute(
                    "INSERT INTO cursors (tenant, name, value, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    (tenant, name, value, at),
                )

    def name_documents(self, tenant: str, names: Iterable[tuple[str, int, str]]) -> None:
        """The names Odoo gave documents, as ``(key, odoo id, name)``: a link takes its name
        only if it links that very document (not a twin, nor one replaced since)."""
        at = now_iso()
        with self._write() as db:
            db.executemany(
                "UPDATE links SET odoo_name = ?, updated_at = ? WHERE tenant = ? AND key = ?"
                " AND odoo_id = ? AND odoo_name IS NOT ?",
                ((name, at, tenant, key, odoo_id, name) for key, odoo_id, name in names),
            )

    # ------------------------------------------------------------ reads

    def cursor(self, tenant: str, name: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM cursors WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
        return str(row[0]) if row else None

    def links(self, tenant: str, keys: Sequence[str]) -> dict[str, Link]:
        found: dict[str, Link] = {}
        for chunk, marks in _chunks(keys):
            for row in self.db.execute(
                f"SELECT * FROM links WHERE tenant = ? AND key IN ({marks})",  # noqa: S608
                (tenant, *chunk),
            ):
                found[row["key"]] = link_from(row)
        return found

    def last_actions(self, tenant: str, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """The latest event's (action, source version) for each of these keys that has one."""
        found: dict[str, tuple[str, str | None]] = {}
        for chunk, marks in _chunks(keys):
            rows = self.db.execute(
                "SELECT key, action, source_version FROM events WHERE id IN"  # noqa: S608
                f" (SELECT MAX(id) FROM events WHERE tenant = ? AND key IN ({marks}) GROUP BY key)",
                (tenant, *chunk),
            )
            for row in rows:
                found[row["key"]] = (row["action"], row["source_version"])
        return found

    def all_links(self, tenant: str, kind: str | None = None) -> list[Link]:
        rows = self.db.execute(
            "SELECT * FROM links WHERE tenant = ? AND (? IS NULL OR kind = ?) ORDER BY key",
            (tenant, kind, kind),
        )
        return [link_from(row) for row in rows]

    def iter_links(self, tenant: str, model: str, size: int = 1000) -> Iterator[list[Link]]:
        """A tenant's links to records of one Odoo model, ``size`` at a time (by key)."""
        after = ""
        while True:
            rows = self.db.execute(
                "SELECT * FROM links WHERE tenant = ? AND odoo_model = ? AND key > ?"
                " ORDER BY key LIMIT ?",
                (tenant, model, after, size),
            ).fetchall()
            if not rows:
                return
            links = [link_from(row) for row in rows]
            yield links
            after = links[-1].key

    def failures(self, tenant: str | None = None) -> list[Failure]:
        rows = self.db.execute(
            "SELECT * FROM failures WHERE (? IS NULL OR tenant = ?) ORDER BY tenant, last_at",
            (tenant, tenant),
        )
        return [failure_from(row) for row in rows]

    # ------------------------------------------------------------ webhook inbox

    def inbox_add(self, delivery: Delivery) -> bool:
        """Keep a verified delivery, durably; False when it (or its version) is kept already."""
        return self._inbox_writes.add(delivery)

    def _inbox_add_many(self, deliveries: Sequence[Delivery]) -> list[bool]:
        with self._inbox_lock:
            return inbox.add_many(self.db, deliveries)

    def inbox_pending(self, tenant: str, limit: int = 500) -> list[InboxItem]:
        with self._inbox_lock:
            return inbox.pending(self.db, tenant, limit)

    def inbox_done(self, tenant: str, notes: dict[int, str]) -> None:
        with self._inbox_lock:
            inbox.done(self.db, tenant, notes)

    def inbox_tenants(self) -> list[str]:
        """Tenants with deliveries waiting."""
        with self._inbox_lock:
            return inbox.tenants_waiting(self.db)

    def inbox_recent(self, tenant: str, limit: int = 100) -> list[InboxItem]:
        with self._inbox_lock:
            return inbox.recent(self.db, tenant, limit)

    def events(self, tenant: str, key: str | None = None, limit: int = 100) -> list[EventRecord]:
        """The latest events, newest first."""
        rows = self.db.execute(
            "SELECT * FROM events WHERE tenant = ? AND (? IS NULL OR key = ?)"
            " ORDER BY id DESC LIMIT ?",
            (tenant, key, key, limit),
        )
        return [event_from(row) for row in rows]

    # ------------------------------------------------------------ reports (`wooodoo audit`)

    def find_events(self, query: EventQuery) -> list[EventRecord]:
        """The events ``query`` selects, newest first."""
        return [event_from(row) for row in reading.find_events(self.db, query)]

    def event(self, event_id: int) -> EventRecord | None:
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return event_from(row) if row else None

    def tenant_stats(self, tenants: Sequence[str]) -> list[TenantStats]:
        return [
            reading.tenant_stats(self.db, t, next(iter(self.runs(t, 1)), None)) for t in tenants
        ]

    def prune_payloads(self, before: datetime, *, dry_run: bool = False) -> Pruned:
        """Drop payload snapshots older than ``before`` (the newest of each record stays)."""
        return reading.prune_payloads(self.db, before, dry_run=dry_run)


def _create_private(path: Path) -> None:
    """Create the file 0600 (and its folder 0700) before SQLite does it with the umask; warn
    when an existing one is open to others (SQLite gives its -wal and -shm the same mode)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.fchmod(fd, 0o600)  # the umask could only have removed bits; be exact
            os.close(fd)
            return
    except OSError as exc:
        raise ConfigError(f"cannot create the audit store at {path}: {exc.strerror}") from exc
    warn_if_shared(path, "audit store")


def _chunks(keys: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """The keys in slices small enough for one statement, each with its ``?`` marks."""
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        yield chunk, ",".join("?" * len(chunk))
