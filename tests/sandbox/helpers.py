"""What the latency and connection tests share: a shop session, and the timing once recorded."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from wooodoo.sandbox import Sandbox, Timing


def shop_session(box: Sandbox) -> requests.Session:
    """A plain client session for the sandbox's store: its CA, its keys, no environment."""
    s = requests.Session()
    s.trust_env = False
    s.verify = str(box.ca_path)
    s.auth = (box.secrets.woo_consumer_key, box.secrets.woo_consumer_secret)
    return s


def settled(read: Callable[[], Timing], requests: int) -> Timing:
    """The timing once ``requests`` are recorded (bounded wait): a request is recorded when the
    server closes its answer, a moment after the client has read it."""
    deadline = time.monotonic() + 5
    while True:
        seen = read()
        if seen.requests >= requests or time.monotonic() > deadline:
            return seen
        time.sleep(0.01)
