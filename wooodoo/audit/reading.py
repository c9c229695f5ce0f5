"""The audit's reports in SQL: events by filter, a tenant's health, pruning old snapshots."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from wooodoo.audit import migrations
from wooodoo.audit.encoding import from_iso
from wooodoo.audit.records import CursorState, EventQuery, Pruned, Run, TenantStats

# The retry schedule the automatic retry keeps per failure; until a migration adds it, the
# store cannot tell how many retries are pending.
RETRY_COLUMN = "next_attempt_at"


def _iso(moment: datetime) -> str:
    """A time as the store writes it (UTC, seconds), so that text comparison orders it."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def find_events(db: sqlite3.Connection, query: EventQuery) -> list[sqlite3.Row]:
    """The rows matching ``query``, newest first; only the filters given reach the SQL, so
    SQLite can pick the index that fits them."""
    where: list[str] = []
    params: list[object] = []
    for column, values in (
        ("tenant", query.tenants),
        ("action", query.actions),
        ("kind", query.kinds),
    ):
        if values:
            where.append(f"{column} IN ({_marks(values)})")
            params.extend(values)
    if query.since is not None:
        where.append("at >= ?")
        params.append(_iso(query.since))
    if query.source_id is not None:
        where.append("source_id = ?")
        params.append(query.source_id)
    sql = "SELECT * FROM events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, query.limit))
    return list(rows)


def tenant_stats(db: sqlite3.Connection, tenant: str, last_run: Run | None) -> TenantStats:
    row = db.execute(
        "SELECT finished_at FROM runs WHERE tenant = ? AND status = 'ok'"
        " AND command NOT LIKE '%--dry-run' ORDER BY id DESC LIMIT 1",
        (tenant,),
    ).fetchone()
    waiting, pending, next_at = _failures(db, tenant)
    cursors = tuple(
        CursorState(r["name"], r["value"], from_iso(r["updated_at"]))
        for r in db.execute(
            "SELECT name, value, updated_at FROM cursors WHERE tenant = ? ORDER BY name",
            (tenant,),
        )
    )
    return TenantStats(
        tenant=tenant,
        last_run=last_run,
        last_success_at=from_iso(row[0]) if row and row[0] else None,
        failures_waiting=waiting,
        retries_pending=pending,
        next_retry_at=next_at,
        cursors=cursors,
    )


def _failures(db: sqlite3.Connection, tenant: str) -> tuple[int, int | None, datetime | None]:
    """Failures waiting for a person, retries scheduled (None: not kept), the next one's time.

    Once failures carry a retry schedule, a failure with a next attempt is a pending retry and
    only the others wait for a person."""
    columns = {r["name"] for r in db.execute("PRAGMA table_info(failures)")}
    if RETRY_COLUMN not in columns:
        total = db.execute("SELECT COUNT(*) FROM failures WHERE tenant = ?", (tenant,))
        return int(total.fetchone()[0]), None, None
    row = db.execute(
        f"SELECT COUNT(*) - COUNT({RETRY_COLUMN}), COUNT({RETRY_COLUMN}),"  # noqa: S608
        f" MIN({RETRY_COLUMN}) FROM failures WHERE tenant = ?",
        (tenant,),
    ).fetchone()
    return int(row[0]), int(row[1]), from_iso(row[2]) if row[2] else None


# the newest snapshot of each record and action: what the partner sweep compares Odoo with
# (its last `created` or `updated` values) and what a replay from a snapshot would read
_NEWEST = "SELECT MAX(id) FROM events WHERE payload IS NOT NULL GROUP BY tenant, key, action"
_OLD = "FROM events WHERE at < ? AND payload IS NOT NULL"
_OLD_BODIES = "FROM inbox WHERE processed_at IS NOT NULL AND received_at < ? AND body != ''"


def prune_payloads(db: sqlite3.Connection, before: datetime, *, dry_run: bool) -> Pruned:
    """Drop event payloads older than ``before`` but the newest of each record and action,
    and the bodies of webhook deliveries processed before it. Rows stay (only their snapshot
    goes); links, cursors, failures and runs are not touched."""
    cutoff = _iso(before)
    with migrations.transaction(db):
        payloads, payload_bytes = db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(LENGTH(payload)), 0) {_OLD} AND id NOT IN ({_NEWEST})",
            (cutoff,),
        ).fetchone()
        kept = db.execute(
            f"SELECT COUNT(*) {_OLD} AND id IN ({_NEWEST})",
            (cutoff,),
        ).fetchone()[0]
        bodies, body_bytes = db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) {_OLD_BODIES}",
            (cutoff,),
        ).fetchone()
        if not dry_run:
            db.execute(
                f"UPDATE events SET payload = NULL WHERE at < ? AND payload IS NOT NULL"  # noqa: S608
                f" AND id NOT IN ({_NEWEST})",
                (cutoff,),
            )
            db.execute(
                f"UPDATE inbox SET body = '' WHERE id IN (SELECT id {_OLD_BODIES})",  # noqa: S608
                (cutoff,),
            )
    return Pruned(
        before, int(payloads), int(payload_bytes), int(bodies), int(body_bytes), int(kept)
    )
