"""One tenant's run: the order cursor and its pages, replay, the twin sweep, the customers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from wooodoo.config import TenantConfig
from wooodoo.errors import EXIT_OK, WooodooError
from wooodoo.sync.context import BatchOptions, BatchOutcome, References, Sides
from wooodoo.sync.create_once import CommitWait
from wooodoo.sync.credit_queue import CreditQueue
from wooodoo.sync.inbox import InboxDrain
from wooodoo.sync.odoo_changes import ODOO_TIME, OdooChanges
from wooodoo.sync.order_walk import OrderWalk, SyncOptions
from wooodoo.sync.orders import OrderBatch
from wooodoo.sync.outcome import Progress, Stat, Step, TenantResult, no_progress
from wooodoo.sync.partners import CustomerSweep
from wooodoo.sync.ports import AuditLog, OdooTarget, WooSource
from wooodoo.sync.replay import targets_for, targets_of_failures
from wooodoo.sync.retry import REFERENCE_CHECK, REFERENCE_CURSOR, Replayer, config_now, due
from wooodoo.sync.twin_sweep import TwinSweep
from wooodoo.woo.models import Order

log = logging.getLogger(__name__)

OWN_MARGIN = timedelta(minutes=1)  # Odoo's clock may be behind ours: the run's own records


# what a run made or changed in Odoo: it polls Odoo again at its end
WROTE_TO_ODOO = (
    Stat.INVOICED,
    Stat.MISMATCH,
    Stat.FAILED,
    Stat.PARTNERS_CREATED,
    Stat.TWINS_REMOVED,
    Stat.CREDITED,
    Stat.PAID,
    Stat.PAID_BACK,
    Stat.REVERSED,
    Stat.CANCELLED,
    Stat.REISSUED,
    Stat.TAX_ADJUSTED,
    Stat.DELIVERIES,
    Stat.RETRIED,
    Stat.FROM_SNAPSHOT,
)


class Engine:
    """Syncs one tenant. Holds no connection of its own: it is handed the three sides."""

    def __init__(
        self,
        tenant: TenantConfig,
        woo: WooSource,
        odoo: OdooTarget,
        store: AuditLog,
        *,
        progress: Progress = no_progress,
        refs: References | None = None,
    ) -> None:
        """``refs``: reference data read by an earlier engine over the same ``odoo`` (a
        long-running process keeps it between runs)."""
        self.progress = progress
        # a lost create is awaited as long as the Odoo timeout, at least 30 s (CommitWait)
        wait = CommitWait(seconds=max(30.0, tenant.odoo.timeout))
        refs = refs or References(tenant, odoo)
        self.sides = Sides(tenant, woo, odoo, store, refs, wait)

    # ------------------------------------------------------------ entry points

    def sync(self, options: SyncOptions | None = None) -> TenantResult:
        options = options or SyncOptions()
        started = datetime.now(UTC)
        walk = OrderWalk(self.sides, self.progress, self._batch)
        with self._recorded_run("sync --dry-run" if options.dry_run else "sync") as result:
            with walk.reading_early(options):  # the first pages come while Odoo is reached
                if not options.dry_run:
                    self._sweep_twins(result)
                    OdooChanges(self.sides, result.run_id, result.stats).run()
                    self._retry(result)
                walk.run(options, result)
            if not options.dry_run:
                self._drain(result)  # what webhooks left while this run held the lock
            overlap = timedelta(seconds=self.sides.tenant.sync.overlap_seconds)
            self._customers(result, options.dry_run).sweep(
                mark=started - overlap, full=options.full
            )
            if not options.dry_run:
                self._needs_attention(result)
                if any(result.stats[stat] for stat in WROTE_TO_ODOO):
                    # its own writes become the next run's starting point: an idle run after
                    # it reads nothing new (a person's change meanwhile is seen now)
                    own = (started - OWN_MARGIN).strftime(ODOO_TIME)
                    OdooChanges(self.sides, result.run_id, result.stats, own).run()
        return result

    def replay(
        self,
        keys: Sequence[str] | Mapping[str, int | None] | None = None,
        *,
        from_snapshot: bool = False,
    ) -> TenantResult:
        """Try these keys' records again (None: every failed record), through the same batch;
        what a person removed in Odoo is made again. Each attempt points at the event it
        replays. ``from_snapshot``: an order the store no longer has is booked as its failed
        event's snapshot has it."""
        store = self.sides.store
        if keys is None:
            targets = targets_of_failures(self.sides.name, store.failures(self.sides.name), store)
        else:
            targets = targets_for(self.sides.name, keys, store)
        with self._recorded_run("replay") as result:
            self._sweep_twins(result)
            self._replayer(result).run(targets, recreate=True, from_snapshot=from_snapshot)
        return result

    def _retry(self, result: TenantResult) -> None:
        """The automatic retry a sync starts with: the failed records that are due again."""
        store, name = self.sides.store, self.sides.name
        failures = store.failures(name)
        if not failures:
            return
        now = datetime.now(UTC)
        chosen = due(failures, now, config_now(self.sides), lambda: self._odoo_now(now))
        if chosen:
            result.stats[Stat.RETRIED] += len(chosen)
            targets = targets_of_failures(name, chosen, store)
            self._replayer(result).run(targets, recreate=False)

    def _odoo_now(self, now: datetime) -> str | None:
        """The Odoo part of the fingerprint, when this run has Odoo's data or it is time to
        read it again (at most hourly for an idle run)."""
        store, name = self.sides.store, self.sides.name
        last = store.cursor(name, REFERENCE_CURSOR)
        if (
            not self.sides.refs.loaded
            and last
            and now - datetime.fromisoformat(last) < (REFERENCE_CHECK)
        ):
            return None
        store.commit_page(name, None, [], cursor=(REFERENCE_CURSOR, now.isoformat()))
        return self.sides.refs.fingerprint().split(":")[1]

    def _needs_attention(self, result: TenantResult) -> None:
        """Count the failures past the retry cap (exit 1 while they wait). A run that read
        Odoo's reference data anyway resets the clock of its next check."""
        store, name = self.sides.store, self.sides.name
        waiting = [f for f in store.failures(name) if f.waits_for == "person"]
        result.stats[Stat.NEEDS_ATTENTION] += len(waiting)
        if self.sides.refs.loaded:
            now = datetime.now(UTC).isoformat()
            store.commit_page(name, None, [], cursor=(REFERENCE_CURSOR, now))

    def _replayer(self, result: TenantResult) -> Replayer:
        return Replayer(
            self.sides,
            lambda orders, options: self._batch(orders, options, result),
            lambda: self._customers(result),
            result.run_id,
            result.stats,
        )

    def drain_inbox(self, between: Callable[[], None] = lambda: None) -> TenantResult | None:
        """Turn the waiting webhook deliveries into invoices and partners (None: none waits).

        ``between`` is called after each round (a page of deliveries), e.g. to let a burst of
        deliveries be answered first."""
        if not self.sides.store.inbox_pending(self.sides.name, 1):
            return None
        with self._recorded_run("webhook") as result:
            self._drain(result, between)
        return result

    # ------------------------------------------------------------ the run's frame

    def _drain(self, result: TenantResult, between: Callable[[], None] = lambda: None) -> None:
        sides = self.sides
        drain = InboxDrain(
            sides.name,
            self.sides.woo,
            sides.store,
            lambda orders, options: self._batch(orders, options, result),
            lambda: self._customers(result),
            BatchOptions(sides.tenant.sync.since),
            between,
        )
        result.stats[Stat.DELIVERIES] += drain.run(result.run_id)

    @contextmanager
    def _recorded_run(self, command: str) -> Iterator[TenantResult]:
        """A run row from start to finish; an aborted run keeps what it had done."""
        result = TenantResult(self.sides.name)
        result.run_id = self.sides.store.start_run(self.sides.name, command)
        try:
            yield result
        except BaseException as exc:
            # Our own errors are written without secrets; anything else could carry a URL
            # with keys in its message, so only its type goes to the audit store.
            result.error = exc.message if isinstance(exc, WooodooError) else type(exc).__name__
            self.sides.store.finish_run(result.run_id, "aborted", _plain(result), result.error)
            raise
        result.finish()
        status = "ok" if result.exit_code == EXIT_OK else "partial"
        self.sides.store.finish_run(result.run_id, status, _plain(result))

    def _sweep_twins(self, result: TenantResult) -> None:
        """Remove twins that a killed run's late commits (or a lost create) left behind."""
        assert result.run_id is not None
        out = TwinSweep(self.sides.name, self.sides.odoo, self.sides.store).run(result.run_id)
        result.stats[Stat.TWINS_REMOVED] += out.removed
        result.stats[Stat.CONFLICT] += len(out.conflicts)

    def _customers(self, result: TenantResult, dry_run: bool = False) -> CustomerSweep:
        return CustomerSweep(
            self.sides.name,
            self.sides.woo,
            self.sides.odoo,
            self.sides.store,
            self.sides.refs.get,
            run_id=result.run_id,
            stats=result.stats,
            dry_run=dry_run,
            wait=self.sides.wait,
        )

    def _batch(
        self,
        orders: Sequence[Order],
        options: BatchOptions,
        result: TenantResult,
        credits: CreditQueue | None = None,
    ) -> BatchOutcome:
        batch = OrderBatch(self.sides, run_id=result.run_id, credits=credits)
        done = batch.run(orders, options)
        result.stats.update(done.stats)
        result.planned += done.planned
        self.progress(Step.INVOICES, done.invoices_created)
        return done


def _plain(result: TenantResult) -> dict[str, int]:
    """The run's counts by name, as the audit store keeps them."""
    return {str(stat): n for stat, n in result.stats.items()}
