"""Webhook deliveries of the WooCommerce look-alike, sent for real over HTTP, to loopback only."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests

from wooodoo.sandbox.woo.webhooks import Webhook

TIMEOUT = 5.0  # seconds; WooCommerce's own delivery timeout is 5 s too


def loopback_delivery(hook: Webhook, topic: str, body: bytes, headers: Mapping[str, str]) -> int:
    """POST one delivery as the store does; the answer's status counts for the hook."""
    host = urlsplit(hook.delivery_url).hostname or ""
    if host != "localhost" and not _is_loopback(host):
        raise ValueError("the sandbox delivers webhooks to loopback addresses only")
    answer = requests.post(hook.delivery_url, data=body, headers=dict(headers), timeout=TIMEOUT)
    return answer.status_code


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
