"""CLI skeleton: help everywhere, init, secrets commands, the error boundary and exit codes."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import keyring
import pytest
from keyring.backends import fail

from wooodoo import __version__
from wooodoo import secrets as secrets_mod
from wooodoo.cli import main
from wooodoo.cli.group import CliLogHandler
from wooodoo.cli.init import starter_config
from wooodoo.config import load_config
from wooodoo.errors import (
    EXIT_LOCKED,
    EXIT_RECORDS_FAILED,
    EXIT_REMOTE,
    LockBusyError,
    MappingError,
    RemoteError,
)
from wooodoo.secrets import REQUIRED_SECRETS, SERVICE

VALUE = "ck_d1e2a3d4b5e6e7f8-do-not-print"


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            paths += command_paths(sub, (*path, name))
    return paths


def test_every_command_has_help_with_an_example(cli_runner: Any) -> None:
    paths = command_paths(main)
    assert {("init",), ("secrets",), ("secrets", "set"), ("secrets", "check")} <= set(paths)
    for path in paths:
        result = cli_runner.invoke(*path, "--help", config=False)
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path
        assert "Usage: main" not in result.output  # prog name shows as the console script


def test_version(cli_runner: Any) -> None:
    result = cli_runner.invoke("--version", config=False)
    assert result.exit_code == 0
    assert __version__ in result.output


def test_verbose_and_quiet_exclude_each_other(cli_runner: Any) -> None:
    result = cli_runner.invoke("-v", "-q", "secrets", "check")
    assert result.exit_code == 2
    assert "-v and -q cannot be combined" in result.stderr


# --- init ---------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_private_starter_to_default_location(cli_runner: Any) -> None:
    target = Path(os.environ["XDG_CONFIG_HOME"]) / "wooodoo" / "config.yaml"

    result = cli_runner.invoke("init", config=False)

    assert result.exit_code == 0, result.output
    assert target.read_text() == starter_config()
    assert mode(target) == 0o600
    assert f"wrote a starter configuration to {target}" in result.stdout
    assert "wooodoo secrets set --tenant acme odoo_api_key" in result.stdout
    assert "wooodoo ping" in result.stdout
    assert load_config(target).tenants["acme"].odoo.database == "acme"


def test_init_refuses_to_overwrite_without_force(cli_runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "shops.yaml"
    assert cli_runner.invoke("init", "--path", str(target), config=False).exit_code == 0
    target.write_text("# edited by hand\n")

    refused = cli_runner.invoke("init", "--path", str(target), config=False)
    assert refused.exit_code == 2
    assert f"error: {target} already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert target.read_text() == "# edited by hand\n"

    forced = cli_runner.invoke("init", "--path", str(target), "--force", config=False)
    assert forced.exit_code == 0
    assert target.read_text() == starter_config()
    assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["shops.yaml"]  # no temp file left
    assert f"wooodoo --config {target} secrets check" in forced.stdout


def test_init_honours_global_config_option(cli_runner: Any) -> None:
    result = cli_runner.invoke("init")  # the harness passes --config <tmp>/config.yaml
    assert result.exit_code == 2  # the harness already wrote that file
    assert "already exists" in result.stderr


# --- secrets ------------------------------------------------------------------------------


def set_all(cli_runner: Any, tenant: str = "acme") -> None:
    for name in REQUIRED_SECRETS:
        result = cli_runner.invoke(
            "secrets", "set", "--tenant", tenant, name, "--stdin", input=f"{name}-{VALUE}\n"
        )
        assert result.exit_code == 0, result.output


def test_set_from_stdin_then_check(cli_runner: Any) -> None:
    set_all(cli_runner)
    stored = keyring.get_password(SERVICE, "acme/odoo_api_key")
    assert stored == f"odoo_api_key-{VALUE}"  # trailing newline dropped

    result = cli_runner.invoke("secrets", "check")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "tenant acme:" in lines
    assert "  woo_consumer_key     ok        from keyring" in lines
    assert "  webhook_secret       missing   (optional: only webhooks need it)" in lines
    assert VALUE not in result.output


def test_set_prompts_twice_without_echo(cli_runner: Any) -> None:
    result = cli_runner.invoke(
        "secrets", "set", "-t", "acme", "odoo_api_key", input=f"{VALUE}\n{VALUE}\n"
    )
    assert result.exit_code == 0, result.output
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") == VALUE
    assert VALUE not in result.output
    assert "stored odoo_api_key for tenant 'acme' in the keyring" in result.stdout


def test_set_warns_about_swapped_key_and_env_override(cli_runner: Any) -> None:
    result = cli_runner.invoke(
        "secrets",
        "set",
        "-t",
        "acme",
        "woo_consumer_secret",
        "--stdin",
        input=VALUE,
        env={"WOOODOO_ACME_WOO_CONSUMER_SECRET": "x"},
    )
    assert result.exit_code == 0
    assert "warning: WooCommerce consumer secrets start with 'cs_'" in result.stderr
    assert "warning: WOOODOO_ACME_WOO_CONSUMER_SECRET is set in the environment" in result.stderr
    assert VALUE not in result.output


def test_check_reports_env_source_and_missing(cli_runner: Any) -> None:
    result = cli_runner.invoke(
        "secrets", "check", "--tenant", "acme", env={"WOOODOO_ACME_ODOO_API_KEY": VALUE}
    )
    assert result.exit_code == 2
    assert "  odoo_api_key         ok        from env WOOODOO_ACME_ODOO_API_KEY" in result.stdout
    assert "  woo_consumer_key     MISSING" in result.stdout
    assert "error: required secrets are missing" in result.stderr
    assert (
        "  - tenant 'acme': woo_consumer_key: not set; run `wooodoo secrets set --tenant acme "
        "woo_consumer_key` (or set WOOODOO_ACME_WOO_CONSUMER_KEY)"
    ) in result.stderr
    assert VALUE not in result.output


def test_check_covers_every_tenant(cli_runner: Any) -> None:
    cli_runner.config["tenants"]["beta"] = cli_runner.config["tenants"]["acme"]
    set_all(cli_runner, "acme")
    result = cli_runner.invoke("secrets", "check")
    assert result.exit_code == 2
    assert "tenant 'beta': odoo_api_key" in result.stderr
    assert "tenant 'acme'" not in result.stderr


def test_check_without_keyring_backend_explains(cli_runner: Any) -> None:
    keyring.set_keyring(fail.Keyring())
    result = cli_runner.invoke("-q", "secrets", "check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in result.stderr
    assert "WOOODOO_ACME_WOO_CONSUMER_KEY" in result.stderr


def test_set_without_keyring_backend_explains(cli_runner: Any) -> None:
    keyring.set_keyring(fail.Keyring())
    result = cli_runner.invoke("secrets", "set", "-t", "acme", "odoo_api_key", "--stdin", input="k")
    assert result.exit_code == 2
    assert "error: cannot use the keyring for odoo_api_key of tenant 'acme'" in result.stderr
    assert "WOOODOO_ACME_ODOO_API_KEY" in result.stderr


def test_set_rejects_unknown_tenant_and_secret_names(cli_runner: Any) -> None:
    unknown = cli_runner.invoke(
        "secrets", "set", "-t", "zeta", "odoo_api_key", "--stdin", input="k"
    )
    assert unknown.exit_code == 2
    assert "error: unknown tenant 'zeta'" in unknown.stderr
    assert "acme" in unknown.stderr

    bad_name = cli_runner.invoke("secrets", "set", "-t", "acme", "api_key", "--stdin", input="k")
    assert bad_name.exit_code == 2
    assert "odoo_api_key" in bad_name.stderr

    bad_tenant = cli_runner.invoke("secrets", "set", "-t", "Acme", "odoo_api_key", "--stdin")
    assert bad_tenant.exit_code == 2
    assert "invalid tenant name 'Acme'" in bad_tenant.stderr
    assert keyring.get_keyring().store == {}  # type: ignore[attr-defined]


def test_set_works_before_a_config_exists(cli_runner: Any, tmp_path: Path) -> None:
    result = cli_runner.invoke(
        "--config",
        str(tmp_path / "absent.yaml"),
        "secrets",
        "set",
        "-t",
        "acme",
        "odoo_api_key",
        "--stdin",
        input=VALUE,
        config=False,
    )
    assert result.exit_code == 0
    assert "warning: tenant 'acme' not checked against the configuration" in result.stderr
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") == VALUE


def test_delete(cli_runner: Any) -> None:
    set_all(cli_runner)
    deleted = cli_runner.invoke("secrets", "delete", "-t", "acme", "odoo_api_key")
    assert deleted.exit_code == 0
    assert "deleted odoo_api_key of tenant 'acme'" in deleted.stdout
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") is None

    again = cli_runner.invoke("secrets", "delete", "-t", "acme", "odoo_api_key")
    assert again.exit_code == 0
    assert "nothing to delete" in again.stdout


def test_quiet_prints_nothing_on_success(cli_runner: Any) -> None:
    result = cli_runner.invoke(
        "-q", "secrets", "set", "-t", "acme", "odoo_api_key", "--stdin", input=VALUE
    )
    assert result.exit_code == 0
    assert result.output == ""


# --- configuration errors and the error boundary -----------------------------------------


def test_invalid_config_is_exit_2_with_every_problem(cli_runner: Any) -> None:
    cli_runner.config["tenants"]["acme"]["odoo"]["api"] = "soap"
    cli_runner.config["tenants"]["acme"]["sync"]["batch_size"] = 0
    result = cli_runner.invoke("secrets", "check")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: invalid configuration in {cli_runner.config_path}\n")
    assert "  - config.yaml: tenant 'acme': odoo.api: must be one of" in result.stderr
    assert "  - config.yaml: tenant 'acme': sync.batch_size: must be between" in result.stderr
    assert "Traceback" not in result.output


def test_yaml_syntax_error_is_exit_2_with_position(cli_runner: Any) -> None:
    cli_runner.write("tenants:\n  acme: {woocommerce: [\n")
    result = cli_runner.invoke("secrets", "check")
    assert result.exit_code == 2
    assert "  - config.yaml: line 3, column 1: YAML syntax error: " in result.stderr


def test_missing_config_points_to_init(cli_runner: Any) -> None:
    result = cli_runner.invoke("secrets", "check", config=False)
    assert result.exit_code == 2
    assert "error: no configuration file at" in result.stderr
    assert "hint: Run `wooodoo init`" in result.stderr


def test_config_from_environment_variable(cli_runner: Any) -> None:
    path = cli_runner.write()
    result = cli_runner.invoke("secrets", "check", config=False, env={"WOOODOO_CONFIG": str(path)})
    assert result.exit_code == 2  # the config was found: now the secrets are missing
    assert "required secrets are missing" in result.stderr


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (MappingError("order 7 has no tax mapping", problems=["rate 9"]), EXIT_RECORDS_FAILED),
        (RemoteError("odoo unreachable", hint="check the URL"), EXIT_REMOTE),
        (LockBusyError("tenant 'acme' is locked by another run"), EXIT_LOCKED),
    ],
    ids=["mapping", "remote", "locked"],
)
def test_wooodoo_errors_become_message_and_exit_code(
    cli_runner: Any, monkeypatch: pytest.MonkeyPatch, error: Exception, code: int
) -> None:
    def boom(tenant: str, name: str) -> bool:
        raise error

    monkeypatch.setattr(secrets_mod, "delete_secret", boom)
    result = cli_runner.invoke("secrets", "delete", "-t", "acme", "odoo_api_key")
    assert result.exit_code == code
    expected = "".join(f"{line}\n" for line in str(error).splitlines())
    assert result.stderr.startswith("error: ")
    assert result.stderr.removeprefix("error: ").replace("\nhint: ", "\n") == expected


def test_keyboard_interrupt_exits_130(cli_runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(tenant: str, name: str) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(secrets_mod, "delete_secret", interrupted)
    result = cli_runner.invoke("secrets", "delete", "-t", "acme", "odoo_api_key")
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n"


def test_ctrl_c_at_prompt_exits_130(cli_runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def prompt(*args: object, **kwargs: object) -> str:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise click.Abort() from None  # what click.prompt does

    monkeypatch.setattr(click, "prompt", prompt)
    result = cli_runner.invoke("secrets", "set", "-t", "acme", "odoo_api_key")
    assert result.exit_code == 130
    assert result.stderr.endswith("interrupted\n")


def test_core_modules_do_not_import_click_or_rich() -> None:
    code = (
        "import sys, wooodoo.config, wooodoo.secrets, wooodoo.config.urls, wooodoo.errors\n"
        "print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "[]"


def test_console_entry_point_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from wooodoo.cli import main; main()", "--config",
         str(tmp_path / "none.yaml"), "secrets", "check"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: no configuration file at")


@pytest.mark.parametrize(
    ("flags", "level"),
    [
        ((), logging.WARNING),
        (("-q",), logging.ERROR),
        (("-v",), logging.INFO),
        (("-vv",), logging.DEBUG),
    ],
    ids=["default", "quiet", "verbose", "debug"],
)
def test_verbosity_sets_the_log_level(cli_runner: Any, flags: tuple[str, ...], level: int) -> None:
    cli_runner.invoke(*flags, "secrets", "check")
    logger = logging.getLogger("wooodoo")
    assert logger.getEffectiveLevel() == level
    assert sum(isinstance(h, CliLogHandler) for h in logger.handlers) == 1
