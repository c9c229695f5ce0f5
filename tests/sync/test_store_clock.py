"""A store clock set back between runs, told by its answers' Date against ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wooodoo.sync.store_clock import TOLERANCE, clock_text, set_back, walk_again_from

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_store_that_moved_on_as_we_did_was_not_set_back() -> None:
    saved = clock_text((T0, T0 + timedelta(seconds=3)))  # its clock 3 s behind ours: drift
    later = T0 + 5 * HOUR
    assert set_back(saved, (later, later + timedelta(seconds=3))) is None
    assert set_back(saved, (later - TOLERANCE / 2, later)) is None  # a little slower: noise


def test_a_store_behind_where_it_should_be_was_set_back_by_the_difference() -> None:
    saved = clock_text((T0, T0))
    assert set_back(saved, (T0 + HOUR - 2 * HOUR, T0 + HOUR)) == 2 * HOUR


def test_nothing_to_compare_is_no_jump() -> None:
    assert set_back(None, (T0, T0)) is None
    assert set_back(clock_text((T0, T0)), None) is None
    assert set_back("not a clock", (T0, T0)) is None


def test_the_walk_goes_back_to_where_the_new_clock_could_have_stamped() -> None:
    saved = clock_text((T0, T0))
    start = T0 - timedelta(minutes=5)
    again = walk_again_from(saved, 2 * HOUR, start, timedelta(minutes=5))
    assert again == T0 - 2 * HOUR - timedelta(minutes=5)
    assert walk_again_from(saved, 2 * HOUR, T0 - 9 * HOUR, timedelta(0)) == T0 - 9 * HOUR
