"""What the CLI loads: a cron ``wooodoo sync`` never imports the sandbox, werkzeug or trustme."""

from __future__ import annotations

import subprocess
import sys

import pytest


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
