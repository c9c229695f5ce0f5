"""Odoo reference data a tenant's mapping needs, resolved once per run (no I/O here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

TaxRounding = Literal["round_per_line", "round_globally"]


@dataclass(frozen=True)
class Currency:
    id: int
    code: str
    decimals: int
    active: bool

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OdooTax:
    id: int
    name: str
    amount: Decimal  # percent
    price_include: bool
    group_id: int | None = None


@dataclass(frozen=True)
class Reference:
    """Odoo reference data resolved once per run, plus the tenant's mapping choices."""

    tenant: str
    currencies: Mapping[str, Currency]
    taxes: Mapping[str, OdooTax]  # WooCommerce rate id (as text) or rate code -> Odoo tax
    accounts: Mapping[str, int]  # role (products, shipping, fees, refunds) -> account id
    countries: Mapping[str, int]  # ISO code -> res.country id
    states: Mapping[tuple[str, str], int]  # (country code, state code) -> res.country.state id
    products_by_sku: Mapping[str, int] = field(default_factory=dict)
    journal_id: int | None = None
    move_type_field: str = "move_type"
    price_unit_rounded: bool = True  # Odoo 18 and below round price_unit to 2 decimals
    price_decimals: int = 2  # "Product Price" decimal precision
    tax_rounding: TaxRounding = "round_per_line"
    use_products: bool = False
    # price-excluded tax id -> its price-included twin (same rate and group), used for the
    # items of orders entered with tax so that Odoo splits each gross exactly as the shop did
    included: Mapping[int, OdooTax] = field(default_factory=dict)
    # every sale tax of Odoo (percent), for the mapping to choose price-included twins from
    sale_taxes: tuple[OdooTax, ...] = ()


def included_twins(mapped: Iterable[OdooTax], sale_taxes: Iterable[OdooTax]) -> dict[int, OdooTax]:
    """Each mapped tax's price-included twin: same rate, same tax group, price included.

    Used for the items of orders entered with tax, so that Odoo splits each gross exactly as
    the shop did. Where two twins would fit, none is chosen: the exact nets are kept instead.
    """
    candidates = [t for t in sale_taxes if t.price_include]
    twins: dict[int, OdooTax] = {}
    for tax in mapped:
        found = [t for t in candidates if t.amount == tax.amount and t.group_id == tax.group_id]
        if len(found) == 1:
            twins[tax.id] = found[0]
    return twins


def with_included_twins(ref: Reference) -> Reference:
    """``ref`` with the price-included twins of its mapped taxes chosen."""
    return replace(ref, included=included_twins(ref.taxes.values(), ref.sale_taxes))
