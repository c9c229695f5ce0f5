"""What people changed in Odoo since the last run, read with a ``write_date`` cursor.

One ``search_read`` of the tenant's invoices and credit notes, one of the partners written
since the cursor, and one ``search_count`` of the documents under the tenant's keys: a deletion
writes nothing, so a count that moved is what makes the linked ids be looked up (one ``search``).
The links follow what Odoo says (posted, cancelled, reset to draft, deleted); a change made by a
person is recorded once as ``drift``. Nothing removed is made again (only ``replay`` does).
A partner merged into another (Odoo's merge wizard moves the references to the partner that
survives, writes it, and deletes the merged one) is followed: its link points at the survivor,
found by our key (the survivor takes it when it had none) or by the e-mail wooodoo last wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from wooodoo.audit import Event, Link
from wooodoo.sync.context import Sides
from wooodoo.sync.outcome import Stat, Stats
from wooodoo.sync.partners import _last_written

CURSOR = "odoo_changes"  # Odoo's write_date text of the newest change seen
COUNT = "odoo_documents"  # how many documents carry the tenant's keys, last time
OVERLAP = timedelta(minutes=5)  # clock skew and late commits: seen twice, refreshed once
ODOO_TIME = "%Y-%m-%d %H:%M:%S"
STATES = {"posted": "posted", "draft": "draft", "cancel": "cancelled"}
SAID = {
    "posted": "posted in Odoo",
    "draft": "reset to draft in Odoo",
    "cancel": "cancelled in Odoo",
}


class OdooChanges:
    """One tenant's poll of Odoo; the audit rows and counts go to the run."""

    def __init__(self, sides: Sides, run_id: int | None, stats: Stats) -> None:
        self.sides = sides
        self.run_id = run_id
        self.stats = stats
        self.events: list[Event] = []
        self.links: list[Link] = []

    def run(self) -> None:
        store, name, odoo = self.sides.store, self.sides.name, self.sides.odoo
        saved = store.cursor(name, CURSOR)
        now = datetime.now(UTC).strftime(ODOO_TIME)
        if saved is None:  # the first run: from now on
            store.commit_page(name, self.run_id, [], cursor=(CURSOR, now))
            return
        since = (datetime.strptime(saved, ODOO_TIME).replace(tzinfo=UTC) - OVERLAP).strftime(
            ODOO_TIME
        )
        prefix = f"{name}/"
        moves = odoo.changed_moves(prefix, since)
        self._moves(moves)
        count = odoo.count_moves(prefix)
        if str(count) != store.cursor(name, COUNT):
            self._deleted_moves()
        partners = odoo.changed_partners(since)
        if any(str(r.get("write_date") or "") > saved for r in partners):  # new since last seen
            self._partners(partners)
        newest = max([saved, *(str(r.get("write_date") or "") for r in [*moves, *partners])])
        self.stats[Stat.DRIFT] += sum(1 for e in self.events if e.action == "drift")
        store.commit_page(name, self.run_id, self.events, self.links, cursor=(CURSOR, newest))
        store.commit_page(name, self.run_id, [], cursor=(COUNT, str(count)))

    def _moves(self, rows: Sequence[dict[str, Any]]) -> None:
        keys = sorted({str(r["invoice_origin"]) for r in rows if r.get("invoice_origin")})
        links = self.sides.store.links(self.sides.name, keys)
        for row in rows:
            link = links.get(str(row.get("invoice_origin")))
            state = STATES.get(str(row.get("state")))
            if link is None or link.odoo_id != row["id"] or state is None:
                continue  # not the linked document (a twin, a replaced invoice)
            if row.get("name") and row["name"] != "/" and link.odoo_name != row["name"]:
                link = replace(link, odoo_name=str(row["name"]))  # posted by this run
                self.links.append(link)
            if link.state == state or link.state not in STATES.values():
                continue  # unchanged, or a mismatch / conflict a person looks at anyway
            self._drift(link, replace(link, state=state), SAID[str(row["state"])], state)

    def _deleted_moves(self) -> None:
        linked = [
            link
            for link in self.sides.store.all_links(self.sides.name)
            if link.odoo_model == "account.move" and link.state != "deleted"
        ]
        found = set(self.sides.odoo.existing("account.move", [link.odoo_id for link in linked]))
        for link in linked:
            if link.odoo_id not in found:
                self._drift(link, replace(link, state="deleted"), "deleted in Odoo", "deleted")

    def _partners(self, rows: Sequence[dict[str, Any]]) -> None:
        """Linked partners gone from Odoo: followed to the partner they were merged into."""
        store, name = self.sides.store, self.sides.name
        linked = [link for link in store.all_links(name) if link.odoo_model == "res.partner"]
        found = set(self.sides.odoo.existing("res.partner", [link.odoo_id for link in linked]))
        by_ref = {str(r["ref"]): int(r["id"]) for r in rows if r.get("ref")}
        by_email: dict[str, int] = {}
        for r in rows:
            if isinstance(r.get("email"), str):
                by_email.setdefault(r["email"].strip().lower(), int(r["id"]))
        gone = [link for link in linked if link.odoo_id not in found]
        became: dict[int, int] = {}  # a merged partner -> the one it became (any of its keys)
        for link in gone:
            written = _last_written(store, name, link.key) or {}
            email = str(written.get("email") or "").strip().lower()
            survivor = by_ref.get(link.key) or (by_email.get(email) if email else None)
            if survivor is not None and survivor != link.odoo_id:
                became.setdefault(link.odoo_id, survivor)
        for link in gone:
            survivor = became.get(link.odoo_id)
            if survivor is None:
                why = "deleted in Odoo (not followed: no partner took it)"
                self._drift(link, None, why, "deleted")
                continue
            why = f"merged in Odoo into partner {survivor}: followed"
            self._drift(link, replace(link, odoo_id=survivor), why, "merged")

    def _drift(self, link: Link, new: Link | None, why: str, change: str) -> None:
        """One change a person made; ``change`` (posted, draft, cancelled, deleted, merged) and
        what the link became go in the payload, for ``audit drift``."""
        if new is not None:
            self.links.append(new)
        target = new or link
        self.events.append(
            Event(
                link.kind,
                link.source_id,
                link.key,
                "drift",
                odoo_model=target.odoo_model,
                odoo_id=target.odoo_id,
                odoo_name=link.odoo_name,
                error=f"{link.odoo_model} {link.odoo_name or link.odoo_id}: {why}",
                payload={
                    "change": change,
                    "was": {"odoo_id": link.odoo_id, "state": link.state},
                    "now": None if new is None else {"odoo_id": new.odoo_id, "state": new.state},
                },
            )
        )
