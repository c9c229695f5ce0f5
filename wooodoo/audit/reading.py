"""The audit's reports in SQL: events by filter, a tenant's health, pruning old snapshots."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from wooodoo.audit import migrations
from wooodoo.audit.encoding import from_iso
from wooodoo.audit.records import CursorState, EventQuery, Pruned, Run, TenantStats


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
    waiting, pending, next_at, by_wait = _failures(db, tenant)
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
        failures_by_wait=by_wait,
        cursors=cursors,
    )


def _failures(
    db: sqlite3.Connection, tenant: str
) -> tuple[int, int, datetime | None, dict[str, int]]:
    """Failures waiting (for a person, a change of the config or Odoo, or a conflict to be
    settled), retries pending on a timer, the next one's time, and the counts by what they
    wait for."""
    by_wait: dict[str, int] = {}
    next_at: datetime | None = None
    for waits, count, due in db.execute(
        "SELECT waits_for, COUNT(*), MIN(next_attempt_at) FROM failures WHERE tenant = ?"
        " GROUP BY waits_for ORDER BY waits_for",
        (tenant,),
    ):
        by_wait[waits] = int(count)
        if waits == "retry" and due:
            next_at = from_iso(due)
    pending = by_wait.get("retry", 0)
    return sum(by_wait.values()) - pending, pending, next_at, by_wait


# the newest snapshot of each record and action: what the partner sweep compares Odoo with
# (its last `created` or `updated` values) and what a replay from a snapshot reads (the order
# a `failed` event kept, needed only while the record's failure is open: then it goes too)
_NEWEST = (
    "SELECT MAX(id) FROM events WHERE payload IS NOT NULL AND (action != 'failed' OR EXISTS"
    " (SELECT 1 FROM failures f WHERE f.tenant = events.tenant AND f.key = events.key))"
    " GROUP BY tenant, key, action"
)
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
