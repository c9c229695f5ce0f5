"""Pure mapping: WooCommerce orders and customers → Odoo values, money in Decimal (no I/O).

``reference`` (the Odoo data a tenant maps onto, and which price-included twin to use),
``keys`` (idempotency keys), ``partners`` (partner values), ``lines`` (invoice lines that keep
every cent) and ``invoice`` (one order as an invoice plan, Odoo's tax predicted).
"""

from wooodoo.sync.mapping.credit_note import map_refund
from wooodoo.sync.mapping.invoice import (
    InvoicePlan,
    Totals,
    map_order,
    map_orders,
    predict_odoo_taxes,
)
from wooodoo.sync.mapping.keys import (
    cancel_key,
    customer_key,
    guest_key,
    order_key,
    partner_key_for_order,
    refund_key,
    reissue_key,
    reversal_key,
)
from wooodoo.sync.mapping.lines import PlannedLine, apportion
from wooodoo.sync.mapping.partners import (
    customer_partner_values,
    guest_partner_values,
    partner_values,
)
from wooodoo.sync.mapping.reference import (
    Currency,
    OdooTax,
    Reference,
    TaxRounding,
    included_twins,
    with_included_twins,
)
from wooodoo.sync.mapping.reversal import InvoiceCopy, reversal_plan

__all__ = [
    "Currency",
    "InvoiceCopy",
    "InvoicePlan",
    "OdooTax",
    "PlannedLine",
    "Reference",
    "TaxRounding",
    "Totals",
    "apportion",
    "cancel_key",
    "customer_key",
    "customer_partner_values",
    "guest_key",
    "guest_partner_values",
    "included_twins",
    "map_order",
    "map_orders",
    "map_refund",
    "order_key",
    "partner_key_for_order",
    "partner_values",
    "predict_odoo_taxes",
    "refund_key",
    "reissue_key",
    "reversal_key",
    "reversal_plan",
    "with_included_twins",
]
