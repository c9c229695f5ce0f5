"""The WooCommerce look-alike: the REST API (wc/v3) over a generated shop, with webhooks."""

from wooodoo.sandbox.woo.app import WooApp
from wooodoo.sandbox.woo.auth import WooKey

__all__ = ["WooApp", "WooKey"]
