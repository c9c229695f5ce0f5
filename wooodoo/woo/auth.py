"""WooCommerce REST authentication: Basic, query-string keys, OAuth 1.0a one-legged signatures."""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from wooodoo.http import install_log_redaction

AuthMode = Literal["basic", "query", "oauth1"]
SignatureMethod = Literal["HMAC-SHA256", "HMAC-SHA1"]
AUTH_MODES: tuple[AuthMode, ...] = ("basic", "query", "oauth1")


class QueryKeyAuth(AuthBase):
    """``consumer_key``/``consumer_secret`` in the query string, for hosts that strip
    the Authorization header. WooCommerce accepts them over HTTPS only."""

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        self._key = consumer_key
        self._secret = consumer_secret

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.prepare_url(r.url, {"consumer_key": self._key, "consumer_secret": self._secret})
        return r

    def __repr__(self) -> str:
        return "QueryKeyAuth(consumer_key=REDACTED, consumer_secret=REDACTED)"


class WooOAuth1(AuthBase):
    """OAuth 1.0a one-legged, parameters in the query string, as WooCommerce checks it.

    WooCommerce rebuilds the base string from PHP's ``$_GET``: it signs ``status[]=a``
    as ``status[0]=a`` and keeps only the last of repeated plain keys. We therefore send
    bracket lists with explicit indexes, refuse repeated plain keys, and drop any
    ``oauth_*`` parameter already in the URL (a ``Link`` URL repeats the old signature).
    Signing happens when requests prepares each attempt, so every retry gets a fresh
    nonce and timestamp.
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        signature_method: SignatureMethod = "HMAC-SHA256",
    ) -> None:
        from requests_oauthlib import OAuth1  # only shops reached over plain HTTP sign

        self._oauth = OAuth1(
            consumer_key,
            client_secret=consumer_secret,
            signature_method=signature_method,
            signature_type="query",
        )
        self.signature_method = signature_method

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.url = php_compatible_query(r.url or "")
        signed: requests.PreparedRequest = self._oauth(r)
        return signed

    def __repr__(self) -> str:
        return f"WooOAuth1(consumer_key=REDACTED, signature_method={self.signature_method})"


def php_compatible_query(url: str) -> str:
    """The URL with ``oauth_*`` removed and ``name[]`` lists indexed the way PHP reads them."""
    parts = urlsplit(url)
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("oauth_")
    ]
    counts: dict[str, int] = {}
    for key, _ in pairs:
        if key.endswith("[]"):
            counts[key] = counts.get(key, 0) + 1
    seen_plain: set[str] = set()
    positions: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if key.endswith("[]"):
            index = positions.get(key, 0)
            positions[key] = index + 1
            # Equal-width indexes keep PHP's insertion order equal to OAuth's sorted order.
            width = len(str(counts[key] - 1))
            key = f"{key[:-2]}[{index:0{width}d}]"
        elif key in seen_plain:
            raise ValueError(f"query parameter {key!r} repeated: PHP would keep only the last")
        else:
            seen_plain.add(key)
        out.append((key, value))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(out, safe=","), parts.fragment)
    )


def make_auth(
    mode: AuthMode,
    consumer_key: str,
    consumer_secret: str,
    *,
    signature_method: SignatureMethod = "HMAC-SHA256",
) -> AuthBase:
    """The requests auth object for ``mode``."""
    install_log_redaction()
    if mode == "basic":
        return HTTPBasicAuth(consumer_key, consumer_secret)
    if mode == "query":
        return QueryKeyAuth(consumer_key, consumer_secret)
    if mode == "oauth1":
        return WooOAuth1(consumer_key, consumer_secret, signature_method)
    raise ValueError(f"unknown WooCommerce auth mode {mode!r}; use one of {', '.join(AUTH_MODES)}")


def refused_hint(base_url: str, mode: AuthMode, store_message: str = "") -> str:
    """The next step after WooCommerce refused our credentials."""
    if urlsplit(base_url).scheme == "http" and mode in ("basic", "query"):
        return (
            "WooCommerce ignores Basic auth and consumer_key/consumer_secret query parameters "
            "over plain HTTP (the request counts as anonymous): use the https:// store URL, "
            "or set auth: oauth1."
        )
    if "timestamp" in store_message.lower():
        return "The store refused the OAuth timestamp: check this machine's clock (±15 minutes)."
    return (
        "Check the consumer key and secret (WooCommerce → Settings → Advanced → REST API); "
        "the key needs Read access and its user must be allowed to manage WooCommerce."
    )
