"""How long a call keeps the Odoo look-alike busy before it commits, as a real server does.

A real Odoo works on a ``create`` for seconds (Odoo 19: 7.8-8.3 s for 95 invoices, 13.5-15.5 s
when each carried ``tax_totals``) inside one database transaction. Nothing it creates is visible
to other calls before the commit, and the work goes on, and commits, when the client has gone
(killed, or timed out). Records keep the time the transaction began as ``create_date``
(PostgreSQL's ``now()``), not the time they became visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkModel:
    """Seconds a ``create`` spends before its commit: per call, per record, per ``tax_totals``.

    Invoices cost far more than other records (lines, taxes, journal items): ``per_move`` is
    for each ``account.move``, ``per_record`` for each record of any other model.
    """

    per_call: float = 0.0
    per_move: float = 0.0
    per_record: float = 0.0
    per_tax_totals: float = 0.0  # more for each record whose values carry ``tax_totals``

    def seconds(self, model: str, vals_list: Sequence[Any]) -> float:
        adjusted = sum(
            1 for vals in vals_list if isinstance(vals, Mapping) and "tax_totals" in vals
        )
        each = self.per_move if model == "account.move" else self.per_record
        return self.per_call + each * len(vals_list) + self.per_tax_totals * adjusted

    def any(self) -> bool:
        return any(
            v > 0 for v in (self.per_call, self.per_move, self.per_record, self.per_tax_totals)
        )


def created_values(method: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[Any] | None:
    """The values a ``create`` call carries (one dict or a list), or None for other methods."""
    if method != "create":
        return None
    vals = kwargs.get("vals_list", args[0] if args else None)
    if isinstance(vals, Mapping):
        return [vals]
    return list(vals) if isinstance(vals, list | tuple) else []
