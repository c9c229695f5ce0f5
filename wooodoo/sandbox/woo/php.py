"""PHP and WordPress behaviour the WooCommerce look-alike must copy byte for byte.

``json_encode`` escaping, ``parse_str`` / ``urlencode`` / ``add_query_arg`` (which build the
``Link`` header, quirks included), ``wp_sprintf_l`` lists in error messages, and how
``WP_Date_Query`` reads a date filter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote_plus, unquote_plus
from zoneinfo import ZoneInfo

Params = dict[str, Any]


def json_encode(value: Any, *, pretty: bool = False) -> bytes:
    """``wp_json_encode``: ASCII only (``\\uXXXX``), ``/`` escaped as ``\\/``."""
    if pretty:
        text = json.dumps(value, ensure_ascii=True, indent=4, separators=(",", ": "))
    else:
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    # "/" only ever appears inside strings in JSON text, so a plain replace is safe
    return text.replace("/", "\\/").encode("ascii")


def urlencode(value: str) -> str:
    """PHP ``urlencode``: like ``quote_plus`` but ``~`` is encoded too."""
    return quote_plus(value, safe="").replace("~", "%7E")


def urldecode(value: str) -> str:
    return unquote_plus(value, errors="surrogateescape")


def _php_key(name: str) -> str:
    # PHP turns spaces and dots in a variable name into underscores
    return name.replace(" ", "_").replace(".", "_")


def parse_str(query: str) -> Params:
    """PHP ``parse_str``: ``a[]=1&a[]=2`` and ``a[x]=1`` make arrays, the last plain value wins."""
    result: Params = {}
    for part in query.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key = urldecode(raw_key)
        value = urldecode(raw_value)
        if not key or key.startswith("["):
            continue
        bracket = key.find("[")
        if bracket <= 0 or "]" not in key[bracket:]:
            result[_php_key(key)] = value
            continue
        base = _php_key(key[:bracket])
        subkeys = re.findall(r"\[([^\]]*)\]", key[bracket:])
        target: Any = result
        name: str = base
        for sub in subkeys:
            container = target.get(name) if isinstance(target, dict) else None
            if not isinstance(container, dict):
                container = {}
                target[name] = container
            target = container
            name = str(_next_index(container)) if sub == "" else sub
        target[name] = value
    return {k: _listify(v) for k, v in result.items()}


def _next_index(container: dict[str, Any]) -> int:
    numeric = [int(k) for k in container if k.isdigit()]
    return max(numeric) + 1 if numeric else 0


def _listify(value: Any) -> Any:
    """PHP arrays with keys 0..n-1 in order behave as lists for our purposes."""
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if list(converted) == [str(i) for i in range(len(converted))]:
        return list(converted.values())
    return converted


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def build_query(data: Mapping[str, Any], *, encode: bool = False) -> str:
    """WordPress ``build_query`` (``_http_build_query`` without encoding values by default)."""
    parts: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, Mapping):
            for sub, item in value.items():
                walk(item, f"{key}%5B{sub}%5D")
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, f"{key}%5B{index}%5D")
        else:
            text = _scalar(value)
            if text is not None:
                parts.append(f"{key}={urlencode(text) if encode else text}")

    for key, value in data.items():
        walk(value, urlencode(key) if encode else key)
    return "&".join(parts)


def urlencode_deep(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: urlencode_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [urlencode_deep(v) for v in value]
    text = _scalar(value)
    return urlencode(text) if text is not None else None


def add_query_args(args: Mapping[str, Any], url: str) -> str:
    """WordPress ``add_query_arg( $array, $url )``: values go in as given (not encoded)."""
    base, query = _split(url)
    merged = urlencode_deep(parse_str(query))
    for key, value in args.items():
        merged[key] = value
    return _join(base, {k: v for k, v in merged.items() if v is not False})


def add_query_arg(key: str, value: Any, url: str) -> str:
    """WordPress ``add_query_arg( $key, $value, $url )``: the existing query is re-encoded."""
    base, query = _split(url)
    merged = urlencode_deep(parse_str(query))
    merged[key] = value
    return _join(base, {k: v for k, v in merged.items() if v is not False})


def _split(url: str) -> tuple[str, str]:
    base, sep, query = url.partition("?")
    return base, query if sep else ""


def _join(base: str, query: Mapping[str, Any]) -> str:
    built = build_query(query).strip("?")
    # add_query_arg drops a "=" that ends a value: "sig=abc=&x" becomes "sig=abc&x"
    built = re.sub(r"=(&|$)", r"\1", built)
    return f"{base}?{built}".rstrip("?")


def sprintf_list(items: list[str]) -> str:
    """``wp_sprintf_l``: "a", "a and b", "a, b, and c"."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


_REST_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _rolled(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    """PHP lets days and times overflow into the next unit (Feb 30 is March 2)."""
    return datetime(year, month, 1) + timedelta(  # noqa: DTZ001 - a wall time, no zone yet
        days=day - 1, hours=hour, minutes=minute, seconds=second
    )


def parse_rest_date(value: str) -> tuple[datetime, timezone | None] | None:
    """``rest_parse_date``: the naive wall time and its offset (None when none was given)."""
    match = _REST_DATE.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute <= 59 and second <= 59):
        return None
    naive = _rolled(year, month, day, hour, minute, second)
    designator = match.group(7)
    if designator is None:
        return naive, None
    if designator == "Z":
        return naive, UTC
    sign = -1 if designator[0] == "-" else 1
    digits = designator[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    return naive, timezone(sign * timedelta(hours=hours, minutes=minutes))


def date_query_value(value: str, site: ZoneInfo) -> datetime:
    """What ``WP_Date_Query`` compares a column with: a naive time in the *site's* zone.

    An offset or ``Z`` is honoured by converting to site time; the result is then compared
    with whichever column was chosen, even the GMT one (the ``Z`` + ``dates_are_gmt`` pitfall).
    """
    parsed = parse_rest_date(value)
    if parsed is None:
        raise ValueError(value)
    naive, offset = parsed
    if offset is None:
        return naive
    return naive.replace(tzinfo=offset).astimezone(site).replace(tzinfo=None)
