"""An order's snapshot, as a failed event keeps it, reads back as the same order."""

from __future__ import annotations

import json

from wooodoo.sandbox.shop.generate import generate_store
from wooodoo.sandbox.woo.render import render_order
from wooodoo.woo.models import parse_order
from wooodoo.woo.snapshot import order_from_snapshot, order_snapshot


def test_every_generated_order_reads_back_the_same_through_json() -> None:
    store = generate_store(seed=5, orders=300)
    parsed = [
        parse_order(render_order(o, store.refunds_of(o.id), "http://127.0.0.1", dp=6))
        for o in store.orders.values()
    ]
    assert any(o.refunds for o in parsed)
    assert any(o.date_paid is None for o in parsed)
    assert any(o.coupon_lines for o in parsed)
    assert any(o.fee_lines for o in parsed)
    for order in parsed:
        kept = json.loads(json.dumps(order_snapshot(order)))  # as the audit stores it
        assert order_from_snapshot(kept) == order
        assert "_links" not in kept
        assert "meta_data" not in kept
