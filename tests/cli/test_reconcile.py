"""``wooodoo audit reconcile``'s usage errors: caught before anything is read (exit 2)."""

from __future__ import annotations

import copy

import pytest

from tests.cli.conftest import CliHarness
from wooodoo.errors import EXIT_USAGE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "Invalid value for '--from'"),
        (["--to", "yesterday"], "Invalid value for '--to'"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "--from 2026-03-02 is after --to"),
    ],
    ids=["bad-month", "not-a-date", "from-after-to"],
)
def test_a_bad_period_is_a_usage_error(
    cli_runner: CliHarness, args: list[str], message: str
) -> None:
    result = cli_runner.invoke("audit", "reconcile", "--tenant", "acme", *args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.output


def test_one_tenant_at_a_time(cli_runner: CliHarness) -> None:
    tenants = cli_runner.config["tenants"]
    tenants["other"] = copy.deepcopy(tenants["acme"])
    result = cli_runner.invoke("audit", "reconcile")
    assert result.exit_code == EXIT_USAGE, result.output
    assert "one tenant at a time" in result.output
    unknown = cli_runner.invoke("audit", "reconcile", "--tenant", "nope")
    assert unknown.exit_code == EXIT_USAGE, unknown.output
