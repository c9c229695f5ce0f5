"""What a replay tries again: ids as a person types them (audit event id, order number, key)
resolved to the records of each tenant, and the event each new attempt points back to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from wooodoo.audit import EventQuery, Failure
from wooodoo.errors import UsageError
from wooodoo.sync.ports import AuditLog
from wooodoo.woo.models import Order, ParseError
from wooodoo.woo.snapshot import order_from_snapshot

# key kinds whose record is an order: the invoice, its reissues and their credit notes, the
# cancellation and the payment
ORDER_KINDS = frozenset({"order", "cancel", "amend", "payment"})
REFUND_KINDS = frozenset({"refund", "refund-payment"})


@dataclass
class Targets:
    """One tenant's records to try again: order and customer ids, and for each key replayed
    the event it replays (None: none recorded yet)."""

    orders: set[int] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    replays: dict[str, int | None] = field(default_factory=dict)
    order_for: dict[str, int] = field(default_factory=dict)  # key -> the order read for it
    unknown: dict[str, str] = field(default_factory=dict)  # key -> why it cannot be replayed

    def __bool__(self) -> bool:
        return bool(self.orders or self.customers or self.unknown)

    def order_of(self, key: str) -> int | None:
        """The order a key of ``ORDER_KINDS`` belongs to (``acme/amend/1042/2`` -> 1042)."""
        parts = key.split("/")
        if len(parts) >= 3 and parts[1] in ORDER_KINDS and parts[2].isdigit():
            return int(parts[2])
        return None


def targets_for(
    tenant: str, keys: Iterable[str] | Mapping[str, int | None], store: AuditLog
) -> Targets:
    """The records behind ``keys`` (all of ``tenant``), each with the event it replays: the one
    given (a mapping), else the latest of its key."""
    out = Targets()
    given = keys if isinstance(keys, Mapping) else {}
    for key in dict.fromkeys(keys):
        latest = given.get(key) or next(iter(store.events(tenant, key, limit=1)), None)
        out.replays[key] = latest if isinstance(latest, int) or latest is None else latest.id
        kind = key.split("/")[1] if key.count("/") >= 2 else ""
        ident = key.split("/", 2)[2] if key.count("/") >= 2 else ""
        order_id = out.order_of(key)
        if order_id is not None:
            out.orders.add(order_id)
            out.order_for[key] = order_id
        elif kind == "customer" and ident.isdigit():
            out.customers.add(int(ident))
        elif kind in REFUND_KINDS:
            found = _order_of_refund(tenant, key, store)
            if found is None:
                out.unknown[key] = "its order is not recorded: replay the order instead"
            else:
                out.orders.add(found)
                out.order_for[key] = found
        elif kind == "guest":
            out.unknown[key] = "a guest's partner comes with an order: replay the order"
        else:
            out.unknown[key] = "not a key wooodoo makes"
    return out


def targets_of_failures(tenant: str, failures: Sequence[Failure], store: AuditLog) -> Targets:
    return targets_for(tenant, [f.key for f in failures if f.tenant == tenant], store)


def _order_of_refund(tenant: str, key: str, store: AuditLog) -> int | None:
    """A refund's order: its link (``source_version``), else an event that names it."""
    link = store.links(tenant, [key]).get(key)
    if link is not None and (link.source_version or "").isdigit():
        return int(link.source_version or 0)
    for event in store.events(tenant, key, limit=20):
        for text in (event.source_version, event.source_id):
            if event.kind == "refund" and text and text.isdigit() and text != key.rsplit("/")[-1]:
                return int(text)
    return None


def snapshot_of(store: AuditLog, tenant: str, order_id: int) -> Order | None:
    """The order as it was last read when it failed (its failed events keep a snapshot), for
    ``replay --from-snapshot`` once the store has lost it; None when none is kept (pruned)."""
    query = EventQuery(
        tenants=(tenant,), actions=("failed",), kinds=("order",), source_id=str(order_id), limit=50
    )
    for event in store.find_events(query):
        kept = event.payload.get("order") if isinstance(event.payload, dict) else None
        if kept is None:
            continue
        try:
            return order_from_snapshot(kept)
        except ParseError:
            continue
    return None


# ---------------------------------------------------------------- ids as a person types them


def resolve(
    ids: Sequence[str], tenants: Sequence[str], store: AuditLog
) -> dict[str, dict[str, int | None]]:
    """The keys to replay per tenant, each with the event named (None: its latest), for
    ``ids``: an event id (as ``audit`` prints it), a
    WooCommerce order number, or a key. An id that could mean two records is a usage error
    naming them; ``event:N`` and ``order:N`` say which is meant."""
    keys: dict[str, dict[str, int | None]] = {t: {} for t in tenants}
    for text in ids:
        found = _candidates(text.strip(), tenants, store)
        if not found:
            raise UsageError(
                f"replay {text}: no record of that id in the audit",
                hint="Give an event id (wooodoo audit events), an order number, or a key"
                " such as acme/order/1042.",
            )
        if len(found) > 1:
            listed = "; ".join(f"{label} ({tenant}: {key})" for label, tenant, key in found)
            raise UsageError(
                f"replay {text}: the id is ambiguous: {listed}",
                hint="Say which: event:N for an audit event, order:N for an order, or the key.",
            )
        label, tenant, key = found[0]
        named = int(label.split()[1]) if label.startswith("event ") else None
        keys[tenant][key] = named or keys[tenant].get(key)
    return {t: k for t, k in keys.items() if k}


def _candidates(text: str, tenants: Sequence[str], store: AuditLog) -> list[tuple[str, str, str]]:
    """(what it is, tenant, key) for each record ``text`` may name."""
    prefix, _, rest = text.partition(":")
    if rest and prefix in ("event", "order"):
        return [c for c in _candidates(rest, tenants, store) if c[0].startswith(prefix)]
    if "/" in text:
        tenant = text.split("/", 1)[0]
        if tenant not in tenants:
            return []
        return [("key", tenant, text)]
    if not text.isdigit():
        return []
    found: list[tuple[str, str, str]] = []
    event = store.event(int(text))
    if event is not None and event.tenant in tenants:
        found.append((f"event {text}", event.tenant, event.key))
    seen = store.find_events(
        EventQuery(tenants=tuple(tenants), kinds=("order",), source_id=text, limit=1000)
    )
    for tenant in dict.fromkeys(e.tenant for e in seen):
        found.append((f"order {text}", tenant, f"{tenant}/order/{text}"))
    if not seen and event is None and len(tenants) == 1:
        # an order wooodoo has not seen yet: the store is asked for it
        found.append((f"order {text}", tenants[0], f"{tenants[0]}/order/{text}"))
    return found
