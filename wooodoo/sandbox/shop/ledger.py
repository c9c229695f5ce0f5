"""The store's bookkeeping: one lock, WordPress's id sequences, a clock, change listeners."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

Listener = Callable[[str, int], None]


def wall_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class IdSequence:
    """Ids handed out one after another under the store's lock: ``store.item_ids.take()``."""

    def __init__(self, lock: threading.RLock, first: int) -> None:
        self._lock = lock
        self._next = first

    def take(self) -> int:
        with self._lock:
            self._next += 1
            return self._next - 1


class Ledger:
    """What every change to the store goes through; :class:`StoreData` adds the records."""

    def __init__(self, *, clock: Callable[[], datetime] = wall_clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        # products, coupons, orders and refunds share WordPress's post ids
        self.post_ids = IdSequence(self.lock, 10)
        self.item_ids = IdSequence(self.lock, 1)
        self.meta_ids = IdSequence(self.lock, 1)
        self.user_ids = IdSequence(self.lock, 1)
        self._listeners: list[Listener] = []
        self._last_stamp: datetime | None = None

    # ---- time --------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock, to the second, never earlier than anything already stored."""
        with self.lock:
            stamp = self.clock().astimezone(UTC).replace(microsecond=0)
            if self._last_stamp is not None and stamp < self._last_stamp:
                stamp = self._last_stamp
            self._last_stamp = stamp
            return stamp

    def set_clock_back(self, by: timedelta) -> None:
        """The store's clock is set back by ``by`` (an NTP step, a host moved): what is saved
        from now on carries the earlier time, as on a real server (no floor any more)."""
        with self.lock:
            clock = self.clock
            self.clock = lambda: clock() - by
            self._last_stamp = None

    def note_time(self, when: datetime) -> None:
        """Generated history moves the floor of ``now()`` forward."""
        with self.lock:
            if self._last_stamp is None or when > self._last_stamp:
                self._last_stamp = when

    # ---- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """``listener(topic, resource_id)`` after each change, e.g. ``("order.created", 42)``."""
        with self.lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def announce(self, *events: tuple[str, int]) -> None:
        """Tell the listeners; changes made under ``quiet()`` are announced this way."""
        with self.lock:
            listeners = list(self._listeners)
        for topic, resource_id in events:
            for listener in listeners:
                listener(topic, resource_id)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Make changes without announcing them (used while generating)."""
        with self.lock:
            saved, self._listeners = self._listeners, []
            try:
                yield
            finally:
                self._listeners = saved
