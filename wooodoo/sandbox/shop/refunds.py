"""Refunds as WooCommerce makes them: lines given back at their paid price, checked, taxed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from wooodoo.sandbox.shop.model import ZERO, LineItem, Meta, Order, Refund, ShippingLine
from wooodoo.sandbox.shop.orders import Ids, OrderError
from wooodoo.sandbox.shop.totals import decimals_for, round_money, set_line_taxes, update_taxes

REFUND_ERROR = "woocommerce_rest_cannot_create_order_refund"


def refunded_total(refunds: Iterable[Refund]) -> Decimal:
    return sum((r.amount for r in refunds), ZERO)


def _paid_shares(
    order: Order, lines: Mapping[int, int], dp: int
) -> Iterator[tuple[LineItem, int, Decimal, dict[int, Decimal]]]:
    """Each refunded line with its quantity, and what that share of it cost: total and taxes."""
    by_id = {li.id: li for li in order.line_items}
    for item_id, qty in lines.items():
        li = by_id.get(item_id)
        if li is None or qty < 1 or qty > li.quantity:
            raise OrderError(REFUND_ERROR, "Invalid refund line.", 500)
        share = Decimal(qty) / Decimal(li.quantity)
        taxes = {r: round_money(t * share, dp) for r, t in li.taxes.items()}
        yield li, qty, round_money(li.total * share, dp), taxes


def refund_amount(order: Order, lines: Mapping[int, int], refund_shipping: bool) -> Decimal:
    """What refunding these lines (and the shipping) gives back, before anything is created."""
    dp = decimals_for(order.currency)
    amount = ZERO
    for _, _, total, taxes in _paid_shares(order, lines, dp):
        amount += total
        amount += sum(taxes.values(), ZERO)
    if refund_shipping:
        for ship in order.shipping_lines:
            amount += ship.total + sum((round_money(t, dp) for t in ship.taxes.values()), ZERO)
    return amount


def check_refund(order: Order, amount: Decimal, already: Decimal) -> None:
    """``wc_create_refund`` refuses a negative amount and more than is left to refund."""
    if amount < 0 or amount > order.total - already:
        raise OrderError(REFUND_ERROR, "Invalid refund amount.", 500)


def _refunded_item(ids: Ids, item_id: int) -> Meta:
    return Meta(
        ids.meta_ids.take(), "_refunded_item_id", str(item_id), "_refunded_item_id", str(item_id)
    )


def refund_lines(
    ids: Ids, order: Order, lines: Mapping[int, int], refund_shipping: bool
) -> tuple[list[LineItem], list[ShippingLine]]:
    """Refund items for ``lines`` (item id -> quantity) and, when asked, the shipping."""
    dp = decimals_for(order.currency)
    items: list[LineItem] = []
    for li, qty, total, taxes in _paid_shares(order, lines, dp):
        meta = [
            Meta(ids.meta_ids.take(), m.key, m.value, m.display_key, m.display_value)
            for m in li.meta
            if not m.key.startswith("_")
        ]
        meta.append(_refunded_item(ids, li.id))
        item = LineItem(
            id=ids.item_ids.take(),
            name=li.name,
            product_id=li.product_id,
            variation_id=li.variation_id,
            quantity=-qty,
            tax_class=li.tax_class,
            taxable=li.taxable,
            subtotal=-total,
            total=-total,
            sku=li.sku,
            parent_name=li.parent_name,
            meta=meta,
        )
        negative = {r: -t for r, t in taxes.items()}
        set_line_taxes(item, negative, dict(negative), dp)
        items.append(item)
    return items, _refund_shipping(ids, order, dp) if refund_shipping else []


def _refund_shipping(ids: Ids, order: Order, dp: int) -> list[ShippingLine]:
    shipping: list[ShippingLine] = []
    for ship in order.shipping_lines:
        if not ship.total:
            continue
        taxes = {r: -round_money(t, dp) for r, t in ship.taxes.items()}
        line = ShippingLine(ids.item_ids.take(), ship.method_title, ship.method_id, -ship.total)
        line.taxes = taxes
        line.total_tax = sum(taxes.values(), ZERO)
        line.meta = [_refunded_item(ids, ship.id)]
        shipping.append(line)
    return shipping


def attach_refund(ids: Ids, order: Order, refund: Refund, already: Decimal) -> bool:
    """Give ``refund`` its tax lines and attach it; True when nothing is left to refund.

    The amount was checked with :func:`check_refund` before any of its lines were made.
    """
    update_taxes(refund, ids.item_ids.take, decimals_for(order.currency))
    order.refund_ids.insert(0, refund.id)
    return already + refund.amount >= order.total
