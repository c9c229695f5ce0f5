"""Base URL rules: normalisation, rejections, loopback and Odoo Online helpers."""

from __future__ import annotations

import re

import pytest

from wooodoo.config.urls import is_loopback_host, normalise_url, odoo_online_database


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://shop.acme.example/", "https://shop.acme.example"),
        ("HTTPS://Shop.Acme.Example", "https://shop.acme.example"),
        ("https://acme.example/shop//", "https://acme.example/shop"),
        ("https://acme.example:8443/wp/", "https://acme.example:8443/wp"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.9.9.9/", "http://127.9.9.9"),
        ("http://localhost:8069", "http://localhost:8069"),
        ("http://[::1]:8069/", "http://[::1]:8069"),
    ],
)
def test_url_normalisation(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1", "must use https (only loopback may use http)"),
        ("http://localhost.example", "must use https (only loopback may use http)"),
        ("http://[::2]", "must use https (only loopback may use http)"),
        ("https://user@acme.example", "must not contain user info"),
        ("https://acme.example/?", "must not contain a query"),
        ("https://acme.example/#", "must not contain a fragment"),
        ("https://", "must start with https://"),
        ("", "must be a URL without spaces"),
    ],
)
def test_url_rejections(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^" + re.escape(reason)):
        normalise_url(url)


def test_loopback_and_online_helpers() -> None:
    assert is_loopback_host("LOCALHOST")
    assert is_loopback_host("::1")
    assert not is_loopback_host("example.com")
    assert not is_loopback_host("128.0.0.1")
    assert odoo_online_database("https://shop42.odoo.com/") == "shop42"
    assert odoo_online_database("https://odoo.com") is None
