"""``wooodoo audit stats`` (each tenant's health) and ``audit prune`` (old payload snapshots go;
history, links, cursors and failures stay)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from tests.cli.audit_data import OLD, audited_fixture, tokyo_fixture  # noqa: F401 (fixtures)
from tests.cli.conftest import CliHarness
from wooodoo.audit import AuditStore, Event
from wooodoo.errors import EXIT_OK, EXIT_USAGE


def as_json(result: Result) -> Any:
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


def by_tenant(cli_runner: CliHarness) -> dict[str, Any]:
    stats = as_json(cli_runner.invoke("audit", "stats", "--json"))
    return {t["tenant"]: t for t in stats["tenants"]}


# ------------------------------------------------------------------------------ stats


def test_stats_per_tenant_as_json(cli_runner: CliHarness, audited: AuditStore) -> None:
    stats = by_tenant(cli_runner)
    assert set(stats) == {"acme", "beta"}
    acme, beta = stats["acme"], stats["beta"]
    assert acme["last_run"]["id"] == 4  # the killed replay
    assert acme["last_success_at"] == "2025-01-02T03:05:10+00:00"
    # failed and mismatch: retried by later runs; the refund of beta too
    assert (acme["retries_pending"], beta["retries_pending"]) == (2, 1)
    assert (acme["failures_waiting"], beta["failures_waiting"]) == (0, 0)
    assert acme["failures_by_wait"] == {"retry": 2}
    assert acme["next_retry_at"].endswith("+00:00")
    orders = acme["cursors"]["orders"]
    assert orders["value"] == "2026-03-01T10:00:00+00:00"
    assert orders["saved_at"].endswith("+00:00")
    assert isinstance(orders["lag_seconds"], int)
    assert orders["lag_seconds"] > 0
    assert (beta["last_success_at"], beta["cursors"]) == (None, {})
    assert beta["last_run"]["status"] == "aborted"


@pytest.mark.usefixtures("tokyo")
def test_stats_for_a_person(cli_runner: CliHarness, audited: AuditStore) -> None:
    result = cli_runner.invoke("audit", "stats", "--tenant", "acme")
    assert result.exit_code == EXIT_OK, result.output
    (line,) = result.stdout.splitlines()
    cells = line.split("\t")
    assert cells[0] == "acme"
    assert cells[1].endswith("running, or killed")
    assert cells[2].startswith("last success ")
    assert cells[2].endswith(" ago")
    assert cells[3] == "failures waiting 0"
    assert cells[4].startswith("retries pending 2 (next ")
    assert cells[5] == "orders cursor 2026-03-01 19:00:00"  # Tokyo time
    assert cells[6].startswith("cursor lag ")
    beta = cli_runner.invoke("audit", "stats", "--tenant", "beta").stdout
    assert "\tlast success never\t" in beta
    assert "\torders cursor none yet\t" in beta


def test_stats_split_failures_by_what_they_wait_for(
    cli_runner: CliHarness, audited: AuditStore
) -> None:
    audited.db.execute(
        "UPDATE failures SET waits_for = 'person', next_attempt_at = NULL"
        " WHERE key = 'acme/order/1043'"
    )
    audited.db.execute(
        "UPDATE failures SET next_attempt_at = '2030-01-01T00:00:00+00:00'"
        " WHERE key = 'acme/order/1044'"
    )
    acme = by_tenant(cli_runner)["acme"]
    assert (acme["failures_waiting"], acme["retries_pending"]) == (1, 1)
    assert acme["failures_by_wait"] == {"person": 1, "retry": 1}
    assert acme["next_retry_at"] == "2030-01-01T00:00:00+00:00"
    line = cli_runner.invoke("audit", "stats", "--tenant", "acme").stdout
    assert "\tfailures waiting 1\tretries pending 1 (next 2030-01-01 " in line


def test_bare_audit_is_stats_and_the_last_runs(cli_runner: CliHarness, audited: AuditStore) -> None:
    result = cli_runner.invoke("audit")
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"audit store: {cli_runner.tmp_path / 'audit.sqlite3'}"
    assert lines[1].startswith("acme\tlast run ")
    assert lines[2].startswith("beta\tlast run ")
    assert lines[4].startswith("run 4\tacme\treplay\t")
    assert "{" not in result.stdout


# ------------------------------------------------------------------------------ prune


def snapshot(store: AuditStore) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("links", "cursors", "failures", "runs")
    return {t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t}")] for t in tables}


def payloads(store: AuditStore) -> dict[int, bool]:
    return {r[0]: r[1] is not None for r in store.db.execute("SELECT id, payload FROM events")}


def test_prune_drops_old_payloads_and_keeps_everything_else(
    cli_runner: CliHarness, audited: AuditStore
) -> None:
    audited.commit_page("acme", None, [Event("order", "1", "acme/order/1", "created", payload={})])
    audited.db.execute("UPDATE events SET at = ? WHERE key = 'acme/order/1'", (OLD,))
    before, kept_before = snapshot(audited), payloads(audited)
    assert kept_before[1]
    assert kept_before[2]

    dry = as_json(
        cli_runner.invoke("audit", "prune", "--older-than", "180d", "--dry-run", "--json")
    )
    assert (dry["dry_run"], dry["payloads_dropped"]) == (True, 1)
    assert payloads(audited) == kept_before  # a dry run changes nothing

    done = as_json(cli_runner.invoke("audit", "prune", "--older-than", "180d", "--json"))
    assert done["payloads_dropped"] == 1
    assert done["payload_bytes"] == len('{"expected":{"total":"9.990000"}}')  # as stored
    assert done["kept_as_latest"] == 2  # the old `unchanged` and the only snapshot of order 1
    assert done["before"].endswith("+00:00")
    after = payloads(audited)
    assert after[1] is False  # an old `created` with a newer `created` of the same record
    assert after[2] is True  # the newest `unchanged` of its record, however old
    assert all(after[i] for i in (3, 4, 5, 7))
    assert snapshot(audited) == before  # links, cursors, failures and runs untouched
    assert [e.id for e in audited.events("acme", "acme/order/1042")] == [3, 2, 1]  # rows stay


def test_prune_drops_processed_webhook_bodies(cli_runner: CliHarness, audited: AuditStore) -> None:
    audited.db.execute(
        "INSERT INTO inbox (tenant, topic, received_at, body, processed_at) VALUES"
        " ('acme', 'order.updated', ?, '{\"id\": 1}', ?),"
        " ('acme', 'order.updated', ?, '{\"id\": 2}', NULL)",
        (OLD, OLD, OLD),
    )
    result = cli_runner.invoke("audit", "prune", "--older-than", "26w")
    assert result.exit_code == EXIT_OK, result.output
    assert "dropped the bodies of 1 processed webhook delivery(ies) (9 bytes)" in result.stdout
    assert "dropped 1 event payload(s) older than " in result.stdout
    bodies = [r[0] for r in audited.db.execute("SELECT body FROM inbox ORDER BY id")]
    assert bodies == ["", '{"id": 2}']  # one still waiting keeps its body


@pytest.mark.parametrize("age", ["0d", "180", "half a year", "-5d", "3y"])
def test_a_bad_age_is_a_usage_error(cli_runner: CliHarness, audited: AuditStore, age: str) -> None:
    before = payloads(audited)
    result = cli_runner.invoke("audit", "prune", "--older-than", age)
    assert result.exit_code == EXIT_USAGE
    assert "Invalid value for '--older-than'" in result.stderr
    assert payloads(audited) == before


def test_prune_needs_an_age(cli_runner: CliHarness, audited: AuditStore) -> None:
    result = cli_runner.invoke("audit", "prune")
    assert result.exit_code == EXIT_USAGE
    assert "--older-than" in result.stderr
