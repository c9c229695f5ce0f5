"""One run per tenant at a time: a file lock beside the audit store (no sync code here: a
command checks it before loading that)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from wooodoo.config import Config
from wooodoo.errors import LockBusyError


def lock_dir(config: Config) -> Path:
    """Where the tenants' locks are: beside the audit store."""
    return config.audit_db.parent / "locks"


@contextmanager
def tenant_lock(folder: Path, tenant: str) -> Iterator[None]:
    """Hold the tenant's lock for the run; a second run gets LockBusyError (exit 75)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = filelock.FileLock(str(folder / f"{tenant}.lock"), timeout=0)
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


def lock_is_free(folder: Path, tenant: str) -> bool:
    """Whether no run holds the tenant's lock now (a moment later one may)."""
    try:
        with tenant_lock(folder, tenant):
            return True
    except LockBusyError:
        return False
