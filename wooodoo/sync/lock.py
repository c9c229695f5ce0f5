"""One run per tenant at a time: a file lock beside the audit store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from wooodoo.errors import LockBusyError


@contextmanager
def tenant_lock(lock_dir: Path, tenant: str) -> Iterator[None]:
    """Hold the tenant's lock for the run; a second run gets LockBusyError (exit 75)."""
    lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = filelock.FileLock(str(lock_dir / f"{tenant}.lock"), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockBusyError(
            f"tenant {tenant!r} is already being synced by another wooodoo run"
        ) from None
    try:
        yield
    finally:
        lock.release()
