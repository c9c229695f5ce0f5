"""SIGKILL of ``wooodoo replay --failed`` at moments drawn from the seed, then a replay to the
end: every failed order is invoiced once, no key has two documents, the audit file is intact.

Odoo first refuses every invoice (a lock date), so the whole backfill waits as failures; then
it accepts them, and the replays that book them are killed while Odoo works (its creates commit
late, after the kill, as a real Odoo's do).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.chaos.helpers import (
    RUN_TIMEOUT,
    chaos_seed,
    exactly_once_problems,
    explain,
    kill_when,
    run_cli,
    start_cli,
    wait_for,
)
from tests.chaos.test_refused_record import odoo_refuses
from tests.e2e_helpers import invoice_problems, invoices, running_box
from wooodoo.errors import EXIT_RECORDS_FAILED
from wooodoo.sandbox import WorkModel

LATE_COMMITS = WorkModel(per_call=0.1, per_move=0.04, per_record=0.002)


def test_replay_killed_at_random_moments_then_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = chaos_seed(101)
    rng = random.Random(seed)
    with running_box(tmp_path, monkeypatch, orders=60, seed=seed, batch_size=10) as box:
        _, ok_orders = invoice_problems(box.sb, box)
        with odoo_refuses(monkeypatch, {box.key(i) for i in ok_orders}):
            assert box.sync().exit_code == EXIT_RECORDS_FAILED
        assert invoices(box.sb) == []
        assert {box.key(i) for i in ok_orders} <= set(box.failures())

        box.sb.odoo_app.work = LATE_COMMITS
        kills = 0
        for _ in range(3):
            proc = start_cli(box, "replay", "--failed")
            creates = box.sb.odoo_counter.snapshot().get("odoo account.move.create", 0)
            at_work = lambda c=creates: (  # noqa: E731
                box.sb.odoo_counter.snapshot().get("odoo account.move.create", 0) > c
            )
            if not wait_for(proc, at_work, RUN_TIMEOUT):
                proc.communicate(timeout=RUN_TIMEOUT)
                break  # nothing left to replay
            stop_at = time.monotonic() + rng.uniform(0.0, 1.2)
            kills += kill_when(proc, lambda t=stop_at: time.monotonic() >= t, RUN_TIMEOUT)
        assert kills >= 2, f"seed {seed}: the replays ended before they could be killed"
        assert box.sb.odoo_app.wait_idle(timeout=RUN_TIMEOUT)
        box.sb.odoo_app.work = WorkModel()
        code, out = run_cli(box, "replay", "--failed")
        assert code == EXIT_RECORDS_FAILED, out  # the JPY orders fail again, by design
        problems = exactly_once_problems(box)
        assert problems == [], explain(seed, problems)
