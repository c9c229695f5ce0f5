"""What a person reads: amounts in their currency's decimals, local times, durations, counts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from wooodoo.cli.human import counts, duration, local, money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("14.990000", "EUR", "14.99 EUR"),
        (Decimal("14.99"), "EUR", "14.99 EUR"),
        ("1500.000000", "JPY", "1500 JPY"),
        ("1.250000", "KWD", "1.250 KWD"),
        ("-3.5", "USD", "-3.50 USD"),
        ("0.005", "EUR", "0.01 EUR"),  # half up, as Odoo rounds
        ("52.790000", None, "52.79"),  # no currency known: trailing zeros cut to two decimals
        ("0.125000", None, "0.125"),
        ("7", None, "7.00"),
        ("n/a", "EUR", "n/a"),
        (None, "EUR", "-"),
    ],
    ids=lambda v: str(v),
)
def test_money(amount: str | Decimal | None, currency: str | None, shown: str) -> None:
    assert money(amount, currency) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.42, "0.4s"), (12, "12s"), (184, "3m 04s"), (7500, "2h 05m"), (273_600, "3d 4h")],
)
def test_duration(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_counts_in_words_in_the_order_of_the_stats() -> None:
    stats = {"failed": 2, "invoiced": 12, "skipped": 0, "something_new": 1}
    assert counts(stats) == "12 invoiced, 2 failed, 1 something new"
    assert counts({}) == "nothing counted"


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_local_time() -> None:
    assert local(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "2026-07-01 08:00:00"  # EDT
    assert local(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) == "2026-01-01 07:00:00"  # EST
    assert local(None) == "-"
