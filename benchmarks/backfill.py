"""Backfill benchmark: requests per order, speed and peak memory of a first sync, then a second run.

Run: .venv/bin/python benchmarks/backfill.py --orders 2000 --odoo-version 19 [--json out.json]

Exits 1 when a budget is exceeded (Odoo calls or WooCommerce requests per order) or a sync
run ends with an exit code other than 0 or 1 (1 = some records failed, expected: the generated
shop has orders in a currency the sandbox Odoo keeps inactive).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from harness import (
    ODOO_VERSIONS,
    TAX_ROUNDINGS,
    WC_VERSION,
    Bench,
    ChildRun,
    Counts,
    bench,
    per,
    table,
)

from wooodoo.audit import AuditStore
from wooodoo.sandbox import WorkModel

ODOO_CALLS_PER_ORDER = 0.1
WOO_REQUESTS_PER_ORDER = 0.012
SYNC_OK = (0, 1)


def measure_run(b: Bench, orders: int, timeout: float, *, backfill: bool) -> dict[str, Any]:
    """One sync run from counters reset to process exit, with what Odoo holds afterwards."""
    before = len(b.invoices())
    work_before = b.box.odoo_app.work_done()
    b.reset_counters()
    run: ChildRun = b.sync(timeout=timeout)
    counts: Counts = b.counts()
    invoices = b.invoices()
    work = {k: v - work_before.get(k, 0) for k, v in b.box.odoo_app.work_done().items()}
    return {
        "exit_code": run.exit_code,
        "seconds": round(run.seconds, 3),
        "sync_cpu_seconds": round(run.cpu_seconds, 3),
        # a second run reads no order it has not seen: a rate would mean nothing there
        "orders_per_second": round(orders / run.seconds, 1) if backfill else None,
        "peak_rss_mib": round(run.max_rss_mib, 1),
        "invoices_total": len(invoices),
        "invoices_created": len(invoices) - before,
        "posted": sum(1 for i in invoices if i["state"] == "posted"),
        "odoo_calls_per_order": round(per(counts.odoo_calls, orders), 4),
        "odoo_http_per_order": round(per(counts.odoo_http, orders), 4),
        "woo_requests_per_order": round(per(counts.woo_http, orders), 4),
        **tax_adjustments(b, work),
        **counts.as_dict(),
        "stderr_tail": run.stderr[-800:] if run.exit_code not in SYNC_OK else "",
    }


def tax_adjustments(b: Bench, work: dict[str, int]) -> dict[str, Any]:
    """How many creates carried the shop's tax (``tax_totals``) and how many needed it.

    Needed: a create whose ``tax_totals`` moved a tax group (the sandbox's Odoo counts them),
    plus the drafts adjusted by a write after the read-back (13-15, or a wrong prediction).
    """
    with AuditStore(b.audit_db) as store:
        runs = store.runs_after(b.box.tenant, 0)
    after_read = runs[-1].stats.get("tax_adjusted_after_read", 0) if runs else 0
    created = work.get("account.move created", 0)
    carried = work.get("account.move created with tax_totals", 0)
    needed = work.get("account.move tax_totals that moved a tax group", 0) + after_read
    return {
        "creates": created,
        "creates_with_tax_totals": carried,
        "tax_adjusted_after_read": after_read,
        "share_with_tax_totals": round(carried / created, 4) if created else 0.0,
        "share_needing_adjustment": round(needed / created, 4) if created else 0.0,
    }


def one_repeat(args: argparse.Namespace) -> dict[str, Any]:
    work = WorkModel(
        per_move=args.commit_per_move,
        per_record=args.commit_per_record,
        per_tax_totals=args.commit_per_tax_totals,
    )
    with bench(
        args.orders,
        seed=args.seed,
        odoo_version=args.odoo_version,
        tax_rounding=args.tax_rounding,
        work=work,
        wc_version=args.wc_version,
    ) as b:
        shop_orders = len(b.box.store.orders)
        first = measure_run(b, shop_orders, args.timeout, backfill=True)
        second = measure_run(b, shop_orders, args.timeout, backfill=False)
    return {"orders": shop_orders, "backfill": first, "second_run": second}


def violations(result: dict[str, Any], *, budgets: bool = True) -> list[str]:
    problems = []
    first, second = result["backfill"], result["second_run"]
    for name, run in (("backfill", first), ("second run", second)):
        if run["exit_code"] not in SYNC_OK:
            problems.append(f"{name}: sync exited {run['exit_code']}: {run['stderr_tail']}")
    if budgets and first["odoo_calls_per_order"] > ODOO_CALLS_PER_ORDER:
        problems.append(
            f"{first['odoo_calls']} Odoo calls = {first['odoo_calls_per_order']} per order"
            f" > {ODOO_CALLS_PER_ORDER}"
        )
    if budgets and first["woo_requests_per_order"] > WOO_REQUESTS_PER_ORDER:
        problems.append(
            f"{first['woo_http_requests']} WooCommerce requests ="
            f" {first['woo_requests_per_order']} per order > {WOO_REQUESTS_PER_ORDER}"
        )
    if second["invoices_created"]:
        problems.append(f"the second run created {second['invoices_created']} invoices")
    return problems


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    headers = [
        "run", "orders", "invoices", "posted", "odoo calls", "/order", "odoo http", "/order",
        "woo http", "/order", "seconds", "sync CPU s", "orders/s", "peak RSS MiB", "exit",
    ]  # fmt: skip
    rows = []
    for i, result in enumerate(results, 1):
        for name, run in (("backfill", result["backfill"]), ("second", result["second_run"])):
            rows.append(
                [
                    f"{name} #{i}",
                    str(result["orders"]),
                    f"+{run['invoices_created']}",
                    str(run["posted"]),
                    str(run["odoo_calls"]),
                    f"{run['odoo_calls_per_order']:.4f}",
                    str(run["odoo_http_requests"]),
                    f"{run['odoo_http_per_order']:.4f}",
                    str(run["woo_http_requests"]),
                    f"{run['woo_requests_per_order']:.4f}",
                    f"{run['seconds']:.2f}",
                    f"{run['sync_cpu_seconds']:.2f}",
                    "-" if run["orders_per_second"] is None else f"{run['orders_per_second']:.0f}",
                    f"{run['peak_rss_mib']:.1f}",
                    str(run["exit_code"]),
                ]
            )
    lines = [
        f"wooodoo backfill: {args.orders} orders, seed {args.seed}, Odoo {args.odoo_version},"
        f" WooCommerce {args.wc_version}, {args.tax_rounding}, {len(results)} repeat(s)",
        table(headers, rows),
    ]
    if len(results) > 1:
        secs = [r["backfill"]["seconds"] for r in results]
        lines.append(f"backfill seconds: median {statistics.median(secs):.2f}, min {min(secs):.2f}")
    last = results[-1]["backfill"]
    lines.append(
        f"tax adjustments (last repeat): {last['creates_with_tax_totals']} of"
        f" {last['creates']} creates carried tax_totals"
        f" ({100 * last['share_with_tax_totals']:.1f} %), "
        f"{100 * last['share_needing_adjustment']:.1f} % of invoices needed an adjustment,"
        f" {last['tax_adjusted_after_read']} adjusted by a write after the read-back"
    )
    lines.append("backfill requests by endpoint (last repeat):")
    calls = {k: v for k, v in last["odoo_by_endpoint"].items() if k.startswith("odoo ")}
    http = {k: v for k, v in last["odoo_by_endpoint"].items() if not k.startswith("odoo ")}
    for title, counts in (
        ("Odoo calls", calls),
        ("Odoo HTTP", http),
        ("WooCommerce", last["woo_by_endpoint"]),
    ):
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        lines.append(f"  {title}: {parts or '-'}")
    lines.append(
        f"budgets: Odoo calls/order <= {ODOO_CALLS_PER_ORDER},"
        f" WooCommerce requests/order <= {WOO_REQUESTS_PER_ORDER}"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--odoo-version", type=int, choices=ODOO_VERSIONS, default=19)
    parser.add_argument("--tax-rounding", choices=TAX_ROUNDINGS, default="round_per_line")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wc-version",
        default=WC_VERSION,
        help="WooCommerce version the store imitates (9.0+ lists refunds across orders)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh sandbox for each repeat")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per sync run")
    parser.add_argument(
        "--commit-per-move",
        type=float,
        default=0.0,
        help="seconds the sandbox's Odoo works per invoice created (a real Odoo 19: ~0.085)",
    )
    parser.add_argument(
        "--commit-per-record",
        type=float,
        default=0.0,
        help="seconds it works per other record created (partners)",
    )
    parser.add_argument(
        "--commit-per-tax-totals",
        type=float,
        default=0.0,
        help="more seconds per invoice created with tax_totals (a real Odoo 19: ~0.06)",
    )
    parser.add_argument(
        "--no-budgets",
        action="store_true",
        help="report the budgets but do not fail on them (tiny shops: fixed costs dominate)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.repeat < 1:
        parser.error("--orders and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [one_repeat(args) for _ in range(args.repeat)]
    problems = [p for r in results for p in violations(r, budgets=not args.no_budgets)]
    print(report(results, args))
    if args.json:
        payload = {
            "benchmark": "backfill",
            "orders": args.orders,
            "seed": args.seed,
            "odoo_version": args.odoo_version,
            "wc_version": args.wc_version,
            "tax_rounding": args.tax_rounding,
            "budgets": {
                "odoo_calls_per_order": ODOO_CALLS_PER_ORDER,
                "woo_requests_per_order": WOO_REQUESTS_PER_ORDER,
            },
            "repeats": results,
            "problems": problems,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("result: " + ("FAIL" if problems else "ok (within budgets)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
