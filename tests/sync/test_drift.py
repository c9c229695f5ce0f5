"""Odoo-side polling against the sandbox: what a person did in Odoo is reported once and
followed, never undone; an idle run stays within its request budget."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.e2e_helpers import Box, invoices, invoices_by_order, odoo_read, running_box
from wooodoo.audit import AuditStore
from wooodoo.cli import main
from wooodoo.sandbox.odoo.merge import merge_partners
from wooodoo.sync import Stat, SyncOptions
from wooodoo.sync.odoo_changes import OdooChanges


def test_deleted_reset_and_merged_are_reported_once_and_not_recreated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=5) as box:
        box.sync()
        box.sync()  # the poll's cursor and count are set
        links = {k: link for k, link in box.order_links().items() if link.state == "posted"}
        (k_deleted, deleted), (k_reset, reset) = sorted(links.items())[:2]
        with box.audit() as store:
            partner_links = [
                link
                for link in store.all_links(box.tenant_name)
                if link.odoo_model == "res.partner"
            ]
        merged = partner_links[0]
        time.sleep(1.1)  # write_date has whole seconds: a person's change comes after ours
        app = box.sb.odoo_app
        with app.transaction():  # a person's own partner for the same buyer, ours merged into it
            kept = app.env("res.partner").create({"name": "Kept By Hand"})
        with app.transaction():
            moves = app.env("account.move", {"force_delete": True})
            moves.button_draft([deleted.odoo_id, reset.odoo_id])  # type: ignore[attr-defined]
            moves.unlink([deleted.odoo_id])
            merge_partners(app.env("res.partner"), int(kept), [merged.odoo_id])  # type: ignore[arg-type]
        before = len(invoices(box.sb))

        first = box.sync()
        assert first.stats[Stat.DRIFT] >= 3, first.stats
        after = box.order_links()
        assert after[k_deleted].state == "deleted"
        assert after[k_reset].state == "draft"
        with box.audit() as store:
            followed = store.links(box.tenant_name, [merged.key])[merged.key]
            drift = [e for e in store.events(box.tenant_name, limit=200) if e.action == "drift"]
        assert followed.odoo_id == kept
        keys = [e.key for e in drift]
        assert {k_deleted, k_reset, merged.key} <= set(keys)
        assert len(keys) == len(set(keys)) == first.stats[Stat.DRIFT]  # each once
        # every other key on the merged partner (guest and account of one buyer) followed too
        assert all("merged" in (e.error or "") for e in drift if e.key not in (k_deleted, k_reset))
        assert len(invoices(box.sb)) == before  # nothing made again

        second = box.sync()
        assert second.stats[Stat.DRIFT] == 0  # reported once
        assert len(invoices(box.sb)) == before


def test_a_partner_edited_in_odoo_keeps_the_edit_after_a_customer_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=20, seed=5) as box:
        box.sync()
        with box.audit() as store:
            link = next(
                link
                for link in store.all_links(box.tenant_name, "customer")
                if link.odoo_model == "res.partner"
            )
        app = box.sb.odoo_app
        with app.transaction():
            app.env("res.partner").write([link.odoo_id], {"name": "Edited By Hand"})
        box.sync(SyncOptions(full=True))  # the customer sweep reads every customer
        with app.transaction():
            row = app.env("res.partner").search_read([("id", "=", link.odoo_id)], ["name"])
        assert row[0]["name"] == "Edited By Hand"


def test_an_idle_run_costs_at_most_5_odoo_and_3_woocommerce_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=20, seed=5) as box:
        box.sync()
        box.sync()
        box.sb.woo_counter.reset()
        box.sb.odoo_counter.reset()
        box.sync()
        woo = box.sb.woo_counter.total()
        odoo = sum(
            n for k, n in box.sb.odoo_counter.snapshot().items() if not k.startswith("odoo ")
        )
        assert woo <= 3, box.sb.woo_counter.snapshot()
        assert odoo <= 5, box.sb.odoo_counter.snapshot()


def test_the_run_right_after_a_backfill_is_idle_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backfill polls Odoo again at its end: its own documents and partners are not
    news to the next run, which then costs what any idle run costs."""
    with running_box(tmp_path, monkeypatch, orders=20, seed=5) as box:
        box.sync()
        box.sb.woo_counter.reset()
        box.sb.odoo_counter.reset()
        again = box.sync()
        assert again.stats["invoiced"] == again.stats["drift"] == 0
        odoo = sum(
            n for k, n in box.sb.odoo_counter.snapshot().items() if not k.startswith("odoo ")
        )
        assert box.sb.woo_counter.total() <= 3, box.sb.woo_counter.snapshot()
        assert odoo <= 5, box.sb.odoo_counter.snapshot()


def test_the_merged_customers_next_invoice_goes_to_the_surviving_partner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=20, seed=5) as box:
        box.sync()
        box.sync()  # the poll's cursor is set
        with box.audit() as store:
            link = next(
                link
                for link in store.all_links(box.tenant_name, "customer")
                if link.odoo_model == "res.partner"
            )
        time.sleep(1.1)  # write_date has whole seconds: a person's change comes after ours
        app = box.sb.odoo_app
        with app.transaction():
            made = app.env("res.partner").create({"name": "Kept By Hand"})
        kept = made if isinstance(made, int) else made[0]
        with app.transaction():
            merge_partners(app.env("res.partner"), kept, [link.odoo_id])
        assert box.sync().stats[Stat.DRIFT] >= 1
        shown = CliRunner().invoke(main, ["--config", str(box.config_path), "audit", "drift"])
        assert shown.exit_code == 0, shown.output
        record = f"\t{link.kind} {link.source_id}\t"
        merged = [line.split("\t") for line in shown.stdout.splitlines() if record in line]
        assert merged, shown.stdout
        assert merged[0][5:] == [
            "merged into another partner",
            f"followed: its next invoices go to partner {kept}",
        ]

        product = next(iter(box.sb.store.products.values()))
        order = box.sb.store.add_order(
            [(product.id, 1)], customer_id=int(link.source_id), status="processing"
        )
        after = box.sync()
        assert after.stats[Stat.INVOICED] == 1, after.stats
        assert after.stats[Stat.PARTNERS_CREATED] == 0  # the survivor, not a new partner
        (invoice,) = invoices_by_order(box.sb)[order.id]
        partner = invoice["partner_id"]
        assert (partner[0] if isinstance(partner, list | tuple) else partner) == kept
        with app.transaction():
            gone = app.env("res.partner").search_read([("id", "=", link.odoo_id)], ["id"])
        assert gone == []  # the merged partner stays merged


def test_a_sync_posts_without_reading_back_and_its_last_poll_names_the_invoices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Odoo answering a post of the whole batch means all are posted (one transaction): the
    sync does not read them back; the names Odoo gave them come with its last poll."""
    with running_box(tmp_path, monkeypatch, orders=20, seed=5) as box:
        box.rewrite(batch_size=5)
        box.sb.odoo_counter.reset()
        result = box.sync()
        assert result.stats["invoiced"] > 5  # several batches of invoices
        reads = box.sb.odoo_counter.snapshot().get("POST /json/2/account.move/read", 0)
        # only the credit notes' batches read theirs back (they are few)
        assert reads <= -(-result.stats["credited"] // 5), box.sb.odoo_counter.snapshot()
        names = invoice_names(box)
        links = box.order_links()
        posted = {k: link for k, link in links.items() if link.state == "posted"}
        assert len(posted) == result.stats["invoiced"]
        assert {k: link.odoo_name for k, link in posted.items()} == {k: names[k] for k in posted}


def test_the_end_of_a_backfill_reads_its_own_writes_a_page_at_a_time_and_looks_up_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays flat: the backfill's last poll reads its documents in pages (here of 7) for
    their names and writes each page's names before reading the next (held all at once, links
    took 46 MiB after 50,000 orders), and what the run created itself is no deletion to look up
    (no search by id)."""
    monkeypatch.setattr("wooodoo.sync.odoo_changes.CHANGES_PAGE", 7)
    held: list[int] = []  # names the poll wrote at each write
    name_documents = AuditStore.name_documents

    def counting(self: AuditStore, tenant: str, names: Iterable[tuple[str, int, str]]) -> None:
        names = list(names)
        held.append(len(names))
        name_documents(self, tenant, names)

    monkeypatch.setattr(AuditStore, "name_documents", counting)
    with running_box(tmp_path, monkeypatch, orders=40, seed=5) as box:
        box.sb.odoo_counter.reset()
        result = box.sync()
        assert result.stats["drift"] == 0
        assert sum(held) > 7, held  # names of several pages
        assert max(held) <= 7, held  # one page at a time
        calls = box.sb.odoo_counter.snapshot()
        assert not [k for k in calls if k.endswith(("/search", ".search"))], calls
        names = invoice_names(box)
        posted = {k: link for k, link in box.order_links().items() if link.state == "posted"}
        assert len(posted) > 7  # more than one page
        assert {k: link.odoo_name for k, link in posted.items()} == {k: names[k] for k in posted}


def test_after_a_backfill_that_never_polled_the_next_poll_names_its_documents_a_page_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backfill killed before its last poll leaves its invoices unnamed: the next run's first
    poll names them, each page's links written before the next page is read (here pages of 7)."""
    monkeypatch.setattr("wooodoo.sync.odoo_changes.CHANGES_PAGE", 7)
    held: list[int] = []  # links the poll held at each of its writes
    commit = OdooChanges._commit

    def counting(self: OdooChanges) -> None:
        held.append(len(self.links))
        commit(self)

    monkeypatch.setattr(OdooChanges, "_commit", counting)
    with running_box(tmp_path, monkeypatch, orders=40, seed=5) as box:
        with monkeypatch.context() as m:
            m.setattr("wooodoo.sync.run.WROTE_TO_ODOO", ())  # as if killed before its last poll
            box.sync()
        before = box.order_links()
        unnamed = [k for k, link in before.items() if link.state == "posted"]
        assert len(unnamed) > 7  # more than one page
        assert not [k for k in unnamed if before[k].odoo_name]
        result = box.sync()
        assert result.stats["drift"] == 0
        assert sum(held) >= len(unnamed), held
        assert max(held) <= 7, held  # one page at a time
        names = invoice_names(box)
        links = box.order_links()
        assert {k: links[k].odoo_name for k in unnamed} == {k: names[k] for k in unnamed}


def invoice_names(box: Box) -> dict[str, str]:
    """The names Odoo gave the tenant's invoices, by key."""
    rows = odoo_read(
        box.sb,
        "account.move",
        [("invoice_origin", "=like", "%/order/%")],
        ["invoice_origin", "name"],
    )
    return {row["invoice_origin"]: row["name"] for row in rows}
