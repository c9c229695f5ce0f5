"""All the benchmarks in one command: backfills under network latency against their lower bound,
an idle run, webhook deliveries and the audit queries.

Run: .venv/bin/python benchmarks/run.py [--quick] [--json FILE]

``--quick``: 2,000 orders at 0 and 20 ms, the webhook benchmark's quick sizes, 100,000 audit
events (a few minutes). The full run: 1,000, 10,000 and 50,000 orders at 0, 20 and 100 ms, the
webhook benchmark's full sizes, 1,000,000 audit events (it takes long: the sandbox's Odoo scans
its rows on every search, so its own time grows faster than the shop).

Each backfill is a first ``wooodoo sync`` (a child process, as ``backfill.py`` runs it) on a
fresh sandbox whose two look-alikes hold every request for one round trip (``latency_ms``, see
``wooodoo.sandbox.latency``). Its **lower bound** is what no client could avoid: the look-alikes'
own time answering those same requests (measured in the sandbox, without the injected delay),
plus the round trips that cannot overlap. The sync makes its requests one after the other
except the WooCommerce pages, which a thread reads while Odoo works, so the bound is the longer
of two chains (``lower_bound``): the Odoo look-alike's own time plus latency x its calls (with
the WooCommerce requests made between them and the first page), or the WooCommerce look-alike's
own time plus latency x its page reads; each chain also pays one connection's handshakes to
each side it uses (TCP, and TLS on https), as any client must. (The child's start, about a
third of a second of Python imports with the package byte-compiled, and its own CPU are not in
the bound.) The idle run is a second sync of the first
shop at the highest latency, with nothing new. Exits 1 when a sync ends with anything but 0 or
1 (1: the shop's few orders in an inactive currency), the idle run creates an invoice, or a
webhook delivery is lost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import audit as audit_bench
import webhooks as webhook_bench
from backfill import SYNC_OK, measure_run
from harness import bench, table

from wooodoo.sandbox.latency import Timing

QUICK_ORDERS, QUICK_LATENCIES, QUICK_EVENTS = (2000,), (0.0, 20.0), 100_000
FULL_ORDERS, FULL_LATENCIES, FULL_EVENTS = (1000, 10_000, 50_000), (0.0, 20.0, 100.0), 1_000_000
AUDIT_RUNS, AUDIT_REPEAT = 10_000, 5
WC_VERSION = "9.3.3"  # a current WooCommerce; 7.9.0 is the store the fixtures come from
ORDER_PAGES = "GET /wp-json/wc/v3/orders"


def measure_backfill(
    orders: int, latency_ms: float, args: argparse.Namespace, *, idle: bool
) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    """One first sync on a fresh sandbox at ``latency_ms``; then, if asked, an idle second run."""
    problems: list[str] = []
    with bench(orders, seed=args.seed, latency_ms=latency_ms, wc_version=args.wc_version) as b:
        shop = len(b.box.store.orders)
        b.box.reset_timing()
        run = measure_run(b, shop, args.timeout, backfill=True)
        timing = b.box.timing()
        chain, server, round_trips = lower_bound(
            run, b.box.woo_latency.snapshot(), b.box.odoo_latency.snapshot(), latency_ms
        )
        bound = server + round_trips
        row = {
            "orders": shop,
            "latency_ms": latency_ms,
            "seconds": run["seconds"],
            "lower_bound_seconds": round(bound, 3),
            "odoo_requests_per_order": run["odoo_http_per_order"],
            "woo_requests_per_order": run["woo_requests_per_order"],
            "peak_rss_mb": run["peak_rss_mib"],
        }
        detail = {
            "chain": chain,
            "server_seconds": server,
            "round_trip_seconds": round_trips,
            "requests": timing.requests,
            "connections": timing.connections,
            "sync_cpu_seconds": run["sync_cpu_seconds"],
            "invoices": run["invoices_created"],
            "exit_code": run["exit_code"],
        }
        if run["exit_code"] not in SYNC_OK:
            problems.append(f"backfill of {shop} at {latency_ms:g} ms: {run['stderr_tail']}")
        quiet = None
        if idle:
            b.box.reset_timing()
            second = measure_run(b, shop, args.timeout, backfill=False)
            detail["idle_server_seconds"] = b.box.timing().server_seconds
            detail["idle_sync_cpu_seconds"] = second["sync_cpu_seconds"]
            quiet = {
                "woo_requests": second["woo_http_requests"],
                "odoo_requests": second["odoo_http_requests"],
                "seconds": second["seconds"],
            }
            detail["idle_exit_code"] = second["exit_code"]
            if second["exit_code"] not in SYNC_OK:
                problems.append(f"idle run: sync exited {second['exit_code']}")
            if second["invoices_created"]:
                problems.append(f"the idle run created {second['invoices_created']} invoices")
    return {**row, "_detail": detail}, quiet, problems


def lower_bound(
    run: dict[str, Any], woo: Timing, odoo: Timing, latency_ms: float
) -> tuple[str, float, float]:
    """The longer of the two chains whose parts cannot overlap: (its name, server s, round
    trips s). The sync reads WooCommerce's pages in a thread of its own while Odoo works, so
    each chain is one side's own server time plus its round trips: every Odoo call (each waits
    for the one before: a batch's partners and invoices depend on the last batch's) with the
    WooCommerce requests made between them (refunds, customers); or the page reads. Each chain
    also opens its side's connection once. The first page is in neither chain's Odoo part: it
    comes while the run connects to Odoo and reads its reference data. Server times are sums
    over each side's requests, which do not overlap one another (one client thread per
    side)."""
    rtt = latency_ms / 1000
    pages = run["woo_by_endpoint"].get(ORDER_PAGES, 0)
    between = run["woo_http_requests"] - pages
    odoo_round_trips = (run["odoo_http_requests"] + between) * rtt
    odoo_connect, woo_connect = first_handshake(odoo), first_handshake(woo)
    chains = [
        ("odoo", odoo.server_seconds, odoo_connect + odoo_round_trips),
        ("woo", woo.server_seconds, woo_connect + pages * rtt),
    ]
    return max(chains, key=lambda c: c[1] + c[2])


def first_handshake(timing: Timing) -> float:
    """The handshakes of one connection to a side (TCP, and TLS on https): the round trips any
    client pays before its first request there. Further connections are the client's choice
    and stay out of the bound."""
    return timing.handshake_seconds / timing.connections if timing.connections else 0.0


def measure_webhook(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """``webhooks.py``'s measurement at its quick or full sizes (no latency: loopback)."""
    argv = ["--quick"] if args.quick else []
    for flag in ("deliveries", "senders"):
        if getattr(args, flag) is not None:
            argv += [f"--{flag}", str(getattr(args, flag))]
    if args.webhook_orders is not None:
        argv += ["--orders", str(args.webhook_orders)]
    hook = webhook_bench.measure_webhooks(webhook_bench.parse_args(argv))
    problems = []
    if hook["answered_2xx"] != hook["deliveries"] or hook["not_stored"]:
        problems.append(
            f"webhook: {hook['answered_2xx']} of {hook['deliveries']} answered 2xx,"
            f" {hook['not_stored']} not stored"
        )
    if hook["seconds_to_last_invoice"] is None:
        problems.append("webhook: not every invoiceable delivery was posted in time")
    keys = ("deliveries", "per_second", "p50_ms", "p99_ms")
    return {k: hook[k] for k in keys}, problems


def measure_audit(events: int, seed: int) -> dict[str, Any]:
    """``audit.py``'s build and queries (with the indexes, 2 % failed)."""
    with tempfile.TemporaryDirectory(prefix="wooodoo-audit-bench-") as tmp:
        path = Path(tmp) / "audit.sqlite3"
        audit_bench.build(path, events, min(AUDIT_RUNS, events), seed, 0.02)
        results = audit_bench.measure(path, AUDIT_REPEAT)
    return {
        "events": events,
        "runs_ms": round(results["audit runs"]["median_ms"], 3),
        "failed_events_ms": round(results["audit events --status failed"]["median_ms"], 3),
    }


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "-"
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model}),"
        f" Python {platform.python_version()}, load {load}"
    )


def report(
    result: dict[str, Any], details: list[dict[str, Any]], idle_at: str, wc_version: str
) -> str:
    idle_detail = next(d for d in details if "idle_server_seconds" in d)
    headers = [
        "orders", "latency ms", "seconds", "lower bound s", "chain", "server s", "round trips s",
        "x bound", "requests", "odoo req/order", "woo req/order", "sync CPU s", "peak RSS MiB",
    ]  # fmt: skip
    rows = []
    for row, d in zip(result["backfill"], details, strict=True):
        bound = row["lower_bound_seconds"]
        rows.append(
            [
                str(row["orders"]),
                f"{row['latency_ms']:g}",
                f"{row['seconds']:.2f}",
                f"{bound:.2f}",
                d["chain"],
                f"{d['server_seconds']:.2f}",
                f"{d['round_trip_seconds']:.2f}",
                f"{row['seconds'] / bound:.2f}" if bound else "-",
                str(d["requests"]),
                f"{row['odoo_requests_per_order']:.4f}",
                f"{row['woo_requests_per_order']:.4f}",
                f"{d['sync_cpu_seconds']:.2f}",
                f"{row['peak_rss_mb']:.1f}",
            ]
        )
    idle, hook, audit = result["idle"], result["webhook"], result["audit"]
    return "\n".join(
        [
            f"machine: {machine()}; the store imitates WooCommerce {wc_version}",
            "backfill (first sync; lower bound = the longer chain: its server s + round trips s):",
            table(headers, rows),
            f"idle ({idle_at}): {idle['odoo_requests']} Odoo + {idle['woo_requests']}"
            f" WooCommerce requests, {idle['seconds']:.2f} s (server"
            f" {idle_detail['idle_server_seconds']:.2f} s, sync CPU"
            f" {idle_detail['idle_sync_cpu_seconds']:.2f} s)",
            f"webhook: {hook['deliveries']} deliveries, {hook['per_second']:.1f}/s,"
            f" p50 {hook['p50_ms']:.1f} ms, p99 {hook['p99_ms']:.1f} ms",
            f"audit: {audit['events']:,} events, `audit runs` {audit['runs_ms']:.2f} ms,"
            f" `audit events --status failed` {audit['failed_events_ms']:.2f} ms (medians)",
        ]
    )


def numbers(text: str, kind: type[int] | type[float]) -> tuple[Any, ...]:
    return tuple(kind(x) for x in text.split(",") if x.strip())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 orders at 0 and 20 ms")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per sync run")
    parser.add_argument(
        "--wc-version",
        default=WC_VERSION,
        help=f"the WooCommerce the store imitates (default {WC_VERSION}; below 9.0 a refunded"
        " order costs one more request: there is no list of refunds across orders)",
    )
    hidden = argparse.SUPPRESS  # smaller sizes, for the smoke test
    parser.add_argument("--orders", type=lambda t: numbers(t, int), default=None, help=hidden)
    parser.add_argument("--latencies", type=lambda t: numbers(t, float), default=None, help=hidden)
    parser.add_argument("--deliveries", type=int, default=None, help=hidden)
    parser.add_argument("--senders", type=int, default=None, help=hidden)
    parser.add_argument("--webhook-orders", type=int, default=None, help=hidden)
    parser.add_argument("--audit-events", type=int, default=None, help=hidden)
    parser.add_argument("--seed", type=int, default=1, help=hidden)
    args = parser.parse_args(argv)
    args.orders = args.orders or (QUICK_ORDERS if args.quick else FULL_ORDERS)
    args.latencies = args.latencies or (QUICK_LATENCIES if args.quick else FULL_LATENCIES)
    args.audit_events = args.audit_events or (QUICK_EVENTS if args.quick else FULL_EVENTS)
    if min(args.orders) < 1 or min(args.latencies) < 0 or args.audit_events < 1:
        parser.error("sizes must be at least 1 and latencies not below 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backfills, details, problems = [], [], []
    idle: dict[str, Any] | None = None
    idle_latency = max(args.latencies)
    for orders in args.orders:
        for latency in args.latencies:
            wanted = idle is None and latency == idle_latency
            row, quiet, found = measure_backfill(orders, latency, args, idle=wanted)
            details.append(row.pop("_detail"))
            backfills.append(row)
            problems += found
            idle = idle or quiet
            print(f"backfill {orders} orders at {latency:g} ms: {row['seconds']:.2f} s", flush=True)
    assert idle is not None
    hook, found = measure_webhook(args)
    problems += found
    result = {
        "backfill": backfills,
        "idle": idle,
        "webhook": hook,
        "audit": measure_audit(args.audit_events, args.seed),
    }
    idle_at = f"{args.orders[0]} orders at {idle_latency:g} ms"
    print(report(result, details, idle_at, args.wc_version))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("result: " + ("FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
