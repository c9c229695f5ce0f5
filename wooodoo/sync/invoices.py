"""The Odoo side of one batch of invoices: create without duplicates, check, adjust, post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wooodoo.errors import TransientError
from wooodoo.sync.create_once import (
    CREATE_ATTEMPTS,
    CommitWait,
    Created,
    create_once,
    refused_of,
)
from wooodoo.sync.mapping import InvoicePlan, Totals
from wooodoo.sync.ports import MoveState, OdooTarget


def totals(state: MoveState) -> Totals:
    return Totals(state.untaxed, state.tax, state.total)


@dataclass(frozen=True)
class Settled:
    """What became of one invoice of the batch."""

    plan: InvoicePlan
    move: MoveState  # as read back after creating (or finding) it
    status: str  # posted | draft | mismatch | failed
    reason: str | None = None
    name: str | None = None
    tax_adjusted: bool = False


Ready = tuple[InvoicePlan, dict[str, Any]]  # a plan and its create values, partner included


def create_invoices(
    odoo: OdooTarget,
    ready: Sequence[Ready],
    wait: CommitWait | None = None,
    *,
    credit_notes: bool = False,
) -> Created[InvoicePlan]:
    """Create in one call, isolating refused records; never twice (see ``create_once``)."""
    lookup = odoo.find_credit_notes if credit_notes else odoo.find_invoices

    def find(keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for move in lookup(keys):  # oldest first: a twin is settled later
            found.setdefault(move.key, move.id)
        return found

    done = create_once(
        ready,
        lambda item: item[0].key,
        lambda items: odoo.create_invoices([values for _, values in items]),
        find,
        wait,
    )
    return Created(
        [(plan, move_id) for (plan, _), move_id in done.made],
        [(plan, reason) for (plan, _), reason in done.refused],
        done.unsure,
    )


def create_values(
    odoo: OdooTarget, plan: InvoicePlan, partner_id: int, *, tax_adjust: bool
) -> tuple[dict[str, Any], bool]:
    """An invoice's or credit note's create values; True when they carry the shop's tax.

    Only where the mapping foresees that Odoo's own rounding misses the shop's tax: a create
    carrying ``tax_totals`` costs a real Odoo twice the time. On 16+ the shop's tax per tax
    group rides in the create (Odoo applies it once the tax lines exist); elsewhere the draft
    is adjusted after the read-back.
    """
    values = {**plan.values, "partner_id": partner_id}
    if tax_adjust and plan.needs_tax_adjustment:
        totals_edit = odoo.tax_totals_at_create(plan.expected_tax_by_tax)
        if totals_edit is not None:
            values["tax_totals"] = totals_edit
            return values, True
    return values, False


def post_recovering(odoo: OdooTarget, ids: list[int]) -> dict[int, str]:
    """Post, retrying after a transient failure only what Odoo has not posted yet."""
    return _post_calls(odoo, ids)[0]


def _post_calls(odoo: OdooTarget, ids: list[int]) -> tuple[dict[int, str], bool]:
    """``post_recovering``; True when one call posted them all (Odoo answered, refused none)."""
    pending = ids
    refusals: dict[int, str] = {}
    for attempt in range(CREATE_ATTEMPTS):
        try:
            refusals.update(post_isolating(odoo, pending))
            return refusals, attempt == 0 and not refusals
        except TransientError:
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            states = odoo.read_invoices(pending)
            pending = [i for i in pending if states[i].state != "posted"]
            if not pending:
                break
    return refusals, False


def post_isolating(odoo: OdooTarget, ids: list[int]) -> dict[int, str]:
    """Post in one call; split a refused call to find the invoices Odoo refuses."""
    return refused_of(ids, odoo.post_invoices)


Postable = tuple[InvoicePlan, MoveState, bool]  # a draft that matches; True: tax adjusted


def settle(
    odoo: OdooTarget,
    moves: Sequence[tuple[InvoicePlan, MoveState]],
    *,
    post: bool,
    tax_adjust: bool,
    names_later: bool = False,
) -> list[Settled]:
    """Compare each draft with the shop, adjust taxes where Odoo rounded differently, post.

    A draft whose amounts still differ is never posted: it stays draft as a ``mismatch``.
    ``names_later``: when Odoo answers a post of them all, they are posted (a post is one
    transaction) and the names it gave them are not read back; the caller learns them later
    (a sync's last poll of Odoo's changes reads them anyway: one call per batch saved).
    """
    outcome: dict[int, Settled] = {}
    to_post: list[Postable] = []
    wanted: dict[int, tuple[InvoicePlan, MoveState]] = {}
    for plan, state in moves:
        if state.state == "posted":
            outcome[state.id] = Settled(plan, state, "posted", name=state.name)
        elif not totals(state).differs(plan.expected) and not _taxes_left(odoo, plan, tax_adjust):
            to_post.append((plan, state, False))
        elif tax_adjust and _adjustable(plan, state):
            wanted[state.id] = (plan, state)
        else:
            reason = f"Odoo computed {totals(state)}, the shop says {plan.expected}"
            outcome[state.id] = Settled(plan, state, "mismatch", reason)
    if wanted:
        to_post += _adjust(odoo, wanted, outcome)
    if post and to_post:
        _post(odoo, to_post, outcome, names_later)
    else:
        for plan, state, adj in to_post:
            outcome[state.id] = Settled(plan, state, "draft", name=state.name, tax_adjusted=adj)
    return [outcome[state.id] for _, state in moves]


def _taxes_left(odoo: OdooTarget, plan: InvoicePlan, tax_adjust: bool) -> bool:
    """Odoo's rounding trades a unit between tax groups while the total stays right, and the
    create could not carry the shop's tax (13-15): the draft's tax items are set after all."""
    return (
        tax_adjust
        and plan.needs_tax_adjustment
        and odoo.tax_totals_at_create(plan.expected_tax_by_tax) is None
    )


def _adjustable(plan: InvoicePlan, state: MoveState) -> bool:
    """Only the tax differs, by at most one unit of the currency (a cent, a yen) per line:
    Odoo rounded otherwise than the shop."""
    # a reversal copied from Odoo has no planned lines of the shop: count its Odoo lines
    lines = len(plan.lines) or len(plan.values.get("invoice_line_ids", ()))
    tolerance = plan.quantum * lines
    return (
        state.untaxed == plan.expected.untaxed and abs(state.tax - plan.expected.tax) <= tolerance
    )


def _adjust(
    odoo: OdooTarget,
    wanted: dict[int, tuple[InvoicePlan, MoveState]],
    outcome: dict[int, Settled],
) -> list[Postable]:
    """Set the drafts' tax to the shop's, read them back; those that now match can be posted."""
    refused = odoo.adjust_taxes(
        {move_id: plan.expected_tax_by_tax for move_id, (plan, _) in wanted.items()}
    )
    adjusted = [item for move_id, item in wanted.items() if move_id not in refused]
    for move_id in refused:
        plan, state = wanted[move_id]
        reason = f"tax adjustment refused: {refused[move_id]}"
        outcome[move_id] = Settled(plan, state, "mismatch", reason)
    reread = odoo.read_invoices([state.id for _, state in adjusted]) if adjusted else {}
    postable: list[Postable] = []
    for plan, state in adjusted:
        now = reread[state.id]
        if totals(now).differs(plan.expected):
            reason = f"after adjusting taxes Odoo has {totals(now)}, the shop says {plan.expected}"
            outcome[state.id] = Settled(plan, state, "mismatch", reason)
        else:
            postable.append((plan, state, True))
    return postable


def _post(
    odoo: OdooTarget, to_post: list[Postable], outcome: dict[int, Settled], names_later: bool
) -> None:
    ids = [state.id for _, state, _ in to_post]
    refusals, all_posted = _post_calls(odoo, ids)
    if all_posted and names_later:
        for plan, state, adj in to_post:
            outcome[state.id] = Settled(plan, state, "posted", tax_adjusted=adj)
        return
    # What Odoo has is the truth: a post whose answer was lost (or that answered with an
    # error after committing) still counts as posted.
    after = odoo.read_invoices(ids)
    for plan, state, adj in to_post:
        now = after[state.id]
        if now.state == "posted":
            outcome[state.id] = Settled(plan, state, "posted", name=now.name, tax_adjusted=adj)
        else:
            refusal = refusals.get(state.id, "the invoice is still a draft")
            outcome[state.id] = Settled(
                plan, state, "failed", f"posting refused: {refusal}", tax_adjusted=adj
            )
