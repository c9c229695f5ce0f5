"""The generated shop: WooCommerce's records and arithmetic, and a history made from a seed."""

from wooodoo.sandbox.shop.generate import generate_store
from wooodoo.sandbox.shop.orders import FeeSpec, ItemChange, LineSpec, OrderError, ShippingSpec
from wooodoo.sandbox.shop.store import StoreData

__all__ = [
    "FeeSpec",
    "ItemChange",
    "LineSpec",
    "OrderError",
    "ShippingSpec",
    "StoreData",
    "generate_store",
]
