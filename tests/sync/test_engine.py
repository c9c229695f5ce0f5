"""Engine against working fakes: exactly once, isolation, conflicts, tax adjustment."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeOdoo, FakeWoo
from wooodoo.audit import AuditStore
from wooodoo.config import Accounts, OdooConfig, SyncConfig, TenantConfig, WooConfig
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, ConfigError, LockBusyError
from wooodoo.sync import Engine, SyncOptions, tenant_lock
from wooodoo.woo.models import Address, Customer, Order, RefundSummary, parse_order, parse_refund

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce" / "rest"
BASES = [
    "order-guest",
    "order-fee-and-gift-wrap",
    "order-partial-refund-negative-fee",
    "order-guest-same-email-as-customer",
]


def tenant(**sync: Any) -> TenantConfig:
    values: dict[str, Any] = {
        "since": date(2026, 1, 1),
        "accounts": Accounts("400000", "400100", "400200", "400300"),
        "taxes": {"1": "19% DE", "2": "7% DE"},
        "batch_size": 4,
    }
    values.update(sync)
    return TenantConfig(
        "acme",
        WooConfig("https://shop.example", "basic"),
        OdooConfig("https://acme.odoo.com", "acme", "sync@example.test"),
        SyncConfig(**values),
    )


def make_orders(n: int, *, email_case: bool = False) -> list[Order]:
    bodies = [json.loads((FIXTURES / f"{b}.body.json").read_text()) for b in BASES]
    orders = []
    for i in range(n):
        raw = json.loads(json.dumps(bodies[i % len(bodies)]))
        raw["id"] = 1000 + i
        raw["number"] = str(1000 + i)
        raw["status"] = "completed"
        minute = f"{10 + i // 60:02d}:{i % 60:02d}"
        raw["date_modified_gmt"] = f"2026-11-26T{minute}:00"
        if raw["customer_id"] == 0 and email_case and i % 2:
            raw["billing"]["email"] = raw["billing"]["email"].upper()
        orders.append(parse_order(raw))
    return orders


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    with AuditStore(tmp_path / "audit.sqlite3") as s:
        yield s


def run(engine: Engine, **opts: Any) -> Any:
    return engine.sync(SyncOptions(**opts))


def test_every_order_invoiced_once_and_rerun_creates_nothing(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(10, email_case=True)), FakeOdoo()
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["invoiced"] == 10
    assert len(odoo.moves) == 10
    assert all(m.state == "posted" for m in odoo.moves.values())
    for order in woo.orders.values():
        move = next(
            m for m in odoo.moves.values() if m.values["invoice_origin"] == f"acme/order/{order.id}"
        )
        state = odoo._state(move)
        assert (state.untaxed, state.tax, state.total) == (
            order.total - order.total_tax,
            order.total_tax,
            order.total,
        )
    emails = [str(p["email"]).lower() for p in odoo.partners.values()]
    assert len(emails) == len(set(emails)), "a partner was created twice"

    odoo.calls.clear()
    again = run(Engine(tenant(), woo, odoo, store))
    assert again.exit_code == EXIT_OK
    assert len(odoo.moves) == 10
    assert "create_invoices" not in odoo.calls
    assert "create_partners" not in odoo.calls


def test_global_rounding_adjusts_the_tax_then_posts(store: AuditStore) -> None:
    woo = FakeWoo(make_orders(4))
    odoo = FakeOdoo(rounding="round_globally")
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["tax_adjusted"] >= 1  # the negative-fee order needs one cent
    assert all(m.state == "posted" for m in odoo.moves.values())


def test_without_tax_adjustment_a_difference_stays_draft(store: AuditStore) -> None:
    woo = FakeWoo(make_orders(4))
    odoo = FakeOdoo(rounding="round_globally")
    result = run(Engine(tenant(tax_adjust=False), woo, odoo, store))
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert result.stats["mismatch"] >= 1
    drafts = [m for m in odoo.moves.values() if m.state == "draft"]
    assert drafts
    rows = store.events("acme")
    assert any(r.action == "mismatch" and "the shop says" in r.error for r in rows)


def test_one_rejected_invoice_does_not_stop_the_others(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(8)), FakeOdoo()
    odoo.reject_origins = {"acme/order/1003"}
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert result.stats["invoiced"] == 7
    assert [f.key for f in store.failures("acme")] == ["acme/order/1003"]
    odoo.reject_origins.clear()
    replay = Engine(tenant(), woo, odoo, store).replay()
    assert replay.exit_code == EXIT_OK
    assert store.failures("acme") == []
    assert len(odoo.moves) == 8


def test_missing_tax_mapping_fails_only_that_order(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(4)), FakeOdoo()
    result = run(Engine(tenant(taxes={"1": "19% DE"}), woo, odoo, store))
    assert result.exit_code == EXIT_RECORDS_FAILED
    failures = store.failures("acme")
    assert len(failures) == 1
    assert "rate id 2" in failures[0].reason


def test_transient_error_after_commit_creates_no_duplicate(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(6)), FakeOdoo()
    odoo.break_after_create = 1
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    origins = [m.values["invoice_origin"] for m in odoo.moves.values()]
    assert len(origins) == len(set(origins)) == 6


def test_crash_between_odoo_and_audit_adopts_the_invoice(tmp_path: Path) -> None:
    woo, odoo = FakeWoo(make_orders(3)), FakeOdoo()
    with AuditStore(tmp_path / "a.sqlite3") as first:
        run(Engine(tenant(), woo, odoo, first))
    # a fresh audit store: as if every local write after Odoo's commit had been lost
    with AuditStore(tmp_path / "b.sqlite3") as second:
        result = run(Engine(tenant(), woo, odoo, second))
    assert result.exit_code == EXIT_OK
    assert len(odoo.moves) == 3
    assert result.stats["invoiced"] == 3  # adopted, recorded, not created again


def test_cancelled_order_after_invoicing_is_a_conflict_when_flagged(store: AuditStore) -> None:
    orders = make_orders(2)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(on_cancel="flag"), woo, odoo, store))
    first = orders[0]
    changed = Order(
        **{
            **first.__dict__,
            "status": "cancelled",
            "date_modified": first.date_modified + timedelta(days=1),
        }
    )
    woo.orders[first.id] = changed
    result = run(Engine(tenant(on_cancel="flag"), woo, odoo, store))
    assert result.stats["conflict"] == 1
    assert len(odoo.moves) == 2
    assert all(m.state == "posted" for m in odoo.moves.values())


def test_only_configured_statuses_and_drafts_when_post_is_off(store: AuditStore) -> None:
    orders = make_orders(4)
    orders[1] = Order(**{**orders[1].__dict__, "status": "pending"})
    woo, odoo = FakeWoo(orders), FakeOdoo()
    result = run(Engine(tenant(post=False), woo, odoo, store))
    assert result.stats["invoiced"] == 3
    assert result.stats["skipped"] == 1
    assert all(m.state == "draft" for m in odoo.moves.values())


def test_dry_run_writes_nothing(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(4)), FakeOdoo()
    result = run(Engine(tenant(), woo, odoo, store), dry_run=True)
    assert result.stats["would_create"] == 4
    assert len(result.planned) == 4
    assert result.stats["partners_would_create"] == 4  # four buyers, none known yet
    assert odoo.moves == {}
    assert odoo.partners == {}
    assert store.cursor("acme", "orders") is None


def test_limit_stops_early_without_moving_the_cursor_past_unsynced(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(9)), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store), limit=4)
    assert len(odoo.moves) == 4
    run(Engine(tenant(), woo, odoo, store))
    assert len(odoo.moves) == 9


def test_second_run_of_a_tenant_is_refused(tmp_path: Path) -> None:
    with (
        tenant_lock(tmp_path, "acme"),
        pytest.raises(LockBusyError) as info,
        tenant_lock(tmp_path, "acme"),
    ):
        pass
    assert info.value.exit_code == 75


def test_amounts_are_decimal_in_the_audit(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(1)), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    link = store.all_links("acme", "order")[0]
    assert link.amounts is not None
    assert Decimal(link.amounts["total"]) == woo.orders[1000].total


def test_full_run_catches_an_edit_without_a_new_modification_date(store: AuditStore) -> None:
    orders = make_orders(3)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    cfg = tenant(overlap_seconds=0)
    run(Engine(cfg, woo, odoo, store))
    edited = orders[0]
    # WooCommerce 7.9 does not move date_modified when line items are edited over REST
    woo.orders[edited.id] = Order(**{**edited.__dict__, "total": edited.total + 1})
    assert run(Engine(cfg, woo, odoo, store)).stats["conflict"] == 0  # the cursor misses it
    full = run(Engine(cfg, woo, odoo, store), full=True)
    assert full.stats["conflict"] == 1
    assert len(odoo.moves) == 3


def test_lines_link_to_odoo_products_by_sku_with_one_search_per_batch(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(8)), FakeOdoo()
    skus = {item.sku for o in woo.orders.values() for item in o.line_items if item.sku}
    assert skus
    odoo.products = {sku: 500 + i for i, sku in enumerate(sorted(skus))}
    result = run(Engine(tenant(products="sku"), woo, odoo, store))
    assert result.exit_code == EXIT_OK
    linked = [
        line[2].get("product_id")
        for m in odoo.moves.values()
        for line in m.values["invoice_line_ids"]
        if line[2]["account_id"] == 1
    ]
    assert set(odoo.products.values()) <= set(linked)
    assert odoo.calls.count("products_by_sku") == 1  # later batches ask only for new SKUs


def _customer(cid: int, email: str, created: datetime, role: str = "customer") -> Customer:
    return Customer(
        cid,
        email,
        "Ida",
        f"Nr{cid}",
        f"user{cid}",
        role,
        created,
        created,
        billing=Address(first_name="Ida", last_name=f"Nr{cid}", country="DE", email=email),
    )


def test_customer_sweep_new_registrations_only_and_never_staff(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(2)), FakeOdoo()
    old = datetime(2026, 3, 1, tzinfo=UTC)
    woo.customers = [_customer(50, "old@example.test", old)]
    run(Engine(tenant(), woo, odoo, store))  # first run: only marks the cursor
    assert not any(p.get("email") == "old@example.test" for p in odoo.partners.values())
    later = datetime.now(UTC) + timedelta(minutes=1)
    woo.customers += [
        _customer(51, "new@example.test", later),
        _customer(52, "admin@example.test", later, role="administrator"),
    ]
    run(Engine(tenant(), woo, odoo, store))
    emails = {p.get("email") for p in odoo.partners.values()}
    assert "new@example.test" in emails
    assert "admin@example.test" not in emails
    assert "old@example.test" not in emails
    run(Engine(tenant(), woo, odoo, store), full=True)
    emails = {p.get("email") for p in odoo.partners.values()}
    assert "old@example.test" in emails
    assert sum(1 for p in odoo.partners.values() if p.get("email") == "new@example.test") == 1


def test_a_refused_post_fails_only_that_invoice_and_replay_posts_the_draft(
    store: AuditStore,
) -> None:
    woo, odoo = FakeWoo(make_orders(6)), FakeOdoo()
    odoo.reject_posting = {"acme/order/1002"}
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_RECORDS_FAILED
    states = {m.values["invoice_origin"]: m.state for m in odoo.moves.values()}
    assert states.pop("acme/order/1002") == "draft"
    assert set(states.values()) == {"posted"}
    assert "posting refused" in store.failures("acme")[0].reason
    odoo.reject_posting.clear()
    assert Engine(tenant(), woo, odoo, store).replay().exit_code == EXIT_OK
    assert len(odoo.moves) == 6  # the draft was adopted and posted, not created again
    assert {m.state for m in odoo.moves.values()} == {"posted"}


def test_an_order_not_invoiced_leaves_one_skipped_row_per_version(store: AuditStore) -> None:
    orders = make_orders(3)
    orders[1] = Order(**{**orders[1].__dict__, "status": "on-hold"})
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    run(Engine(tenant(), woo, odoo, store), full=True)  # sees it again, same version
    key = f"acme/order/{orders[1].id}"
    rows = store.events("acme", key)
    assert [r.action for r in rows] == ["skipped"]
    assert "on-hold" in rows[0].error
    woo.orders[orders[1].id] = Order(
        **{**orders[1].__dict__, "date_modified": orders[1].date_modified + timedelta(hours=1)}
    )
    run(Engine(tenant(), woo, odoo, store))
    assert [r.action for r in store.events("acme", key)] == ["skipped", "skipped"]


def test_odoo_16_and_later_take_the_tax_adjustment_in_the_create(store: AuditStore) -> None:
    woo = FakeWoo(make_orders(8))
    odoo = FakeOdoo(rounding="round_globally")
    odoo.create_time_totals = True
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["tax_adjusted"] >= 1
    assert "adjust_taxes" not in odoo.calls  # no write of its own
    assert {m.state for m in odoo.moves.values()} == {"posted"}


def test_a_partial_refund_after_invoicing_becomes_one_posted_credit_note(
    store: AuditStore,
) -> None:
    orders = make_orders(3)
    fresh = next(o for o in orders if not o.refunds)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    run(Engine(tenant(), woo, odoo, store))
    [invoice] = [
        m for m in odoo.moves.values() if m.values["invoice_origin"].endswith(f"/{fresh.id}")
    ]
    # WooCommerce keeps the order's total and status; only its refund list moves
    refund = parse_refund(json.loads((FIXTURES / "order-refund-single.body.json").read_text()))
    woo.orders[fresh.id] = Order(
        **{
            **fresh.__dict__,
            "refunds": (RefundSummary(refund.id, refund.reason, -refund.amount),),
            "date_modified": fresh.date_modified + timedelta(hours=2),
        }
    )
    woo.refunds[fresh.id] = [refund]
    result = run(Engine(tenant(), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["credited"] == 1
    [note] = [m for m in odoo.moves.values() if m.values.get("move_type") == "out_refund"]
    assert note.values["invoice_origin"] == f"acme/refund/{refund.id}"
    assert note.values["reversed_entry_id"] == invoice.id
    state = odoo.read_invoices([note.id])[note.id]
    assert (state.state, state.untaxed, state.tax, state.total) == (
        "posted",
        Decimal("7.99"),
        Decimal("1.52"),
        Decimal("9.51"),
    )
    assert store.failures("acme") == []
    moves = len(odoo.moves)
    again = run(Engine(tenant(), woo, odoo, store), full=True)
    assert again.stats["credited"] == 0  # made once
    assert len(odoo.moves) == moves


def test_a_mismatch_is_listed_and_looked_at_again(store: AuditStore) -> None:
    woo, odoo = FakeWoo(make_orders(4)), FakeOdoo(rounding="round_globally")
    run(Engine(tenant(tax_adjust=False), woo, odoo, store))
    listed = store.failures("acme")
    assert listed
    assert all("the shop says" in f.reason for f in listed)
    # after turning the adjustment on, replay settles the same drafts: nothing new is created
    moves_before = len(odoo.moves)
    assert Engine(tenant(), woo, odoo, store).replay().exit_code == EXIT_OK
    assert store.failures("acme") == []
    assert len(odoo.moves) == moves_before
    assert {m.state for m in odoo.moves.values()} == {"posted"}


def test_a_damaged_audit_file_is_a_clear_config_error(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    path.write_bytes(b"this is not an SQLite database, just some text" * 50)
    with pytest.raises(ConfigError) as info:
        AuditStore(path)
    assert str(path) in info.value.message
    assert info.value.exit_code == 2


def test_amounts_written_with_more_decimals_are_not_a_change(store: AuditStore) -> None:
    orders = make_orders(2)
    woo, odoo = FakeWoo(orders), FakeOdoo()
    cfg = tenant(overlap_seconds=0)
    run(Engine(cfg, woo, odoo, store))
    first = orders[0]
    # the same order read with dp=6: "59.380000" instead of "59.38"
    woo.orders[first.id] = Order(
        **{
            **first.__dict__,
            "total": Decimal(f"{first.total:.6f}"),
            "total_tax": Decimal(f"{first.total_tax:.6f}"),
        }
    )
    result = run(Engine(cfg, woo, odoo, store), full=True)
    assert result.stats["conflict"] == 0
    assert result.exit_code == EXIT_OK


def test_refund_tax_untaxed_credits_an_amount_only_refund_without_tax(store: AuditStore) -> None:
    orders = make_orders(3)
    fresh = orders[1]
    woo, odoo = FakeWoo(orders), FakeOdoo()
    cfg = tenant(refund_tax="untaxed")
    run(Engine(cfg, woo, odoo, store))
    raw = json.loads((FIXTURES / "order-refund-single.body.json").read_text())
    raw["amount"] = "10.00"
    raw["line_items"] = raw["shipping_lines"] = raw["fee_lines"] = raw["tax_lines"] = []
    refund = parse_refund(raw)
    woo.orders[fresh.id] = Order(
        **{
            **fresh.__dict__,
            "refunds": (RefundSummary(refund.id, refund.reason, -refund.amount),),
            "date_modified": fresh.date_modified + timedelta(hours=2),
        }
    )
    woo.refunds[fresh.id] = [refund]
    result = run(Engine(cfg, woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    [note] = [m for m in odoo.moves.values() if m.values.get("move_type") == "out_refund"]
    state = odoo.read_invoices([note.id])[note.id]
    assert (state.state, state.untaxed, state.tax, state.total) == (
        "posted",
        Decimal("10.00"),
        Decimal(0),
        Decimal("10.00"),
    )
