"""``wooodoo audit reconcile`` against the sandbox: a synced shop agrees to the cent; after a
person deletes one invoice and resets another to draft in Odoo, exactly those two are named."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.e2e_helpers import Box, dec, invoiced_status, odoo_read, running_box, shop_orders
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.lock import lock_dir
from wooodoo.sandbox import SINCE
from wooodoo.sync import tenant_lock

ORDERS = 300


def reconcile(box: Box, *args: str) -> Result:
    argv = ["--config", str(box.config_path), "audit", "reconcile", "--tenant", box.tenant_name]
    return CliRunner().invoke(main, [*argv, *args])


def shop_nets(box: Box) -> dict[str, Decimal]:
    """Per currency: invoiced orders minus their refunds, straight from the shop's data."""
    nets: dict[str, Decimal] = defaultdict(Decimal)
    for order in shop_orders(box.sb).values():
        if invoiced_status(order) and order.local_date_created.isoformat() >= SINCE:
            nets[order.currency] += order.total + sum(r.total for r in order.refunds)
    return dict(nets)


def odoo_nets(box: Box) -> dict[str, Decimal]:
    """Per currency: wooodoo's invoices minus its credit notes, straight from Odoo's data."""
    rows = odoo_read(
        box.sb,
        "account.move",
        [("invoice_origin", "=like", f"{box.tenant_name}/%"), ("state", "!=", "cancel")],
        ["move_type", "currency_id", "amount_total"],
    )
    nets: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        sign = 1 if r["move_type"] == "out_invoice" else -1
        nets[r["currency_id"][1]] += sign * dec(r["amount_total"])
    return dict(nets)


def person_deletes_and_resets(box: Box, orders_without_refunds: set[int]) -> tuple[str, str]:
    """As a person would in Odoo: reset the last invoice of a numbering chain to draft and
    delete it (Odoo refuses a gap), and reset another one to draft."""
    app = box.sb.odoo_app
    rows = odoo_read(
        box.sb,
        "account.move",
        [("invoice_origin", "=like", f"{box.tenant_name}/order/%"), ("state", "=", "posted")],
        ["invoice_origin", "name", "move_type"],
    )
    rows = [
        r
        for r in rows
        if r["move_type"] == "out_invoice"
        and int(r["invoice_origin"].rsplit("/", 1)[1]) in orders_without_refunds
    ]
    rows.sort(key=lambda r: r["name"])
    gone, draft = rows[-1], rows[0]
    assert gone["name"].rsplit("/", 1)[0] == rows[-2]["name"].rsplit("/", 1)[0]
    app.call("account.move", "button_draft", [gone["id"], draft["id"]])
    app.call("account.move", "unlink", [gone["id"]])
    return gone["invoice_origin"], draft["invoice_origin"]


def test_a_synced_shop_agrees_and_a_persons_changes_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=ORDERS, seed=23) as box:
        assert box.sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
        synced = CliRunner().invoke(main, ["--config", str(box.config_path), "sync"])
        assert synced.exit_code == EXIT_OK, synced.output

        # a sync holding the tenant's lock does not stop a reconciliation
        with tenant_lock(lock_dir(box.config()), box.tenant_name):
            result = reconcile(box, "--json")
        assert result.exit_code == EXIT_OK, result.output
        doc: dict[str, Any] = json.loads(result.stdout)
        assert doc["agrees"] is True
        assert doc["findings"] == []
        nets = shop_nets(box)
        assert len(nets) >= 3, nets  # several currencies, JPY among them
        assert {c: Decimal(r["shop"]["net"]) for c, r in doc["currencies"].items()} == nets
        assert {c: Decimal(r["odoo"]["net"]) for c, r in doc["currencies"].items()} == nets
        assert odoo_nets(box) == nets
        refunds = sum(r["shop"]["refunds"]["count"] for r in doc["currencies"].values())
        assert refunds > 10
        assert all(d["agrees"] for d in doc["days"])
        day = doc["days"][0]
        assert set(day) == {"day", "currency", "shop", "odoo", "agrees"}
        assert set(day["shop"]["orders"]) == {"count", "total"}
        assert isinstance(day["shop"]["orders"]["total"], str)
        # the shop in pages of 100 orders, Odoo in a few calls (connecting included)
        assert doc["requests"]["woocommerce"] <= ORDERS // 100 + 2, doc["requests"]
        assert doc["requests"]["odoo"] <= 4, doc["requests"]

        plain = {o.id for o in shop_orders(box.sb).values() if not o.refunds}
        deleted, drafted = person_deletes_and_resets(box, plain)
        after = reconcile(box, "--json")
        assert after.exit_code == EXIT_RECORDS_FAILED, after.output
        found = json.loads(after.stdout)["findings"]
        assert [(f["problem"], f["key"]) for f in found] == sorted(
            [("deleted", deleted), ("reset to draft", drafted)],
            key=lambda p: int(p[1].split("/")[-1]),
        )
        # without --json: one line per finding after the headline and the currencies
        text = reconcile(box)
        assert text.exit_code == EXIT_RECORDS_FAILED
        assert "the books differ from the shop" in text.stdout
        assert {line.split("\t")[1] for line in text.stdout.splitlines() if line.startswith(
            ("deleted", "reset to draft"))} == {deleted, drafted}  # fmt: skip
