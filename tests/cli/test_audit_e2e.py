"""``wooodoo audit`` and ``sync --dry-run`` after a real sync against the sandbox: amounts in
the currency's decimals, the failures findable by status, the audit read without the network."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.e2e_helpers import Box, invoiced_status, running_box, shop_orders
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED


def run(box: Box, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(box.config_path), *args])


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Box]:
    with running_box(tmp_path, monkeypatch, orders=60, seed=17) as running:
        yield running


def test_dry_run_shows_amounts_in_the_currency_s_decimals(box: Box) -> None:
    assert box.sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
    result = run(box, "sync", "--dry-run")
    assert result.exit_code == EXIT_OK, result.output
    would = [line for line in result.stdout.splitlines() if "would create invoice" in line]
    currencies = {o.currency for o in shop_orders(box.sb).values() if invoiced_status(o)}
    assert {"JPY", "EUR"} <= currencies
    amounts = r"untaxed -?\d+{d} {c}, tax -?\d+{d} {c}, total -?\d+{d} {c}; \d+ lines"
    for code in currencies:
        decimals = "" if code == "JPY" else r"\.\d\d"
        pattern = re.compile(amounts.format(d=decimals, c=code))
        assert [line for line in would if pattern.search(line)], (code, would[:3])
    assert len(would) == sum(1 for o in shop_orders(box.sb).values() if invoiced_status(o))
    assert not re.search(r"\d\.\d{3}", result.stdout)  # no shop dp=6 amounts left


def test_the_failures_of_a_sync_are_found_by_status_without_the_network(box: Box) -> None:
    assert run(box, "sync").exit_code == EXIT_RECORDS_FAILED
    jpy = sorted(
        box.key(i)
        for i, o in shop_orders(box.sb).items()
        if o.currency == "JPY" and invoiced_status(o)
    )
    box.sb.woo_counter.reset()
    box.sb.odoo_counter.reset()

    failed = json.loads(run(box, "audit", "events", "--status", "failed", "--json").stdout)
    assert sorted(e["key"] for e in failed["events"]) == jpy
    assert all("currency JPY is not active" in e["error"] for e in failed["events"])
    runs = json.loads(run(box, "audit", "runs", "--json").stdout)["runs"]
    assert [(r["command"], r["status"], r["exit_code"]) for r in runs] == [("sync", "partial", 1)]
    assert runs[0]["counts"]["failed"] == len(jpy)
    stats = json.loads(run(box, "audit", "stats", "--json").stdout)["tenants"]
    assert [(s["tenant"], s["failures_waiting"]) for s in stats] == [(box.tenant_name, len(jpy))]
    assert stats[0]["cursors"]["orders"]["lag_seconds"] >= 0

    shown = run(box, "audit", "show", str(failed["events"][0]["id"]))
    assert shown.exit_code == EXIT_OK, shown.output
    assert "currency JPY is not active" in shown.stdout
    created = json.loads(run(box, "audit", "events", "--status", "created", "--kind", "order",
                             "--limit", "1", "--json").stdout)["events"]  # fmt: skip
    booked = run(box, "audit", "show", str(created[0]["id"]))
    # amounts in the order's currency: the sync keeps it with the amounts
    eur = r"\d+\.\d\d EUR"
    expected = rf"    expected: untaxed {eur}, tax {eur}, total {eur}$"
    assert re.search(expected, booked.stdout, re.MULTILINE), booked.stdout
    # reading the audit never touches the network
    assert box.sb.woo_counter.snapshot() == box.sb.odoo_counter.snapshot() == {}
