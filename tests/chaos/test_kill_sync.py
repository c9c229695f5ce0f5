"""A backfill killed with SIGKILL, then run again, ends with no duplicate and no missing invoice.

``wooodoo sync`` runs as a child process against a sandbox served by this test process, so
the sandbox outlives every kill and Odoo's state can be read between runs.
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
    start_sync,
    wait_for,
)
from tests.e2e_helpers import (
    Box,
    duplicate_partners,
    invoice_problems,
    invoiced_status,
    invoices,
    running_box,
    shop_orders,
)
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.sandbox import WorkModel
from wooodoo.sandbox.faults import FaultPlan

# a real Odoo takes 10-15 s for 100 invoices; scaled down so the test stays short
LATE_COMMITS = WorkModel(per_call=0.1, per_move=0.04, per_record=0.002)
CREATE = "odoo account.move.create"


def finish(
    box: Box,
    paid_at_least: int,
    expect: int = EXIT_RECORDS_FAILED,
    seed: int | None = None,
    timeout: float = RUN_TIMEOUT,
) -> None:
    """``timeout``: for the final run, which makes whatever the killed runs left (with Odoo's
    late commits, a soak's 1,500-order shop leaves it about 900 invoices: 60 s here)."""
    # the last kill's calls commit late: the final run starts once Odoo has finished them
    assert box.sb.odoo_app.wait_idle(timeout=RUN_TIMEOUT)
    proc = start_sync(box)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == expect, out + err  # 1: the JPY orders fail, by design
    problems = exactly_once_problems(box)
    assert problems == [], explain(seed, problems)
    ok_orders = invoice_problems(box.sb, box)[1]
    assert len(ok_orders) >= paid_at_least
    origins = [m["invoice_origin"] for m in invoices(box.sb)]
    assert len(origins) == len(set(origins)) == len(ok_orders)
    assert duplicate_partners(box.sb) == {}
    jpy = {
        box.key(i)
        for i, o in shop_orders(box.sb).items()
        if o.currency == "JPY" and invoiced_status(o)
    }
    assert set(box.failures()) == jpy


def linked_orders(box: Box) -> int:
    return len(box.order_links()) if box.config().audit_db.exists() else 0


def kill_at_random_moments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, seed: int, orders: int, kills: int
) -> None:
    """``kills`` runs, each SIGKILLed at a moment drawn from ``seed`` once it is at work, then
    a complete run: nothing twice, nothing missing, the audit file intact."""
    rng = random.Random(seed)
    with running_box(tmp_path, monkeypatch, orders=orders, seed=21, batch_size=25) as box:
        # a little latency per Odoo call, so that a kill lands between calls of one batch,
        # and creates that commit late, after the kill, as a real Odoo's do
        box.sb.odoo_faults.plan = FaultPlan(latency=0.01)
        box.sb.odoo_app.work = LATE_COMMITS
        interrupted = 0
        for _ in range(kills):
            proc = start_sync(box)
            creates = box.sb.odoo_counter.snapshot().get(CREATE, 0)
            # random moments once the child creates invoices (its start-up time, and how long
            # it reads before its first create, vary with load): a kill in the creates' midst
            at_work = lambda c=creates: box.sb.odoo_counter.snapshot().get(CREATE, 0) > c  # noqa: E731
            if not wait_for(proc, at_work, 30):
                proc.communicate(timeout=RUN_TIMEOUT)
                continue
            delay = rng.uniform(0.05, 1.0)
            stop_at = time.monotonic() + delay
            if kill_when(proc, lambda t=stop_at: time.monotonic() >= t, delay + 5):
                unfinished = linked_orders(box) < len(invoice_problems(box.sb, box)[1])
                interrupted += unfinished
        assert interrupted >= kills // 2, (
            f"seed {seed}: the kills did not land in the middle of the backfill"
        )
        finish(box, orders * 3 // 5, seed=seed, timeout=max(RUN_TIMEOUT, orders / 5))


def test_killed_at_random_moments_then_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kill_at_random_moments(tmp_path, monkeypatch, seed=chaos_seed(20261126), orders=200, kills=4)


@pytest.mark.chaos_soak
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_soak_killed_at_random_moments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    kill_at_random_moments(tmp_path, monkeypatch, seed=chaos_seed(seed), orders=1500, kills=10)


def test_killed_right_after_odoo_committed_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst moments: Odoo has the records, the audit store does not know them yet."""
    with running_box(tmp_path, monkeypatch, orders=200, seed=22, batch_size=25) as box:
        box.sb.odoo_faults.plan = FaultPlan(latency=0.005)
        box.sb.odoo_app.work = LATE_COMMITS
        orphans = 0
        for call in ("res.partner.create", "account.move.create", "account.move.action_post"):
            for _ in range(2):
                counter = f"odoo {call}"
                seen = box.sb.odoo_counter.snapshot().get(counter, 0)
                proc = start_sync(box)
                killed = kill_when(
                    proc,
                    lambda c=counter, s=seen: box.sb.odoo_counter.snapshot().get(c, 0) > s,
                    RUN_TIMEOUT,
                )
                assert killed, f"the sync ended without calling {call}"
                # what Odoo holds under our keys that the audit store has not linked yet
                linked = {link.key for link in box.order_links().values()}
                orphans += sum(m["invoice_origin"] not in linked for m in invoices(box.sb))
        assert orphans > 0, "no kill fell between Odoo's commit and the audit's"
        finish(box, 120)


def test_killed_while_odoo_works_on_a_create_and_run_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race a real Odoo showed: the killed run's create commits after the next run looked.

    The killed run's first invoice create keeps Odoo at work for 10 s and commits after the
    kill; the next run starts at once, with quick creates, and looks for the batch's keys long
    before that. Without settling twins, every invoice of the killed batch would end up twice
    (one posted, one draft).
    """
    with running_box(tmp_path, monkeypatch, orders=120, seed=23, batch_size=25) as box:
        box.sb.odoo_app.work = WorkModel(per_move=0.4)  # 25 invoices: 10 s before the commit
        counter = "odoo account.move.create"
        proc = start_sync(box)
        assert kill_when(
            proc, lambda: box.sb.odoo_counter.snapshot().get(counter, 0) > 0, RUN_TIMEOUT
        )
        assert invoices(box.sb) == []  # Odoo is still at work on the killed run's batch
        box.sb.odoo_app.work = WorkModel()  # what comes next is quick
        proc = start_sync(box)  # at once, as cron or an impatient person would
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
        assert proc.returncode == EXIT_RECORDS_FAILED, out + err
        assert box.sb.odoo_app.wait_idle(timeout=RUN_TIMEOUT)
        # the killed batch landed after the second run had made its own: twins, for a while
        assert box.sb.odoo_app.work_done()["account.move created out_invoice"] > len(
            invoice_problems(box.sb, box)[1]
        )
        finish(box, 60, expect=EXIT_OK)  # the JPY orders failed in the run before
        assert [m for m in invoices(box.sb) if m["state"] == "draft"] == []
