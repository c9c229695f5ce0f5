"""Issue 9's acceptance, small: a generated shop synced, then orders cancelled, amended and
refunded after they were invoiced, synced again. Invoices minus credit notes are the shop's net
sales after refunds per currency and tax rate, to the cent, and ``audit reconcile`` agrees;
on Odoo 13, 16 and 19 with both tax roundings. The full matrix (thousands of orders, 13-19) is
``benchmarks/after_sale.py``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.chaos.helpers import RUN_TIMEOUT, kill_when, start_sync
from tests.e2e_helpers import Box, active_currencies, odoo_read, running_box, shop_orders
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.sandbox import SINCE, WorkModel
from wooodoo.sandbox.proof import books_side, differences, shop_side
from wooodoo.sandbox.shop.after_sale import AfterSale, after_sale

ORDERS = 300


def reconcile(box: Box) -> Result:
    argv = ["--config", str(box.config_path), "audit", "reconcile", "--tenant", box.tenant_name]
    return CliRunner().invoke(main, [*argv, "--json"])


def synced_after_sale(box: Box) -> AfterSale:
    """JPY active (a currency without cents), sync, the after-sale changes, sync again."""
    assert box.sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
    first = box.sync()
    assert first.exit_code == EXIT_OK, first.stats
    done = after_sale(box.sb.store, seed=11)
    second = box.sync()
    assert second.exit_code == EXIT_OK, second.stats
    return done


def person_deletes_and_resets(box: Box, plain: set[int]) -> tuple[str, str]:
    """As a person would in Odoo: reset two plain orders' invoices to draft, delete one
    (``force_delete``: not the last of its numbering chain)."""
    rows = odoo_read(
        box.sb, "account.move",
        [("invoice_origin", "in", [box.key(o) for o in sorted(plain)]), ("state", "=", "posted")],
        ["invoice_origin"],
    )  # fmt: skip
    gone, draft = rows[0], rows[-1]
    app = box.sb.odoo_app
    app.call("account.move", "button_draft", [gone["id"], draft["id"]])
    with app.transaction():
        app.env("account.move", {"force_delete": True}).unlink([gone["id"]])
    return gone["invoice_origin"], draft["invoice_origin"]


def moves(box: Box) -> list[tuple[int, str, str]]:
    rows = odoo_read(
        box.sb, "account.move", [("invoice_origin", "=like", f"{box.tenant_name}/%")],
        ["invoice_origin", "state"],
    )  # fmt: skip
    return sorted((r["id"], r["invoice_origin"], r["state"]) for r in rows)


@pytest.fixture(
    params=[(19, "round_globally"), (19, "round_per_line"), (16, "round_globally"),
            (16, "round_per_line"), (13, "round_globally"), (13, "round_per_line")],
    ids=lambda p: f"odoo{p[0]}-{p[1]}",
)  # fmt: skip
def box(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Box]:
    version, rounding = request.param
    with running_box(
        tmp_path, monkeypatch, orders=ORDERS, seed=5, odoo_version=version,
        tax_rounding=rounding, on_amend="reissue",
    ) as b:  # fmt: skip
        yield b


def test_the_books_follow_the_shop_after_the_sale(box: Box) -> None:
    done = synced_after_sale(box)
    assert (len(done.cancelled), len(done.amended)) >= (3, 3), done
    several = [o for o, ids in done.refunded.items() if len(ids) > 1]
    assert done.refunds >= 15, done
    assert several, done

    shop = shop_side(box.sb, since=SINCE, active=active_currencies(box.sb))
    books = books_side(box.sb, box.tenant_name)
    assert shop.excluded == {}  # every currency is active: the sync refuses nothing
    assert differences(shop.nets, books) == []
    assert set(shop.nets.totals) == {"EUR", "USD", "CHF", "GBP", "JPY"}
    assert len({rate for _, rate in shop.nets.taxes}) >= 4
    # the proof can fail: one cent less in the books is one difference
    books.taxes[("EUR", "19% DE")] -= Decimal("0.01")
    assert differences(shop.nets, books) == [
        f"EUR tax 19% DE: shop {shop.nets.taxes[('EUR', '19% DE')]},"
        f" books {books.taxes[('EUR', '19% DE')]}"
    ]

    agreed = reconcile(box)
    assert agreed.exit_code == EXIT_OK, agreed.output
    assert json.loads(agreed.stdout)["findings"] == []


def test_a_persons_changes_are_named_and_replays_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(
        tmp_path, monkeypatch, orders=ORDERS, seed=5, odoo_version=19,
        tax_rounding="round_globally", on_amend="reissue",
    ) as box:  # fmt: skip
        done = synced_after_sale(box)
        before = moves(box)
        refund_keys = [f"{box.tenant_name}/refund/{r}" for ids in done.refunded.values()
                       for r in ids]  # fmt: skip
        cancel_keys = [f"{box.tenant_name}/cancel/{o}" for o in done.cancelled]
        for _ in range(2):
            replayed = box.replay(refund_keys[:5] + cancel_keys[:3])
            assert replayed.exit_code == EXIT_OK, replayed.stats
            assert moves(box) == before

        touched = set(done.cancelled) | set(done.amended) | set(done.refunded)
        plain = {o.id for o in shop_orders(box.sb).values() if not o.refunds} - touched
        deleted, drafted = person_deletes_and_resets(box, plain)
        after = reconcile(box)
        assert after.exit_code == EXIT_RECORDS_FAILED, after.output
        found: list[dict[str, Any]] = json.loads(after.stdout)["findings"]
        assert sorted((f["problem"], f["key"]) for f in found) == sorted(
            [("deleted", deleted), ("reset to draft", drafted)]
        )


def test_killed_between_a_credit_note_s_create_and_its_post_then_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL once Odoo got the first credit notes' create and before any post; Odoo commits
    the create after the kill. The next run finds the drafts by key and posts them: no twin."""
    with running_box(
        tmp_path, monkeypatch, orders=200, seed=5, on_amend="reissue"
    ) as box:  # fmt: skip
        assert box.sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
        assert box.sync().exit_code == EXIT_OK
        done = after_sale(box.sb.store, seed=11)
        box.sb.odoo_app.work = WorkModel(per_call=0.3, per_move=0.02)
        counts = box.sb.odoo_counter.snapshot
        created, posted = "odoo account.move.create", "odoo account.move.action_post"
        seen_created, seen_posted = counts().get(created, 0), counts().get(posted, 0)
        proc = start_sync(box)
        assert kill_when(proc, lambda: counts().get(created, 0) > seen_created, RUN_TIMEOUT)
        assert counts().get(posted, 0) == seen_posted  # killed before any post
        assert box.sb.odoo_app.wait_idle(timeout=RUN_TIMEOUT)
        drafts = [m for m in moves(box) if m[2] == "draft"]
        kinds = {origin.split("/")[1] for _, origin, _ in drafts}
        assert kinds & {"refund", "cancel", "amend"}, f"no credit note among the drafts: {kinds}"
        box.sb.odoo_app.work = WorkModel()

        again = start_sync(box)
        out, err = again.communicate(timeout=RUN_TIMEOUT)
        assert again.returncode == EXIT_OK, out + err
        after = moves(box)
        origins = [origin for _, origin, _ in after]
        assert len(origins) == len(set(origins))  # no key twice
        assert [m for m in after if m[2] != "posted"] == []
        assert {m[0] for m in drafts} <= {m[0] for m in after}  # the drafts were posted
        shop = shop_side(box.sb, since=SINCE, active=active_currencies(box.sb))
        assert differences(shop.nets, books_side(box.sb, box.tenant_name)) == []
        assert done.refunds > 0
