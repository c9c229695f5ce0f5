"""The error family: which class belongs where, and the exit code each one gives cron."""

from __future__ import annotations

import pytest

from wooodoo.errors import (
    EXIT_AUDIT,
    EXIT_LOCKED,
    EXIT_RECORDS_FAILED,
    EXIT_REMOTE,
    EXIT_USAGE,
    AuditWriteError,
    AuthError,
    ConfigError,
    LockBusyError,
    MappingError,
    NotFoundError,
    NotProcessedError,
    OdooRecordError,
    RemoteError,
    RemoteRequestError,
    SecretError,
    TransientError,
    UsageError,
    WooodooError,
)

EXIT_CODES = [
    pytest.param(WooodooError, EXIT_RECORDS_FAILED, id="root"),
    pytest.param(UsageError, EXIT_USAGE, id="usage"),
    pytest.param(ConfigError, EXIT_USAGE, id="config"),
    pytest.param(SecretError, EXIT_USAGE, id="secret"),
    pytest.param(RemoteError, EXIT_REMOTE, id="remote"),
    pytest.param(TransientError, EXIT_REMOTE, id="transient"),
    pytest.param(NotProcessedError, EXIT_REMOTE, id="not-processed"),
    pytest.param(AuthError, EXIT_REMOTE, id="auth"),
    pytest.param(RemoteRequestError, EXIT_RECORDS_FAILED, id="request-refused"),
    pytest.param(NotFoundError, EXIT_RECORDS_FAILED, id="not-found"),
    pytest.param(OdooRecordError, EXIT_RECORDS_FAILED, id="odoo-record"),
    pytest.param(MappingError, EXIT_RECORDS_FAILED, id="mapping"),
    pytest.param(AuditWriteError, EXIT_AUDIT, id="audit-write"),
    pytest.param(LockBusyError, EXIT_LOCKED, id="locked"),
]


@pytest.mark.parametrize(("cls", "code"), EXIT_CODES)
def test_each_error_knows_its_exit_code(cls: type[WooodooError], code: int) -> None:
    assert cls("boom").exit_code == code


@pytest.mark.parametrize("cls", [RemoteRequestError, NotFoundError, OdooRecordError])
def test_a_request_refused_by_a_remote_is_a_remote_error(cls: type[RemoteRequestError]) -> None:
    error = cls("POST /json/2/account.move/create: HTTP 422", code="ValidationError", status=422)
    assert isinstance(error, RemoteError)
    assert not isinstance(error, TransientError)  # refused, so never retried
    assert error.exit_code == EXIT_RECORDS_FAILED
