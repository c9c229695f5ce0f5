"""Loaded values: defaults, frozen results, resolved paths, Odoo databases, the shipped example."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.config.helpers import patch
from wooodoo.config import (
    DEFAULT_STATUSES,
    Accounts,
    OdooConfig,
    SyncConfig,
    WooConfig,
    load_config,
)
from wooodoo.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent.parent


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
    assert (tenant.sync.on_cancel, tenant.sync.on_amend, tenant.sync.refund_tax) == (
        "reverse",
        "flag",
        "split",
    )
    assert dict(tenant.sync.payments) == {}


def test_after_sale_policies_are_read(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    patch(config_data, "sync.on_cancel", "flag")
    patch(config_data, "sync.on_amend", "reissue")
    patch(config_data, "sync.refund_tax", "untaxed")
    patch(config_data, "sync.payments", {"bacs": "BNK1", "stripe": "STR"})
    sync = load_config(write_config(tmp_path, config_data)).tenants["acme"].sync
    assert (sync.on_cancel, sync.on_amend, sync.refund_tax) == ("flag", "reissue", "untaxed")
    assert dict(sync.payments) == {"bacs": "BNK1", "stripe": "STR"}


def test_an_unknown_cancel_policy_is_named(
    tmp_path: Path, write_config: Any, config_data: dict[str, Any]
) -> None:
    patch(config_data, "sync.on_cancel", "refund")
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, config_data))
    assert "on_cancel" in str(caught.value)
    assert "reverse" in str(caught.value)


def test_values_are_frozen(tmp_path: Path, write_config: Any, config_data: dict[str, Any]) -> None:
    patch(config_data, "sync.taxes", {1: "19% DE"})
    tenant = load_config(write_config(tmp_path, config_data)).tenants["acme"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tenant.sync.post = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        tenant.sync.taxes["2"] = "7% DE"  # type: ignore[index]


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
