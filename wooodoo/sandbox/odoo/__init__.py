"""A local Odoo look-alike (versions 13-19): XML-RPC, JSON-2 and invoices computed as Odoo does."""

from wooodoo.sandbox.odoo.app import VERSIONS, OdooApp

__all__ = ["VERSIONS", "OdooApp"]
