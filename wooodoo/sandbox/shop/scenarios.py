"""The hard cases every generated shop contains, each applied to one order's plan.

They mirror what the captured real store shows (fixtures/woocommerce) and what loses cents in
naive mappings: coupons, fees of both signs, prices entered with tax, currencies Odoo lacks,
guests sharing a customer's e-mail, refunds and silent edits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from wooodoo.sandbox.shop.orders import FeeSpec, LineSpec, convert
from wooodoo.sandbox.shop.planner import Plan, Planner, utc

Scenario = Callable[[Planner, Plan], None]

BACS = ("bacs", "Direct bank transfer")
STRIPE = ("stripe", "Credit Card (Stripe)")
COD = ("cod", "Cash on delivery")


def _reset(plan: Plan, status: str, *lines: tuple[int, int]) -> None:
    plan.status = status
    plan.lines = [LineSpec(pid, qty) for pid, qty in lines]
    plan.fees = []
    plan.coupons = []
    plan.currency = "EUR"
    plan.incl = False
    plan.payment = STRIPE
    plan.partial_refund = plan.edit_silently = False


def _customer_in(gen: Planner, plan: Plan, country: str) -> None:
    registered = [
        c
        for c in gen.customers
        if c.billing["country"] == country and c.date_created <= utc(plan.when)
    ]
    if registered:
        gen.use_customer(plan, gen.rng.choice(registered))
    else:
        gen.use_guest(plan, country)


def coupon_percent_free_shipping(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "completed", (gen.sku["GRD-BURR"], 1))
    plan.coupons = ["save10"]


def variation_and_gift_wrap(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "completed", (gen.sku["TSHIRT-M"], 2))
    plan.fees = [FeeSpec("Gift wrapping", Decimal("3.00"))]


def guest_with_customer_email(gen: Planner, plan: Plan) -> None:
    earlier = [c for c in gen.customers if c.date_created <= utc(plan.when)] or gen.customers
    customer = earlier[0]
    local, domain = customer.email.split("@", 1)
    email = local.title() + "@" + domain.upper()
    gen.use_guest(plan, customer.billing["country"], email=email)
    plan.billing = {**customer.billing, "email": email}
    _reset(plan, "processing", (gen.sku["FIL-500"], 2), (gen.sku["MUG-CER"], 1))


def guest_cash_on_delivery(gen: Planner, plan: Plan) -> None:
    gen.use_guest(plan, "DE")
    _reset(plan, "completed", (gen.sku["FIL-500"], 2))
    plan.payment = COD


def full_refund(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "US")
    _reset(plan, "refunded", (gen.sku["TSHIRT-S"], 1))


def partial_refund_negative_fee(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "completed", (gen.sku["ESP-1KG"], 2), (gen.sku["MUG-CER"], 2))
    plan.fees = [FeeSpec("Loyalty discount", Decimal("-5.00"), taxable=False)]
    plan.partial_refund = True
    plan.created_via = "rest-api"


def belgian_reduced_rate_fixed_coupon(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "BE")
    _reset(plan, "completed", (gen.sku["ESP-1KG"], 5))
    plan.coupons = ["fiveoff"]


def virtual_only(gen: Planner, plan: Plan) -> None:
    gen.use_guest(plan, "US")
    _reset(plan, "completed", (gen.sku["GIFT-25"], 2))


def prices_with_tax_germany(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "processing", (gen.sku["ESP-1KG"], 2))
    plan.incl = True
    plan.created_via = "rest-api"


def prices_with_tax_belgium_coupon(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "BE")
    _reset(plan, "completed", (gen.sku["ESP-1KG"], 2), (gen.sku["MUG-CER"], 3))
    plan.incl = True
    plan.coupons = ["save10"]
    plan.created_via = "admin"


def prices_with_tax_export(gen: Planner, plan: Plan) -> None:
    gen.use_guest(plan, "US")
    _reset(plan, "processing", (gen.sku["GRD-BURR"], 1))
    plan.incl = True
    plan.created_via = "rest-api"


def uneven_deal(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "processing", (gen.sku["FIL-500"], 1))
    plan.lines = [LineSpec(gen.sku["FIL-500"], 3, Decimal("10.00"))]


def _paying_in(
    name: str, country: str, currency: str, status: str, *lines: tuple[str, int]
) -> Scenario:
    """A customer from ``country`` who pays in ``currency``; ``lines`` are (sku, quantity)."""

    def scenario(gen: Planner, plan: Plan) -> None:
        _customer_in(gen, plan, country)
        _reset(plan, status, *((gen.sku[sku], qty) for sku, qty in lines))
        plan.currency = currency

    scenario.__name__ = name
    return scenario


us_no_tax_in_dollars = _paying_in(
    "us_no_tax_in_dollars", "US", "USD", "processing", ("MUG-CER", 2), ("GIFT-25", 1)
)
yen = _paying_in("yen", "DE", "JPY", "completed", ("ESP-1KG", 1), ("MUG-CER", 2))
pounds = _paying_in("pounds", "FR", "GBP", "processing", ("PAD-18", 4))
swiss_francs = _paying_in("swiss_francs", "CH", "CHF", "completed", ("GRD-BURR", 1))


def _status(status: str) -> Scenario:
    def scenario(gen: Planner, plan: Plan) -> None:
        _customer_in(gen, plan, "AT")
        _reset(plan, status, (gen.sku["MUG-CER"], 1), (gen.sku["FIL-500"], 1))
        plan.payment = BACS if status in ("on-hold", "cancelled") else STRIPE
        plan.created_via = "store-api" if status == "checkout-draft" else "checkout"

    scenario.__name__ = f"status_{status}"
    return scenario


def cjk_name(gen: Planner, plan: Plan) -> None:
    gen.use_guest(plan, "DE")
    assert plan.billing is not None
    plan.billing.update(first_name="太郎", last_name="山田")
    _reset(plan, "processing", (gen.sku["Grüntee Sencha 煎茶"], 2))


def multi_line_coupon(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(
        plan, "completed", (gen.sku["ESP-1KG"], 3), (gen.sku["MUG-CER"], 3), (gen.sku["PAD-18"], 5)
    )
    plan.coupons = ["welcome15"]


def edited_silently(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "DE")
    _reset(plan, "processing", (gen.sku["FIL-500"], 2))
    plan.edit_silently = True


def untaxed_surcharge(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "FR")
    _reset(plan, "processing", (gen.sku["Milchaufschäumer"], 1))
    plan.fees = [FeeSpec("Payment surcharge", Decimal("1.50"), taxable=False)]


def e_book_only(gen: Planner, plan: Plan) -> None:
    gen.use_guest(plan, "AT")
    _reset(plan, "completed", (gen.sku["EBOOK-1"], 1))


def no_sku_products(gen: Planner, plan: Plan) -> None:
    _customer_in(gen, plan, "BE")
    _reset(plan, "completed", (gen.sku["Milchaufschäumer"], 1), (gen.sku["Coffee T-Shirt/L"], 1))
    plan.fees = [FeeSpec("Gift wrapping", convert(Decimal("3.00"), plan.currency))]


SCENARIOS: tuple[Scenario, ...] = (
    coupon_percent_free_shipping,
    guest_with_customer_email,
    prices_with_tax_germany,
    partial_refund_negative_fee,
    full_refund,
    yen,
    variation_and_gift_wrap,
    us_no_tax_in_dollars,
    belgian_reduced_rate_fixed_coupon,
    prices_with_tax_belgium_coupon,
    uneven_deal,
    _status("pending"),
    _status("on-hold"),
    _status("cancelled"),
    _status("failed"),
    _status("checkout-draft"),
    guest_cash_on_delivery,
    virtual_only,
    prices_with_tax_export,
    cjk_name,
    multi_line_coupon,
    edited_silently,
    pounds,
    swiss_francs,
    untaxed_surcharge,
    e_book_only,
    no_sku_products,
)
