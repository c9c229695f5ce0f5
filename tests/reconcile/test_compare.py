"""The comparison alone: both sides as values, every kind of disagreement, sums per day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from wooodoo.reconcile import (
    BookedMove,
    LinkMark,
    ShopOrder,
    ShopRefund,
    Sides,
    Tally,
    reconcile,
)

T = "acme"
D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)


def order(
    oid: int, total: str, *refunds: tuple[int, str], day: date = D1, cur: str = "EUR", **kw: object
) -> ShopOrder:
    values: dict[str, object] = {
        "id": oid,
        "status": "completed",
        "invoiced": True,
        "currency": cur,
        "day": day,
        "created": day,
        "total": Decimal(total),
        "refunds": tuple(ShopRefund(rid, Decimal(a)) for rid, a in refunds),
    }
    values.update(kw)
    return ShopOrder(**values)  # type: ignore[arg-type]


_ids = iter(range(1000, 10**6))


def books_of(o: ShopOrder, state: str = "posted") -> list[BookedMove]:
    """The documents a correct sync made for ``o``."""
    inv = BookedMove(next(_ids), f"{T}/order/{o.id}", "invoice", state, o.currency, o.day, o.total)
    notes = [
        BookedMove(
            next(_ids), f"{T}/refund/{r.id}", "credit_note", state, o.currency, o.day, r.amount,
            reverses=inv.id,
        )
        for r in o.refunds
    ]  # fmt: skip
    return [inv, *notes] if o.invoiced else []


def sides(orders: list[ShopOrder], moves: list[BookedMove], **kw: object) -> Sides:
    return Sides(T, FIRST, LAST, FIRST, orders, moves, **kw)  # type: ignore[arg-type]


def problems(s: Sides) -> list[tuple[str, str]]:
    return [(f.problem, f.key) for f in reconcile(s).findings]


ORDERS = [
    order(1, "100.00", (11, "30.00")),
    order(2, "50.50", day=D2),
    order(3, "1200", (31, "200"), (32, "1000"), cur="JPY"),
]


def test_a_faithful_books_agree_and_sum_per_day_and_currency() -> None:
    moves = [m for o in ORDERS for m in books_of(o)]
    result = reconcile(sides(ORDERS, moves))
    assert result.findings == ()
    assert result.agrees
    rows = {(r.day, r.currency): r for r in result.days}
    assert set(rows) == {(D1, "EUR"), (D2, "EUR"), (D1, "JPY")}
    eur = rows[(D1, "EUR")]
    assert (eur.orders, eur.refunds) == (Tally(1, Decimal("100.00")), Tally(1, Decimal("30.00")))
    assert (eur.invoices, eur.credit_notes) == (eur.orders, eur.refunds)
    assert rows[(D1, "JPY")].shop_net == Decimal(0) == rows[(D1, "JPY")].books_net


def test_missing_duplicate_and_differing_documents_are_named() -> None:
    moves = [m for o in ORDERS for m in books_of(o)]
    inv1, note11, inv2, inv3, note31, _note32 = moves
    broken = [
        inv1,  # refund 11's credit note missing
        inv2,
        replace(inv2, id=9001),  # order 2 twice
        replace(inv3, total=Decimal("1201")),  # order 3 differs
        replace(note31, currency="EUR"),  # refund 31 in another currency
    ]  # refund 32 missing
    result = reconcile(sides(ORDERS, broken))
    assert [(f.problem, f.key) for f in result.findings] == [
        ("missing", f"{T}/refund/11"),
        ("duplicate", f"{T}/order/2"),
        ("differs", f"{T}/order/3"),
        ("differs", f"{T}/refund/31"),
        ("missing", f"{T}/refund/32"),
    ]
    assert not result.agrees
    dup = result.findings[1]
    assert dup.odoo_ids == (inv2.id, 9001)
    assert (dup.shop_total, dup.books_total) == (Decimal("50.50"), Decimal("101.00"))
    assert note11.key not in {m.key for m in broken}


def test_what_a_person_did_in_odoo_deleted_cancelled_reset_to_draft() -> None:
    moves = [m for o in ORDERS for m in books_of(o)]
    inv1, note11, inv2, inv3, note31, note32 = moves
    links = {m.key: LinkMark(m.id, "posted") for m in moves}
    changed = [
        replace(inv1, state="draft"),
        note11,
        inv2,
        replace(inv3, state="cancel"),
        note31,
    ]  # note32 deleted
    result = reconcile(sides(ORDERS, changed, links=links))
    assert [(f.problem, f.key, f.odoo_ids) for f in result.findings] == [
        ("reset to draft", f"{T}/order/1", (inv1.id,)),
        ("cancelled", f"{T}/order/3", (inv3.id,)),
        ("deleted", f"{T}/refund/32", (note32.id,)),
    ]
    # a draft the audit knows as a draft (sync.post false) is no finding
    drafts = {k: replace(m, state="draft") for k, m in links.items()}
    assert problems(sides(ORDERS, [replace(m, state="draft") for m in moves], links=drafts)) == []


def test_a_cancelled_order_must_be_reversed_in_full_or_have_no_invoice() -> None:
    cancelled = order(5, "80.00", status="cancelled", invoiced=False)
    [inv] = books_of(replace(cancelled, invoiced=True))
    assert problems(sides([cancelled], [])) == []
    assert problems(sides([cancelled], [inv])) == [("unexpected", f"{T}/order/5")]
    reversal = BookedMove(77, f"{T}/cancel/5", "credit_note", "posted", "EUR", D2, inv.total,
                          reverses=inv.id)  # fmt: skip
    result = reconcile(sides([cancelled], [inv, reversal]))
    assert result.findings == ()
    assert result.agrees
    # a draft invoice cancelled instead
    assert problems(sides([cancelled], [replace(inv, state="cancel")])) == []


def test_an_amended_order_reissued_is_checked_by_its_net() -> None:
    amended = order(6, "120.00")
    old = BookedMove(60, f"{T}/order/6", "invoice", "posted", "EUR", D1, Decimal("100.00"))
    back = BookedMove(61, f"{T}/amend/6/2", "credit_note", "posted", "EUR", D1, Decimal("100.00"),
                      reverses=60)  # fmt: skip
    new = BookedMove(62, f"{T}/order/6/2", "invoice", "posted", "EUR", D1, Decimal("120.00"))
    assert reconcile(sides([amended], [old, back, new])).agrees
    [f] = reconcile(sides([amended], [old, back])).findings
    assert (f.problem, f.key, f.shop_total, f.books_total) == (
        "differs",
        f"{T}/order/6",
        Decimal("120.00"),
        Decimal("0.00"),
    )


def test_documents_out_of_scope_are_ignored_and_strays_in_the_period_are_not() -> None:
    early = order(7, "10.00", created=date(2026, 2, 27), day=D1)  # made before since
    later = order(8, "10.00", day=date(2026, 4, 2))  # its invoice after the period
    moves = books_of(early) + books_of(later)
    stray = BookedMove(90, f"{T}/order/999", "invoice", "posted", "EUR", D2, Decimal("5.00"))
    old_refund = BookedMove(91, f"{T}/refund/555", "credit_note", "posted", "EUR", D2,
                            Decimal("5.00"), reverses=12345)  # fmt: skip
    other_tenant = replace(stray, id=92, key="other/order/999")
    result = reconcile(sides([early, later], [*moves, stray, old_refund, other_tenant]))
    assert [(f.problem, f.key) for f in result.findings] == [("unexpected", f"{T}/order/999")]
    assert [(r.day, r.invoices) for r in result.days] == [(D2, Tally(1, Decimal("5.00")))]


def test_an_unreadable_order_is_a_finding() -> None:
    s = sides([], [], unreadable=[(42, "total: not a number")])
    assert problems(s) == [("unreadable", f"{T}/order/42")]


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)


@st.composite
def shops(draw: st.DrawFn) -> list[ShopOrder]:
    n = draw(st.integers(1, 12))
    out = []
    for oid in range(1, n + 1):
        total = draw(amounts)
        refunds = draw(st.lists(amounts.filter(total.__ge__), max_size=3))
        status = draw(st.sampled_from(["completed", "processing", "cancelled", "pending"]))
        out.append(
            order(
                oid,
                str(total),
                *((oid * 10 + i, str(a)) for i, a in enumerate(refunds)),
                day=date(2026, 3, draw(st.integers(1, 31))),
                cur=draw(st.sampled_from(["EUR", "USD", "JPY"])),
                status=status,
                invoiced=status in ("completed", "processing"),
            )
        )
    return out


@given(shops(), st.data())
def test_faithful_books_agree_and_one_lost_document_is_named_alone(
    orders: list[ShopOrder], data: st.DataObject
) -> None:
    moves = [m for o in orders for m in books_of(o)]
    result = reconcile(sides(orders, moves))
    assert result.findings == ()
    assert result.agrees
    for row in result.days:
        assert (row.orders, row.refunds) == (row.invoices, row.credit_notes)
    wanted = sum(o.total - sum(r.amount for r in o.refunds) for o in orders if o.invoiced)
    assert sum(r.shop_net for r in result.days) == wanted
    if moves:
        lost = data.draw(st.sampled_from(moves))
        rest = [m for m in moves if m is not lost]
        again = reconcile(sides(orders, rest))
        assert [(f.problem, f.key) for f in again.findings] == [("missing", lost.key)]
        assert not again.agrees


def test_amounts_print_alike_on_both_sides_without_losing_a_digit() -> None:
    from wooodoo.reconcile.model import money

    assert str(money(Decimal("72.660000"))) == "72.66"
    assert str(money(Decimal("22457.0"))) == "22457.00"
    assert str(money(Decimal("46.542056"))) == "46.542056"  # never rounded
