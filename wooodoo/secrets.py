"""Tenant secrets: environment override, else the OS keyring; resolved once per run, never shown."""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from wooodoo.errors import SecretError

if TYPE_CHECKING:
    from wooodoo.config.model import TenantConfig

SERVICE: Final = "wooodoo"
SecretName = Literal["woo_consumer_key", "woo_consumer_secret", "odoo_api_key", "webhook_secret"]
SECRET_NAMES: Final[tuple[SecretName, ...]] = (
    "woo_consumer_key",
    "woo_consumer_secret",
    "odoo_api_key",
    "webhook_secret",
)
# What every sync needs; webhook_secret only matters to the webhook receiver.
REQUIRED_SECRETS: Final[tuple[SecretName, ...]] = (
    "woo_consumer_key",
    "woo_consumer_secret",
    "odoo_api_key",
)
SecretSource = Literal["env", "keyring"]

PLAINTEXT_BACKEND: Final = "keyrings.alt.file.PlaintextKeyring"


class Secret:
    """A secret value that prints as ``***``; call ``reveal()`` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]  # a hash would leak a comparable digest


@dataclass(frozen=True)
class SecretLookup:
    """Where one secret was found, or why it was not (never the value in ``problem``)."""

    name: SecretName
    env_var: str
    secret: Secret | None = None
    source: SecretSource | None = None
    problem: str | None = None  # set when the env var is blank or the keyring failed
    keyring_unusable: bool = False


@dataclass(frozen=True)
class TenantSecrets:
    """The secrets of one tenant for one run; ``require`` them by name."""

    tenant: str
    values: Mapping[str, Secret] = field(repr=False)
    sources: Mapping[str, SecretSource]

    def get(self, name: SecretName) -> Secret | None:
        return self.values.get(name)

    def require(self, name: SecretName) -> Secret:
        secret = self.values.get(name)
        if secret is None:
            raise SecretError(
                f"secret {name} of tenant {self.tenant!r} was not resolved",
                hint=set_command(self.tenant, name),
            )
        return secret


def env_var_prefix(tenant: str) -> str:
    return "WOOODOO_" + re.sub(r"[^A-Za-z0-9]", "_", tenant).upper() + "_"


def env_var_name(tenant: str, name: str) -> str:
    """``WOOODOO_<TENANT>_<SECRET>``: upper case, every other character as ``_``."""
    return env_var_prefix(tenant) + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def keyring_username(tenant: str, name: str) -> str:
    return f"{tenant}/{name}"


def set_command(tenant: str, name: str) -> str:
    return (
        f"Set it with `wooodoo secrets set --tenant {tenant} {name}` "
        f"or the environment variable {env_var_name(tenant, name)}."
    )


def keyring_fix_hint(env_vars: Iterable[str] = ()) -> str:
    names = ", ".join(env_vars) or "WOOODOO_<TENANT>_<SECRET>"
    return (
        "The OS keyring cannot be used here (typical under cron or ssh, without a D-Bus "
        "user session). Fix one of these ways:\n"
        f"  - set the environment variables instead ({names}), under cron from an env file "
        "that only you can read;\n"
        "  - run inside a user session whose Secret Service (GNOME Keyring, KWallet) is "
        "unlocked, e.g. a systemd --user timer, or `dbus-run-session` with a keyring daemon "
        "started in it;\n"
        f"  - or `pip install keyrings.alt` and set PYTHON_KEYRING_BACKEND={PLAINTEXT_BACKEND}: "
        "this stores the secrets UNENCRYPTED (plaintext) in a file in your home directory."
    )


class _KeyringUnusable(Exception):
    """Internal: the keyring backend cannot be used; the message is safe to show."""


def _backend() -> Any:
    """The keyring backend, or _KeyringUnusable when it is the fail/null one or cannot load."""
    import keyring
    from keyring.backends import chainer, fail, null

    try:
        backend = keyring.get_keyring()
    except (ImportError, AttributeError, RuntimeError, ValueError) as exc:
        chosen = os.environ.get("PYTHON_KEYRING_BACKEND")
        what = f"PYTHON_KEYRING_BACKEND={chosen}" if chosen else "the configured keyring backend"
        raise _KeyringUnusable(f"{what} cannot be loaded ({type(exc).__name__}: {exc})") from None
    if isinstance(backend, fail.Keyring | null.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise _KeyringUnusable(f"no usable backend (keyring chose {backend_name(backend)})")
    return backend


def backend_name(backend: object | None = None) -> str:
    if backend is None:
        try:
            backend = _backend()
        except _KeyringUnusable as exc:
            return str(exc)
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def lookup_secret(tenant: str, name: SecretName) -> SecretLookup:
    """Look one secret up: the environment variable first, then the keyring (loaded only
    then: a run whose secrets are all in its environment never imports it)."""
    env_var = env_var_name(tenant, name)
    from_env = os.environ.get(env_var)
    if from_env is not None:
        if not from_env.strip():
            return SecretLookup(name, env_var, problem=f"{env_var} is set but blank")
        return SecretLookup(name, env_var, Secret(from_env), "env")
    from keyring.errors import KeyringError

    try:
        value = _backend().get_password(SERVICE, keyring_username(tenant, name))
    except _KeyringUnusable as exc:
        return SecretLookup(name, env_var, problem=str(exc), keyring_unusable=True)
    except KeyringError as exc:
        # Backend messages ("Failed to unlock the collection") name no secret values.
        problem = f"the backend failed ({type(exc).__name__}: {exc})"
        return SecretLookup(name, env_var, problem=problem, keyring_unusable=True)
    if value is None:
        return SecretLookup(name, env_var)
    return SecretLookup(name, env_var, Secret(value), "keyring")


def resolve_secrets(
    tenant: str | TenantConfig,
    needed: Iterable[SecretName] = REQUIRED_SECRETS,
    *,
    optional: Iterable[SecretName] = (),
) -> TenantSecrets:
    """Resolve a tenant's secrets once; SecretError lists every missing ``needed`` one."""
    name = tenant if isinstance(tenant, str) else tenant.name
    needed = tuple(needed)
    lookups = [lookup_secret(name, n) for n in dict.fromkeys([*needed, *optional])]
    missing = [lk for lk in lookups if lk.secret is None and lk.name in needed]
    if missing:
        raise missing_secrets_error(name, missing)
    return TenantSecrets(
        tenant=name,
        values=MappingProxyType({lk.name: lk.secret for lk in lookups if lk.secret}),
        sources=MappingProxyType({lk.name: lk.source for lk in lookups if lk.source}),
    )


def missing_secrets_error(tenant: str, missing: Iterable[SecretLookup]) -> SecretError:
    missing = list(missing)
    problems = []
    for lk in missing:
        command = f"`wooodoo secrets set --tenant {tenant} {lk.name}`"
        if lk.keyring_unusable:
            problems.append(
                f"{lk.name}: {lk.env_var} is not set and the keyring cannot be used: {lk.problem}"
            )
        elif lk.problem:
            problems.append(f"{lk.name}: {lk.problem}; set a value or unset it to use {command}")
        else:
            problems.append(f"{lk.name}: not set; run {command} (or set {lk.env_var})")
    if any(lk.keyring_unusable for lk in missing):
        hint = keyring_fix_hint(lk.env_var for lk in missing)
    else:
        hint = "Secrets are never read from the config file."
    return SecretError(f"missing secrets for tenant {tenant!r}", problems=problems, hint=hint)


def set_secret(tenant: str, name: SecretName, value: str) -> str:
    """Store a secret in the keyring; returns the backend's name for the user."""
    from keyring.errors import KeyringError

    if not value or value != value.strip() or "\n" in value:
        raise SecretError(
            f"refusing to store {name} for tenant {tenant!r}: the value is empty or has "
            "leading/trailing whitespace or a line break"
        )
    backend = _usable_backend(tenant, name)
    try:
        backend.set_password(SERVICE, keyring_username(tenant, name), value)
    except KeyringError as exc:
        raise SecretError(
            f"could not store {name} for tenant {tenant!r}: {type(exc).__name__}: {exc}",
            hint=keyring_fix_hint([env_var_name(tenant, name)]),
        ) from None
    return backend_name(backend)


def delete_secret(tenant: str, name: SecretName) -> bool:
    """Remove a secret from the keyring; False when none was stored."""
    from keyring.errors import KeyringError, PasswordDeleteError

    backend = _usable_backend(tenant, name)
    user = keyring_username(tenant, name)
    try:
        if backend.get_password(SERVICE, user) is None:
            return False
        backend.delete_password(SERVICE, user)
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise SecretError(
            f"could not delete {name} of tenant {tenant!r}: {type(exc).__name__}: {exc}"
        ) from None
    return True


def _usable_backend(tenant: str, name: str) -> Any:
    try:
        return _backend()
    except _KeyringUnusable as exc:
        raise SecretError(
            f"cannot use the keyring for {name} of tenant {tenant!r}: {exc}",
            hint=keyring_fix_hint([env_var_name(tenant, name)]),
        ) from None


def value_warnings(name: SecretName, value: str) -> list[str]:
    """Likely mix-ups (key and secret swapped), described without the value."""
    expected = {"woo_consumer_key": "ck_", "woo_consumer_secret": "cs_"}.get(name)
    if expected and not value.startswith(expected):
        return [
            f"WooCommerce {name.removeprefix('woo_').replace('_', ' ')}s start with "
            f"{expected!r}; this value does not (swapped key and secret?)"
        ]
    return []


def store_in_env_file(path: Path, tenant: str, name: SecretName, value: str) -> None:
    """Set ``WOOODOO_<TENANT>_<NAME>=value`` in an env file (0600), keeping its other lines.

    For services that take their secrets from an env file (systemd ``EnvironmentFile``, cron
    with ``set -a; . file``), where no keyring is reachable. Written whole, then renamed.
    """
    var = env_var_name(tenant, name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        kept = [ln for ln in lines if not re.match(rf"\s*(export\s+)?{var}=", ln)]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write("\n".join([*kept, f"{var}={value}"]) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise SecretError(
            f"{path}: the secret could not be written ({exc.strerror or type(exc).__name__})"
        ) from None


def check_env_file(path: Path) -> None:
    """Fail early when ``store_in_env_file`` could not write ``path``."""
    folder = path.parent if path.parent.exists() else path.parent.parent
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    if not writable or path.is_dir():
        raise SecretError(f"{path}: cannot be written; nothing was changed")
