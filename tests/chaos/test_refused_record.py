"""Odoo refusing one record of a batch: only that record fails, with Odoo's reason; the rest of
the batch is posted, and once Odoo accepts it the next sync books it (once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.helpers import exactly_once_problems, explain
from tests.e2e_helpers import invoice_problems, invoices_by_order, running_box
from wooodoo.errors import EXIT_RECORDS_FAILED
from wooodoo.sandbox.odoo.exceptions import ValidationError
from wooodoo.sandbox.odoo.moves import AccountMove

REASON = "You cannot add/modify entries prior to and inclusive of the lock date 2026-01-31."


@contextmanager
def odoo_refuses(monkeypatch: pytest.MonkeyPatch, keys: set[str]) -> Iterator[list[str]]:
    """The look-alike's invoices get a constraint, as a customisation or a lock date would:
    a move carrying one of ``keys`` is refused with ValidationError (the whole call fails and
    changes nothing, as Odoo's create does). Yields the keys it refused, in order."""
    refused: list[str] = []
    original = AccountMove.validate

    def validate(self: AccountMove, row: dict[str, Any]) -> None:
        if row.get("invoice_origin") in keys:
            refused.append(row["invoice_origin"])
            raise ValidationError(REASON)
        original(self, row)

    with monkeypatch.context() as patch:
        patch.setattr(AccountMove, "validate", validate)
        yield refused


def test_odoo_refusing_one_record_fails_only_that_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=61, batch_size=40) as box:
        # every order in an invoiced status and currency: one of the middle ones is refused
        _, ok_orders = invoice_problems(box.sb, box)
        victim = sorted(ok_orders)[len(ok_orders) // 2]
        victim_key = box.key(victim)
        with odoo_refuses(monkeypatch, {victim_key}) as refused:
            result = box.sync()
        assert refused, "Odoo was never asked to create the refused invoice"
        assert result.exit_code == EXIT_RECORDS_FAILED
        failures = box.failures()
        assert victim_key in failures, failures
        assert "lock date" in failures[victim_key].reason
        failed = [e for e in box.events(victim_key) if e.action == "failed"]
        assert failed
        assert "lock date" in str(failed[0].error)
        # every other order of the batch is posted (the JPY ones fail by design)
        problems, _ = invoice_problems(box.sb, box)
        assert problems == [f"order {victim} ({ok_orders[victim].status}): 0 invoices"]
        assert victim not in invoices_by_order(box.sb)
        others = {k for k in failures if k != victim_key}
        assert all("JPY" in failures[k].reason or "currency" in failures[k].reason for k in others)

        # Odoo accepts it now: replaying the failures books it, and nothing else is made again
        before = {i: rows[0]["id"] for i, rows in invoices_by_order(box.sb).items()}
        box.replay()
        after = invoices_by_order(box.sb)
        assert {i: rows[0]["id"] for i, rows in after.items() if i != victim} == before
        problems = exactly_once_problems(box)
        assert problems == [], explain(61, problems)
