"""The SQLite schema: named, append-only migrations, their runner, and the immediate transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from wooodoo.audit.encoding import now_iso

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
    (
        "0002_inbox_versions",
        """
        ALTER TABLE inbox ADD COLUMN resource TEXT;
        ALTER TABLE inbox ADD COLUMN resource_modified TEXT;
        ALTER TABLE inbox ADD COLUMN note TEXT;
        CREATE UNIQUE INDEX inbox_version
            ON inbox (tenant, resource, resource_id, resource_modified)
            WHERE resource_modified IS NOT NULL;
        CREATE INDEX inbox_pending ON inbox (tenant, processed_at, id);
        """,
    ),
    (
        # `audit events` filters, newest first, and `audit prune`: without them a filter
        # matching few rows reads every event
        "0003_audit_read_indexes",
        """
        CREATE INDEX events_action ON events (action, id);
        CREATE INDEX events_tenant_action ON events (tenant, action, id);
        CREATE INDEX events_source ON events (source_id, id);
        CREATE INDEX events_at ON events (at);
        """,
    ),
    (
        # the operations loop: a replay points at the event it replays; a failure keeps its
        # retry schedule (``waits_for``: retry | change | person | conflict) and, when it
        # waits for a change of the config or of Odoo's reference data, what they were
        "0004_retry_and_replay",
        """
        ALTER TABLE events ADD COLUMN replays INTEGER;
        ALTER TABLE failures ADD COLUMN next_attempt_at TEXT;
        ALTER TABLE failures ADD COLUMN waits_for TEXT NOT NULL DEFAULT 'retry';
        ALTER TABLE failures ADD COLUMN fingerprint TEXT;
        UPDATE failures SET next_attempt_at = last_at;
        CREATE INDEX failures_due ON failures (tenant, next_attempt_at);
        """,
    ),
)


@contextmanager
def transaction(
    db: sqlite3.Connection, after: Callable[[], None] | None = None
) -> Iterator[sqlite3.Connection]:
    """All of it or none; the write lock is taken at BEGIN, so a second writer waits, not fails.
    ``after`` is called once it is committed."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        # a full disk or an I/O error may have ended the transaction already (SQLite rolls
        # back by itself then): the error that did it is the one to report
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    if after is not None:
        after()


def migrate(db: sqlite3.Connection) -> None:
    """Apply, each in its own transaction, the migrations this file has not seen yet."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = set(applied(db))
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with transaction(db):
            for statement in sql.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))


def applied(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY name")]
