"""Trying records again: ``replay`` by hand, and the automatic retry a sync starts with.

The same path as a sync: the records are read again from WooCommerce and go through the same
batch (keys make a second attempt harmless). Every new attempt points at the event it replays.
A failure is due again on a timer (exponential backoff, kept by the audit store), or, when only
a change can fix it (a mapping missing in the config, a currency inactive in Odoo), once the
config's sync section or Odoo's reference data differ from what they were when it failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from wooodoo.audit import Event, Failure
from wooodoo.sync.context import BatchOptions, BatchOutcome, Sides, config_fingerprint
from wooodoo.sync.invoiced import order_event
from wooodoo.sync.mapping import customer_key, order_key
from wooodoo.sync.outcome import Stat, Stats
from wooodoo.sync.partners import CustomerSweep
from wooodoo.sync.replay import Targets, snapshot_of
from wooodoo.woo.models import Order

# Odoo's reference data is read again for failures waiting for a change at most this often
# when the run has not read it anyway (an idle run stays cheap)
REFERENCE_CHECK = timedelta(hours=1)
REFERENCE_CURSOR = "reference_check"


def due(
    failures: Sequence[Failure],
    now: datetime,
    config_now: str,
    odoo_now: Callable[[], str | None],
) -> list[Failure]:
    """The failures to try again now: those whose time has come, and those waiting for a
    change when the config (``config_now``) or Odoo's data (``odoo_now``: None when not
    looked at this run) differ from what they were."""
    out = [f for f in failures if f.waits_for == "retry" and _is_due(f, now)]
    waiting = [f for f in failures if f.waits_for == "change"]
    if not waiting:
        return out
    changed = [f for f in waiting if _part(f.fingerprint, 0) != config_now]
    rest = [f for f in waiting if _part(f.fingerprint, 0) == config_now]
    odoo = odoo_now() if rest else None
    if odoo is not None:
        changed += [f for f in rest if _part(f.fingerprint, 1) != odoo]
    return out + changed


def _is_due(f: Failure, now: datetime) -> bool:
    return f.next_attempt_at is None or f.next_attempt_at <= now


def _part(fingerprint: str | None, n: int) -> str:
    parts = (fingerprint or ":").split(":")
    return parts[n] if n < len(parts) else ""


class Replayer:
    """Reads the targets' records again and runs them through the batch, in one run."""

    def __init__(
        self,
        sides: Sides,
        batch: Callable[[Sequence[Order], BatchOptions], BatchOutcome],
        customers: Callable[[], CustomerSweep],
        run_id: int | None,
        stats: Stats,
    ) -> None:
        self.sides = sides
        self.batch = batch
        self.customers = customers
        self.run_id = run_id
        self.stats = stats

    def run(self, targets: Targets, *, recreate: bool, from_snapshot: bool = False) -> None:
        """``recreate``: make again what a person removed in Odoo (a replay asked for it);
        ``from_snapshot``: an order the store no longer has is booked from the snapshot its
        failed event kept."""
        name = self.sides.name
        options = BatchOptions(self.sides.tenant.sync.since, recreate=recreate)
        order_ids = sorted(targets.orders)
        size = self.sides.tenant.sync.batch_size
        for start in range(0, len(order_ids), size):
            chunk = order_ids[start : start + size]
            orders = list(self.sides.woo.get_orders(chunk))
            gone = sorted(set(chunk) - {o.id for o in orders})
            if from_snapshot:
                kept = [snapshot_of(self.sides.store, name, i) for i in gone]
                orders += [o for o in kept if o is not None]
                self.stats[Stat.FROM_SNAPSHOT] += sum(o is not None for o in kept)
                gone = sorted(set(gone) - {o.id for o in kept if o is not None})
            reason = _gone(from_snapshot)
            events = [order_event(i, order_key(name, i), "failed", error=reason) for i in gone]
            self.stats[Stat.FAILED] += len(events)
            done = self.batch(orders, options)
            read = {k for k, o in targets.order_for.items() if o in chunk}
            events = _pointing(events + done.events, targets, read)
            self.sides.store.commit_page(name, self.run_id, events, done.links)
        if targets.customers:
            sweep = self.customers()
            for customers in self.sides.woo.iter_customers(ids=sorted(targets.customers)):
                sweep.process(customers)
            keys = {customer_key(name, i) for i in targets.customers}
            self.sides.store.commit_page(name, self.run_id, _pointing([], targets, keys))
        if targets.unknown:
            events = [
                Event(key.split("/")[1], key.rsplit("/", 1)[-1], key, "replayed", error=why)
                for key, why in targets.unknown.items()
            ]
            self.sides.store.commit_page(name, self.run_id, _pointing(events, targets, set()))


def _gone(from_snapshot: bool) -> str:
    if from_snapshot:
        return "the order no longer exists in WooCommerce, and no snapshot of it is kept"
    return (
        "the order no longer exists in WooCommerce"
        " (replay --from-snapshot books it as it was when it failed)"
    )


def _pointing(events: list[Event], targets: Targets, read: set[str]) -> list[Event]:
    """The events of this attempt, each replayed key's pointing at the event it replays; a key
    ``read`` again that left no event of its own gets a ``replayed`` row, so the attempt is on
    record."""
    out = [replace(e, replays=targets.replays.get(e.key)) for e in events]
    seen = {e.key for e in out}
    for key in sorted(read - seen):
        kind, source = key.split("/")[1], key.split("/")[2]
        out.append(
            Event(
                kind,
                source,
                key,
                "replayed",
                error="read again: nothing left to do",
                replays=targets.replays.get(key),
            )
        )
    return out


def config_now(sides: Sides) -> str:
    return config_fingerprint(sides.tenant)
