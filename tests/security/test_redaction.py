"""What the HTTP layer removes from URLs and from a remote's free text before anyone sees it."""

from __future__ import annotations

import pytest

from wooodoo.http import redact_text, redact_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Request GET /orders?page=1&consumer_key=ck_1&consumer_secret=cs_2 refused",
            "Request GET /orders?page=1&consumer_key=REDACTED&consumer_secret=REDACTED refused",
            id="query-keys",
        ),
        pytest.param(
            "url: /x?CONSUMER_SECRET%3Dcs_2&a=b",
            "url: /x?CONSUMER_SECRET%3DREDACTED&a=b",
            id="upper-case-and-encoded",
        ),
        pytest.param(
            '<p>oauth_signature=abc%2Bdef</p> "api_key=k1"',
            '<p>oauth_signature=REDACTED</p> "api_key=REDACTED"',
            id="html-and-quotes",
        ),
        pytest.param("monkey=1 keyword=2 page=3", "monkey=1 keyword=2 page=3", id="not-a-key"),
        pytest.param("No route was found.", "No route was found.", id="plain"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://user:pw@shop.test/wp-json/wc/v3/orders?consumer_key=ck&page=2",
            "https://shop.test/wp-json/wc/v3/orders?consumer_key=REDACTED&page=2",
            id="user-info-and-query",
        ),
        pytest.param(
            "https://[::1]:8443/x?oauth_signature=s#frag",
            "https://[::1]:8443/x?oauth_signature=REDACTED",
            id="ipv6-fragment",
        ),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
