"""What the chaos tests share: the CLI as a child process, seeded kills, and the checks after
recovery (no key twice, every invoiceable order invoiced once, an intact and consistent audit).

Seeds: each test takes its seed from ``chaos_seed(default)``; ``WOOODOO_CHAOS_SEED`` overrides
it to replay a failure, and every assertion message carries it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests.e2e_helpers import (
    Box,
    duplicate_partners,
    invoice_problems,
    invoices,
    subprocess_env,
)

RUN_TIMEOUT = 60.0
CLI = (sys.executable, "-c", "from wooodoo.cli import main; main()")
SEED_ENV = "WOOODOO_CHAOS_SEED"


def chaos_seed(default: int) -> int:
    """The test's seed: ``default``, unless ``WOOODOO_CHAOS_SEED`` names another."""
    return int(os.environ.get(SEED_ENV) or default)


def start_cli(
    box: Box, *args: str, preexec_fn: Callable[[], None] | None = None
) -> subprocess.Popen[str]:
    """``wooodoo --config <box> ARGS`` as a child process (the sandbox outlives a kill)."""
    return subprocess.Popen(
        [*CLI, "--config", str(box.config_path), *args],
        env=subprocess_env(box),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,  # the child only sets limits and signals before exec
    )


def start_sync(box: Box) -> subprocess.Popen[str]:
    return start_cli(box, "sync")


def run_cli(box: Box, *args: str, **kwargs: Any) -> tuple[int, str]:
    proc = start_cli(box, *args, **kwargs)
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    return proc.returncode, out + err


def wait_for(proc: subprocess.Popen[str], ready: Callable[[], bool], limit: float) -> bool:
    """Poll ``ready()`` every millisecond while ``proc`` runs; False if it ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(0.001)
    proc.kill()
    proc.communicate(timeout=RUN_TIMEOUT)
    raise AssertionError(f"the child neither ended nor got there in {limit}s")


def kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool], limit: float) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()``; False if it ended before."""
    if not wait_for(proc, ready, limit):
        proc.communicate(timeout=RUN_TIMEOUT)
        return False
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=RUN_TIMEOUT)
    assert proc.returncode == -signal.SIGKILL
    return True


# ---------------------------------------------------------------- the checks after recovery


def audit_problems(db_path: Path, tenant: str) -> list[str]:
    """The audit file is intact, and its links, events and failures agree with each other."""
    problems: list[str] = []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        broken = list(db.execute("PRAGMA foreign_key_check"))
        if broken:
            problems.append(f"foreign_key_check: {broken[:5]}")
        # every document's link was written with an event of its key (one transaction)
        unexplained = [
            row[0]
            for row in db.execute(
                "SELECT key FROM links l WHERE tenant = ? AND odoo_model != 'res.partner'"
                " AND NOT EXISTS"
                " (SELECT 1 FROM events e WHERE e.tenant = l.tenant AND e.key = l.key)",
                (tenant,),
            )
        ]
        if unexplained:
            problems.append(f"links without any event: {unexplained[:5]}")
        # a failure open for a key has a failed (or conflict, mismatch) event behind it
        orphans = [
            row[0]
            for row in db.execute(
                "SELECT key FROM failures f WHERE tenant = ? AND NOT EXISTS"
                " (SELECT 1 FROM events e WHERE e.tenant = f.tenant AND e.key = f.key"
                "  AND e.action IN ('failed', 'conflict', 'mismatch'))",
                (tenant,),
            )
        ]
        if orphans:
            problems.append(f"failures without a failed event: {orphans[:5]}")
    finally:
        db.close()
    return problems


def exactly_once_problems(box: Box, *, allow_flagged: bool = False) -> list[str]:
    """Every way Odoo and the audit disagree with "each record once": empty when all is well.

    No ``invoice_origin`` twice, every invoiceable order exactly one posted invoice with its
    amounts (``invoice_problems``), no order's link pointing elsewhere than its invoice, no
    two partners for one customer, the audit file intact and consistent.
    """
    problems, ok_orders = invoice_problems(box.sb, box, allow_flagged=allow_flagged)
    moves = invoices(box.sb)
    origins = Counter(m["invoice_origin"] for m in moves)
    problems += [f"{key}: {n} documents" for key, n in sorted(origins.items()) if n > 1]
    ids = {m["invoice_origin"]: m["id"] for m in moves}
    for key, link in sorted(box.order_links().items()):
        if key in ids and link.odoo_id != ids[key]:
            problems.append(f"{key}: the audit links {link.odoo_id}, Odoo has {ids[key]}")
    if not ok_orders:
        problems.append("no invoiceable order at all: the test checks nothing")
    problems += [f"partner {k} {n} times" for k, n in duplicate_partners(box.sb).items()]
    problems += audit_problems(box.config().audit_db, box.tenant_name)
    return problems


def explain(seed: int | None, problems: Iterable[str], limit: int = 20) -> str:
    """The problems, headed by the seed that replays them (None: no randomness involved)."""
    lines = list(problems)
    head = f"seed {seed} ({SEED_ENV}={seed} replays it)" if seed is not None else "no seed"
    return f"{head}: {len(lines)} problem(s)\n" + "\n".join(lines[:limit])


def set_sides(box: Box, *, woocommerce: dict[str, Any], odoo: dict[str, Any]) -> None:
    """Change the config's ``woocommerce`` and ``odoo`` sections (timeouts, page size)."""
    import yaml

    data = yaml.safe_load(box.config_path.read_text())
    tenant = data["tenants"][box.tenant_name]
    tenant["woocommerce"].update(woocommerce)
    tenant["odoo"].update(odoo)
    box.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
