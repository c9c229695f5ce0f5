"""Currencies as Odoo lists them: a currency without cents (JPY) has 0 decimals, not 2."""

from __future__ import annotations

from decimal import Decimal

from tests.odoo.test_target import CannedOdoo
from wooodoo.odoo.reference import read_currencies


def test_a_currency_without_decimals_keeps_zero() -> None:
    api = CannedOdoo(
        {
            "res.currency": [
                {"id": 1, "name": "EUR", "active": True, "decimal_places": 2},
                {"id": 25, "name": "JPY", "active": True, "decimal_places": 0},
                {"id": 90, "name": "KWD", "active": False, "decimal_places": 3},
            ]
        }
    )
    found = read_currencies(api)  # type: ignore[arg-type]
    assert {code: c.quantum for code, c in found.items()} == {
        "EUR": Decimal("0.01"),
        "JPY": Decimal(1),
        "KWD": Decimal("0.001"),
    }
