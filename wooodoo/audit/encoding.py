"""How the audit log writes values: UTC times as ISO text, payload snapshots without secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

SECRET_FIELDS = frozenset(
    {"consumer_key", "consumer_secret", "api_key", "password", "secret", "webhook_secret", "token"}
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """A time ``now_iso`` wrote, timezone-aware (it keeps its UTC offset)."""
    return datetime.fromisoformat(text)


_NESTED = (dict, list, tuple)


def scrub(payload: Any) -> Any:
    """A copy of ``payload`` with anything that looks like a secret removed."""
    if isinstance(payload, dict):
        return {
            k: (
                "REDACTED"
                if str(k).lower() in SECRET_FIELDS
                else scrub(v)
                if isinstance(v, _NESTED)
                else v  # a leaf: most of a payload, kept without a call
            )
            for k, v in payload.items()
        }
    if isinstance(payload, _NESTED):
        return [scrub(v) if isinstance(v, _NESTED) else v for v in payload]
    return payload
