"""Files that hold private data (config, audit store): who besides the owner may read them."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)
# What was warned about already: a long process (webhook serve) opens the audit file per drain.
_warned: set[tuple[Path, int]] = set()


def shared_mode(path: Path) -> int | None:
    """The permission bits of ``path`` when its group or others have any, else None.

    None as well when the file is missing, or on a system without POSIX modes.
    """
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


def warn_if_shared(path: Path, what: str) -> None:
    """A warning (logged, shown by the CLI) when others than the owner may open ``path``;
    once per file and mode in a process."""
    mode = shared_mode(path)
    if mode is not None and (path, mode) not in _warned:
        _warned.add((path, mode))
        log.warning(
            "the %s %s is open to others than its owner (mode %s); make it private with"
            " chmod 600 %s",
            what,
            path,
            oct(mode)[2:].zfill(4),
            path,
        )
