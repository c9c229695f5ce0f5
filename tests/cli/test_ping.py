"""``wooodoo ping`` against the sandbox: versions, the checks a sync relies on, exit codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.e2e_helpers import Box, invoices, running_box
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, EXIT_REMOTE
from wooodoo.sandbox import Sandbox
from wooodoo.secrets import env_var_name


def run(box: Box, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(box.config_path), *args])


def warnings(result: Result) -> list[str]:
    prefix = "warning: sandbox: "
    return [line[len(prefix) :] for line in result.stderr.splitlines() if line.startswith(prefix)]


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Box]:
    with running_box(tmp_path, monkeypatch, orders=10, seed=17) as running:
        yield running


@pytest.mark.parametrize(("version", "api"), [(19, "json2"), (18, "xmlrpc"), (13, "xmlrpc")])
def test_a_sound_tenant_passes_every_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int, api: str
) -> None:
    with running_box(tmp_path, monkeypatch, orders=0, odoo_version=version) as box:
        result = run(box, "ping")
        calls = box.sb.odoo_counter.snapshot()
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines() == [
        f"sandbox: ok: WooCommerce 7.9.0 (tax per line, EUR); Odoo {version}.0 over {api}"
        " (tax per line); 6 checks"
    ]
    assert result.stderr == ""
    asked = "has_access" if version >= 18 else "check_access_rights"
    asks = sum(n for key, n in calls.items() if key.startswith("odoo ") and asked in key)
    assert asks == 6  # 2 models x 3 rights


def test_every_problem_is_named_with_its_fix(box: Box) -> None:
    box.sb.odoo_app.db.denied.update({("account.move", "create"), ("res.partner", "write")})
    box.sb.odoo_app.set_active("res.currency", [("name", "=", "EUR")], False)
    box.sb.odoo_app.set_active("account.tax", [("name", "=", "7% DE")], False)
    taxes = {1: "19% DE", 2: "7% DE", 3: "21% BE incl.", 4: "6% BE", 5: "20% AT", 6: "10% AT"}
    box.rewrite(
        journal="BILL",
        taxes={**taxes, 7: "20% FR", 41: "nope"},
        accounts={"products": "400000", "shipping": "999999"},
    )
    result = run(box, "ping")
    assert result.exit_code == EXIT_RECORDS_FAILED, result.output
    assert "sandbox: 10 problems:" in result.stdout
    assert warnings(result) == [
        "Odoo user 'sync@example.test' may not write partners (res.partner): give it the"
        " Invoicing / Accounting 'Billing' rights (Settings → Users) or log in as a user who"
        " has them (odoo.login)",
        "Odoo user 'sync@example.test' may not create invoices (account.move): give it the"
        " Invoicing / Accounting 'Billing' rights (Settings → Users) or log in as a user who"
        " has them (odoo.login)",
        "sync.journal: 'BILL' is a purchase journal: name a sales journal",
        "sync.accounts.shipping: no account with code '999999' in Odoo",
        "sync.taxes.2: Odoo tax '7% DE' is archived: unarchive it",
        "sync.taxes.3: Odoo tax '21% BE incl.' includes the price; map to a tax that excludes it",
        "sync.taxes.41: no sale tax named 'nope' in Odoo",
        "the store sells in EUR, which is not active in Odoo: activate it"
        " (Accounting → Configuration → Currencies)",
        'store tax rate 8 (TVA 5.5%, 5.5 %, FR) has no mapping: add `8: "5.5% FR"` to'
        " sync.taxes (orders taxed at it fail until then)",
        "sync.taxes.41: the store has no tax rate with this id or code: remove it",
    ]


def test_an_unknown_journal_lists_the_sales_journals(box: Box) -> None:
    box.rewrite(journal="SHOP")
    result = run(box, "-q", "ping")
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert warnings(result) == [
        "sync.journal: no journal with code 'SHOP' in Odoo (sales journals: INV)"
    ]


def test_a_store_older_than_5_8_is_caught_by_asking_for_tomorrows_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(orders=5, seed=2, directory=tmp_path, woo_version="5.6.1") as sb:
        config, _ = sb.write_config(tmp_path / "config.yaml")
        for name, value in sb.secret_env().items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(main, ["--config", str(config), "ping"])
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert [line for line in result.stderr.splitlines() if "modified_after" in line] == [
        "warning: sandbox: the store ignores modified_after (WooCommerce 5.6.1; it came in 5.8):"
        " changed orders are found only by `wooodoo sync --full`; upgrade WooCommerce"
    ]


def test_with_a_bad_key_exits_3_and_keeps_it_secret(
    monkeypatch: pytest.MonkeyPatch, box: Box
) -> None:
    wrong = "f00d" * 10
    monkeypatch.setenv(env_var_name(box.tenant_name, "odoo_api_key"), wrong)
    result = run(box, "ping")
    assert result.exit_code == EXIT_REMOTE
    assert re.match(r"sandbox: failed: WooCommerce 7\.9\.0 .*; Odoo not connected", result.stdout)
    assert "key invalid, expired or revoked" in result.stderr
    assert wrong not in result.output
    assert box.sb.secrets.odoo_api_key not in result.output
    sync = run(box, "sync")
    assert sync.exit_code == EXIT_REMOTE
    assert invoices(box.sb) == []
