"""Domain comparisons in the Odoo look-alike against 0, which equals False in Python."""

from __future__ import annotations

from wooodoo.sandbox.odoo import OdooApp


def test_comparisons_with_zero_are_comparisons_not_false() -> None:
    app = OdooApp(19, api_key="k")
    partners = app.env("res.partner")
    every = sorted(partners.search([]))
    assert every
    assert sorted(partners.search([("id", ">", 0)])) == every  # paging anchored on the last id
    assert partners.search([("id", "<", 0)]) == []
    assert sorted(partners.search([("id", ">=", every[-1])])) == [every[-1]]
    # an unset value still compares as nothing, as in SQL
    assert partners.search([("country_id", ">", 0)]) == partners.search(
        [("country_id", "!=", False)]
    )
