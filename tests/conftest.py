"""Shared fixtures: an isolated keyring and environment for every test, config helpers."""

from __future__ import annotations

import compileall
import copy
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
import yaml
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

import wooodoo


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
        path.chmod(0o600)  # as `wooodoo init` writes it; a shared one is warned about
        return path

    return write


# ---------------------------------------------------------------- the chaos suite's soak

SOAK_ENV = "WOOODOO_CHAOS_SOAK"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile the package once, as an install does: many tests start ``wooodoo`` in a
    child process, which with an editable install and ``PYTHONDONTWRITEBYTECODE`` (set on our
    machines) would compile every module again each time."""
    compileall.compile_dir(Path(wooodoo.__file__).parent, quiet=1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chaos-soak",
        action="store_true",
        default=False,
        help=f"also run the chaos suite's long soak tests (or set {SOAK_ENV}=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos_soak: a long chaos round, collected only with --chaos-soak"
    )


def soak_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("--chaos-soak")) or os.environ.get(SOAK_ENV, "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the soak flag, its tests are deselected (not skipped): CI stays short."""
    if soak_wanted(config):
        return
    soak = [item for item in items if item.get_closest_marker("chaos_soak")]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if not item.get_closest_marker("chaos_soak")]
