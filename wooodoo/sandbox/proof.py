"""The shop's net sales after refunds against the books' net, per currency and tax rate.

Read straight from both look-alikes (in-process, not counted): the shop's orders and refunds
as its REST API renders them, and Odoo's posted moves under the tenant's keys with their tax
journal items. Invoices count plus, credit notes minus, on both sides:

- shop: every order in an invoiced status (``processing``, ``completed``, or ``refunded`` after
  it was paid) made since ``since``, its total and its tax lines per rate, minus each refund's
  amount and tax lines; an amount-only refund's tax is split across the order's rates by the
  order's gross per rate, rounded per rate half up to the currency's unit, as the README
  documents for ``sync.refund_tax: split`` (``untaxed``: no tax);
- books: each posted ``out_invoice`` and ``out_refund`` whose ``invoice_origin`` starts with
  ``<tenant>/``, its ``amount_total`` and its tax items per tax (a tax with the price
  included counts with its rate's plain twin).

Orders the sync refuses on purpose (a currency inactive in Odoo) are left out of the shop's
side and named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wooodoo.sandbox.catalog import TAX_RATES
from wooodoo.sandbox.shop.totals import decimals_for
from wooodoo.sandbox.woo.render import render_order, render_refund
from wooodoo.woo.models import Order, Refund, parse_order, parse_refund

ZERO = Decimal(0)
HUNDRED = Decimal(100)
UNTAXED = "untaxed"
RATE_NAMES: dict[int, str] = {rate.id: rate.odoo_tax for rate in TAX_RATES}
ODOO_TAXES: dict[str, str] = {
    **{rate.odoo_tax: rate.odoo_tax for rate in TAX_RATES},
    **{rate.odoo_tax_included: rate.odoo_tax for rate in TAX_RATES},
}


@dataclass
class Nets:
    """Totals per currency and tax per (currency, tax), both signed: invoices minus credits."""

    totals: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    taxes: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    documents: int = 0  # invoices and credit notes (shop: orders and refunds) counted

    def add(self, currency: str, sign: int, total: Decimal, taxes: Mapping[str, Decimal]) -> None:
        self.documents += 1
        self.totals[currency] += sign * total
        for name, amount in taxes.items():
            self.taxes[(currency, name)] += sign * amount


@dataclass
class ShopSide:
    nets: Nets
    excluded: dict[int, str]  # order id -> why the sync refuses it
    orders: int
    refunds: int


def shop_side(
    sb: Any, *, since: str, active: Iterable[str], untaxed_refunds: bool = False
) -> ShopSide:
    """The shop's net sales after refunds; ``sb`` is a running ``Sandbox``."""
    active = set(active)
    nets, excluded = Nets(), {}
    orders = refunds = 0
    with sb.store.lock:
        pairs = [
            (
                parse_order(render_order(o, sb.store.refunds_of(o.id), sb.woo_url)),
                [
                    parse_refund(render_refund(r, sb.woo_url, decimals_for(o.currency)))
                    for r in sb.store.refunds_of(o.id)
                ],
            )
            for o in sb.store.orders.values()
        ]
    for order, order_refunds in pairs:
        if not _invoiced(order) or order.local_date_created.isoformat() < since:
            continue
        if order.currency not in active:
            excluded[order.id] = f"currency {order.currency} is inactive in Odoo"
            continue
        orders += 1
        nets.add(order.currency, 1, order.total, _order_taxes(order))
        for refund in order_refunds:
            refunds += 1
            taxes = _refund_taxes(order, refund, untaxed_refunds)
            nets.add(order.currency, -1, refund.amount, taxes)
    return ShopSide(nets, excluded, orders, refunds)


def _invoiced(order: Order) -> bool:
    paid_refunded = order.status == "refunded" and order.date_paid is not None
    return order.status in ("processing", "completed") or paid_refunded


def _order_taxes(order: Order) -> dict[str, Decimal]:
    taxes: dict[str, Decimal] = defaultdict(Decimal)
    for line in order.tax_lines:
        taxes[RATE_NAMES[line.rate_id]] += line.tax_total + line.shipping_tax_total
    return taxes


def _refund_taxes(order: Order, refund: Refund, untaxed: bool) -> dict[str, Decimal]:
    taxes: dict[str, Decimal] = defaultdict(Decimal)
    if refund.itemized:
        for line in refund.tax_lines:  # negative in the shop
            taxes[RATE_NAMES[line.rate_id]] -= line.tax_total + line.shipping_tax_total
        return taxes
    if untaxed or not order.total:
        return taxes
    unit = Decimal(1).scaleb(-decimals_for(order.currency))
    for line in order.tax_lines:
        tax, rate = line.tax_total + line.shipping_tax_total, line.rate_percent
        if tax and rate:
            gross = tax * (HUNDRED + rate) / rate
            share = refund.amount * gross / order.total
            amount = (share * rate / (HUNDRED + rate)).quantize(unit, ROUND_HALF_UP)
            taxes[RATE_NAMES[line.rate_id]] += amount
    return taxes


def books_side(sb: Any, tenant: str) -> Nets:
    """The books' net: wooodoo's posted invoices minus its posted credit notes."""
    app = sb.odoo_app
    mtype = "type" if app.version == 13 else "move_type"
    nets = Nets()
    with app.transaction():
        moves = app.env("account.move").search_read(
            [("invoice_origin", "=like", f"{tenant}/%"), ("state", "=", "posted")],
            ["currency_id", "amount_total", mtype],
        )
        items = app.env("account.move.line").search_read(
            [("move_id", "in", [m["id"] for m in moves]), ("tax_line_id", "!=", False)],
            ["move_id", "tax_line_id", "balance"],
        )
    taxes: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in items:
        name = ODOO_TAXES.get(item["tax_line_id"][1], item["tax_line_id"][1])
        # an invoice's tax is a credit, a credit note's a debit
        taxes[item["move_id"][0]][name] += _dec(item["balance"])
    for move in moves:
        kind = move[mtype]
        if kind not in ("out_invoice", "out_refund"):
            continue
        sign = 1 if kind == "out_invoice" else -1
        own = {name: -sign * balance for name, balance in taxes[move["id"]].items()}
        nets.add(move["currency_id"][1], sign, _dec(move["amount_total"]), own)
    return nets


def _dec(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value or 0))


def differences(shop: Nets, books: Nets, cent: Decimal = Decimal("0.005")) -> list[str]:
    """Every currency total and (currency, tax) amount on which the two differ by a cent."""
    found: list[str] = []
    for currency in sorted(set(shop.totals) | set(books.totals)):
        a, b = shop.totals.get(currency, ZERO), books.totals.get(currency, ZERO)
        if abs(a - b) >= cent:
            found.append(f"{currency} total: shop {a}, books {b}")
    for key in sorted(set(shop.taxes) | set(books.taxes)):
        a, b = shop.taxes.get(key, ZERO), books.taxes.get(key, ZERO)
        if abs(a - b) >= cent:
            found.append(f"{key[0]} tax {key[1]}: shop {a}, books {b}")
    return found
