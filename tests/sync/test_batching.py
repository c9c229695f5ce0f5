"""Orders gathered across pages into Odoo batches: sizes, cursors, repeated orders."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from wooodoo.sync.batching import HELD_PAGES, Cut, Gather


@dataclass(frozen=True)
class Ord:
    id: int
    paid: bool = True


def paid(order: Ord) -> bool:
    return order.paid


def run(pages: list[list[Ord]], size: int) -> list[Cut[Ord, str]]:
    gather: Gather[Ord, str] = Gather(size, paid)
    cuts: list[Cut[Ord, str]] = []
    for n, page in enumerate(pages):
        cuts += gather.add(page, f"page{n}")
    return cuts + list(gather.finish())


def test_batches_are_cut_by_the_orders_that_need_odoo_across_pages() -> None:
    pages = [[Ord(1), Ord(2, paid=False), Ord(3)], [Ord(4), Ord(5, paid=False)], [Ord(6)]]
    cuts = run(pages, size=2)
    assert [[o.id for o in c.orders] for c in cuts] == [[1, 2, 3], [4, 5, 6]]
    # page 0 ends with the first cut; pages 1 and 2 with the second (the newest one counts)
    assert [c.cursor for c in cuts] == ["page0", "page2"]


def test_a_cursor_waits_for_the_last_order_of_its_page() -> None:
    cuts = run([[Ord(1), Ord(2), Ord(3)], [Ord(4)]], size=2)
    assert [[o.id for o in c.orders] for c in cuts] == [[1, 2], [3, 4]]
    assert [c.cursor for c in cuts] == [None, "page1"]


def test_an_order_that_comes_again_waits_for_the_next_batch() -> None:
    cuts = run([[Ord(1), Ord(2)], [Ord(1), Ord(3)]], size=10)
    assert [[o.id for o in c.orders] for c in cuts] == [[1, 2], [1, 3]]
    assert [c.cursor for c in cuts] == ["page0", "page1"]


def test_a_page_without_orders_completes_at_once() -> None:
    gather: Gather[Ord, str] = Gather(5, paid)
    assert list(gather.add([], "empty")) == [Cut([], "empty")]


def test_orders_that_need_nothing_are_not_held_without_end() -> None:
    gather: Gather[Ord, str] = Gather(2, paid)
    cuts: list[Cut[Ord, str]] = []
    for n in range(HELD_PAGES + 1):
        cuts += gather.add([Ord(10 * n + 1, paid=False), Ord(10 * n + 2, paid=False)], f"p{n}")
    assert cuts
    assert len(cuts[0].orders) == 2 * HELD_PAGES


pages_strategy = st.lists(
    st.lists(st.builds(Ord, st.integers(1, 30), st.booleans()), max_size=6), max_size=8
)


@given(pages_strategy, st.integers(1, 5))
def test_every_order_once_in_order_and_cursors_only_after_their_pages(
    pages: list[list[Ord]], size: int
) -> None:
    cuts = run(pages, size)
    flat = [o for c in cuts for o in c.orders]
    assert flat == [o for page in pages for o in page]  # nothing lost, nothing reordered
    done = 0
    for cut in cuts:
        assert sum(o.paid for o in cut.orders) <= size
        assert len({o.id for o in cut.orders}) == len(cut.orders)
        done += len(cut.orders)
        if cut.cursor is not None:
            n = int(cut.cursor.removeprefix("page"))
            assert sum(len(p) for p in pages[: n + 1]) <= done  # its page is all done
    if pages:
        assert [c.cursor for c in cuts if c.cursor][-1] == f"page{len(pages) - 1}"
