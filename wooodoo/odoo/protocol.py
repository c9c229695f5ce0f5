"""What the rest of wooodoo needs from an Odoo connection, whatever the transport."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ApiName = Literal["xmlrpc", "json2"]


@dataclass(frozen=True)
class OdooVersion:
    major: int
    minor: int
    label: str  # e.g. "17.0", "saas~18.3"

    @property
    def has_json2(self) -> bool:
        return self.major >= 19


@dataclass(frozen=True)
class FieldNames:
    """Field names and behaviours that differ between Odoo versions, decided in this one place.

    (A tax's ``price_include`` is readable on every version, computed from
    ``price_include_override`` on 18+, so reading it needs no entry here.)
    """

    move_type: str  # "type" on 13, "move_type" from 14
    price_unit_rounded: bool  # 18 and below round price_unit to the product price precision

    @classmethod
    def for_version(cls, version: OdooVersion) -> FieldNames:
        major = version.major
        return cls(
            move_type="type" if major <= 13 else "move_type",
            price_unit_rounded=major <= 18,
        )


class OdooApi(Protocol):
    """One authenticated Odoo connection.

    ``call`` takes JSON-2 style named arguments (``ids``, ``domain``, ``fields``, ``vals_list``,
    ``vals``, ``limit``, ``order``, ``context``...); the XML-RPC transport turns them into the
    positional arguments each method expects on that version. Decimal values are sent as
    floats, dates as ``YYYY-MM-DD`` and aware datetimes as UTC ``YYYY-MM-DD HH:MM:SS``; results
    come back as Odoo sends them (amounts are floats: ``Decimal(str(x))`` them).

    Retries: ``retry=None`` retries reads (search, search_read, search_count, read, fields_get...)
    on TransientError under the connection's RetryPolicy. Writes (create, write, action_post,
    any other method) are not retried blindly: only failures where Odoo provably never saw the
    call (429, connection refused) are; any other TransientError reaches the caller, which must
    look the records up by their idempotency keys before sending the write again.
    ``retry=True`` / ``False`` overrides the choice.

    Errors: AuthError (key invalid, expired or revoked), OdooRecordError (validation, user,
    access or missing-record errors: the record is at fault), NotFoundError (model/method
    unknown), TransientError (retriable), RemoteRequestError (Odoo refused the call itself,
    e.g. a bad argument; ``code`` is Odoo's exception name), RemoteError (anything else remote).
    """

    @property
    def version(self) -> OdooVersion: ...

    @property
    def api(self) -> ApiName: ...

    @property
    def fields(self) -> FieldNames: ...

    @property
    def database(self) -> str | None:
        """None: JSON-2 on a server that picks the database by host."""
        ...

    @property
    def uid(self) -> int | None:
        """XML-RPC's user id; None on JSON-2, whose calls carry the key instead."""
        ...

    @property
    def requests_sent(self) -> int:
        """HTTP requests this connection has sent, connecting included."""
        ...

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: Sequence[int] | None = None,
        retry: bool | None = None,
        **kwargs: Any,
    ) -> Any: ...

    def close(self) -> None: ...
