"""SQLite audit store: migrations, runs, record events, links, cursors, failures, webhook inbox."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wooodoo.errors import ConfigError

# Named, append-only: never edit or reorder a migration that has shipped; add a new one.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            stats TEXT NOT NULL DEFAULT '{}',
            error TEXT
        );
        CREATE INDEX runs_tenant ON runs (tenant, id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs (id),
            tenant TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            source_version TEXT,
            key TEXT NOT NULL,
            action TEXT NOT NULL,
            odoo_model TEXT,
            odoo_id INTEGER,
            odoo_name TEXT,
            error TEXT,
            payload TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX events_key ON events (tenant, key, id);
        CREATE INDEX events_run ON events (run_id, id);
        CREATE TABLE links (
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            source_version TEXT,
            odoo_model TEXT NOT NULL,
            odoo_id INTEGER NOT NULL,
            odoo_name TEXT,
            state TEXT NOT NULL,
            amounts TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant, key)
        );
        CREATE TABLE cursors (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        CREATE TABLE failures (
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            PRIMARY KEY (tenant, key)
        );
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            delivery_id TEXT,
            topic TEXT NOT NULL,
            resource_id TEXT,
            received_at TEXT NOT NULL,
            body TEXT NOT NULL,
            processed_at TEXT
        );
        CREATE UNIQUE INDEX inbox_delivery ON inbox (tenant, delivery_id);
        """,
    ),
)

# What lands in the failures table: records a person must look at, and `replay` retries.
ATTENTION_ACTIONS = frozenset({"failed", "mismatch", "conflict"})

SECRET_FIELDS = frozenset(
    {"consumer_key", "consumer_secret", "api_key", "password", "secret", "webhook_secret", "token"}
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def scrub(payload: Any) -> Any:
    """A copy of ``payload`` with anything that looks like a secret removed."""
    if isinstance(payload, dict):
        return {
            k: ("REDACTED" if str(k).lower() in SECRET_FIELDS else scrub(v))
            for k, v in payload.items()
        }
    if isinstance(payload, list | tuple):
        return [scrub(v) for v in payload]
    return payload


@dataclass(frozen=True)
class Event:
    """One attempt on one record; written with the page it belongs to."""

    kind: str  # order | customer | guest | refund
    source_id: str
    key: str
    action: str  # created | linked | updated | unchanged | failed | mismatch | conflict | skipped
    source_version: str | None = None
    odoo_model: str | None = None
    odoo_id: int | None = None
    odoo_name: str | None = None
    error: str | None = None
    payload: Any = None


@dataclass(frozen=True)
class Link:
    """The current WooCommerce → Odoo mapping of one record."""

    key: str
    kind: str
    source_id: str
    odoo_model: str
    odoo_id: int
    state: str  # posted | draft | mismatch | conflict | partner
    source_version: str | None = None
    odoo_name: str | None = None
    amounts: dict[str, str] | None = None


@dataclass(frozen=True)
class Run:
    """One run of a command for one tenant; ``status`` stays ``running`` if it was killed."""

    id: int
    tenant: str
    command: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | ok | partial | aborted
    stats: dict[str, int]
    error: str | None = None


@dataclass(frozen=True)
class Failure:
    tenant: str
    key: str
    kind: str
    source_id: str
    reason: str
    attempts: int
    last_at: str


class AuditStore:
    """One SQLite file (0600, WAL). Reading it never needs the network."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
        except OSError as exc:
            raise ConfigError(f"cannot create the audit store at {path}: {exc.strerror}") from exc
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ConfigError(
                f"the audit store {path} cannot be used: {exc}",
                hint="Point audit_db at another file, or move this one aside (it may be damaged"
                " or not an SQLite file).",
            ) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {row[0] for row in self.db.execute("SELECT name FROM _migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM _migrations ORDER BY name")]

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

    def runs(self, tenant: str | None = None, limit: int = 20) -> list[sqlite3.Row]:
        return list(
            self.db.execute(
                "SELECT * FROM runs WHERE (? IS NULL OR tenant = ?) ORDER BY id DESC LIMIT ?",
                (tenant, tenant, limit),
            )
        )

    def runs_after(self, tenant: str, after_id: int) -> list[Run]:
        """The tenant's runs after ``after_id``, oldest first."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE tenant = ? AND id > ? ORDER BY id", (tenant, after_id)
        )
        return [
            Run(
                id=row["id"],
                tenant=row["tenant"],
                command=row["command"],
                started_at=datetime.fromisoformat(row["started_at"]),
                finished_at=(
                    datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None
                ),
                status=row["status"],
                stats=json.loads(row["stats"] or "{}"),
                error=row["error"],
            )
            for row in rows
        ]

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
        with self.transaction() as db:
            for e in events:
                db.execute(
                    "INSERT INTO events (run_id, tenant, kind, source_id, source_version, key,"
                    " action, odoo_model, odoo_id, odoo_name, error, payload, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        tenant,
                        e.kind,
                        e.source_id,
                        e.source_version,
                        e.key,
                        e.action,
                        e.odoo_model,
                        e.odoo_id,
                        e.odoo_name,
                        e.error,
                        json.dumps(scrub(e.payload), default=str)
                        if e.payload is not None
                        else None,
                        at,
                    ),
                )
                if e.action in ATTENTION_ACTIONS:
                    db.execute(
                        "INSERT INTO failures (tenant, key, kind, source_id, reason, first_at,"
                        " last_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (tenant, key) DO UPDATE SET reason = excluded.reason,"
                        " attempts = attempts + 1, last_at = excluded.last_at",
                        (tenant, e.key, e.kind, e.source_id, e.error or "", at, at),
                    )
                elif e.action in ("created", "linked", "updated", "unchanged", "skipped"):
                    db.execute("DELETE FROM failures WHERE tenant = ? AND key = ?", (tenant, e.key))
            for link in links:
                db.execute(
                    "INSERT INTO links (tenant, key, kind, source_id, source_version, odoo_model,"
                    " odoo_id, odoo_name, state, amounts, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (tenant, key) DO UPDATE SET source_version ="
                    " excluded.source_version, odoo_model = excluded.odoo_model, odoo_id ="
                    " excluded.odoo_id, odoo_name = excluded.odoo_name, state = excluded.state,"
                    " amounts = excluded.amounts, updated_at = excluded.updated_at",
                    (
                        tenant,
                        link.key,
                        link.kind,
                        link.source_id,
                        link.source_version,
                        link.odoo_model,
                        link.odoo_id,
                        link.odoo_name,
                        link.state,
                        json.dumps(link.amounts) if link.amounts is not None else None,
                        at,
                    ),
                )
            if cursor is not None:
                name, value = cursor
                db.execute(
                    "INSERT INTO cursors (tenant, name, value, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    (tenant, name, value, at),
                )

    # ------------------------------------------------------------ reads

    def cursor(self, tenant: str, name: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM cursors WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
        return str(row[0]) if row else None

    def links(self, tenant: str, keys: Sequence[str]) -> dict[str, Link]:
        found: dict[str, Link] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT * FROM links WHERE tenant = ? AND key IN ({marks})",  # noqa: S608
                (tenant, *chunk),
            ):
                found[row["key"]] = _link(row)
        return found

    def last_actions(self, tenant: str, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """The latest event's (action, source version) for each of these keys that has one."""
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
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
        return [_link(row) for row in rows]

    def failures(self, tenant: str | None = None) -> list[Failure]:
        rows = self.db.execute(
            "SELECT * FROM failures WHERE (? IS NULL OR tenant = ?) ORDER BY tenant, last_at",
            (tenant, tenant),
        )
        return [
            Failure(
                r["tenant"],
                r["key"],
                r["kind"],
                r["source_id"],
                r["reason"],
                r["attempts"],
                r["last_at"],
            )
            for r in rows
        ]

    def events(self, tenant: str, key: str | None = None, limit: int = 100) -> list[sqlite3.Row]:
        return list(
            self.db.execute(
                "SELECT * FROM events WHERE tenant = ? AND (? IS NULL OR key = ?)"
                " ORDER BY id DESC LIMIT ?",
                (tenant, key, key, limit),
            )
        )


def _link(row: sqlite3.Row) -> Link:
    return Link(
        key=row["key"],
        kind=row["kind"],
        source_id=row["source_id"],
        odoo_model=row["odoo_model"],
        odoo_id=row["odoo_id"],
        state=row["state"],
        source_version=row["source_version"],
        odoo_name=row["odoo_name"],
        amounts=json.loads(row["amounts"]) if row["amounts"] else None,
    )
