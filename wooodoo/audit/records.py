"""What the audit log takes and hands out: events, links, runs and failures, typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# What lands in the failures table: records a person must look at, and `replay` retries.
ATTENTION_ACTIONS = frozenset({"failed", "mismatch", "conflict"})

# Actions after which a record no longer needs attention.
SETTLED_ACTIONS = frozenset(
    {"created", "linked", "updated", "unchanged", "skipped", "reversed", "reissued", "cancelled"}
)

# Every action an event can carry (`audit events --status` accepts these).
# ``replayed``: a replay read the record again and found nothing to do; ``drift``: a change
# made in Odoo by a person (cancelled, reset to draft, deleted, partners merged)
ACTIONS = (
    ATTENTION_ACTIONS
    | SETTLED_ACTIONS
    | {
        "refunded",
        "removed",
        "would_create",
        "replayed",
        "drift",
    }
)


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
    replays: int | None = None  # the event this attempt replays (replay, automatic retry)
    # a failure that only a change of these can fix (config, Odoo's reference data): it is
    # retried when they change, not on a timer; not stored with the event, only the failure
    fingerprint: str | None = None


@dataclass(frozen=True, kw_only=True)
class EventRecord(Event):
    """An event as the log hands it back; ``payload`` is the stored JSON, secrets removed."""

    id: int
    run_id: int | None
    tenant: str
    at: datetime


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
    """A record whose last attempt needs a person: the latest reason and how often it happened."""

    tenant: str
    key: str
    kind: str
    source_id: str
    reason: str
    attempts: int
    last_at: datetime
    next_attempt_at: datetime | None = None  # None: it waits for a change or a person
    waits_for: str = "retry"  # retry (on a timer) | change | person (after the cap) | conflict
    fingerprint: str | None = None  # what the config and Odoo were when it failed (change)


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retry of failed records between runs: exponential backoff, then a person.

    After attempt n (n = 1, 2...) the next one is due ``base * 2**(n-1)`` later (at most
    ``longest``); after ``cap`` attempts the record waits for a person."""

    base: timedelta = timedelta(minutes=5)
    longest: timedelta = timedelta(hours=12)
    cap: int = 8

    def gap(self, attempts: int) -> timedelta:
        gap: timedelta = self.base * 2 ** max(0, attempts - 1)
        return min(self.longest, gap)


@dataclass(frozen=True)
class Delivery:
    """A verified webhook delivery, as the receiver keeps it before answering the store."""

    tenant: str
    delivery_id: str | None
    topic: str  # e.g. order.updated
    resource_id: str | None
    resource_modified: str | None  # the resource's date_modified_gmt: one version, kept once
    body: str

    @property
    def resource(self) -> str:
        return self.topic.partition(".")[0]


@dataclass(frozen=True)
class InboxItem:
    """A delivery waiting in the inbox (or done, with what became of it in ``note``)."""

    id: int
    tenant: str
    delivery_id: str | None
    topic: str
    resource_id: str | None
    received_at: datetime
    processed_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class EventQuery:
    """Which events to list, newest first; an empty tuple filters nothing."""

    tenants: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    since: datetime | None = None  # timezone-aware
    source_id: str | None = None  # the WooCommerce id
    limit: int = 50


@dataclass(frozen=True)
class CursorState:
    """Where a cursor stands (its value as stored) and when it was last saved."""

    name: str
    value: str
    saved_at: datetime


@dataclass(frozen=True)
class TenantStats:
    """One tenant's health as the audit sees it: failures waiting (for a person, or for the
    config or Odoo to change) and retries pending (due again on a timer)."""

    tenant: str
    last_run: Run | None
    last_success_at: datetime | None
    failures_waiting: int
    retries_pending: int
    next_retry_at: datetime | None
    cursors: tuple[CursorState, ...]
    failures_by_wait: dict[str, int]  # waits_for (retry, change, person, conflict) -> count


@dataclass(frozen=True)
class Pruned:
    """What ``prune_payloads`` dropped (or would drop): snapshots older than ``before``."""

    before: datetime
    payloads: int  # event payloads dropped
    payload_bytes: int
    bodies: int  # bodies of webhook deliveries already processed
    body_bytes: int
    kept_latest: int  # old snapshots kept as the newest of their record
