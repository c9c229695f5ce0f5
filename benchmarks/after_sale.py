"""Issue 9 acceptance, full: the books follow the shop after the sale, Odoo 13-19, both roundings.

For each Odoo version and tax rounding: a generated shop of ``--orders`` orders (JPY active, so
five currencies, one without cents), ``wooodoo sync`` as a child process; then the sandbox's
``after_sale`` cancels, amends (``sync.on_amend: reissue``) and refunds paid orders; a second
``wooodoo sync``; then ``wooodoo audit reconcile --json``. The shop's net sales after refunds
and the books' posted invoices minus credit notes are compared per currency and tax rate
(``wooodoo.sandbox.proof``, read in-process). Exit 1 when any sync ends with another code than
0, any difference is found, a key holds two documents, or reconcile does not say they agree.

    .venv/bin/python benchmarks/after_sale.py --orders 3000 [--versions 13 19] [--seed 1]
        [--payments] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from harness import ODOO_VERSIONS, TAX_ROUNDINGS, Bench, bench, table, wooodoo_command

from wooodoo.sandbox import SINCE
from wooodoo.sandbox.proof import books_side, differences, shop_side
from wooodoo.sandbox.shop.after_sale import after_sale

RUN_TIMEOUT = 1800.0
PAYMENTS = {"bacs": "BNK1", "stripe": "BNK1", "paypal": "BNK1"}


def moves(b: Bench) -> list[dict[str, Any]]:
    kind = "type" if b.box.odoo_app.version == 13 else "move_type"
    rows = b.read(
        "account.move",
        [("invoice_origin", "=like", f"{b.box.tenant}/%")],
        ["invoice_origin", "state", kind],
    )
    for row in rows:
        row["move_type"] = row.pop(kind)
    return rows


def reconcile(b: Bench) -> tuple[int, list[dict[str, Any]]]:
    argv = ["--config", str(b.config), "audit", "reconcile", "--tenant", b.box.tenant, "--json"]
    done = subprocess.run(
        [*wooodoo_command(), *argv], env=b.env, capture_output=True, text=True, timeout=600
    )
    findings = json.loads(done.stdout)["findings"] if done.stdout.startswith("{") else []
    return done.returncode, findings


def one(orders: int, version: int, rounding: Any, seed: int, payments: bool) -> dict[str, Any]:
    with bench(orders, seed=seed, odoo_version=version, tax_rounding=rounding) as b:
        extra: dict[str, Any] = {"on_amend": "reissue"}
        if payments:
            extra["payments"] = PAYMENTS
        b.box.write_config(b.config, audit_db=b.audit_db, **extra)
        b.box.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
        first = b.sync(timeout=RUN_TIMEOUT)
        done = after_sale(b.box.store, seed=seed + 10)
        notes_before = sum(m["move_type"] == "out_refund" for m in moves(b))
        b.reset_counters()
        second = b.sync(timeout=RUN_TIMEOUT)
        calls = b.counts().odoo_calls
        after = moves(b)
        notes = sum(m["move_type"] == "out_refund" for m in after) - notes_before
        shop = shop_side(b.box, since=SINCE, active={"EUR", "USD", "CHF", "GBP", "JPY"})
        books = books_side(b.box, b.box.tenant)
        found = differences(shop.nets, books)
        twice = [k for k, n in Counter(m["invoice_origin"] for m in after).items() if n > 1]
        not_posted = [m["invoice_origin"] for m in after if m["state"] != "posted"]
        started = time.monotonic()
        code, findings = reconcile(b)
        return {
            "odoo": version,
            "rounding": rounding,
            "orders": orders,
            "first_exit": first.exit_code,
            "first_s": round(first.seconds, 2),
            "cancelled": len(done.cancelled),
            "amended": len(done.amended),
            "new_refunds": done.refunds,
            "second_exit": second.exit_code,
            "second_s": round(second.seconds, 2),
            "second_odoo_calls": calls,
            "second_credit_notes": notes,
            "shop_orders": shop.orders,
            "shop_refunds": shop.refunds,
            "excluded": shop.excluded,
            "books_documents": books.documents,
            "rates": len(shop.nets.taxes),
            "differences": found,
            "keys_twice": twice,
            "not_posted": not_posted,
            "reconcile_exit": code,
            "reconcile_findings": findings,
            "reconcile_s": round(time.monotonic() - started, 2),
        }


def ok(r: dict[str, Any]) -> bool:
    return r["first_exit"] == r["second_exit"] == r["reconcile_exit"] == 0 and not (
        r["differences"] or r["keys_twice"] or r["not_posted"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--versions", type=int, nargs="+", default=list(ODOO_VERSIONS))
    parser.add_argument("--roundings", nargs="+", default=list(TAX_ROUNDINGS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--payments", action="store_true", help="set sync.payments too")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    results = [
        one(args.orders, version, rounding, args.seed, args.payments)
        for version in args.versions
        for rounding in args.roundings
    ]
    headers = ["odoo", "rounding", "orders", "refunds", "cancel", "amend", "new ref",
               "notes 2nd", "calls 2nd", "1st s", "2nd s", "docs", "rates", "diffs",
               "reconcile", "result"]  # fmt: skip
    rows = [
        [str(r["odoo"]), r["rounding"], str(r["shop_orders"]), str(r["shop_refunds"]),
         str(r["cancelled"]), str(r["amended"]), str(r["new_refunds"]),
         str(r["second_credit_notes"]), str(r["second_odoo_calls"]), str(r["first_s"]),
         str(r["second_s"]), str(r["books_documents"]), str(r["rates"]),
         str(len(r["differences"])), str(r["reconcile_exit"]), "ok" if ok(r) else "FAILED"]
        for r in results
    ]  # fmt: skip
    print(table(headers, rows))
    for r in results:
        if not ok(r):
            print(f"odoo {r['odoo']} {r['rounding']}:", json.dumps(r, default=str)[:3000])
        if r["excluded"]:
            print(f"odoo {r['odoo']} {r['rounding']} excluded:", r["excluded"])
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2, default=str)
    return 0 if all(ok(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
