"""Pure proposals for a tenant's config from what both sides hold: the tax mapping (same rate,
same country), the sales journal and the income accounts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from wooodoo.odoo.choices import AccountChoice, JournalChoice, TaxChoice
from wooodoo.woo.settings import StoreTaxRate

ROLES = ("products", "shipping", "fees", "refunds")
_ROLE_WORDS = {"shipping": ("ship", "freight", "deliver", "versand"), "fees": ("fee", "gebühr")}


def usable_taxes(taxes: Sequence[TaxChoice]) -> list[TaxChoice]:
    """Taxes a mapping may name: active, price excluded, and the only active one of its name."""
    active = [t for t in taxes if t.active]
    count = Counter(t.name for t in active)
    return [t for t in active if not t.price_include and count[t.name] == 1]


def propose_tax(rate: StoreTaxRate, taxes: Sequence[TaxChoice]) -> TaxChoice | None:
    """The one Odoo sale tax of the same rate and country, or None when none or several fit.

    Versions before 15 do not say a tax's country; the country code as a word of the tax's
    name ("19% DE") decides between taxes of the same rate then.
    """
    same_rate = [t for t in usable_taxes(taxes) if t.amount == rate.rate]
    if rate.country:
        known = [t for t in same_rate if t.country is not None]
        if known:
            same_rate = [t for t in known if t.country == rate.country]
        elif len(same_rate) > 1:
            word = re.compile(rf"\b{re.escape(rate.country)}\b", re.IGNORECASE)
            same_rate = [t for t in same_rate if word.search(t.name)]
    return same_rate[0] if len(same_rate) == 1 else None


def propose_taxes(
    rates: Sequence[StoreTaxRate], taxes: Sequence[TaxChoice]
) -> tuple[dict[str, str], list[StoreTaxRate]]:
    """The mapping (rate id → Odoo tax name) of every rate one tax fits, and the other rates."""
    mapping: dict[str, str] = {}
    left: list[StoreTaxRate] = []
    for rate in rates:
        tax = propose_tax(rate, taxes)
        if tax is None:
            left.append(rate)
        else:
            mapping[str(rate.id)] = tax.name
    return mapping, left


def unmapped_rates(rates: Sequence[StoreTaxRate], mapping: Mapping[str, str]) -> list[StoreTaxRate]:
    """The store's rates that ``sync.taxes`` names neither by id nor by rate code."""
    return [r for r in rates if str(r.id) not in mapping and r.code not in mapping]


def stale_keys(rates: Sequence[StoreTaxRate], mapping: Mapping[str, str]) -> list[str]:
    """``sync.taxes`` keys that are no rate of the store (a deleted rate, a typo)."""
    known = {str(r.id) for r in rates} | {r.code for r in rates}
    return [key for key in mapping if key not in known]


def propose_journal(journals: Sequence[JournalChoice]) -> JournalChoice | None:
    """The active sales journal: the one, or the one coded INV among several."""
    sales = [j for j in journals if j.active and j.type == "sale"]
    if len(sales) > 1:
        sales = [j for j in sales if j.code == "INV"] or sales[:1]
    return sales[0] if sales else None


def propose_accounts(accounts: Sequence[AccountChoice]) -> dict[str, str]:
    """Income account codes per role; shipping and fees get their own only when named so."""
    income = sorted((a for a in accounts if a.active and a.income), key=lambda a: a.code)
    if not income:
        return {}
    products = income[0]
    proposal = dict.fromkeys(ROLES, products.code)
    for role, words in _ROLE_WORDS.items():
        named = [a for a in income if any(w in a.name.lower() for w in words)]
        if named:
            proposal[role] = named[0].code
    refunds = [a for a in income if "refund" in a.name.lower() or "return" in a.name.lower()]
    if refunds:
        proposal["refunds"] = refunds[0].code
    products_named = [a for a in income if "product" in a.name.lower() or "sales" in a.name.lower()]
    if products_named:
        proposal["products"] = products_named[0].code
    return proposal
