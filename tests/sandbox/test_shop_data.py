"""The generated WooCommerce store: WooCommerce's arithmetic, determinism, coverage, mutations."""

from __future__ import annotations

import json
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.conftest import WOO_FIXTURES, WooClock
from wooodoo.sandbox.shop import (
    FeeSpec,
    ItemChange,
    LineSpec,
    OrderError,
    ShippingSpec,
    StoreData,
    generate_store,
)
from wooodoo.sandbox.shop.model import ORDER_STATUSES, Order
from wooodoo.sandbox.shop.totals import decimals_for, round_money
from wooodoo.sandbox.woo.render import render_customer, render_order, render_refund

BASE = "https://shop.test"
MONEY_FIELDS = (
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
)


def captured_orders() -> dict[int, dict[str, Any]]:
    orders: dict[int, dict[str, Any]] = {}
    for path in sorted((WOO_FIXTURES / "rest").glob("*.body.json")):
        data = json.loads(path.read_bytes())
        for item in data if isinstance(data, list) else [data]:
            is_order = isinstance(item, dict) and "order_key" in item and item["line_items"]
            if is_order and item["line_items"][0]["product_id"]:
                orders[item["id"]] = item
    return orders


def _money_view(order: dict[str, Any]) -> dict[str, Any]:
    """The amounts of a REST order: what WooCommerce computed."""

    def lines(key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{f: line[f] for f in fields} for line in order[key]]

    return {
        **{f: order[f] for f in MONEY_FIELDS},
        "line_items": lines(
            "line_items",
            ("quantity", "subtotal", "subtotal_tax", "total", "total_tax", "taxes", "price", "sku"),
        ),
        "tax_lines": lines(
            "tax_lines", ("rate_id", "rate_code", "tax_total", "shipping_tax_total", "rate_percent")
        ),
        "shipping_lines": lines("shipping_lines", ("total", "total_tax", "taxes")),
        "fee_lines": lines("fee_lines", ("total", "total_tax", "taxes", "tax_status")),
        "coupon_lines": lines("coupon_lines", ("code", "discount", "discount_tax")),
    }


def _rebuild(store: StoreData, captured: dict[str, Any]) -> Order:
    by_sku = {p.sku: p.id for p in store.products.values() if p.sku}
    by_sku |= {v.sku: v.id for v in store.variations.values() if v.sku}
    ship = captured["shipping_lines"]
    return store.add_order(
        [(by_sku[li["sku"]], li["quantity"]) for li in captured["line_items"]],
        billing=captured["billing"],
        shipping_address=captured["shipping"],
        shipping=ShippingSpec(
            ship[0]["method_title"], ship[0]["method_id"], Decimal(ship[0]["total"])
        )
        if ship
        else None,
        fees=[
            FeeSpec(f["name"], Decimal(f["total"]), f["tax_status"] == "taxable")
            for f in captured["fee_lines"]
        ],
        coupons=[c["code"] for c in captured["coupon_lines"]],
        status="processing",
    )


@pytest.mark.parametrize("order_id", sorted(captured_orders()))
def test_amounts_match_the_real_store_to_the_last_digit(order_id: int) -> None:
    """Each captured order, rebuilt from its lines, gets exactly WooCommerce's amounts."""
    captured = captured_orders()[order_id]
    store = generate_store(1, 0)
    rebuilt = _rebuild(store, captured)
    ours = render_order(rebuilt, [], BASE)
    assert _money_view(ours) == _money_view(captured)


def _snapshot(store: StoreData) -> str:
    with store.lock:
        return json.dumps(
            {
                "orders": [
                    render_order(o, store.refunds_of(o.id), BASE) for o in store.orders.values()
                ],
                "refunds": [render_refund(r, BASE, 2) for r in store.refunds.values()],
                "customers": [render_customer(c, BASE) for c in store.customers.values()],
            },
            sort_keys=True,
        )


def test_same_seed_same_store_other_seed_other_store() -> None:
    first = _snapshot(generate_store(5, 150))
    assert first == _snapshot(generate_store(5, 150))
    assert first != _snapshot(generate_store(6, 150))
    assert first != _snapshot(generate_store(5, 151))


def test_two_thousand_orders_are_generated() -> None:
    store = generate_store(3, 2000)
    assert len(store.orders) == 2000


def _has_decimals(value: Decimal, places: int) -> bool:
    return value != round_money(value, places)


def test_a_generated_store_has_every_hard_case() -> None:
    store = generate_store(20261126, 300)
    orders = list(store.orders.values())
    assert set(Counter(o.status for o in orders)) == set(ORDER_STATUSES)
    assert {"EUR", "USD", "GBP", "CHF", "JPY"} <= {o.currency for o in orders}
    jpy = next(o for o in orders if o.currency == "JPY")
    assert render_order(jpy, [], BASE)["total"].isdigit()
    # guests, including one who uses a customer's e-mail in another letter case
    emails = {c.email for c in store.customers.values()}
    folded = {e.casefold() for e in emails}
    guests = [o for o in orders if o.customer_id == 0]
    assert guests
    assert any(
        o.billing["email"].casefold() in folded and o.billing["email"] not in emails for o in guests
    )
    names = "".join(o.billing["first_name"] + o.billing["last_name"] for o in orders)
    assert set("äöüßéł") <= set(names)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in names)
    assert {"DE", "BE", "AT", "FR", "US", "CH"} <= {o.billing["country"] for o in orders}
    assert {"BY", "CA"} & {o.billing["state"] for o in orders}
    assert {t.rate_id for o in orders for t in o.tax_lines} >= {1, 2, 3, 4, 5, 7}
    # prices entered with tax leave unrounded net line totals, e.g. 46.542056
    incl = [o for o in orders if o.prices_include_tax]
    assert any(_has_decimals(li.total, 2) for o in incl for li in o.line_items)
    assert any(not o.prices_include_tax for o in orders)
    lines = [li for o in orders for li in o.line_items]
    assert any(
        isinstance(render_order(o, [], BASE)["line_items"][0]["price"], float)
        and li.quantity == 3
        and li.total == Decimal("10.00")
        for o in orders
        for li in o.line_items[:1]
    )
    assert {c.code for o in orders for c in o.coupon_lines} >= {"save10", "fiveoff"}
    assert any(
        sum((c.discount_tax for c in o.coupon_lines), Decimal(0)) != o.discount_tax
        for o in orders
        if o.coupon_lines
    )
    fees = [f for o in orders for f in o.fee_lines]
    assert any(f.total > 0 and f.tax_status == "taxable" and f.taxes for f in fees)
    assert any(f.tax_status == "none" and f.total > 0 and not f.taxes for f in fees)
    assert any(f.total < 0 and f.tax_status == "none" and len(f.taxes) >= 1 for f in fees)
    ships = [s for o in orders for s in o.shipping_lines]
    assert any(s.total_tax > 0 for s in ships)
    assert any(s.method_id == "free_shipping" and s.total == 0 for s in ships)
    assert any(not o.shipping_lines for o in orders)
    refunds = list(store.refunds.values())
    assert any(li.quantity < 0 for r in refunds for li in r.line_items)
    assert any(not r.line_items for r in refunds)
    assert all(
        o.status == "refunded"
        for o in orders
        if o.refund_ids and not any(store.refunds[r].line_items for r in o.refund_ids)
    )
    assert any(li.sku == "" for li in lines)
    assert any(li.variation_id for li in lines)
    assert sum(o.date_modified > o.date_created for o in orders) > len(orders) // 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_generated_order_adds_up_like_woocommerce(seed: int) -> None:
    store = generate_store(seed, 40)
    for order in store.orders.values():
        check_totals(order)
        refunded = sum((store.refunds[r].amount for r in order.refund_ids), Decimal(0))
        # a negative fee can leave a negative total when nothing is left to discount
        assert refunded <= max(order.total, Decimal(0))


def check_totals(order: Order) -> None:
    """The identities WooCommerce's totals satisfy, with its rounding (per line, per rate)."""
    dp = decimals_for(order.currency)
    lines = sum((round_money(li.total, dp) for li in order.line_items), Decimal(0))
    shipping = sum((round_money(s.total, dp) for s in order.shipping_lines), Decimal(0))
    fees = sum((f.total for f in order.fee_lines), Decimal(0))
    assert order.total == round_money(lines + shipping + fees + order.total_tax, dp)
    assert order.total_tax == order.cart_tax + order.shipping_tax
    assert order.cart_tax == sum((t.tax_total for t in order.tax_lines), Decimal(0))
    assert order.shipping_tax == sum((t.shipping_tax_total for t in order.tax_lines), Decimal(0))
    taxed = [*order.line_items, *order.fee_lines]
    assert order.cart_tax == sum(
        (round_money(t, dp) for i in taxed for t in i.taxes.values()), Decimal(0)
    )
    for li in order.line_items:
        assert li.total_tax == sum((round_money(t, dp) for t in li.taxes.values()), Decimal(0))
        assert li.total <= li.subtotal
    subtotal = sum((round_money(li.subtotal, dp) for li in order.line_items), Decimal(0))
    assert order.discount_total == round_money(subtotal - lines, dp)
    # no "total >= 0": a negative fee is capped before taxes, so WooCommerce can end at -0.01


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "ESP-1KG",
                    "FIL-500",
                    "MUG-CER",
                    "GRD-BURR",
                    "GIFT-25",
                    "TSHIRT-M",
                    "PAD-18",
                    "EBOOK-1",
                ]
            ),
            st.integers(1, 7),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda x: x[0],
    ),
    country=st.sampled_from(["DE", "BE", "AT", "FR", "US", "CH"]),
    currency=st.sampled_from(["EUR", "USD", "JPY", "CHF"]),
    incl=st.booleans(),
    fee=st.sampled_from(
        [
            None,
            ("Wrap", "3.00", True),
            ("Surcharge", "1.50", False),
            ("Loyalty", "-5.00", False),
            ("Big loyalty", "-900.00", False),
        ]
    ),
    coupon=st.sampled_from([None, "save10", "welcome15", "fiveoff", "tenoff"]),
    shipping=st.sampled_from([None, "4.90", "0", "15.00"]),
)
def test_any_order_adds_up_like_woocommerce(
    lines: list[tuple[str, int]],
    country: str,
    currency: str,
    incl: bool,
    fee: tuple[str, str, bool] | None,
    coupon: str | None,
    shipping: str | None,
) -> None:
    store = _EMPTY
    by_sku = {p.sku: p.id for p in store.products.values() if p.sku}
    by_sku |= {v.sku: v.id for v in store.variations.values() if v.sku}
    order = store.add_order(
        [(by_sku[sku], qty) for sku, qty in lines],
        billing={"first_name": "Test", "country": country, "email": "t@example.test"},
        shipping=ShippingSpec("Flat rate", "flat_rate", Decimal(shipping)) if shipping else None,
        fees=[FeeSpec(fee[0], Decimal(fee[1]), fee[2])] if fee else [],
        coupons=[coupon] if coupon else [],
        currency=currency,
        prices_include_tax=incl,
    )
    check_totals(order)


_EMPTY = generate_store(0, 0)


# ---- changing the store at run time ----------------------------------------------------------


@pytest.fixture
def store() -> tuple[StoreData, WooClock]:
    clock = WooClock()
    return generate_store(8, 30, clock=clock), clock


def test_changes_are_stamped_and_announced(store: tuple[StoreData, WooClock]) -> None:
    shop, clock = store
    events: list[tuple[str, int]] = []
    shop.subscribe(lambda topic, rid: events.append((topic, rid)))
    customer = shop.add_customer(
        email="neu@example.test",
        first_name="Jörg",
        last_name="Neu",
        billing={"country": "AT", "city": "Wien"},
    )
    mug = next(p.id for p in shop.products.values() if p.sku == "MUG-CER")
    order = shop.add_order([(mug, 2)], customer_id=customer.id, shipping=None)
    assert order.date_created == order.date_modified == clock.now
    assert order.billing["city"] == "Wien"
    assert order.id > max(i for i in shop.orders if i != order.id)
    clock.advance(60)
    shop.update_order(order.id, status="completed")
    assert order.date_modified == clock.now
    assert order.date_completed == clock.now
    assert events == [
        ("customer.created", customer.id),
        ("order.created", order.id),
        ("order.updated", order.id),
    ]


def test_editing_fees_can_leave_date_modified_alone(store: tuple[StoreData, WooClock]) -> None:
    shop, clock = store
    order = next(o for o in shop.orders.values() if o.status == "processing")
    before_total, before_modified = order.total, order.date_modified
    clock.advance(3600)
    shop.update_order(order.id, add_fees=[FeeSpec("Express", Decimal("2.50"))], touch=False)
    assert order.total > before_total
    assert order.date_modified == before_modified
    check_totals(order)
    line = order.line_items[0]
    shop.update_order(order.id, item_changes={line.id: ItemChange(quantity=line.quantity + 1)})
    assert order.date_modified == clock.now
    check_totals(order)


def test_refunds_partial_then_the_rest(store: tuple[StoreData, WooClock]) -> None:
    shop, clock = store
    order = next(
        o
        for o in shop.orders.values()
        if o.status == "completed"
        and not o.refund_ids
        and o.total > 0
        and any(li.quantity > 1 and li.total > 0 for li in o.line_items)
    )
    line = next(li for li in order.line_items if li.quantity > 1 and li.total > 0)
    total = order.total
    clock.advance(10)
    partial = shop.refund_order(order.id, lines={line.id: 1}, reason="broken")
    assert partial.line_items[0].quantity == -1
    assert partial.line_items[0].total < 0
    assert order.status == "completed"
    assert order.total == total
    assert order.date_modified == clock.now
    with pytest.raises(OrderError, match="Invalid refund amount"):
        shop.refund_order(order.id, total)
    rest = shop.refund_order(order.id)
    assert rest.amount == total - partial.amount
    assert not rest.line_items
    assert order.status == "refunded"
    summary = render_order(order, shop.refunds_of(order.id), BASE)["refunds"]
    assert [r["id"] for r in summary] == [rest.id, partial.id]
    places = decimals_for(order.currency)
    assert summary[1]["total"] == f"-{partial.amount:.{places}f}"


def test_cancel_delete_and_trash(store: tuple[StoreData, WooClock]) -> None:
    shop, _ = store
    pending = next(o for o in shop.orders.values() if o.status in ("pending", "on-hold"))
    assert shop.cancel_order(pending.id).status == "cancelled"
    refunded = next(o for o in shop.orders.values() if o.refund_ids)
    shop.delete_order(refunded.id)
    assert refunded.id not in shop.orders
    assert not any(r.order_id == refunded.id for r in shop.refunds.values())
    other = next(iter(shop.orders.values()))
    shop.delete_order(other.id, force=False)
    assert shop.orders[other.id].status == "trash"
    with pytest.raises(OrderError):
        shop.delete_order(10**6)


def test_customers_are_unique_by_email_in_any_case(store: tuple[StoreData, WooClock]) -> None:
    shop, _ = store
    existing = next(c for c in shop.customers.values() if c.id > 1)
    with pytest.raises(OrderError, match="already registered"):
        shop.add_customer(email=existing.email.upper())
    assert shop.customer_by_email(existing.email.upper()) is existing


def test_unknown_products_and_coupons_are_refused(store: tuple[StoreData, WooClock]) -> None:
    shop, _ = store
    with pytest.raises(OrderError, match="invalid"):
        shop.add_order([LineSpec(999999, 1)], billing={"country": "DE"})
    mug = next(p.id for p in shop.products.values() if p.sku == "MUG-CER")
    with pytest.raises(OrderError, match="does not exist"):
        shop.add_order([(mug, 1)], billing={"country": "DE"}, coupons=["nope"])


def test_concurrent_changes_keep_ids_unique_and_totals_right(
    store: tuple[StoreData, WooClock],
) -> None:
    shop, _ = store
    mug = next(p.id for p in shop.products.values() if p.sku == "MUG-CER")
    created: list[int] = []

    def work() -> None:
        for _ in range(20):
            order = shop.add_order(
                [(mug, 3)], billing={"country": "DE"}, fees=[("Wrap", Decimal("3.00"))]
            )
            shop.update_order(order.id, status="completed")
            created.append(order.id)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(created) == len(set(created)) == 120
    assert all(shop.orders[i].total == shop.orders[created[0]].total for i in created)
    item_ids = [li.id for i in created for li in shop.orders[i].line_items]
    assert len(item_ids) == len(set(item_ids))
