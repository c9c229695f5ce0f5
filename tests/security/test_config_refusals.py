"""Secrets written into the config file, and URLs carrying credentials, are refused: with a
pointer to where the secret goes, and without repeating the value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import WriteConfig
from tests.security.canary import CANARY, assert_clean
from wooodoo.cli import main
from wooodoo.config import load_config
from wooodoo.errors import EXIT_USAGE, ConfigError

KEY, SECRET, ODOO = CANARY.woo_consumer_key, CANARY.woo_consumer_secret, CANARY.odoo_api_key


def _set(data: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    node = data["tenants"]["acme"] if parents[:1] != ["top"] else data
    for part in parents[1:] if parents[:1] == ["top"] else parents:
        node = node[part]
    node[last] = value


INLINE = [
    ("woocommerce.consumer_key", KEY, "woo_consumer_key"),
    ("woocommerce.consumer_secret", SECRET, "woo_consumer_secret"),
    ("woocommerce.key", KEY, "woo_consumer_key"),
    ("woocommerce.secret", SECRET, "woo_consumer_secret"),
    ("odoo.api_key", ODOO, "odoo_api_key"),
    ("odoo.password", ODOO, "odoo_api_key"),
    ("webhook_secret", CANARY.webhook_secret, "webhook_secret"),
]


@pytest.mark.parametrize(("dotted", "value", "name"), INLINE, ids=[i[0] for i in INLINE])
def test_an_inline_secret_is_refused_with_where_it_goes(
    tmp_path: Path,
    write_config: WriteConfig,
    config_data: dict[str, Any],
    dotted: str,
    value: str,
    name: str,
) -> None:
    _set(config_data, dotted, value)
    path = write_config(tmp_path, config_data)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    problems = "\n".join(raised.value.problems)
    assert f"{dotted}: a secret does not belong in the configuration file" in problems
    assert f"`wooodoo secrets set --tenant acme {name}`" in problems
    assert f"WOOODOO_ACME_{name.upper()}" in problems
    assert_clean("the problems", f"{raised.value.message}\n{problems}\n{raised.value.hint}")

    result = CliRunner().invoke(main, ["--config", str(path), "sync"])
    assert result.exit_code == EXIT_USAGE
    assert f"wooodoo secrets set --tenant acme {name}" in result.stderr
    assert_clean("the CLI's output", result.output)


@pytest.mark.parametrize(
    "dotted", ["sync.api_token", "odoo.client_secret", "top.password", "woocommerce.passwd"]
)
def test_any_key_named_like_a_credential_is_refused_as_one(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any], dotted: str
) -> None:
    _set(config_data, dotted, SECRET)
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(tmp_path, config_data))
    problems = "\n".join(raised.value.problems)
    assert "a secret does not belong in the configuration file" in problems
    assert "wooodoo secrets set" in problems
    assert_clean("the problems", problems)


URLS = [
    ("woocommerce.url", f"https://{KEY}:{SECRET}@shop.acme.example", "user info"),
    ("odoo.url", f"https://sync:{ODOO}@acme.odoo.com", "user info"),
    ("woocommerce.url", f"https://shop.acme.example/?consumer_key={KEY}", "keys in its query"),
    (
        "woocommerce.url",
        f"https://shop.acme.example/wp-json/wc/v3?consumer_key={KEY}&consumer_secret={SECRET}",
        "keys in its query",
    ),
    ("odoo.url", f"https://acme.odoo.com/?api_key={ODOO}", "keys in its query"),
]


@pytest.mark.parametrize(
    ("dotted", "url", "what"),
    URLS,
    ids=["woo-user-info", "odoo-user-info", "woo-key", "woo-key-and-secret", "odoo-api-key"],
)
def test_a_url_with_credentials_is_refused(
    tmp_path: Path,
    write_config: WriteConfig,
    config_data: dict[str, Any],
    dotted: str,
    url: str,
    what: str,
) -> None:
    _set(config_data, dotted, url)
    path = write_config(tmp_path, config_data)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    problems = "\n".join(raised.value.problems)
    assert f"{dotted}: must not " in problems
    assert what in problems
    assert "OS keyring (wooodoo secrets set)" in problems
    assert_clean("the problems", problems)
    result = CliRunner().invoke(main, ["--config", str(path), "-vv", "ping"])
    assert result.exit_code == EXIT_USAGE
    assert_clean("the CLI's output", result.output)
