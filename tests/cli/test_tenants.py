"""Several tenants in one run: an unexpected error in one never stops the others."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteConfig
from wooodoo.cli.group import CliState
from wooodoo.cli.tenants import overall_exit, run_tenants, summary_line
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import EXIT_LOCKED, EXIT_OK, EXIT_RECORDS_FAILED, EXIT_REMOTE, EXIT_USAGE
from wooodoo.sync import TenantResult


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
    assert overall_exit([]) == EXIT_OK
