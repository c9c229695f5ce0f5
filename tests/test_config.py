"""Configuration loading: every rule, every problem at once, defaults and the shipped example."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from wooodoo.config import (
    DEFAULT_STATUSES,
    Accounts,
    OdooConfig,
    SyncConfig,
    WooConfig,
    load_config,
    locate_config,
    select_tenants,
)
from wooodoo.errors import EXIT_USAGE, ConfigError, UsageError
from wooodoo.urls import is_loopback_host, normalise_url, odoo_online_database

REPO = Path(__file__).resolve().parent.parent
DELETE = object()
T = "config.yaml: tenant 'acme': "


def patch(data: dict[str, Any], dotted: str, value: object) -> dict[str, Any]:
    """Set (or with DELETE remove) ``a.b.c`` inside the tenant ``acme``."""
    node: Any = data["tenants"]["acme"]
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


def problems_of(path: Path) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.exit_code == EXIT_USAGE
    return info.value.problems


INVALID = [
    pytest.param(
        "woocommerce.url",
        "http://shop.acme.example",
        T + "woocommerce.url: must use https (only loopback may use http)",
        id="http-not-loopback",
    ),
    pytest.param(
        "woocommerce.url",
        "https://ck:cs@shop.acme.example",
        T + "woocommerce.url: must not contain user info (credentials belong in the keyring)",
        id="user-info",
    ),
    pytest.param(
        "woocommerce.url",
        "https://shop.acme.example/?lang=de",
        T + "woocommerce.url: must not contain a query (?...)",
        id="query",
    ),
    pytest.param(
        "odoo.url",
        "https://acme.odoo.com/#home",
        T + "odoo.url: must not contain a fragment (#...)",
        id="fragment",
    ),
    pytest.param(
        "woocommerce.url",
        "ftp://shop.acme.example",
        T + "woocommerce.url: must start with https://",
        id="scheme",
    ),
    pytest.param(
        "woocommerce.url",
        "shop.acme.example",
        T + "woocommerce.url: must start with https://",
        id="no-scheme",
    ),
    pytest.param(
        "woocommerce.url",
        "https://shop.acme.example:99999",
        T + "woocommerce.url: has an invalid port",
        id="bad-port",
    ),
    pytest.param(
        "woocommerce.url",
        "https://shop.acme.example /",
        T + "woocommerce.url: must be a URL without spaces",
        id="space",
    ),
    pytest.param(
        "woocommerce.url",
        "https://shop.acme.example/wp-json/wc/v3",
        T + "woocommerce.url: must be the store root, without /wp-json/... "
        "(wooodoo adds the REST API path)",
        id="wp-json-in-url",
    ),
    pytest.param(
        "woocommerce.url", 42, T + "woocommerce.url: must start with https://", id="url-number"
    ),
    pytest.param(
        "woocommerce.auth",
        "Basic",
        T + "woocommerce.auth: must be one of basic, query, oauth1, not 'Basic'",
        id="auth-case",
    ),
    pytest.param("woocommerce.auth", DELETE, T + "woocommerce.auth: required", id="auth-missing"),
    pytest.param(
        "woocommerce.timeout",
        "30",
        T + "woocommerce.timeout: must be a number of seconds, not a string",
        id="timeout-string",
    ),
    pytest.param(
        "woocommerce.timeout",
        True,
        T + "woocommerce.timeout: must be a number of seconds, not a boolean",
        id="timeout-bool",
    ),
    pytest.param(
        "odoo.timeout",
        0,
        T + "odoo.timeout: must be more than 0 and at most 3600 seconds, not 0",
        id="timeout-zero",
    ),
    pytest.param(
        "woocommerce.per_page",
        101,
        T + "woocommerce.per_page: must be between 1 and 100, not 101",
        id="per-page-too-big",
    ),
    pytest.param(
        "odoo.database",
        "other",
        T + "odoo.database: 'other' does not match the Odoo Online database 'acme' of "
        "https://acme.odoo.com; remove the key or fix it",
        id="odoo-online-database-mismatch",
    ),
    pytest.param("odoo.login", DELETE, T + "odoo.login: required", id="login-missing"),
    pytest.param("odoo.login", "  ", T + "odoo.login: must not be blank", id="login-blank"),
    pytest.param(
        "odoo.api",
        "jsonrpc",
        T + "odoo.api: must be one of auto, xmlrpc, json2, not 'jsonrpc'",
        id="api",
    ),
    pytest.param(
        "odoo.url",
        "https://acme.odoo.com/odoo",
        T + "odoo.url: must be the server root, without /odoo (wooodoo adds the API paths)",
        id="odoo-url-path",
    ),
    pytest.param(
        "sync.since",
        "yesterday",
        T + "sync.since: must be a date as YYYY-MM-DD, not 'yesterday'",
        id="since-text",
    ),
    pytest.param(
        "sync.since",
        dt.datetime(2026, 1, 1, 10, 30),
        T + "sync.since: must be a date (YYYY-MM-DD) without a time",
        id="since-datetime",
    ),
    pytest.param("sync.since", DELETE, T + "sync.since: required", id="since-missing"),
    pytest.param(
        "sync.statuses",
        ["processing", "complete"],
        T + "sync.statuses: unknown order status 'complete' (did you mean 'completed'?); known: "
        "pending, processing, on-hold, completed, cancelled, refunded, failed, checkout-draft",
        id="status-typo",
    ),
    pytest.param(
        "sync.statuses",
        "completed",
        T + "sync.statuses: must be a non-empty list, not a string",
        id="statuses-not-list",
    ),
    pytest.param(
        "sync.statuses",
        [],
        T + "sync.statuses: must be a non-empty list, not a list",
        id="statuses-empty",
    ),
    pytest.param(
        "sync.post", "yes", T + "sync.post: must be true or false, not a string", id="post-string"
    ),
    pytest.param(
        "sync.batch_size",
        0,
        T + "sync.batch_size: must be between 1 and 100, not 0",
        id="batch-size-zero",
    ),
    pytest.param(
        "sync.batch_size",
        True,
        T + "sync.batch_size: must be a whole number, not a boolean",
        id="batch-size-bool",
    ),
    pytest.param(
        "sync.overlap_seconds",
        1.5,
        T + "sync.overlap_seconds: must be a whole number, not a decimal number",
        id="overlap-float",
    ),
    pytest.param(
        "sync.products",
        "by-sku",
        T + "sync.products: must be one of none, sku, not 'by-sku'",
        id="products",
    ),
    pytest.param(
        "sync.accounts",
        {"shipping": "400100"},
        T + "sync.accounts.products: required",
        id="products-account-missing",
    ),
    pytest.param(
        "sync.accounts",
        ["400000"],
        T + "sync.accounts: must be a mapping of keys, not a list",
        id="accounts-list",
    ),
    pytest.param(
        "sync.journal",
        True,
        T + "sync.journal: must be a string, not a boolean (quote it)",
        id="journal-bool",
    ),
    pytest.param(
        "sync.taxes",
        {1: ""},
        T + "sync.taxes.1: must not be blank",
        id="tax-blank",
    ),
    pytest.param(
        "sync.taxes",
        {1: ["19%"]},
        T + "sync.taxes.1: must be an Odoo tax name, not a list",
        id="tax-list",
    ),
    pytest.param(
        "sync.taxes",
        ["19% DE"],
        T + "sync.taxes: must be a mapping of WooCommerce tax rate id or code to Odoo tax name, "
        "not a list",
        id="taxes-list",
    ),
    pytest.param(
        "sync.taxes",
        {1: "19% DE", "1": "19% DE"},
        T + "sync.taxes.1: given twice",
        id="tax-key-twice",
    ),
    pytest.param(
        "sync.statuss",
        ["completed"],
        T + "sync.statuss: unknown key (did you mean 'statuses'?)",
        id="unknown-key-suggested",
    ),
    pytest.param(
        "woocommerce.colour",
        "blue",
        T + "woocommerce.colour: unknown key",
        id="unknown-key-no-suggestion",
    ),
    pytest.param("odoo", DELETE, T + "odoo: required", id="section-missing"),
    pytest.param(
        "sync", "daily", T + "sync: must be a mapping of keys, not a string", id="section-scalar"
    ),
]


@pytest.mark.parametrize(("dotted", "value", "expected"), INVALID)
def test_invalid_config_reports_the_exact_problem(
    tmp_path: Path,
    write_config: Any,
    config_data: dict[str, Any],
    dotted: str,
    value: object,
    expected: str,
) -> None:
    path = write_config(tmp_path, patch(config_data, dotted, value))
    assert problems_of(path) == (expected,)


def test_every_problem_is_reported_at_once(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    beta = copy.deepcopy(patch(config_data, "odoo.api", "rest")["tenants"]["acme"])
    config_data["tenants"]["beta"] = {**beta, "woocommerce": {"url": "http://b.example"}}
    patch(config_data, "sync.batch_size", 500)
    config_data["audit_db"] = True
    path = write_config(tmp_path, config_data)

    with pytest.raises(ConfigError) as info:
        load_config(path)

    assert info.value.message == f"invalid configuration in {path}"
    assert set(info.value.problems) == {
        "config.yaml: audit_db: must be a string, not a boolean (quote it)",
        T + "odoo.api: must be one of auto, xmlrpc, json2, not 'rest'",
        T + "sync.batch_size: must be between 1 and 100, not 500",
        "config.yaml: tenant 'beta': woocommerce.auth: required",
        "config.yaml: tenant 'beta': woocommerce.url: must use https (only loopback may use http)",
        "config.yaml: tenant 'beta': odoo.api: must be one of auto, xmlrpc, json2, not 'rest'",
    }
    assert "wooodoo init" in str(info.value)


@pytest.mark.parametrize(
    ("tenants", "expected"),
    [
        pytest.param(
            ["Acme"],
            "config.yaml: tenants: tenant name 'Acme' must use only a-z, 0-9, '_' and '-'",
            id="upper-case",
        ),
        pytest.param(
            ["acme eu"],
            "config.yaml: tenants: tenant name 'acme eu' must use only a-z, 0-9, '_' and '-'",
            id="space",
        ),
        pytest.param(
            ["acme-eu", "acme_eu"],
            "config.yaml: tenants: tenant names 'acme-eu' and 'acme_eu' share the environment "
            "variable prefix WOOODOO_ACME_EU_; rename one",
            id="env-prefix-collision",
        ),
    ],
)
def test_tenant_names(
    tmp_path: Path,
    write_config: Any,
    config_data: dict[str, Any],
    tenants: list[str],
    expected: str,
) -> None:
    body = config_data["tenants"]["acme"]
    config_data["tenants"] = {name: body for name in tenants}
    assert problems_of(write_config(tmp_path, config_data)) == (expected,)


def test_top_level_unknown_key_suggests_the_right_one(tmp_path: Path, write_config: Any) -> None:
    path = write_config(tmp_path, "tenant:\n  acme: {}\n")
    assert problems_of(path) == (
        "config.yaml: tenant: unknown key (did you mean 'tenants'?)",
        "config.yaml: tenants: required",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "",
            "config.yaml: the file is empty; it needs at least one tenant under 'tenants:'",
            id="empty",
        ),
        pytest.param(
            "# only comments\n",
            "config.yaml: the file is empty; it needs at least one tenant under 'tenants:'",
            id="comments-only",
        ),
        pytest.param(
            "tenants: {}\n",
            "config.yaml: tenants: no tenants defined; add at least one",
            id="no-tenants",
        ),
        pytest.param(
            "tenants: [acme]\n",
            "config.yaml: tenants: must be a mapping of tenant name to settings, not a list",
            id="tenants-list",
        ),
        pytest.param(
            "- acme\n", "config.yaml: must be a mapping of keys, not a list", id="top-level-list"
        ),
    ],
)
def test_empty_or_malformed_files(
    tmp_path: Path, write_config: Any, text: str, expected: str
) -> None:
    assert problems_of(write_config(tmp_path, text)) == (expected,)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path, write_config: Any) -> None:
    path = write_config(tmp_path, "tenants:\n  acme:\n    odoo: {url: x\n  beta: 1\n")
    (problem,) = problems_of(path)
    assert problem == (
        "config.yaml: line 4, column 7: YAML syntax error: expected ',' or '}', but got ':' "
        "(while parsing a flow mapping started on line 3)"
    )


def test_duplicate_keys_are_reported_not_silently_merged(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:

    tenant = yaml.safe_dump({"acme": config_data["tenants"]["acme"]}, sort_keys=False)
    indented = "".join("  " + line for line in tenant.splitlines(keepends=True))
    path = write_config(tmp_path, "tenants:\n" + indented + indented)
    second_line = 2 + len(tenant.splitlines())
    assert problems_of(path) == (
        f"config.yaml: line {second_line}: duplicate key 'acme' (first on line 2); "
        "YAML would silently keep only the last one",
    )


def test_defaults(tmp_path: Path, write_config: Any, config_data: dict[str, Any]) -> None:
    config = load_config(write_config(tmp_path, config_data))
    tenant = config.tenants["acme"]

    state_home = Path(os.environ["XDG_STATE_HOME"])
    assert config.audit_db == state_home / "wooodoo" / "audit.sqlite3"
    assert config.path == tmp_path / "config.yaml"
    assert tenant.woocommerce == WooConfig(url="https://shop.acme.example", auth="basic")
    assert tenant.odoo == OdooConfig(
        url="https://acme.odoo.com", database="acme", login="sync@acme.example"
    )
    assert tenant.sync == SyncConfig(
        since=dt.date(2026, 1, 1), accounts=Accounts("400000", "400000", "400000", "400000")
    )
    assert tenant.sync.statuses == DEFAULT_STATUSES == ("processing", "completed")
    assert (tenant.sync.batch_size, tenant.sync.overlap_seconds) == (100, 300)
    assert (tenant.sync.post, tenant.sync.tax_adjust, tenant.sync.products) == (True, True, "none")
    assert tenant.sync.journal is None
    assert dict(tenant.sync.taxes) == {}


def test_values_are_frozen(tmp_path: Path, write_config: Any, config_data: dict[str, Any]) -> None:
    patch(config_data, "sync.taxes", {1: "19% DE"})
    tenant = load_config(write_config(tmp_path, config_data)).tenants["acme"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tenant.sync.post = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        tenant.sync.taxes["2"] = "7% DE"  # type: ignore[index]


def test_yaml_numbers_keep_their_spelling_as_codes(tmp_path: Path, write_config: Any) -> None:
    # Unquoted account codes and rate ids are YAML integers; 0400 would even be octal 256.
    text = (
        "tenants:\n  acme:\n"
        "    woocommerce: {url: 'https://shop.acme.example', auth: basic}\n"
        "    odoo: {url: 'https://acme.odoo.com', login: sync}\n"
        "    sync:\n"
        "      since: 2026-01-01\n"
        "      accounts: {products: 400000, shipping: 0400}\n"
        "      taxes: {1: 19% DE, 12: 7, DE-MWST-1: '19% DE'}\n"
        "      statuses: [completed, completed, processing]\n"
    )
    sync = load_config(write_config(tmp_path, text)).tenants["acme"].sync
    assert sync.accounts == Accounts("400000", "0400", "400000", "400000")
    assert dict(sync.taxes) == {"1": "19% DE", "12": "7", "DE-MWST-1": "19% DE"}
    assert sync.statuses == ("completed", "processing")
    assert sync.since == dt.date(2026, 1, 1)


def test_paths_resolve_next_to_the_config_file(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    conf_dir = tmp_path / "etc"
    (conf_dir / "certs").mkdir(parents=True)
    (conf_dir / "certs" / "ca.pem").write_text("pem")
    config_data["audit_db"] = "state/audit.db"
    patch(config_data, "woocommerce.ca_bundle", "certs/ca.pem")
    patch(config_data, "odoo.ca_bundle", "~/odoo-ca.pem")
    home = Path(os.environ["HOME"])
    (home / "odoo-ca.pem").write_text("pem")

    config = load_config(write_config(conf_dir, config_data))

    assert config.audit_db == conf_dir / "state" / "audit.db"
    assert config.tenants["acme"].woocommerce.ca_bundle == conf_dir / "certs" / "ca.pem"
    assert config.tenants["acme"].odoo.ca_bundle == home / "odoo-ca.pem"


def test_missing_ca_bundle_is_an_error(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    patch(config_data, "woocommerce.ca_bundle", "nope.pem")
    assert problems_of(write_config(tmp_path, config_data)) == (
        T + f"woocommerce.ca_bundle: file not found: {tmp_path / 'nope.pem'}",
    )


@pytest.mark.parametrize(
    ("url", "database", "expected"),
    [
        pytest.param("https://acme.odoo.com", None, "acme", id="online-derived"),
        pytest.param("https://acme.odoo.com/", "acme", "acme", id="online-given-same"),
        pytest.param("https://ACME-2.odoo.com", None, "acme-2", id="online-case"),
        pytest.param("https://erp.acme.example", None, None, id="self-hosted-discovered-later"),
        pytest.param("https://acme-main-123.dev.odoo.com", None, None, id="not-online-shape"),
        pytest.param("https://acme.odoo.sh", "acme-prod", "acme-prod", id="odoo-sh"),
    ],
)
def test_odoo_database(
    tmp_path: Path,
    write_config: Any,
    config_data: dict[str, Any],
    url: str,
    database: str | None,
    expected: str | None,
) -> None:
    patch(config_data, "odoo.url", url)
    if database is not None:
        patch(config_data, "odoo.database", database)
    odoo = load_config(write_config(tmp_path, config_data)).tenants["acme"].odoo
    assert odoo.database == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://shop.acme.example/", "https://shop.acme.example"),
        ("HTTPS://Shop.Acme.Example", "https://shop.acme.example"),
        ("https://acme.example/shop//", "https://acme.example/shop"),
        ("https://acme.example:8443/wp/", "https://acme.example:8443/wp"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.9.9.9/", "http://127.9.9.9"),
        ("http://localhost:8069", "http://localhost:8069"),
        ("http://[::1]:8069/", "http://[::1]:8069"),
    ],
)
def test_url_normalisation(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1", "must use https (only loopback may use http)"),
        ("http://localhost.example", "must use https (only loopback may use http)"),
        ("http://[::2]", "must use https (only loopback may use http)"),
        ("https://user@acme.example", "must not contain user info"),
        ("https://acme.example/?", "must not contain a query"),
        ("https://acme.example/#", "must not contain a fragment"),
        ("https://", "must start with https://"),
        ("", "must be a URL without spaces"),
    ],
)
def test_url_rejections(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^" + re.escape(reason)):
        normalise_url(url)


def test_loopback_and_online_helpers() -> None:
    assert is_loopback_host("LOCALHOST")
    assert is_loopback_host("::1")
    assert not is_loopback_host("example.com")
    assert not is_loopback_host("128.0.0.1")
    assert odoo_online_database("https://shop42.odoo.com/") == "shop42"
    assert odoo_online_database("https://odoo.com") is None


def test_plain_http_store_needs_oauth1(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    patch(config_data, "woocommerce.url", "http://127.0.0.1:8080")
    for auth in ("basic", "query"):
        patch(config_data, "woocommerce.auth", auth)
        assert problems_of(write_config(tmp_path, config_data)) == (
            T + f"woocommerce.auth: {auth!r} works only over https; "
            "a plain http store needs oauth1",
        )
    patch(config_data, "woocommerce.auth", "oauth1")
    woo = load_config(write_config(tmp_path, config_data)).tenants["acme"].woocommerce
    assert (woo.url, woo.auth) == ("http://127.0.0.1:8080", "oauth1")


def test_missing_file_tells_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.yaml")
    assert info.value.message == f"no configuration file at {tmp_path / 'absent.yaml'}"
    assert "wooodoo init" in (info.value.hint or "")
    assert "--config" in (info.value.hint or "")


def test_locate_config_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_home = Path(os.environ["XDG_CONFIG_HOME"])
    assert locate_config() == config_home / "wooodoo" / "config.yaml"
    monkeypatch.setenv("WOOODOO_CONFIG", str(tmp_path / "env.yaml"))
    assert locate_config() == tmp_path / "env.yaml"
    assert locate_config(tmp_path / "flag.yaml") == tmp_path / "flag.yaml"


def test_select_tenants(tmp_path: Path, write_config: Any, config_data: dict[str, Any]) -> None:
    body = config_data["tenants"]["acme"]
    config_data["tenants"] = {"acme": body, "beta": body, "gamma": body}
    config = load_config(write_config(tmp_path, config_data))

    assert [t.name for t in select_tenants(config, [])] == ["acme", "beta", "gamma"]
    assert [t.name for t in select_tenants(config, ["gamma", "acme", "gamma"])] == [
        "gamma",
        "acme",
    ]
    with pytest.raises(UsageError) as info:
        select_tenants(config, ["acme", "zeta", "omega"])
    assert info.value.exit_code == EXIT_USAGE
    assert info.value.message == "unknown tenants 'zeta', 'omega'"
    assert info.value.hint == f"Tenants in {config.path}: acme, beta, gamma."


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(REPO / "config.example.yaml", id="repository"),
        pytest.param(Path(str(resources.files("wooodoo") / "config.example.yaml")), id="package"),
    ],
)
def test_example_config_loads(example: Path) -> None:
    config = load_config(example)
    acme = config.tenants["acme"]
    assert acme.odoo.database == "acme"
    assert dict(acme.sync.taxes) == {"1": "19% DE", "2": "7% DE"}


def test_example_config_documents_every_key() -> None:
    text = (REPO / "config.example.yaml").read_text()
    keys = {"audit_db", "tenants", "woocommerce", "odoo", "sync"}
    for cls in (WooConfig, OdooConfig, SyncConfig, Accounts):
        keys |= {f.name for f in dataclasses.fields(cls)}
    undocumented = {key for key in keys if f"{key}:" not in text}
    assert not undocumented
