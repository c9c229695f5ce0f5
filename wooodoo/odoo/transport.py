"""What both Odoo transports share: one session, counted requests, safe retries, closing."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Self, TypeVar

import requests
import urllib3.exceptions

from wooodoo import jsoncodec
from wooodoo.errors import NotProcessedError, RemoteRequestError, TransientError
from wooodoo.http import RetryPolicy, parse_retry_after, redact_url, transient_from_exception
from wooodoo.odoo.protocol import FieldNames, OdooVersion

log = logging.getLogger("wooodoo.odoo")

T = TypeVar("T")

# Calls that change nothing in Odoo: repeating them after a failure is always safe.
READ_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "read",
        "read_group",
        "fields_get",
        "name_search",
        "default_get",
        "context_get",
        "check_access_rights",
        "has_access",
    }
)
# Model methods: Odoo refuses ids for them (JSON-2 answers 422), so do we, on both transports.
MODEL_METHODS = frozenset({"create", "search", "search_count", "search_read", "fields_get"})


class _Stop(Exception):
    """Carries an error through RetryPolicy without it being retried."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Channel:
    """One Odoo base URL over one ``requests`` session: timeouts, TLS and retries shared."""

    def __init__(
        self,
        url: str,
        *,
        session: requests.Session,
        timeout: float,
        retry: RetryPolicy,
    ) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.retry = retry
        self.requests_sent = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; connection failures become TransientError.

        Bodies are never logged: the XML-RPC body carries the API key.
        """
        self.requests_sent += 1
        started = time.monotonic()
        try:
            resp = self.session.request(
                method,
                self.url + path,
                data=data,
                headers=dict(headers or {}),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            if _never_connected(exc):
                raise NotProcessedError(
                    f"{what}: {type(exc).__name__} (could not connect)"
                ) from exc
            raise transient_from_exception(exc, what) from exc
        log.debug(
            "%s %s %s -> HTTP %d in %.0f ms",
            method,
            redact_url(self.url + path),
            what,
            resp.status_code,
            (time.monotonic() - started) * 1000,
        )
        if resp.status_code == 429:
            raise NotProcessedError(
                f"{what}: HTTP 429 Too Many Requests",
                retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            )
        if resp.is_redirect:
            location = redact_url(resp.headers.get("Location", ""))
            raise RemoteRequestError(
                f"{what}: HTTP {resp.status_code} redirect to {location or 'elsewhere'}",
                status=resp.status_code,
                hint="Set odoo.url to the address Odoo redirects to (https, no path).",
            )
        return resp

    def run(self, send: Callable[[], T], *, retry: bool, what: str) -> T:
        """Run ``send`` under the retry policy.

        ``retry=True`` (reads): every TransientError is retried. ``retry=False`` (writes): only
        failures where Odoo never saw the call are; the rest reach the caller at once, so it can
        look the record up by its idempotency key before sending the write again.
        """
        if retry:
            return self.retry.call(send, what=what)

        def once() -> T:
            try:
                return send()
            except NotProcessedError:
                raise
            except TransientError as exc:
                raise _Stop(exc) from exc

        try:
            return self.retry.call(once, what=what)
        except _Stop as stop:
            raise stop.error from stop.error.__cause__

    def close(self) -> None:
        self.session.close()


class Connection(ABC):
    """One authenticated connection, whichever transport: ``call``'s retry rule and closing.

    Each transport says only how one attempt at a call is sent (``_sender``).
    """

    def __init__(
        self,
        channel: Channel,
        *,
        version: OdooVersion,
        database: str | None,
        api_key: str,
        tenant: str,
        uid: int | None = None,
    ) -> None:
        self.channel = channel
        self.version = version
        self.fields = FieldNames.for_version(version)
        self.database = database
        self.uid = uid
        self.tenant = tenant
        self._api_key = api_key

    @property
    def requests_sent(self) -> int:
        return self.channel.requests_sent

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: Sequence[int] | None = None,
        retry: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """``OdooApi.call``: reads are retried, writes only where Odoo never saw them."""
        what = what_of(model, method, self.tenant)
        send = self._sender(model, method, ids, kwargs, what)
        return self.channel.run(
            send, retry=method in READ_METHODS if retry is None else retry, what=what
        )

    @abstractmethod
    def _sender(
        self, model: str, method: str, ids: Sequence[int] | None, kwargs: dict[str, Any], what: str
    ) -> Callable[[], Any]:
        """One attempt at the call, ready to run under the retry policy."""

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channel.url!r}, version={self.version.label!r})"


def _never_connected(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_wire(value: Any) -> Any:
    """Values as Odoo expects them on both transports: Decimal as float, dates as strings.

    Money stays Decimal up to here; Odoo's float fields are where it becomes a float.
    """
    kind = type(value)
    if kind in _PLAIN:  # most of a payload: leaves that go as they are (no ABC checks)
        return value
    if kind is dict:
        return {str(k): to_wire(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [to_wire(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime sent to Odoo: make it timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_wire(v) for v in value]
    return value


def wire_json(value: Any) -> bytes:
    """``value`` as JSON-2 sends it: ``to_wire``'s values, with the leaves that JSON lacks
    converted as the encoder meets them instead of copying the whole payload first (a batch's
    create is a hundred invoices)."""
    return jsoncodec.dumps(value, default=_wire_leaf)


def _wire_leaf(value: Any) -> Any:
    if isinstance(value, Decimal | datetime | date):
        return to_wire(value)
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be sent to Odoo")


def decimal_of(value: Any) -> Decimal:
    """An amount Odoo sent, as Decimal (None and False are 0)."""
    # Odoo sends floats; their repr is the shortest exact decimal (14.99 stays 14.99).
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value or 0))


def check_ids(method: str, ids: Sequence[int] | None) -> None:
    if ids is not None and method in MODEL_METHODS:
        raise TypeError(f"{method} is a model method: it takes no ids")


def what_of(model: str, method: str, tenant: str) -> str:
    return f"Odoo {model}.{method} (tenant {tenant})"
