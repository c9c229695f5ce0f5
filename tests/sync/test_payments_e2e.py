"""Payments end to end against the sandbox: paid invoices, refunds paid back, each once.

With ``sync.payments`` mapping the card, PayPal and bank-transfer gateways, every paid order in
those methods ends with its invoice settled by one posted payment; a refund paid back by the
gateway settles its credit note; cash on delivery and cheques stay open and are said once.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import Box, dec, invoices_by_order, odoo_read, running_box, shop_orders
from wooodoo.odoo.payments import PaymentWriter
from wooodoo.sync.outcome import Stat

MAPPED = {"bacs": "BNK1", "stripe": "BNK1", "paypal": "BNK1"}
PAID = ("in_payment", "paid")
GATEWAYS = ("stripe", "paypal")  # the sandbox's gateways that pay refunds back


def payments(box: Box) -> list[dict[str, Any]]:
    return odoo_read(box.sb, "account.payment", [], ["payment_reference", "amount", "payment_type"])


def payment_state(box: Box) -> str:
    return "invoice_payment_state" if box.sb.odoo_app.version == 13 else "payment_state"


def moves(box: Box, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = odoo_read(
        box.sb, "account.move", [("id", "in", ids)], [payment_state(box), "amount_residual"]
    )
    return {r["id"]: r for r in rows}


def check_paid(box: Box) -> tuple[int, int]:
    """Every paid order in a mapped method: its invoice settled; the rest open. Counts."""
    orders = shop_orders(box.sb)
    invoiced = invoices_by_order(box.sb)
    states = moves(box, [rows[0]["id"] for rows in invoiced.values()])
    paid = open_ = 0
    for order_id, rows in invoiced.items():
        order, state = orders[order_id], states[rows[0]["id"]]
        if order.date_paid is not None and order.payment_method in MAPPED:
            assert state[payment_state(box)] in PAID, (order_id, state)
            assert dec(state["amount_residual"]) == 0
            paid += 1
        else:
            assert state[payment_state(box)] == "not_paid", (order_id, order.payment_method)
            open_ += 1
    return paid, open_


@pytest.mark.parametrize("version", [19, 17, 13])
def test_paid_orders_are_paid_once_and_refunds_paid_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    with running_box(
        tmp_path, monkeypatch, orders=160, odoo_version=version, payments=MAPPED
    ) as box:
        first = box.sync()
        paid, open_ = check_paid(box)
        assert paid > 20
        assert open_ > 0
        made = payments(box)
        keys = Counter(p["payment_reference"] for p in made)
        assert all(n == 1 for n in keys.values()), keys.most_common(3)
        inbound = [p for p in made if p["payment_type"] == "inbound"]
        assert len(inbound) == paid == first.stats[Stat.PAID]
        assert first.stats[Stat.PAID_BACK] > 0
        assert first.stats[Stat.PAYMENT_UNMAPPED] == open_or_unpaid_mapped(box)

        # a refund the gateway paid back: its credit note is settled by the outbound payment
        notes = odoo_read(
            box.sb,
            "account.move",
            [("invoice_origin", "=like", f"{box.tenant_name}/refund/%")],
            ["invoice_origin", payment_state(box), "amount_residual", "reversed_entry_id"],
        )
        back = {
            p["payment_reference"].rsplit("/", 1)[1]
            for p in made
            if p["payment_type"] == "outbound"
        }
        settled = [n for n in notes if n["invoice_origin"].rsplit("/", 1)[1] in back]
        assert len(settled) == first.stats[Stat.PAID_BACK]
        assert all(n[payment_state(box)] in PAID for n in settled)

        # rerun: nothing new, nothing said twice
        again = box.sync()
        assert len(payments(box)) == len(made)
        assert again.stats[Stat.PAID] == again.stats[Stat.PAID_BACK] == 0
        assert again.stats[Stat.PAYMENT_UNMAPPED] == 0


def open_or_unpaid_mapped(box: Box) -> int:
    """Invoiced, paid orders whose method has no journal: each said once."""
    orders = shop_orders(box.sb)
    return sum(
        1
        for order_id in invoices_by_order(box.sb)
        if orders[order_id].date_paid is not None and orders[order_id].payment_method not in MAPPED
    )


def test_a_fully_refunded_order_ends_with_a_zero_balance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Invoice paid by the inbound payment, credit note by the outbound one: all reconciled."""
    with running_box(tmp_path, monkeypatch, orders=160, payments=MAPPED) as box:
        box.sync()
        orders = shop_orders(box.sb)
        full = [
            o
            for o in orders.values()
            if o.status == "refunded" and o.payment_method in GATEWAYS and o.date_paid
        ]
        assert full
        for order in full:
            keys = [box.key(order.id)] + [f"{box.tenant_name}/refund/{r.id}" for r in order.refunds]
            docs = odoo_read(box.sb, "account.move", [("invoice_origin", "in", keys)], ["name"])
            cash = [f"{box.tenant_name}/payment/{order.id}"]
            cash += [f"{box.tenant_name}/refund-payment/{r.id}" for r in order.refunds]
            paid = odoo_read(
                box.sb, "account.payment", [("payment_reference", "in", cash)], ["move_id"]
            )
            assert len(docs) == len(keys)
            assert len(paid) == len(cash)
            ids = [d["id"] for d in docs] + [p["move_id"][0] for p in paid]
            lines = odoo_read(
                box.sb,
                "account.move.line",
                [("move_id", "in", ids), ("account_id.code", "=", "121000")],
                ["balance", "reconciled"],
            )
            assert all(line["reconciled"] for line in lines), order.id
            assert sum((dec(line["balance"]) for line in lines), Decimal(0)) == 0


def test_a_run_killed_before_posting_leaves_drafts_the_next_run_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Payments created, the run dies before posting them: the next run posts the same ones."""
    with running_box(tmp_path, monkeypatch, orders=80, payments=MAPPED) as box:

        def killed(self: Any, ids: Any) -> None:
            raise RuntimeError("killed between create and post")

        with monkeypatch.context() as patch:
            patch.setattr(PaymentWriter, "post_payments", killed)
            with pytest.raises(RuntimeError):
                box.sync()
        drafts = payments(box)
        assert drafts
        box.sync()
        assert sorted(p["id"] for p in payments(box)) == sorted(p["id"] for p in drafts)
        check_paid(box)
