"""Reading the file: where it is, YAML syntax errors, duplicate keys, numbers kept as written."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.config.helpers import problems_of
from wooodoo.config import Accounts, load_config, locate_config, select_tenants
from wooodoo.errors import EXIT_USAGE, ConfigError, UsageError


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
