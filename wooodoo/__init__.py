"""wooodoo: WooCommerce orders and customers into Odoo invoices and partners."""

__version__ = "0.1.0"
