"""Open an Odoo connection: detect the version, pick the transport, find the database, log in."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from wooodoo.errors import ConfigError, NotFoundError, RemoteError
from wooodoo.http import RetryPolicy, make_session, redact_url
from wooodoo.odoo import json2, xmlrpc
from wooodoo.odoo.json2 import JsonTwoApi
from wooodoo.odoo.protocol import ApiName, OdooApi, OdooVersion
from wooodoo.odoo.transport import Channel
from wooodoo.odoo.xmlrpc import XmlRpcApi

log = logging.getLogger("wooodoo.odoo")

ApiChoice = Literal["auto", "xmlrpc", "json2"]
Lister = Callable[..., list[str] | None]

_warned_xmlrpc: set[str] = set()


def connect(
    url: str,
    *,
    database: str | None,
    login: str,
    api_key: str,
    api: ApiChoice = "auto",
    ca_bundle: Path | None = None,
    timeout: float = 30.0,
    retry: RetryPolicy | None = None,
    tenant: str,
) -> OdooApi:
    """An authenticated connection, JSON-2 on 19+ and XML-RPC below unless ``api`` forces one.

    Errors: ConfigError (json2 forced on a pre-19 server, database ambiguous or unknown, no
    Odoo at the URL), AuthError (key refused), TransientError (unreachable after retries).
    """
    channel = Channel(
        url,
        session=make_session(ca_bundle=ca_bundle),
        timeout=timeout,
        retry=retry or RetryPolicy(),
    )
    try:
        version = detect_version(channel, tenant=tenant, prefer_json2=api == "json2")
        chosen = choose_api(api, version, url=url, tenant=tenant)
        log.debug("tenant %s: Odoo %s, using %s", tenant, version.label, chosen)
        if chosen == "xmlrpc":
            return _login_xmlrpc(channel, version, database, login, api_key, tenant)
        return _login_json2(channel, version, database, api_key, tenant)
    except BaseException:
        channel.close()
        raise


def detect_version(channel: Channel, *, tenant: str, prefer_json2: bool = False) -> OdooVersion:
    """The server's version: XML-RPC ``version()`` (all versions) or ``/web/version`` (19+)."""
    probes: list[Callable[..., dict[str, Any]]] = [xmlrpc.server_version, json2.web_version]
    if prefer_json2:
        probes.reverse()
    for probe in probes:
        try:
            return parse_version(probe(channel, tenant=tenant))
        except NotFoundError:
            continue
    raise ConfigError(
        f"No Odoo answers at {redact_url(channel.url)} (tenant {tenant}): "
        "neither /xmlrpc/2/common nor /web/version exist there",
        hint="Check odoo.url: the root address of the Odoo server, e.g. https://acme.odoo.com",
    )


def parse_version(payload: dict[str, Any]) -> OdooVersion:
    """From ``version()`` (``server_version_info``) or ``/web/version`` (``version_info``)."""
    info = payload.get("server_version_info", payload.get("version_info"))
    label = str(payload.get("server_version") or payload.get("version") or "")
    major = minor = None
    if isinstance(info, list | tuple) and len(info) >= 2:
        # SaaS releases say ("saas~18", 3, ...): the major is the number in the first item.
        major, minor = _number(info[0]), _number(info[1])
    if major is None or minor is None:
        found = re.search(r"(\d+)\.(\d+)", label)
        if not found:
            raise RemoteError(f"Odoo answered an unrecognised version: {label or payload!r}")
        major, minor = int(found[1]), int(found[2])
    return OdooVersion(major, minor, label or f"{major}.{minor}")


def _number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    found = re.search(r"(\d+)$", str(value))
    return int(found[1]) if found else None


def choose_api(api: str, version: OdooVersion, *, url: str, tenant: str) -> ApiName:
    if api == "json2":
        if not version.has_json2:
            raise ConfigError(
                f"Odoo at {redact_url(url)} (tenant {tenant}) is {version.label}; "
                "api: json2 needs Odoo 19 or later",
                hint=f"Set odoo.api of tenant {tenant} to auto or xmlrpc.",
            )
        return "json2"
    if api == "xmlrpc":
        if version.has_json2 and tenant not in _warned_xmlrpc:
            _warned_xmlrpc.add(tenant)
            log.warning(
                "tenant %s: Odoo %s deprecates XML-RPC and will remove it; "
                "set odoo.api to auto or json2",
                tenant,
                version.label,
            )
        return "xmlrpc"
    if api == "auto":
        return "json2" if version.has_json2 else "xmlrpc"
    raise ConfigError(f"odoo.api of tenant {tenant} is {api!r}: use auto, xmlrpc or json2")


def discover_database(channel: Channel, *, tenant: str, lister: Lister) -> str | None:
    """The one database the server lists, the Odoo Online subdomain, or None.

    ConfigError when the server lists several: guessing would write into the wrong books.
    """
    names = lister(channel, tenant=tenant)
    if names and len(names) == 1:
        return names[0]
    if names:
        shown = ", ".join(sorted(names)[:10])
        raise ConfigError(
            f"Odoo at {redact_url(channel.url)} has {len(names)} databases ({shown}): "
            f"tenant {tenant} must say which one",
            hint=f"Set odoo.database of tenant {tenant}.",
        )
    guess = odoo_online_database(channel.url)
    if guess:
        log.info(
            "tenant %s: database not listed; using %s from the Odoo Online address", tenant, guess
        )
    return guess


def odoo_online_database(url: str) -> str | None:
    """``https://<db>.odoo.com``: on Odoo Online the database is the subdomain."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) == 3 and host.endswith(".odoo.com"):
        return labels[0]
    return None


def _no_database(channel: Channel, tenant: str) -> ConfigError:
    return ConfigError(
        f"Odoo at {redact_url(channel.url)} does not list its databases: "
        f"tenant {tenant} must say which one",
        hint=f"Set odoo.database of tenant {tenant}.",
    )


def _unknown_database(exc: NotFoundError, tenant: str) -> ConfigError:
    return ConfigError(
        f"Odoo has no such database (tenant {tenant}): {exc.message}",
        hint=f"Check odoo.database of tenant {tenant}.",
    )


def _login_xmlrpc(
    channel: Channel,
    version: OdooVersion,
    database: str | None,
    login: str,
    api_key: str,
    tenant: str,
) -> XmlRpcApi:
    db = database or discover_database(channel, tenant=tenant, lister=xmlrpc.list_databases)
    if not db:
        raise _no_database(channel, tenant)
    try:
        uid = xmlrpc.authenticate(
            channel, database=db, login=login, api_key=api_key, tenant=tenant, version=version
        )
    except NotFoundError as exc:
        if exc.code == "database":
            raise _unknown_database(exc, tenant) from exc
        raise
    return XmlRpcApi(channel, version=version, database=db, uid=uid, api_key=api_key, tenant=tenant)


def _login_json2(
    channel: Channel,
    version: OdooVersion,
    database: str | None,
    api_key: str,
    tenant: str,
) -> JsonTwoApi:
    # Without a database the server's dbfilter may still pick one: try before asking the user.
    db = database or discover_database(channel, tenant=tenant, lister=json2.list_databases)
    client = JsonTwoApi(channel, version=version, database=db, api_key=api_key, tenant=tenant)
    try:
        # One cheap read proves the key (JSON-2 has no login step; 401 means refused).
        client.call("res.partner", "search_count", domain=[["id", "=", 0]])
    except NotFoundError as exc:
        if exc.code == "database":
            raise _unknown_database(exc, tenant) from exc
        if db is None:
            raise _no_database(channel, tenant) from exc
        raise
    except RemoteError as exc:
        if db is None and type(exc) is RemoteError:
            raise _no_database(channel, tenant) from exc
        raise
    return client
