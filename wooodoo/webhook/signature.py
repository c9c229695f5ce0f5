"""A delivery's signature, as WooCommerce computes it, and captured headers files (no I/O)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from wooodoo.errors import UsageError

SIGNATURE_HEADER: Final = "X-WC-Webhook-Signature"

_FIELD_NAME: Final = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # an HTTP field name (RFC 9110 token)
_HEADER_LINE: Final = re.compile(rf"({_FIELD_NAME}):[ \t]*(.*?)[ \t]*")
_START_LINE: Final = re.compile(r"HTTP(?:/\S+)? \d{3}\b.*|[A-Z]+ \S+ HTTP/\S+")
_MAX_PROBLEMS: Final = 5


def _key(secret: str) -> bytes:
    # surrogateescape gives back the exact bytes of a secret read from a non-UTF-8 environment.
    return secret.encode("utf-8", "surrogateescape")


def sign(body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(body, secret)): the value of ``X-WC-Webhook-Signature``."""
    digest = hmac.new(_key(secret), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, secret: str, signature: str | None) -> bool:
    """Whether ``signature`` is the raw ``body``'s, compared in constant time; never raises."""
    if not signature or not signature.isascii():
        return False
    try:
        expected = sign(body, secret)
    except UnicodeEncodeError:  # a lone surrogate: no store could have signed with it
        return False
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))


class HeadersFileError(UsageError):
    """A captured headers file cannot be read; the message names the file, never its values."""

    def __init__(
        self, source: str, reason: str, *, problems: Iterable[str] = (), hint: str | None = None
    ) -> None:
        super().__init__(f"headers file {source}: {reason}", problems=problems, hint=hint)
        self.source = source


class MalformedHeadersError(HeadersFileError):
    """A headers file that is neither a capture (JSON) nor ``Name: value`` lines."""


class Headers(Mapping[str, str]):
    """Header values by case-insensitive name; a repeated header's values joined by ``, ``."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._fields: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            earlier = self._fields.get(name.lower())
            joined = f"{earlier[1]}, {value}" if earlier else value
            self._fields[name.lower()] = (earlier[0] if earlier else name, joined)

    def __getitem__(self, name: object) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._fields[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"  # names only: a value may be a signature


def parse_headers(data: bytes, source: str) -> Headers:
    """The headers of a captured delivery: a capture's JSON or HTTP-style ``Name: value`` lines.

    ``source`` names the file in errors. In the line format ``#`` comments and a request or
    status line before the headers are skipped, and a blank line after them ends them.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedHeadersError(source, f"not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith(("{", "[")):
        return Headers(_json_pairs(text, source))
    return Headers(_line_pairs(text, source))


def _json_pairs(text: str, source: str) -> list[tuple[str, str]]:
    try:
        capture = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedHeadersError(source, f"not valid JSON (line {exc.lineno})") from None
    fields = capture.get("headers") if isinstance(capture, dict) else None
    if isinstance(fields, dict):
        fields = list(fields.items())
    if not isinstance(fields, list):
        raise MalformedHeadersError(
            source, 'a capture needs "headers": a list of [name, value] pairs'
        )
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for index, field in enumerate(fields):
        if (
            isinstance(field, list | tuple)
            and len(field) == 2
            and all(isinstance(part, str) for part in field)
            and re.fullmatch(_FIELD_NAME, field[0])
        ):
            pairs.append((field[0], field[1]))
        else:
            problems.append(f"headers[{index}] is not a [name, value] pair of strings")
    _raise_problems(source, problems)
    return pairs


def _line_pairs(text: str, source: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        if not line.strip():
            if pairs:
                break  # what follows the headers is the body
            continue
        header = _HEADER_LINE.fullmatch(line)
        if header:
            pairs.append((header[1], header[2]))
        elif pairs or problems or not _START_LINE.fullmatch(line):
            problems.append(f"line {number} is not a `Name: value` header")
    _raise_problems(source, problems)
    return pairs


def _raise_problems(source: str, problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"and {len(problems) - len(shown)} more")
    raise MalformedHeadersError(
        source,
        "not a captured delivery (JSON with a headers list) nor `Name: value` lines",
        problems=shown,
    )
