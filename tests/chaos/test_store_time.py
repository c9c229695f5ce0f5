"""The store's dates: many orders modified in the same second across page boundaries, and a
store clock that jumps back (orders modified later carry an earlier time than the saved
cursor). Nothing is skipped, nothing invoiced twice."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.chaos.helpers import chaos_seed, exactly_once_problems, explain, set_sides
from tests.e2e_helpers import Box, invoices_by_order, running_box
from wooodoo.audit import AuditStore
from wooodoo.sync import SyncOptions

PER_PAGE = 10


def order_cursor(box: Box) -> datetime:
    with AuditStore(box.config().audit_db) as store:
        saved = store.cursor(box.tenant_name, "orders")
    assert saved is not None
    return datetime.fromisoformat(saved)


def paid_now(box: Box, rng: random.Random, when: datetime, n: int) -> list[int]:
    """``n`` orders that become invoiceable with ``when`` as their modified time: new ones,
    and pending ones paid (an old order's date can only move forward)."""
    with box.sb.store.lock:
        products = sorted(i for i, p in box.sb.store.products.items() if not p.variations)
        customers = sorted(box.sb.store.customers)
        pending = sorted(
            i
            for i, o in box.sb.store.orders.items()
            if o.status in ("pending", "on-hold") and o.currency == "EUR" and o.date_modified < when
        )
    paid = [box.sb.store.update_order(i, status="processing", when=when).id for i in pending[:n]]
    for _ in range(n - len(paid)):
        lines = [(rng.choice(products), rng.randint(1, 3))]
        order = box.sb.store.add_order(
            lines, customer_id=rng.choice(customers), status="processing", when=when
        )
        paid.append(order.id)
    return paid


def test_orders_sharing_one_second_across_pages_are_each_invoiced_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = chaos_seed(91)
    rng = random.Random(seed)
    with running_box(tmp_path, monkeypatch, orders=50, seed=seed, batch_size=10) as box:
        set_sides(box, woocommerce={"per_page": PER_PAGE}, odoo={})
        # 2.5 pages of orders saved in one second (a bulk status change, an import)
        with box.sb.store.lock:
            ids = rng.sample(sorted(box.sb.store.orders), 25)
            second = max(o.date_modified for o in box.sb.store.orders.values())
            for i in ids:
                box.sb.store.orders[i].date_modified = second
        box.sync()
        problems = exactly_once_problems(box)
        assert problems == [], explain(seed, problems)

        # and again, after the cursor: 25 orders paid in one later second
        later = order_cursor(box) + timedelta(seconds=30)
        paid = paid_now(box, rng, later, 25)
        box.sync()
        problems = exactly_once_problems(box)
        missing = [i for i in paid if i not in invoices_by_order(box.sb)]
        assert missing == [], explain(seed, [f"orders not invoiced: {missing}", *problems])
        assert problems == [], explain(seed, problems)


@pytest.mark.parametrize(
    "back",
    [
        pytest.param(timedelta(minutes=2), id="within-the-overlap"),
        pytest.param(timedelta(hours=2), id="beyond-the-overlap"),
    ],
)
def test_a_store_clock_that_jumps_back_skips_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, back: timedelta
) -> None:
    seed = chaos_seed(92)
    rng = random.Random(seed)
    with running_box(tmp_path, monkeypatch, orders=40, seed=seed, batch_size=10) as box:
        set_sides(box, woocommerce={"per_page": PER_PAGE}, odoo={})
        paid_now(box, rng, box.sb.store.now(), 2)  # the shop is busy: the cursor is now
        box.sync()
        cursor = order_cursor(box)
        # the store's clock is set back: what is saved now carries an earlier time, and its
        # answers say so (Date); a run must read from where the new clock can have stamped
        box.sb.store.set_clock_back(back)
        paid = paid_now(box, rng, box.sb.store.now(), 12)
        assert max(box.sb.store.orders[i].date_modified for i in paid) < cursor - back / 2
        box.sync()
        missing = [i for i in paid if i not in invoices_by_order(box.sb)]
        problems = exactly_once_problems(box)
        assert missing == [], explain(seed, [f"orders not invoiced: {missing}", *problems])
        assert problems == [], explain(seed, problems)
        assert datetime.now(UTC) > cursor - back  # the jump is into the past
        # and the runs after it go on from the store's new clock
        later = paid_now(box, rng, box.sb.store.now(), 4)
        box.sync()
        missing = [i for i in later if i not in invoices_by_order(box.sb)]
        assert missing == [], explain(seed, [f"orders not invoiced after the jump: {missing}"])


def test_a_full_sync_books_what_a_clock_jump_beyond_the_overlap_hid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The remedy the README gives for dates the store did not move forward: ``sync --full``."""
    seed = chaos_seed(93)
    rng = random.Random(seed)
    with running_box(tmp_path, monkeypatch, orders=40, seed=seed, batch_size=10) as box:
        set_sides(box, woocommerce={"per_page": PER_PAGE}, odoo={})
        box.sync()
        paid = paid_now(box, rng, order_cursor(box) - timedelta(hours=2), 12)
        box.sync(SyncOptions(full=True))
        missing = [i for i in paid if i not in invoices_by_order(box.sb)]
        problems = exactly_once_problems(box)
        assert missing == [], explain(seed, [f"orders not invoiced: {missing}", *problems])
        assert problems == [], explain(seed, problems)
