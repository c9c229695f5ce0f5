"""benchmarks/audit.py runs at a tiny size and reports what it promises (no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "audit.py"


def test_audit_benchmark_builds_a_file_and_times_the_queries(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--events", "3000", "--runs", "30", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3,000 events in 30 runs" in done.stdout
    assert "audit events --status failed" in done.stdout
    data = json.loads(out.read_text())
    assert data["events"] == 3000
    assert data["runs_ms"] >= 0
    assert data["failed_events_ms"] >= 0
    assert data["queries"]["audit runs"]["rows"] == 20
    assert data["queries"]["audit events --status failed"]["rows"] == 50
