"""Odoo's exception classes as the look-alike raises them, with their RPC identities."""

from __future__ import annotations


class OdooError(Exception):
    """Base of the odoo.exceptions look-alikes; ``rpc_name`` is what JSON-2 reports."""

    rpc_name = "odoo.exceptions.UserError"
    http_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(OdooError):
    pass


class ValidationError(UserError):
    rpc_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    rpc_name = "odoo.exceptions.MissingError"
    http_code = 404


class AccessError(UserError):
    rpc_name = "odoo.exceptions.AccessError"
    http_code = 403


class AccessDenied(UserError):
    rpc_name = "odoo.exceptions.AccessDenied"
    http_code = 401


class DatabaseMissing(Exception):
    """What psycopg2 says when the named database does not exist."""

    rpc_name = "psycopg2.OperationalError"


def missing(model: str, ids: list[int] | tuple[int, ...], uid: int = 2) -> MissingError:
    """The MissingError Odoo raises for records that are gone (message as captured)."""
    listed = "".join(f"{i}," for i in ids)
    return MissingError(
        f"Record does not exist or has been deleted.\n(Record: {model}({listed}), User: {uid})"
    )
