"""Idempotency keys: what every Odoo record wooodoo makes carries (see docs/architecture.md)."""

from __future__ import annotations

from wooodoo.woo.models import Order


def order_key(tenant: str, order_id: int) -> str:
    return f"{tenant}/order/{order_id}"


def refund_key(tenant: str, refund_id: int) -> str:
    return f"{tenant}/refund/{refund_id}"


def cancel_key(tenant: str, order_id: int) -> str:
    """The credit note reversing an order's invoice when the order is cancelled."""
    return f"{tenant}/cancel/{order_id}"


def reissue_key(tenant: str, order_id: int, generation: int) -> str:
    """The ``generation``-th invoice of an order amended after invoicing (the first is the
    order's own key)."""
    return (
        order_key(tenant, order_id) if generation < 2 else f"{tenant}/order/{order_id}/{generation}"
    )


def reversal_key(tenant: str, order_id: int, generation: int) -> str:
    """The credit note reversing the invoice that invoice ``generation`` replaces."""
    return f"{tenant}/amend/{order_id}/{generation}"


def customer_key(tenant: str, customer_id: int) -> str:
    return f"{tenant}/customer/{customer_id}"


def guest_key(tenant: str, email: str) -> str:
    return f"{tenant}/guest/{email.strip().lower()}"


def partner_key_for_order(tenant: str, order: Order) -> str:
    if order.customer_id:
        return customer_key(tenant, order.customer_id)
    return guest_key(tenant, guest_email(order))


def guest_email(order: Order) -> str:
    """The billing e-mail, or a stand-in that keeps an e-mail-less guest's key unique."""
    return order.billing.email or f"order-{order.id}@guest.invalid"
