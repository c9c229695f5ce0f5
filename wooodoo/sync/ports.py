"""What the sync core needs from each side: WooCommerce, Odoo and the audit log.

The core types against these protocols only; ``wooodoo.woo``, ``wooodoo.odoo`` and
``wooodoo.audit`` implement them, and the tests hand in working fakes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from wooodoo.audit import AuditLog
from wooodoo.sync.mapping import InvoiceCopy, Reference
from wooodoo.woo.models import Customer, Order, Refund
from wooodoo.woo.refunds import OrderRefunds

__all__ = [
    "CHANGES_PAGE",
    "AuditLog",  # the audit trail the core writes to (``wooodoo.audit``; SQLite today)
    "InvoiceCopy",
    "MoveState",
    "OdooTarget",
    "OrderPageLike",
    "OrderRefunds",
    "ReferenceSpec",
    "RejectedLike",
    "WooSource",
]

CHANGES_PAGE = 1000  # records of one read of what changed in Odoo (memory stays flat)


# ---------------------------------------------------------------- WooCommerce


class RejectedLike(Protocol):
    @property
    def record_id(self) -> int | None: ...

    @property
    def reason(self) -> str: ...


class OrderPageLike(Protocol):
    @property
    def orders(self) -> Sequence[Order]: ...

    @property
    def rejected(self) -> Sequence[RejectedLike]: ...

    @property
    def cursor(self) -> datetime: ...


class WooSource(Protocol):
    def store_clock(self) -> tuple[datetime, datetime] | None: ...

    def iter_order_pages(
        self, *, modified_after: datetime, statuses: Sequence[str] | None = None
    ) -> Iterator[OrderPageLike]: ...

    def get_orders(self, ids: Sequence[int]) -> list[Order]: ...

    def refunds_of(self, order_id: int) -> list[Refund]: ...

    def refunds_of_orders(self, orders: Mapping[int, Sequence[int]]) -> OrderRefunds:
        """{order id: the refund ids wanted} -> the refunds read by order, and the orders
        whose refunds could not be read (``wooodoo.woo.refunds``)."""
        ...

    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[list[Customer]]: ...


# ---------------------------------------------------------------- Odoo


@dataclass(frozen=True)
class MoveState:
    """An invoice as read back from Odoo."""

    id: int
    key: str
    name: str | None
    state: str
    untaxed: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class ReferenceSpec:
    """What the tenant's config asks to resolve in Odoo."""

    tenant: str
    taxes: Mapping[str, str]  # rate id or code -> Odoo tax name
    accounts: Mapping[str, str]  # role -> account code
    journal: str | None
    use_products: bool


class OdooTarget(Protocol):
    """What the engine asks of Odoo (a fake in tests, ``OdooWriter`` for real)."""

    def load_reference(self, spec: ReferenceSpec) -> Reference: ...

    def find_partners(self, keys: Sequence[str], emails: Sequence[str]) -> list[dict[str, Any]]: ...

    def create_partners(self, values: Sequence[dict[str, Any]]) -> list[int]: ...

    def update_partner(self, partner_id: int, values: dict[str, Any]) -> None: ...

    def read_partners(self, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]: ...

    def find_invoices(self, keys: Sequence[str]) -> list[MoveState]: ...

    def find_credit_notes(self, keys: Sequence[str]) -> list[MoveState]: ...

    def recent_invoices(self, prefix: str, since: datetime) -> list[MoveState]: ...

    def remove_invoices(self, ids: Sequence[int]) -> None: ...

    def recent_partners(self, prefix: str, since: datetime) -> list[dict[str, Any]]: ...

    def remove_partners(self, ids: Sequence[int]) -> None: ...

    def create_invoices(self, values: Sequence[dict[str, Any]]) -> list[int]: ...

    def read_invoices(self, ids: Sequence[int]) -> dict[int, MoveState]: ...

    def post_invoices(self, ids: Sequence[int]) -> None: ...

    def cancel_invoices(self, ids: Sequence[int]) -> str | None: ...

    def invoice_copies(self, ids: Sequence[int]) -> dict[int, InvoiceCopy]: ...

    def adjust_taxes(self, adjustments: Mapping[int, Mapping[int, Decimal]]) -> dict[int, str]: ...

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None: ...

    def products_by_sku(self, skus: Sequence[str]) -> dict[str, int]: ...

    def changed_moves(
        self, prefix: str, since: str, after_id: int = 0, limit: int = CHANGES_PAGE
    ) -> list[dict[str, Any]]: ...

    def count_moves(self, prefix: str, created_before: str | None = None) -> int: ...

    def changed_partners(
        self, since: str, after_id: int = 0, limit: int = CHANGES_PAGE
    ) -> list[dict[str, Any]]: ...

    def existing(self, model: str, ids: Sequence[int]) -> list[int]: ...
