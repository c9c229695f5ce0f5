"""Secrets: environment beats keyring, clear errors naming the fix, values never shown."""

from __future__ import annotations

from typing import Any

import keyring
import pytest
from keyring.backends import fail, null
from keyring.errors import KeyringLocked

from wooodoo.errors import EXIT_USAGE, SecretError
from wooodoo.secrets import (
    REQUIRED_SECRETS,
    SERVICE,
    Secret,
    delete_secret,
    env_var_name,
    keyring_username,
    lookup_secret,
    resolve_secrets,
    set_secret,
    value_warnings,
)

VALUE = "cs_0123456789abcdef-very-secret"


def store(tenant: str, name: str, value: str) -> None:
    keyring.set_password(SERVICE, keyring_username(tenant, name), value)


def store_all(tenant: str) -> dict[str, str]:
    values = {name: f"{name}-value-{tenant}" for name in REQUIRED_SECRETS}
    for name, value in values.items():
        store(tenant, name, value)
    return values


@pytest.mark.parametrize(
    ("tenant", "name", "expected"),
    [
        ("acme", "odoo_api_key", "WOOODOO_ACME_ODOO_API_KEY"),
        ("acme-eu", "woo_consumer_key", "WOOODOO_ACME_EU_WOO_CONSUMER_KEY"),
        ("shop_2", "webhook_secret", "WOOODOO_SHOP_2_WEBHOOK_SECRET"),
    ],
)
def test_env_var_name(tenant: str, name: str, expected: str) -> None:
    assert env_var_name(tenant, name) == expected


def test_keyring_layout() -> None:
    store_all("acme")
    assert keyring.get_password("wooodoo", "acme/odoo_api_key") == "odoo_api_key-value-acme"


def test_resolves_from_keyring() -> None:
    values = store_all("acme")
    secrets = resolve_secrets("acme")
    assert {n: secrets.require(n).reveal() for n in REQUIRED_SECRETS} == values
    assert dict(secrets.sources) == dict.fromkeys(REQUIRED_SECRETS, "keyring")
    assert secrets.get("webhook_secret") is None


def test_environment_beats_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    store_all("acme-eu")
    monkeypatch.setenv("WOOODOO_ACME_EU_ODOO_API_KEY", "from-env")

    secrets = resolve_secrets("acme-eu")

    assert secrets.require("odoo_api_key").reveal() == "from-env"
    assert secrets.sources["odoo_api_key"] == "env"
    assert secrets.sources["woo_consumer_key"] == "keyring"


def test_environment_alone_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in REQUIRED_SECRETS:
        monkeypatch.setenv(env_var_name("acme", name), f"{name}-env")
    assert resolve_secrets("acme").require("woo_consumer_secret").reveal() == (
        "woo_consumer_secret-env"
    )


def test_optional_secrets_are_looked_up_but_not_required() -> None:
    store_all("acme")
    assert resolve_secrets("acme", optional=["webhook_secret"]).get("webhook_secret") is None
    store("acme", "webhook_secret", "whsec")
    resolved = resolve_secrets("acme", optional=["webhook_secret"])
    assert resolved.require("webhook_secret").reveal() == "whsec"


def test_missing_secrets_name_the_command_to_set_them() -> None:
    store("acme", "woo_consumer_key", "ck_1")

    with pytest.raises(SecretError) as info:
        resolve_secrets("acme")

    assert info.value.exit_code == EXIT_USAGE
    assert info.value.message == "missing secrets for tenant 'acme'"
    assert info.value.problems == (
        "woo_consumer_secret: not set; run `wooodoo secrets set --tenant acme "
        "woo_consumer_secret` (or set WOOODOO_ACME_WOO_CONSUMER_SECRET)",
        "odoo_api_key: not set; run `wooodoo secrets set --tenant acme odoo_api_key` "
        "(or set WOOODOO_ACME_ODOO_API_KEY)",
    )


def test_blank_environment_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    store_all("acme")
    monkeypatch.setenv("WOOODOO_ACME_ODOO_API_KEY", "")
    with pytest.raises(SecretError) as info:
        resolve_secrets("acme")
    assert info.value.problems == (
        "odoo_api_key: WOOODOO_ACME_ODOO_API_KEY is set but blank; set a value or unset it to "
        "use `wooodoo secrets set --tenant acme odoo_api_key`",
    )


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_no_keyring_backend_says_how_to_fix_it(backend: type[Any]) -> None:
    keyring.set_keyring(backend())

    with pytest.raises(SecretError) as info:
        resolve_secrets("acme")

    name = f"{backend.__module__}.{backend.__qualname__}"
    assert info.value.problems[0] == (
        "woo_consumer_key: WOOODOO_ACME_WOO_CONSUMER_KEY is not set and the keyring cannot be "
        f"used: no usable backend (keyring chose {name})"
    )
    hint = info.value.hint or ""
    assert "WOOODOO_ACME_ODOO_API_KEY" in hint
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in hint
    assert "plaintext" in hint
    assert "dbus-run-session" in hint


def test_no_keyring_backend_is_fine_when_env_has_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(fail.Keyring())
    for name in REQUIRED_SECRETS:
        monkeypatch.setenv(env_var_name("acme", name), "x")
    assert resolve_secrets("acme").sources["odoo_api_key"] == "env"


def test_unloadable_backend_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # force keyring to re-detect
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.NoSuchKeyring")
    found = lookup_secret("acme", "odoo_api_key")
    assert found.secret is None
    assert found.keyring_unusable
    assert (found.problem or "").startswith(
        "PYTHON_KEYRING_BACKEND=keyrings.alt.file.NoSuchKeyring cannot be loaded"
    )


def test_locked_keyring_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = keyring.get_keyring()

    def locked(service: str, username: str) -> str:
        raise KeyringLocked("Failed to unlock the collection!")

    monkeypatch.setattr(backend, "get_password", locked)
    with pytest.raises(SecretError) as info:
        resolve_secrets("acme", ["odoo_api_key"])
    assert info.value.problems == (
        "odoo_api_key: WOOODOO_ACME_ODOO_API_KEY is not set and the keyring cannot be used: "
        "the backend failed (KeyringLocked: Failed to unlock the collection!)",
    )


def test_set_and_delete() -> None:
    set_secret("acme", "odoo_api_key", VALUE)
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") == VALUE
    assert delete_secret("acme", "odoo_api_key") is True
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") is None
    assert delete_secret("acme", "odoo_api_key") is False


@pytest.mark.parametrize("value", ["", " padded", "two\nlines"], ids=["empty", "space", "lines"])
def test_set_refuses_suspicious_values(value: str) -> None:
    with pytest.raises(SecretError):
        set_secret("acme", "odoo_api_key", value)
    assert keyring.get_password(SERVICE, "acme/odoo_api_key") is None


def test_set_without_backend_explains() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretError) as info:
        set_secret("acme", "odoo_api_key", VALUE)
    assert "WOOODOO_ACME_ODOO_API_KEY" in (info.value.hint or "")
    assert VALUE not in str(info.value)


def test_secret_value_never_shows() -> None:
    secret = Secret(VALUE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])):
        assert VALUE not in text
    assert str(secret) == "***"
    assert repr(secret) == "'***'"
    assert secret.reveal() == VALUE
    assert secret == Secret(VALUE)
    assert secret != Secret("other")
    with pytest.raises(TypeError):
        hash(secret)


def test_tenant_secrets_repr_hides_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in REQUIRED_SECRETS:
        monkeypatch.setenv(env_var_name("acme", name), VALUE)
    secrets = resolve_secrets("acme")
    assert VALUE not in repr(secrets)
    assert VALUE not in repr(secrets.values)


def test_errors_never_contain_values(monkeypatch: pytest.MonkeyPatch) -> None:
    store("acme", "woo_consumer_key", VALUE)
    monkeypatch.setenv("WOOODOO_ACME_WOO_CONSUMER_SECRET", VALUE)
    with pytest.raises(SecretError) as info:
        resolve_secrets("acme")
    assert VALUE not in str(info.value)
    assert VALUE not in repr(info.value)


@pytest.mark.parametrize(
    ("name", "value", "warned"),
    [
        ("woo_consumer_key", "ck_abc", False),
        ("woo_consumer_key", "cs_abc", True),
        ("woo_consumer_secret", "ck_abc", True),
        ("odoo_api_key", "anything", False),
    ],
)
def test_value_warnings_catch_swapped_keys(name: Any, value: str, warned: bool) -> None:
    warnings = value_warnings(name, value)
    assert bool(warnings) is warned
    assert all(value not in w for w in warnings)
