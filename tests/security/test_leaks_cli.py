"""Every command at -vv with canary secrets (keys in the query string): no secret anywhere.

stdout, stderr, every log record (any logger, caplog) and the JSON log lines, the audit file
(every table, the raw file and its WAL), the other files wooodoo wrote, and the exception with
everything chained to it; see ``Shop.invoke``.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import TENANT, Shop
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED
from wooodoo.webhook.signature import sign

Caplog = pytest.LogCaptureFixture


def test_sync_at_debug_level_shows_no_key(shop: Shop, caplog: Caplog) -> None:
    result = shop.invoke(caplog, "sync")
    # one generated order fails (and keeps its snapshot in the audit file): exit 1
    assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output
    assert "invoiced" in result.output
    # the run did talk to the store with the keys in the query string, at debug level
    assert any("wp-json/wc/v3/orders" in r.getMessage() for r in caplog.records)
    assert any("consumer_key=REDACTED" in r.getMessage() for r in caplog.records)
    assert shop.sb.store.orders


def test_dry_run_and_full_resync(shop: Shop, caplog: Caplog) -> None:
    for args in (("--dry-run", "--full"), ("--full", "--since", "2026-01-01")):
        result = shop.invoke(caplog, "sync", *args)
        assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output


def test_replay_and_ping(shop: Shop, caplog: Caplog) -> None:
    order = min(shop.sb.store.orders)
    result = shop.invoke(caplog, "replay", "--key", f"{TENANT}/order/{order}")
    assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output
    assert shop.invoke(caplog, "replay", "--failed").exit_code in (EXIT_OK, EXIT_RECORDS_FAILED)
    assert shop.invoke(caplog, "ping").exit_code == EXIT_OK


@pytest.mark.parametrize(
    "args",
    [
        ("audit",),
        ("audit", "runs"),
        ("audit", "runs", "--json"),
        ("audit", "events", "--limit", "50"),
        ("audit", "events", "--json"),
        ("audit", "failures"),
        ("audit", "stats", "--json"),
        ("audit", "inbox"),
        ("audit", "drift"),
        ("audit", "reconcile", "--json"),
        ("audit", "prune", "--older-than", "1m", "--dry-run"),
    ],
    ids=lambda a: "-".join(a),
)
def test_audit_reports(shop: Shop, caplog: Caplog, args: tuple[str, ...]) -> None:
    result = shop.invoke(caplog, *args)
    assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output


def test_audit_show_every_event_in_full(shop: Shop, caplog: Caplog) -> None:
    order = min(shop.sb.store.orders)
    assert shop.invoke(caplog, "audit", "show", f"{TENANT}/order/{order}").exit_code == EXIT_OK
    assert shop.invoke(caplog, "audit", "show", "1", "--json").exit_code == EXIT_OK


def test_secrets_check_set_and_delete(shop: Shop, caplog: Caplog) -> None:
    assert shop.invoke(caplog, "secrets", "check").exit_code == EXIT_OK
    without_odoo = shop.env(odoo_api_key=True)
    result = shop.invoke(
        caplog,
        "secrets",
        "set",
        "--tenant",
        TENANT,
        "odoo_api_key",
        "--stdin",
        env=without_odoo,
        input=shop.secrets.odoo_api_key + "\n",
    )
    assert result.exit_code == EXIT_OK, result.output
    assert shop.invoke(caplog, "secrets", "check", env=without_odoo).exit_code == EXIT_OK
    result = shop.invoke(
        caplog, "secrets", "delete", "--tenant", TENANT, "odoo_api_key", env=without_odoo
    )
    assert result.exit_code == EXIT_OK, result.output


def test_webhook_verify_good_and_bad(shop: Shop, caplog: Caplog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = tmp_path / "delivery.body"
    body.write_bytes(b'{"id": 1}')
    good = sign(body.read_bytes(), shop.secrets.webhook_secret)
    ok = shop.invoke(caplog, "webhook", "verify", "-t", TENANT, "-s", good, str(body))
    assert ok.exit_code == EXIT_OK, ok.output
    bad = shop.invoke(caplog, "webhook", "verify", "-t", TENANT, "-s", "AAAA" + good[4:], str(body))
    assert bad.exit_code == EXIT_RECORDS_FAILED, bad.output
