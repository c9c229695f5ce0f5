"""What a person reads: amounts in their currency's decimals, local times, durations, counts
in words; and what a script reads (``--json``): exact values, ISO 8601 times with an offset."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import click

from wooodoo.sync import Stat

# ISO 4217 minor units of the currencies that do not have two decimals (the audit works
# offline: it cannot ask Odoo, whose own rounding the sync uses)
_CODES_BY_DECIMALS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
CURRENCY_DECIMALS = {code: n for n, codes in _CODES_BY_DECIMALS.items() for code in codes.split()}


def currency_decimals(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency.upper(), 2)


def money(amount: Decimal | str | None, currency: str | None) -> str:
    """``14.99 EUR``, ``1500 JPY``, ``1.250 KWD``.

    Without a currency the amount keeps what it says, with trailing zeros past two decimals
    cut (``52.790000`` → ``52.79``). Text that is no number is shown as it is."""
    if amount is None:
        return "-"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    if currency:
        places = currency_decimals(currency)
        return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)} {currency}"
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return str(value.quantize(Decimal(1).scaleb(-places)))


def local(moment: datetime | None) -> str:
    """A time in the machine's time zone, to the second: ``2026-03-01 14:03:05``."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def duration(seconds: float | None) -> str:
    """``0.4s``, ``12s``, ``3m 04s``, ``2h 05m``, ``3d 4h``."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def between(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


def ago(moment: datetime | None, now: datetime) -> str:
    """``3d 4h ago``; ``never`` for no time."""
    if moment is None:
        return "never"
    return f"{duration(max(timedelta(0), now - moment).total_seconds())} ago"


_STAT_ORDER = {s.value: i for i, s in enumerate(Stat)}


def counts(stats: Mapping[str, int]) -> str:
    """A run's counts in words, the zeros left out: ``12 invoiced, 2 failed``."""
    shown = sorted(
        ((name, n) for name, n in stats.items() if n),
        key=lambda item: (_STAT_ORDER.get(item[0], len(_STAT_ORDER)), item[0]),
    )
    return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in shown) or "nothing counted"


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, as ``--json`` writes times."""
    return None if moment is None else moment.isoformat()


def echo_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))
