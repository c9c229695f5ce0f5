"""Times on the command line: an age (``180d``) and a moment (``7d``, a date, a local time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

_AGE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
AGE_FORMS = "a number and a unit: 30m, 12h, 180d or 26w"


def parse_age(text: str) -> timedelta | None:
    match = _AGE.fullmatch(text.strip().lower())
    if match is None:
        return None
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Age(click.ParamType[timedelta]):
    """How old, as ``180d``: a positive number of minutes, hours, days or weeks."""

    name = "age"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        age = parse_age(str(value))
        if age is None:
            self.fail(f"{value!r} is not an age; write {AGE_FORMS}", param, ctx)
        if age <= timedelta(0):
            self.fail(f"{value!r}: the age must be more than zero", param, ctx)
        return age


class Since(click.ParamType[datetime]):
    """A moment: an age back from now (``7d``), a date (local midnight), or an ISO 8601 time
    (local when it names no offset). Always timezone-aware."""

    name = "since"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        age = parse_age(text)
        if age is not None:
            return datetime.now(UTC) - age
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is neither an age ({AGE_FORMS}) nor a date or time"
                " (2026-03-01, 2026-03-01T14:00, 2026-03-01T14:00+01:00)",
                param,
                ctx,
            )
        return moment if moment.tzinfo else moment.astimezone()


AGE = Age()
SINCE = Since()
