"""One tenant's run: the order cursor and its pages, replay, the twin sweep, the customers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from wooodoo.audit import Event, Link
from wooodoo.config import TenantConfig
from wooodoo.errors import EXIT_OK, WooodooError
from wooodoo.sync.batching import Cut, Gather
from wooodoo.sync.context import BatchOptions, BatchOutcome, References, Sides
from wooodoo.sync.create_once import CommitWait
from wooodoo.sync.credit_queue import CreditQueue, Cursor
from wooodoo.sync.inbox import InboxDrain
from wooodoo.sync.invoiced import order_event
from wooodoo.sync.mapping import order_key
from wooodoo.sync.odoo_changes import ODOO_TIME, OdooChanges
from wooodoo.sync.orders import OrderBatch
from wooodoo.sync.outcome import Progress, Stat, Step, TenantResult, no_progress
from wooodoo.sync.partners import CustomerSweep
from wooodoo.sync.ports import AuditLog, OdooTarget, OrderPageLike, WooSource
from wooodoo.sync.read_ahead import read_ahead
from wooodoo.sync.replay import targets_for, targets_of_failures
from wooodoo.sync.retry import REFERENCE_CHECK, REFERENCE_CURSOR, Replayer, config_now, due
from wooodoo.sync.twin_sweep import TwinSweep
from wooodoo.woo.models import Order

ORDER_CURSOR = "orders"
PAGES_AHEAD = 2  # WooCommerce pages read while Odoo works on the current batch
OWN_MARGIN = timedelta(minutes=1)  # Odoo's clock may be behind ours: the run's own records


@dataclass(frozen=True)
class SyncOptions:
    since: date | None = None  # overrides the cursor
    dry_run: bool = False
    full: bool = False  # re-read every order since ``since`` and sweep every customer
    limit: int | None = None  # stop after this many orders


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

    def sync(self, options: SyncOptions = SyncOptions()) -> TenantResult:
        started = datetime.now(UTC)
        with self._recorded_run("sync --dry-run" if options.dry_run else "sync") as result:
            if not options.dry_run:
                self._sweep_twins(result)
                OdooChanges(self.sides, result.run_id, result.stats).run()
                self._retry(result)
            self._sync_orders(options, result)
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

    # ------------------------------------------------------------ the order cursor

    def _start(self, options: SyncOptions) -> datetime:
        if options.since is None and not options.full:
            saved = self.sides.store.cursor(self.sides.name, ORDER_CURSOR)
            if saved:
                overlap = timedelta(seconds=self.sides.tenant.sync.overlap_seconds)
                return datetime.fromisoformat(saved) - overlap
        # Store-local midnight is at most 14 hours before UTC midnight; orders of the day
        # before are skipped by their local date in the batch.
        since = options.since or self.sides.tenant.sync.since
        return datetime.combine(since, time.min, tzinfo=UTC) - timedelta(hours=14)

    def _sync_orders(self, options: SyncOptions, result: TenantResult) -> None:
        """The pages from the cursor on, read one ahead while Odoo works on the batches."""
        seen = 0
        # the run's credit notes, made a full batch at a time and at the end (cost budget)
        size = self.sides.tenant.sync.batch_size
        credits = None if options.dry_run else CreditQueue(self.sides, size)
        saved = self.sides.store.cursor(self.sides.name, ORDER_CURSOR)
        gather: Gather[Order, Cursor] = Gather(size, self._wants_odoo)
        since = options.since or self.sides.tenant.sync.since
        # the run's last poll of Odoo reads the names Odoo gave the invoices it posts
        batch_options = BatchOptions(since, options.dry_run, names_later=not options.dry_run)
        pages = self.sides.woo.iter_order_pages(modified_after=self._start(options))
        with read_ahead(pages, PAGES_AHEAD) as ahead:
            for page in ahead:
                self.progress(Step.PAGES, 1)
                orders = list(page.orders)
                if options.limit is not None:
                    orders = orders[: max(0, options.limit - seen)]
                seen += len(orders)
                limited = options.limit is not None and seen >= options.limit
                self._rejected(page, result, options.dry_run)
                cursor = None if limited else _page_cursor(page, saved)
                for cut in gather.add(orders, cursor):
                    self._cut(cut, batch_options, result, credits)
                self.progress(Step.ORDERS, len(orders))
                if limited:
                    break
        for cut in gather.finish():
            self._cut(cut, batch_options, result, credits)
        if credits is not None:
            credits.finish()
            self._commit_credits(credits, result, [], [])

    def _wants_odoo(self, order: Order) -> bool:
        """Whether an order counts towards a full Odoo batch (a guess: orders in other
        statuses are only skipped, and only the batch itself knows what was invoiced)."""
        return order.status in self.sides.tenant.sync.statuses or order.status in (
            "refunded",
            "cancelled",
        )

    def _commit_credits(
        self,
        credits: CreditQueue,
        result: TenantResult,
        events: list[Event],
        links: list[Link],
    ) -> None:
        """The rows of a batch and of the credit notes made meanwhile, with the cursor of
        every page whose orders are all credited."""
        made, cursor = credits.take()
        result.stats.update(made.stats)
        events, links = events + made.events, links + made.links
        if events or links or cursor:
            self.sides.store.commit_page(
                self.sides.name, result.run_id, events, links, cursor=cursor
            )

    def _rejected(self, page: OrderPageLike, result: TenantResult, dry_run: bool) -> None:
        """Orders the page held that could not be read: a failed row each, at once."""
        events: list[Event] = [
            order_event(
                r.record_id or "?",
                order_key(self.sides.name, r.record_id or 0),
                "failed",
                error=r.reason,
            )
            for r in page.rejected
        ]
        result.stats[Stat.FAILED] += len(events)
        if events and not dry_run:
            self.sides.store.commit_page(self.sides.name, result.run_id, events, [])

    def _cut(
        self,
        cut: Cut[Order, Cursor],
        options: BatchOptions,
        result: TenantResult,
        credits: CreditQueue | None,
    ) -> None:
        """One batch; its audit rows, and the cursor of the pages it completes once their
        orders are credited, go in one transaction (nothing is written in a dry run)."""
        done = self._batch(cut.orders, options, result, credits)
        if credits is None:
            return
        if cut.cursor is not None:
            credits.hold(cut.cursor)
        self._commit_credits(credits, result, done.events, done.links)


def _page_cursor(page: OrderPageLike, saved: str | None) -> Cursor | None:
    """The cursor to save once the page is done; None where it would not move it forward."""
    if saved is not None and page.cursor <= datetime.fromisoformat(saved):
        return None
    return (ORDER_CURSOR, page.cursor.astimezone(UTC).isoformat())


def _plain(result: TenantResult) -> dict[str, int]:
    """The run's counts by name, as the audit store keeps them."""
    return {str(stat): n for stat, n in result.stats.items()}
