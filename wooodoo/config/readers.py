"""Typed readers of one mapping from the file: each returns a usable value and records problems."""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any, TypeVar, cast

from wooodoo.config.source import SourceInt
from wooodoo.config.urls import normalise_url

T = TypeVar("T")


class _Absent(enum.Enum):
    ABSENT = enum.auto()


# A key that is missing or written without a value ("key:"): the reader's default applies.
_ABSENT = _Absent.ABSENT
# An unknown key named like a credential: refused as a secret, not merely as unknown.
_SECRET_LIKE = re.compile(r"secret|passw|api_?key|token|consumer_key|credential", re.IGNORECASE)
_INLINE_MESSAGE = (
    "a secret does not belong in the configuration file; keep it in the OS keyring"
    " (wooodoo secrets set) and remove this line"
)


def kind_of(value: object) -> str:
    """What a YAML value is, in the words of a problem ("a list", "empty")."""
    kinds: tuple[tuple[type | UnionType, str], ...] = (
        (type(None), "empty"),
        (bool, "a boolean"),
        (int, "a whole number"),
        (float, "a decimal number"),
        (str, "a string"),
        (Mapping, "a mapping"),
        (list, "a list"),
        (dt.date, "a date"),
    )
    return next((word for kind, word in kinds if isinstance(value, kind)), type(value).__name__)


def as_text(value: object) -> str | None:
    """A string, or an integer exactly as written in the file (so ``0400`` stays ``0400``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, SourceInt):
        return value.text
    return None


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known word, or nothing."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Problems:
    """Where problems go, and the prefix that says where they were found (file, tenant)."""

    found: list[str] = field(default_factory=list)
    where: tuple[str, ...] = ()

    def add(self, key: str, message: str) -> None:
        self.found.append(": ".join([*self.where, *([key] if key else []), message]))

    def within(self, where: str) -> Problems:
        """The same list, with problems prefixed by ``where`` as well."""
        return Problems(self.found, (*self.where, where))


def _mapping(problems: Problems, key: str, value: object, what: str) -> Mapping[Any, Any] | None:
    if value is _ABSENT:
        return None  # a missing key is reported once, by the section that requires it
    if isinstance(value, Mapping):
        return value
    problems.add(key, f"must be a mapping of {what}, not {kind_of(value)}")
    return None


class Section:
    """The known keys of one mapping, its dotted path (``sync.accounts``) and its problems."""

    def __init__(self, dotted: str, problems: Problems) -> None:
        self.dotted = dotted
        self.problems = problems
        self.values: dict[str, Any] = {}

    @classmethod
    def read(
        cls,
        value: object,
        dotted: str,
        problems: Problems,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        refused: Mapping[str, str] = MappingProxyType({}),
    ) -> Section:
        """Keep the allowed keys; report unknown ones (with a suggestion) and missing ones.

        A key in ``refused`` gets its message instead of "unknown key"; so does any key named
        like a credential. The value is never repeated: it may be a secret.
        """
        section = cls(dotted, problems)
        for raw_key, item in (_mapping(problems, dotted, value, "keys") or {}).items():
            name = as_text(raw_key) or str(raw_key)
            if name in allowed:
                section.values[name] = item
            elif name in refused:
                section.add(name, refused[name])
            elif _SECRET_LIKE.search(name):
                section.add(name, _INLINE_MESSAGE)
            else:
                section.add(name, "unknown key" + did_you_mean(name, allowed))
        if isinstance(value, Mapping):
            for name in required:
                if section.values.get(name) is None:
                    section.add(name, "required")
        return section

    def key(self, name: str) -> str:
        return f"{self.dotted}.{name}" if self.dotted else name

    def add(self, name: str, message: str) -> None:
        self.problems.add(self.key(name), message)

    def has(self, name: str) -> bool:
        """Whether the file names the key at all, even without a value."""
        return name in self.values

    def get(self, name: str) -> object:
        value = self.values.get(name)
        return _ABSENT if value is None else value

    def section(
        self,
        name: str,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        refused: Mapping[str, str] = MappingProxyType({}),
    ) -> Section:
        return Section.read(
            self.get(name), self.key(name), self.problems, allowed, required, refused
        )

    def mapping(self, name: str, what: str) -> Mapping[Any, Any] | None:
        """Any mapping ("a mapping of ``what``"); None when absent or wrong."""
        return _mapping(self.problems, self.key(name), self.get(name), what)

    def text(self, name: str, default: T) -> str | T:
        """A non-blank string; an integer counts, spelled as written."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        text = self._text(name, value, "a string", " (quote it)")
        return default if text is None else text

    def texts(self, name: str, what: str, key_is: str, value_is: str) -> Mapping[str, str]:
        """A read-only mapping of non-blank strings to non-blank strings (``sync.taxes``)."""
        result: dict[str, str] = {}
        for raw_key, raw_value in (self.mapping(name, what) or {}).items():
            key = as_text(raw_key)
            if key is None or not key.strip():
                self.add(name, f"key {raw_key!r} must be {key_is}")
                continue
            if key in result:
                self.add(f"{name}.{key}", "given twice")
            text = self._text(f"{name}.{key}", raw_value, value_is, "")
            if text is not None:
                result[key] = text
        return MappingProxyType(result)

    def _text(self, name: str, value: object, what: str, after: str) -> str | None:
        text = as_text(value)
        if text is None:
            self.add(name, f"must be {what}, not {kind_of(value)}{after}")
        elif not text.strip():
            self.add(name, "must not be blank")
        else:
            return text
        return None

    def choice(self, name: str, options: Sequence[T], default: T) -> T:
        """One of ``options`` (strings), exactly as spelled there."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        if value in options and isinstance(value, str):
            return cast(T, value)
        self.add(name, f"must be one of {', '.join(map(str, options))}, not {value!r}")
        return default

    def choices(
        self, name: str, options: Sequence[str], default: tuple[str, ...], noun: str
    ) -> tuple[str, ...]:
        """A non-empty list of ``options``, each once, in the order first given."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        if not isinstance(value, list) or not value:
            self.add(name, f"must be a non-empty list, not {kind_of(value)}")
            return default
        chosen: list[str] = []
        for item in value:
            if isinstance(item, str) and item in options:
                chosen.append(item)
                continue
            self.add(
                name,
                f"unknown {noun} {item!r}"
                + did_you_mean(str(item), options)
                + f"; known: {', '.join(options)}",
            )
        return tuple(dict.fromkeys(chosen))

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is _ABSENT:
            return default
        if isinstance(value, bool):
            return value
        self.add(name, f"must be true or false, not {kind_of(value)}")
        return default

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``; a boolean is not one."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(name, f"must be a whole number, not {kind_of(value)}")
        elif not low <= value <= high:
            self.add(name, f"must be between {low} and {high}, not {value}")
        else:
            return int(value)
        return default

    def seconds(self, name: str, default: float) -> float:
        """A duration in seconds: more than 0, at most an hour."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.add(name, f"must be a number of seconds, not {kind_of(value)}")
        elif not 0 < value <= 3600:
            self.add(name, f"must be more than 0 and at most 3600 seconds, not {value}")
        else:
            return float(value)
        return default

    def date(self, name: str, default: dt.date) -> dt.date:
        """A calendar date, written as YAML's date or a YYYY-MM-DD string; no time of day."""
        value = self.get(name)
        if value is _ABSENT:
            return default
        if isinstance(value, dt.datetime):
            self.add(name, "must be a date (YYYY-MM-DD) without a time")
        elif isinstance(value, dt.date):
            return value
        elif isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.add(name, f"must be a date as YYYY-MM-DD, not {value!r}")
        else:
            self.add(name, f"must be a date as YYYY-MM-DD, not {kind_of(value)}")
        return default

    def path(self, name: str, base: Path, must_exist: bool) -> Path | None:
        """A file path; a relative one (or ``~``) resolves against ``base``."""
        text = self.text(name, None)
        if text is None:
            return None
        path = base / Path(text).expanduser()
        if must_exist and not path.is_file():
            self.add(name, f"file not found: {path}")
        return path

    def url(self, name: str) -> str:
        """A base URL as ``normalise_url`` returns it; "" when absent or wrong."""
        text = self.text(name, "")
        if not text:
            return ""
        try:
            return normalise_url(text)
        except ValueError as exc:
            self.add(name, str(exc))
            return ""
