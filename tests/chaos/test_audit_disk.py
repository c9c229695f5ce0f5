"""The audit file cannot be written (a full disk, a read-only file or folder): the sync stops
with a clear error naming the file and exit 74, no traceback; the file stays intact (each page
is one transaction); what Odoo got meanwhile carries its keys, so the next run, the file
writable again, completes every record exactly once.

A full disk is a file size limit (``RLIMIT_FSIZE``, SIGXFSZ ignored: writes past it fail as
on a full disk) set in the child before it starts. Read-only uses ``chattr +i`` when the tests
run as root (root writes through any mode bits), else ``chmod``.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.chaos.helpers import audit_problems, exactly_once_problems, explain, run_cli
from tests.e2e_helpers import Box, invoices, running_box
from wooodoo.cli import main
from wooodoo.errors import EXIT_AUDIT, EXIT_OK, EXIT_RECORDS_FAILED

# room for the run's first rows and a page or two, not for all its pages of invoices
LIMIT = 48 * 1024


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Nobody, root included, may write ``path`` (a file or a folder) while inside."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)


def more_orders(box: Box, n: int, seed: int) -> None:
    """``n`` new paid orders in the shop, of products and customers drawn from ``seed``."""
    rng = random.Random(seed)
    with box.sb.store.lock:
        products = sorted(i for i, p in box.sb.store.products.items() if not p.variations)
        customers = sorted(box.sb.store.customers)
    for _ in range(n):
        lines = [(rng.choice(products), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
        box.sb.store.add_order(lines, customer_id=rng.choice(customers), status="processing")


def assert_clear_stop(code: int, output: str, audit: Path) -> None:
    assert code == EXIT_AUDIT, output
    assert f"the audit file {audit} cannot be written" in output, output
    assert "Traceback" not in output, output


def test_a_full_disk_stops_the_run_cleanly_and_the_next_run_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=30, seed=81, batch_size=10) as box:
        assert box.sync().exit_code == EXIT_RECORDS_FAILED  # the JPY orders, by design
        audit = box.config().audit_db
        more_orders(box, 40, seed=82)
        before = len(invoices(box.sb))
        code, out = run_cli(box, "sync", preexec_fn=file_size_limit(LIMIT))
        assert_clear_stop(code, out, audit)
        assert audit_problems(audit, box.tenant_name) == []
        made = len(invoices(box.sb)) - before
        assert made > 0, "the disk was full before Odoo got anything: nothing to recover"
        linked = set(box.order_links())
        unknown = [m for m in invoices(box.sb) if m["invoice_origin"] not in linked]
        assert unknown, "the audit knows every invoice: the full disk came too late"

        assert box.sync().exit_code == EXIT_OK  # the JPY orders' retry is not due yet
        problems = exactly_once_problems(box)
        assert problems == [], explain(81, problems)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_audit_file_stops_the_run_before_odoo_and_the_next_run_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    with running_box(tmp_path, monkeypatch, orders=30, seed=83, batch_size=10) as box:
        assert box.sync().exit_code == EXIT_RECORDS_FAILED
        audit = box.config().audit_db
        more_orders(box, 20, seed=84)
        before = len(invoices(box.sb))
        with read_only(audit if what == "file" else audit.parent):
            ran = CliRunner().invoke(main, ["--config", str(box.config_path), "sync"])
        assert_clear_stop(ran.exit_code, ran.output, audit)
        assert len(invoices(box.sb)) == before  # stopped before writing anything to Odoo
        assert audit_problems(audit, box.tenant_name) == []

        assert box.sync().exit_code == EXIT_OK  # the JPY orders' retry is not due yet
        assert len(invoices(box.sb)) > before
        problems = exactly_once_problems(box)
        assert problems == [], explain(83, problems)
