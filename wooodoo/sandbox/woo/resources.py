"""Customers, products, taxes, webhooks, system status and settings routes of the look-alike."""

from __future__ import annotations

from typing import Any

from wooodoo.sandbox.catalog import COUNTRIES, STORE_CURRENCY, STORE_TIMEZONE
from wooodoo.sandbox.shop.model import Customer
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.woo.http import (
    Req,
    Resp,
    RestError,
    collection,
    invalid_id,
    paginate,
    single,
)
from wooodoo.sandbox.woo.params import (
    CUSTOMER_ARGS,
    FORCE,
    PRODUCT_ARGS,
    TAX_ARGS,
    WEBHOOK_ARGS,
    InvalidParams,
    ParamError,
    validate,
)
from wooodoo.sandbox.woo.php import sprintf_list
from wooodoo.sandbox.woo.render import render_customer
from wooodoo.sandbox.woo.render_catalog import render_product, render_tax_rate, render_variation
from wooodoo.sandbox.woo.webhooks import WebhookRegistry, valid_topic

WEBHOOK_STATUSES = ("active", "paused", "disabled")


def _select(items: list[Any], p: dict[str, Any]) -> list[Any]:
    if p.get("include"):
        items = [i for i in items if i.id in p["include"]]
    return [i for i in items if i.id not in (p.get("exclude") or [])]


class ResourceRoutes:
    def __init__(
        self, store: StoreData, webhooks: WebhookRegistry, wc_version: str, wp_version: str
    ) -> None:
        self.store = store
        self.webhooks = webhooks
        self.wc_version = wc_version
        self.wp_version = wp_version

    # ---- customers -------------------------------------------------------------------------

    def customers(self, req: Req) -> Resp:
        p = validate(CUSTOMER_ARGS, req.query)
        with self.store.lock:
            found: list[Customer] = _select(list(self.store.customers.values()), p)
            if p["role"] != "all":
                found = [c for c in found if c.role == p["role"]]
            if p["email"]:
                wanted = str(p["email"]).casefold()
                found = [c for c in found if c.email.casefold() == wanted]
            elif p["search"]:
                needle = str(p["search"]).casefold()
                found = [
                    c
                    for c in found
                    if needle in f"{c.username} {c.email} {c.first_name} {c.last_name}".casefold()
                ]
            keys = {
                "id": lambda c: c.id,
                "registered_date": lambda c: (c.date_created, c.id),
                "name": lambda c: (c.username.casefold(), c.id),
            }
            if p["orderby"] == "include" and p["include"]:
                position = {cid: i for i, cid in enumerate(p["include"])}
                found.sort(key=lambda c: position.get(c.id, 0))
            else:
                found.sort(key=keys.get(p["orderby"], keys["name"]), reverse=p["order"] == "desc")
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [render_customer(c, req.home) for c in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def customer(self, req: Req) -> Resp:
        with self.store.lock:
            customer = self.store.customers.get(req.int_match("id"))
            if customer is None:
                raise RestError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
            return single(req, render_customer(customer, req.home))

    # ---- products and taxes ----------------------------------------------------------------

    def products(self, req: Req) -> Resp:
        p = validate(PRODUCT_ARGS, req.query)
        with self.store.lock:
            found = _select(list(self.store.products.values()), p)
            if p["sku"]:
                wanted = {s.strip() for s in str(p["sku"]).split(",")}
                found = [x for x in found if x.sku in wanted]
            if p["search"]:
                found = [x for x in found if str(p["search"]).casefold() in x.name.casefold()]
            found.sort(key=lambda x: x.id, reverse=p["order"] == "desc")
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [render_product(x, req.home, self._related(x.id)) for x in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def _related(self, product_id: int) -> list[int]:
        product = self.store.products[product_id]
        return [
            x.id
            for x in self.store.products.values()
            if x.category == product.category and x.id != product_id
        ][:4]

    def product(self, req: Req) -> Resp:
        with self.store.lock:
            product = self.store.products.get(req.int_match("id"))
            if product is None:
                raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
            return single(req, render_product(product, req.home, self._related(product.id)))

    def variations(self, req: Req) -> Resp:
        p = validate(PRODUCT_ARGS, req.query)
        with self.store.lock:
            product = self.store.products.get(req.int_match("product_id"))
            found = list(product.variations) if product else []
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = (
                [render_variation(product, v, req.home) for v in page.items] if product else []
            )
        return collection(req, page, p["page"], rendered, dict(req.query))

    def variation(self, req: Req) -> Resp:
        with self.store.lock:
            product = self.store.products.get(req.int_match("product_id"))
            variation = self.store.variations.get(req.int_match("id"))
            if product is None or variation is None or variation.parent_id != product.id:
                raise RestError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
            return single(req, render_variation(product, variation, req.home))

    def taxes(self, req: Req) -> Resp:
        p = validate(TAX_ARGS, req.query)
        rates = [r for r in self.store.tax_rates if not p["class"] or r.tax_class == p["class"]]
        rates.sort(key=lambda r: r.id, reverse=p["order"] == "desc")
        page = paginate(rates, p["page"], p["per_page"], p["offset"])
        rendered = [render_tax_rate(r, req.home) for r in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def tax(self, req: Req) -> Resp:
        rate = next((r for r in self.store.tax_rates if r.id == req.int_match("id")), None)
        if rate is None:
            raise RestError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
        return single(req, render_tax_rate(rate, req.home))

    def tax_classes(self, req: Req) -> Resp:
        link = [{"href": f"{req.home}/wp-json/wc/v3/taxes/classes"}]
        return Resp(
            200,
            [
                {"slug": slug, "name": name, "_links": {"collection": link}}
                for slug, name in (
                    ("standard", "Standard rate"),
                    ("reduced-rate", "Reduced rate"),
                    ("zero-rate", "Zero rate"),
                )
            ],
        )

    # ---- webhooks --------------------------------------------------------------------------

    def webhook_list(self, req: Req) -> Resp:
        p = validate(WEBHOOK_ARGS, req.query)
        hooks = _select(self.webhooks.all(), p)
        if p["status"] != "all":
            hooks = [h for h in hooks if h.status == p["status"]]
        if p["orderby"] == "id":
            hooks.sort(key=lambda h: h.id, reverse=p["order"] == "desc")
        else:
            hooks.sort(key=lambda h: (h.date_created, h.id), reverse=p["order"] == "desc")
        page = paginate(hooks, p["page"], p["per_page"], p["offset"])
        edit = p["context"] == "edit"
        rendered = [h.render(req.home, with_secret=edit) for h in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def _hook(self, req: Req) -> Any:
        hook = self.webhooks.get(req.int_match("id"))
        if hook is None:
            raise invalid_id("shop_webhook")
        return hook

    def webhook(self, req: Req) -> Resp:
        edit = req.query.get("context") == "edit"
        return single(req, self._hook(req).render(req.home, with_secret=edit))

    def webhook_create(self, req: Req) -> Resp:
        body = req.params
        _check_webhook_status(body)
        topic = str(body.get("topic") or "").lower()
        if not topic or not valid_topic(topic):
            raise RestError(
                "woocommerce_rest_webhook_invalid_topic",
                "Webhook topic is required and must be valid.",
                400,
            )
        url = str(body.get("delivery_url") or "")
        if not url.startswith(("http://", "https://")):
            raise RestError(
                "woocommerce_rest_webhook_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                400,
            )
        stamp = self.store.now()
        name = str(body.get("name") or "") or (
            f"Webhook created on {stamp.strftime('%b %d, %Y @ %I:%M %p')}"
        )
        hook = self.webhooks.create(
            name=name,
            topic=topic,
            delivery_url=url,
            secret=str(body.get("secret") or "") or _generated_secret(stamp.isoformat()),
            status=str(body.get("status") or "active"),
        )
        resp = single(req, hook.render(req.home, with_secret=True), 201)
        resp.headers.append(("Location", f"{req.home}/wp-json/wc/v3/webhooks/{hook.id}"))
        self.webhooks.ping(hook)
        return resp

    def webhook_update(self, req: Req) -> Resp:
        body = req.params
        _check_webhook_status(body)
        hook = self._hook(req)
        if "topic" in body:
            topic = str(body["topic"]).lower()
            if not valid_topic(topic):
                raise RestError(
                    "woocommerce_rest_webhook_invalid_topic", "Webhook topic must be valid.", 400
                )
            hook.topic = topic
        for name in ("name", "delivery_url", "secret", "status"):
            if body.get(name):
                setattr(hook, name, str(body[name]))
        hook.date_modified = self.store.now()
        return single(req, hook.render(req.home, with_secret=True))

    def webhook_delete(self, req: Req) -> Resp:
        force = validate((FORCE,), dict(req.params))["force"]
        hook = self._hook(req)
        if not force:
            raise RestError(
                "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
            )
        rendered = hook.render(req.home, with_secret=True)
        self.webhooks.remove(hook.id)
        return single(req, rendered)

    # ---- system status and settings ----------------------------------------------------------

    def system_status(self, req: Req) -> Resp:
        home = req.home
        data = {
            "environment": {
                "home_url": home,
                "site_url": home,
                "version": self.wc_version,
                "log_directory": "/var/www/shop/wp-content/uploads/wc-logs/",
                "log_directory_writable": True,
                "wp_version": self.wp_version,
                "wp_multisite": False,
                "wp_memory_limit": 536870912,
                "wp_debug_mode": False,
                "wp_cron": True,
                "language": "en_US",
                "external_object_cache": None,
                "server_info": "Apache/2.4.71 (Debian) OpenSSL/3.0.22",
                "php_version": "8.2.36",
                "php_post_max_size": 33554432,
                "php_max_execution_time": 30,
                "php_max_input_vars": 1000,
                "curl_version": "7.88.1, OpenSSL/3.0.22",
                "suhosin_installed": False,
                "max_upload_size": 33554432,
                "mysql_version": "10.11.19",
                "mysql_version_string": "10.11.19-MariaDB-0+deb12u1",
                "default_timezone": "UTC",
                "fsockopen_or_curl_enabled": True,
                "soapclient_enabled": False,
                "domdocument_enabled": True,
                "gzip_enabled": True,
                "mbstring_enabled": True,
                "remote_post_successful": False,
                "remote_post_response": "",
                "remote_get_successful": False,
                "remote_get_response": "",
            },
            "database": {
                "wc_database_version": self.wc_version,
                "database_prefix": "wp_",
                "maxmind_geoip_database": "",
                "database_tables": {
                    "woocommerce": {f"wp_{t}": _TABLE for t in _WC_TABLES},
                    "other": {f"wp_{t}": _TABLE for t in _WP_TABLES},
                },
                "database_size": {"data": 1.2, "index": 1.55},
            },
            "settings": {
                "api_enabled": False,
                "force_ssl": False,
                "currency": STORE_CURRENCY,
                "currency_symbol": "&euro;",
                "currency_position": "left",
                "thousand_separator": ",",
                "decimal_separator": ".",
                "number_of_decimals": 2,
                "geolocation_enabled": False,
                "taxonomies": {
                    "external": "external",
                    "grouped": "grouped",
                    "simple": "simple",
                    "variable": "variable",
                },
                "product_visibility_terms": {t: t for t in _VISIBILITY},
                "woocommerce_com_connected": "no",
                "enforce_approved_download_dirs": True,
                "order_datastore": "WC_Order_Data_Store_CPT",
                "HPOS_feature_screen_enabled": False,
                "HPOS_enabled": False,
                "HPOS_sync_enabled": False,
            },
        }
        return single(req, data)

    def settings_general(self, req: Req) -> Resp:
        return Resp(200, [_setting(req.home, *row) for row in _GENERAL])

    def settings_tax(self, req: Req) -> Resp:
        return Resp(200, [_setting(req.home, *row, group="tax") for row in _TAX])

    def index(self, req: Req) -> Resp:
        return Resp(
            200,
            {
                "name": "Kaffeerösterei Sandbox",
                "description": "",
                "url": req.home,
                "home": req.home,
                "gmt_offset": "1",
                "timezone_string": STORE_TIMEZONE,
                "namespaces": ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wp/v2"],
                "authentication": [],
                "routes": {},
            },
        )


_TABLE = {"data": "0.02", "index": "0.02", "engine": "InnoDB"}
_WC_TABLES = tuple(
    "woocommerce_" + t
    for t in [
        "sessions",
        "api_keys",
        "attribute_taxonomies",
        "downloadable_product_permissions",
        "order_items",
        "order_itemmeta",
        "tax_rates",
        "tax_rate_locations",
        "shipping_zones",
        "shipping_zone_locations",
        "shipping_zone_methods",
        "payment_tokens",
        "payment_tokenmeta",
        "log",
    ]
)
_WP_TABLES = tuple(
    [
        "actionscheduler_actions",
        "actionscheduler_claims",
        "actionscheduler_groups",
        "actionscheduler_logs",
        "commentmeta",
        "comments",
        "links",
        "options",
        "postmeta",
        "posts",
        "termmeta",
        "terms",
        "term_relationships",
        "term_taxonomy",
        "usermeta",
        "users",
        "wc_admin_notes",
        "wc_admin_note_actions",
        "wc_category_lookup",
        "wc_customer_lookup",
        "wc_download_log",
        "wc_order_coupon_lookup",
        "wc_order_product_lookup",
        "wc_order_stats",
        "wc_order_tax_lookup",
        "wc_product_attributes_lookup",
        "wc_product_download_directories",
        "wc_product_meta_lookup",
        "wc_rate_limits",
        "wc_reserved_stock",
        "wc_tax_rate_classes",
        "wc_webhooks",
    ]
)
_VISIBILITY = (
    "exclude-from-catalog",
    "exclude-from-search",
    "featured",
    "outofstock",
    "rated-1",
    "rated-2",
    "rated-3",
    "rated-4",
    "rated-5",
)

_GENERAL: tuple[tuple[str, str, str, str], ...] = (
    ("woocommerce_store_address", "Address line 1", "text", "Kaffeestraße 12"),
    ("woocommerce_store_address_2", "Address line 2", "text", ""),
    ("woocommerce_store_city", "City", "text", "Berlin"),
    ("woocommerce_default_country", "Country / State", "select", "DE:BE"),
    ("woocommerce_store_postcode", "Postcode / ZIP", "text", "10115"),
    ("woocommerce_allowed_countries", "Selling location(s)", "select", "all"),
    ("woocommerce_calc_taxes", "Enable taxes", "checkbox", "yes"),
    ("woocommerce_enable_coupons", "Enable coupons", "checkbox", "yes"),
    (
        "woocommerce_calc_discounts_sequentially",
        "Calculate coupon discounts sequentially",
        "checkbox",
        "no",
    ),
    ("woocommerce_currency", "Currency", "select", STORE_CURRENCY),
    ("woocommerce_currency_pos", "Currency position", "select", "left"),
    ("woocommerce_price_thousand_sep", "Thousand separator", "text", ","),
    ("woocommerce_price_decimal_sep", "Decimal separator", "text", "."),
    ("woocommerce_price_num_decimals", "Number of decimals", "number", "2"),
)


# The tax options of the store the fixtures come from: prices without tax, rounding per line.
_TAX = (
    ("woocommerce_prices_include_tax", "Prices entered with tax", "radio", "no"),
    ("woocommerce_tax_based_on", "Calculate tax based on", "select", "shipping"),
    ("woocommerce_shipping_tax_class", "Shipping tax class", "select", "inherit"),
    ("woocommerce_tax_round_at_subtotal", "Rounding", "checkbox", "no"),
    ("woocommerce_tax_display_shop", "Display prices in the shop", "select", "excl"),
    ("woocommerce_tax_display_cart", "Display prices during cart and checkout", "select", "excl"),
    ("woocommerce_tax_total_display", "Display tax totals", "select", "itemized"),
)


def _setting(
    home: str, setting_id: str, label: str, kind: str, value: str, group: str = "general"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": setting_id,
        "label": label,
        "description": label,
        "type": kind,
        "default": "",
        "tip": label,
        "value": value,
    }
    if setting_id == "woocommerce_default_country":
        data["options"] = {c: c for c in COUNTRIES}
    data["_links"] = {
        "self": [{"href": f"{home}/wp-json/wc/v3/settings/{group}/{setting_id}"}],
        "collection": [{"href": f"{home}/wp-json/wc/v3/settings/{group}"}],
    }
    return data


def _generated_secret(seed: str) -> str:
    import hashlib

    return hashlib.sha256(seed.encode()).hexdigest()[:50]


def _check_webhook_status(body: dict[str, Any]) -> None:
    status = body.get("status")
    if status is not None and status not in WEBHOOK_STATUSES:
        message = f"status is not one of {sprintf_list(list(WEBHOOK_STATUSES))}."
        raise InvalidParams([ParamError("status", "rest_not_in_enum", message)])


__all__ = ["ResourceRoutes"]
