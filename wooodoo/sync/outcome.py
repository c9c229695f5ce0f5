"""What a run reports: counts by kind (an enum, not loose strings), progress steps, the result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED

if TYPE_CHECKING:
    from wooodoo.sync.mapping import InvoicePlan


class Stat(StrEnum):
    """What a run counts; the audit store keeps them by these names."""

    INVOICED = "invoiced"
    FAILED = "failed"
    MISMATCH = "mismatch"
    CONFLICT = "conflict"
    SKIPPED = "skipped"
    UNCHANGED = "unchanged"
    BEFORE_SINCE = "before_since"
    REFUNDED = "refunded"
    PARTNERS_CREATED = "partners_created"
    WOULD_CREATE = "would_create"
    PARTNERS_WOULD_CREATE = "partners_would_create"
    TAX_ADJUSTED = "tax_adjusted"
    TAX_ADJUSTED_AFTER_READ = "tax_adjusted_after_read"
    TAX_TOTALS_AT_CREATE = "tax_totals_at_create"
    TWINS_REMOVED = "twins_removed"
    IN_DOUBT = "in_doubt"  # a lost create was sent again: a late twin may follow
    DELIVERIES = "deliveries"  # webhook deliveries drained from the inbox
    CREDITED = "credited"  # credit notes made (refunds, cancellations, reissues)
    PAID = "paid"  # payments registered on invoices (sync.payments)
    PAID_BACK = "paid_back"  # refunds' payments registered on credit notes
    PAYMENT_UNMAPPED = "payment_unmapped"  # orders whose payment method has no journal (once)
    REVERSED = "reversed"  # posted invoices of cancelled orders reversed in full
    CANCELLED = "cancelled"  # draft invoices of cancelled orders cancelled in Odoo
    REISSUED = "reissued"  # amended orders: old invoice reversed, new one made
    RETRIED = "retried"  # failed records tried again by the automatic retry
    NEEDS_ATTENTION = "needs_attention"  # failures past the retry cap: a person's turn
    DRIFT = "drift"  # changes made in Odoo by hand: cancelled, reset, deleted, merged
    FROM_SNAPSHOT = "from_snapshot"  # orders the store lost, replayed from the audit's snapshot

    @classmethod
    def needing_attention(cls) -> tuple[Stat, ...]:
        return (cls.FAILED, cls.MISMATCH, cls.CONFLICT)


Stats = Counter[Stat]


class Step(StrEnum):
    """Progress a run reports as it goes."""

    PAGES = "pages"
    ORDERS = "orders"
    INVOICES = "invoices"


Progress = Callable[[Step, int], None]


def no_progress(step: Step, n: int) -> None:
    """A ``Progress`` that shows nothing (cron)."""


@dataclass
class TenantResult:
    tenant: str
    run_id: int | None = None
    stats: Stats = field(default_factory=Counter)
    planned: list[InvoicePlan] = field(default_factory=list)  # dry run: what would be created
    error: str | None = None
    exit_code: int = EXIT_OK

    @property
    def failed(self) -> int:
        return sum(self.stats[s] for s in Stat.needing_attention())

    def finish(self) -> None:
        if self.exit_code == EXIT_OK and (self.failed or self.stats[Stat.NEEDS_ATTENTION]):
            self.exit_code = EXIT_RECORDS_FAILED
