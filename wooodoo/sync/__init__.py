"""The sync core: one tenant's orders and customers into Odoo, exactly once (no click, no rich).

``run`` (the cursor, pages, replay) drives ``orders`` (one batch: map, find, create, settle)
over the ``ports`` each side implements; see docs/architecture.md for the whole path.
"""

from wooodoo.lock import tenant_lock
from wooodoo.sync.order_walk import SyncOptions
from wooodoo.sync.outcome import Progress, Stat, Step, TenantResult, no_progress
from wooodoo.sync.run import Engine

__all__ = [
    "Engine",
    "Progress",
    "Stat",
    "Step",
    "SyncOptions",
    "TenantResult",
    "no_progress",
    "tenant_lock",
]
