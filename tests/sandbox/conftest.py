"""Fixtures for the WooCommerce look-alike tests: a generated store served over HTTPS and HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from wooodoo.sandbox.faults import FaultInjector, RequestCounter
from wooodoo.sandbox.server import CertificateAuthority, LoopbackServer
from wooodoo.sandbox.shop import StoreData, generate_store
from wooodoo.sandbox.woo import WooApp, WooKey

WOO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce"
WOO_SEED = 20261126
WOO_ORDERS = 60
WOO_KEY = WooKey("ck_sandbox_rw_0123456789abcdef", "cs_sandbox_rw_secret_0123456789")
WOO_READ_KEY = WooKey("ck_sandbox_ro_0123456789abcdef", "cs_sandbox_ro_secret_9876543210", "read")


@dataclass
class WooClock:
    """The store's clock in tests: fixed, moved on by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 15, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class WooServed:
    """One store behind two loopback servers: HTTPS (Basic/query auth) and HTTP (OAuth)."""

    store: StoreData
    app: WooApp
    counter: RequestCounter
    https_url: str
    http_url: str
    ca_path: Path
    clock: WooClock

    def session(self, auth: str | None = "basic", key: WooKey = WOO_KEY) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE or proxies must not change loopback calls
        session.verify = str(self.ca_path)
        if auth == "basic":
            session.auth = (key.consumer_key, key.consumer_secret)
        elif auth == "query":
            session.params = {
                "consumer_key": key.consumer_key,
                "consumer_secret": key.consumer_secret,
            }
        return session

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        with self.session() as session:
            return session.get(f"{self.https_url}/wp-json/wc/v3/{path}", timeout=10, **kwargs)


@pytest.fixture(scope="session")
def woo_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("woo-ca"))


def _serve(
    ca: CertificateAuthority, store: StoreData, clock: WooClock, wc_version: str = "7.9.0"
) -> Iterator[WooServed]:
    app = WooApp(store, [WOO_KEY, WOO_READ_KEY], wc_version=wc_version)
    counter = RequestCounter()
    wrapped = FaultInjector(app, counter)
    with LoopbackServer(wrapped, tls=ca) as https, LoopbackServer(wrapped) as http:
        yield WooServed(store, app, counter, https.url, http.url, ca.ca_path, clock)
    app.close()


@pytest.fixture
def woo_served(woo_ca: CertificateAuthority) -> Iterator[WooServed]:
    """A fresh store per test, so tests that change it stay independent."""
    clock = WooClock()
    yield from _serve(woo_ca, generate_store(WOO_SEED, WOO_ORDERS, clock=clock), clock)


@pytest.fixture(scope="module")
def woo_shared(woo_ca: CertificateAuthority) -> Iterator[WooServed]:
    """One store for tests that only read."""
    clock = WooClock()
    yield from _serve(woo_ca, generate_store(WOO_SEED, WOO_ORDERS, clock=clock), clock)


@pytest.fixture(scope="module")
def woo9_shared(woo_ca: CertificateAuthority) -> Iterator[WooServed]:
    """The same store as WooCommerce 9.3.3 (``/refunds``), for tests that only read."""
    clock = WooClock()
    store = generate_store(WOO_SEED, WOO_ORDERS, clock=clock)
    yield from _serve(woo_ca, store, clock, "9.3.3")


def woo_capture(name: str) -> tuple[dict[str, Any], Any]:
    """A captured REST exchange: ``({"request", "auth", "status", "headers"}, body)``."""
    rest = WOO_FIXTURES / "rest"
    lines = (rest / f"{name}.headers.txt").read_text().splitlines()
    meta: dict[str, Any] = {"headers": {}}
    for line in lines:
        if line.startswith("# request: "):
            meta["request"] = line[len("# request: ") :]
        elif line.startswith("# auth: "):
            meta["auth"] = line[len("# auth: ") :]
        elif line.startswith("HTTP "):
            meta["status"] = int(line.split()[1])
        elif ": " in line:
            header, value = line.split(": ", 1)
            meta["headers"][header] = value
    body = json.loads((rest / f"{name}.body.json").read_bytes())
    return meta, body


# ---- comparing our answers with the captured ones ------------------------------------------

_MONEY = re.compile(r"^-?\d+\.\d{2}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
# links that depend on the record (a customer, a parent order), maps whose keys are data
_OPTIONAL_LINKS = {"customer", "up"}
_OPAQUE = {"options"}
# headers of the captured Apache that a WSGI server does not need to copy
_TRANSPORT = {"date", "server", "keep-alive", "connection", "transfer-encoding", "content-length"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def woo_shape_diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every way ``actual`` differs in shape from ``expected``: keys, nesting, value types.

    ``null`` on either side matches anything (dates that are not set yet); money strings must
    stay decimal strings and dates local/UTC without offset; each element of a list must look
    like one of the expected elements.
    """
    if expected is None or actual is None:
        return []
    if path.endswith(".image.id"):
        return []  # "" for a simple product, 0 for a variation: both occur in the captures
    if _kind(expected) != _kind(actual):
        return [f"{path}: expected {_kind(expected)}, got {_kind(actual)} ({actual!r:.60})"]
    if isinstance(expected, str):
        if _MONEY.match(expected) and not _DECIMAL.match(actual):
            return [f"{path}: expected a decimal string, got {actual!r}"]
        if _DATE.match(expected) and not _DATE.match(actual):
            return [f"{path}: expected a date without offset, got {actual!r}"]
        return []
    if isinstance(expected, dict):
        optional = _OPTIONAL_LINKS if path.endswith("._links") or path == "$._links" else set()
        diffs = [
            f"{path}: missing key {k!r}" for k in expected if k not in actual and k not in optional
        ]
        diffs += [
            f"{path}: unexpected key {k!r}"
            for k in actual
            if k not in expected and k not in optional
        ]
        for key in expected:
            if key in actual and key not in _OPAQUE:
                diffs += woo_shape_diff(expected[key], actual[key], f"{path}.{key}")
        return diffs
    if isinstance(expected, list) and expected:
        diffs = []
        for index, item in enumerate(actual):
            options = [woo_shape_diff(e, item, f"{path}[{index}]") for e in expected]
            diffs += min(options, key=len)
        return diffs
    return []


def woo_header_diff(
    expected: dict[str, str], actual: requests.structures.CaseInsensitiveDict[str]
) -> list[str]:
    """Header names, ``Content-Type``, ``Allow`` and the ``Link`` relations must match."""
    diffs = []
    wanted = {k.lower() for k in expected} - _TRANSPORT
    got = {k.lower() for k in actual} - _TRANSPORT
    diffs += [f"missing header {h}" for h in sorted(wanted - got)]
    diffs += [f"unexpected header {h}" for h in sorted(got - wanted)]
    for name in ("Content-Type", "Allow"):
        if name in expected and actual.get(name) != expected[name]:
            diffs.append(f"{name}: expected {expected[name]!r}, got {actual.get(name)!r}")
    rels = set(re.findall(r'rel="([^"]+)"', expected.get("Link", "")))
    got_rels = set(re.findall(r'rel="([^"]+)"', actual.get("Link", "")))
    if rels != got_rels:
        diffs.append(f"Link relations: expected {sorted(rels)}, got {sorted(got_rels)}")
    return diffs
