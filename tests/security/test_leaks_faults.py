"""Failures and faults at -vv with canary secrets: wrong keys, 401/403/5xx, dropped connections,
HTML pages; each auth mode of the store. Nothing secret in any output, log or file."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest

from tests.security.canary import WRONG, assert_clean, exception_chain
from tests.security.conftest import TENANT, Shop
from wooodoo.config import load_config
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, EXIT_REMOTE, WooodooError
from wooodoo.http import RetryPolicy
from wooodoo.sandbox.faults import FaultPlan, StartResponse, WSGIApp, WSGIEnviron
from wooodoo.sync import SyncOptions
from wooodoo.wiring import open_tenant

Caplog = pytest.LogCaptureFixture
ALWAYS_500 = FaultPlan(rate_500=1.0)
DROPPED = FaultPlan(drop=1.0)
HTML = FaultPlan(html_200=0.5, php_notice=0.5)
SOME = FaultPlan.transient(0.3).with_updates(retry_after=0)


@pytest.mark.parametrize("auth", ["query", "basic", "oauth1"])
def test_each_auth_mode_through_transient_faults(shop: Shop, caplog: Caplog, auth: str) -> None:
    shop.faults(woo=SOME, odoo=SOME)
    try:
        result = shop.invoke(caplog, "sync", "--full", config=shop.config_for(auth))
    finally:
        shop.faults()
    assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output
    assert any("retrying" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("woo", "odoo"),
    [
        (ALWAYS_500, None),
        (DROPPED, None),
        (HTML, None),
        (None, ALWAYS_500),
        (None, DROPPED),
    ],
    ids=["woo-500", "woo-dropped", "woo-html", "odoo-500", "odoo-dropped"],
)
@pytest.mark.parametrize("command", ["sync", "ping"])
def test_a_side_that_keeps_failing(
    shop: Shop, caplog: Caplog, woo: FaultPlan | None, odoo: FaultPlan | None, command: str
) -> None:
    shop.faults(woo=woo, odoo=odoo)
    try:
        result = shop.invoke(caplog, *((command, "--full") if command == "sync" else (command,)))
    finally:
        shop.faults()
    assert result.exit_code != EXIT_OK, result.output


@pytest.mark.parametrize("auth", ["query", "basic", "oauth1"])
@pytest.mark.parametrize("wrong", ["woo_consumer_key", "woo_consumer_secret", "odoo_api_key"])
def test_wrong_credentials(shop: Shop, caplog: Caplog, auth: str, wrong: str) -> None:
    env = shop.env()
    env.update({k: v for k, v in shop.env(WRONG).items() if k.endswith(wrong.upper())})
    config = shop.config_for(auth)
    for args in (("sync",), ("ping",), ("webhook", "list", "--tenant", TENANT)):
        if wrong == "odoo_api_key" and args[0] == "webhook":
            continue  # webhook list reads the store only
        result = shop.invoke(caplog, *args, env=env, config=config)
        assert result.exit_code != EXIT_OK, result.output
        assert result.exit_code == EXIT_REMOTE or args[0] == "ping", result.output


def echoing(status: str) -> WSGIApp:
    """A server (a proxy, a WAF, a plugin) whose error names the request, query string and all."""

    def app(environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        uri = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
        body = json.dumps(
            {
                "code": "blocked",
                "message": f"Request {environ.get('REQUEST_METHOD')} {uri} refused",
                "data": {"status": int(status[:3]), "url": uri},
            }
        ).encode()
        start_response(status, [("Content-Type", "application/json")])
        return [body]

    return app


@pytest.mark.parametrize("status", ["401 Unauthorized", "403 Forbidden", "500 Server Error"])
@pytest.mark.parametrize("auth", ["query", "basic"])
def test_an_error_that_echoes_the_request(
    shop: Shop, caplog: Caplog, status: str, auth: str
) -> None:
    """The store's error message is shown, but never the keys it echoes from the URL."""
    real = shop.sb.woo_faults.app
    shop.sb.woo_faults.app = echoing(status)
    try:
        config = shop.config_for(auth)
        for args in (("sync",), ("ping",), ("webhook", "list", "--tenant", TENANT)):
            result = shop.invoke(caplog, *args, config=config)
            assert result.exit_code != EXIT_OK, result.output
            assert "refused" in result.output, result.output  # the store's words are kept
    finally:
        shop.sb.woo_faults.app = real


def test_exceptions_raised_to_a_caller_carry_no_secret(shop: Shop) -> None:
    """Through the library, not the CLI: the exception raised and all it chains."""
    config = load_config(shop.config)
    fast = RetryPolicy(attempts=2, total_seconds=5)
    raised: list[BaseException] = []
    for woo, odoo in ((DROPPED, None), (ALWAYS_500, None), (None, DROPPED), (None, ALWAYS_500)):
        shop.faults(woo=woo, odoo=odoo)
        try:
            with open_tenant(config, config.tenants[TENANT], retry=fast) as engine:
                engine.sync(SyncOptions(full=True))
        except WooodooError as exc:
            raised.append(exc)
        finally:
            shop.faults()
    assert len(raised) == 4
    for exc in raised:
        assert_clean("an exception", exception_chain(exc))
