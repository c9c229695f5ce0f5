"""The benchmarks run end to end at a tiny size (they start and stop their own loopback sandbox).

Only that they work and report what they promise: no figure of speed is asserted here.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wooodoo.sandbox.latency import Timing

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backfill_reports_counts_per_order_and_a_second_run(tmp_path: Path) -> None:
    out = tmp_path / "backfill.json"
    done = run("backfill.py", "--orders", "120", "--no-budgets", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    for field in ("odoo calls", "odoo http", "woo http", "/order", "orders/s", "peak RSS MiB"):
        assert field in done.stdout
    assert "backfill #1" in done.stdout
    assert "second #1" in done.stdout
    data = json.loads(out.read_text())
    first, second = data["repeats"][0]["backfill"], data["repeats"][0]["second_run"]
    assert data["repeats"][0]["orders"] == 120
    assert first["invoices_created"] > 0
    assert first["posted"] == first["invoices_created"]
    assert second["invoices_created"] == 0
    assert first["odoo_calls"] > second["odoo_calls"]
    assert first["woo_http_requests"] >= 1
    assert first["odoo_calls_per_order"] == round(first["odoo_calls"] / 120, 4)
    assert first["peak_rss_mib"] > 0
    assert first["odoo_by_endpoint"]["odoo account.move.create"] >= 1


def test_backfill_fails_when_a_budget_is_exceeded() -> None:
    # at 120 orders the fixed costs (reference data, version check) exceed the per-order budget
    done = run("backfill.py", "--orders", "120")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL:" in done.stdout
    assert "per order >" in done.stdout


def test_kill_soak_kills_and_finds_no_duplicate_nor_missing(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    done = run("kill_soak.py", "--orders", "120", "--kills", "2", "--seed", "1", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kills done: 2" in done.stdout
    assert "duplicates=0 stray_drafts=0 missing=0" in done.stdout
    data = json.loads(out.read_text())
    assert data["kills_done"] == 2
    assert [r["outcome"] for r in data["runs"]][:2] == ["killed", "killed"]
    checks = data["checks"]
    assert checks["expected_invoices"] > 0
    assert checks["posted"] == checks["expected_invoices"]
    assert checks["duplicates"] == checks["stray_drafts"] == checks["missing"] == []
    assert data["late_commits"]["per_move"] > 0  # Odoo commits creates late, as a real one


@pytest.mark.parametrize("max_ratio", ["10", "0.5"], ids=["flat-enough", "impossible-ratio"])
def test_memory_reports_peak_rss_per_size(max_ratio: str) -> None:
    done = run("memory.py", "--sizes", "40", "80", "--max-ratio", max_ratio)
    assert "largest/smallest peak RSS" in done.stdout, done.stderr
    assert "peak RSS MiB" in done.stdout
    assert done.returncode == (0 if max_ratio == "10" else 1), done.stdout + done.stderr


def test_webhooks_reports_deliveries_latency_and_calls_against_a_backfill(tmp_path: Path) -> None:
    out = tmp_path / "webhooks.json"
    done = run("webhooks.py", "--quick", "--no-targets", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    for field in ("answered 2xx", "p50 / p99", "Odoo calls / delivered order", "targets:"):
        assert field in done.stdout
    data = json.loads(out.read_text())
    hook = data["webhook"]
    assert {"deliveries", "per_second", "p50_ms", "p99_ms"} <= set(hook)
    assert hook["deliveries"] == hook["answered_2xx"] == hook["stored"] == 200
    assert hook["invoices_posted"] == hook["invoiceable_delivered"] > 0
    assert hook["seconds_to_last_invoice"] is not None
    assert hook["odoo_calls"] > 0
    assert data["backfill"]["odoo_calls_per_order"] > 0
    assert len(data["targets"]) == 3


def test_run_reports_backfills_against_their_bound_idle_webhook_and_audit(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    done = run(
        "run.py",
        *("--orders", "200", "--latencies", "0,5", "--json", str(out)),
        *("--deliveries", "20", "--senders", "4", "--webhook-orders", "60"),
        *("--audit-events", "3000"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for field in ("machine:", "lower bound s", "x bound", "idle (", "webhook:", "audit:"):
        assert field in done.stdout
    data = json.loads(out.read_text())
    assert set(data) == {"backfill", "idle", "webhook", "audit"}
    backfill = data["backfill"]
    assert [(b["orders"], b["latency_ms"]) for b in backfill] == [(200, 0), (200, 5)]
    for b in backfill:
        assert set(b) == {
            "orders", "latency_ms", "seconds", "lower_bound_seconds",
            "odoo_requests_per_order", "woo_requests_per_order", "peak_rss_mb",
        }  # fmt: skip
        assert b["lower_bound_seconds"] > 0
        assert b["odoo_requests_per_order"] > 0
        assert b["woo_requests_per_order"] > 0
        assert b["peak_rss_mb"] > 0
    # each request waiting 5 ms more: the Odoo calls (one after the other) at least, but
    # less than every request in a row (the pages are read while Odoo works)
    odoo = 200 * backfill[1]["odoo_requests_per_order"]
    both = odoo + 200 * backfill[1]["woo_requests_per_order"]
    extra = backfill[1]["lower_bound_seconds"] - backfill[0]["lower_bound_seconds"]
    assert odoo * 0.005 <= backfill[1]["lower_bound_seconds"]
    assert extra < both * 0.005 + 1.0  # 1 s: the two runs' server times differ a little
    assert set(data["idle"]) == {"woo_requests", "odoo_requests", "seconds"}
    assert data["idle"]["odoo_requests"] > 0
    assert data["idle"]["woo_requests"] > 0
    assert set(data["webhook"]) == {"deliveries", "per_second", "p50_ms", "p99_ms"}
    assert data["webhook"]["deliveries"] == 20
    assert data["audit"]["events"] == 3000
    assert set(data["audit"]) == {"events", "runs_ms", "failed_events_ms"}


def test_the_bound_pays_one_connection_to_each_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any client connects once to each side before its first request there (TCP, and TLS on
    https): those round trips are in the chains; the sync's further connections are not."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench_run = importlib.import_module("run")
    # at 20 ms: Odoo over http (1 round trip a connection, 2 opened), the store over https (2)
    odoo = Timing(10, 0.2, 1.0, connections=2, handshake_seconds=0.04)
    woo = Timing(12, 0.24, 0.5, connections=3, handshake_seconds=0.12)
    counts = {"woo_by_endpoint": {bench_run.ORDER_PAGES: 10}, "woo_http_requests": 12}
    chain = bench_run.lower_bound({**counts, "odoo_http_requests": 10}, woo, odoo, 20.0)
    # the Odoo chain: its handshake, 10 calls and 2 requests between (the first page comes
    # while Odoo connects)
    assert chain[:2] == ("odoo", 1.0)
    assert chain[2] == pytest.approx(0.02 + 12 * 0.02)
    # with little Odoo work the pages are the longer chain: the store's handshake and 10 pages
    little = Timing(1, 0.02, 0.1, connections=1, handshake_seconds=0.02)
    chain = bench_run.lower_bound({**counts, "odoo_http_requests": 1}, woo, little, 20.0)
    assert chain == ("woo", 0.5, pytest.approx(0.04 + 10 * 0.02))
