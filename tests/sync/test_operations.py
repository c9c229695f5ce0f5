"""The operations loop against the sandbox: a failure made on purpose, booked by the next plain
sync once the config is fixed; replay by event id and by order number; the automatic retry's
growing gaps and its cap."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.e2e_helpers import Box, dec, invoices_by_order, running_box, shop_orders
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.sandbox.catalog import TAX_RATES
from wooodoo.sync import Stat


def cli(box: Box, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(box.config_path), *args])
    return result.exit_code, result.output


def failed_events(box: Box) -> list[dict[str, object]]:
    code, out = cli(box, "audit", "events", "--status", "failed", "--json")
    assert code == EXIT_OK, out
    rows = json.loads(out)
    return list(rows if isinstance(rows, list) else rows["events"])


def test_unmapped_tax_is_booked_by_the_next_sync_once_mapped_and_replays_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = TAX_RATES[0]
    taxes = {r.id: r.odoo_tax for r in TAX_RATES if r.id != missing.id}
    with running_box(tmp_path, monkeypatch, orders=40, seed=5, taxes=taxes) as box:
        first = box.sync()
        assert first.exit_code == EXIT_RECORDS_FAILED
        failures = {k: f for k, f in box.failures().items() if "has no mapping" in f.reason}
        assert failures, "the shop should have orders taxed at the unmapped rate"
        assert all(f.waits_for == "change" and f.next_attempt_at is None for f in failures.values())
        rows = [r for r in failed_events(box) if r["key"] in failures]
        assert rows
        assert all("has no mapping" in str(r["error"]) for r in rows)
        assert all(
            str(missing.id) in str(r["error"]) or missing.name in str(r["error"]) for r in rows
        )

        # the same config: not retried (no timer for a cause only a change fixes)
        same = box.sync()
        assert same.stats[Stat.RETRIED] == 0

        box.rewrite(taxes={r.id: r.odoo_tax for r in TAX_RATES})
        fixed = box.sync()  # a plain sync, no replay
        assert fixed.stats[Stat.RETRIED] >= len(failures)  # also those of an inactive currency
        left = box.failures()
        assert not [f for f in left.values() if "has no mapping" in f.reason]
        booked = invoices_by_order(box.sb)
        order_ids = sorted(int(k.rsplit("/", 1)[1]) for k in failures if k not in left)
        assert order_ids
        assert all(len(booked[i]) == 1 for i in order_ids)

        # replay by event id, then by order number: each points back, neither creates
        row = next(r for r in rows if r["key"] not in left)
        event_id = int(str(row["id"]))
        replayed_key = str(row["key"])
        code, out = cli(box, "replay", f"event:{event_id}")
        assert code == EXIT_OK, out
        latest = box.events(replayed_key)[0]
        assert latest.replays == event_id
        number = order_ids[-1]
        for _ in range(2):
            code, out = cli(box, "replay", f"order:{number}")
            assert code == EXIT_OK, out
        assert box.events(box.key(number))[0].replays is not None
        assert invoices_by_order(box.sb) == booked


def test_an_ambiguous_id_is_a_usage_error_naming_the_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=5) as box:
        box.sync()
        with box.audit() as store:
            order_events = [
                e for e in store.events(box.tenant_name, limit=500) if e.kind == "order"
            ]
            ids = {e.id for e in store.events(box.tenant_name, limit=500)}
        both = sorted({int(e.source_id) for e in order_events} & ids)
        assert both, "some order id should also be an event id"
        code, out = cli(box, "replay", str(both[0]))
        assert code == 2, out
        assert f"event {both[0]}" in out
        assert f"order {both[0]}" in out
        assert cli(box, "replay", "nosuch/order/1")[0] == 2


def _time_passes(box: Box) -> None:
    """Every scheduled retry is due now."""
    with sqlite3.connect(box.config().audit_db) as db:
        db.execute(
            "UPDATE failures SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL",
            (datetime.now(UTC).isoformat(timespec="seconds"),),
        )


def test_a_transient_failure_is_retried_with_growing_gaps_until_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=12, seed=5) as box:
        box.sb.odoo_app.db.denied.add(("account.move", "create"))
        first = box.sync()
        assert first.stats[Stat.FAILED] > 0
        keys = {k for k, f in box.failures().items() if f.waits_for == "retry"}
        assert keys
        key = sorted(keys)[0]
        gaps = []
        # not due yet: the next sync leaves it alone
        assert box.sync().stats[Stat.RETRIED] == 0
        for attempt in range(2, 9):
            f = box.failures()[key]
            assert f.attempts == attempt - 1
            if f.next_attempt_at is not None:
                gaps.append(f.next_attempt_at - f.last_at)
            _time_passes(box)
            result = box.sync()
            assert result.stats[Stat.RETRIED] >= 1
        final = box.failures()[key]
        assert final.attempts == 8
        assert final.waits_for == "person"
        assert final.next_attempt_at is None
        assert gaps == sorted(gaps)
        assert gaps[0] < gaps[-1]
        _time_passes(box)
        after = box.sync()
        assert after.stats[Stat.RETRIED] == 0  # past the cap: a person's turn
        assert after.stats[Stat.NEEDS_ATTENTION] >= 1
        assert after.exit_code == EXIT_RECORDS_FAILED
        _, out = cli(box, "audit", "failures")
        assert key in out
        # a person fixes it and replays: booked
        box.sb.odoo_app.db.denied.clear()
        _code, out = cli(box, "replay", "--failed")
        assert "invoiced" in out, out
        assert key not in box.failures()


def test_an_order_the_store_lost_after_failing_is_booked_from_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = TAX_RATES[0]
    taxes = {r.id: r.odoo_tax for r in TAX_RATES if r.id != missing.id}
    with running_box(tmp_path, monkeypatch, orders=40, seed=5, taxes=taxes) as box:
        box.sync()
        failed = sorted(k for k, f in box.failures().items() if "has no mapping" in f.reason)
        assert failed
        key = failed[0]
        order_id = int(key.rsplit("/", 1)[1])
        shop = shop_orders(box.sb)[order_id]
        kept = box.events(key)[0].payload["order"]
        assert kept["id"] == order_id
        assert Decimal(kept["total"]) == shop.total
        box.sb.store.delete_order(order_id, force=True)  # gone from the store for good
        box.rewrite(taxes={r.id: r.odoo_tax for r in TAX_RATES})

        box.sync()  # the mapping is fixed: retried, but the store says 404
        assert box.failures()[key].reason.startswith("the order no longer exists")
        assert order_id not in invoices_by_order(box.sb)
        code, out = cli(box, "replay", f"order:{order_id}")  # without the flag: still failed
        assert code == EXIT_RECORDS_FAILED, out
        assert "--from-snapshot" in box.failures()[key].reason

        code, out = cli(box, "replay", "--from-snapshot", f"order:{order_id}")
        assert code == EXIT_OK, out
        assert "1 booked from the audit's snapshot" in out
        booked = invoices_by_order(box.sb)[order_id]
        assert len(booked) == 1
        assert dec(booked[0]["amount_total"]) == shop.total
        assert key not in box.failures()
        assert box.events(key)[0].replays is not None  # points at the event it replays

        code, out = cli(box, "replay", "--from-snapshot", f"order:{order_id}")  # again: nothing
        assert code == EXIT_OK, out
        assert invoices_by_order(box.sb)[order_id] == booked
