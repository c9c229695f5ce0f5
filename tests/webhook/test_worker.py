"""The inbox worker: a burst is answered first and drained when it ends (or has lasted long)."""

from __future__ import annotations

import logging
import threading
import time

from wooodoo.webhook.serve import QueueWarnings
from wooodoo.webhook.worker import InboxWorker


class Recorder:
    def __init__(self) -> None:
        self.drained_at: list[float] = []
        self.waiting = ["acme"]
        self.lock = threading.Lock()

    def drain(self, tenant: str) -> None:
        with self.lock:
            self.drained_at.append(time.monotonic())


def burst(worker: InboxWorker, seconds: float, every: float = 0.05) -> float:
    """Wake the worker as deliveries would, for ``seconds``; when the burst ended."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        worker.wake("acme")
        time.sleep(every)
    return time.monotonic()


def test_a_burst_is_drained_after_it_ends() -> None:
    rec = Recorder()
    worker = InboxWorker(rec.drain, lambda: rec.waiting, interval=60, gather=0.2, most=5)
    worker.start()
    try:
        ended = burst(worker, 0.8)
        assert worker.wait_idle(5)
        time.sleep(0.3)
        assert worker.wait_idle(5)
    finally:
        worker.stop()
    assert rec.drained_at, "the burst was never drained"
    assert min(rec.drained_at) >= ended  # nothing drained while deliveries kept coming


def test_a_long_burst_is_drained_meanwhile() -> None:
    rec = Recorder()
    worker = InboxWorker(rec.drain, lambda: rec.waiting, interval=60, gather=0.2, most=0.3)
    worker.start()
    try:
        ended = burst(worker, 1.5)
    finally:
        worker.stop()
    assert rec.drained_at
    assert min(rec.drained_at) < ended  # `most` bounds how long the burst is waited out


def test_a_drain_lets_a_burst_pass_between_rounds() -> None:
    rec = Recorder()
    worker = InboxWorker(rec.drain, lambda: [], interval=60, gather=0.2, most=5)
    worker.wake("acme")  # a delivery came while a round was being drained
    began = time.monotonic()
    worker.let_burst_pass()
    assert time.monotonic() - began >= 0.19  # waited for the quiet
    began = time.monotonic()
    worker.let_burst_pass()  # nothing came since: no wait
    assert time.monotonic() - began < 0.1


def test_under_a_steady_stream_a_pause_is_no_longer_than_the_round_before() -> None:
    rec = Recorder()
    worker = InboxWorker(rec.drain, lambda: [], interval=60, gather=0.2, most=5)
    stream = threading.Thread(target=burst, args=(worker, 2.0, 0.02))
    stream.start()
    try:
        worker._resumed = time.monotonic() - 0.1  # the last round took 0.1 s
        began = time.monotonic()
        worker.let_burst_pass()
        paused = time.monotonic() - began
    finally:
        stream.join()
    assert paused < 1.0  # not the 5 s a burst may be waited out before a drain starts


def test_waitress_queue_warnings_are_one_line_a_minute_with_the_deepest_queue() -> None:
    warnings = QueueWarnings(every=60)

    def record(depth: int) -> logging.LogRecord:
        return logging.LogRecord(
            "waitress.queue", logging.WARNING, "", 0, "Task queue depth is %d", (depth,), None
        )

    first = record(1)
    assert warnings.filter(first)
    assert first.getMessage().startswith("up to 1 deliveries waited")
    assert not any(warnings.filter(record(d)) for d in (2, 9, 4))
    assert warnings.deepest == 9  # kept for the next line (or the one at the end)
