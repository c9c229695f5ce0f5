"""Invoice amounts of the Odoo look-alike: rounding modes, discounts, included taxes, tax edits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wooodoo.sandbox.odoo import OdooApp
from wooodoo.sandbox.odoo.accounting import LineInput, TaxSpec, compute_move

try:
    from tests.sandbox.conftest_odoo import served
except ImportError:  # tests/sandbox is not a package
    from conftest_odoo import served


def _app(version: int, rounding: str = "round_per_line") -> OdooApp:
    return OdooApp(version, api_key="k", tax_rounding=rounding)  # type: ignore[arg-type]


def _tax(app: OdooApp, name: str) -> int:
    return int(app.env("account.tax").search([("name", "=", name)])[0])


def _invoice(app: OdooApp, lines: list[dict[str, Any]], **extra: Any) -> int:
    field = "type" if app.version == 13 else "move_type"
    vals = {
        field: "out_invoice",
        "partner_id": 3,
        "invoice_date": "2026-03-01",
        "invoice_line_ids": [(0, 0, line) for line in lines],
        **extra,
    }
    return int(app.call("account.move", "create", [vals])[0])


def _amounts(app: OdooApp, move: int) -> tuple[float, float, float]:
    row = app.env("account.move").read([move], ["amount_untaxed", "amount_tax", "amount_total"])[0]
    return row["amount_untaxed"], row["amount_tax"], row["amount_total"]


@pytest.mark.parametrize("version", [16, 18, 19])
def test_rounding_per_line_and_globally_differ_by_a_cent(version: int) -> None:
    results = {}
    for method in ("round_per_line", "round_globally"):
        app = _app(version, method)
        tax = _tax(app, "19% DE")
        line = {"name": "Sticker", "quantity": 1, "price_unit": 2.50, "tax_ids": [(6, 0, [tax])]}
        results[method] = _amounts(app, _invoice(app, [line, dict(line)]))
    assert results["round_per_line"] == (5.0, 0.96, 5.96)  # 0.475 -> 0.48, twice
    assert results["round_globally"] == (5.0, 0.95, 5.95)  # 0.95 once


@pytest.mark.parametrize("version", [13, 17, 19])
def test_discount_is_kept_to_two_decimals(version: int) -> None:
    app = _app(version)
    move = _invoice(
        app, [{"name": "Hoodie", "quantity": 1, "price_unit": 100, "discount": 10.0057}]
    )
    line_id = app.env("account.move").read([move], ["invoice_line_ids"])[0]["invoice_line_ids"][0]
    line = app.env("account.move.line").read([line_id], ["discount", "price_subtotal"])[0]
    assert line == {"id": line_id, "discount": 10.01, "price_subtotal": 89.99}


@pytest.mark.parametrize("version", [14, 17, 18, 19])
def test_price_included_taxes_reproduce_the_gross(version: int) -> None:
    app = _app(version)
    tax = _tax(app, "19% DE incl.")
    move = _invoice(
        app,
        [
            {"name": "Hoodie", "quantity": 1, "price_unit": 11.90, "tax_ids": [(6, 0, [tax])]},
            {"name": "Mug", "quantity": 3, "price_unit": 5.00, "tax_ids": [(6, 0, [tax])]},
        ],
    )
    # 11.90 = 10.00 + 1.90 ; 15.00 = 12.61 + 2.39
    assert _amounts(app, move) == (22.61, 4.29, 26.90)


@pytest.mark.parametrize("version", [18, 19])
def test_price_unit_precision_by_version(version: int) -> None:
    app = _app(version)
    tax = _tax(app, "7% DE")
    move = _invoice(
        app, [{"name": "Thirds", "quantity": 3, "price_unit": 10 / 3, "tax_ids": [(6, 0, [tax])]}]
    )
    untaxed, tax_amount, total = _amounts(app, move)
    assert (untaxed, tax_amount, total) == (
        (9.99, 0.70, 10.69) if version == 18 else (10.0, 0.70, 10.70)
    )


def _adjust_payload(app: OdooApp, move: int, group: int, amount: float) -> dict[str, Any]:
    if app.version >= 18:
        return {
            "tax_totals": {
                "subtotals": [{"tax_groups": [{"id": group, "tax_amount_currency": amount}]}]
            }
        }
    if app.version >= 16:
        return {
            "tax_totals": {
                "groups_by_subtotal": {
                    "Untaxed Amount": [{"tax_group_id": group, "tax_group_amount": amount}]
                }
            }
        }
    lines = app.env("account.move.line").search_read(
        [("move_id", "=", move), ("tax_line_id", "!=", False)], ["id"]
    )
    return {"line_ids": [(1, lines[0]["id"], {"credit": amount})]}


@pytest.mark.parametrize("version", [13, 14, 16, 17, 18, 19])
def test_tax_group_adjustment_then_post(version: int) -> None:
    with served(version, tax_rounding="round_globally") as odoo:
        tax = _tax(odoo.app, "19% DE")
        line = {"name": "Sticker", "quantity": 1, "price_unit": 2.50, "tax_ids": [[6, 0, [tax]]]}
        [move] = odoo.call(
            "account.move",
            "create",
            [
                {
                    odoo.type_field: "out_invoice",
                    "partner_id": 3,
                    "invoice_date": "2026-03-01",
                    "invoice_line_ids": [[0, 0, line], [0, 0, dict(line)]],
                }
            ],
        )
        assert _amounts(odoo.app, move) == (5.0, 0.95, 5.95)
        group = odoo.app.env("account.tax").read([tax], ["tax_group_id"])[0]["tax_group_id"][0]
        odoo.call("account.move", "write", [move], _adjust_payload(odoo.app, move, group, 0.96))
        assert _amounts(odoo.app, move) == (5.0, 0.96, 5.96)
        assert odoo.call("account.move", "action_post", [move]) is False
        assert _amounts(odoo.app, move) == (5.0, 0.96, 5.96)
        items = odoo.call(
            "account.move.line", "search_read", [["move_id", "=", move]], fields=["debit", "credit"]
        )
        assert round(sum(i["debit"] - i["credit"] for i in items), 2) == 0
        assert max(i["debit"] for i in items) == 5.96


def test_posted_invoice_refuses_line_changes_on_17_and_13() -> None:
    messages = {}
    for version in (13, 17):
        with served(version) as odoo:
            [move] = odoo.call(
                "account.move",
                "create",
                [
                    {
                        odoo.type_field: "out_invoice",
                        "partner_id": 3,
                        "invoice_line_ids": [[0, 0, {"name": "A", "price_unit": 10}]],
                    }
                ],
            )
            odoo.call("account.move", "action_post", [move])
            line = odoo.app.env("account.move").read([move], ["invoice_line_ids"])[0][
                "invoice_line_ids"
            ][0]
            try:
                odoo.call(
                    "account.move",
                    "write",
                    [move],
                    {"invoice_line_ids": [[1, line, {"price_unit": 5}]]},
                )
            except Exception as exc:  # the fault
                messages[version] = str(exc)
            assert _amounts(odoo.app, move) == (10.0, 0.0, 10.0)
    assert "readonly fields on a posted move: invoice_line_ids" in messages[17]
    assert "Cannot create unbalanced journal entry" in messages[13]


RATES = st.sampled_from([Decimal("19"), Decimal("7"), Decimal("21"), Decimal("5.5"), Decimal(0)])
LINES = st.lists(
    st.tuples(
        st.decimals(min_value=0, max_value=500, places=2),
        st.integers(min_value=1, max_value=9),
        st.sampled_from([Decimal(0), Decimal("5"), Decimal("12.5")]),
        RATES,
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


def _inputs(raw: list[tuple[Decimal, int, Decimal, Decimal, bool]]) -> list[LineInput]:
    return [
        LineInput(price, Decimal(qty), disc, (TaxSpec(int(rate * 10) + incl, rate, incl, 1),))
        for price, qty, disc, rate, incl in raw
    ]


@settings(max_examples=200, deadline=None)
@given(LINES, st.sampled_from([13, 17, 18, 19]))
def test_per_line_total_is_the_sum_of_line_totals(raw: Any, version: int) -> None:
    result = compute_move(_inputs(raw), Decimal("0.01"), True, version)
    assert result.total == sum(line.total for line in result.lines)
    assert result.total == result.untaxed + result.tax


@settings(max_examples=200, deadline=None)
@given(LINES, st.sampled_from([13, 17, 18, 19]), st.booleans())
def test_total_is_untaxed_plus_tax(raw: Any, version: int, per_line: bool) -> None:
    result = compute_move(_inputs(raw), Decimal("0.01"), per_line, version)
    assert result.total == result.untaxed + result.tax
    assert all(t.amount == t.amount.quantize(Decimal("0.01")) for t in result.taxes)


@settings(max_examples=25, deadline=None)
@given(LINES)
def test_invoice_totals_through_the_app(raw: Any) -> None:
    app = _app(18, "round_globally")
    taxes = {
        (t["amount"], t["price_include"]): t["id"]
        for t in app.env("account.tax").search_read([], ["amount", "price_include"])
    }
    lines = []
    for price, qty, disc, rate, incl in raw:
        tax = taxes.get((float(rate), incl)) or taxes[(float(rate), False)]
        lines.append(
            {
                "name": "x",
                "price_unit": float(price),
                "quantity": qty,
                "discount": float(disc),
                "tax_ids": [(6, 0, [tax])],
            }
        )
    untaxed, tax_amount, total = _amounts(app, _invoice(app, lines))
    assert round(untaxed + tax_amount, 2) == total


@pytest.mark.parametrize("version", [13, 17, 19])
def test_an_invoice_below_zero_is_not_posted(version: int) -> None:
    with served(version) as odoo:
        [move] = odoo.call(
            "account.move",
            "create",
            [
                {
                    odoo.type_field: "out_invoice",
                    "partner_id": 3,
                    "invoice_line_ids": [
                        [0, 0, {"name": "Mug", "price_unit": 10}],
                        [0, 0, {"name": "Loyalty discount", "price_unit": -15}],
                    ],
                }
            ],
        )
        with pytest.raises(Exception, match="negative total amount"):
            odoo.call("account.move", "action_post", [move])
        state = odoo.app.env("account.move").read([move], ["state"])[0]["state"]
        assert state == "draft"
