"""The site around the API: the index, ``system_status`` and the general and tax settings."""

from __future__ import annotations

from typing import Any

from wooodoo.sandbox.catalog import COUNTRIES, STORE_CURRENCY, STORE_TIMEZONE
from wooodoo.sandbox.woo.http import Req, Resp, single
from wooodoo.sandbox.woo.render import rest_links


class SiteRoutes:
    def __init__(self, wc_version: str, wp_version: str) -> None:
        self.wc_version = wc_version
        self.wp_version = wp_version

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

    def system_status(self, req: Req) -> Resp:
        data = {
            "environment": self._environment(req.home),
            "database": self._database(),
            "settings": _settings(),
        }
        return single(req, data)

    def _environment(self, home: str) -> dict[str, Any]:
        return {
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
        }

    def _database(self) -> dict[str, Any]:
        return {
            "wc_database_version": self.wc_version,
            "database_prefix": "wp_",
            "maxmind_geoip_database": "",
            "database_tables": {
                "woocommerce": {f"wp_{t}": _TABLE for t in _WC_TABLES},
                "other": {f"wp_{t}": _TABLE for t in _WP_TABLES},
            },
            "database_size": {"data": 1.2, "index": 1.55},
        }

    def settings_general(self, req: Req) -> Resp:
        return Resp(200, [_setting(req.home, *row) for row in _GENERAL])

    def settings_tax(self, req: Req) -> Resp:
        return Resp(200, [_setting(req.home, *row, group="tax") for row in _TAX])


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
    data["_links"] = rest_links(home, f"settings/{group}/{setting_id}", f"settings/{group}")
    return data


def _settings() -> dict[str, Any]:
    """The store settings ``system_status`` reports: the fixtures' store, taxes and HPOS off."""
    return {
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
    }
