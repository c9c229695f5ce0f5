"""Copying the write-ahead log back into the audit file, in a thread of its own.

In WAL mode SQLite copies the log back into the file (a checkpoint, with its waits for the
disk) inside the commit that takes the log past 1,000 pages, and again when the last
connection closes: a sync's main thread paid for both, between its Odoo calls. With
``Checkpoints``, the store's own connection never checkpoints; after a commit this thread
does (at most every quarter second), on its own connection, while the sync waits for the
network. A checkpoint here is PASSIVE: it copies what no reader still needs and never blocks a
writer. The close is then left with little to copy.

A checkpoint that fails (a full disk, a read-only file) is not reported here: it loses nothing
(the log keeps every commit), and the store's next write meets the same fault and says so.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

STOP_SECONDS = 5.0  # how long closing waits for a checkpoint under way
# at most this often: each checkpoint waits for the disk twice (the log, then the file); a
# close then has at most this long's commits left to copy
INTERVAL_SECONDS = 0.25


class Checkpoints:
    """A thread that checkpoints ``path`` after each ``nudge``, until ``stop``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="wooodoo-audit-checkpoint", daemon=True
        )
        self._thread.start()

    def nudge(self) -> None:
        """A commit was made: copy it back when the thread is free."""
        self._wanted.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wanted.set()
        self._thread.join(STOP_SECONDS)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        except sqlite3.Error as exc:
            log.debug("audit checkpoints: cannot open %s: %s", self.path, exc)
            return
        try:
            while True:
                self._wanted.wait()
                if self._stopped.is_set():
                    return
                self._wanted.clear()
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self._stopped.wait(INTERVAL_SECONDS)
        except sqlite3.Error as exc:
            log.debug("audit checkpoints stopped: %s", exc)
        finally:
            db.close()
