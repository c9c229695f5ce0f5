"""Captured headers files: the listener's JSON and HTTP-style lines, looked up in any case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.webhook.captures import ALL, SIGNED, Delivery
from wooodoo.errors import EXIT_USAGE, UsageError
from wooodoo.webhook.signature import (
    SIGNATURE_HEADER,
    Headers,
    HeadersFileError,
    MalformedHeadersError,
    parse_headers,
)

REST = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce" / "rest"
SIGNATURE = "ep8+G/9cnD96ImPB+yxeKlKld0RBhXqURWCRWymqCOk="


@pytest.mark.parametrize("delivery", ALL, ids=[d.name for d in ALL])
def test_every_capture_parses(delivery: Delivery) -> None:
    headers = parse_headers(delivery.headers_path.read_bytes(), str(delivery.headers_path))
    assert headers.get(SIGNATURE_HEADER) == delivery.signature
    assert headers["user-agent"] == "WooCommerce/7.9.0 Hookshot (WordPress/6.1.9)"
    assert headers.get("X-WC-WEBHOOK-SIGNATURE") == delivery.signature


def test_http_lines_with_a_request_line_comments_and_a_body() -> None:
    text = (
        "# captured with tcpdump\r\n"
        "POST /wc-webhook/order-created HTTP/1.1\r\n"
        "Host: 127.0.0.1:9099\r\n"
        "x-wc-webhook-signature:   " + SIGNATURE + "  \r\n"
        "X-WC-Webhook-Topic: order.created\r\n"
        "\r\n"
        '{"id": 1, "note": "Not: a header"}\r\n'
    )
    headers = parse_headers(text.encode(), "delivery.txt")
    assert headers[SIGNATURE_HEADER] == SIGNATURE
    assert list(headers) == ["Host", "x-wc-webhook-signature", "X-WC-Webhook-Topic"]
    assert "note" not in headers


def test_a_rest_capture_with_its_status_line_parses() -> None:
    headers = parse_headers((REST / "webhooks.headers.txt").read_bytes(), "webhooks.headers.txt")
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert headers["x-wp-total"] == "2"
    assert SIGNATURE_HEADER not in headers


def test_headers_are_a_case_insensitive_mapping() -> None:
    headers = Headers([("Accept", "a"), ("ACCEPT", "b"), ("Host", "h")])
    assert headers["accept"] == "a, b"  # repeated: joined, as HTTP reads them
    assert list(headers) == ["Accept", "Host"]
    assert len(headers) == 2
    assert 1 not in headers
    assert headers.get(SIGNATURE_HEADER) is None
    assert repr(Headers([("X-Secret-Thing", "value-never-shown")])) == "Headers(['X-Secret-Thing'])"


def test_a_capture_may_give_the_headers_as_an_object() -> None:
    data = json.dumps({"headers": {SIGNATURE_HEADER: SIGNATURE}}).encode()
    assert parse_headers(data, "h.json")[SIGNATURE_HEADER] == SIGNATURE


def test_an_empty_file_has_no_headers() -> None:
    assert len(parse_headers(b"", "empty.txt")) == 0
    assert len(parse_headers(b"\n# nothing\n", "empty.txt")) == 0


def malformed(data: bytes, source: str = "/tmp/h.json") -> MalformedHeadersError:
    with pytest.raises(MalformedHeadersError) as caught:
        parse_headers(data, source)
    error = caught.value
    assert isinstance(error, HeadersFileError)
    assert isinstance(error, UsageError)
    assert error.exit_code == EXIT_USAGE
    assert error.message.startswith(f"headers file {source}: ")
    return error


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"headers": [["Host", "x"]', "not valid JSON (line 1)"),
        (b'{"method": "POST"}', "a capture needs"),
        (b'["Host", "x"]', "a capture needs"),
        (b'{"headers": "Host: x"}', "a capture needs"),
        (b"\xff\xfeHost: x", "not UTF-8 text (byte 0)"),
    ],
    ids=["truncated-json", "no-headers-key", "json-list", "headers-string", "not-utf8"],
)
def test_a_file_that_is_no_capture_is_refused(data: bytes, expected: str) -> None:
    assert expected in malformed(data).message


def test_every_bad_pair_is_reported_by_its_index() -> None:
    data = json.dumps(
        {"headers": [["Host", "x"], ["Bad Name", "v"], ["X", 1], ["only-name"], "Host: x"]}
    ).encode()
    assert malformed(data).problems == tuple(
        f"headers[{i}] is not a [name, value] pair of strings" for i in (1, 2, 3, 4)
    )


def test_bad_lines_are_named_by_number_without_their_content() -> None:
    value = "whsec-looks-like-a-secret"
    text = f"Host: x\nthis is {value}\n: empty name\n"
    error = malformed(text.encode(), "h.txt")
    assert error.problems == (
        "line 2 is not a `Name: value` header",
        "line 3 is not a `Name: value` header",
    )
    assert value not in str(error)


def test_a_start_line_after_the_headers_is_refused() -> None:
    error = malformed(b"Host: x\nHTTP/1.1 200 OK\n", "h.txt")
    assert error.problems == ("line 2 is not a `Name: value` header",)


def test_many_bad_lines_are_summed_up() -> None:
    error = malformed(b"nope\n" * 12, "body.json")
    assert len(error.problems) == 6
    assert error.problems[-1] == "and 7 more"


@pytest.mark.parametrize("delivery", SIGNED[:1], ids=["body-as-headers"])
def test_a_body_given_as_headers_is_refused(delivery: Delivery) -> None:
    error = malformed(delivery.body, "order.body")
    assert "a capture needs" in error.message
