"""Memory benchmark: peak RSS of the sync process as the shop grows (it must stream, not load all).

Run: .venv/bin/python benchmarks/memory.py [--sizes 500 2000 8000] [--json out.json]

Each size gets a fresh sandbox (in this process: the server side, not measured) and a fresh sync
process whose own peak RSS is read from the kernel. Exits 1 when the largest peak is more than
``--max-ratio`` times the smallest, or a sync ends with an exit code other than 0 or 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from harness import ODOO_VERSIONS, TAX_ROUNDINGS, bench, table

SYNC_OK = (0, 1)


def measure(size: int, args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    with bench(
        size, seed=args.seed, odoo_version=args.odoo_version, tax_rounding=args.tax_rounding
    ) as b:
        setup = time.monotonic() - started
        first = b.sync(timeout=args.timeout)
        invoices = len(b.invoices())
        second = b.sync(timeout=args.timeout)
        orders = len(b.box.store.orders)
    gc.collect()  # drop this size's sandbox before generating the next one
    return {
        "orders": orders,
        "invoices": invoices,
        "sandbox_setup_seconds": round(setup, 2),
        "backfill_seconds": round(first.seconds, 2),
        "backfill_sync_cpu_seconds": round(first.cpu_seconds, 2),
        "backfill_exit_code": first.exit_code,
        "backfill_peak_rss_mib": round(first.max_rss_mib, 1),
        "idle_run_peak_rss_mib": round(second.max_rss_mib, 1),
        "idle_run_exit_code": second.exit_code,
        "stderr_tail": first.stderr[-800:] if first.exit_code not in SYNC_OK else "",
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 8000])
    parser.add_argument("--odoo-version", type=int, choices=ODOO_VERSIONS, default=19)
    parser.add_argument("--tax-rounding", choices=TAX_ROUNDINGS, default="round_per_line")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-ratio", type=float, default=1.5)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per sync run")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if len(args.sizes) < 2 or min(args.sizes) < 1:
        parser.error("give at least two sizes, each at least 1")
    args.sizes = sorted(args.sizes)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [measure(size, args) for size in args.sizes]
    small, large = results[0], results[-1]
    ratio = large["backfill_peak_rss_mib"] / small["backfill_peak_rss_mib"]
    growth = (large["backfill_peak_rss_mib"] - small["backfill_peak_rss_mib"]) / (
        (large["orders"] - small["orders"]) / 1000 or 1
    )
    rows = [
        [
            str(r["orders"]),
            str(r["invoices"]),
            f"{r['backfill_seconds']:.2f}",
            f"{r['backfill_sync_cpu_seconds']:.2f}",
            f"{r['backfill_peak_rss_mib']:.1f}",
            f"{r['idle_run_peak_rss_mib']:.1f}",
            f"{r['backfill_peak_rss_mib'] / small['backfill_peak_rss_mib']:.3f}",
            str(r["backfill_exit_code"]),
        ]
        for r in results
    ]
    headers = ["orders", "invoices", "seconds", "sync CPU s", "peak RSS MiB", "idle run MiB"]
    headers += ["vs smallest", "exit"]
    print(
        f"wooodoo memory: Odoo {args.odoo_version}, {args.tax_rounding}, seed {args.seed};"
        " peak RSS of the sync process (idle run = a second run with nothing new)"
    )
    print(table(headers, rows))
    print(
        f"largest/smallest peak RSS: {ratio:.3f} while orders grew"
        f" {large['orders'] / small['orders']:.0f}x; {growth:.2f} MiB per 1000 more orders"
    )
    problems = [
        f"{r['orders']} orders: sync exited {r['backfill_exit_code']}: {r['stderr_tail']}"
        for r in results
        if r["backfill_exit_code"] not in SYNC_OK or r["idle_run_exit_code"] not in SYNC_OK
    ]
    if ratio > args.max_ratio:
        problems.append(f"peak RSS ratio {ratio:.3f} > {args.max_ratio}: memory grows with orders")
    if args.json:
        payload = {
            "benchmark": "memory",
            "odoo_version": args.odoo_version,
            "tax_rounding": args.tax_rounding,
            "seed": args.seed,
            "sizes": results,
            "ratio_largest_smallest": round(ratio, 4),
            "mib_per_1000_orders": round(growth, 3),
            "max_ratio": args.max_ratio,
            "problems": problems,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("result: " + ("FAIL" if problems else f"ok (flat: ratio <= {args.max_ratio})"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
