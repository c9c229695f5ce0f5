"""The config file and the audit store are created 0600 (folders 0700), and an existing one that
others may open is named in a warning."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import WriteConfig
from wooodoo.audit import AuditStore
from wooodoo.cli import main
from wooodoo.config import load_config
from wooodoo.config.edit import write_private_file
from wooodoo.errors import EXIT_OK

Caplog = pytest.LogCaptureFixture


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Any:
    """The worst usual umask: nothing removed, so only wooodoo's own modes protect the files."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_audit_store_and_its_wal_are_created_private(tmp_path: Path, caplog: Caplog) -> None:
    path = tmp_path / "state" / "audit.sqlite3"
    with AuditStore(path) as store:
        store.start_run("acme", "sync")
        files = sorted(p for p in path.parent.iterdir() if p.name.startswith("audit"))
        assert [p.name for p in files] == [
            "audit.sqlite3",
            "audit.sqlite3-shm",
            "audit.sqlite3-wal",
        ]
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(path.parent) == 0o700
    assert "open to others" not in caplog.text


def test_the_starter_config_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.yaml"
    result = CliRunner().invoke(main, ["init", "--starter", "--path", str(path)])
    assert result.exit_code == EXIT_OK, result.output
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert "readable only by you" in result.stdout


def test_a_replaced_config_is_private_even_if_the_old_one_was_not(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("tenants: {}\n")
    path.chmod(0o644)
    write_private_file(path, "tenants: {}\n", overwrite=True)
    assert mode(path) == 0o600


@pytest.mark.parametrize("bits", [0o644, 0o640, 0o604, 0o666])
def test_a_config_open_to_others_is_warned_about(
    tmp_path: Path,
    write_config: WriteConfig,
    config_data: dict[str, Any],
    caplog: Caplog,
    bits: int,
) -> None:
    path = write_config(tmp_path, config_data)
    path.chmod(bits)
    load_config(path)
    load_config(path)  # once per file and mode in a process (webhook serve loads often)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"the configuration file {path} is open to others than its owner"
        f" (mode {oct(bits)[2:].zfill(4)}); make it private with chmod 600 {path}"
    ]


def test_a_private_config_gives_no_warning(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any], caplog: Caplog
) -> None:
    path = write_config(tmp_path, config_data)
    path.chmod(0o600)
    load_config(path)
    assert caplog.records == []


def test_the_cli_shows_both_warnings(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    """On stderr at the default verbosity: a shared config, and a shared audit store."""
    audit = tmp_path / "audit.sqlite3"
    AuditStore(audit).close()
    audit.chmod(0o644)
    config_data["audit_db"] = str(audit)
    path = write_config(tmp_path, config_data)
    path.chmod(0o604)
    result = CliRunner().invoke(main, ["--config", str(path), "audit", "runs"])
    assert result.exit_code == EXIT_OK, result.output
    assert f"the configuration file {path} is open to others" in result.stderr
    assert f"the audit store {audit} is open to others" in result.stderr
    assert "chmod 600" in result.stderr
    path.chmod(0o600)
    audit.chmod(0o600)
    quiet = CliRunner().invoke(main, ["--config", str(path), "audit", "runs"])
    assert "open to others" not in quiet.stderr


def test_the_sandbox_config_is_private(tmp_path: Path) -> None:
    from wooodoo.sandbox import Sandbox

    sb = Sandbox(orders=0, directory=tmp_path)  # not started: writing the config needs no server
    config, env = sb.write_config(tmp_path / "sb.yaml")
    assert (mode(config), mode(env)) == (0o600, 0o600)
    assert yaml.safe_load(config.read_text())["tenants"]
