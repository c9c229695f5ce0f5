"""Partners: resolved for a batch of orders (local link, one Odoo search, one create), and the
customer sweep that brings in registered customers who have not ordered yet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from wooodoo.audit import Event, Link
from wooodoo.errors import MappingError, OdooRecordError
from wooodoo.sync.create_once import CommitWait, create_once
from wooodoo.sync.mapping import (
    Reference,
    customer_key,
    customer_partner_values,
    guest_partner_values,
    partner_key_for_order,
    partner_values,
)
from wooodoo.sync.outcome import Stat, Stats
from wooodoo.sync.ports import AuditLog, OdooTarget, WooSource
from wooodoo.woo.models import Customer, Order

T = TypeVar("T")


def values_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class PartnerResult:
    ids: dict[str, int] = field(default_factory=dict)  # partner key -> res.partner id
    failed: dict[str, str] = field(default_factory=dict)  # partner key -> reason
    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    unsure: bool = False  # a lost create was sent again: a late twin may follow

    def matched(
        self, key: str, partner_id: int, values: dict[str, Any], action: str | None
    ) -> None:
        """``key`` is partner ``partner_id``; record ``action`` (if any) and the link."""
        self.ids[key] = partner_id
        if action:
            # what wooodoo wrote is kept: an update later changes only the fields that still
            # hold it in Odoo (a person's edit there wins)
            payload = values if action in ("created", "updated") else None
            self.events.append(
                Event(
                    _kind(key),
                    _source(key),
                    key,
                    action,
                    odoo_model="res.partner",
                    odoo_id=partner_id,
                    payload=payload,
                )
            )
        self.links.append(
            Link(
                key,
                _kind(key),
                _source(key),
                "res.partner",
                partner_id,
                "partner",
                source_version=values_hash(values),
            )
        )

    def refused(self, key: str, reason: str, values: dict[str, Any] | None = None) -> None:
        self.failed[key] = reason
        self.events.append(
            Event(_kind(key), _source(key), key, "failed", error=reason, payload=values)
        )


def _kind(key: str) -> str:
    return key.split("/")[1] if key.count("/") >= 2 else "partner"


def _source(key: str) -> str:
    return key.split("/", 2)[2] if key.count("/") >= 2 else key


def wanted_for_orders(orders: Sequence[Order], ref: Reference) -> dict[str, dict[str, Any]]:
    """Partner values per partner key for the orders, from their billing addresses."""
    wanted: dict[str, dict[str, Any]] = {}
    for order in orders:
        key = partner_key_for_order(ref.tenant, order)
        if key in wanted:
            continue
        if order.customer_id:
            wanted[key] = partner_values(
                key,
                order.billing,
                order.billing.email,
                ref,
                fallback_name=f"Customer {order.customer_id}",
            )
        else:
            wanted[key] = guest_partner_values(order, ref)
    return wanted


def resolve_partners(
    wanted: dict[str, dict[str, Any]],
    ref: Reference,
    odoo: OdooTarget,
    store: AuditLog,
    *,
    dry_run: bool = False,
    update_known: bool = False,
    wait: CommitWait | None = None,
) -> PartnerResult:
    """Map partner keys to Odoo ids: local link, then Odoo by key, then by email, then create.

    ``update_known`` writes changed values to partners we already know (customer sweep); orders
    never overwrite a partner.
    """
    result = PartnerResult()
    known = store.links(ref.tenant, list(wanted))
    changed: dict[str, Link] = {}
    for key, link in known.items():
        result.ids[key] = link.odoo_id
        if update_known and link.source_version != values_hash(wanted[key]) and not dry_run:
            changed[key] = link
    if changed:
        _update_guarded(odoo, store, ref.tenant, changed, wanted, result)
    missing = [k for k in wanted if k not in known]
    if not missing:
        return result
    to_create = _find_existing(odoo, missing, wanted, result)
    unique, aliases = _once_per_buyer(to_create, wanted)
    if dry_run:
        for key in unique + list(aliases):
            result.events.append(Event(_kind(key), _source(key), key, "would_create"))
            result.ids[key] = 0
        return result
    _create(odoo, unique, wanted, wait, result)
    for alias, target in aliases.items():
        if target in result.ids:
            result.matched(alias, result.ids[target], wanted[alias], None)
        else:
            result.failed[alias] = result.failed.get(target, "partner could not be created")
    return result


def _update_guarded(
    odoo: OdooTarget,
    store: AuditLog,
    tenant: str,
    changed: dict[str, Link],
    wanted: dict[str, dict[str, Any]],
    result: PartnerResult,
) -> None:
    """Write what changed in the shop to partners wooodoo made, one field at a time.

    A field is written only where Odoo still holds what wooodoo last wrote there: a partner
    wooodoo only linked (it was in Odoo already) is never written, and a field someone
    changed in Odoo since keeps that change.
    """
    written = {key: _last_written(store, tenant, key) for key in changed}
    ids = [link.odoo_id for key, link in changed.items() if written[key]]
    fields = sorted({f for key in changed for f in wanted[key] if f not in KEPT_FIELDS})
    current = {row["id"]: row for row in odoo.read_partners(ids, fields)}
    for key, link in changed.items():
        before, now = written[key], current.get(link.odoo_id)
        if before is None or now is None:  # linked, not made by wooodoo; or gone from Odoo
            continue
        changes, kept = _field_changes(wanted[key], before, now)
        note = f"kept what was changed in Odoo: {', '.join(kept)}" if kept else None
        if not changes:
            result.links.append(replace(link, source_version=values_hash(wanted[key])))
            if note:
                result.events.append(Event(_kind(key), _source(key), key, "unchanged", error=note))
            continue
        try:
            odoo.update_partner(link.odoo_id, changes)
        except OdooRecordError as exc:
            result.refused(key, exc.message)
            continue
        result.matched(key, link.odoo_id, {**before, **changes}, "updated")
        result.links[-1] = replace(result.links[-1], source_version=values_hash(wanted[key]))
        if note:
            result.events[-1] = replace(result.events[-1], error=note)


KEPT_FIELDS = frozenset({"ref", "customer_rank"})  # the key, and a flag Odoo moves itself


def _last_written(store: AuditLog, tenant: str, key: str) -> dict[str, Any] | None:
    for event in store.events(tenant, key, limit=50):
        if event.action in ("created", "updated") and isinstance(event.payload, dict):
            return dict(event.payload)
    return None


def _field_changes(
    wanted: dict[str, Any], before: dict[str, Any], now: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The fields to write, and those left alone because Odoo no longer holds our value."""
    changes: dict[str, Any] = {}
    kept: list[str] = []
    for name, value in wanted.items():
        if name in KEPT_FIELDS or _same(value, before.get(name, False)):
            continue
        if _same(now.get(name, False), before.get(name, False)):
            changes[name] = value
        else:
            kept.append(name)
    return changes, sorted(kept)


def _same(a: Any, b: Any) -> bool:
    """Odoo reads a many2one as [id, name] and an empty text as False."""
    a = a[0] if isinstance(a, list | tuple) and a else a
    b = b[0] if isinstance(b, list | tuple) and b else b
    return (a or False) == (b or False)


def _find_existing(
    odoo: OdooTarget, missing: list[str], wanted: dict[str, dict[str, Any]], result: PartnerResult
) -> list[str]:
    """Link what Odoo has by key, then by e-mail (one search); the keys still to create."""
    emails = sorted({str(wanted[k]["email"]).lower() for k in missing if wanted[k]["email"]})
    rows = odoo.find_partners(missing, emails)
    by_ref = {r["ref"]: r["id"] for r in rows if r.get("ref")}
    by_email: dict[str, int] = {}
    for r in rows:  # ordered by id: the oldest partner with an email wins
        if isinstance(r.get("email"), str):
            by_email.setdefault(r["email"].strip().lower(), r["id"])
    to_create: list[str] = []
    for key in missing:
        email = str(wanted[key]["email"] or "").lower()
        partner_id = by_ref.get(key) or (by_email.get(email) if email else None)
        if partner_id is None:
            to_create.append(key)
        else:
            result.matched(key, partner_id, wanted[key], "linked")
    return to_create


def _once_per_buyer(
    keys: list[str], wanted: dict[str, dict[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    """The same buyer twice in one batch (guest and account, any letter case): create once.

    Returns the keys to create and, for the others, the key whose partner they share.
    """
    first_by_email: dict[str, str] = {}
    unique: list[str] = []
    aliases: dict[str, str] = {}
    for key in keys:
        email = str(wanted[key]["email"] or "").lower()
        if email and email in first_by_email:
            aliases[key] = first_by_email[email]
            continue
        if email:
            first_by_email[email] = key
        unique.append(key)
    return unique, aliases


def _create(
    odoo: OdooTarget,
    keys: list[str],
    wanted: dict[str, dict[str, Any]],
    wait: CommitWait | None,
    result: PartnerResult,
) -> None:
    def find(found_keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in odoo.find_partners(found_keys, []):  # oldest first: twins settled later
            if row.get("ref"):
                found.setdefault(row["ref"], row["id"])
        return found

    done = create_once(
        keys, lambda k: k, lambda ks: odoo.create_partners([wanted[k] for k in ks]), find, wait
    )
    result.unsure = done.unsure
    for key, partner_id in done.made:
        result.matched(key, partner_id, wanted[key], "created")
    for key, reason in done.refused:
        result.refused(key, reason, wanted[key])


def wanted_for_customers(
    customers: Sequence[Customer], ref: Reference
) -> tuple[dict[str, dict[str, Any]], list[Event]]:
    """Partner values for registered customers (the customer sweep)."""
    wanted: dict[str, dict[str, Any]] = {}
    events: list[Event] = []
    for customer in customers:
        key = customer_key(ref.tenant, customer.id)
        try:
            wanted[key] = customer_partner_values(customer, ref)
        except MappingError as exc:
            events.append(Event("customer", str(customer.id), key, "failed", error=str(exc)))
    return wanted, events


# ---------------------------------------------------------------- the customer sweep

CUSTOMER_CURSOR = "customers"
# WordPress users who run the shop: they are not buyers
STAFF_ROLES = frozenset({"administrator", "shop_manager", "editor", "author", "contributor"})


class CustomerSweep:
    """Creates or updates the partners of WooCommerce customers, for one tenant and run."""

    def __init__(
        self,
        tenant: str,
        woo: WooSource,
        odoo: OdooTarget,
        store: AuditLog,
        ref: Callable[[], Reference],
        *,
        run_id: int | None,
        stats: Stats,
        dry_run: bool = False,
        wait: CommitWait | None = None,
    ) -> None:
        self.tenant = tenant
        self.woo = woo
        self.odoo = odoo
        self.store = store
        self.ref = ref  # read on first use: a sweep with nothing new costs no Odoo reads
        self.run_id = run_id
        self.stats = stats
        self.dry_run = dry_run
        self.wait = wait

    def sweep(self, *, mark: datetime, full: bool) -> None:
        """Customers registered after the saved mark, newest first (everyone with ``full``).

        The first run only sets the mark: buyers come with their orders, and ``--full``
        brings in everyone else. ``mark`` becomes the next run's starting point.
        """
        saved = self.store.cursor(self.tenant, CUSTOMER_CURSOR)
        if saved is not None or full:
            after = None if full or saved is None else datetime.fromisoformat(saved)
            for customers in self.woo.iter_customers(role="all", newest_first=after is not None):
                new = [
                    c
                    for c in customers
                    if after is None or c.date_created is None or c.date_created > after
                ]
                self.process([c for c in new if c.email and c.role not in STAFF_ROLES])
                if after is not None and any(
                    c.date_created is not None and c.date_created <= after for c in customers
                ):
                    break  # newest first: the rest registered before the mark
        if not self.dry_run:
            self.store.commit_page(
                self.tenant, self.run_id, [], cursor=(CUSTOMER_CURSOR, mark.isoformat())
            )

    def process(self, customers: Sequence[Customer]) -> None:
        """Partners for these customers: found, created, or updated when their data changed."""
        if not customers:
            return
        ref = self.ref()
        wanted, events = wanted_for_customers(customers, ref)
        self.stats[Stat.FAILED] += len(events)
        partners = resolve_partners(
            wanted,
            ref,
            self.odoo,
            self.store,
            dry_run=self.dry_run,
            update_known=True,
            wait=self.wait,
        )
        self.stats[Stat.IN_DOUBT] += partners.unsure
        self.stats[Stat.FAILED] += len(partners.failed)
        self.stats[Stat.PARTNERS_CREATED] += sum(
            1 for e in partners.events if e.action == "created"
        )
        if not self.dry_run:
            self.store.commit_page(
                self.tenant, self.run_id, events + partners.events, partners.links
            )
