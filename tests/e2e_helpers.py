"""End-to-end helpers: a sandbox with its config, the shop's truth, Odoo's invoices and partners."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from wooodoo.audit import AuditStore, EventRecord, Failure, Link
from wooodoo.config import Config, TenantConfig, load_config
from wooodoo.http import RetryPolicy
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.faults import FaultPlan
from wooodoo.sandbox.woo.render import render_order
from wooodoo.sync import SyncOptions, TenantResult
from wooodoo.wiring import open_tenant
from wooodoo.woo.models import Order, parse_order

INVOICED_STATUSES = ("processing", "completed")
CENT = Decimal("0.005")  # half a cent: amounts equal "to the cent"
# Fast retries for fault tests; the sandbox's Retry-After is set to 0 alongside.
FAST_RETRY = RetryPolicy(attempts=10, base_delay=0.01, max_delay=0.05, total_seconds=30)
TRANSIENT_20 = FaultPlan.transient(0.2).with_updates(retry_after=0)


def dec(value: Any) -> Decimal:
    """Odoo's float amounts as Decimal (repr is the shortest exact decimal of a float)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value or 0))


@dataclass
class Box:
    """A running sandbox with a config written for it and its secrets in this environment."""

    sb: Sandbox
    config_path: Path
    env_path: Path
    sync_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant_name(self) -> str:
        return self.sb.tenant

    def config(self) -> Config:
        return load_config(self.config_path)

    def tenant(self) -> TenantConfig:
        return self.config().tenants[self.tenant_name]

    def rewrite(self, **sync: Any) -> None:
        """Write the config again with other ``sync`` settings (same audit file)."""
        self.sync_overrides = dict(sync)
        self.sb.write_config(self.config_path, **sync)

    def sync(
        self, options: SyncOptions | None = None, *, retry: RetryPolicy | None = None
    ) -> TenantResult:
        config = self.config()
        with open_tenant(config, config.tenants[self.tenant_name], retry=retry) as engine:
            return engine.sync(options or SyncOptions())

    def replay(self, keys: Sequence[str] | None = None) -> TenantResult:
        config = self.config()
        with open_tenant(config, config.tenants[self.tenant_name]) as engine:
            return engine.replay(keys)

    @contextmanager
    def audit(self) -> Iterator[AuditStore]:
        with AuditStore(self.config().audit_db) as store:
            yield store

    def failures(self) -> dict[str, Failure]:
        with self.audit() as store:
            return {f.key: f for f in store.failures(self.tenant_name)}

    def order_links(self) -> dict[str, Link]:
        with self.audit() as store:
            return {link.key: link for link in store.all_links(self.tenant_name, "order")}

    def events(self, key: str) -> list[EventRecord]:
        with self.audit() as store:
            return store.events(self.tenant_name, key)

    def key(self, order_id: int) -> str:
        return f"{self.tenant_name}/order/{order_id}"


@contextmanager
def running_box(
    tmp_path: Path,
    monkeypatch: Any,
    *,
    orders: int = 300,
    seed: int = 7,
    odoo_version: int = 19,
    tax_rounding: str = "round_per_line",
    customers: int | None = None,
    woo_version: str = "7.9.0",
    **sync: Any,
) -> Iterator[Box]:
    """Start a sandbox, write ``tmp_path/config.yaml`` and put the secrets in the environment."""
    with Sandbox(
        orders=orders,
        seed=seed,
        odoo_version=odoo_version,
        tax_rounding=tax_rounding,  # type: ignore[arg-type]
        customers=customers,
        directory=tmp_path,
        woo_version=woo_version,
    ) as sb:
        config_path, env_path = sb.write_config(tmp_path / "config.yaml", **sync)
        for name, value in sb.secret_env().items():
            monkeypatch.setenv(name, value)
        yield Box(sb, config_path, env_path, dict(sync))


def subprocess_env(box: Box) -> dict[str, str]:
    """This process's environment (already isolated by conftest) plus the sandbox's secrets."""
    env = dict(os.environ)
    env.update(box.sb.secret_env())
    # no keyring probing in a child process: the secrets come from the environment
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


# ---------------------------------------------------------------- the shop's side


def shop_orders(sb: Sandbox) -> dict[int, Order]:
    """Every order as the REST API would give it now, parsed by the client's own parser."""
    with sb.store.lock:
        raw = [
            render_order(order, sb.store.refunds_of(order.id), sb.woo_url)
            for order in sb.store.orders.values()
        ]
    parsed = [parse_order(r) for r in raw]
    return {o.id: o for o in parsed}


def active_currencies(sb: Sandbox) -> set[str]:
    rows = odoo_read(sb, "res.currency", [("active", "=", True)], ["name"])
    return {r["name"] for r in rows}


def invoiced_status(order: Order) -> bool:
    """A status that becomes an invoice: paid, or refunded in full after it was paid."""
    return order.status in INVOICED_STATUSES or (
        order.status == "refunded" and order.date_paid is not None
    )


def eligible(orders: Mapping[int, Order], currencies: set[str]) -> dict[int, Order]:
    """Orders that must end as posted invoices: an invoiced status, an active currency."""
    return {i: o for i, o in orders.items() if invoiced_status(o) and o.currency in currencies}


def credit_notes(sb: Sandbox) -> dict[str, list[dict[str, Any]]]:
    """wooodoo's credit notes by key (``<tenant>/refund/<id>``)."""
    mtype = move_type_field(sb)
    rows = odoo_read(
        sb,
        "account.move",
        [("invoice_origin", "=like", f"{sb.tenant}/refund/%"), (mtype, "=", "out_refund")],
        ["invoice_origin", "state", "amount_total", "reversed_entry_id"],
    )
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(row["invoice_origin"], []).append(row)
    return by_key


def reversals(sb: Sandbox, key: str) -> list[dict[str, Any]]:
    """The credit notes under a cancellation's or a reissue's key."""
    return odoo_read(
        sb,
        "account.move",
        [("invoice_origin", "=", key), (move_type_field(sb), "=", "out_refund")],
        ["invoice_origin", "state", "amount_total", "amount_tax", "reversed_entry_id"],
    )


def credit_note_problems(sb: Sandbox, ok_orders: Mapping[int, Order]) -> list[str]:
    """Each refund of an invoiced order: exactly one posted credit note of its amount,
    reversing the order's invoice; no credit note for anything else."""
    notes = credit_notes(sb)
    moves = invoices_by_order(sb)
    problems: list[str] = []
    expected: set[str] = set()
    with sb.store.lock:
        refunds = {i: list(sb.store.refunds_of(i)) for i in ok_orders}
    for order_id, order_refunds in sorted(refunds.items()):
        invoice = moves.get(order_id, [{}])[0].get("id")
        for refund in order_refunds:
            key = f"{sb.tenant}/refund/{refund.id}"
            expected.add(key)
            found = notes.get(key, [])
            if len(found) != 1:
                problems.append(
                    f"refund {refund.id} of order {order_id}: {len(found)} credit notes"
                )
                continue
            note = found[0]
            reversed_id = note["reversed_entry_id"][0] if note["reversed_entry_id"] else None
            if note["state"] != "posted" or abs(dec(note["amount_total"]) - refund.amount) >= CENT:
                problems.append(
                    f"refund {refund.id}: credit note {note['state']} {note['amount_total']},"
                    f" the shop says {refund.amount}"
                )
            elif reversed_id != invoice:
                problems.append(f"refund {refund.id}: reverses {reversed_id}, not {invoice}")
    problems += [f"{key}: a credit note for no refund" for key in sorted(set(notes) - expected)]
    return problems


# ---------------------------------------------------------------- the Odoo side


def odoo_read(
    sb: Sandbox, model: str, domain: list[Any], fields: list[str], *, archived: bool = False
) -> list[dict[str, Any]]:
    """Read straight from the look-alike's database, under its lock (no HTTP, not counted)."""
    app = sb.odoo_app
    with app.transaction():
        env = app.env(model, {"active_test": False} if archived else None)
        return list(env.search_read(domain, fields))


def move_type_field(sb: Sandbox) -> str:
    return "type" if sb.odoo_app.version == 13 else "move_type"


def invoices(sb: Sandbox) -> list[dict[str, Any]]:
    """Every customer invoice wooodoo could have made (origin under the tenant's key)."""
    mtype = move_type_field(sb)
    rows = odoo_read(
        sb,
        "account.move",
        [("invoice_origin", "=like", f"{sb.tenant}/order/%")],
        [
            "invoice_origin",
            "state",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "partner_id",
            "ref",
            mtype,
        ],
    )
    for row in rows:
        row["move_type"] = row.pop(mtype)
    return rows


def invoices_by_order(sb: Sandbox) -> dict[int, list[dict[str, Any]]]:
    prefix = f"{sb.tenant}/order/"
    by_order: dict[int, list[dict[str, Any]]] = {}
    for row in invoices(sb):
        if row["move_type"] == "out_invoice":
            # a reissued order's later invoices: <tenant>/order/<id>/<n>
            order_id = row["invoice_origin"][len(prefix) :].split("/")[0]
            by_order.setdefault(int(order_id), []).append(row)
    return by_order


def partners(sb: Sandbox) -> list[dict[str, Any]]:
    return odoo_read(sb, "res.partner", [], ["email", "ref", "name"], archived=True)


def duplicate_partners(sb: Sandbox) -> dict[str, int]:
    """Lower-cased emails and refs held by more than one partner."""
    rows = partners(sb)
    emails = Counter(str(r["email"]).strip().lower() for r in rows if r.get("email"))
    refs = Counter(str(r["ref"]) for r in rows if r.get("ref"))
    dupes = {f"email {k}": n for k, n in emails.items() if n > 1}
    dupes.update({f"ref {k}": n for k, n in refs.items() if n > 1})
    return dupes


def amounts_of(row: Mapping[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    return dec(row["amount_untaxed"]), dec(row["amount_tax"]), dec(row["amount_total"])


def order_amounts(order: Order) -> tuple[Decimal, Decimal, Decimal]:
    return order.total - order.total_tax, order.total_tax, order.total


def same_to_the_cent(a: Sequence[Decimal], b: Sequence[Decimal]) -> bool:
    return all(abs(x - y) < CENT for x, y in zip(a, b, strict=True))


def invoice_problems(
    sb: Sandbox, box: Box, *, allow_flagged: bool = False
) -> tuple[list[str], dict[int, Order]]:
    """Every way the books disagree with the shop, as readable lines (empty: all is well).

    An eligible order needs exactly one posted invoice with the order's amounts. With
    ``allow_flagged`` an order may instead have one draft invoice that the audit flags as a
    mismatch with a reason. Orders outside the invoiced statuses or in an inactive currency
    must have no invoice. Returns the problems and the eligible orders.
    """
    orders = shop_orders(sb)
    ok_orders = eligible(orders, active_currencies(sb))
    moves = invoices_by_order(sb)
    links = box.order_links()
    problems: list[str] = []
    for order_id, order in sorted(ok_orders.items()):
        found = moves.get(order_id, [])
        if len(found) != 1:
            problems.append(f"order {order_id} ({order.status}): {len(found)} invoices")
            continue
        move = found[0]
        want, got = order_amounts(order), amounts_of(move)
        link = links.get(box.key(order_id))
        if move["state"] == "posted" and same_to_the_cent(want, got):
            continue
        flagged = (
            allow_flagged
            and move["state"] == "draft"
            and link is not None
            and link.state == "mismatch"
            and any(e.action == "mismatch" and e.error for e in box.events(box.key(order_id)))
        )
        if not flagged:
            problems.append(
                f"order {order_id}: invoice {move['state']} {got} but the shop says {want}"
                f" (link {link.state if link else None})"
            )
    for order_id, found in sorted(moves.items()):
        if order_id not in ok_orders:
            status = orders[order_id].status if order_id in orders else "deleted"
            problems.append(f"order {order_id} ({status}) has {len(found)} invoice(s)")
    return problems, ok_orders


def http_requests(sb: Sandbox) -> int:
    """HTTP requests both look-alikes received (the Odoo counter also counts calls)."""
    odoo = sum(n for k, n in sb.odoo_counter.snapshot().items() if not k.startswith("odoo "))
    return sb.woo_counter.total() + odoo
