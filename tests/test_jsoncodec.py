"""``jsoncodec``: orjson's speed, the standard library's values, whatever the input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wooodoo import jsoncodec

# JSON values as Python has them, with what orjson alone would get wrong: integers past 64
# bits, keys that are not strings, non-ASCII text and lone surrogates
_KEYS = st.one_of(st.text(max_size=5), st.integers(-(2**70), 2**70), st.booleans(), st.none())
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


@given(_VALUES)
def test_dumps_gives_the_values_json_gives(value: Any) -> None:
    assert json.loads(jsoncodec.dumps(value)) == json.loads(json.dumps(value))
    assert json.loads(jsoncodec.dumps_text(value)) == json.loads(json.dumps(value))


@dataclass
class Line:
    qty: int


def _leaf(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written")


def test_dates_and_dataclasses_reach_default_as_with_json() -> None:
    value = {
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "day": date(2026, 1, 2),
        "amount": Decimal("14.99"),
        "line": Line(2),
    }
    assert json.loads(jsoncodec.dumps(value, default=str)) == json.loads(
        json.dumps(value, default=str)
    )
    with pytest.raises(TypeError, match="Line cannot be written"):
        jsoncodec.dumps(value, default=_leaf)
    del value["line"]
    assert json.loads(jsoncodec.dumps(value, default=_leaf)) == {
        "at": "2026-01-02 03:04:05",
        "day": "2026-01-02",
        "amount": 14.99,
    }


@pytest.mark.parametrize(
    "value", [2**64, {"id": -(2**63) - 1}, ["\ud800"], {"note": "caf\u00e9 \u20ac"}]
)
def test_what_orjson_refuses_is_written_as_json_writes_it(value: Any) -> None:
    assert jsoncodec.dumps(value).decode("utf-8", errors="surrogatepass") in (
        json.dumps(value),
        json.dumps(value, ensure_ascii=False, separators=(",", ":")),
    )
