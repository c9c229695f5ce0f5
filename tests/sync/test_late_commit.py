"""Odoo commits a call after its client gave up: the sync waits for it, and never leaves twins.

The sandbox's Odoo works on each create before it commits (``WorkModel``), as a real server
does, and finishes it when the client timed out or was killed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e_helpers import Box, duplicate_partners, invoice_problems, invoices, running_box
from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_RECORDS_FAILED
from wooodoo.sandbox import WorkModel


def set_odoo_timeout(box: Box, seconds: float) -> None:
    data = yaml.safe_load(box.config_path.read_text())
    data["tenants"][box.tenant_name]["odoo"]["timeout"] = seconds
    box.config_path.write_text(yaml.safe_dump(data, sort_keys=False))


def one_per_key(box: Box) -> list[str]:
    origins = [m["invoice_origin"] for m in invoices(box.sb)]
    return sorted({o for o in origins if origins.count(o) > 1})


def test_a_create_that_times_out_while_odoo_commits_makes_one_invoice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=31, batch_size=25) as box:
        set_odoo_timeout(box, 1.0)
        # every create outlives the client's patience, and Odoo commits it anyway
        box.sb.odoo_app.work = WorkModel(per_call=1.4)
        result = box.sync()
        problems, ok_orders = invoice_problems(box.sb, box)
        assert problems == []
        assert ok_orders
        assert one_per_key(box) == []
        assert duplicate_partners(box.sb) == {}
        # each invoice was created once: the lost calls were awaited, never sent again
        assert box.sb.odoo_app.work_done()["account.move created out_invoice"] == len(ok_orders)
        assert result.stats["in_doubt"] == 0
        assert result.stats["twins_removed"] == 0


def draft_twin(box: Box, of: dict[str, Any]) -> int:
    """A draft with the key of ``of``, as a killed run's late commit leaves it."""
    app = box.sb.odoo_app
    move = app.call("account.move", "read", [of["id"]], ["invoice_line_ids", "partner_id"])[0]
    lines = app.call(
        "account.move.line",
        "read",
        move["invoice_line_ids"],
        ["name", "quantity", "price_unit", "account_id", "tax_ids"],
    )
    values = [
        (
            0,
            0,
            {
                "name": line["name"],
                "quantity": line["quantity"],
                "price_unit": line["price_unit"],
                "account_id": line["account_id"][0],
                "tax_ids": [(6, 0, line["tax_ids"])],
            },
        )
        for line in lines
    ]
    move_type = "type" if app.version == 13 else "move_type"
    return int(
        app.call(
            "account.move",
            "create",
            {
                move_type: "out_invoice",
                "partner_id": move["partner_id"][0],
                "invoice_origin": of["invoice_origin"],
                "invoice_line_ids": values,
            },
        )
    )


def pretend_killed_run(box: Box) -> None:
    """A run row that never finished: what SIGKILL leaves in the audit store."""
    with AuditStore(box.config().audit_db) as store:
        store.start_run(box.tenant_name, "sync")


@pytest.mark.parametrize("version", [17, 19])
def test_the_next_run_removes_the_twins_a_killed_run_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    with running_box(tmp_path, monkeypatch, orders=60, seed=32, odoo_version=version) as box:
        box.sync()
        posted = [m for m in invoices(box.sb) if m["state"] == "posted"]
        twins = [draft_twin(box, m) for m in posted[:3]]
        pretend_killed_run(box)
        calls = box.sb.odoo_counter.total("odoo ")
        result = box.sync()
        assert result.stats["twins_removed"] == 3
        assert one_per_key(box) == []
        assert not box.sb.odoo_app.call("account.move", "search", [("id", "in", twins)])
        removed = [e for e in box.events(posted[0]["invoice_origin"]) if e.action == "removed"]
        assert [e.odoo_id for e in removed] == [twins[0]]
        # the sweep is a few calls, not one per key; the Odoo-side polls add up to 9 (at the
        # start 4, at the end of a run that wrote 5: it counts what existed before the run)
        assert box.sb.odoo_counter.total("odoo ") - calls <= 13
        # later runs still look (the killed run's calls could commit for an hour): they find
        # nothing to remove
        box.sync()
        again = box.sb.odoo_counter.snapshot()
        box.sync()
        after = box.sb.odoo_counter.snapshot()
        sweeps = [k for k in after if k.startswith("odoo ") and after[k] != again.get(k)]
        assert "odoo account.move.unlink" not in sweeps


def test_two_posted_invoices_on_one_key_need_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=33) as box:
        box.sync()
        first = next(m for m in invoices(box.sb) if m["state"] == "posted")
        twin = draft_twin(box, first)
        box.sb.odoo_app.call("account.move", "action_post", [twin])
        pretend_killed_run(box)
        result = box.sync()
        assert result.exit_code == EXIT_RECORDS_FAILED
        assert result.stats["conflict"] >= 1
        failure = box.failures()[first["invoice_origin"]]
        assert "2 posted documents carry this key" in failure.reason
        # neither posted invoice is touched: reversing one is a person's decision
        states = box.sb.odoo_app.call("account.move", "read", [first["id"], twin], ["state"])
        assert [s["state"] for s in states] == ["posted", "posted"]


def test_a_partner_twin_a_killed_run_left_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=34) as box:
        box.sync()
        app = box.sb.odoo_app
        linked = app.call(
            "res.partner", "search_read", [("ref", "=like", "sandbox/%")], ["ref", "name"]
        )[0]
        twin = int(
            app.call("res.partner", "create", {"name": linked["name"], "ref": linked["ref"]})
        )
        pretend_killed_run(box)
        result = box.sync()
        assert result.stats["twins_removed"] == 1
        assert app.call("res.partner", "search", [("id", "=", twin)]) == []
        assert app.call("res.partner", "search", [("id", "=", linked["id"])]) == [linked["id"]]
        removed = [e for e in box.events(linked["ref"]) if e.action == "removed"]
        assert [(e.odoo_model, e.odoo_id) for e in removed] == [("res.partner", twin)]
