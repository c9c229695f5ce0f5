"""Several tenants in one run: an unexpected error in one never stops the others."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteConfig
from wooodoo.cli.group import CliState
from wooodoo.cli.tenants import Outcome, overall_exit, print_outcomes, run_tenants, summary_line
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import (
    EXIT_AUDIT,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_RECORDS_FAILED,
    EXIT_REMOTE,
    EXIT_USAGE,
)
from wooodoo.sync import Stat, TenantResult


@pytest.mark.parametrize("parallel", [1, 2])
def test_a_crash_in_one_tenant_is_reported_and_the_next_tenant_runs(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any], parallel: int
) -> None:
    config_data["tenants"]["beta"] = copy.deepcopy(config_data["tenants"]["acme"])
    state = CliState(write_config(tmp_path, config_data), 0)
    secret = "https://shop.example/?consumer_key=ck_secret"

    def job(config: Config, tenant: TenantConfig, progress: Any) -> TenantResult:
        if tenant.name == "acme":
            raise KeyError(secret)
        result = TenantResult(tenant.name)
        result.stats["invoiced"] = 3
        return result

    outcomes = run_tenants(state, state.tenants(()), job, parallel=parallel)
    assert [o.tenant for o in outcomes] == ["acme", "beta"]
    crashed, fine = outcomes
    assert crashed.error is not None
    assert "internal error (KeyError)" in crashed.error.message
    assert secret not in summary_line(crashed)
    assert fine.result is not None
    assert fine.result.stats["invoiced"] == 3
    assert overall_exit([o.exit_code for o in outcomes]) == EXIT_RECORDS_FAILED


def test_the_most_serious_exit_code_wins() -> None:
    assert overall_exit([EXIT_OK, EXIT_LOCKED]) == EXIT_LOCKED
    assert overall_exit([EXIT_LOCKED, EXIT_RECORDS_FAILED]) == EXIT_RECORDS_FAILED
    assert overall_exit([EXIT_RECORDS_FAILED, EXIT_REMOTE]) == EXIT_REMOTE
    assert overall_exit([EXIT_REMOTE, EXIT_USAGE, EXIT_OK]) == EXIT_USAGE
    assert overall_exit([EXIT_REMOTE, EXIT_AUDIT]) == EXIT_AUDIT
    assert overall_exit([EXIT_AUDIT, EXIT_USAGE]) == EXIT_USAGE
    assert overall_exit([]) == EXIT_OK


def _outcome(tenant: str, **counts: int) -> Outcome:
    result = TenantResult(tenant, run_id=7)
    for name, n in counts.items():
        result.stats[Stat(name)] = n
    result.finish()
    return Outcome(tenant, result, None, 0.5)


def test_the_summary_counts_retries_drift_and_what_waits_for_a_person(
    capsys: pytest.CaptureFixture[str],
) -> None:
    quiet_day = _outcome("acme", invoiced=2)
    assert "retried" not in summary_line(quiet_day)  # nothing to say: nothing said
    busy = _outcome("beta", invoiced=1, retried=3, drift=2, needs_attention=1)
    assert busy.exit_code == EXIT_RECORDS_FAILED  # past the cap: exit 1
    line = summary_line(busy)
    assert line.startswith("beta: needs attention, 1 invoiced, 0 partners created, 0 failed")
    assert "3 retried, 2 changed by hand in Odoo, 1 waiting for a person" in line
    drifted = _outcome("gamma", drift=1)
    assert drifted.exit_code == EXIT_OK  # a person's change in Odoo is news, not a failure

    print_outcomes(CliState(None, 0), [quiet_day, busy, drifted], title="wooodoo sync")
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].endswith(": wooodoo audit drift")
    assert err.splitlines()[-2:] == [
        "details: wooodoo audit failures",
        "past the retry cap, once the cause is fixed: wooodoo replay --failed",
    ]

    print_outcomes(CliState(None, 0), [quiet_day], title="wooodoo sync")
    out, err = capsys.readouterr()
    assert (len(out.splitlines()), err) == (1, "")  # no pointer when there is nothing to see
    print_outcomes(CliState(None, -1), [quiet_day, drifted], title="wooodoo sync")
    assert capsys.readouterr() == ("", "")  # -q: only what needs a person
