"""The sync core: one tenant's orders and customers into Odoo, exactly once (no click, no rich).

See docs/architecture.md for the layers and one sync's path through them.
"""
