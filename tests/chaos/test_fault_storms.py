"""Fault storms on both look-alikes during one sync: 429 with Retry-After, 500/502/503/504, HTML
error pages (also with status 200), PHP notices before the JSON, connections dropped before the
answer and in the middle of the body, bodies that stall past the client's timeout.

Every record is synced within the default retry budget (``RetryPolicy()``), exactly once, and
the run lasts at least as long as the Retry-After of the 429s one side got in a row (each side
makes its requests one after the other). The faults after the app (504, a cut or stalled
body) come once Odoo has committed: the create's answer is lost, and only looking its keys up
before creating again keeps the invoices single.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.chaos.helpers import chaos_seed, exactly_once_problems, explain, set_sides
from tests.e2e_helpers import invoiced_status, running_box, shop_orders
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.faults import FaultPlan

RETRY_AFTER = 1  # seconds: small, the bound below is what it is about
TIMEOUT = 1.0  # both clients' timeout; a stalled body pauses longer
KINDS = (
    "drop",
    "rate_429",
    "rate_500",
    "rate_502",
    "rate_503",
    "rate_504",
    "html_200",
    "php_notice",
    "cut_body",
    "stall_body",
)


def storm(share: float, **more: float) -> FaultPlan:
    """``share`` of the requests faulted, spread over every kind; ``more`` sets some apart."""
    each = share / len(KINDS)
    plan = FaultPlan(retry_after=RETRY_AFTER, stall_seconds=TIMEOUT + 0.5)
    return plan.with_updates(**{**{kind: each for kind in KINDS}, **more})


def run_storm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, seed: int, orders: int) -> None:
    with running_box(tmp_path, monkeypatch, orders=orders, seed=seed, batch_size=15) as box:
        # small pages, so the store is asked often enough for its storm to matter
        set_sides(box, woocommerce={"timeout": TIMEOUT, "per_page": 10}, odoo={"timeout": TIMEOUT})
        box.sb.woo_faults.plan = storm(0.30)
        # more of the answers lost after Odoo committed: the creates' keys must be looked up
        box.sb.odoo_faults.plan = storm(0.08, rate_504=0.03, cut_body=0.03, stall_body=0.02)
        started = time.monotonic()
        result = box.sync()  # the default retry budget
        took = time.monotonic() - started
        box.sb.woo_faults.plan = box.sb.odoo_faults.plan = FaultPlan()
        woo, odoo = (
            Counter(box.sb.woo_faults.faults_served),
            Counter(box.sb.odoo_faults.faults_served),
        )
        served = f"seed {seed}: WooCommerce {dict(woo)}, Odoo {dict(odoo)}"
        assert result.error is None, f"{served}: {result.error}"
        assert sum(woo.values()) >= 5, served
        assert sum(odoo.values()) >= 5, served
        print(f"{served}: {took:.1f}s")
        assert len(set(woo) | set(odoo)) >= 7, f"too few kinds of fault served: {served}"
        problems = exactly_once_problems(box)
        assert problems == [], explain(seed, [served, *problems])
        # only the orders in the currency Odoo keeps inactive failed, as without any fault
        jpy = {
            box.key(i)
            for i, o in shop_orders(box.sb).items()
            if o.currency == "JPY" and invoiced_status(o)
        }
        assert set(box.failures()) == jpy, served
        # each side waits out every 429's Retry-After before asking again
        floor = RETRY_AFTER * max(woo["rate_429"], odoo["rate_429"])
        assert floor > 0, f"no 429 was served: {served}"
        assert took >= floor, f"{served}: the run took {took:.1f}s, under {floor}s of Retry-After"


def test_a_fault_storm_on_both_sides_still_syncs_every_record_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_storm(tmp_path, monkeypatch, seed=chaos_seed(71), orders=60)


@pytest.mark.chaos_soak
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("seed", [72, 73, 74, 75])
def test_soak_fault_storms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    run_storm(tmp_path, monkeypatch, seed=chaos_seed(seed), orders=400)


# ---------------------------------------------------------------- the faults themselves


def test_the_faults_after_the_app_let_odoo_commit_and_lose_the_answer(tmp_path: Path) -> None:
    """What a proxy in front of a real server does: the server finished, the answer is lost."""
    with Sandbox(orders=3, seed=1, directory=tmp_path) as sb:
        url = f"{sb.odoo_url}/json/2/res.partner/create"
        headers = {"Authorization": f"bearer {sb.secrets.odoo_api_key}"}

        def create(name: str, timeout: float = 5) -> requests.Response:
            body = {"vals_list": [{"name": name}]}
            return requests.post(url, json=body, headers=headers, timeout=timeout)

        sb.odoo_faults.plan = FaultPlan(rate_504=1.0)
        answer = create("after a 504")
        assert answer.status_code == 504
        assert "Gateway Time-out" in answer.text
        sb.odoo_faults.plan = FaultPlan(cut_body=1.0)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            create("after a cut body")
        sb.odoo_faults.plan = FaultPlan(stall_body=1.0, stall_seconds=1.5)
        started = time.monotonic()
        with pytest.raises(requests.exceptions.ConnectionError, match="timed out"):
            create("after a stalled body", timeout=0.5)
        assert time.monotonic() - started >= 0.5
        served = Counter(sb.odoo_faults.faults_served)
        assert served == {"rate_504": 1, "cut_body": 1, "stall_body": 1}
        sb.odoo_faults.plan = FaultPlan()
        # each create was committed although its answer was lost
        names = {p["name"] for p in sb.odoo_app.call("res.partner", "search_read", [], ["name"])}
        assert {"after a 504", "after a cut body", "after a stalled body"} <= names


def test_lost_answers_to_creates_are_adopted_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most creates commit in Odoo and lose their answer (a 504, a cut or a stalled body): the
    keys are looked up before creating again, so every invoice and partner exists once."""
    seed = chaos_seed(76)
    with running_box(tmp_path, monkeypatch, orders=40, seed=seed, batch_size=10) as box:
        set_sides(box, woocommerce={}, odoo={"timeout": TIMEOUT})
        box.sb.odoo_faults.plan = FaultPlan(
            rate_504=0.3,
            cut_body=0.3,
            stall_body=0.2,
            stall_seconds=TIMEOUT + 0.5,
            paths=("/create",),  # JSON-2 (Odoo 19) names the method in the path
        )
        result = box.sync()
        box.sb.odoo_faults.plan = FaultPlan()
        served = dict(box.sb.odoo_faults.faults_served)
        assert result.error is None, f"seed {seed}: {served}: {result.error}"
        assert sum(served.values()) >= 3, f"seed {seed}: too few creates lost: {served}"
        problems = exactly_once_problems(box)
        assert problems == [], explain(seed, [str(served), *problems])
