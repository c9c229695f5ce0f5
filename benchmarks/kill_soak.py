"""Kill soak: SIGKILL the sync at random moments of a backfill, run it again, then check Odoo.

Run: .venv/bin/python benchmarks/kill_soak.py --orders 2000 --kills 8 --seed 1 [--json out.json]

After the kills, one complete run and one more run; then, read straight from the Odoo
look-alike: no ``invoice_origin`` twice, every order in a configured status whose currency is
active has exactly one posted invoice (or one draft the audit records as a mismatch of totals, as
a run without kills leaves it), no invoice for any other order, no two partners with the
same ref or (case-insensitive) e-mail, and the audit links point at those invoices. Exits 1 on
any violation, or when a run ends other than killed / 0 / 1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness import ODOO_VERSIONS, TAX_ROUNDINGS, Bench, bench, table

from wooodoo.audit import AuditStore, Link
from wooodoo.sandbox import WorkModel

SYNC_OK = (0, 1)
STATUSES = ("processing", "completed")  # what the sandbox config invoices (and paid refunds)


def order_links(b: Bench) -> dict[str, Link]:
    with AuditStore(b.audit_db) as store:
        return {link.key: link for link in store.all_links(b.box.tenant, "order")}


def snapshot(b: Bench) -> dict[str, int]:
    """How far Odoo and the audit store got; Odoo ahead of the audit = the crash window."""
    invoices = b.invoices()
    links = order_links(b)
    return {
        "invoices": len(invoices),
        "drafts": sum(1 for i in invoices if i["state"] == "draft"),
        "odoo_ahead_of_audit": sum(1 for i in invoices if i["invoice_origin"] not in links),
    }


def twins_removed(b: Bench) -> int:
    """Drafts the sync deleted because their key already had a document (audit events)."""
    with AuditStore(b.audit_db) as store:
        row = store.db.execute("SELECT COUNT(*) FROM events WHERE action = 'removed'").fetchone()
    return int(row[0])


def verify(b: Bench) -> dict[str, Any]:
    box = b.box
    invoices = b.invoices()
    by_origin = Counter(str(i["invoice_origin"]) for i in invoices)
    posted = Counter(str(i["invoice_origin"]) for i in invoices if i["state"] == "posted")
    active = {row["name"] for row in b.read("res.currency", [("active", "=", True)], ["name"])}
    with box.store.lock:
        expected = {
            f"{box.tenant}/order/{order.id}"
            for order in box.store.orders.values()
            if (order.status in STATUSES or (order.status == "refunded" and order.date_paid))
            and order.currency in active
        }
    partners = b.read("res.partner", [], ["ref", "email"], archived=True)
    refs = Counter(p["ref"] for p in partners if p["ref"])
    emails = Counter(p["email"].strip().lower() for p in partners if p["email"])
    links = order_links(b)
    refunds = [("invoice_origin", "=like", f"{box.tenant}/refund/%")]
    credit_notes = Counter(
        str(r["invoice_origin"]) for r in b.read("account.move", refunds, ["invoice_origin"])
    )
    ids = {str(i["invoice_origin"]): i["id"] for i in invoices}
    # A draft the sync left on purpose: Odoo's totals differ from the shop's (never posted),
    # recorded as a mismatch in the audit; it happens the same way without any kill.
    held = {
        k
        for k in expected
        if by_origin[k] == 1 and not posted[k] and k in links and links[k].state == "mismatch"
    }
    return {
        "expected_invoices": len(expected),
        "invoices": len(invoices),
        "posted": sum(posted.values()),
        "held_as_mismatch": sorted(held),
        "duplicates": sorted(k for k, n in by_origin.items() if n > 1),
        # a draft nobody asked for: not the one invoice of its key held back as a mismatch
        "stray_drafts": sorted(
            str(i["invoice_origin"])
            for i in invoices
            if i["state"] == "draft" and str(i["invoice_origin"]) not in held
        ),
        "missing": sorted(k for k in expected - held if posted[k] != 1),
        "unexpected": sorted(k for k in by_origin if k not in expected),
        "partners": len(partners),
        "duplicate_partner_refs": sorted(k for k, n in refs.items() if n > 1),
        "duplicate_partner_emails": sorted(k for k, n in emails.items() if n > 1),
        "twins_removed": twins_removed(b),
        "credit_note_duplicates": sorted(k for k, n in credit_notes.items() if n > 1),
        "audit_disagrees": sorted(
            k for k in expected if k in ids and (k not in links or links[k].odoo_id != ids[k])
        ),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1, help="seeds the shop and the kill delays")
    parser.add_argument("--odoo-version", type=int, choices=ODOO_VERSIONS, default=19)
    parser.add_argument("--tax-rounding", choices=TAX_ROUNDINGS, default="round_per_line")
    parser.add_argument(
        "--min-delay", type=float, default=0.4, help="seconds (the CLI needs ~0.5 s to start)"
    )
    parser.add_argument(
        "--max-delay",
        type=float,
        default=None,
        help="seconds [default: 0.4 + orders/1000 + the late-commit work of up to 3 batches]",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per sync run")
    parser.add_argument(
        "--commit-per-call",
        type=float,
        default=0.2,
        help="seconds the sandbox's Odoo works on a create before it commits [0.2]",
    )
    parser.add_argument(
        "--commit-per-move",
        type=float,
        default=0.05,
        help="more seconds per invoice created (a real Odoo: about 0.1) [0.05]",
    )
    parser.add_argument(
        "--commit-per-record",
        type=float,
        default=0.002,
        help="more seconds per other record (partners) [0.002]; all three 0: no late commits",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.max_delay is None:
        # about two orders in three are invoiced: a batch of 100 invoices per 150 orders
        batch_work = args.commit_per_call + 100 * args.commit_per_move
        args.max_delay = round(0.4 + args.orders / 1000 + min(3, args.orders / 150) * batch_work, 2)
    if args.orders < 1 or args.kills < 0 or not 0 <= args.min_delay <= args.max_delay:
        parser.error("need --orders >= 1, --kills >= 0 and 0 <= --min-delay <= --max-delay")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    attempts: list[dict[str, Any]] = []
    problems: list[str] = []
    work = WorkModel(
        per_call=args.commit_per_call,
        per_move=args.commit_per_move,
        per_record=args.commit_per_record,
    )
    with bench(
        args.orders,
        seed=args.seed,
        odoo_version=args.odoo_version,
        tax_rounding=args.tax_rounding,
        work=work,
    ) as b:
        kills = 0
        # a run that ends before its kill (the backfill is done) does not count as a kill
        for _ in range(max(args.kills * 4, 1)):
            if kills >= args.kills:
                break
            delay = round(rng.uniform(args.min_delay, args.max_delay), 3)
            run = b.sync(timeout=args.timeout, kill_after=delay)
            kills += run.killed
            if not run.killed and run.exit_code not in SYNC_OK:
                problems.append(f"run {len(attempts) + 1} exited {run.exit_code}: {run.stderr}")
            attempts.append(
                {
                    "delay": delay,
                    "outcome": "killed" if run.killed else f"exit {run.exit_code}",
                    "seconds": round(run.seconds, 2),
                    **snapshot(b),
                }
            )
        # the last kill's calls commit late: the final run starts once Odoo has finished them
        waited = time.monotonic()
        if not b.box.odoo_app.wait_idle(timeout=args.timeout):
            problems.append("the sandbox's Odoo was still at work after --timeout seconds")
        waited = time.monotonic() - waited
        for name in ("final", "again"):
            run = b.sync(timeout=args.timeout)
            if run.exit_code not in SYNC_OK:
                problems.append(f"{name} run exited {run.exit_code}: {run.stderr}")
            attempts.append(
                {
                    "delay": None,
                    "outcome": f"{name}: exit {run.exit_code}",
                    "seconds": round(run.seconds, 2),
                    **snapshot(b),
                }
            )
        checks = verify(b)
    for what in (
        "duplicates", "stray_drafts", "missing", "unexpected", "duplicate_partner_refs",
        "credit_note_duplicates",
        "duplicate_partner_emails", "audit_disagrees",
    ):  # fmt: skip
        if checks[what]:
            problems.append(f"{what}: {len(checks[what])}, e.g. {checks[what][:5]}")
    if kills < args.kills:
        print(f"note: only {kills} of {args.kills} kills landed before the runs finished")

    rows = [
        [
            str(i),
            "-" if a["delay"] is None else f"{a['delay']:.2f}",
            a["outcome"],
            f"{a['seconds']:.2f}",
            str(a["invoices"]),
            str(a["drafts"]),
            str(a["odoo_ahead_of_audit"]),
        ]
        for i, a in enumerate(attempts, 1)
    ]
    print(
        f"wooodoo kill soak: {args.orders} orders, seed {args.seed}, Odoo {args.odoo_version},"
        f" {args.tax_rounding}, kill delays {args.min_delay:.2f}-{args.max_delay:.2f} s,"
        f" late commits {args.commit_per_call:g} s + {args.commit_per_move:g} s per invoice"
        f" + {args.commit_per_record:g} s per other record"
        f" (waited {waited:.1f} s for the last ones before the final run)"
    )
    print(
        table(
            ["run", "kill at s", "outcome", "seconds", "invoices", "drafts", "odoo ahead of audit"],
            rows,
        )
    )
    print(
        f"kills done: {kills} (of {args.kills} asked, {len(attempts) - 2} killable runs);"
        f" invoices: {checks['invoices']} (expected {checks['expected_invoices']},"
        f" posted {checks['posted']}, left draft as a recorded mismatch"
        f" {len(checks['held_as_mismatch'])}); partners: {checks['partners']};"
        f" twins the sync removed: {checks['twins_removed']}"
    )
    print(
        f"duplicates={len(checks['duplicates'])} stray_drafts={len(checks['stray_drafts'])}"
        f" missing={len(checks['missing'])}"
        f" unexpected={len(checks['unexpected'])}"
        f" duplicate_partner_refs={len(checks['duplicate_partner_refs'])}"
        f" duplicate_partner_emails={len(checks['duplicate_partner_emails'])}"
        f" audit_disagrees={len(checks['audit_disagrees'])}"
    )
    if args.json:
        payload = {
            "benchmark": "kill_soak",
            "orders": args.orders,
            "seed": args.seed,
            "odoo_version": args.odoo_version,
            "tax_rounding": args.tax_rounding,
            "late_commits": {
                "per_call": work.per_call,
                "per_move": work.per_move,
                "per_record": work.per_record,
            },
            "kills_asked": args.kills,
            "kills_done": kills,
            "runs": attempts,
            "checks": checks,
            "problems": problems,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("result: " + ("FAIL" if problems else "ok (no duplicate, no missing invoice)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
