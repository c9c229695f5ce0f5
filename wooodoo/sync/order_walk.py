"""The order cursor and its pages: read ahead, cut into Odoo batches, committed in order.

The walk starts at the saved cursor minus ``sync.overlap_seconds`` (or at ``sync.since``),
reads the pages in a thread of their own (``read_ahead``), cuts them into batches by the orders
that need Odoo (``batching``) and saves each page's cursor once its orders went through a batch
and their credit notes exist. When the store's clock was set back since the last run
(``store_clock``), the pages are read again from where its new clock could have stamped a change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from wooodoo.audit import Event, Link
from wooodoo.sync import store_clock
from wooodoo.sync.batching import Cut, Gather
from wooodoo.sync.context import BatchOptions, BatchOutcome, Sides
from wooodoo.sync.credit_queue import CreditQueue, Cursor
from wooodoo.sync.invoiced import order_event
from wooodoo.sync.mapping import order_key
from wooodoo.sync.outcome import Progress, Stat, Step, TenantResult
from wooodoo.sync.ports import OrderPageLike
from wooodoo.sync.read_ahead import read_ahead
from wooodoo.woo.models import Order

log = logging.getLogger(__name__)

ORDER_CURSOR = "orders"
PAGES_AHEAD = 2  # WooCommerce pages read while Odoo works on the current batch

Batch = Callable[[Sequence[Order], BatchOptions, TenantResult, CreditQueue | None], BatchOutcome]


@dataclass(frozen=True)
class SyncOptions:
    since: date | None = None  # overrides the cursor
    dry_run: bool = False
    full: bool = False  # re-read every order since ``since`` and sweep every customer
    limit: int | None = None  # stop after this many orders


class OrderWalk:
    """One run's walk over the orders modified since the cursor."""

    def __init__(self, sides: Sides, progress: Progress, batch: Batch) -> None:
        self.sides = sides
        self.progress = progress
        self._batch = batch
        self._early: tuple[datetime, Iterator[OrderPageLike]] | None = None

    @contextmanager
    def reading_early(self, options: SyncOptions) -> Iterator[None]:
        """Start reading the first pages now, so that they come while the run reaches Odoo
        and retries its failures; ``run`` inside the block takes them."""
        start = self._start(options)
        pages = self.sides.woo.iter_order_pages(modified_after=start)
        with read_ahead(pages, PAGES_AHEAD) as ahead:
            self._early = (start, ahead)
            try:
                yield
            finally:
                self._early = None

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

    def run(self, options: SyncOptions, result: TenantResult) -> None:
        """The pages from the cursor on, read one ahead while Odoo works on the batches; again
        from further back when the store's clock was set back since the last run."""
        # the run's credit notes, made a full batch at a time and at the end (cost budget)
        size = self.sides.tenant.sync.batch_size
        credits = None if options.dry_run else CreditQueue(self.sides, size)
        store, name = self.sides.store, self.sides.name
        since = options.since or self.sides.tenant.sync.since
        # the run's last poll of Odoo reads the names Odoo gave the invoices it posts
        batch = BatchOptions(since, options.dry_run, names_later=not options.dry_run)
        walk = _Walk(options, batch, Gather(size, self._wants_odoo), credits)
        clock = store.cursor(name, store_clock.CURSOR)
        saved = store.cursor(name, ORDER_CURSOR)
        if saved is None:
            # the tenant's first run: its pages bring orders to invoice (a backfill), so the
            # reference data is read while the first page comes, not after it
            self.sides.refs.get()
        if self._early is not None:
            start, early = self._early
            self._early = None
            self._pages(walk, early, saved, result)
        else:
            start = self._start(options)
            self._walk(walk, start, saved, result)
        jump = store_clock.set_back(clock, self.sides.woo.store_clock())
        if clock and jump and not walk.limited:
            overlap = timedelta(seconds=self.sides.tenant.sync.overlap_seconds)
            again = store_clock.walk_again_from(clock, jump, start, overlap)
            log.warning(
                "the store's clock is %s behind where it was at the last run: orders are read"
                " again from %s",
                jump,
                again.isoformat(),
            )
            self._walk(walk, again, None, result)  # its cursor may go back with the clock
        for cut in walk.gather.finish():
            self._cut(cut, walk.batch, result, credits)
        if credits is not None:
            credits.finish()
            self._commit_credits(credits, result, [], [])
        now = self.sides.woo.store_clock()
        if now is not None and not options.dry_run:
            cursor = (store_clock.CURSOR, store_clock.clock_text(now))
            store.commit_page(name, result.run_id, [], cursor=cursor)
            saved = store.cursor(name, ORDER_CURSOR)
            if clock and jump and not walk.limited and saved:
                # all read up to the store's time now: the cursor follows its clock back (the
                # newest date read may be one the old clock stamped, ahead of the new one);
                # it never moves forward here
                back = min(datetime.fromisoformat(saved), now[0]).astimezone(UTC)
                store.commit_page(name, result.run_id, [], cursor=(ORDER_CURSOR, back.isoformat()))

    def _walk(self, walk: _Walk, start: datetime, saved: str | None, result: TenantResult) -> None:
        """The pages from ``start``; a page's cursor is saved when past ``saved``."""
        pages = self.sides.woo.iter_order_pages(modified_after=start)
        with read_ahead(pages, PAGES_AHEAD) as ahead:
            self._pages(walk, ahead, saved, result)

    def _pages(
        self, walk: _Walk, pages: Iterator[OrderPageLike], saved: str | None, result: TenantResult
    ) -> None:
        options = walk.options
        for page in pages:
            self.progress(Step.PAGES, 1)
            orders = list(page.orders)
            if options.limit is not None:
                orders = orders[: max(0, options.limit - walk.seen)]
            walk.seen += len(orders)
            walk.limited = options.limit is not None and walk.seen >= options.limit
            self._rejected(page, result, options.dry_run)
            if not walk.cut:  # only the pages that fill the first batch wait for it
                self._read_reference_early(orders)
            cursor = None if walk.limited else _page_cursor(page, saved)
            for cut in walk.gather.add(orders, cursor):
                walk.cut = True
                self._cut(cut, walk.batch, result, walk.credits)
            self.progress(Step.ORDERS, len(orders))
            if walk.limited:
                break

    def _wants_odoo(self, order: Order) -> bool:
        """Whether an order counts towards a full Odoo batch (a guess: orders in other
        statuses are only skipped, and only the batch itself knows what was invoiced)."""
        return order.status in self.sides.tenant.sync.statuses or order.status in (
            "refunded",
            "cancelled",
        )

    def _read_reference_early(self, orders: Sequence[Order]) -> None:
        """Odoo's reference data, read as soon as a page brings an order to invoice: while the
        reader fetches the pages that fill the first batch, not after them. A run that only
        meets orders it invoiced before (an idle run's overlap) still reads none of it."""
        if self.sides.refs.loaded:
            return
        since = self.sides.tenant.sync.since
        keys = [
            order_key(self.sides.name, o.id)
            for o in orders
            if self._wants_odoo(o) and o.local_date_created >= since
        ]
        if keys and len(self.sides.store.links(self.sides.name, keys)) < len(keys):
            self.sides.refs.get()

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


@dataclass
class _Walk:
    """What the walks of one run share: the batches they fill, the orders seen, the limit."""

    options: SyncOptions
    batch: BatchOptions
    gather: Gather[Order, Cursor]
    credits: CreditQueue | None
    seen: int = 0
    limited: bool = False
    cut: bool = False  # a batch went to Odoo: it read the reference data if it needed it


def _page_cursor(page: OrderPageLike, saved: str | None) -> Cursor | None:
    """The cursor to save once the page is done; None where it would not move it forward."""
    if saved is not None and page.cursor <= datetime.fromisoformat(saved):
        return None
    return (ORDER_CURSOR, page.cursor.astimezone(UTC).isoformat())
