"""OdooWriter's reading of reference data, against a fake connection with canned rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from wooodoo.errors import ConfigError
from wooodoo.odoo.protocol import FieldNames, OdooVersion
from wooodoo.odoo.target import OdooWriter
from wooodoo.sync.mapping import with_included_twins
from wooodoo.sync.ports import ReferenceSpec


class CannedOdoo:
    """An OdooApi that answers search_read from canned rows and records every call."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]], major: int = 17) -> None:
        self.rows = rows
        self.version = OdooVersion(major, 0, f"{major}.0")
        self.api = "xmlrpc"
        self.fields = FieldNames.for_version(self.version)
        self.database = "db"
        self.uid = 2
        self.requests_sent = 0
        self.calls: list[tuple[str, str]] = []

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: Sequence[int] | None = None,
        retry: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        self.calls.append((model, method))
        return self.rows.get(model, [])

    def close(self) -> None:
        pass


def tax(tid: int, name: str, amount: float, included: bool = False) -> dict[str, Any]:
    return {
        "id": tid,
        "name": name,
        "amount": amount,
        "price_include": included,
        "tax_group_id": [5, "VAT 19%"],
    }


ROWS: dict[str, list[dict[str, Any]]] = {
    "res.currency": [{"id": 1, "name": "EUR", "active": True, "decimal_places": 2}],
    "account.tax": [tax(11, "19% DE", 19.0), tax(12, "19% DE incl.", 19.0, included=True)],
    "account.account": [{"id": 26, "code": "400000"}],
    "res.country": [{"id": 57, "code": "DE"}],
    "res.country.state": [],
    "res.company": [
        {"id": 1, "tax_calculation_rounding_method": "round_globally", "currency_id": [1, "EUR"]}
    ],
}
SPEC = ReferenceSpec("acme", {"1": "19% DE"}, {"products": "400000"}, None, False)


def test_reference_data_in_one_read_per_model_with_the_included_twin() -> None:
    api = CannedOdoo(ROWS)
    ref = with_included_twins(OdooWriter(api).load_reference(SPEC))
    assert ref.taxes["1"].id == 11
    assert ref.included[11].id == 12  # same rate, same group, price included
    assert ref.tax_rounding == "round_globally"
    assert ref.accounts == {"products": 26}
    assert len(api.calls) == len(set(api.calls))  # nothing read twice


@pytest.mark.parametrize(
    ("model", "rows", "expected"),
    [
        (
            "account.tax",
            [tax(11, "19% DE", 19.0), tax(31, "19% DE", 19.0)],
            "2 sale taxes are named '19% DE'",
        ),
        (
            "account.account",
            [{"id": 26, "code": "400000"}, {"id": 926, "code": "400000"}],
            "several Odoo accounts have the code '400000'",
        ),
        ("account.tax", [tax(12, "19% DE", 19.0, included=True)], "includes the price"),
        ("account.account", [], "no account with code '400000'"),
    ],
    ids=["tax-name-twice", "account-code-twice", "tax-price-included", "account-missing"],
)
def test_ambiguous_or_missing_reference_data_is_a_config_error(
    model: str, rows: list[dict[str, Any]], expected: str
) -> None:
    api = CannedOdoo({**ROWS, model: rows})
    with pytest.raises(ConfigError) as info:
        OdooWriter(api).load_reference(SPEC)
    assert expected in str(info.value)


def test_email_lookup_matches_the_address_only_not_a_pattern() -> None:
    from wooodoo.odoo.target import email_domain
    from wooodoo.sandbox.odoo.domains import like_match

    [(field, op, pattern)] = email_domain(["john_doe%1@example.test"])
    assert (field, op) == ("email", "=ilike")
    assert like_match(pattern, "JOHN_DOE%1@example.test", ci=True, wrap=False)
    assert not like_match(pattern, "johnXdoe%1@example.test", ci=True, wrap=False)
    assert not like_match(pattern, "john_doe-and-more1@example.test", ci=True, wrap=False)
