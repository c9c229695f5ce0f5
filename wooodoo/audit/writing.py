"""How one page is written: its event rows, the failures they open or close, its link rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from wooodoo.audit.encoding import from_iso, scrub
from wooodoo.audit.records import ATTENTION_ACTIONS, SETTLED_ACTIONS, Event, Link, RetryPolicy
from wooodoo.jsoncodec import dumps_text

INSERT_EVENT = (
    "INSERT INTO events (run_id, tenant, kind, source_id, source_version, key, action,"
    " odoo_model, odoo_id, odoo_name, error, payload, at, replays)"
    " VALUES (:run_id, :tenant, :kind, :source_id, :source_version, :key, :action,"
    " :odoo_model, :odoo_id, :odoo_name, :error, :payload, :at, :replays)"
)


def event_row(tenant: str, run_id: int | None, e: Event, at: str) -> dict[str, Any]:
    payload = dumps_text(scrub(e.payload), default=str) if e.payload is not None else None
    return {**vars(e), "run_id": run_id, "tenant": tenant, "payload": payload, "at": at}


def note_attention(
    db: sqlite3.Connection, tenant: str, events: Sequence[Event], at: str, retry: RetryPolicy
) -> None:
    """For each event in order: open or update its key's failure when it needs a person, with
    when to try it again; close it once it is settled. The closings go in one statement per run
    of settled events (most events of a page settle a key that has no failure)."""
    settled: list[tuple[str, str]] = []
    for e in events:
        if e.action in ATTENTION_ACTIONS:
            _close_failures(db, settled)  # what this page settled before, first
            _open_failure(db, tenant, e, at, retry)
        elif e.action in SETTLED_ACTIONS:
            settled.append((tenant, e.key))
    _close_failures(db, settled)


def _close_failures(db: sqlite3.Connection, settled: list[tuple[str, str]]) -> None:
    if settled:
        db.executemany("DELETE FROM failures WHERE tenant = ? AND key = ?", settled)
        settled.clear()


def _open_failure(
    db: sqlite3.Connection, tenant: str, e: Event, at: str, retry: RetryPolicy
) -> None:
    """Open the key's failure, or count one more attempt, with when to try it again."""
    db.execute(
        "INSERT INTO failures (tenant, key, kind, source_id, reason, first_at,"
        " last_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (tenant, key) DO UPDATE SET reason = excluded.reason,"
        " attempts = attempts + 1, last_at = excluded.last_at",
        (tenant, e.key, e.kind, e.source_id, e.error or "", at, at),
    )
    attempts = db.execute(
        "SELECT attempts FROM failures WHERE tenant = ? AND key = ?", (tenant, e.key)
    ).fetchone()[0]
    waits, next_at = _schedule(e, int(attempts), at, retry)
    db.execute(
        "UPDATE failures SET waits_for = ?, next_attempt_at = ?, fingerprint = ?"
        " WHERE tenant = ? AND key = ?",
        (waits, next_at, e.fingerprint, tenant, e.key),
    )


def _schedule(e: Event, attempts: int, at: str, retry: RetryPolicy) -> tuple[str, str | None]:
    """What a failure waits for, and when it is tried again (None: not on a timer)."""
    if e.action == "conflict":
        return "conflict", None  # two truths: a person decides
    if e.fingerprint is not None:
        return "change", None  # the config or Odoo must change first
    if attempts >= retry.cap:
        return "person", None
    return "retry", (from_iso(at) + retry.gap(attempts)).isoformat(timespec="seconds")


UPSERT_LINK = (
    "INSERT INTO links (tenant, key, kind, source_id, source_version, odoo_model,"
    " odoo_id, odoo_name, state, amounts, updated_at)"
    " VALUES (:tenant, :key, :kind, :source_id, :source_version, :odoo_model,"
    " :odoo_id, :odoo_name, :state, :amounts, :updated_at)"
    " ON CONFLICT (tenant, key) DO UPDATE SET source_version ="
    " excluded.source_version, odoo_model = excluded.odoo_model, odoo_id ="
    " excluded.odoo_id, odoo_name = excluded.odoo_name, state = excluded.state,"
    " amounts = excluded.amounts, updated_at = excluded.updated_at"
)


def link_row(tenant: str, link: Link, at: str) -> dict[str, Any]:
    amounts = dumps_text(link.amounts) if link.amounts is not None else None
    return {**vars(link), "tenant": tenant, "amounts": amounts, "updated_at": at}
