"""What the generated shop sells and who buys there: products, coupons, shipping, people, places."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# (name, sku, price, sale price, tax class, tax status, virtual, downloadable, category)
PRODUCTS: tuple[tuple[str, str, str, str | None, str, str, bool, bool, str], ...] = (
    (
        "Espresso Beans 1kg",
        "ESP-1KG",
        "24.90",
        None,
        "reduced-rate",
        "taxable",
        False,
        False,
        "Coffee",
    ),
    ("Filter Coffee 500g", "FIL-500", "12.50", None, "", "taxable", False, False, "Coffee"),
    ("Ceramic Mug", "MUG-CER", "9.99", "7.99", "", "taxable", False, False, "Equipment"),
    ("Burr Grinder", "GRD-BURR", "149.00", None, "", "taxable", False, False, "Equipment"),
    ("Gift Card 25 EUR", "GIFT-25", "25.00", None, "", "none", True, False, "Gift cards"),
    ("Coffee T-Shirt", "TSHIRT", "19.00", None, "", "taxable", False, False, "Clothing"),
    # products the shop never gave a SKU
    ("Milchaufschäumer", "", "34.95", None, "", "taxable", False, False, "Equipment"),
    ("Grüntee Sencha 煎茶", "", "9.90", None, "reduced-rate", "taxable", False, False, "Tea"),
    ("Brewing Guide (E-Book)", "EBOOK-1", "9.99", None, "", "taxable", True, True, "Books"),
    (
        "Café Crème Pads ×18",
        "PAD-18",
        "3.49",
        None,
        "reduced-rate",
        "taxable",
        False,
        False,
        "Coffee",
    ),
)
# variations of the variable product (index into PRODUCTS): (option, sku, price)
VARIATIONS: dict[int, tuple[tuple[str, str, str], ...]] = {
    5: (("S", "TSHIRT-S", "19.00"), ("M", "TSHIRT-M", "21.00"), ("L", "", "23.00")),
}
VARIATION_ATTRIBUTE = "Size"

# (code, type, amount, description)
COUPONS: tuple[tuple[str, str, str, str], ...] = (
    ("save10", "percent", "10.00", "10% off"),
    ("fiveoff", "fixed_cart", "5.00", "5 EUR off the cart"),
    ("welcome15", "percent", "15.00", "15% off the first order"),
    ("tenoff", "fixed_cart", "10.00", "10 EUR off the cart"),
)

# EUR -> currency, as a multi-currency plugin converts catalogue prices
EXCHANGE: dict[str, Decimal] = {
    "EUR": Decimal(1),
    "USD": Decimal("1.08"),
    "GBP": Decimal("0.86"),
    "CHF": Decimal("0.95"),
    "JPY": Decimal("162"),
}
CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}


@dataclass(frozen=True)
class ShippingMethod:
    title: str
    method_id: str
    cost: Decimal


FLAT_DE = ShippingMethod("Flat rate", "flat_rate", Decimal("4.90"))
FLAT_EU = ShippingMethod("International flat rate", "flat_rate", Decimal("15.00"))
WORLDWIDE = ShippingMethod("Worldwide", "flat_rate", Decimal("20.00"))
FREE = ShippingMethod("Free shipping", "free_shipping", Decimal(0))
PICKUP = ShippingMethod("Local pickup", "local_pickup", Decimal(0))
FREE_SHIPPING_FROM = Decimal(100)

PAYMENT_METHODS: tuple[tuple[str, str], ...] = (
    ("bacs", "Direct bank transfer"),
    ("stripe", "Credit Card (Stripe)"),
    ("paypal", "PayPal"),
    ("cod", "Cash on delivery"),
    ("cheque", "Check payments"),
)
# gateways that pay a refund back themselves (refunded_payment true); the others by hand
GATEWAY_REFUNDS: frozenset[str] = frozenset({"stripe", "paypal"})

# (first name, last name, e-mail local part)
PEOPLE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "DE": (
        ("Anna", "Schmidt", "anna.schmidt"),
        ("Jürgen", "Müller", "juergen.mueller"),
        ("Lea", "Köhler", "lea.koehler"),
        ("Jonas", "Weiß", "jonas.weiss"),
        ("Sören", "Groß", "soeren.gross"),
        ("Käthe", "Bäcker", "kaethe.baecker"),
        ("Łukasz", "Wałęsa", "lukasz.walesa"),
        ("Paweł", "Michałowski", "pawel.michalowski"),
        ("Yuki", "山田", "yuki.yamada"),
        ("明", "李", "ming.li"),
        ("Clara", "Neumann", "clara.neumann"),
        ("Emre", "Öztürk", "emre.oeztuerk"),
    ),
    "BE": (
        ("Pieter", "Janssens", "pieter.janssens"),
        ("Émilie", "Dubois", "emilie.dubois"),
        ("Lotte", "Peeters", "lotte.peeters"),
    ),
    "AT": (
        ("Jörg", "Hübner", "joerg.huebner"),
        ("Zoë", "Lang", "zoe.lang"),
        ("Ferdinand", "Strauß", "ferdinand.strauss"),
    ),
    "FR": (
        ("Élodie", "Lefèvre", "elodie.lefevre"),
        ("François", "Girard", "francois.girard"),
        ("Chloé", "Bézier", "chloe.bezier"),
    ),
    "US": (
        ("Emily", "Carter", "emily.carter"),
        ("John", "Doe", "john.doe"),
        ("민준", "김", "minjun.kim"),
    ),
    "CH": (
        ("Rösli", "Zürcher", "roesli.zuercher"),
        ("Luca", "Brunner", "luca.brunner"),
        ("Noémie", "Favre", "noemie.favre"),
    ),
}

# (street, city, postcode, state) per country
PLACES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "DE": (
        ("Torstraße 5", "Berlin", "10119", "BE"),
        ("Leopoldstraße 44", "München", "80802", "BY"),
        ("Mönckebergstraße 7", "Hamburg", "20095", "HH"),
        ("Königsallee 20", "Düsseldorf", "40212", ""),
        ("Hauptstraße 1", "Augsburg", "86150", ""),
    ),
    "BE": (
        ("Rue de la Loi 16", "Bruxelles", "1000", ""),
        ("Meir 50", "Antwerpen", "2000", ""),
    ),
    "AT": (
        ("Mariahilfer Straße 77", "Wien", "1060", ""),
        ("Getreidegasse 9", "Salzburg", "5020", ""),
    ),
    "FR": (
        ("12 Rue de Rivoli", "Paris", "75004", ""),
        ("3 Place Bellecour", "Lyon", "69002", ""),
    ),
    "US": (
        ("500 Market St", "San Francisco", "94105", "CA"),
        ("1 Main St", "Austin", "78701", "TX"),
        ("350 5th Ave", "New York", "10118", "NY"),
    ),
    "CH": (
        ("Bahnhofstrasse 21", "Zürich", "8001", ""),
        ("Rue du Rhône 8", "Genève", "1204", ""),
    ),
}
PHONE_PREFIX: dict[str, str] = {
    "DE": "+49 30 ",
    "BE": "+32 2 ",
    "AT": "+43 1 ",
    "FR": "+33 1 ",
    "US": "+1 415 555 ",
    "CH": "+41 44 ",
}
COMPANIES: tuple[str, ...] = ("Kaffee & Co. GmbH", "Büro Müller", "Janssens BV", "Café Zoë SARL")
# how often customers live where (weights follow COUNTRIES order: DE BE AT FR US CH)
COUNTRY_WEIGHTS: tuple[int, ...] = (50, 12, 10, 10, 10, 8)

REFUND_REASONS: tuple[str, ...] = (
    "One mug arrived broken",
    "Customer returned the item",
    "Wrong size",
    "",
    "Lieferung beschädigt – Teilerstattung",
)
CUSTOMER_NOTES: tuple[str, ...] = (
    "Bitte beim Nachbarn abgeben.",
    "Gift wrap please / Geschenkverpackung",
    "Leave at the door",
)
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36"
)
