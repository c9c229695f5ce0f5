"""The reference data both look-alikes agree on: tax rates, Odoo taxes, accounts, currencies.

The WooCommerce look-alike sells with these rates; the Odoo look-alike is seeded with the
matching taxes; ``wooodoo sandbox --config-out`` writes the tax mapping from ``TAX_RATES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TaxRate:
    """A WooCommerce tax rate and the Odoo taxes it maps to."""

    id: int
    country: str
    rate: Decimal  # percent, e.g. Decimal("19.0000")
    name: str  # WooCommerce label
    tax_class: str  # "standard" | "reduced-rate"
    odoo_tax: str  # name of the Odoo sale tax (price excluded)
    odoo_tax_included: str  # name of the Odoo sale tax with the price included

    @property
    def rate_code(self) -> str:
        # WooCommerce builds it as COUNTRY-STATE-NAME-PRIORITY, upper case, empty parts kept out
        return f"{self.country}-{self.name.upper()}-1"


# ids 1-4 are exactly the rates of the captured real store (fixtures/woocommerce/rest/taxes)
TAX_RATES: tuple[TaxRate, ...] = (
    TaxRate(1, "DE", Decimal("19.0000"), "MwSt. 19%", "standard", "19% DE", "19% DE incl."),
    TaxRate(2, "DE", Decimal("7.0000"), "MwSt. 7%", "reduced-rate", "7% DE", "7% DE incl."),
    TaxRate(3, "BE", Decimal("21.0000"), "BTW 21%", "standard", "21% BE", "21% BE incl."),
    TaxRate(4, "BE", Decimal("6.0000"), "BTW 6%", "reduced-rate", "6% BE", "6% BE incl."),
    TaxRate(5, "AT", Decimal("20.0000"), "USt. 20%", "standard", "20% AT", "20% AT incl."),
    TaxRate(6, "AT", Decimal("10.0000"), "USt. 10%", "reduced-rate", "10% AT", "10% AT incl."),
    TaxRate(7, "FR", Decimal("20.0000"), "TVA 20%", "standard", "20% FR", "20% FR incl."),
    TaxRate(8, "FR", Decimal("5.5000"), "TVA 5.5%", "reduced-rate", "5.5% FR", "5.5% FR incl."),
)

# Countries the generated customers live in; US and CH buyers pay no tax (export).
COUNTRIES: tuple[str, ...] = ("DE", "BE", "AT", "FR", "US", "CH")
# state codes per country used by generated addresses (WooCommerce codes = Odoo codes here)
STATES: dict[str, tuple[str, ...]] = {"US": ("CA", "NY", "TX"), "DE": ("BY", "BE", "HH")}

# code -> (name, account_type) in the Odoo look-alike
ACCOUNTS: dict[str, tuple[str, str]] = {
    "400000": ("Product Sales", "income"),
    "400100": ("Shipping Income", "income"),
    "400200": ("Fees Income", "income"),
    "400300": ("Refunds", "income"),
    "441000": ("Foreign Exchange Gain", "income"),
    "121000": ("Account Receivable", "asset_receivable"),
    "251000": ("Tax Received", "liability_current"),
}
ACCOUNT_ROLES: dict[str, str] = {
    "products": "400000",
    "shipping": "400100",
    "fees": "400200",
    "refunds": "400300",
}

# code -> active in Odoo; orders in an inactive currency must fail with a clear reason
CURRENCIES: dict[str, bool] = {"EUR": True, "USD": True, "GBP": True, "CHF": True, "JPY": False}
STORE_CURRENCY = "EUR"
STORE_TIMEZONE = "Europe/Berlin"
SALE_JOURNAL = "INV"
EXPORT_TAX = "0% Exports"
