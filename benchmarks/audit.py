"""How fast ``wooodoo audit runs`` and ``audit events --status failed`` answer on a big audit file.

Builds an audit file with ``--events`` events (1,000,000 by default) in ``--runs`` runs over
three tenants and a year, written with ``executemany`` in one transaction (``--failed-share``
of them failed, spread evenly, 2 % by default; one in 200 with a payload), then times the
store functions the CLI calls (``latest_runs``, ``AuditStore.find_events``, ``tenant_stats``)
``--repeat`` times each, and prints the median and the slowest. ``--without-indexes`` drops
the indexes of migration 0003_audit_read_indexes first, to see what they buy. No sandbox, no
network.

Run: .venv/bin/python benchmarks/audit.py [--events 1000000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import table

from wooodoo.audit import AuditStore, EventQuery
from wooodoo.cli.audit_runs import latest_runs

TENANTS = ("acme", "beta", "gamma")
ACTIONS = ("created",) * 60 + ("unchanged",) * 25 + ("skipped",) * 10 + ("linked",) * 3
INDEXES = ("events_action", "events_tenant_action", "events_source", "events_at")
YEAR = timedelta(days=365)


def _events(count: int, runs: int, seed: int, failed: float) -> Iterator[tuple[Any, ...]]:
    """Event rows in order of time; run ``r`` holds the ``r``-th slice of them, written at
    one time (a page's rows share their commit time)."""
    rnd = random.Random(seed)
    start = datetime.now(UTC) - YEAR
    per_run = max(1, count // runs)
    orders = [rnd.randrange(1, 200_000) for _ in range(4096)]
    choices = [rnd.choice(ACTIONS) for _ in range(4099)]
    failing = int(1 / failed) if failed > 0 else count + 1
    for i in range(count):
        run_id = min(runs, i // per_run + 1)
        if i % per_run == 0 or i == 0:
            tenant = TENANTS[(run_id - 1) % len(TENANTS)]
            at = (start + YEAR * (i / count)).isoformat(timespec="seconds")
        order = orders[i % 4096] + i // 4096
        action = "failed" if i % failing == failing // 2 else choices[i % 4099]
        error = f"order {order}: tax rate 7 has no mapping" if action == "failed" else None
        payload = '{"expected": {"total": "17.840000"}}' if i % 200 == 0 else None
        yield (run_id, tenant, "order", str(order), None, f"{tenant}/order/{order}", action,
               "account.move", order, None, error, payload, at)  # fmt: skip


def _runs(runs: int) -> Iterator[tuple[Any, ...]]:
    start = datetime.now(UTC) - YEAR
    for r in range(1, runs + 1):
        began = start + YEAR * ((r - 1) / runs)
        yield (r, TENANTS[(r - 1) % len(TENANTS)], "sync", began.isoformat(timespec="seconds"),
               (began + timedelta(seconds=42)).isoformat(timespec="seconds"), "partial",
               '{"failed": 2, "invoiced": 60, "skipped": 10, "unchanged": 25}')  # fmt: skip


def build(path: Path, events: int, runs: int, seed: int, failed: float) -> float:
    """The audit file, migrated as the CLI would, then filled; the seconds it took."""
    started = time.perf_counter()
    AuditStore(path).close()
    store = AuditStore(path)
    db = store.db
    db.execute("PRAGMA synchronous=OFF")
    # the migrations' indexes are built once after the rows, not kept up row by row
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN"
        " ('events', 'runs') AND sql IS NOT NULL"
    ).fetchall()
    db.execute("BEGIN")
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    db.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", _runs(runs))
    db.executemany(
        "INSERT INTO events (run_id, tenant, kind, source_id, source_version, key, action,"
        " odoo_model, odoo_id, odoo_name, error, payload, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _events(events, runs, seed, failed),
    )
    for _, sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    store.close()
    return time.perf_counter() - started


def timed(call: Callable[[], int], repeat: int) -> dict[str, float]:
    times: list[float] = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = call()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "rows": rows}


def measure(path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Each query as the CLI sends it, on a freshly opened store (as each CLI call opens it)."""
    store = AuditStore(path)
    since = datetime.now(UTC) - timedelta(days=7)
    queries: dict[str, Callable[[], int]] = {
        "audit runs": lambda: len(latest_runs(store, (), 20)),
        "audit events --status failed": lambda: len(
            store.find_events(EventQuery(actions=("failed",)))
        ),
        "audit events --tenant beta --status failed": lambda: len(
            store.find_events(EventQuery(tenants=("beta",), actions=("failed",)))
        ),
        "audit events --status failed --since 7d": lambda: len(
            store.find_events(EventQuery(actions=("failed",), since=since))
        ),
        "audit events --woo-id 4242": lambda: len(store.find_events(EventQuery(source_id="4242"))),
        "audit stats": lambda: len(store.tenant_stats(TENANTS)),
    }
    try:
        return {name: timed(call, repeat) for name, call in queries.items()}
    finally:
        store.close()


def drop_indexes(path: Path) -> None:
    store = AuditStore(path)
    for name in INDEXES:
        store.db.execute(f"DROP INDEX IF EXISTS {name}")
    store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--failed-share", type=float, default=0.02, help="Events that failed.")
    parser.add_argument("--without-indexes", action="store_true")
    parser.add_argument("--json", type=Path, help="Write {events, runs_ms, failed_events_ms}.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wooodoo-audit-bench-") as tmp:
        path = Path(tmp) / "audit.sqlite3"
        seconds = build(path, args.events, args.runs, args.seed, args.failed_share)
        size = path.stat().st_size / 1024 / 1024
        if args.without_indexes:
            drop_indexes(path)
        results = measure(path, args.repeat)
    indexes = "without the 0003 indexes" if args.without_indexes else "with the indexes"
    print(
        f"{args.events:,} events in {args.runs:,} runs ({args.failed_share:.2%} failed),"
        f" built in {seconds:.1f} s, {size:.0f} MiB; {indexes}; {args.repeat} times each"
    )
    rows = [[name, f"{r['median_ms']:.2f}", f"{r['max_ms']:.2f}", str(int(r["rows"]))]
            for name, r in results.items()]  # fmt: skip
    print(table(["query", "median ms", "max ms", "rows"], rows))
    if args.json:
        document = {
            "events": args.events,
            "runs_ms": results["audit runs"]["median_ms"],
            "failed_events_ms": results["audit events --status failed"]["median_ms"],
            "indexes": not args.without_indexes,
            "queries": results,
        }
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
