"""The audit file's SQLite connection: a write the file cannot take is a clear error."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wooodoo.errors import AuditWriteError

# What SQLite says when the file cannot take a write, by its primary result code.
_CANNOT_WRITE = {
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_IOERR: "writing failed (a full disk, a file size limit or an I/O error)",
    sqlite3.SQLITE_READONLY: "it is read-only (its or its folder's permissions, or the mount)",
    sqlite3.SQLITE_CANTOPEN: "it or its -wal/-shm file cannot be opened (the folder's"
    " permissions, or the mount)",
}


class AuditConnection(sqlite3.Connection):
    """A connection whose statements raise AuditWriteError, naming the file, when the file
    cannot be written; every other error is left as SQLite raised it."""

    path: Path = Path()

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            self._raise_cannot_write(exc)
            raise

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as exc:
            self._raise_cannot_write(exc)
            raise

    def _raise_cannot_write(self, exc: sqlite3.OperationalError) -> None:
        why = _CANNOT_WRITE.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF)
        if why is None:
            return
        raise AuditWriteError(
            f"the audit file {self.path} cannot be written: {why} ({exc})",
            hint="Every earlier page is kept intact. Free space or make the file writable, then"
            " run again: what Odoo got meanwhile is found by its keys, not made twice.",
        ) from exc
