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

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from wooodoo.audit import Event, Link
from wooodoo.sync.context import Sides
from wooodoo.sync.outcome import Stat, Stats
from wooodoo.sync.partners import _last_written
from wooodoo.sync.ports import CHANGES_PAGE

CURSOR = "odoo_changes"  # Odoo's write_date text of the newest change seen
COUNT = "odoo_documents"  # how many documents carry the tenant's keys, last time
CHECK_CHUNK = 5000  # linked ids asked about in one call when looking for deletions
MAX_PAGES = 100_000  # pages of changes read in one poll: a bound, never reached
OVERLAP = timedelta(minutes=5)  # clock skew and late commits: seen twice, refreshed once
ODOO_TIME = "%Y-%m-%d %H:%M:%S"
STATES = {"posted": "posted", "draft": "draft", "cancel": "cancelled"}
SAID = {
    "posted": "posted in Odoo",
    "draft": "reset to draft in Odoo",
    "cancel": "cancelled in Odoo",
}


class OdooChanges:
    """One tenant's poll of Odoo; the audit rows and counts go to the run.

    ``run_start`` (the poll at the end of a run that wrote to Odoo): what the run itself
    created is not news; its documents are read for the names Odoo gave them, a page at a
    time, and only the documents and partners that existed before it are checked for
    deletions. Memory stays flat however much the run wrote.
    """

    def __init__(
        self, sides: Sides, run_id: int | None, stats: Stats, run_start: str | None = None
    ) -> None:
        self.sides = sides
        self.run_id = run_id
        self.stats = stats
        self.run_start = run_start  # Odoo's UTC text
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
        # the run's own documents: only the names Odoo gave them are news
        newest = self._pages(
            lambda after: odoo.changed_moves(prefix, since, after, CHANGES_PAGE),
            self._moves,
            self._names,
        )
        self._commit()
        before = odoo.count_moves(prefix, self.run_start) if self.run_start else None
        count = odoo.count_moves(prefix)
        known = store.cursor(name, COUNT)  # None: nothing counted yet, nothing to miss
        if known is not None and str(before if before is not None else count) != known:
            self._deleted_moves()
        partners: list[dict[str, Any]] = []  # written since, by others than this run
        newest = max(
            newest,
            self._pages(
                lambda after: odoo.changed_partners(since, after, CHANGES_PAGE), partners.extend
            ),
        )
        if any(str(r.get("write_date") or "") > saved for r in partners):  # new since last seen
            self._partners(partners)
        self._commit()
        store.commit_page(name, self.run_id, [], cursor=(CURSOR, max(saved, newest)))
        store.commit_page(name, self.run_id, [], cursor=(COUNT, str(count)))

    def _pages(
        self,
        read: Callable[[int], list[dict[str, Any]]],
        take: Callable[[list[dict[str, Any]]], None],
        own: Callable[[list[dict[str, Any]]], None] = lambda rows: None,
    ) -> str:
        """Every page ``read`` gives (by id): what this run created to ``own``, the rest to
        ``take``; the newest write date of all of them."""
        newest, after = "", 0
        start = self.run_start
        for _ in range(MAX_PAGES):
            rows = read(after)
            if not rows:
                break
            newest = max([newest, *(str(r.get("write_date") or "") for r in rows)])
            mine = [r for r in rows if start and str(r.get("create_date") or "") >= start]
            take([r for r in rows if not (start and str(r.get("create_date") or "") >= start)])
            own(mine)
            # a page's links and drift rows are written before the next page is read: after a
            # backfill of 50,000 orders, holding them all until the end took 46 MiB
            self._commit()
            if len(rows) < CHANGES_PAGE:
                break
            after = max(int(r["id"]) for r in rows)
        return newest

    def _commit(self) -> None:
        if self.events or self.links:
            self.sides.store.commit_page(self.sides.name, self.run_id, self.events, self.links)
        self.events, self.links = [], []

    def _names(self, rows: Sequence[dict[str, Any]]) -> None:
        """The names Odoo gave the documents this run posted without reading them back: set
        in the audit file directly (a run of 50,000 orders names as many links here)."""
        named = [
            (str(r["invoice_origin"]), int(r["id"]), str(r["name"]))
            for r in rows
            if r.get("invoice_origin") and r.get("name") and r["name"] != "/"
        ]
        if named:
            self.sides.store.name_documents(self.sides.name, named)

    def _moves(self, rows: Sequence[dict[str, Any]]) -> None:
        for row, link in self._linked(rows):
            state = STATES.get(str(row.get("state")))
            if state is None or link.state == state or link.state not in STATES.values():
                continue  # unchanged, or a mismatch / conflict a person looks at anyway
            self._drift(link, replace(link, state=state), SAID[str(row["state"])], state)

    def _linked(self, rows: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], Link]]:
        """Each row that is its key's linked document, with its link; a name Odoo gave it
        (posted by a sync that did not read it back) is taken into the link on the way."""
        keys = sorted({str(r["invoice_origin"]) for r in rows if r.get("invoice_origin")})
        links = self.sides.store.links(self.sides.name, keys) if keys else {}
        linked: list[tuple[dict[str, Any], Link]] = []
        for row in rows:
            link = links.get(str(row.get("invoice_origin")))
            if link is None or link.odoo_id != row["id"]:
                continue  # not the linked document (a twin, a replaced invoice)
            name = row.get("name")
            if name and name != "/" and link.odoo_name != name:
                link = replace(link, odoo_name=str(name))
                self.links.append(link)
            linked.append((row, link))
        return linked

    def _deleted_moves(self) -> None:
        store, name = self.sides.store, self.sides.name
        for chunk in store.iter_links(name, "account.move", CHECK_CHUNK):
            linked = [link for link in chunk if link.state != "deleted"]
            found = set(self.sides.odoo.existing("account.move", [k.odoo_id for k in linked]))
            for link in linked:
                if link.odoo_id not in found:
                    self._drift(link, replace(link, state="deleted"), "deleted in Odoo", "deleted")
            self._commit()

    def _partners(self, rows: Sequence[dict[str, Any]]) -> None:
        """Linked partners gone from Odoo: followed to the partner they were merged into."""
        store, name = self.sides.store, self.sides.name
        gone: list[Link] = []
        for chunk in store.iter_links(name, "res.partner", CHECK_CHUNK):
            found = set(self.sides.odoo.existing("res.partner", [k.odoo_id for k in chunk]))
            gone += [link for link in chunk if link.odoo_id not in found]
        by_ref = {str(r["ref"]): int(r["id"]) for r in rows if r.get("ref")}
        by_email: dict[str, int] = {}
        for r in rows:
            if isinstance(r.get("email"), str):
                by_email.setdefault(r["email"].strip().lower(), int(r["id"]))
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
        self.stats[Stat.DRIFT] += 1
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
