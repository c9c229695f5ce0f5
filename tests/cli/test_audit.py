"""``wooodoo audit`` with several tenants: the tenants named before or after the subcommand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.e2e_helpers import running_box
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.secrets import env_var_name

TENANTS = ("shop-a", "shop_b")


@pytest.fixture
def two_tenants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two tenants synced from one generated shop; its yen orders fail for both."""
    with running_box(tmp_path, monkeypatch, orders=60, seed=17) as box:
        path = tmp_path / "two.yaml"
        tenants = {name: box.sb.tenant_config() for name in TENANTS}
        config = {"audit_db": str(tmp_path / "two.sqlite3"), "tenants": tenants}
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        for tenant in TENANTS:
            for name, value in box.sb.secrets.items():
                monkeypatch.setenv(env_var_name(tenant, name), value)
        synced = run(path, "sync")
        assert synced.exit_code == EXIT_RECORDS_FAILED, synced.output
    return path  # the audit is read with the sandbox stopped: it needs no network


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args])


def failed_tenants(result: Result) -> set[str]:
    assert result.exit_code == EXIT_OK, result.output
    keys = [line.split("\t")[0] for line in result.stdout.splitlines() if line[:1] != "\t"]
    assert keys, result.stdout
    return {key.split("/")[0] for key in keys}


def test_failures_of_the_tenants_named_before_or_after_the_subcommand(two_tenants: Path) -> None:
    assert failed_tenants(run(two_tenants, "audit", "failures")) == set(TENANTS)
    assert failed_tenants(run(two_tenants, "audit", "failures", "--tenant", "shop-a")) == {"shop-a"}
    assert failed_tenants(run(two_tenants, "audit", "--tenant", "shop-a", "failures")) == {"shop-a"}
    both = run(two_tenants, "audit", "--tenant", "shop_b", "failures", "--tenant", "shop-a")
    assert failed_tenants(both) == set(TENANTS)


def test_a_failure_without_a_reason_is_listed_not_a_crash(tmp_path: Path) -> None:
    from wooodoo.audit import AuditStore, Event

    db = tmp_path / "audit.sqlite3"
    path = tmp_path / "c.yaml"
    example = Path(__file__).parents[2] / "wooodoo" / "config.example.yaml"
    config = yaml.safe_load(example.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**config, "audit_db": str(db)}), encoding="utf-8")
    with AuditStore(db) as store:
        store.commit_page("acme", None, [Event("order", "7", "acme/order/7", "conflict")])
    result = run(path, "audit", "failures")
    assert result.exit_code == EXIT_OK, result.output
    assert "acme/order/7" in result.stdout
    assert "(no reason recorded)" in result.stdout
