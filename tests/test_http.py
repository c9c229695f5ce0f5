"""The shared HTTP layer: classification table, retry bounds, Retry-After, redaction."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from wooodoo.errors import (
    AuthError,
    NotFoundError,
    RemoteRequestError,
    TimedOutError,
    TransientError,
    WooodooError,
)
from wooodoo.http import (
    RetryPolicy,
    classify,
    install_log_redaction,
    make_session,
    parse_retry_after,
    redact_url,
    transient_from_exception,
)

URL = "https://shop.test/wp-json/wc/v3/orders"
JSON = "application/json; charset=UTF-8"
HTML = "text/html; charset=UTF-8"
PHP_NOTICE = (
    "<br />\n<b>Notice</b>:  Undefined index: x in <b>/var/www/a.php</b> on line <b>4</b><br />\n"
)


def describe(body: Any) -> tuple[str, str]:
    return str(body.get("code", "")), str(body.get("message", ""))


def woo_error(code: str, message: str, status: int) -> str:
    return json.dumps({"code": code, "message": message, "data": {"status": status}})


def fetch(what: str = "GET orders") -> Any:
    """One request through a real session, classified the way the clients do it."""
    session = make_session()
    try:
        resp = session.get(URL, timeout=5)
    except requests.RequestException as exc:
        raise transient_from_exception(exc, what) from None
    return classify(resp, what, describe)


# (status, content type, body, extra headers, expected class, text expected in the message)
CASES = [
    pytest.param(200, JSON, '[{"id": 1}]', {}, None, "", id="200-json"),
    pytest.param(201, JSON, '{"id": 7}', {}, None, "", id="201-json"),
    pytest.param(
        400,
        JSON,
        woo_error("rest_invalid_param", "Invalid parameter(s): status", 400),
        {},
        RemoteRequestError,
        "rest_invalid_param: Invalid parameter(s): status",
        id="400-invalid-param",
    ),
    pytest.param(
        401,
        JSON,
        woo_error("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401),
        {},
        AuthError,
        "Consumer secret is invalid.",
        id="401-bad-secret",
    ),
    pytest.param(
        403,
        JSON,
        woo_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 403),
        {},
        AuthError,
        "cannot list resources",
        id="403-forbidden",
    ),
    pytest.param(
        404,
        JSON,
        woo_error("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404),
        {},
        NotFoundError,
        "Invalid ID.",
        id="404-order",
    ),
    pytest.param(
        429,
        HTML,
        "<html>slow down</html>",
        {"Retry-After": "7"},
        TransientError,
        "429",
        id="429-retry-after",
    ),
    pytest.param(500, HTML, "<html>oops</html>", {}, TransientError, "500", id="500"),
    pytest.param(502, HTML, "<html>bad gw</html>", {}, TransientError, "502", id="502"),
    pytest.param(
        503, HTML, "<html>busy</html>", {"Retry-After": "3"}, TransientError, "503", id="503"
    ),
    pytest.param(504, HTML, "", {}, TimedOutError, "504", id="504-empty"),
    pytest.param(
        200,
        HTML,
        "<!DOCTYPE html><html><body>Maintenance</body></html>",
        {},
        TransientError,
        "HTML page",
        id="200-html-maintenance",
    ),
    pytest.param(
        200,
        JSON,
        PHP_NOTICE + '[{"id": 1}]',
        {},
        TransientError,
        "PHP notice",
        id="200-php-notice-then-json",
    ),
    pytest.param(200, JSON, "", {}, TransientError, "not JSON", id="200-empty-body"),
    pytest.param(202, HTML, "<html>queued</html>", {}, TransientError, "HTML", id="202-html"),
    pytest.param(200, HTML, '[{"id": 1}]', {}, None, "", id="200-json-labelled-html"),
    pytest.param(200, JSON, '\ufeff[{"id": 1}]', {}, None, "", id="200-json-with-bom"),
]


@pytest.mark.parametrize(("status", "ctype", "body", "headers", "expected", "text"), CASES)
@responses.activate
def test_classification_table(
    status: int,
    ctype: str,
    body: str,
    headers: dict[str, str],
    expected: type[Exception] | None,
    text: str,
) -> None:
    responses.get(URL, status=status, body=body.encode(), content_type=ctype, headers=headers)
    if expected is None:
        assert fetch() == json.loads(body.removeprefix("\ufeff"))
        return
    with pytest.raises(WooodooError) as info:
        fetch()
    assert type(info.value) is expected
    assert text in str(info.value)
    assert str(info.value).startswith("GET orders: ")


@responses.activate
def test_retry_after_is_carried_by_the_transient_error() -> None:
    responses.get(URL, status=429, body=b"{}", content_type=JSON, headers={"Retry-After": "7"})
    with pytest.raises(TransientError) as info:
        fetch()
    assert info.value.retry_after == 7.0


@responses.activate
def test_4xx_error_keeps_the_store_code_and_status() -> None:
    responses.get(
        URL,
        status=400,
        body=woo_error("rest_invalid_param", "bad", 400).encode(),
        content_type=JSON,
    )
    with pytest.raises(RemoteRequestError) as info:
        fetch()
    assert (info.value.code, info.value.status) == ("rest_invalid_param", 400)


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        pytest.param(requests.ConnectionError("refused"), "ConnectionError", id="connection-error"),
        pytest.param(requests.ReadTimeout("read timed out"), "ReadTimeout", id="timeout"),
        pytest.param(
            requests.exceptions.ChunkedEncodingError("cut"),
            "ChunkedEncodingError",
            id="broken-body",
        ),
    ],
)
@responses.activate
def test_transport_failures_are_transient(exc: Exception, text: str) -> None:
    responses.get(URL, body=exc)
    with pytest.raises(TransientError) as info:
        fetch()
    assert text in str(info.value)


def test_transport_error_message_never_quotes_the_url() -> None:
    exc = requests.ConnectionError(
        "HTTPSConnectionPool(host='shop.test'): Max retries exceeded with url: "
        "/wp-json/wc/v3/orders?consumer_key=ck_live&consumer_secret=cs_live"
    )
    err = transient_from_exception(exc, "GET orders")
    assert "cs_live" not in str(err)
    assert "ck_live" not in str(err)


# ---------------------------------------------------------------- retry policy


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Flaky:
    """Fails ``failures`` times with ``error``, then returns "ok"."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def test_retry_honours_retry_after() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(
        attempts=5, total_seconds=60, base_delay=0.01, max_delay=0.02, sleep=sleeps
    )
    fn = Flaky(2, TransientError("429", retry_after=7))
    assert policy.call(fn, what="GET orders") == "ok"
    assert fn.calls == 3
    assert len(sleeps.calls) == 2
    assert all(7 <= s < 7.1 for s in sleeps.calls)


def test_backoff_grows_with_jitter_when_no_retry_after() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=4, total_seconds=60, base_delay=1, max_delay=100, sleep=sleeps)
    assert policy.call(Flaky(3, TransientError("502"))) == "ok"
    assert len(sleeps.calls) == 3
    for n, slept in enumerate(sleeps.calls):
        assert 2**n / 2 <= slept <= 2**n


def test_retries_bounded_by_attempts() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=3, total_seconds=60, base_delay=0.01, sleep=sleeps)
    fn = Flaky(99, TransientError("GET orders: HTTP 503"))
    with pytest.raises(TransientError) as info:
        policy.call(fn)
    assert fn.calls == 3
    assert len(sleeps.calls) == 2
    assert "gave up after 3 attempts" in str(info.value)
    assert "GET orders: HTTP 503" in str(info.value)


def test_retries_bounded_by_total_time() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=50, total_seconds=5, base_delay=1, max_delay=100, sleep=sleeps)
    fn = Flaky(99, TransientError("502"))
    with pytest.raises(TransientError):
        policy.call(fn)
    assert sum(sleeps.calls) <= 5
    assert 2 <= fn.calls < 50


def test_retry_after_beyond_budget_gives_up_without_waiting() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=5, total_seconds=10, sleep=sleeps)
    fn = Flaky(99, TransientError("GET orders: HTTP 429", retry_after=300))
    with pytest.raises(TransientError) as info:
        policy.call(fn)
    assert fn.calls == 1
    assert sleeps.calls == []
    assert "asked to wait 300s" in str(info.value)
    assert info.value.retry_after == 300


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(AuthError("401"), id="auth"),
        pytest.param(NotFoundError("404"), id="not-found"),
        pytest.param(RemoteRequestError("400"), id="bad-request"),
    ],
)
def test_fatal_errors_are_not_retried(error: Exception) -> None:
    sleeps = Sleeps()
    fn = Flaky(99, error)
    with pytest.raises(type(error)):
        RetryPolicy(sleep=sleeps).call(fn)
    assert fn.calls == 1
    assert sleeps.calls == []


def test_each_retry_is_logged_with_what_and_wait(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    policy = RetryPolicy(attempts=2, total_seconds=5, base_delay=0.01, sleep=Sleeps())
    policy.call(
        Flaky(1, TransientError("GET https://shop.test/x?consumer_key=REDACTED: 502")),
        what="GET orders",
    )
    assert "retrying GET orders" in caplog.text


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("url", "secrets", "kept"),
    [
        pytest.param(
            "https://shop.test/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_2&page=3",
            ["ck_1", "cs_2"],
            ["page=3", "consumer_key=REDACTED"],
            id="query-keys",
        ),
        pytest.param(
            "http://shop.test/wp-json/wc/v3/orders?oauth_consumer_key=ck_1&oauth_nonce=n1"
            "&oauth_signature=c2lnbmF0dXJl%3D&oauth_signature_method=HMAC-SHA256&status[]=a",
            ["ck_1", "c2lnbmF0dXJl"],
            ["oauth_nonce=n1", "status[]=a", "oauth_signature=REDACTED"],
            id="oauth",
        ),
        pytest.param(
            "https://ck_1:cs_2@shop.test:8443/wp-json/",
            ["ck_1", "cs_2"],
            ["https://shop.test:8443/wp-json/"],
            id="user-info",
        ),
        pytest.param(
            "https://[::1]:8443/wp-json/wc/v3/orders?Consumer_Secret=cs_2",
            ["cs_2"],
            ["https://[::1]:8443/wp-json/wc/v3/orders"],
            id="ipv6-and-case",
        ),
        pytest.param(
            "/wp-json/wc/v3/orders?consumer_secret=cs_2&per_page=5",
            ["cs_2"],
            ["/wp-json/wc/v3/orders?", "per_page=5"],
            id="path-only",
        ),
    ],
)
def test_redact_url(url: str, secrets: list[str], kept: list[str]) -> None:
    out = redact_url(url)
    for secret in secrets:
        assert secret not in out
    for text in kept:
        assert text in out


def test_third_party_debug_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s',
        "https",
        "shop.test",
        443,
        "GET",
        "/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_2",
        "HTTP/1.1",
        200,
        None,
    )
    logging.getLogger("oauthlib.oauth1.rfc5849").debug("Signature: c2lnbmF0dXJl")
    logging.getLogger("requests_oauthlib.oauth1_auth").debug("Updated url: %s", "x?oauth_x=1")
    assert "cs_2" not in caplog.text
    assert "ck_1" not in caplog.text
    assert "c2lnbmF0dXJl" not in caplog.text
    assert "consumer_secret=REDACTED" in caplog.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


@responses.activate
def test_a_netrc_entry_never_replaces_the_authorization_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain requests reads ~/.netrc for a request without ``auth=``: an entry for the Odoo
    host would replace the header carrying its API key with a Basic login."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine odoo.test login someone password elsewhere\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    url = "https://odoo.test/json/2/res.partner/search_read"
    responses.post(url, json=[])
    assert requests.utils.get_netrc_auth(url) == ("someone", "elsewhere")  # the file is read

    make_session().post(url, json={}, headers={"Authorization": "bearer the-api-key"})

    assert responses.calls[0].request.headers["Authorization"] == "bearer the-api-key"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"HTTPS_PROXY": "http://proxy.test:3128"}, {"https": "http://proxy.test:3128"}),
        ({"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "shop.test"}, {}),
        ({"HTTP_PROXY": "http://proxy.test:3128"}, {"http": "http://proxy.test:3128"}),
        ({}, {}),
    ],
)
def test_proxies_still_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: dict[str, str]
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    session = make_session()

    settings = session.merge_environment_settings(URL, {}, None, None, None)

    proxies = {k: v for k, v in settings["proxies"].items() if k in ("http", "https")}
    assert proxies == expected
    assert settings["verify"] is True
