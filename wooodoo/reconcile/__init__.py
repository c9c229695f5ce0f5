"""Reconciliation: the shop's orders and refunds against Odoo's invoices and credit notes."""

from wooodoo.reconcile.compare import reconcile
from wooodoo.reconcile.model import (
    BookedMove,
    DayRow,
    Finding,
    LinkMark,
    Reconciliation,
    ShopOrder,
    ShopRefund,
    Sides,
    Tally,
)

__all__ = [
    "BookedMove",
    "DayRow",
    "Finding",
    "LinkMark",
    "Reconciliation",
    "ShopOrder",
    "ShopRefund",
    "Sides",
    "Tally",
    "reconcile",
]
