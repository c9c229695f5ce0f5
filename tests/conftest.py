"""Shared fixtures: an isolated keyring and environment for every test, config and CLI helpers."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
import yaml
from click.testing import CliRunner, Result
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from wooodoo.cli import main


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so no test touches the real OS keyring."""

    # Raising makes it "not viable", so keyring's own detection never picks it up.
    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test keyring: install it with keyring.set_keyring")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No WOOODOO_* variables, XDG dirs and HOME in a temp dir, keyring in memory."""
    for name in list(os.environ):
        if name.startswith("WOOODOO_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    # Reading the private slot avoids keyring's backend detection (D-Bus probing) entirely;
    # monkeypatch puts the original back afterwards.
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(MemoryKeyring())
    # The CLI configures the "wooodoo" logger per invocation; undo it so caplog keeps working.
    logger = logging.getLogger("wooodoo")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)  # setLevel, not assignment: it also clears logging's level cache


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    return backend


def _minimal_config() -> dict[str, Any]:
    return {
        "tenants": {
            "acme": {
                "woocommerce": {"url": "https://shop.acme.example", "auth": "basic"},
                "odoo": {"url": "https://acme.odoo.com", "login": "sync@acme.example"},
                "sync": {"since": "2026-01-01", "accounts": {"products": "400000"}},
            }
        }
    }


@pytest.fixture
def config_data() -> dict[str, Any]:
    """A fresh, valid minimal configuration (tenant ``acme``) to modify per test."""
    return copy.deepcopy(_minimal_config())


WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config() -> WriteConfig:
    """``write_config(directory, data, name="config.yaml") -> Path``: dump ``data`` as YAML."""

    def write(directory: Path, data: Mapping[str, Any] | str, name: str = "config.yaml") -> Path:
        path = directory / name
        text = data if isinstance(data, str) else yaml.safe_dump(dict(data), sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


class CliHarness:
    """Runs ``wooodoo --config <tmp>/config.yaml ...`` in-process.

    ``config`` (a dict, the minimal valid config at first) is written before every invoke, so
    tests just edit it; ``write(text_or_dict)`` pins other content (e.g. broken YAML) instead.
    """

    def __init__(self, tmp_path: Path, write: WriteConfig, data: dict[str, Any]) -> None:
        self.runner = CliRunner()
        self.tmp_path = tmp_path
        self.config_path = tmp_path / "config.yaml"
        self.config = data
        self._write = write
        self._pinned = False

    def write(self, data: Mapping[str, Any] | str | None = None) -> Path:
        self._pinned = data is not None
        return self._write(self.tmp_path, self.config if data is None else data)

    def invoke(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        config: bool = True,
    ) -> Result:
        """With ``config=False`` no ``--config`` is passed (tests of the default location)."""
        argv: Sequence[str] = args
        if config:
            if not self._pinned:
                self._write(self.tmp_path, self.config)
            argv = ["--config", str(self.config_path), *args]
        return self.runner.invoke(main, list(argv), input=input, env=dict(env or {}))


@pytest.fixture
def cli_runner(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any]
) -> CliHarness:
    return CliHarness(tmp_path, write_config, config_data)
