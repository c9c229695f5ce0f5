"""The file's layout: top level, tenants and their woocommerce, odoo and sync sections."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import get_args
from urllib.parse import urlsplit

from wooodoo.config import model
from wooodoo.config.locate import default_audit_db
from wooodoo.config.readers import Problems, Section, as_text
from wooodoo.config.urls import odoo_online_database
from wooodoo.secrets import SecretName, env_var_name, env_var_prefix

_TOP_KEYS = ("audit_db", "tenants")
_TENANT_KEYS = ("woocommerce", "odoo", "sync")
_WOO_KEYS = tuple(f.name for f in fields(model.WooConfig))
_ODOO_KEYS = tuple(f.name for f in fields(model.OdooConfig))
_SYNC_KEYS = tuple(f.name for f in fields(model.SyncConfig))
_ACCOUNT_KEYS = tuple(f.name for f in fields(model.Accounts))
# Keys people write their keys under, by section, and the secret each one is.
_INLINE_SECRETS: dict[str, dict[str, SecretName]] = {
    "tenant": {"webhook_secret": "webhook_secret"},
    "woocommerce": {
        **{k: "woo_consumer_key" for k in ("consumer_key", "woo_consumer_key", "key", "ck")},
        **{k: "woo_consumer_secret" for k in ("consumer_secret", "woo_consumer_secret", "cs")},
        "secret": "woo_consumer_secret",
        "webhook_secret": "webhook_secret",
    },
    "odoo": {k: "odoo_api_key" for k in ("api_key", "odoo_api_key", "apikey", "key", "password")},
}
# Keys that would turn TLS verification off: there is no such setting, ca_bundle is the way.
_TLS_OFF = ("verify", "verify_ssl", "ssl_verify", "verify_tls", "tls_verify", "insecure")
_TLS_OFF_PROBLEM = (
    "TLS verification cannot be turned off; for a server with a private or self-signed"
    " certificate, name its CA in ca_bundle (a PEM file)"
)
# First path segments that show an API address was given instead of the server root.
_ODOO_API_SEGMENTS = ("web", "odoo", "xmlrpc", "json", "jsonrpc")


def read_config(data: object, path: Path, problems: Problems) -> model.Config:
    """The configuration parsed from ``path``; what is wrong goes to ``problems``."""
    if data is None:
        problems.add("", "the file is empty; it needs at least one tenant under 'tenants:'")
        return model.Config(audit_db=default_audit_db(), tenants={}, path=path)
    base = path.parent
    top = Section.read(data, "", problems, _TOP_KEYS, required=("tenants",))
    audit_db = top.path("audit_db", base, must_exist=False) or default_audit_db()
    return model.Config(audit_db=audit_db, tenants=_tenants(top, base), path=path)


def _tenants(top: Section, base: Path) -> dict[str, model.TenantConfig]:
    raw = top.mapping("tenants", "tenant name to settings")
    if raw is None:
        return {}
    if not raw:
        top.add("tenants", "no tenants defined; add at least one")
    tenants: dict[str, model.TenantConfig] = {}
    prefixes: dict[str, str] = {}
    for raw_name, body in raw.items():
        name = as_text(raw_name) or str(raw_name)
        if not model.TENANT_NAME_RE.fullmatch(name):
            top.add("tenants", f"tenant name {name!r} must use only a-z, 0-9, '_' and '-'")
        prefix = env_var_prefix(name)
        if prefix in prefixes:
            top.add(
                "tenants",
                f"tenant names {prefixes[prefix]!r} and {name!r} share the environment "
                f"variable prefix {prefix}; rename one",
            )
        prefixes.setdefault(prefix, name)
        tenants[name] = _tenant(name, body, top.problems.within(f"tenant {name!r}"), base)
    return tenants


def _tenant(name: str, body: object, problems: Problems, base: Path) -> model.TenantConfig:
    refused = {part: _secret_refusals(name, keys) for part, keys in _INLINE_SECRETS.items()}
    for side in ("woocommerce", "odoo"):
        refused[side].update(dict.fromkeys(_TLS_OFF, _TLS_OFF_PROBLEM))
    sec = Section.read(body, "", problems, _TENANT_KEYS, _TENANT_KEYS, refused["tenant"])
    woo = sec.section("woocommerce", _WOO_KEYS, ("url", "auth"), refused["woocommerce"])
    odoo = sec.section("odoo", _ODOO_KEYS, ("url", "login"), refused["odoo"])
    return model.TenantConfig(
        name=name,
        woocommerce=_woo(woo, base),
        odoo=_odoo(odoo, base),
        sync=_sync(sec.section("sync", _SYNC_KEYS, required=("since", "accounts"))),
    )


def _secret_refusals(tenant: str, keys: dict[str, SecretName]) -> dict[str, str]:
    """What to say about each key that holds a secret: where that secret goes instead."""
    return {
        key: f"a secret does not belong in the configuration file; store it with"
        f" `wooodoo secrets set --tenant {tenant} {name}` (or set"
        f" {env_var_name(tenant, name)}) and remove this line"
        for key, name in keys.items()
    }


def _woo(sec: Section, base: Path) -> model.WooConfig:
    url = sec.url("url")
    auth: model.WooAuth = sec.choice("auth", get_args(model.WooAuth), "basic")
    if "/wp-json" in url:
        sec.add(
            "url", "must be the store root, without /wp-json/... (wooodoo adds the REST API path)"
        )
    if url.startswith("http:") and auth != "oauth1" and sec.has("auth"):
        # A store only accepts Basic auth and query-string keys over TLS.
        sec.add("auth", f"{auth!r} works only over https; a plain http store needs oauth1")
    return model.WooConfig(
        url=url,
        auth=auth,
        ca_bundle=sec.path("ca_bundle", base, must_exist=True),
        timeout=sec.seconds("timeout", 30.0),
        per_page=sec.integer("per_page", 100, 1, 100),
    )


def _odoo(sec: Section, base: Path) -> model.OdooConfig:
    url = sec.url("url")
    database = sec.text("database", None)
    first_segment = urlsplit(url).path.lstrip("/").partition("/")[0]
    if first_segment in _ODOO_API_SEGMENTS:
        sec.add(
            "url", f"must be the server root, without /{first_segment} (wooodoo adds the API paths)"
        )
    online = odoo_online_database(url)
    if online and database is None:
        database = online
    elif online and database != online:
        sec.add(
            "database",
            f"{database!r} does not match the Odoo Online database "
            f"{online!r} of {url}; remove the key or fix it",
        )
    return model.OdooConfig(
        url=url,
        database=database,
        login=sec.text("login", ""),
        api=sec.choice("api", get_args(model.OdooApiChoice), "auto"),
        timeout=sec.seconds("timeout", 120.0),
        ca_bundle=sec.path("ca_bundle", base, must_exist=True),
    )


def _sync(sec: Section) -> model.SyncConfig:
    acc = sec.section("accounts", _ACCOUNT_KEYS, required=("products",))
    products = acc.text("products", "")
    return model.SyncConfig(
        since=sec.date("since", dt.date.min),
        accounts=model.Accounts(
            products=products,
            shipping=acc.text("shipping", products),
            fees=acc.text("fees", products),
            refunds=acc.text("refunds", products),
        ),
        statuses=sec.choices(
            "statuses", model.WOO_STATUSES, model.DEFAULT_STATUSES, "order status"
        ),
        post=sec.boolean("post", True),
        journal=sec.text("journal", None),
        taxes=sec.texts(
            "taxes",
            "WooCommerce tax rate id or code to Odoo tax name",
            key_is="a tax rate id or rate code",
            value_is="an Odoo tax name",
        ),
        products=sec.choice("products", get_args(model.ProductMatching), "none"),
        batch_size=sec.integer("batch_size", 100, 1, 100),
        overlap_seconds=sec.integer("overlap_seconds", 300, 0, 86400),
        tax_adjust=sec.boolean("tax_adjust", True),
        on_cancel=sec.choice("on_cancel", get_args(model.CancelPolicy), "reverse"),
        on_amend=sec.choice("on_amend", get_args(model.AmendPolicy), "flag"),
        payments=sec.texts(
            "payments",
            "WooCommerce payment method to Odoo journal code",
            key_is="a WooCommerce payment method id (such as bacs or stripe)",
            value_is="an Odoo journal code",
        ),
        refund_tax=sec.choice("refund_tax", get_args(model.RefundTax), "split"),
    )
