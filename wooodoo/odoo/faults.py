"""Odoo failures (XML-RPC faults, JSON-2 error bodies) mapped to wooodoo errors by one table."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from wooodoo.errors import (
    AuthError,
    NotFoundError,
    OdooRecordError,
    RemoteRequestError,
    TransientError,
    WooodooError,
)

MAX_MESSAGE = 1500


@dataclass(frozen=True)
class OdooFailure:
    """One failure as Odoo reported it, whatever the transport.

    ``name`` is the exception class (``odoo.exceptions.MissingError``, ``ValueError``...; "" when
    Odoo did not say), ``message`` Odoo's own words (never a whole traceback).
    """

    name: str
    message: str
    status: int | None = None  # HTTP status (JSON-2)
    fault_code: int | str | None = None  # XML-RPC faultCode

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1].replace(" ", "")


# --- Reading what Odoo sent -------------------------------------------------------------------

# Odoo's XML-RPC fault codes on /xmlrpc/2/ (odoo/service/wsgi_server.py up to 15, then
# addons/base/controllers/rpc.py): 1 any other exception (faultString is the traceback),
# 2 UserError and subclasses, 3 AccessDenied, 4 AccessError.
_CODE_NAMES = {
    2: "odoo.exceptions.UserError",
    3: "odoo.exceptions.AccessDenied",
    4: "odoo.exceptions.AccessError",
}
_MISSING_RECORD = "Record does not exist or has been deleted"
_EXC_HEADER = re.compile(
    r"^(?P<name>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*"
    r"(?:Error|Exception|Warning|Denied|Failure|Detected|Available|NotFound|Unauthorized"
    r"|Forbidden|except_orm)): ?(?P<msg>.*)$"
)
# Legacy /xmlrpc/ (no "/2/") string faults: 'warning -- UserError\n\n<message>', 'AccessDenied'.
_STRING_WARNING = re.compile(r"^warning -- (?P<name>[^\n]*)\n\n(?P<msg>.*)$", re.DOTALL)


def from_fault(code: int | str, text: str) -> OdooFailure:
    """An XML-RPC fault as a failure (integer codes of /xmlrpc/2/ and legacy string codes)."""
    if isinstance(code, str):
        return _from_string_fault(code, text)
    if code == 1:
        name, message = parse_traceback(text)
        return OdooFailure(name, message, fault_code=code)
    name = _CODE_NAMES.get(code, "")
    message = _clip(text)
    if code == 2 and message.startswith(_MISSING_RECORD):
        name = "odoo.exceptions.MissingError"
    return OdooFailure(name, message, fault_code=code)


def _from_string_fault(code: str, text: str) -> OdooFailure:
    if code == "AccessDenied":
        return OdooFailure("odoo.exceptions.AccessDenied", text.strip() or code, fault_code=code)
    warning = _STRING_WARNING.match(code)
    if warning:
        return OdooFailure(
            f"odoo.exceptions.{warning['name'].replace(' ', '')}",
            _clip(warning["msg"].strip()),
            fault_code=code,
        )
    # Any other exception: the code is the message, the string the traceback.
    name, _ = parse_traceback(text)
    return OdooFailure(name, _clip(code.strip()), fault_code=code)


def from_json2(status: int, body: Any) -> OdooFailure | None:
    """A JSON-2 error body (``name``, ``message``, ``arguments``, ``debug``), or None."""
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        return None
    message = body.get("message")
    if not isinstance(message, str) or not message:
        message = body["name"]
    return OdooFailure(body["name"], _clip(message.strip()), status=status)


def parse_traceback(text: str) -> tuple[str, str]:
    """(exception name, message) from a Python traceback, possibly trimmed at the start.

    The last exception of a chain is the one raised to the caller: its header is the first
    unindented line after the last ``File`` frame; the lines after it continue its message.
    """
    lines = text.rstrip().splitlines()
    last_frame = max((i for i, line in enumerate(lines) if line.startswith("  File ")), default=-1)
    for i in range(last_frame + 1, len(lines)):
        line = lines[i]
        if line and not line[0].isspace():
            header = _EXC_HEADER.match(line)
            if header:
                rest = [header["msg"], *lines[i + 1 :]]
                return header["name"], _clip("\n".join(rest).strip())
            break
    for line in reversed(lines):
        header = _EXC_HEADER.match(line)
        if header:
            return header["name"], _clip(header["msg"].strip())
    meaningful = [line.strip() for line in lines if line.strip()]
    if not meaningful:
        return "", ""
    if len(meaningful) == 1:
        return "", _clip(meaningful[0])
    return "", _clip(f"{meaningful[0]} … {meaningful[-1]}")


def _clip(text: str) -> str:
    """Odoo's message, trimmed; Odoo 13's ``except_orm`` tuple ``('message', None)`` unwrapped."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and len(text) < 20_000:
        try:
            value = ast.literal_eval(text.replace("\n", "\\n"))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, tuple) and all(isinstance(v, str | None) for v in value):
            text = "\n".join(v for v in value if v) or text
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


# --- The table ----------------------------------------------------------------------------------

Kind = Literal["transient", "auth", "database", "not_found", "record", "request"]


@dataclass(frozen=True)
class Rule:
    """One line of the table: matches on exception name, fault code, HTTP status or message."""

    kind: Kind
    names: frozenset[str] = frozenset()  # short names: "MissingError", "SerializationFailure"
    codes: frozenset[int | str] = frozenset()
    statuses: frozenset[int] = frozenset()
    message: re.Pattern[str] | None = None

    def matches(self, failure: OdooFailure) -> bool:
        return (
            failure.short_name in self.names
            or (failure.fault_code is not None and failure.fault_code in self.codes)
            or (failure.status is not None and failure.status in self.statuses)
            or bool(self.message and self.message.search(failure.message))
        )


def _rule(
    kind: Kind,
    *,
    names: Iterable[str] = (),
    codes: Iterable[int | str] = (),
    statuses: Iterable[int] = (),
    message: str | None = None,
) -> Rule:
    return Rule(
        kind,
        frozenset(names),
        frozenset(codes),
        frozenset(statuses),
        re.compile(message, re.IGNORECASE) if message else None,
    )


# First match wins. Order matters: a concurrency failure can come as any exception class, and a
# MissingError answers 404 like an unknown model does.
TABLE: tuple[Rule, ...] = (
    _rule(
        "transient",
        names={
            "SerializationFailure",
            "TransactionRollbackError",
            "DeadlockDetected",
            "LockNotAvailable",
            "ConcurrencyError",
            "PoolError",
        },
        message=(
            r"could not serialize access|concurrent update|deadlock detected"
            r"|could not obtain lock|connection pool is full"
        ),
    ),
    _rule("database", message=r"database [\"'][^\"']*[\"'] (?:does not exist|not found)"),
    _rule(
        "auth",
        names={"AccessDenied", "Unauthorized", "SessionExpiredException"},
        codes={3, "AccessDenied"},
        statuses={401},
    ),
    _rule(
        "not_found",
        message=(
            r"^Object \S+ doesn't exist|^the model '[^']*' does not exist"
            r"|^The method '[^']*' does not exist|^type object '[^']*' has no attribute '"
        ),
    ),
    _rule(
        "record",
        names={
            "MissingError",
            "UserError",
            "ValidationError",
            "RedirectWarning",
            "AccessError",
            "Warning",
            "except_orm",
        },
        codes={2, 4},
        message=r"^Invalid field |" + _MISSING_RECORD,
    ),
    _rule("not_found", names={"NotFound"}, statuses={404}),
    _rule("transient", statuses={429, 502, 503, 504}),
)


def kind_of(failure: OdooFailure) -> Kind:
    """The table's verdict; "request" when no line matches (a call Odoo refused outright)."""
    for rule in TABLE:
        if rule.matches(failure):
            return rule.kind
    return "request"


def auth_error(tenant: str, *, detail: str = "", legacy_password: bool = False) -> AuthError:
    """The one message for a refused key, naming the tenant and the next step."""
    if legacy_password:
        hint = (
            f"Odoo 13 has no API keys: store the Odoo user's password as the odoo_api_key "
            f"secret (`wooodoo secrets set --tenant {tenant} odoo_api_key`) and check odoo.login."
        )
    else:
        hint = (
            f"Create a new API key in Odoo (user menu → Preferences → Account Security → "
            f"New API Key) for odoo.login, then store it with "
            f"`wooodoo secrets set --tenant {tenant} odoo_api_key`."
        )
    return AuthError(
        f"Odoo refused the API key of tenant {tenant}: key invalid, expired or revoked",
        problems=[f"Odoo said: {detail}"] if detail else (),
        hint=hint,
    )


def to_error(
    failure: OdooFailure,
    *,
    what: str,
    tenant: str,
    secrets: Iterable[str] = (),
    legacy_password: bool = False,
) -> WooodooError:
    """The wooodoo error for an Odoo failure; Odoo's message kept, secrets scrubbed."""
    scrub = _scrubber(secrets)
    message = scrub(failure.message) or failure.short_name or "no message"
    name = failure.name or (str(failure.fault_code) if failure.fault_code is not None else "")
    kind = kind_of(failure)
    if kind == "transient":
        return TransientError(f"{what}: {message}")
    if kind == "auth":
        return auth_error(tenant, detail=message, legacy_password=legacy_password)
    if kind == "database":
        return NotFoundError(
            f"{what}: {message}",
            code="database",
            status=failure.status,
            hint=f"Check odoo.database of tenant {tenant}.",
        )
    if kind == "not_found":
        return NotFoundError(
            f"{what}: {message}",
            code=name,
            status=failure.status,
            hint="Is the Odoo app that provides this model installed (Invoicing, Contacts)?",
        )
    if kind == "record":
        return OdooRecordError(f"{what}: {message}", code=name, status=failure.status)
    return RemoteRequestError(f"{what}: {message}", code=name, status=failure.status)


def _scrubber(secrets: Iterable[str]) -> Callable[[str], str]:
    found = [s for s in secrets if s]

    def scrub(text: str) -> str:
        for secret in found:
            text = text.replace(secret, "REDACTED")
        return text

    return scrub
