"""``wooodoo audit drift`` on a store written here: what people changed in Odoo, latest first,
for a person (lines, a table) and for scripts (``--json``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.audit_data import OLD, tokyo_fixture  # noqa: F401 (fixture)
from tests.cli.conftest import CliHarness
from wooodoo.audit import AuditStore, Event
from wooodoo.cli.group import CliState
from wooodoo.errors import EXIT_OK, EXIT_USAGE


def _drift(key: str, model: str, odoo_id: int, error: str, payload: Any = None) -> Event:
    kind, source = key.split("/")[1], key.split("/")[2]
    return Event(kind, source, key, "drift", odoo_model=model, odoo_id=odoo_id, error=error,
                 payload=payload)  # fmt: skip


@pytest.fixture(name="drifted")
def drifted_fixture(cli_runner: CliHarness) -> AuditStore:
    beta = json.loads(json.dumps(cli_runner.config["tenants"]["acme"]))
    cli_runner.config["tenants"]["beta"] = beta
    cli_runner.config["audit_db"] = str(cli_runner.tmp_path / "audit.sqlite3")
    store = AuditStore(cli_runner.tmp_path / "audit.sqlite3")
    run = store.start_run("acme", "sync")
    # an old row without a payload (pruned, or written before drift rows carried one)
    said = "account.move INV/2024/0007: deleted in Odoo"
    store.commit_page("acme", run, [_drift("acme/order/7", "account.move", 40, said)])
    store.db.execute("UPDATE events SET at = ?", (OLD,))
    store.commit_page("acme", run, [
        Event("order", "1042", "acme/order/1042", "created", odoo_model="account.move", odoo_id=55),
        _drift("acme/order/1043", "account.move", 56, "account.move INV/2026/0002: reset to draft"
               " in Odoo", {"change": "draft", "was": {"odoo_id": 56, "state": "posted"},
                            "now": {"odoo_id": 56, "state": "draft"}}),
        _drift("acme/customer/5", "res.partner", 91, "res.partner 9: merged in Odoo into partner"
               " 91: followed", {"change": "merged", "was": {"odoo_id": 9, "state": "linked"},
                                 "now": {"odoo_id": 91, "state": "linked"}}),
    ])  # fmt: skip
    store.commit_page("beta", None, [
        _drift("beta/order/3", "account.move", 70, "account.move INV/2026/0003: deleted in Odoo",
               {"change": "deleted", "was": {"odoo_id": 70, "state": "posted"},
                "now": {"odoo_id": 70, "state": "deleted"}}),
        _drift("beta/guest/a@example.com", "res.partner", 12, "res.partner 12: deleted in Odoo"
               " (not followed: no partner took it)", {"change": "deleted", "now": None,
                                                        "was": {"odoo_id": 12, "state": "linked"}}),
    ])  # fmt: skip
    return store


def lines(cli_runner: CliHarness, *args: str) -> list[list[str]]:
    result = cli_runner.invoke("audit", "drift", *args)
    assert result.exit_code == EXIT_OK, result.output
    return [line.split("\t") for line in result.stdout.splitlines()]


@pytest.mark.usefixtures("tokyo")
def test_drift_latest_first_for_a_person(cli_runner: CliHarness, drifted: AuditStore) -> None:
    rows = lines(cli_runner)
    assert [r[0] for r in rows] == ["6", "5", "4", "3", "1"]  # the created row is no drift
    assert rows[-1] == [
        "1", "2025-01-02 12:04:05", "acme", "order 7", "account.move 40", "deleted by hand",
        "not made again by sync (replay makes it again)",
    ]  # fmt: skip
    by_record = {r[3]: r for r in rows}
    assert by_record["customer 5"][5:] == [
        "merged into another partner", "followed: its next invoices go to partner 91"
    ]  # fmt: skip
    assert by_record["order 1043"][5:] == ["reset to draft by hand", "link follows Odoo: draft"]
    assert by_record["guest a@example.com"][6] == "not followed: no partner took it"
    assert "{" not in json.dumps([r[:6] for r in rows]).replace('["', "")  # no raw JSON


def test_drift_filters_and_json(cli_runner: CliHarness, drifted: AuditStore) -> None:
    assert [r[0] for r in lines(cli_runner, "--tenant", "beta")] == ["6", "5"]
    assert [r[0] for r in lines(cli_runner, "--since", "30d")] == ["6", "5", "4", "3"]
    assert [r[0] for r in lines(cli_runner, "--limit", "2")] == ["6", "5"]
    assert [r[0] for r in lines(cli_runner, "--tenant", "acme", "--since", "30d")] == ["4", "3"]
    result = cli_runner.invoke("audit", "--tenant", "acme", "drift", "--json")
    assert result.exit_code == EXIT_OK, result.output
    rows = json.loads(result.stdout)["drift"]
    assert [r["id"] for r in rows] == [4, 3, 1]
    merged = rows[0]
    assert merged["key"] == "acme/customer/5"
    assert (merged["change"], merged["followed_to"]) == ("merged", 91)
    assert merged["was"] == {"odoo_id": 9, "state": "linked"}
    assert merged["at"].endswith("+00:00")
    assert (rows[1]["change"], rows[1]["followed_to"], rows[1]["now"]["state"]) == (
        "draft", None, "draft"
    )  # fmt: skip
    assert (rows[2]["change"], rows[2]["was"]) == ("deleted", None)  # said in words only


def test_drift_on_a_terminal_is_a_table_and_nothing_is_said_plainly(
    cli_runner: CliHarness, drifted: AuditStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = cli_runner.invoke("audit", "drift", "--since", "2030-01-01")
    assert (empty.exit_code, empty.stdout) == (
        EXIT_OK,
        "no change made by hand in Odoo is recorded\n",
    )
    assert cli_runner.invoke("audit", "drift", "--since", "soon").exit_code == EXIT_USAGE
    monkeypatch.setattr(CliState, "interactive", property(lambda self: True))
    table = cli_runner.invoke("audit", "drift")
    assert table.exit_code == EXIT_OK, table.output
    assert "changed by hand in Odoo, latest first" in table.stdout
    assert "\t" not in table.stdout
    assert "merged" in table.stdout  # (the table wraps its cells at 80 columns here)
