"""Two calls that must be under way at the same time, told apart from one after the other.

Each side's first ``arrive`` waits (bounded) for the other side's: run one after the other,
the first to arrive waits in vain, and ``met`` says so.
"""

from __future__ import annotations

import threading

WAIT_SECONDS = 5.0


class Rendezvous:
    def __init__(self, first: str, second: str) -> None:
        self._events = {first: threading.Event(), second: threading.Event()}
        self._other = {first: second, second: first}
        self.met: dict[str, bool] = {}

    def arrive(self, side: str) -> None:
        """``side`` is under way: on its first arrival, wait for the other side's."""
        event = self._events[side]
        if event.is_set():
            return
        event.set()
        other = self._other[side]
        self.met[f"{side} saw {other}"] = self._events[other].wait(WAIT_SECONDS)

    def both_met(self) -> dict[str, bool]:
        """What ``met`` is when each side saw the other."""
        return {f"{side} saw {other}": True for side, other in self._other.items()}
