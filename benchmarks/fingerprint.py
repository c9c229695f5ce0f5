"""Fingerprint of a sandbox backfill: what Odoo holds, what was asked of it, what the audit says.

Run the same command from two checkouts and compare the JSON: a restructuring that changes
nothing gives the same fingerprint (invoices and their amounts, partners, request counts by
endpoint, audit events and links; ids and times left out, as they differ from run to run).

Run: .venv/bin/python benchmarks/fingerprint.py --orders 2000 --odoo-version 19 --json a.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from wooodoo.sandbox import Sandbox

FIELDS = ["invoice_origin", "state", "amount_untaxed", "amount_tax", "amount_total", "ref"]


def odoo_side(sb: Sandbox) -> dict[str, Any]:
    moves = sb.odoo_app.call(
        "account.move", "search_read", [("invoice_origin", "=like", "sandbox/%")], FIELDS
    )
    partners = sb.odoo_app.call(
        "res.partner", "search_read", [("ref", "=like", "sandbox/%")], ["ref", "name", "email"]
    )
    return {
        "invoices": sorted([{k: m[k] for k in FIELDS} for m in moves], key=json.dumps),
        "partners": sorted(
            [{k: p[k] for k in ("ref", "name", "email")} for p in partners], key=json.dumps
        ),
    }


def audit_side(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    events = Counter(
        f"{key} {action} {model or '-'}"
        for key, action, model in con.execute("SELECT key, action, odoo_model FROM events")
    )
    links = sorted(
        f"{key} {kind} {model} {state} {amounts or ''}"
        for key, kind, model, state, amounts in con.execute(
            "SELECT key, kind, odoo_model, state, amounts FROM links"
        )
    )
    con.close()
    return {"events": dict(sorted(events.items())), "links": links}


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--odoo-version", type=int, default=19)
    parser.add_argument("--tax-rounding", default="round_per_line")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wooodoo-fingerprint-") as tmp:
        directory = Path(tmp)
        sb = Sandbox(
            orders=args.orders,
            seed=args.seed,
            odoo_version=args.odoo_version,
            tax_rounding=args.tax_rounding,
            directory=directory,
        )
        with sb:
            config, _ = sb.write_config(directory / "config.yaml")
            env = {k: v for k, v in os.environ.items() if not k.startswith("WOOODOO_")}
            env.update(sb.secret_env())
            env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
            command = [sys.executable, "-c", "from wooodoo.cli import main; main()"]
            runs = []
            for _ in range(2):  # the backfill, then a run with nothing new
                sb.odoo_counter.reset()
                sb.woo_counter.reset()
                done = subprocess.run(
                    [*command, "-q", "--config", str(config), "sync"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                runs.append(
                    {
                        "exit": done.returncode,
                        "odoo": dict(sorted(sb.odoo_counter.snapshot().items())),
                        "woo": dict(sorted(sb.woo_counter.snapshot().items())),
                    }
                )
            result = {"runs": runs, **odoo_side(sb), **audit_side(directory / "audit.sqlite3")}
    parts = {k: digest(v) for k, v in result.items()}
    print(json.dumps({"orders": args.orders, "odoo": args.odoo_version, **parts}, indent=1))
    odoo, woo = (sum(runs[0][side].values()) for side in ("odoo", "woo"))
    print(f"backfill requests: Odoo {odoo}, WooCommerce {woo}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
