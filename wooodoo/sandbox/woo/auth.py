"""API-key authentication exactly as WooCommerce's ``WC_REST_Authentication`` performs it.

Over HTTPS the key may come as Basic auth or as ``consumer_key``/``consumer_secret`` query
parameters; over plain HTTP both are ignored (the request stays anonymous) and only OAuth 1.0a
one-legged signatures count (HMAC-SHA1 or HMAC-SHA256, parameters in the query string, the form
body or an ``Authorization: OAuth`` header), with a 15-minute timestamp window and nonces that
may not be reused. Unknown keys leave the request anonymous; a wrong secret or signature is an
authentication error.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oauthlib.oauth1 import Client as OAuthClient
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

from wooodoo.sandbox.woo.php import urldecode

OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
WINDOW = 15 * 60
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')


@dataclass(frozen=True)
class WooKey:
    """A REST API key; ``permissions`` is ``read``, ``write`` or ``read_write``."""

    consumer_key: str
    consumer_secret: str
    permissions: str = "read_write"
    user_id: int = 1

    def __repr__(self) -> str:  # keep secrets out of logs and assertion messages
        return f"WooKey(consumer_key='{self.consumer_key[:7]}…', permissions={self.permissions!r})"


@dataclass(frozen=True)
class Credentials:
    """What one request carries that may name a key: its transport, URL, parameters, header."""

    https: bool
    method: str
    url: str  # the home URL plus the request path, as WooCommerce rebuilds it
    query: Mapping[str, Any]
    form: Mapping[str, Any]  # form fields, which OAuth signs with the query
    authorization: str


@dataclass(frozen=True)
class AuthOutcome:
    """Who made the request: a key, nobody (anonymous), or an authentication error."""

    key: WooKey | None = None
    error_code: str = ""
    error_message: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error_code)


def _failure(code: str, message: str) -> AuthOutcome:
    return AuthOutcome(None, code, message)


ANONYMOUS = AuthOutcome()


def write_permission_error(key: WooKey, method: str) -> tuple[str, str] | None:
    """``check_permissions``: a read key may not write and a write key may not read."""
    if method in ("GET", "HEAD"):
        if key.permissions not in ("read", "read_write"):
            return (
                "woocommerce_rest_authentication_error",
                "The API key provided does not have read permissions.",
            )
        return None
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if key.permissions not in ("write", "read_write"):
            return (
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        return None
    if method == "OPTIONS":
        return None
    return ("woocommerce_rest_authentication_error", "Unknown request method.")


def _flatten(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """PHP arrays sign as ``key[index]=value``, in index order."""
    pairs: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for sub, item in value.items():
                walk(f"{key}[{sub}]", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{key}[{index}]", item)
        else:
            pairs.append((key, str(value)))

    for key in sorted(params):  # uksort( $params, 'strcmp' ) on the top-level names only
        walk(key, params[key])
    return pairs


def oauth_base_string(method: str, url: str, params: Mapping[str, Any]) -> str:
    """The string WooCommerce signs: its own parameter order, RFC 3986 encoding (oauthlib)."""
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    normalized = "&".join(
        f"{oauth_utils.escape(k)}={oauth_utils.escape(v)}" for k, v in _flatten(signed)
    )
    http_method: Any = method.upper()  # oauthlib's stubs want a literal method name
    return oauth_signature.signature_base_string(http_method, url, normalized)


def oauth_sign(base_string: str, key: WooKey, method: str) -> str:
    client = OAuthClient(key.consumer_key, client_secret=key.consumer_secret)
    if method == "HMAC-SHA256":
        signed = oauth_signature.sign_hmac_sha256_with_client(  # type: ignore[no-untyped-call]
            base_string, client
        )
        return str(signed)
    return str(oauth_signature.sign_hmac_sha1_with_client(base_string, client))


class Authenticator:
    """Checks one request's credentials; remembers OAuth nonces per key (thread-safe)."""

    def __init__(self, keys: Sequence[WooKey], now: Callable[[], float] = time.time) -> None:
        self._keys = {k.consumer_key: k for k in keys}
        self._now = now
        self._lock = threading.Lock()
        self._nonces: dict[str, dict[int, str]] = {}

    def authenticate(self, request: Credentials) -> AuthOutcome:
        error: AuthOutcome | None = None
        if request.https:
            key, error = self._basic(request.query, request.authorization)
            if key is not None:
                return AuthOutcome(key)
        outcome = self._oauth(request)
        if outcome.failed or outcome.key is not None:
            return outcome
        return error or ANONYMOUS

    def _basic(
        self, query: Mapping[str, Any], authorization: str
    ) -> tuple[WooKey | None, AuthOutcome | None]:
        consumer_key = consumer_secret = ""
        ck, cs = query.get("consumer_key"), query.get("consumer_secret")
        if isinstance(ck, str) and isinstance(cs, str) and ck and cs:
            consumer_key, consumer_secret = ck, cs
        if not consumer_key:
            consumer_key, consumer_secret = _basic_credentials(authorization)
        if not consumer_key or not consumer_secret:
            return None, None
        key = self._keys.get(consumer_key.strip())
        if key is None:
            return None, None
        if not hmac.compare_digest(key.consumer_secret.encode(), consumer_secret.encode()):
            return None, _failure(
                "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        return key, None

    def _oauth(self, request: Credentials) -> AuthOutcome:
        header = _header_params(request.authorization)
        params: dict[str, Any] = {**request.query, **request.form, **header}
        missing = [n for n in OAUTH_PARAMS if not params.get(n)]
        if len(missing) == len(OAUTH_PARAMS):
            return ANONYMOUS
        if missing:
            word = "parameter" if len(missing) == 1 else "parameters"
            return _failure(
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth {word} {', '.join(missing)}",
            )
        key = self._keys.get(str(params["oauth_consumer_key"]).strip())
        if key is None:
            return _failure("woocommerce_rest_authentication_error", "Consumer key is invalid.")
        provided = urldecode_raw(str(params["oauth_signature"]).replace(" ", "+"))
        sig_method = str(params["oauth_signature_method"])
        base_string = oauth_base_string(request.method, request.url, params)
        if sig_method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return _failure(
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
            )
        expected = oauth_sign(base_string, key, sig_method)
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            return _failure(
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        return self._timestamp_and_nonce(
            key, str(params["oauth_timestamp"]), str(params["oauth_nonce"])
        )

    def _timestamp_and_nonce(self, key: WooKey, timestamp: str, nonce: str) -> AuthOutcome:
        now = int(self._now())
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = -1
        if stamp < now - WINDOW or stamp > now + WINDOW:
            return _failure("woocommerce_rest_authentication_error", "Invalid timestamp.")
        with self._lock:
            used = self._nonces.setdefault(key.consumer_key, {})
            if nonce in used.values():
                return _failure(
                    "woocommerce_rest_authentication_error",
                    "Invalid nonce - nonce has already been used.",
                )
            # keyed by timestamp like WooCommerce: a second nonce in the same second replaces it
            used[stamp] = nonce
            for old in [t for t in used if t < now - WINDOW]:
                del used[old]
        return AuthOutcome(key)


def urldecode_raw(value: str) -> str:
    """PHP ``rawurldecode``: ``%XX`` only, ``+`` stays."""
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _basic_credentials(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return "", ""
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else ("", "")


def _header_params(authorization: str) -> dict[str, str]:
    header = authorization.strip()
    if not header.startswith("OAuth "):
        return {}
    params: dict[str, str] = {}
    for match in _HEADER_PARAM.finditer(header):
        raw = match.group(3) if match.group(3) else match.group(4)
        params[match.group(1)] = urldecode(raw or "")
    params.pop("realm", None)
    return params
