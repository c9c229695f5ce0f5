"""``wooodoo audit runs|events|show|stats|prune`` on a store written here (no sandbox, no network):
filters, ``--json`` shapes with exact values, what a person reads, usage errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from tests.cli.audit_data import OLD, audited_fixture, tokyo_fixture  # noqa: F401 (fixtures)
from tests.cli.conftest import CliHarness
from wooodoo.audit import AuditStore
from wooodoo.cli.group import CliState
from wooodoo.errors import EXIT_OK, EXIT_USAGE


def ok(result: Result) -> list[str]:
    assert result.exit_code == EXIT_OK, result.output
    return result.stdout.splitlines()


def as_json(result: Result) -> Any:
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


def event_ids(cli_runner: CliHarness, *args: str) -> list[int]:
    return [
        e["id"] for e in as_json(cli_runner.invoke("audit", "events", "--json", *args))["events"]
    ]


# ------------------------------------------------------------------------------ runs


@pytest.mark.usefixtures("tokyo")
def test_runs_latest_first_in_local_time_with_counts_in_words(
    cli_runner: CliHarness, audited: AuditStore
) -> None:
    runs = ok(cli_runner.invoke("audit", "runs"))
    assert [line.split("\t")[0] for line in runs] == ["run 4", "run 3", "run 2", "run 1"]
    assert runs[3].split("\t") == [
        "run 1", "acme", "sync", "2025-01-02 12:04:05", "1m 05s", "ok", "1 invoiced"
    ]  # fmt: skip
    assert runs[2].endswith("\tneeds attention (exit 1)\t1 invoiced, 1 failed, 1 mismatch")
    assert "\taborted: the WooCommerce store is unreachable\t" in runs[1]
    assert "\trunning, or killed\t" in runs[0]
    assert "{" not in "".join(runs)  # no raw JSON for a person


def test_runs_of_one_tenant_limited_and_as_json(
    cli_runner: CliHarness, audited: AuditStore
) -> None:
    beta = ok(cli_runner.invoke("audit", "runs", "--tenant", "beta"))
    assert [line.split("\t")[:2] for line in beta] == [["run 3", "beta"]]
    assert len(ok(cli_runner.invoke("audit", "--tenant", "acme", "runs", "--limit", "2"))) == 2
    runs = as_json(cli_runner.invoke("audit", "runs", "--json"))["runs"]
    assert [r["id"] for r in runs] == [4, 3, 2, 1]
    assert runs[3] == {
        "id": 1,
        "tenant": "acme",
        "command": "sync",
        "started_at": OLD,
        "finished_at": "2025-01-02T03:05:10+00:00",
        "duration_seconds": 65.0,
        "status": "ok",
        "exit_code": 0,
        "counts": {"invoiced": 1},
        "error": None,
    }
    assert (runs[2]["exit_code"], runs[1]["exit_code"], runs[0]["exit_code"]) == (1, None, None)
    assert runs[0]["finished_at"] is None


def test_runs_on_a_terminal_are_a_table(
    cli_runner: CliHarness, audited: AuditStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CliState, "interactive", property(lambda self: True))
    table = cli_runner.invoke("audit", "runs")
    assert table.exit_code == EXIT_OK, table.output
    assert "runs, latest first" in table.stdout
    assert "│" in table.stdout or "┃" in table.stdout
    assert "\t" not in table.stdout


# ------------------------------------------------------------------------------ events


def test_events_filters(cli_runner: CliHarness, audited: AuditStore) -> None:
    assert event_ids(cli_runner) == [7, 6, 5, 4, 3, 2, 1]
    assert event_ids(cli_runner, "--status", "failed") == [6, 4]
    assert event_ids(cli_runner, "--status", "failed", "--status", "mismatch") == [6, 5, 4]
    assert event_ids(cli_runner, "--status", "failed", "--tenant", "acme") == [4]
    assert event_ids(cli_runner, "--kind", "refund") == [6]
    assert event_ids(cli_runner, "--woo-id", "1042") == [3, 2, 1]
    assert event_ids(cli_runner, "--since", "30d") == [7, 6, 5, 4, 3]
    assert event_ids(cli_runner, "--since", "2025-01-01") == [7, 6, 5, 4, 3, 2, 1]
    assert event_ids(cli_runner, "--since", "2025-01-02T03:04:06+00:00") == [7, 6, 5, 4, 3]
    assert event_ids(cli_runner, "--limit", "2") == [7, 6]


def test_events_as_json_and_as_lines(cli_runner: CliHarness, audited: AuditStore) -> None:
    failed = as_json(cli_runner.invoke("audit", "events", "--status", "failed", "--json"))
    first = failed["events"][1]
    assert first == {
        "id": 4,
        "run_id": 2,
        "tenant": "acme",
        "at": first["at"],
        "kind": "order",
        "source_id": "1043",
        "source_version": None,
        "key": "acme/order/1043",
        "action": "failed",
        "odoo_model": None,
        "odoo_id": None,
        "odoo_name": None,
        "error": "tax rate 7 (DE 7%) has no mapping\nadd it to sync.taxes",
    }
    assert first["at"].endswith("+00:00")
    lines = ok(cli_runner.invoke("audit", "events", "--status", "failed", "--tenant", "acme"))
    assert lines[0].split("\t")[2:] == [
        "acme", "order 1043", "failed", "-", "tax rate 7 (DE 7%) has no mapping"
    ]  # fmt: skip
    none = cli_runner.invoke("audit", "events", "--woo-id", "404")
    assert (none.exit_code, none.stdout) == (EXIT_OK, "no events match\n")


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "yesterday"),
        ("--since", "2026-13-01"),
        ("--since", "7x"),
        ("--status", "exploded"),
        ("--limit", "0"),
    ],
    ids=["word", "bad-date", "bad-unit", "unknown-status", "zero-limit"],
)
def test_a_bad_filter_is_a_usage_error(
    cli_runner: CliHarness, audited: AuditStore, args: tuple[str, ...]
) -> None:
    result = cli_runner.invoke("audit", "events", *args)
    assert result.exit_code == EXIT_USAGE
    assert f"Invalid value for '{args[0]}'" in result.stderr


def test_a_bad_since_says_what_it_takes(cli_runner: CliHarness, audited: AuditStore) -> None:
    result = cli_runner.invoke("audit", "events", "--since", "yesterday")
    assert "'yesterday' is neither an age" in result.stderr
    assert "180d" in result.stderr
    assert "2026-03-01" in result.stderr


# ------------------------------------------------------------------------------ show


def test_show_an_event_for_a_person(cli_runner: CliHarness, audited: AuditStore) -> None:
    lines = ok(cli_runner.invoke("audit", "show", "3"))
    assert lines[0].startswith("event 3: acme order 1042 created, ")
    assert "(run 2)" in lines[0]
    assert "  Odoo:     account.move 55 INV/2026/0001" in lines
    assert "    expected: untaxed 14.99 EUR, tax 2.85 EUR, total 17.84 EUR" in lines
    assert "    odoo: untaxed 14.99 EUR, tax 2.85 EUR, total 17.84 EUR" in lines
    assert lines[-1] == (
        "  now:      acme/order/1042 -> account.move 55 INV/2026/0001 [posted];"
        " untaxed 14.99 EUR, total 17.84 EUR"
    )
    assert "14.990000" not in "\n".join(lines)


def test_show_amounts_in_the_currency_s_decimals(
    cli_runner: CliHarness, audited: AuditStore
) -> None:
    jpy = ok(cli_runner.invoke("audit", "show", "4"))
    assert "    expected: total 1500 JPY" in jpy
    assert "  error:    tax rate 7 (DE 7%) has no mapping" in jpy
    assert "            add it to sync.taxes" in jpy
    assert "  now:      not linked" in jpy
    assert "    expected: total 1.250 KWD" in ok(cli_runner.invoke("audit", "show", "5"))


def test_show_as_json_keeps_exact_values(cli_runner: CliHarness, audited: AuditStore) -> None:
    shown = as_json(cli_runner.invoke("audit", "show", "3", "--json"))
    assert shown["event"]["payload"]["expected"]["untaxed"] == "14.990000"
    assert shown["event"]["at"].endswith("+00:00")
    assert shown["link"]["amounts"] == {"untaxed": "14.990000", "total": "17.840000"}
    journey = as_json(cli_runner.invoke("audit", "show", "acme/order/1042", "--json"))
    assert [e["id"] for e in journey["events"]] == [3, 2, 1]
    assert journey["link"]["odoo_id"] == 55


def test_show_a_key_is_the_record_s_journey(cli_runner: CliHarness, audited: AuditStore) -> None:
    lines = ok(cli_runner.invoke("audit", "show", "acme/order/1042"))
    assert lines[0].startswith("acme/order/1042 -> account.move 55 INV/2026/0001 [posted]; ")
    assert [line.split("  ")[2] for line in lines[1:]] == ["event 1", "event 2", "event 3"]
    assert lines[3].endswith(" run 2 created account.move 55 INV/2026/0001")


@pytest.mark.parametrize("ident", ["999", "acme/order/999"])
def test_show_something_unknown_is_a_clear_error(
    cli_runner: CliHarness, audited: AuditStore, ident: str
) -> None:
    result = cli_runner.invoke("audit", "show", ident)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert "error: " in result.stderr
    assert ident in result.stderr
    assert "wooodoo audit events" in result.stderr
