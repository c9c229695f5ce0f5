"""Shared HTTP layer: session factory, response classification, retry policy, URL redaction."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import tenacity

from wooodoo import __version__
from wooodoo.errors import (
    AuthError,
    NotFoundError,
    RemoteError,
    RemoteRequestError,
    TimedOutError,
    TransientError,
    WooodooError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

USER_AGENT = f"wooodoo/{__version__}"
RETRIABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
SENSITIVE_PARAMS = frozenset(
    {
        "consumer_key",
        "consumer_secret",
        "oauth_consumer_key",
        "oauth_signature",
        "oauth_token",
        "api_key",
        "apikey",
        "key",
        "password",
        "secret",
        "token",
        "access_token",
    }
)

# ``name=value`` of a sensitive parameter inside free text: a server's error message that
# quotes the request (a proxy, a WAF, a plugin) would otherwise quote the keys of `auth: query`.
_SENSITIVE_IN_TEXT = re.compile(
    r"\b(" + "|".join(sorted(SENSITIVE_PARAMS, key=len, reverse=True)) + r")(=|%3D)[^&\s\"'<>]*",
    re.IGNORECASE,
)


class _Session(requests.Session):
    """A session that takes only proxies from the environment, each origin's read once.

    Plain requests (``trust_env``) reads the environment on every request, and more than
    proxies: REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE would replace ``session.verify`` (silently
    dropping a tenant's ``ca_bundle``, or trusting a private CA for a tenant without one), and
    a ``~/.netrc`` entry for the host would replace the ``Authorization`` header that carries
    Odoo's API key with its own Basic login. The proxy variables (HTTPS_PROXY, NO_PROXY...)
    are still honoured, read the first time each origin is asked for.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self._environment_proxies: dict[tuple[str, str], dict[str, str]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        proxies = {**self._proxies_for(str(url)), **(proxies or {})}
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        settings["verify"] = self.verify  # True (the public CAs) or the tenant's ca_bundle
        return settings

    def _proxies_for(self, url: str) -> dict[str, str]:
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._environment_proxies:
            found = requests.utils.get_environ_proxies(url)
            self._environment_proxies[origin] = {k: v for k, v in found.items() if v}
        return self._environment_proxies[origin]


def make_session(*, ca_bundle: Path | None = None) -> requests.Session:
    """A session with TLS verification always on; ``ca_bundle`` names the CAs to trust."""
    install_log_redaction()
    session = _Session()
    session.verify = str(ca_bundle) if ca_bundle else True
    session.headers["User-Agent"] = USER_AGENT
    # Retries are ours (tenacity), with classification; urllib3 must not retry behind our back.
    adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=4)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def redact_text(text: str) -> str:
    """Free text (a remote's error message) with the values of sensitive parameters removed."""
    return _SENSITIVE_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}REDACTED", text)


def redact_url(url: str) -> str:
    """The URL with credentials removed: user info and sensitive query values."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 literal keeps its brackets
        netloc = f"[{netloc}]"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = urlencode(
        [
            (k, "REDACTED" if k.lower() in SENSITIVE_PARAMS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="[]",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class _RedactUrlArgs(logging.Filter):
    """Redacts URL-like arguments of a library's debug records (urllib3 logs the query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(a) if isinstance(a, str) and "?" in a else a for a in record.args
            )
        return True


class _OnlyWarnings(logging.Filter):
    """Drops a library's debug and info records (oauthlib logs base strings and signatures)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


# Logger filters apply only to records created on that exact logger, hence the full names.
_LOG_FILTERS: dict[str, logging.Filter] = {
    "urllib3.connectionpool": _RedactUrlArgs(),
    "requests_oauthlib.oauth1_auth": _OnlyWarnings(),
    "oauthlib": _OnlyWarnings(),
    "oauthlib.oauth1.rfc5849": _OnlyWarnings(),
    "oauthlib.oauth1.rfc5849.signature": _OnlyWarnings(),
}


def install_log_redaction() -> None:
    """Keep keys out of third-party debug logs (idempotent; a process-wide logging setting)."""
    for name, flt in _LOG_FILTERS.items():
        logger = logging.getLogger(name)
        if flt not in logger.filters:
            logger.addFilter(flt)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


ErrorDescriber = Callable[[Any], tuple[str, str]]
"""Turns a parsed JSON error body into (code, message) in the remote's own words."""


def _looks_like_json(resp: requests.Response) -> bool:
    ctype = resp.headers.get("Content-Type", "").lower()
    return "json" in ctype


def json_or_transient(resp: requests.Response, what: str) -> Any:
    """Parse a 2xx body as JSON; HTML, PHP notices or garbage become a TransientError."""
    # Some WordPress plugins emit a UTF-8 byte order mark before every response.
    text = resp.text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except ValueError:
        pass
    stripped = text.lstrip()
    if stripped.startswith("<") and ("{" in stripped or "[" in stripped) and "<b>" in stripped:
        reason = "a PHP notice or warning before the JSON"
    elif stripped.startswith("<"):
        reason = "an HTML page instead of JSON (a proxy, WAF or maintenance page?)"
    else:
        reason = "a body that is not JSON"
    raise TransientError(
        f"{what}: HTTP {resp.status_code} with {reason}",
        retry_after=parse_retry_after(resp.headers.get("Retry-After")),
    )


def classify(resp: requests.Response, what: str, describe: ErrorDescriber) -> Any:
    """Classify a response once: return the parsed JSON of a success, raise otherwise.

    Retriable (TransientError): 429, 5xx, HTML or non-JSON bodies. Fatal: 401/403 (AuthError),
    404 (NotFoundError), other 4xx (RemoteRequestError), each with the remote's code and message.
    """
    status = resp.status_code
    if 200 <= status < 300:
        return json_or_transient(resp, what)
    code, message = "", ""
    if _looks_like_json(resp):
        try:
            code, message = describe(resp.json())
        except (ValueError, KeyError, TypeError, AttributeError):
            code, message = "", ""
    detail = f"{code}: {message}" if code and message else (message or code or resp.reason)
    detail = redact_text(detail)
    if status == 504:  # the gateway stopped waiting; the server behind it may go on
        raise TimedOutError(
            f"{what}: HTTP 504 {detail}".rstrip(),
            retry_after=parse_retry_after(resp.headers.get("Retry-After")),
        )
    if status in RETRIABLE_STATUS or status >= 500:
        raise TransientError(
            f"{what}: HTTP {status} {detail}".rstrip(),
            retry_after=parse_retry_after(resp.headers.get("Retry-After")),
        )
    if status in (401, 403):
        raise AuthError(f"{what}: HTTP {status} {detail}".rstrip())
    if status == 404:
        raise NotFoundError(f"{what}: HTTP 404 {detail}".rstrip(), code=code, status=status)
    raise RemoteRequestError(f"{what}: HTTP {status} {detail}".rstrip(), code=code, status=status)


def transient_from_exception(exc: requests.RequestException, what: str) -> TransientError:
    """A connection error, timeout or broken body as a retriable error (URL redacted).

    A TLS failure is raised at once as a RemoteError instead: retrying cannot fix it.
    """
    kind = type(exc).__name__
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return TimedOutError(f"{what}: no answer in time ({kind}); the call may still be running")
    if isinstance(exc, requests.exceptions.SSLError):
        # Retrying cannot fix a certificate; the message must never carry a URL with keys.
        raise RemoteError(
            f"{what}: the TLS certificate was not accepted",
            hint="Check the URL and, for a self-signed server, the ca_bundle setting.",
        ) from None
    return TransientError(f"{what}: {kind} (connection dropped, refused or timed out)")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with jittered exponential backoff that honours Retry-After.

    Bounded twice: by ``attempts`` and by ``total_seconds``, counted as time spent plus the
    next wait, so a wait that would end past the budget (a long Retry-After) is not started.
    ``sleep`` is injectable so tests need not wait.
    """

    attempts: int = 6
    total_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def wait(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        backoff = min(self.max_delay, self.base_delay * 2 ** (retry_state.attempt_number - 1))
        delay = random.uniform(backoff / 2, backoff)
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            # The server said when: honour it (the budget check in _stop may refuse to wait).
            delay = max(delay, exc.retry_after)
        return delay

    def _stop(self, retry_state: tenacity.RetryCallState) -> bool:
        if retry_state.attempt_number >= self.attempts:
            return True
        spent = max(retry_state.seconds_since_start or 0.0, retry_state.idle_for)
        return spent + retry_state.upcoming_sleep > self.total_seconds

    def call(self, fn: Callable[[], T], *, what: str = "") -> T:
        """Run ``fn``; retry TransientError within the bounds; re-raise the last error."""
        started = time.monotonic()

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "retrying %s in %.1fs after attempt %d: %s",
                what or "call",
                state.upcoming_sleep,
                state.attempt_number,
                exc,
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TransientError),
            stop=self._stop,
            wait=self.wait,
            sleep=self.sleep,
            reraise=True,
            before_sleep=before_sleep,
        )
        try:
            return retrying(fn)
        except TransientError as exc:
            elapsed = time.monotonic() - started
            attempts = retrying.statistics.get("attempt_number", 1)
            idle = retrying.statistics.get("idle_for", 0.0)
            spent = max(elapsed, idle)
            why = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {spent:.1f}s"
            if (
                exc.retry_after is not None
                and attempts < self.attempts
                and spent + exc.retry_after > self.total_seconds
            ):
                why += (
                    f"; the server asked to wait {exc.retry_after:.0f}s, beyond the retry "
                    f"budget of {self.total_seconds:.0f}s"
                )
            raise TransientError(
                f"{exc.message} ({why})",
                retry_after=exc.retry_after,
                problems=exc.problems,
                hint=exc.hint,
            ) from exc


NO_RETRY = RetryPolicy(attempts=1, total_seconds=0.0)

__all__ = [
    "NO_RETRY",
    "USER_AGENT",
    "ErrorDescriber",
    "RetryPolicy",
    "WooodooError",
    "classify",
    "install_log_redaction",
    "json_or_transient",
    "make_session",
    "parse_retry_after",
    "redact_text",
    "redact_url",
    "transient_from_exception",
]
