"""JSON out with orjson, with the standard library's values.

orjson writes JSON several times faster than ``json``: a create of 100 invoices, and the audit
rows of a batch, which a sync writes while Odoo and the store wait. Where orjson would write
other values, it is told not to, or ``json`` does the work:

- dates, datetimes and dataclasses reach ``default``, as they do with ``json`` (orjson would
  write its own form of them);
- keys that are not strings are written as ``json`` writes them;
- what orjson refuses (integers past 64 bits, text with lone surrogates) is written by ``json``.

The text differs in spacing (orjson writes none), in non-ASCII characters (UTF-8, not ``\\u``
escapes), and in NaN and the infinities, which JSON lacks: ``null`` instead of ``json``'s
invalid ``NaN``. Reading stays with ``json``: orjson reads integers past 64 bits as floats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """``value`` as UTF-8 JSON; ``default`` converts what JSON lacks, as in ``json.dumps``."""
    try:
        return orjson.dumps(value, default=default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(value, default=default).encode("utf-8")


def dumps_text(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """``dumps`` as text (what a TEXT column keeps)."""
    return dumps(value, default).decode("utf-8")
