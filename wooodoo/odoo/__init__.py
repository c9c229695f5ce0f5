"""Odoo client: one protocol, XML-RPC and JSON-2 transports, version detection."""
