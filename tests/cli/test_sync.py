"""The shop-facing commands against the sandbox: what cron sees (lines, exit codes) and the audit.

sync, replay and audit run in-process through click's runner; ``wooodoo sandbox`` runs
as a child process and is stopped with SIGTERM, as a service manager would.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import requests
import yaml
from click.testing import CliRunner, Result

from tests.e2e_helpers import (
    Box,
    invoice_problems,
    invoiced_status,
    invoices,
    odoo_read,
    running_box,
    shop_orders,
)
from wooodoo.cli import main
from wooodoo.errors import EXIT_LOCKED, EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.lock import lock_dir
from wooodoo.secrets import env_var_name
from wooodoo.sync import tenant_lock

SUMMARY = re.compile(
    r"^(?P<tenant>[a-z0-9_-]+): (?P<status>ok|needs attention), (?P<invoiced>\d+) invoiced,"
    r" (?P<partners>\d+) partners created, (?P<failed>\d+) failed.* \(run \d+, [\d.]+s\)$"
)


def run(box: Box, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(box.config_path), *args])


def lines(text: str) -> list[str]:
    return text.splitlines()


def activate_jpy(box: Box) -> None:
    """With every currency active, nothing in the generated shop fails."""
    assert box.sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Box]:
    with running_box(tmp_path, monkeypatch, orders=120, seed=17) as running:
        yield running


# ------------------------------------------------------------------------------ sync


def test_sync_prints_one_line_per_tenant_and_nothing_with_q(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, box: Box
) -> None:
    activate_jpy(box)
    # two tenants syncing the same shop into the same Odoo, keys apart by tenant name
    tenants = {name: box.sb.tenant_config() for name in ("shop-a", "shop_b")}
    path = tmp_path / "two.yaml"
    path.write_text(
        yaml.safe_dump({"audit_db": str(tmp_path / "two.sqlite3"), "tenants": tenants}),
        encoding="utf-8",
    )
    path.chmod(0o600)  # a config open to others is warned about, and -q must stay silent
    for tenant in tenants:
        for name, value in box.sb.secrets.items():
            monkeypatch.setenv(env_var_name(tenant, name), value)
    runner = CliRunner()

    first = runner.invoke(main, ["--config", str(path), "sync"])
    assert first.exit_code == EXIT_OK, first.output
    assert first.stderr == ""
    summaries = [SUMMARY.match(line) for line in lines(first.stdout)]
    assert [m["tenant"] if m else None for m in summaries] == ["shop-a", "shop_b"], first.stdout
    paid = sum(invoiced_status(o) for o in shop_orders(box.sb).values())
    assert [int(m["invoiced"]) for m in summaries if m] == [paid, paid]
    assert {m["status"] for m in summaries if m} == {"ok"}

    quiet = runner.invoke(main, ["--config", str(path), "-q", "sync"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (EXIT_OK, "", "")
    moves = odoo_read(box.sb, "account.move", [("invoice_origin", "!=", False)], ["invoice_origin"])
    origins = [m["invoice_origin"] for m in moves if "/order/" in m["invoice_origin"]]
    assert len(origins) == len(set(origins)) == 2 * paid
    assert {o.split("/")[0] for o in origins} == {"shop-a", "shop_b"}


def test_sync_with_failed_orders_exits_1_and_says_so_on_stderr(box: Box) -> None:
    result = run(box, "sync")
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert result.stdout == ""
    summary, details = lines(result.stderr)
    match = SUMMARY.match(summary)
    assert match, summary
    jpy = [o for o in shop_orders(box.sb).values() if o.currency == "JPY" and invoiced_status(o)]
    assert match["status"] == "needs attention"
    assert int(match["failed"]) == len(jpy) > 0
    assert details == "details: wooodoo audit failures"

    quiet = run(box, "-q", "sync")  # nothing new: quiet and fine
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (EXIT_OK, "", "")


def test_dry_run_creates_nothing_and_lists_what_it_would(box: Box) -> None:
    activate_jpy(box)
    result = run(box, "sync", "--dry-run")
    assert result.exit_code == EXIT_OK, result.output
    counts = box.sb.odoo_counter.snapshot()
    assert not [k for k in counts if k.startswith("odoo ") and k.endswith((".create", ".write"))]
    assert invoices(box.sb) == []
    assert odoo_read(box.sb, "res.partner", [("ref", "=like", "sandbox/%")], ["ref"]) == []
    assert box.order_links() == {}
    would = [line for line in lines(result.stdout) if "would create invoice for order" in line]
    paid = {i for i, o in shop_orders(box.sb).items() if invoiced_status(o)}
    assert {int(re.search(r"order (\d+) ", line)[1]) for line in would} == paid  # type: ignore[index]
    assert len(would) == len(paid)
    assert f"{len(paid)} would create" in lines(result.stdout)[-1]

    real = run(box, "sync")  # the dry run left no cursor behind: everything is booked now
    assert real.exit_code == EXIT_OK, real.output
    problems, _ = invoice_problems(box.sb, box)
    assert problems == [], "\n".join(problems[:20])


def test_limit_stops_early_and_the_next_run_goes_on(box: Box) -> None:
    activate_jpy(box)
    limited = run(box, "sync", "--limit", "10")
    assert limited.exit_code == EXIT_OK, limited.output
    booked = len(invoices(box.sb))
    assert 0 < booked <= 10
    match = SUMMARY.match(lines(limited.stdout)[0])
    assert match, limited.stdout
    assert int(match["invoiced"]) == booked

    rest = run(box, "sync")
    assert rest.exit_code == EXIT_OK, rest.output
    problems, paid = invoice_problems(box.sb, box)
    assert problems == [], "\n".join(problems[:20])
    assert len(invoices(box.sb)) == len(paid) > booked


def test_a_held_lock_exits_75_with_one_line(box: Box) -> None:
    config = box.config()
    with tenant_lock(lock_dir(config), box.tenant_name):
        result = run(box, "sync")
        quiet = run(box, "-q", "sync")
    assert result.exit_code == quiet.exit_code == EXIT_LOCKED
    assert result.stdout == quiet.stdout == ""
    assert len(lines(quiet.stderr)) == 1
    assert "already being synced" in quiet.stderr
    assert lines(result.stderr) == lines(quiet.stderr), result.stderr
    assert box.sb.odoo_requests() == 0  # nothing was read or written
    assert run(box, "-q", "sync").exit_code == EXIT_RECORDS_FAILED  # free again: runs


# ------------------------------------------------------------------------------ audit, replay


def test_audit_commands_read_the_store(box: Box) -> None:
    assert run(box, "sync").exit_code == EXIT_RECORDS_FAILED
    orders = shop_orders(box.sb)
    jpy = sorted(
        box.key(i) for i, o in orders.items() if o.currency == "JPY" and invoiced_status(o)
    )
    booked = next(iter(box.order_links().values()))
    box.sb.woo_counter.reset()
    box.sb.odoo_counter.reset()

    overview = run(box, "audit")
    assert overview.exit_code == EXIT_OK, overview.output
    assert lines(overview.stdout)[0] == f"audit store: {box.config().audit_db}"
    assert "sandbox\tlast run " in lines(overview.stdout)[1]
    assert f"\tfailures waiting {len(jpy)}\t" in lines(overview.stdout)[1]
    assert any(
        re.match(r"run 1\tsandbox\tsync\t.*\tneeds attention \(exit 1\)\t", line)
        for line in lines(overview.stdout)
    )

    failures = run(box, "audit", "failures")
    assert failures.exit_code == EXIT_OK
    keys = [line.split("\t")[0] for line in lines(failures.stdout) if not line.startswith("\t")]
    assert sorted(keys) == jpy
    assert failures.stdout.count("currency JPY is not active in Odoo") == len(jpy)

    shown = run(box, "audit", "show", booked.key)
    assert shown.exit_code == EXIT_OK
    head, *history = lines(shown.stdout)
    assert head.startswith(f"{booked.key} -> account.move {booked.odoo_id} {booked.odoo_name}")
    assert "[posted]" in head
    assert len(history) == 1
    assert " run 1 created account.move " in history[0]

    failed = run(box, "audit", "show", jpy[0])
    assert lines(failed.stdout)[0] == f"{jpy[0]}: not linked to any Odoo record"
    assert " run 1 failed: order " in lines(failed.stdout)[1]
    assert "currency JPY is not active" in failed.stdout
    # reading the audit never touches the network
    assert box.sb.woo_counter.snapshot() == box.sb.odoo_counter.snapshot() == {}

    activate_jpy(box)
    replayed = run(box, "replay")
    assert replayed.exit_code == EXIT_OK, replayed.output
    assert run(box, "audit", "failures").stdout == "no open failures\n"
    problems, _ = invoice_problems(box.sb, box)
    assert problems == [], "\n".join(problems[:20])


# ------------------------------------------------------------------------------ demo, sandbox


def test_demo_runs_end_to_end_and_prints_the_audit_path(tmp_path: Path) -> None:
    with mock.patch.dict(os.environ):  # the demo puts its own secrets in this environment
        result = CliRunner().invoke(
            main, ["demo", "--orders", "60", "--dir", str(tmp_path / "demo")]
        )
    assert result.exit_code == EXIT_OK, result.output
    trail = [line for line in lines(result.stdout) if line.startswith("audit trail: ")]
    assert len(trail) == 1, result.stdout
    audit = Path(trail[0].removeprefix("audit trail: "))
    assert audit.is_file()
    assert audit.is_relative_to(tmp_path / "demo")
    assert "needs attention" in result.output  # the JPY orders fail on purpose
    assert re.search(r"requests: \d+ to WooCommerce, \d+ Odoo calls for 60 orders", result.stdout)


class LineReader:
    """Collects a child's output lines in a thread, so waiting for one can be bounded."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, proc: subprocess.Popen[str], limit: float) -> None:
        deadline = time.monotonic() + limit
        while not any(text in line for line in self.lines):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} from the sandbox; it said {self.lines}")
            time.sleep(0.02)


def test_sandbox_command_serves_a_sync_and_stops_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "sb" / "c.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from wooodoo.cli import main; main()",
            "sandbox",
            "--orders",
            "20",
            "--odoo-version",
            "17",
            "--config-out",
            str(config),
            "--commit-delay",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    try:
        out = LineReader(proc.stdout)
        out.wait_for("Ctrl-C to stop.", proc, 30)
        assert config.is_file()
        env_file = config.with_name("c.yaml.env")
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        for line in env_file.read_text(encoding="utf-8").splitlines():
            name, value = line.removeprefix("export ").split("=", 1)
            monkeypatch.setenv(name, value)

        result = CliRunner().invoke(main, ["--config", str(config), "sync"])
        assert result.exit_code == EXIT_RECORDS_FAILED, result.output  # its JPY order
        match = SUMMARY.match(lines(result.stderr)[0])
        assert match, result.stderr
        assert int(match["invoiced"]) > 5
        # Odoo worked on each create before committing it, as asked
        odoo_url = next(line.split()[2] for line in out.lines if line.startswith("Odoo "))
        work = requests.get(f"{odoo_url}/__sandbox__/work", timeout=5).json()
        assert work["work"]["per_call"] == 0.1
        assert work["done"]["account.move created out_invoice"] == int(match["invoiced"])

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == EXIT_OK
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    out._thread.join(timeout=5)
    assert out.lines[-1] == "sandbox stopped", out.lines
