"""Reading one raw WooCommerce record field by field, every problem collected, none fatal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")


class Reader:
    """Collects every problem of one record instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, Any], prefix: str = "") -> None:
        self.raw = raw
        self.prefix = prefix
        self.problems: list[str] = []

    def _get(self, key: str) -> Any:
        return self.raw.get(key)

    def _fail(self, key: str, why: str) -> None:
        self.problems.append(f"{self.prefix}{key}: {why}")

    def text(self, key: str, default: str = "") -> str:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._fail(key, f"expected text, got {type(value).__name__}")
        return default

    def integer(self, key: str, default: int = 0) -> int:
        value = self._get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            self._fail(key, "expected an integer, got a boolean")
            return default
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        self._fail(key, f"expected an integer, got {value!r}")
        return default

    def money(self, key: str, *, required: bool = True) -> Decimal:
        """A money string; floats are refused (they are the store's unrounded helpers)."""
        value = self._get(key)
        if value is None or value == "":
            if required and value is None:
                self._fail(key, "missing")
            return Decimal(0)
        if isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                self._fail(key, f"not an amount: {value!r}")
                return Decimal(0)
            if not amount.is_finite():
                self._fail(key, f"not a finite amount: {value!r}")
                return Decimal(0)
            return amount
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        self._fail(key, f"expected an amount as a string, got {type(value).__name__}")
        return Decimal(0)

    def quantity(self, key: str) -> Decimal:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self._fail(key, f"expected a quantity, got {value!r}")
            return Decimal(0)
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self._fail(key, f"not a quantity: {value!r}")
            return Decimal(0)

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self._fail(key, f"expected true/false, got {value!r}")
        return default

    def gmt(self, key: str, *, required: bool = True) -> datetime | None:
        """A ``*_gmt`` field: UTC without designator, as the store sends it."""
        value = self._get(key)
        if value in (None, ""):
            if required:
                self._fail(key, "missing")
            return None
        if not isinstance(value, str):
            self._fail(key, f"expected a date, got {value!r}")
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self._fail(key, f"not a date: {value!r}")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def local_date(self, key: str) -> date | None:
        """The calendar date of a store-local field (no offset: the shop's time zone)."""
        value = self._get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self._fail(key, f"expected a date, got {value!r}")
            return None
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            self._fail(key, f"not a date: {value!r}")
            return None

    def rows(self, key: str, parse: Callable[[Reader], T]) -> tuple[T, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self._fail(key, "expected a list")
            return ()
        out: list[T] = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                self._fail(f"{key}[{i}]", "expected an object")
                continue
            sub = Reader(item, f"{self.prefix}{key}[{i}].")
            out.append(parse(sub))
            self.problems.extend(sub.problems)
        return tuple(out)

    def nested(self, key: str, parse: Callable[[Reader], T], empty: Callable[[], T]) -> T:
        """An object inside the record, read by ``parse``; ``empty()`` when there is none."""
        value = self._get(key)
        if value is None or value == []:  # PHP encodes an empty array as []
            return empty()
        if not isinstance(value, Mapping):
            self._fail(key, "expected an object")
            return empty()
        sub = Reader(value, f"{self.prefix}{key}.")
        out = parse(sub)
        self.problems.extend(sub.problems)
        return out
