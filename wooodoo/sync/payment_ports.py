"""What the payment step needs from Odoo, and the values it passes (``odoo/payments.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class PaymentDraft:
    """One payment to register: money in for an invoice, or paid back for a credit note."""

    key: str  # <tenant>/payment/<order id> or <tenant>/refund-payment/<refund id>
    kind: str  # "order" | "refund": what the key's id is
    source_id: str
    move_id: int  # the posted invoice or credit note it pays
    inbound: bool
    amount: Decimal
    journal: str  # journal code
    date: date
    memo: str


@dataclass(frozen=True)
class Payable:
    """An invoice or credit note as read for its payment."""

    id: int
    partner_id: int
    currency_id: int
    posted: bool
    total: Decimal
    residual: Decimal


@dataclass(frozen=True)
class PaymentFound:
    """A payment Odoo has with one of wooodoo's keys."""

    id: int
    key: str
    posted: bool
    move_id: int | None  # its journal entry (14+; 13 reconciles at post)


@runtime_checkable
class PaymentTarget(Protocol):
    def payment_journals(self, codes: Sequence[str]) -> dict[str, int]: ...

    def find_payments(self, keys: Sequence[str]) -> list[PaymentFound]: ...

    def payable_moves(self, ids: Sequence[int]) -> dict[int, Payable]: ...

    def payment_values(
        self, draft: PaymentDraft, payable: Payable, journal: int
    ) -> dict[str, Any]: ...

    def create_payments(self, values: Sequence[dict[str, Any]]) -> list[int]: ...

    def post_payments(self, ids: Sequence[int]) -> None: ...

    def reconcile_payments(self, pairs: Mapping[int, int]) -> dict[int, str]: ...
