"""Walking WooCommerce lists without skipping: a modified-date cursor and a page walker.

The order cursor re-anchors on ``date_modified`` instead of paging by number, because
page numbers over a list that changes while it is read skip records. What it relies on
(WooCommerce 5.8+, REST v3, checked against ``WP_Date_Query``):

* ``modified_after`` / ``modified_before`` are strict (``>`` / ``<``) and compared with
  ``date_modified_gmt`` when ``dates_are_gmt=true``; the dates are sent as naive UTC with
  whole seconds (a trailing ``Z`` with ``dates_are_gmt`` is shifted by the store's offset).
* dates have one-second resolution, and the order of records within one second is not
  defined (MySQL), so "the first N at or after T" is the only stable question.

The walk, with N = per page and T = the cursor (newest ``date_modified`` seen):

1. Ask for ``modified_after=T-1s`` (so ``>= T``), ``orderby=modified&order=asc``, page 1,
   and drop the records already seen at exactly T. The very first request uses the
   caller's start as is (strict).
2. A page shorter than N is the end: everything at or after T has been read.
3. A full page that spans several seconds moves T to its newest second; the orders at
   T that did not fit come on the next request, because that request starts at T.
4. A full page that lies entirely within one second T cannot be got past by date, so
   that second is read as a bucket: ``modified_after=T-1s&modified_before=T+1s``,
   ``orderby=id`` (a total order), pages 1, 2, ... until a short page. If the bucket's
   ``X-WP-Total`` changes between its pages (an order in it was modified and left it,
   shifting positions), the bucket is read again from page 1; seen ids are dropped.
   Then the walk goes on strictly after T, if second T was over (by the response's
   ``Date``) when that pass began: no order can join it any more. If it was not, orders
   may still be saved in T, so the walk ends there and ``stopped_in_running_second``
   says so; the caller resumes from ``cursor`` (minus its overlap) on its next run.

Loop guards: a full page that neither brings a new record nor moves T, a record outside
the requested bounds (a store that ignores the filter), a bucket read beyond its own
total or restarted too often, and a page budget from the first ``X-WP-Total`` (with
slack for orders modified while paging) each stop the walk with a PaginationError.

Orders modified while paging come again later with their new ``date_modified``: the
caller sees a new version of the same order, never the same version twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from wooodoo.errors import RemoteError

SECOND = timedelta(seconds=1)
MAX_BUCKET_RESTARTS = 5


class PaginationError(RemoteError):
    """The store's answers would make a walk loop or skip records."""


def woo_utc(when: datetime) -> str:
    """A date as WooCommerce wants it with ``dates_are_gmt=true``: naive UTC, whole seconds."""
    if when.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _whole_second(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class PageRequest:
    """One request of a walk; ``after``/``before`` are strict bounds, as the store applies them."""

    after: datetime
    before: datetime | None
    orderby: Literal["modified", "id"]
    page: int

    def params(self) -> dict[str, str]:
        out = {
            "modified_after": woo_utc(self.after),
            "dates_are_gmt": "true",
            "orderby": self.orderby,
            "order": "asc",
            "page": str(self.page),
        }
        if self.before is not None:
            out["modified_before"] = woo_utc(self.before)
        return out


@dataclass(frozen=True)
class RecordKey:
    """What the walk needs of a record: its id and ``date_modified_gmt`` (None if unusable)."""

    id: int | None
    modified: datetime | None


def record_key(raw: object) -> RecordKey:
    if not isinstance(raw, Mapping):
        return RecordKey(None, None)
    rid = raw.get("id")
    record_id = rid if isinstance(rid, int) and not isinstance(rid, bool) and rid > 0 else None
    modified: datetime | None = None
    value = raw.get("date_modified_gmt")
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            modified = _whole_second(
                parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
            )
    return RecordKey(record_id, modified)


@dataclass
class _Bucket:
    stale_allowed: int  # full pages of already-seen records one pass may meet
    page: int = 1
    total: int | None = None
    restarts: int = 0
    stale: int = 0
    opened_at: datetime | None = None  # the store's clock when this pass read page 1


class ModifiedCursor:
    """The order walk described in the module docstring, without any I/O.

    Use: ``while (req := cur.next_request()) is not None: fresh = cur.accept(records,
    total)``. ``cursor`` is the newest ``date_modified`` seen: every order modified
    before it has been returned; orders at exactly ``cursor`` may still follow.
    """

    def __init__(
        self,
        *,
        start: datetime,
        per_page: int,
        until: datetime | None = None,
        max_pages: int | None = None,
    ) -> None:
        if start.tzinfo is None or (until is not None and until.tzinfo is None):
            raise ValueError("start and until must be timezone-aware")
        if not 1 <= per_page <= 100:
            raise ValueError("per_page must be between 1 and 100 (WooCommerce's limit)")
        self.per_page = per_page
        self._anchor = start.astimezone(UTC)
        self._until = until.astimezone(UTC) if until is not None else None
        self._inclusive = False  # the first request is strictly after the caller's start
        self._seen: set[int] = set()  # ids seen with date_modified == anchor
        self._bucket: _Bucket | None = None
        self._done = False
        self.stopped_in_running_second = False
        self._max_pages = max_pages
        self.pages = 0
        self._last: PageRequest | None = None

    @property
    def cursor(self) -> datetime:
        return self._anchor

    @property
    def done(self) -> bool:
        return self._done

    def next_request(self) -> PageRequest | None:
        if self._done:
            return None
        if self._max_pages is not None and self.pages >= self._max_pages:
            raise PaginationError(
                f"order walk stopped after {self.pages} pages at cursor {woo_utc(self._anchor)}: "
                "more than the store's count of matching orders can explain",
                hint="Run again (the cursor is kept); if it repeats, report the store's answers.",
            )
        t = self._anchor
        if self._bucket is not None:
            before = t + SECOND if self._until is None else min(self._until, t + SECOND)
            req = PageRequest(t - SECOND, before, "id", self._bucket.page)
        else:
            after = t - SECOND if self._inclusive else t
            req = PageRequest(after, self._until, "modified", 1)
        self._last = req
        return req

    def accept(
        self, records: Sequence[object], total: int | None, server_time: datetime | None = None
    ) -> list[object]:
        """Take the answer to the last request; return the records not returned before.

        ``total`` is ``X-WP-Total``, ``server_time`` the response's ``Date`` (if any).
        """
        req = self._last
        if req is None:
            raise RuntimeError("accept() without next_request()")
        self._last = None
        self.pages += 1
        if self._max_pages is None:
            expected = math.ceil((total or 0) / self.per_page)
            self._max_pages = 3 * expected + 10 if total is not None else 10_000
        keys = self._keys(records, req)
        if self._bucket is not None:
            return self._accept_bucket(records, keys, total, server_time)
        return self._accept_main(records, keys, total)

    def _keys(self, records: Sequence[object], req: PageRequest) -> list[RecordKey]:
        """Keys with a usable time for each record (a broken date takes its neighbour's)."""
        keys: list[RecordKey] = []
        previous: datetime | None = None
        lowest = _whole_second(req.after)
        for raw in records:
            key = record_key(raw)
            stamp = key.modified
            if stamp is not None and (
                stamp <= lowest or (req.before is not None and stamp >= req.before)
            ):
                raise PaginationError(
                    f"the store returned order {key.id} modified {woo_utc(stamp)}, outside the "
                    f"requested {woo_utc(req.after)} .. "
                    f"{woo_utc(req.before) if req.before else 'now'}",
                    hint="modified_after/modified_before need WooCommerce 5.8 or newer.",
                )
            if stamp is None:
                stamp = previous or lowest + SECOND
            previous = stamp
            keys.append(RecordKey(key.id, stamp))
        return keys

    def _accept_main(
        self, records: Sequence[object], keys: list[RecordKey], total: int | None = None
    ) -> list[object]:
        t = self._anchor
        fresh = [
            raw
            for raw, key in zip(records, keys, strict=True)
            if key.id is None or key.modified != t or key.id not in self._seen
        ]
        new_ids = {
            k.id for k in keys if k.id is not None and (k.modified != t or k.id not in self._seen)
        }
        stamps = [k.modified for k in keys if k.modified is not None]
        newest = max(stamps, default=t)
        moved = newest > t
        if moved:
            self._anchor = newest
            self._seen = {k.id for k in keys if k.id is not None and k.modified == newest}
        else:
            self._seen |= {k.id for k in keys if k.id is not None and k.modified == t}
        if len(records) < self.per_page or (total is not None and total <= len(records)):
            # X-WP-Total says this page held everything after the cursor: no request for []
            self._done = True
        elif min(stamps, default=newest) == newest:
            # A full page within one second: the date cannot get past it; read the bucket.
            self._inclusive = True
            self._bucket = _Bucket(math.ceil(len(self._seen) / self.per_page))
        elif not moved and not new_ids:
            raise PaginationError(
                f"order walk made no progress at cursor {woo_utc(t)}: a full page with nothing new",
                hint="Report the store's answers; the cursor was not advanced.",
            )
        else:
            self._inclusive = True
        return fresh

    def _accept_bucket(
        self,
        records: Sequence[object],
        keys: list[RecordKey],
        total: int | None,
        server_time: datetime | None,
    ) -> list[object]:
        bucket = self._bucket
        assert bucket is not None
        fresh = [
            raw
            for raw, key in zip(records, keys, strict=True)
            if key.id is None or key.id not in self._seen
        ]
        self._seen |= {k.id for k in keys if k.id is not None}
        changed = bucket.page > 1 and None not in (total, bucket.total) and total != bucket.total
        if bucket.page == 1 or changed:
            bucket.total, bucket.opened_at = total, server_time
        if changed:
            bucket.restarts += 1
            if bucket.restarts > MAX_BUCKET_RESTARTS:
                raise PaginationError(
                    f"orders modified at {woo_utc(self._anchor)} kept changing while being read"
                )
            bucket.page, bucket.stale = 1, 0
            bucket.stale_allowed = math.ceil(len(self._seen) / self.per_page)
            return fresh
        last_page = len(records) < self.per_page or (
            total is not None and bucket.page * self.per_page >= total
        )
        if last_page:
            self._bucket = None
            if bucket.opened_at is not None and bucket.opened_at < self._anchor + SECOND:
                self._done = self.stopped_in_running_second = True
            else:
                self._inclusive = False
            return fresh
        if not fresh:
            # Only pages made of records seen before reading the bucket can be stale.
            bucket.stale += 1
            if bucket.stale > bucket.stale_allowed:
                raise PaginationError(
                    f"the store repeats pages of the orders modified at {woo_utc(self._anchor)} "
                    "(is the page parameter ignored?)"
                )
        bucket.page += 1
        return fresh


class PageWalker:
    """Plain page-number walk (for lists without a date filter, e.g. customers), guarded."""

    def __init__(self, *, per_page: int, slack: int = 5) -> None:
        self.per_page = per_page
        self.page = 1
        self._slack = slack
        self._limit: int | None = None
        self._done = False

    def next_page(self) -> int | None:
        if self._done:
            return None
        if self._limit is not None and self.page > self._limit:
            raise PaginationError(
                f"list walk passed page {self._limit}, beyond the store's own page count"
            )
        return self.page

    def accept(self, count: int, total_pages: int | None) -> None:
        if self._limit is None:
            self._limit = (total_pages or 0) + self._slack if total_pages is not None else 10_000
        if count < self.per_page:
            self._done = True
        else:
            self.page += 1
