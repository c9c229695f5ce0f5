"""Reading WooCommerce answers: error bodies, the JSON shape expected, paging and date headers."""

from __future__ import annotations

import email.utils
import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from wooodoo.errors import RemoteError

T = TypeVar("T")


def describe_woo_error(body: Any) -> tuple[str, str]:
    """(code, message) of a WooCommerce/WordPress error body, with invalid-param details."""
    if not isinstance(body, Mapping):
        return "", ""
    code = str(body.get("code") or "")
    message = html.unescape(str(body.get("message") or ""))
    data = body.get("data")
    params = data.get("params") if isinstance(data, Mapping) else None
    if isinstance(params, Mapping) and params:
        details = "; ".join(f"{k}: {html.unescape(str(v))}" for k, v in params.items())
        message = f"{message} ({details})"
    return code, message


def expect_json(data: Any, kind: type[T], endpoint: str) -> T:
    """``data`` if it is a ``kind`` (list or dict); RemoteError naming what came instead."""
    if isinstance(data, kind):
        return data
    got = type(data).__name__
    detail = ""
    if isinstance(data, Mapping) and ("code" in data or "message" in data):
        code, message = describe_woo_error(data)
        detail = f": {code}: {message}" if code else f": {message}"
    wanted = "a list" if kind is list else "an object"
    raise RemoteError(
        f"WooCommerce {endpoint}: expected {wanted} in the JSON answer, got {got}{detail}"
    )


def int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name) if headers is not None else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def server_time(headers: Any) -> datetime | None:
    """The response's ``Date``, aware; None when absent or unreadable."""
    value = headers.get("Date") if headers is not None else None
    if not isinstance(value, str):
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
