"""Read the next WooCommerce page while the current one is written to Odoo.

A store answers a page of orders in about a second and a half; the Odoo batches take as long.
``read_ahead`` runs the page iterator in a thread of its own, ``ahead`` pages in front of the
caller, so the two waits overlap. The caller still sees the pages one by one and in order; an
error in the reader is raised in the caller, where the page would have been. The reader only
reads: nothing is written to Odoo or the audit log from its thread.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

WAKE_SECONDS = 0.1  # how often a full queue checks that the caller still wants pages
JOIN_SECONDS = 5.0  # how long the caller waits for the reader when it stops early


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


class _Reader(Generic[T]):
    def __init__(self, items: Iterable[T], ahead: int) -> None:
        self._items = items
        self._queue: queue.Queue[T | _Failed | _End] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        context = contextvars.copy_context()  # its log lines name the caller's tenant and run
        self._thread = threading.Thread(
            target=lambda: context.run(self._read), name="wooodoo-read-ahead", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(JOIN_SECONDS)

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def _read(self) -> None:
        iterator = iter(self._items)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_End())
        except BaseException as exc:  # handed to the caller, which raises it
            self._put(_Failed(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _put(self, item: T | _Failed | _End) -> bool:
        """Wait for room; False once the caller has stopped."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=WAKE_SECONDS)
                return True
            except queue.Full:
                continue
        return False


@contextmanager
def read_ahead(items: Iterable[T], ahead: int = 1) -> Generator[Iterator[T], None, None]:
    """Iterate ``items`` with up to ``ahead`` of them read in advance by another thread."""
    if ahead < 1:
        raise ValueError("ahead must be at least 1")
    reader = _Reader(items, ahead)
    reader.start()
    try:
        yield iter(reader)
    finally:
        reader.stop()
