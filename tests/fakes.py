"""Working fakes of the engine's two sides: a WooSource and an OdooTarget in memory."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wooodoo.errors import OdooRecordError, TransientError
from wooodoo.sync.mapping import Currency, InvoiceCopy, OdooTax, Reference
from wooodoo.sync.ports import MoveState, ReferenceSpec
from wooodoo.woo.models import Customer, Order, Refund
from wooodoo.woo.refunds import IDS_PER_REQUEST, OrderRefunds

CENT = Decimal("0.01")
TAXES = {
    "1": OdooTax(11, "19% DE", Decimal(19), False),
    "2": OdooTax(12, "7% DE", Decimal(7), False),
}


@dataclass
class Page:
    orders: list[Order]
    rejected: list[Any]
    cursor: datetime


class FakeWoo:
    def __init__(self, orders: Sequence[Order], per_page: int = 3) -> None:
        self.orders = {o.id: o for o in orders}
        self.per_page = per_page
        self.customers: list[Customer] = []
        self.refunds: dict[int, list[Refund]] = {}
        self.calls = 0
        self.bulk = True  # a store with ``/refunds`` (WooCommerce 9.0+)
        self.refund_errors: dict[int, str] = {}  # order id -> why its refunds cannot be read

    def store_clock(self) -> tuple[datetime, datetime] | None:
        return None  # no Date header: no clock to compare

    def iter_order_pages(
        self, *, modified_after: datetime, statuses: Sequence[str] | None = None
    ) -> Iterator[Page]:
        anchor = modified_after
        seen: set[int] = set()
        for _ in range(1000):  # loop guard
            self.calls += 1
            rows = sorted(
                (o for o in self.orders.values() if o.date_modified >= anchor and o.id not in seen),
                key=lambda o: (o.date_modified, o.id),
            )[: self.per_page]
            if not rows:
                return
            seen.update(o.id for o in rows)
            anchor = rows[-1].date_modified
            yield Page(rows, [], anchor)

    def get_orders(self, ids: Sequence[int]) -> list[Order]:
        self.calls += 1
        return [self.orders[i] for i in ids if i in self.orders]

    def refunds_of(self, order_id: int) -> list[Refund]:
        self.calls += 1
        return list(self.refunds.get(order_id, []))

    def refunds_of_orders(self, orders: Mapping[int, Sequence[int]]) -> OrderRefunds:
        """As the client: one call per 100 refunds (bulk), else one per order."""
        wanted = {o: set(ids) for o, ids in orders.items() if ids}
        count = sum(len(ids) for ids in wanted.values())
        self.calls += -(-count // IDS_PER_REQUEST) if self.bulk else len(wanted)
        out = OrderRefunds()
        for order_id, ids in wanted.items():
            if order_id in self.refund_errors:
                out.fail([order_id], self.refund_errors[order_id])
                continue
            out.found[order_id] = [r for r in self.refunds.get(order_id, []) if r.id in ids]
        return out

    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[list[Customer]]:
        self.calls += 1
        yield [c for c in self.customers if ids is None or c.id in ids]


@dataclass
class FakeMove:
    id: int
    values: dict[str, Any]
    state: str = "draft"
    name: str | None = None
    tax_override: dict[int, Decimal] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


class FakeOdoo:
    """Computes amounts like Odoo: price_unit rounded on 18-, per-line or global tax rounding."""

    def __init__(self, *, rounding: str = "round_per_line", price_rounded: bool = True) -> None:
        self.rounding = rounding
        self.price_rounded = price_rounded
        self.partners: dict[int, dict[str, Any]] = {}
        self.moves: dict[int, FakeMove] = {}
        self.next_id = 100
        self.calls: list[str] = []
        self.reject_origins: set[str] = set()
        self.reject_posting: set[str] = set()
        self.break_after_create = 0  # raise TransientError after committing this many creates
        self.taxes = {t.id: t for t in TAXES.values()}
        self.products: dict[str, int] = {}
        self.create_time_totals = False  # Odoo 16+ takes tax_totals in create

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def load_reference(self, spec: ReferenceSpec) -> Reference:
        self.calls.append("reference")
        return Reference(
            tenant=spec.tenant,
            currencies={"EUR": Currency(1, "EUR", 2, True), "USD": Currency(2, "USD", 2, True)},
            taxes={k: TAXES[k] for k in spec.taxes if k in TAXES},
            accounts={"products": 1, "shipping": 2, "fees": 3, "refunds": 4},
            countries={"DE": 1, "BE": 2, "US": 3, "AT": 4},
            states={},
            price_unit_rounded=self.price_rounded,
            tax_rounding=self.rounding,  # type: ignore[arg-type]
            use_products=spec.use_products,
        )

    def find_partners(self, keys: Sequence[str], emails: Sequence[str]) -> list[dict[str, Any]]:
        self.calls.append("find_partners")
        low = {e.lower() for e in emails}
        return [
            {"id": pid, **p}
            for pid, p in sorted(self.partners.items())
            if p.get("ref") in keys or str(p.get("email") or "").lower() in low
        ]

    def create_partners(self, values: Sequence[dict[str, Any]]) -> list[int]:
        self.calls.append("create_partners")
        ids = []
        for v in values:
            pid = self._id()
            self.partners[pid] = copy.deepcopy(v)
            ids.append(pid)
        return ids

    def read_partners(self, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        self.calls.append("read_partners")
        return [
            {"id": i, **{f: self.partners[i].get(f, False) for f in fields}}
            for i in ids
            if i in self.partners
        ]

    def update_partner(self, partner_id: int, values: dict[str, Any]) -> None:
        self.calls.append("update_partner")
        self.partners[partner_id].update(values)

    def find_invoices(self, keys: Sequence[str]) -> list[MoveState]:
        self.calls.append("find_invoices")
        return self._of_type(keys, "out_invoice")

    def find_credit_notes(self, keys: Sequence[str]) -> list[MoveState]:
        self.calls.append("find_credit_notes")
        return self._of_type(keys, "out_refund")

    def _of_type(self, keys: Sequence[str], move_type: str) -> list[MoveState]:
        return [
            self._state(m)
            for _, m in sorted(self.moves.items())
            if m.values["invoice_origin"] in keys
            and m.values.get("move_type", "out_invoice") == move_type
            and m.state != "cancel"
        ]

    def recent_invoices(self, prefix: str, since: datetime) -> list[MoveState]:
        self.calls.append("recent_invoices")
        return [
            self._state(m)
            for _, m in sorted(self.moves.items())
            if m.values["invoice_origin"].startswith(prefix) and m.created >= since
        ]

    def remove_invoices(self, ids: Sequence[int]) -> None:
        self.calls.append("remove_invoices")
        if any(self.moves[i].state == "posted" for i in ids):
            raise OdooRecordError("You cannot delete an entry which has been posted once.")
        for i in ids:
            del self.moves[i]

    def recent_partners(self, prefix: str, since: datetime) -> list[dict[str, Any]]:
        self.calls.append("recent_partners")
        return [
            {"id": pid, **p}
            for pid, p in sorted(self.partners.items())
            if str(p.get("ref") or "").startswith(prefix)
        ]

    def remove_partners(self, ids: Sequence[int]) -> None:
        self.calls.append("remove_partners")
        for i in ids:
            del self.partners[i]

    def create_invoices(self, values: Sequence[dict[str, Any]]) -> list[int]:
        self.calls.append("create_invoices")
        if any(v["invoice_origin"] in self.reject_origins for v in values):
            raise OdooRecordError("Invalid value for the invoice")
        ids = []
        for v in values:
            mid = self._id()
            v = copy.deepcopy(v)
            override = v.pop("tax_totals", None)
            self.moves[mid] = FakeMove(mid, v, tax_override=override or {})
            ids.append(mid)
        if self.break_after_create:
            self.break_after_create -= 1
            raise TransientError("connection dropped after the commit")
        return ids

    def read_invoices(self, ids: Sequence[int]) -> dict[int, MoveState]:
        self.calls.append("read_invoices")
        return {i: self._state(self.moves[i]) for i in ids}

    def post_invoices(self, ids: Sequence[int]) -> None:
        self.calls.append("post_invoices")
        if any(self.moves[i].values["invoice_origin"] in self.reject_posting for i in ids):
            raise OdooRecordError("posting refused")
        for i in ids:
            move = self.moves[i]
            if move.state == "posted":
                raise OdooRecordError("already posted")
            move.state = "posted"
            move.name = f"INV/2026/{i:05d}"

    def cancel_invoices(self, ids: Sequence[int]) -> str | None:
        """Like Odoo over XML-RPC: the work is done, then the None answer cannot be sent."""
        self.calls.append("cancel_invoices")
        for i in ids:
            if self.moves[i].state != "draft":
                return "Only draft journal entries can be cancelled."
        for i in ids:
            self.moves[i].state = "cancel"
        return "cannot marshal None unless allow_none is enabled"

    def invoice_copies(self, ids: Sequence[int]) -> dict[int, InvoiceCopy]:
        self.calls.append("invoice_copies")
        copies = {}
        for i in ids:
            move, state = self.moves[i], self._state(self.moves[i])
            copies[i] = InvoiceCopy(
                i,
                int(move.values["partner_id"]),
                move.values.get("currency_id") or None,
                [copy.deepcopy(vals) for _, _, vals in move.values["invoice_line_ids"]],
                self._per_tax(move),
                state.untaxed,
                state.tax,
                state.total,
            )
        return copies

    def adjust_taxes(self, adjustments: Mapping[int, Mapping[int, Decimal]]) -> dict[int, str]:
        self.calls.append("adjust_taxes")
        refused = {}
        for move_id, tax_by_tax in adjustments.items():
            move = self.moves[move_id]
            if move.state != "draft":
                refused[move_id] = "posted"
            else:
                move.tax_override = dict(tax_by_tax)
        return refused

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None:
        self.calls.append("tax_totals_at_create")
        return dict(tax_by_tax) if self.create_time_totals else None

    def products_by_sku(self, skus: Sequence[str]) -> dict[str, int]:
        self.calls.append("products_by_sku")
        return {sku: self.products[sku] for sku in skus if sku in self.products}

    # what changed in Odoo: the fake records no write dates, so nothing changed
    def changed_moves(
        self, prefix: str, since: str, after_id: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        return []

    def count_moves(self, prefix: str, created_before: str | None = None) -> int:
        return 0

    def changed_partners(
        self, since: str, after_id: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        return []

    def existing(self, model: str, ids: Sequence[int]) -> list[int]:
        return list(ids)

    def _untaxed_and_raw_tax(self, move: FakeMove) -> tuple[Decimal, dict[int, Decimal]]:
        untaxed = Decimal(0)
        raw: dict[int, Decimal] = {}
        for _, _, line in move.values["invoice_line_ids"]:
            price = Decimal(repr(line["price_unit"]))
            if self.price_rounded:
                price = price.quantize(CENT, ROUND_HALF_UP)
            discount = Decimal(repr(line.get("discount", 0.0)))
            qty = Decimal(repr(line["quantity"]))
            sub = (price * qty * (1 - discount / 100)).quantize(CENT, ROUND_HALF_UP)
            untaxed += sub
            for tax_id in line["tax_ids"][0][2]:
                amount = sub * self.taxes[tax_id].amount / 100
                if self.rounding == "round_per_line":
                    amount = amount.quantize(CENT, ROUND_HALF_UP)
                raw[tax_id] = raw.get(tax_id, Decimal(0)) + amount
        return untaxed, raw

    def _per_tax(self, move: FakeMove) -> dict[int, Decimal]:
        _, raw = self._untaxed_and_raw_tax(move)
        per_tax = {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in raw.items()}
        per_tax.update(move.tax_override)
        return per_tax

    def _state(self, move: FakeMove) -> MoveState:
        untaxed, _ = self._untaxed_and_raw_tax(move)
        tax = sum(self._per_tax(move).values(), Decimal(0))
        return MoveState(
            move.id,
            move.values["invoice_origin"],
            move.name,
            move.state,
            untaxed,
            tax,
            untaxed + tax,
        )
