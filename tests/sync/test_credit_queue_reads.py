"""How the run's credit-note queue reads refunds: in bulk when a batch of credit notes is due
(WooCommerce 9.0+: one request per 100 refunds), an order whose refunds cannot be read failing
alone; against the look-alike, 9.x reads ``/refunds`` and 7.9 one ``/orders/<id>/refunds`` per
order, the credit notes the same to the cent either way."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import credit_note_problems, invoice_problems, running_box
from tests.fakes import FakeOdoo, FakeWoo
from tests.sync.test_credit_queue import notes, refunded_shop, store  # noqa: F401 (fixture)
from tests.sync.test_engine import run, tenant
from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.sync import Engine
from wooodoo.woo.refunds import OrderRefunds


class CountingWoo(FakeWoo):
    """Records the refund reads: how many refunds each bulk read asked for."""

    def __init__(self, woo: FakeWoo) -> None:
        super().__init__(list(woo.orders.values()))
        self.refunds = woo.refunds
        self.reads: list[int] = []
        self.single = 0

    def refunds_of_orders(self, orders: Mapping[int, Sequence[int]]) -> OrderRefunds:
        self.reads.append(sum(len(ids) for ids in orders.values()))
        return super().refunds_of_orders(orders)

    def refunds_of(self, order_id: int) -> list[Any]:
        self.single += 1
        return super().refunds_of(order_id)


def requests_for(reads: list[int]) -> int:
    return sum(math.ceil(n / 100) for n in reads)


def test_250_refunded_orders_cost_three_refund_requests(store: AuditStore) -> None:  # noqa: F811
    woo, odoo = CountingWoo(refunded_shop(250)), FakeOdoo()
    result = run(Engine(tenant(batch_size=100), woo, odoo, store))
    assert result.exit_code == EXIT_OK, result.stats
    assert result.stats["credited"] == 250
    assert woo.single == 0  # never one order at a time
    assert sum(woo.reads) == 250
    assert max(woo.reads) <= 100
    assert requests_for(woo.reads) == 3  # per order it was 250
    assert {m.state for m in notes(odoo)} == {"posted"}


def test_small_batches_read_when_a_batch_is_due(store: AuditStore) -> None:  # noqa: F811
    woo, odoo = CountingWoo(refunded_shop(18)), FakeOdoo()
    result = run(Engine(tenant(batch_size=10), woo, odoo, store))
    assert result.stats["credited"] == 18
    # read once a batch of 10 refunded orders is handed over, the rest at the end
    assert woo.reads == [10, 8]


def test_an_order_whose_refunds_cannot_be_read_fails_alone(
    store: AuditStore,  # noqa: F811
) -> None:
    woo, odoo = refunded_shop(6), FakeOdoo()
    broken = sorted(woo.orders)[2]
    woo.refund_errors[broken] = "WooCommerce GET orders/1002/refunds: HTTP 404 gone"
    result = run(Engine(tenant(batch_size=100), woo, odoo, store))
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert (result.stats["credited"], result.stats["failed"]) == (5, 1)
    refund_id = woo.refunds[broken][0].id
    failures = {f.key: f for f in store.failures("acme")}
    assert list(failures) == [f"acme/refund/{refund_id}"]
    assert "HTTP 404 gone" in failures[f"acme/refund/{refund_id}"].reason
    link = store.links("acme", [f"acme/order/{broken}"])[f"acme/order/{broken}"]
    assert (link.amounts or {})["refunds"] == ""  # not credited: looked at again
    assert store.cursor("acme", "orders") is not None  # the others' pages went on

    del woo.refund_errors[broken]
    again = run(Engine(tenant(batch_size=100), woo, odoo, store), full=True)
    assert again.stats["credited"] == 1
    assert len(notes(odoo)) == 6


@pytest.mark.parametrize("version", ["9.3.3", "7.9.0"])
def test_against_the_store_refunds_are_read_as_its_version_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    with running_box(tmp_path, monkeypatch, orders=300, seed=4, woo_version=version) as box:
        box.sync()
        problems, ok_orders = invoice_problems(box.sb, box)
        assert problems == [], "\n".join(problems[:20])
        assert credit_note_problems(box.sb, ok_orders) == []
        counts = box.sb.woo_counter.snapshot()
        refunded = {r.order_id for r in box.sb.store.refunds.values() if r.order_id in ok_orders}
    per_order = {k: n for k, n in counts.items() if k.endswith("/refunds") and "/orders/" in k}
    listed = counts.get("GET /wp-json/wc/v3/refunds", 0)
    assert len(refunded) > 10
    if version == "9.3.3":
        assert per_order == {}
        assert 1 <= listed <= math.ceil(len(refunded) * 2 / 100) + 1
    else:
        assert listed == 1  # its rest_no_route, once
        assert len(per_order) >= len(refunded)
