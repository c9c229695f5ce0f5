"""The real deliveries captured from a WooCommerce 7.9 store, read without wooodoo's parser."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce" / "webhooks"
SECRET = "whsec-local-test-123"  # the local test store's, named in the fixtures' README


@dataclass(frozen=True)
class Delivery:
    name: str
    body_path: Path
    headers_path: Path  # the capture: method, path, headers in order, the listener's check
    signature: str | None

    @property
    def body(self) -> bytes:
        return self.body_path.read_bytes()


def _capture_of(body_path: Path) -> Path:
    for suffix in (".json", ".meta.json"):
        candidate = body_path.with_suffix(suffix)
        if candidate.exists():
            return candidate
    raise AssertionError(f"no capture next to {body_path.name}")


def _delivery(body_path: Path) -> Delivery:
    headers_path = _capture_of(body_path)
    capture = json.loads(headers_path.read_text(encoding="utf-8"))
    signatures = [v for n, v in capture["headers"] if n.lower() == "x-wc-webhook-signature"]
    assert len(signatures) <= 1, headers_path
    assert capture["signature_valid"] is (True if signatures else None), headers_path
    return Delivery(body_path.stem, body_path, headers_path, (signatures or [None])[0])


ALL = [_delivery(path) for path in sorted(FIXTURES.glob("*.body"))]
SIGNED = [d for d in ALL if d.signature is not None]
PINGS = [d for d in ALL if d.signature is None]
