"""Distinctive secret values, and where to look for them: text, log records, files, exceptions."""

from __future__ import annotations

import base64
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from wooodoo.sandbox import SandboxSecrets

MARK = "LEAKCANARY"
CANARY = SandboxSecrets(
    woo_consumer_key=f"ck_{MARK}0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    woo_consumer_secret=f"cs_{MARK}f9e8d7c6b5a4938271605f4e3d2c1b0a",
    odoo_api_key=f"odookey-{MARK}5f4e3d2c1b0a99887766",
    webhook_secret=f"whsec-{MARK}-q7Zx2Lp9Vb4Nm8Kc",
)
# A second set, refused by both look-alikes (wrong credentials).
WRONG = SandboxSecrets(
    woo_consumer_key=f"ck_{MARK}ffffffffffffffffffffffffffffffff",
    woo_consumer_secret=f"cs_{MARK}wrongwrongwrongwrongwrongwrong00",
    odoo_api_key=f"odookey-{MARK}wrong000000000000",
    webhook_secret=f"whsec-{MARK}-wrong0000000000",
)
# A query string that still carries a key value (redaction writes REDACTED instead).
_KEY_IN_URL = re.compile(
    r"(consumer_key|consumer_secret|oauth_signature|api_key|password)=(?!REDACTED)[^&\s'\"]+",
    re.IGNORECASE,
)


def forms(secrets: SandboxSecrets) -> list[str]:
    """Every way a secret could show up: as is, URL-quoted, inside a Basic auth header."""
    values = [v for _, v in secrets.items()]
    basic = f"{secrets.woo_consumer_key}:{secrets.woo_consumer_secret}".encode()
    return [
        MARK,
        MARK.lower(),
        *values,
        *(quote(v, safe="") for v in values),
        base64.b64encode(basic).decode(),
        base64.b64encode(f"{secrets.woo_consumer_key}:".encode()).decode()[:24],
    ]


def leaks(text: str, *extra: str) -> list[str]:
    """What in ``text`` is a secret (the canaries, ``extra``) or a URL carrying a key value."""
    found = [form for form in (*forms(CANARY), *forms(WRONG), *extra) if form and form in text]
    found += [m.group(0) for m in _KEY_IN_URL.finditer(text)]
    return found


def assert_clean(where: str, text: str, *extra: str) -> None:
    found = leaks(text, *extra)
    assert not found, f"secret material in {where}: {found}\n---\n{text[-3000:]}"


def record_text(records: Iterable[logging.LogRecord]) -> str:
    """Every log record as a handler would see it: the message, its arguments, its traceback."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    lines = []
    for record in records:
        lines.append(formatter.format(record))
        lines.append(repr(record.args))
    return "\n".join(lines)


def audit_text(path: Path) -> str:
    """Every table's every row as text, and the raw bytes of the file and its WAL."""
    parts: list[str] = []
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                parts.append(f"{table}: {row!r}")
    finally:
        db.close()
    assert len(tables) >= 6, tables
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def state_files(directory: Path) -> Iterator[Path]:
    """Files wooodoo wrote under ``directory``: the audit store, locks, configs (not ``.env``)."""
    for file in sorted(directory.rglob("*")):
        if file.is_file() and not file.name.endswith(".env") and file.suffix != ".pem":
            yield file


def exception_chain(exc: BaseException | None) -> str:
    """An exception's message and repr, and those of what a traceback would show with it."""
    seen: list[str] = []
    while exc is not None and len(seen) < 20:
        seen.append(f"{type(exc).__name__}: {exc!s} {exc!r}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(seen)
