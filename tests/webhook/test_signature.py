"""sign and verify: every captured delivery verifies, any change is refused, verify never raises."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.webhook.captures import ALL, PINGS, SECRET, SIGNED, Delivery
from wooodoo.webhook.signature import sign, verify

IDS = [d.name for d in SIGNED]


def flipped(body: bytes, index: int) -> bytes:
    return body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]


def other_signature(signature: str) -> str:
    """The same signature with its first character changed (still base64, still 44 long)."""
    return ("B" if signature[0] == "A" else "A") + signature[1:]


def test_the_captures_are_all_there() -> None:
    assert len(SIGNED) == 38  # order.created and order.updated, async and synchronous
    assert [d.body for d in PINGS] == [b"webhook_id=1", b"webhook_id=2"]
    assert len(ALL) == len(SIGNED) + len(PINGS)


@pytest.mark.parametrize("delivery", SIGNED, ids=IDS)
def test_every_signed_delivery_verifies(delivery: Delivery) -> None:
    assert sign(delivery.body, SECRET) == delivery.signature
    assert verify(delivery.body, SECRET, delivery.signature)


@pytest.mark.parametrize("delivery", SIGNED, ids=IDS)
def test_a_flipped_byte_anywhere_is_refused(delivery: Delivery) -> None:
    body = delivery.body
    for index in (0, len(body) // 2, len(body) - 1):
        assert not verify(flipped(body, index), SECRET, delivery.signature)
    assert not verify(body + b"\n", SECRET, delivery.signature)  # an editor's final newline
    assert not verify(body[:-1], SECRET, delivery.signature)


@pytest.mark.parametrize("delivery", SIGNED, ids=IDS)
def test_another_secret_or_signature_is_refused(delivery: Delivery) -> None:
    assert delivery.signature is not None
    for secret in ("whsec-local-test-124", SECRET.upper(), SECRET + " ", ""):
        assert not verify(delivery.body, secret, delivery.signature)
    assert not verify(delivery.body, SECRET, other_signature(delivery.signature))
    assert not verify(delivery.body, SECRET, delivery.signature.rstrip("="))
    assert not verify(delivery.body, SECRET, delivery.signature + "\n")


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        " ",
        "é" * 44,
        "\x00",
        "ep8+G/9cnD96ImPB+yxeKlKld0RBhXqURWCRWymqCOk=\u200b",
        "A" * 10**7,
    ],
    ids=["none", "empty", "space", "non-ascii", "nul", "zero-width-tail", "ten-megabytes"],
)
def test_odd_signatures_are_false_not_errors(signature: str | None) -> None:
    assert verify(b"{}", SECRET, signature) is False


def test_a_secret_with_bytes_from_a_non_utf8_environment_keeps_them() -> None:
    # os.environ carries a byte that is not UTF-8 as a lone surrogate (surrogateescape).
    expected = base64.b64encode(hmac.new(b"k\xff", b"{}", hashlib.sha256).digest()).decode()
    assert sign(b"{}", "k\udcff") == expected
    assert verify(b"{}", "\ud800", expected) is False  # cannot be encoded at all: no match


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=4096), secret=st.text(max_size=80))
def test_sign_then_verify_round_trips(body: bytes, secret: str) -> None:
    signature = sign(body, secret)
    assert len(signature) == 44
    assert signature.isascii()
    assert verify(body, secret, signature)


_huge = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(0, 200_000))


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=1024),
    secret=st.text(max_size=40),
    signature=st.one_of(
        st.none(), st.text(), st.from_regex(r"[A-Za-z0-9+/]{43}=", fullmatch=True), _huge
    ),
)
def test_verify_is_true_only_for_the_signature_itself(
    body: bytes, secret: str, signature: str | None
) -> None:
    assert verify(body, secret, signature) is (signature == sign(body, secret))


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=1024), secret=st.text(max_size=40), data=st.data())
def test_one_changed_character_is_refused(body: bytes, secret: str, data: st.DataObject) -> None:
    signature = sign(body, secret)
    index = data.draw(st.integers(0, len(signature) - 1), label="index")
    character = data.draw(st.characters(), label="character")
    assume(character != signature[index])
    changed = signature[:index] + character + signature[index + 1 :]
    assert verify(body, secret, changed) is False


def test_the_check_is_pure() -> None:
    code = "import sys, wooodoo.webhook.signature; print(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert [m for m in loaded if m.split(".")[0] in {"click", "rich", "requests", "keyring"}] == []
