"""Model-level access rights as Odoo answers them remotely, per version.

``check_access_rights(operation, raise_exception=True)`` is a model method on every version
(deprecated since 18, still served on 19); ``has_access(operation)`` and
``check_access(operation)`` are record methods from 18 on, an empty recordset asking about
the model. Which rights the user lacks is the database's ``denied`` set of (model, operation),
which tests fill; the look-alike refuses those creates and reads as Odoo would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from wooodoo.sandbox.odoo.exceptions import AccessError

OPERATIONS = ("read", "write", "create", "unlink")
# methods that exist only from this version on (older ones answer "does not exist")
ACCESS_METHODS_SINCE = {"has_access": 18, "check_access": 18}
_NAMES = {"res.partner": "Contact", "account.move": "Journal Entry"}


class _Rights(Protocol):
    denied: set[tuple[str, str]]


class AccessMixin:
    """What every model answers about the current user's rights on it."""

    db: _Rights
    _name: str

    def _access_ok(self, operation: str) -> bool:
        if operation not in OPERATIONS:
            raise ValueError(f"Invalid access mode: {operation}")
        return (self._name, operation) not in self.db.denied

    def _access_error(self, operation: str) -> AccessError:
        kind = _NAMES.get(self._name, self._name)
        return AccessError(
            f"You are not allowed to {operation} '{kind}' ({self._name}) records.\n\n"
            "This operation is allowed for the following groups:\n\t- Accounting/Billing\n\n"
            "Contact your administrator to request access if necessary."
        )

    def require_access(self, operation: str) -> None:
        if not self._access_ok(operation):
            raise self._access_error(operation)

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        allowed = self._access_ok(operation)
        if not allowed and raise_exception:
            raise self._access_error(operation)
        return allowed

    def has_access(self, ids: Sequence[int], operation: str) -> bool:
        return self._access_ok(operation)

    def check_access(self, ids: Sequence[int], operation: str) -> None:
        self.require_access(operation)
