"""Configuration rules: every problem reported exactly, and all of them at once."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.config.helpers import DELETE, T, patch, problems_of
from wooodoo.config import load_config
from wooodoo.errors import ConfigError

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
        T + "woocommerce.url: must not contain user info (user:password@); credentials belong in"
        " the OS keyring (wooodoo secrets set)",
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


def test_missing_ca_bundle_is_an_error(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    patch(config_data, "woocommerce.ca_bundle", "nope.pem")
    assert problems_of(write_config(tmp_path, config_data)) == (
        T + f"woocommerce.ca_bundle: file not found: {tmp_path / 'nope.pem'}",
    )


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
