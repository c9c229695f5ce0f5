"""The shop's catalogue (products, variations, tax rates) in WooCommerce 7.9's REST shapes."""

from __future__ import annotations

from decimal import Decimal

from wooodoo.sandbox.catalog import TaxRate
from wooodoo.sandbox.shop.model import Product, Variation
from wooodoo.sandbox.woo.render import JSON, rest_links, site_dates


def render_tax_rate(rate: TaxRate, base: str) -> JSON:
    return {
        "id": rate.id,
        "country": rate.country,
        "state": "",
        "postcode": "",
        "city": "",
        "rate": f"{rate.rate:.4f}",
        "name": rate.name,
        "priority": 1,
        "compound": False,
        "shipping": True,
        "order": 0,
        "class": rate.tax_class,
        "postcodes": [],
        "cities": [],
        "_links": rest_links(base, f"taxes/{rate.id}", "taxes"),
    }


def _price_html(amount: Decimal) -> str:
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-'
        f'currencySymbol">&euro;</span>{amount:.2f}</bdi></span>'
    )


def render_product(product: Product, base: str, related: list[int]) -> JSON:
    """One product as ``GET /products/<id>`` returns it; ``related`` are its related ids."""
    variable = bool(product.variations)
    physical = not product.virtual
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "permalink": f"{base}/product/{product.slug}/",
        **site_dates(date_created=product.date_created, date_modified=product.date_modified),
        "type": product.type,
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": product.description,
        "short_description": "",
        "sku": product.sku,
        **_product_prices(product),
        "purchasable": True,
        "total_sales": product.total_sales,
        "virtual": product.virtual,
        "downloadable": product.downloadable,
        **_no_downloads(),
        "external_url": "",
        "button_text": "",
        "tax_status": product.tax_status,
        "tax_class": product.tax_class,
        "manage_stock": physical and not variable,
        "stock_quantity": product.stock_quantity if physical and not variable else None,
        **_no_backorders(),
        "sold_individually": False,
        **_no_size(),
        "shipping_required": physical,
        "shipping_taxable": physical and product.tax_status == "taxable",
        **_no_shipping_class(),
        "reviews_allowed": True,
        "average_rating": "0.00",
        "rating_count": 0,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [{"id": 16, "name": product.category, "slug": product.category.lower()}],
        "tags": [],
        "images": [],
        "attributes": _attributes(product),
        "default_attributes": [],
        "variations": [v.id for v in product.variations],
        "grouped_products": [],
        "menu_order": 0,
        "price_html": _product_price_html(product),
        "related_ids": related,
        "meta_data": [],
        "stock_status": "instock",
        "has_options": variable,
        "_links": rest_links(base, f"products/{product.id}", "products"),
    }


def _product_prices(product: Product) -> JSON:
    """A variable product's price is its cheapest variation's; it has no regular or sale price."""
    variable = bool(product.variations)
    prices = [v.regular_price for v in product.variations] or [product.price]
    return {
        "price": f"{min(prices):.2f}",
        "regular_price": "" if variable else f"{product.regular_price:.2f}",
        "sale_price": "" if variable or product.sale_price is None else f"{product.sale_price:.2f}",
        **_no_sale_dates(),
        "on_sale": product.sale_price is not None,
    }


def _product_price_html(product: Product) -> str:
    if product.variations:
        prices = [v.regular_price for v in product.variations]
        low, high = min(prices), max(prices)
        return (
            _price_html(low) if low == high else f"{_price_html(low)} &ndash; {_price_html(high)}"
        )
    if product.sale_price is not None:
        return (
            f'<del aria-hidden="true">{_price_html(product.regular_price)}</del> '
            f"<ins>{_price_html(product.sale_price)}</ins>"
        )
    return _price_html(product.price)


def _attributes(product: Product) -> list[JSON]:
    """The attribute a variable product varies by, with its options; none for a simple one."""
    if not product.variations:
        return []
    return [
        {
            "id": 0,
            "name": product.variations[0].attribute,
            "position": 0,
            "visible": True,
            "variation": True,
            "options": [v.option for v in product.variations],
        }
    ]


def render_variation(product: Product, variation: Variation, base: str) -> JSON:
    path = f"products/{product.id}/variations"
    return {
        "id": variation.id,
        **site_dates(date_created=product.date_created, date_modified=product.date_modified),
        "description": "",
        "permalink": f"{base}/product/{product.slug}/?attribute_size={variation.option}",
        "sku": variation.sku or product.sku,
        "price": f"{variation.regular_price:.2f}",
        "regular_price": f"{variation.regular_price:.2f}",
        "sale_price": "",
        **_no_sale_dates(),
        "on_sale": False,
        "status": "publish",
        "purchasable": True,
        "virtual": False,
        "downloadable": False,
        **_no_downloads(),
        "tax_status": product.tax_status,
        "tax_class": product.tax_class,
        "manage_stock": True,
        "stock_quantity": variation.stock_quantity,
        "stock_status": "instock",
        **_no_backorders(),
        **_no_size(),
        **_no_shipping_class(),
        "image": None,
        "attributes": [{"id": 0, "name": variation.attribute, "option": variation.option}],
        "menu_order": 0,
        "meta_data": [],
        "_links": rest_links(base, f"{path}/{variation.id}", path, up=f"products/{product.id}"),
    }


# What the shop's products and variations all say the same: each part is a fresh dict, since
# callers may change what they are given.
def _no_sale_dates() -> JSON:
    return {
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
    }


def _no_downloads() -> JSON:
    return {"downloads": [], "download_limit": -1, "download_expiry": -1}


def _no_backorders() -> JSON:
    return {
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
    }


def _no_size() -> JSON:
    return {"weight": "", "dimensions": {"length": "", "width": "", "height": ""}}


def _no_shipping_class() -> JSON:
    return {"shipping_class": "", "shipping_class_id": 0}
