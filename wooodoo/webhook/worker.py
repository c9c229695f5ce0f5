"""The worker in the serving process: drains each tenant's inbox soon after a delivery.

It waits after being woken until deliveries stop coming (0.2 s without one, 10 s at most), so
that a burst is answered first, with the whole CPU, and then drained in few batches (between
rounds it lets new deliveries be answered, for no longer than a round took); and it
looks every ``interval`` seconds at what still waits (a tenant whose lock a cron run held, a
drain that failed). It never holds a delivery the receiver kept: the inbox is the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from wooodoo.errors import LockBusyError, WooodooError

log = logging.getLogger(__name__)


class InboxWorker:
    """A background thread calling ``drain(tenant)`` for the tenants with deliveries waiting."""

    def __init__(
        self,
        drain: Callable[[str], None],
        waiting: Callable[[], Sequence[str]],
        *,
        interval: float = 10.0,
        gather: float = 0.2,
        most: float = 10.0,
    ) -> None:
        self.drain = drain
        self.waiting = waiting  # tenants with deliveries waiting (a local read, no network)
        self.interval = interval
        self.gather = gather  # a burst has ended when no delivery came for this long (s)
        self.most = most  # ... or when it has lasted this long: then it is drained meanwhile
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy = False
        self._resumed: float | None = None  # when the drain's last round began
        self._thread = threading.Thread(target=self._loop, name="wooodoo-inbox", daemon=True)

    def start(self) -> InboxWorker:
        self._thread.start()
        return self

    def wake(self, tenant: str) -> None:
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is being drained and no wake is pending (for tests and stop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._wake.is_set() and not self._busy:
                return True
            time.sleep(0.05)
        return False

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the drain in progress (a page is committed whole or not at all)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.interval):
                self._gather()
            self._wake.clear()
            if self._stop.is_set():
                break
            self.drain_waiting()

    def let_burst_pass(self) -> None:
        """Between rounds of a drain: if deliveries came meanwhile, wait until they stop, but
        no longer than the last round took: under a steady stream the drain keeps at least
        half the time, so that it keeps up instead of falling behind."""
        now = time.monotonic()
        worked = now - self._resumed if self._resumed is not None else self.most
        if self._wake.is_set():
            self._gather(min(self.most, worked))
        self._resumed = time.monotonic()

    def _gather(self, most: float | None = None) -> None:
        """Wait for the burst to end: answering it comes first, and it is drained together."""
        deadline = time.monotonic() + (self.most if most is None else most)
        while not self._stop.is_set():
            self._wake.clear()
            left = deadline - time.monotonic()
            if left <= 0 or not self._wake.wait(min(self.gather, left)):
                return

    def drain_waiting(self) -> None:
        self._busy = True
        self._resumed = time.monotonic()
        try:
            self._drain_each()
        finally:
            self._busy = False

    def _drain_each(self) -> None:
        for tenant in self.waiting():
            try:
                self.drain(tenant)
            except LockBusyError:
                log.info("tenant %s: a sync holds the lock; it drains the inbox", tenant)
            except WooodooError as exc:
                log.warning("tenant %s: inbox not drained yet: %s", tenant, exc.message)
            except Exception:  # the worker must outlive a bug in one drain
                log.exception("tenant %s: inbox drain stopped by an unexpected error", tenant)
