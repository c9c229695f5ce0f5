"""Tax journal item edits on 13-15: an invoice's tax is a credit, a credit note's a debit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from wooodoo.odoo.tax_edits import tax_item_edits

EUR, USD = 1, 2


def item(line_id: int, debit: float, credit: float, currency: int, amount: float) -> dict[str, Any]:
    return {
        "id": line_id,
        "move_id": [7, "INV/1"],
        "tax_line_id": [11, "19% DE"],
        "debit": debit,
        "credit": credit,
        "currency_id": [currency, "X"],
        "amount_currency": amount,
    }


@pytest.mark.parametrize("major", [13, 14])
def test_an_invoice_s_tax_stays_a_credit(major: int) -> None:
    [(_, _, vals)] = tax_item_edits(
        major, EUR, 7, {11: Decimal("0.92")}, [item(3, 0, 0.93, EUR, -0.93)]
    )
    assert (vals["credit"], vals["debit"]) == (0.92, 0.0)


@pytest.mark.parametrize("major", [13, 14])
def test_a_credit_note_s_tax_stays_a_debit(major: int) -> None:
    [(_, line_id, vals)] = tax_item_edits(
        major, EUR, 7, {11: Decimal("0.92")}, [item(3, 0.93, 0, EUR, 0.93)]
    )
    assert line_id == 3
    assert (vals["debit"], vals["credit"]) == (0.92, 0.0)
    if major >= 14:
        assert vals["amount_currency"] == 0.92


def test_a_credit_note_in_another_currency_keeps_its_debit_and_rate() -> None:
    [(_, _, vals)] = tax_item_edits(
        13, EUR, 7, {11: Decimal("10.00")}, [item(3, 5.5, 0, USD, 11.0)]
    )
    assert vals == {"amount_currency": 10.0, "debit": 5.0, "credit": 0.0}


def test_a_credit_note_with_two_items_of_one_tax_sets_the_first_to_the_rest() -> None:
    lines = [item(3, 0.50, 0, EUR, 0.50), item(4, 0.43, 0, EUR, 0.43)]
    [(_, line_id, vals)] = tax_item_edits(13, EUR, 7, {11: Decimal("0.92")}, lines)
    assert (line_id, vals["debit"], vals["credit"]) == (3, 0.49, 0.0)


def test_a_zero_tax_item_already_right_is_left_alone_in_another_currency() -> None:
    zero = {**item(4, 0, 0, USD, 0.0), "tax_line_id": [12, "0% export"]}
    edits = tax_item_edits(
        13,
        EUR,
        7,
        {11: Decimal("0.92"), 12: Decimal("0")},
        [item(3, 0, 0.85, USD, -0.93), zero],
    )
    assert [line_id for _, line_id, _ in edits] == [3]  # no "no rate on its tax line"


def test_a_zero_tax_item_that_must_change_in_another_currency_is_refused() -> None:
    zero = {**item(4, 0, 0, USD, 0.0), "tax_line_id": [12, "0% export"]}
    with pytest.raises(Exception, match="no rate on its tax line"):
        tax_item_edits(13, EUR, 7, {12: Decimal("0.01")}, [zero])
