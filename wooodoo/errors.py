"""One root exception; each kind knows the exit code cron will see."""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
EXIT_RECORDS_FAILED = 1
EXIT_USAGE = 2
EXIT_REMOTE = 3
EXIT_AUDIT = 74  # sysexits' EX_IOERR
EXIT_LOCKED = 75


class WooodooError(Exception):
    """Root of every error wooodoo raises on purpose.

    ``problems`` lists every individual problem (a config file can have many);
    ``hint`` is the next step for the user. Messages never contain secrets.
    """

    exit_code = EXIT_RECORDS_FAILED

    def __init__(
        self, message: str, *, problems: Iterable[str] = (), hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)
        self.hint = hint

    def __str__(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class UsageError(WooodooError):
    """Bad command-line arguments."""

    exit_code = EXIT_USAGE


class ConfigError(WooodooError):
    """The YAML configuration is missing or invalid."""

    exit_code = EXIT_USAGE


class SecretError(WooodooError):
    """A secret is missing or the keyring cannot be used."""

    exit_code = EXIT_USAGE


class RemoteError(WooodooError):
    """A remote side is unreachable or answered in a way we cannot use."""

    exit_code = EXIT_REMOTE


class TransientError(RemoteError):
    """A failure worth retrying: 429, 5xx, timeouts, HTML instead of JSON."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        problems: Iterable[str] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(message, problems=problems, hint=hint)
        self.retry_after = retry_after


class NotProcessedError(TransientError):
    """A transient failure where the remote provably never ran the call (429, no connection).

    Even a write is safe to send again after this one.
    """


class TimedOutError(TransientError):
    """The call went out and no answer came in time (a read timeout, a gateway's 504).

    The remote may still be working on it, and commit it later.
    """


class AuthError(RemoteError):
    """Credentials refused (bad, expired or revoked key)."""


class RemoteRequestError(RemoteError):
    """A remote side refused one request (4xx that is not auth): not retriable.

    ``code`` is the remote's own error code (WooCommerce ``code``, Odoo error name),
    ``status`` the HTTP status when there was one. The remote answered, about one request:
    exit code 1 like any failed record, not the family's 3 (unreachable or refusing the keys).
    """

    exit_code = EXIT_RECORDS_FAILED

    def __init__(
        self, message: str, *, code: str = "", status: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.status = status


class NotFoundError(RemoteRequestError):
    """The remote record, model or route does not exist."""


class OdooRecordError(RemoteRequestError):
    """Odoo rejected the values of a record (validation, user or missing-record error)."""


class MappingError(WooodooError):
    """A WooCommerce record cannot be mapped (missing tax mapping, unknown currency...)."""


class AuditWriteError(WooodooError):
    """The audit file cannot be written (disk full, read-only, an I/O error): the run stops.

    Every transaction before it is intact (SQLite's); what Odoo got meanwhile carries its keys,
    so the next run finds it instead of making it again.
    """

    exit_code = EXIT_AUDIT


class LockBusyError(WooodooError):
    """Another run holds this tenant's lock."""

    exit_code = EXIT_LOCKED
