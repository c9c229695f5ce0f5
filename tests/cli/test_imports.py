"""What the CLI loads: a cron ``wooodoo sync`` never imports the sandbox, werkzeug or trustme."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteConfig


def loaded_after(statement: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` that a fresh interpreter has after ``statement``."""
    code = (
        f"{statement}\nimport sys\nprint(*(m for m in sys.modules if m.startswith({prefixes!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.split()


def test_the_cli_does_not_load_the_sandbox() -> None:
    assert loaded_after("import wooodoo.cli", ("wooodoo.sandbox", "werkzeug", "trustme")) == []


@pytest.mark.parametrize("module", ["wooodoo.wiring", "wooodoo.ping"])
def test_wiring_and_ping_are_not_click_code(module: str) -> None:
    assert loaded_after(f"import {module}", ("click", "rich")) == []


def test_the_demo_offers_the_odoo_versions_the_sandbox_imitates() -> None:
    from wooodoo.cli.sandbox import ODOO_VERSIONS
    from wooodoo.sandbox.odoo import VERSIONS

    assert tuple(str(v) for v in VERSIONS) == ODOO_VERSIONS


def test_a_cron_sync_loads_only_what_it_runs() -> None:
    """Each start of ``wooodoo sync`` (cron, a timer) pays for what it imports: not the other
    commands, nor rich (no terminal), nor OAuth (shops over HTTPS), nor the reconciliation."""
    statement = (
        "import click\nfrom wooodoo.cli import main\nmain.get_command(click.Context(main), 'sync')"
    )
    unused = (
        "rich",
        "requests_oauthlib",
        "wooodoo.cli.audit",
        "wooodoo.cli.init",
        "wooodoo.cli.webhook",
        "wooodoo.cli.sandbox",
        "wooodoo.ping",
        "wooodoo.reconcile",
        "platformdirs",  # only for the default paths: cron passes --config
    )
    assert loaded_after(statement, unused) == []
    assert loaded_after(statement, ("wooodoo.cli.sync",)) == ["wooodoo.cli.sync"]


def test_secrets_from_the_environment_do_not_load_the_keyring() -> None:
    """A run whose secrets are all in its environment (a container, systemd credentials, the
    benchmarks) never imports keyring and its backends; one that needs the keyring does."""
    lookup = (
        "import os\nfrom wooodoo.secrets import REQUIRED_SECRETS, env_var_name, lookup_secret\n"
    )
    from_env = "os.environ[env_var_name('shop', n)] = 'x'\n"
    each = "for n in REQUIRED_SECRETS:\n    {}    lookup_secret('shop', n)"
    assert loaded_after(lookup + each.format(from_env), ("keyring",)) == []
    assert "keyring" in loaded_after(lookup + each.format(""), ("keyring",))


def test_the_wooodoo_process_collects_cycles_less_often() -> None:
    """The console entry point tunes the collector for the whole process (a sync decodes pages
    of JSON into many short-lived objects); ``main`` alone, as tests call it, does not."""
    code = (
        "import gc, sys\nfrom wooodoo.cli import group\nsys.argv = ['wooodoo', '--version']\n"
        "group.end_process = lambda code: print(gc.get_threshold()[0], gc.get_freeze_count() > 0)\n"
        "group.run()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split()[-2:] == ["10000", "True"]


def test_a_sync_starts_connecting_to_odoo_before_it_loads_the_sync_code(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    """The connections' round trips overlap the imports: when the first tenant's connection is
    started, neither the sync core nor the audit store nor the WooCommerce client is loaded."""
    config = write_config(tmp_path, config_data)
    code = (
        "import sys\nimport wooodoo.early as early\n"
        "def connecting(*args, **kwargs):\n"
        "    loaded = sorted({m.split('.')[1] for m in sys.modules if m.startswith(HEAVY)})\n"
        "    raise SystemExit(f'loaded when connecting: {loaded}')\n"
        "early.connecting = connecting\n"
        "HEAVY = ('wooodoo.sync', 'wooodoo.audit', 'wooodoo.woo')\n"
        "from wooodoo.cli import main\n"
        f"main(['--config', {str(config)!r}, 'sync'])\n"
    )
    names = ("WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "ODOO_API_KEY")
    env = {**os.environ, **{f"WOOODOO_ACME_{n}": "not-a-real-secret" for n in names}}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert "loaded when connecting: []" in result.stderr, result.stderr
