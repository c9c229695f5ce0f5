"""``wooodoo webhook verify``: one line, exit 0 / 1 / 2, and never the secret in any output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from click.testing import CliRunner, Result

from tests.conftest import WriteConfig
from tests.webhook.captures import PINGS, SECRET, SIGNED, Delivery
from wooodoo.cli import main
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, EXIT_USAGE
from wooodoo.secrets import SERVICE
from wooodoo.webhook.signature import sign

ENV_VAR = "WOOODOO_ACME_WEBHOOK_SECRET"
IDS = [d.name for d in SIGNED]


@pytest.fixture
def config(tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any]) -> Path:
    return write_config(tmp_path, config_data)  # one tenant, acme


@pytest.fixture
def secret_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, SECRET)


def verify(config: Path, *args: str, input: bytes | None = None) -> Result:
    """Runs the command; whatever happens, neither the secret nor its env value is shown."""
    result = CliRunner().invoke(
        main, ["--config", str(config), "webhook", "verify", *args], input=input
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert SECRET not in result.stdout
    assert SECRET not in result.stderr
    return result


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


def valid(delivery: Delivery) -> str:
    return f"signature valid (tenant acme, {len(delivery.body)} bytes)"


def mismatch(size: int) -> str:
    return f"error: signature does not match (tenant acme, {size} bytes)"


# --- the captured deliveries -----------------------------------------------------------------


@pytest.mark.usefixtures("secret_set")
@pytest.mark.parametrize("delivery", SIGNED, ids=IDS)
def test_every_signed_delivery_verifies_from_its_capture(config: Path, delivery: Delivery) -> None:
    result = verify(
        config, "--tenant", "acme", "--headers", str(delivery.headers_path), str(delivery.body_path)
    )
    assert result.exit_code == EXIT_OK, result.output
    assert one_line(result.stdout) == valid(delivery)
    assert result.stderr == ""


@pytest.mark.usefixtures("secret_set")
@pytest.mark.parametrize("delivery", SIGNED, ids=IDS)
def test_a_flipped_byte_is_refused(config: Path, delivery: Delivery, tmp_path: Path) -> None:
    body = bytearray(delivery.body)
    body[len(body) // 2] ^= 0x01
    tampered = tmp_path / "tampered.body"
    tampered.write_bytes(bytes(body))

    result = verify(config, "-t", "acme", "--headers", str(delivery.headers_path), str(tampered))

    assert result.exit_code == EXIT_RECORDS_FAILED
    assert result.stdout == ""
    assert one_line(result.stderr) == mismatch(len(body))
    assert sign(bytes(body), SECRET) not in result.stderr  # the expected signature stays unsaid


@pytest.mark.parametrize("delivery", SIGNED[::7], ids=IDS[::7])
def test_another_secret_is_refused(
    config: Path, delivery: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, SECRET + "4")
    result = verify(config, "--headers", str(delivery.headers_path), str(delivery.body_path))
    assert result.exit_code == EXIT_RECORDS_FAILED
    assert one_line(result.stderr) == mismatch(len(delivery.body))


@pytest.mark.usefixtures("secret_set")
@pytest.mark.parametrize("delivery", SIGNED[::7], ids=IDS[::7])
def test_another_signature_is_refused(config: Path, delivery: Delivery, tmp_path: Path) -> None:
    assert delivery.signature is not None
    changed = ("B" if delivery.signature[0] == "A" else "A") + delivery.signature[1:]
    capture = json.loads(delivery.headers_path.read_text(encoding="utf-8"))
    capture["headers"] = [
        [n, changed if n == "X-WC-Webhook-Signature" else v] for n, v in capture["headers"]
    ]
    headers = tmp_path / "edited.json"
    headers.write_text(json.dumps(capture), encoding="utf-8")
    body = str(delivery.body_path)

    for args in (["--headers", str(headers)], ["--signature", changed], ["-s", "é" * 44]):
        result = verify(config, "-t", "acme", *args, body)
        assert result.exit_code == EXIT_RECORDS_FAILED, args
        assert one_line(result.stderr) == mismatch(len(delivery.body))


@pytest.mark.usefixtures("secret_set")
@pytest.mark.parametrize("dash", [["-"], []], ids=["dash", "no-argument"])
def test_the_body_comes_from_stdin_byte_for_byte(config: Path, dash: list[str]) -> None:
    body = b'{"note": "line\r\nbreak \xc3\xa9"}\r\n'
    result = verify(config, "-s", sign(body, SECRET), *dash, input=body)
    assert result.exit_code == EXIT_OK, result.output
    assert one_line(result.stdout) == f"signature valid (tenant acme, {len(body)} bytes)"


def test_the_secret_can_come_from_the_keyring(config: Path) -> None:
    delivery = SIGNED[0]
    keyring.set_password(SERVICE, "acme/webhook_secret", SECRET)
    assert delivery.signature is not None
    result = verify(config, "--signature", delivery.signature, str(delivery.body_path))
    assert result.exit_code == EXIT_OK, result.output
    assert one_line(result.stdout) == valid(delivery)


@pytest.mark.usefixtures("secret_set")
def test_quiet_prints_nothing_when_it_matches(config: Path) -> None:
    delivery = SIGNED[-1]
    result = verify(config, "-q", "--headers", str(delivery.headers_path), str(delivery.body_path))
    assert result.exit_code == EXIT_OK
    assert result.output == ""


# --- usage errors: exit 2 --------------------------------------------------------------------


def usage_error(result: Result) -> list[str]:
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    return lines


def test_no_secret_names_the_command_that_sets_it(config: Path) -> None:
    delivery = SIGNED[0]
    lines = usage_error(
        verify(config, "--headers", str(delivery.headers_path), str(delivery.body_path))
    )
    assert lines[0] == "error: missing secrets for tenant 'acme'"
    assert "`wooodoo secrets set --tenant acme webhook_secret`" in lines[1]
    assert ENV_VAR in lines[1]


def test_a_blank_secret_is_no_secret(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, " ")
    lines = usage_error(verify(config, "-s", "x", str(SIGNED[0].body_path)))
    assert f"{ENV_VAR} is set but blank" in lines[1]


@pytest.mark.usefixtures("secret_set")
def test_an_unreadable_body_file(config: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.body"
    lines = usage_error(verify(config, "-s", "x", str(missing)))
    assert lines == [f"error: body file {missing}: cannot be read (No such file or directory)"]
    lines = usage_error(verify(config, "-s", "x", str(tmp_path)))
    assert lines[0].startswith(f"error: body file {tmp_path}: cannot be read (")


@pytest.mark.usefixtures("secret_set")
@pytest.mark.parametrize("ping", PINGS, ids=[d.name for d in PINGS])
def test_headers_without_the_signature(config: Path, ping: Delivery) -> None:
    lines = usage_error(verify(config, "--headers", str(ping.headers_path), str(ping.body_path)))
    assert lines[0] == f"error: headers file {ping.headers_path}: no X-WC-Webhook-Signature header"
    assert "ping" in lines[1]


@pytest.mark.usefixtures("secret_set")
def test_an_unreadable_or_malformed_headers_file(config: Path, tmp_path: Path) -> None:
    body = str(SIGNED[0].body_path)
    missing = tmp_path / "missing.json"
    lines = usage_error(verify(config, "--headers", str(missing), body))
    assert lines == [f"error: headers file {missing}: cannot be read (No such file or directory)"]
    garbage = tmp_path / "garbage.txt"
    garbage.write_text(f"Host: x\nsecret={SECRET}\n", encoding="utf-8")
    lines = usage_error(verify(config, "--headers", str(garbage), body))
    assert lines[0].startswith(f"error: headers file {garbage}: not a captured delivery")
    assert lines[1:] == ["  - line 2 is not a `Name: value` header"]


@pytest.mark.usefixtures("secret_set")
def test_no_signature_or_two_of_them(config: Path) -> None:
    body = str(SIGNED[0].body_path)
    headers = str(SIGNED[0].headers_path)
    assert usage_error(verify(config, body))[0] == "error: no signature to check"
    both = usage_error(verify(config, "-s", "x", "--headers", headers, body))
    assert both == ["error: give the signature with --signature or --headers, not both"]


@pytest.mark.usefixtures("secret_set")
def test_the_tenant_must_be_one_the_config_knows(
    config: Path, write_config: WriteConfig, config_data: dict[str, Any], tmp_path: Path
) -> None:
    body = str(SIGNED[0].body_path)
    assert "unknown tenant 'acne'" in usage_error(verify(config, "-t", "acne", "-s", "x", body))[0]
    assert "invalid tenant name" in usage_error(verify(config, "-t", "A/B", "-s", "x", body))[0]
    config_data["tenants"]["other"] = config_data["tenants"]["acme"]
    two = write_config(tmp_path, config_data, "two.yaml")
    lines = usage_error(verify(two, "-s", "x", body))
    assert "--tenant" in lines[0]
    assert lines[-1] == f"hint: Tenants in {two}: acme, other."


def test_a_tenant_named_needs_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, SECRET)
    delivery = SIGNED[0]
    nowhere = tmp_path / "no-such-config.yaml"
    result = verify(nowhere, "-t", "acme", "--headers", str(delivery.headers_path), "-")
    assert result.exit_code == EXIT_RECORDS_FAILED  # an empty stdin is not the delivery's body
    result = verify(
        nowhere, "-t", "acme", "--headers", str(delivery.headers_path), str(delivery.body_path)
    )
    assert result.exit_code == EXIT_OK, result.output
