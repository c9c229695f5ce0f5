"""``--config``, ``-v`` and ``-q`` work before the command and after it, as users type them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize(
    ("before", "after", "level"),
    [
        ((), ("-v",), logging.INFO),
        ((), ("-vv",), logging.DEBUG),
        ((), ("-q",), logging.ERROR),
        (("-v",), ("-v",), logging.DEBUG),
        (("-q",), ("-q",), logging.ERROR),
    ],
    ids=["verbose-after", "debug-after", "quiet-after", "verbose-twice", "quiet-twice"],
)
def test_verbosity_after_the_subcommand(
    cli_runner: Any, before: tuple[str, ...], after: tuple[str, ...], level: int
) -> None:
    result = cli_runner.invoke(*before, "secrets", "check", *after)
    assert result.exit_code == 2, result.output  # parsed and run: the secrets are missing
    assert "required secrets are missing" in result.stderr
    assert logging.getLogger("wooodoo").getEffectiveLevel() == level


def test_quiet_after_the_subcommand_silences_it(cli_runner: Any) -> None:
    result = cli_runner.invoke(
        "secrets", "set", "-t", "acme", "odoo_api_key", "--stdin", "-q", input="f00d" * 10
    )
    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.parametrize(
    "argv",
    [("-v", "secrets", "check", "-q"), ("-q", "secrets", "check", "-v")],
    ids=["verbose-then-quiet", "quiet-then-verbose"],
)
def test_verbose_and_quiet_exclude_each_other_anywhere(
    cli_runner: Any, argv: tuple[str, ...]
) -> None:
    result = cli_runner.invoke(*argv)
    assert result.exit_code == 2
    assert "-v and -q cannot be combined" in result.stderr


def test_config_after_the_subcommand(cli_runner: Any) -> None:
    path = cli_runner.write()
    result = cli_runner.invoke("secrets", "check", "--config", str(path), config=False)
    assert result.exit_code == 2
    assert "required secrets are missing" in result.stderr  # the config was found and read


def test_config_after_the_subcommand_wins(cli_runner: Any, tmp_path: Path) -> None:
    path = cli_runner.write()
    absent = str(tmp_path / "absent.yaml")
    env = {"WOOODOO_CONFIG": absent}
    result = cli_runner.invoke(
        "--config", absent, "audit", "failures", "--config", str(path), config=False, env=env
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "no open failures\n"
