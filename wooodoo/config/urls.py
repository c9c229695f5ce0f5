"""Base URL rules: https except loopback, no credentials in the URL, Odoo Online databases."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

_ODOO_ONLINE = re.compile(r"([a-z0-9][a-z0-9-]*)\.odoo\.com")
# Query parameter names that carry a credential (WooCommerce's keys, OAuth, API keys).
_CREDENTIAL_PARAM = re.compile(r"consumer_|secret|key|token|passw|signature|auth", re.IGNORECASE)
_KEYRING = "credentials belong in the OS keyring (wooodoo secrets set)"


def normalise_url(value: str) -> str:
    """A base URL without trailing slash; ValueError says what is wrong with it.

    http or https only, https unless the host is loopback; no user info, query or fragment;
    a path is kept (WordPress in a subdirectory).
    """
    if not value or any(c.isspace() for c in value):
        raise ValueError("must be a URL without spaces")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must start with https://")
    if "@" in parts.netloc:
        raise ValueError(f"must not contain user info (user:password@); {_KEYRING}")
    host = parts.hostname
    if not host:
        raise ValueError("has no host name")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError("has an invalid port") from None
    if any(_CREDENTIAL_PARAM.search(name) for name, _ in parse_qsl(parts.query)):
        raise ValueError(
            f"must not carry keys in its query (consumer_key and the like); {_KEYRING}"
        )
    if "?" in value:
        raise ValueError("must not contain a query (?...)")
    if "#" in value:
        raise ValueError("must not contain a fragment (#...)")
    if scheme == "http" and not is_loopback_host(host):
        raise ValueError("must use https (only loopback may use http)")
    return urlunsplit((scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (brackets allowed)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def odoo_online_database(url: str) -> str | None:
    """The database of an Odoo Online URL (its subdomain), None for any other server."""
    match = _ODOO_ONLINE.fullmatch(urlsplit(url).hostname or "")
    return match.group(1) if match else None
