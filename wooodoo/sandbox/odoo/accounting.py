"""Invoice amounts computed the way Odoo does: line taxes, rounding per line or globally.

Pure functions on Decimal. Mirrors ``account.tax.compute_all`` (Odoo 13-17) and
``_add_tax_details_in_base_line`` + ``_round_base_lines_tax_details`` (18+) for percent taxes:

* ``price_unit`` is rounded to the product price precision (2) when stored on 13-18, kept on 19
  (done by the caller, see ``store_price_unit``); the discount is kept to 2 decimals.
* round_per_line: every line's base and taxes are rounded to the currency, then summed.
* round_globally: taxes are computed with 5 extra digits, summed per tax, rounded once per tax;
  on 18+ the untaxed amount is also the rounded sum of the unrounded line bases.
* price-included taxes: the base is the gross divided by (1 + sum of included rates); the last
  included tax takes what is left so that base + included taxes = gross, as Odoo's checkpoints do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

PRICE_DIGITS = Decimal("0.01")
DISCOUNT_DIGITS = Decimal("0.01")
GLOBAL_EXTRA = Decimal("0.00001")  # round_globally keeps 5 more digits until the per-tax sum


def to_decimal(value: object) -> Decimal:
    """A Decimal from what XML-RPC / JSON give (int, float, str); floats through repr."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        return Decimal(int(bool(value)))
    if isinstance(value, int | float | str):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    raise TypeError(f"not a number: {value!r}")


def decimal_or_zero(value: object) -> Decimal:
    return to_decimal(value) if value not in (None, False) else Decimal(0)


def round_to(value: Decimal, rounding: Decimal) -> Decimal:
    """Odoo's float_round: half away from zero at a rounding step (0.01, 1, ...)."""
    if rounding <= 0:
        return value
    steps = (value / rounding).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * rounding).quantize(rounding) if rounding < 1 else steps * rounding


def store_price_unit(value: object, version: int) -> Decimal:
    """The price_unit Odoo stores: Product Price precision up to 18, unrounded on 19."""
    amount = to_decimal(value)
    return amount if version >= 19 else round_to(amount, PRICE_DIGITS)


def store_discount(value: object) -> Decimal:
    return round_to(to_decimal(value), DISCOUNT_DIGITS)


@dataclass(frozen=True)
class TaxSpec:
    """A percent tax as the computation needs it."""

    id: int
    rate: Decimal  # percent
    price_include: bool
    group_id: int
    sequence: int = 1


@dataclass(frozen=True)
class LineInput:
    price_unit: Decimal
    quantity: Decimal
    discount: Decimal
    taxes: tuple[TaxSpec, ...]


@dataclass
class TaxPart:
    tax: TaxSpec
    base: Decimal  # unrounded under round_globally
    raw: Decimal  # amount before the currency rounding
    amount: Decimal  # amount rounded to the currency


@dataclass
class LineAmounts:
    raw_base: Decimal
    subtotal: Decimal  # price_subtotal, rounded to the currency
    total: Decimal  # price_total
    taxes: list[TaxPart] = field(default_factory=list)


@dataclass
class TaxAmount:
    tax: TaxSpec
    base: Decimal
    amount: Decimal


@dataclass
class MoveAmounts:
    lines: list[LineAmounts]
    taxes: list[TaxAmount]  # one per tax, in order of first appearance
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def compute_line(line: LineInput, rounding: Decimal, per_line: bool) -> LineAmounts:
    """One invoice line: its base, tax amounts, price_subtotal and price_total."""
    prec = rounding if per_line else rounding * GLOBAL_EXTRA
    price = line.price_unit * (1 - line.discount / 100)
    gross = round_to(price * line.quantity, prec)
    ordered = sorted(line.taxes, key=lambda t: (t.sequence, t.id))
    included = [t for t in ordered if t.price_include]
    incl_rate = sum((t.rate for t in included), Decimal(0))
    base = round_to(gross / (1 + incl_rate / 100), prec) if included else gross
    parts: list[TaxPart] = []
    left = gross - base
    for index, tax in enumerate(included):
        raw = left if index == len(included) - 1 else round_to(base * tax.rate / 100, prec)
        left -= raw
        parts.append(TaxPart(tax, base, raw, round_to(raw, rounding)))
    for tax in ordered:
        if not tax.price_include:
            raw = round_to(base * tax.rate / 100, prec)
            parts.append(TaxPart(tax, base, raw, round_to(raw, rounding)))
    parts.sort(key=lambda p: (p.tax.sequence, p.tax.id))
    subtotal = round_to(base, rounding)
    if per_line:
        total = subtotal + sum((p.amount for p in parts), Decimal(0))
    else:
        total = round_to(base + sum((p.raw for p in parts), Decimal(0)), rounding)
    return LineAmounts(raw_base=base, subtotal=subtotal, total=total, taxes=parts)


def compute_move(
    lines: Sequence[LineInput], rounding: Decimal, per_line: bool, version: int
) -> MoveAmounts:
    """All lines of one invoice and the tax lines Odoo would create for them."""
    results = [compute_line(line, rounding, per_line) for line in lines]
    if not per_line and version >= 18 and results:
        _spread_base_delta(results, rounding)
    by_tax: dict[int, TaxAmount] = {}
    raw_by_tax: dict[int, Decimal] = {}
    for result in results:
        for part in result.taxes:
            entry = by_tax.setdefault(part.tax.id, TaxAmount(part.tax, Decimal(0), Decimal(0)))
            entry.base += part.base
            entry.amount += part.amount
            raw_by_tax[part.tax.id] = raw_by_tax.get(part.tax.id, Decimal(0)) + part.raw
    taxes = list(by_tax.values())
    for entry in taxes:
        entry.base = round_to(entry.base, rounding)
        if not per_line:
            entry.amount = round_to(raw_by_tax[entry.tax.id], rounding)
    untaxed = sum((r.subtotal for r in results), Decimal(0))
    tax_total = sum((t.amount for t in taxes), Decimal(0))
    return MoveAmounts(results, taxes, untaxed, tax_total, untaxed + tax_total)


def _spread_base_delta(results: list[LineAmounts], rounding: Decimal) -> None:
    # 18+ rounds the untaxed amount once under round_globally; the cent that the per-line
    # rounding lost goes to the biggest line, as Odoo's delta distribution does.
    expected = round_to(sum((r.raw_base for r in results), Decimal(0)), rounding)
    delta = expected - sum((r.subtotal for r in results), Decimal(0))
    if delta:
        biggest = max(results, key=lambda r: abs(r.raw_base))
        biggest.subtotal += delta
        biggest.total += delta
