"""Finding and removing twins in Odoo: in each batch, and after a run that may have left some.

The rule of which document stays is in ``twins``; this module reads Odoo, deletes the drafts
that go, and says so in the audit (every removal is an event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from wooodoo.audit import Event, Link
from wooodoo.sync.create_once import refused_of
from wooodoo.sync.ports import AuditLog, MoveState, OdooTarget
from wooodoo.sync.twins import Doc, Verdict, doubt, judge

TWIN_CURSOR = "twins"  # the id of the last run beyond doubt


@dataclass
class TwinOutcome:
    """What settling twins did: audit rows and counts."""

    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    removed: int = 0
    conflicts: set[str] = field(default_factory=set)  # keys with two posted documents

    def add(self, other: TwinOutcome) -> None:
        self.events += other.events
        self.links += other.links
        self.removed += other.removed
        self.conflicts |= other.conflicts


def _event(key: str, action: str, model: str, odoo_id: int, error: str) -> Event:
    kind, _, source = key.partition("/")[2].partition("/")
    return Event(
        kind or "record", source or key, key, action, odoo_model=model, odoo_id=odoo_id, error=error
    )


def remove_twins(
    model: str, verdict: Verdict, remove: Callable[[list[int]], object]
) -> TwinOutcome:
    """Delete the drafts the verdict lets go; a refusal or two posted documents need a person."""
    out = TwinOutcome()
    refused = refused_of([d.id for d in verdict.remove], remove)
    for doc in verdict.remove:
        kept = verdict.keep[doc.key]
        if doc.id in refused:
            reason = f"twin of {model} {kept} could not be deleted: {refused[doc.id]}"
            out.events.append(_event(doc.key, "conflict", model, doc.id, reason))
            out.conflicts.add(doc.key)
            continue
        out.removed += 1
        reason = (
            f"deleted: a twin of {model} {kept} (a late commit of a call whose client had gone)"
        )
        out.events.append(_event(doc.key, "removed", model, doc.id, reason))
    for key, posted in verdict.conflicts.items():
        ids = ", ".join(str(i) for i in posted)
        reason = (
            f"{len(posted)} posted documents carry this key ({model} {ids}): reverse all but one"
        )
        out.events.append(_event(key, "conflict", model, posted[0], reason))
        out.conflicts.add(key)
    return out


def settle_moves(
    odoo: OdooTarget, moves: Iterable[MoveState], linked: Mapping[str, int]
) -> tuple[dict[str, MoveState], TwinOutcome]:
    """The one invoice that stays per key, after deleting its draft twins."""
    by_id = {m.id: m for m in moves}
    verdict = judge((Doc(m.id, m.key, m.state == "posted") for m in by_id.values()), linked)
    out = remove_twins("account.move", verdict, odoo.remove_invoices)
    return {key: by_id[kept] for key, kept in verdict.keep.items()}, out


class TwinSweep:
    """After runs that may have left twins (killed, or a lost create sent again): look again.

    One search per model over what Odoo created since the doubtful runs began; a second one,
    only for keys where Odoo has something the audit does not link, reads those keys whole.
    A run with nothing in doubt costs no call.
    """

    def __init__(self, tenant: str, odoo: OdooTarget, store: AuditLog) -> None:
        self.tenant = tenant
        self.odoo = odoo
        self.store = store

    def run(self, run_id: int, now: datetime | None = None) -> TwinOutcome:
        saved = int(self.store.cursor(self.tenant, TWIN_CURSOR) or 0)
        runs = self.store.runs_after(self.tenant, saved)
        todo = doubt(runs, run_id, now or datetime.now(UTC), saved)
        out = TwinOutcome()
        if todo.since is not None:
            out.add(self._invoices(todo.since))
            out.add(self._partners(todo.since))
        if out.events or out.links or todo.settled_through != saved:
            self.store.commit_page(
                self.tenant,
                run_id,
                out.events,
                out.links,
                cursor=(TWIN_CURSOR, str(todo.settled_through)),
            )
        return out

    def _suspects(self, found: Iterable[tuple[str, int]]) -> tuple[list[str], dict[str, Link]]:
        """Keys where Odoo holds a record the audit does not link to that key."""
        pairs = list(found)
        local = self.store.links(self.tenant, sorted({key for key, _ in pairs}))
        suspects = {key for key, oid in pairs if key not in local or local[key].odoo_id != oid}
        return sorted(suspects), local

    def _invoices(self, since: datetime) -> TwinOutcome:
        recent = self.odoo.recent_invoices(f"{self.tenant}/", since)
        suspects, local = self._suspects((m.key, m.id) for m in recent)
        if not suspects:
            return TwinOutcome()
        linked = {k: link.odoo_id for k, link in local.items()}
        moves = self.odoo.find_invoices(suspects)
        if any("/refund/" in key for key in suspects):
            moves += self.odoo.find_credit_notes(suspects)
        kept, out = settle_moves(self.odoo, moves, linked)
        for key, move in kept.items():
            link = local.get(key)
            if link is not None and link.odoo_id != move.id and key not in out.conflicts:
                # the audit linked a draft that went: follow the posted invoice that stayed
                state = "posted" if move.state == "posted" else link.state
                out.links.append(replace(link, odoo_id=move.id, odoo_name=move.name, state=state))
        return out

    def _partners(self, since: datetime) -> TwinOutcome:
        recent = self.odoo.recent_partners(f"{self.tenant}/", since)
        suspects, local = self._suspects((str(r["ref"]), int(r["id"])) for r in recent)
        if not suspects:
            return TwinOutcome()
        rows = [r for r in self.odoo.find_partners(suspects, []) if r.get("ref") in suspects]
        linked = {k: link.odoo_id for k, link in local.items()}
        verdict = judge((Doc(int(r["id"]), str(r["ref"])) for r in rows), linked)
        return remove_twins("res.partner", verdict, self.odoo.remove_partners)
