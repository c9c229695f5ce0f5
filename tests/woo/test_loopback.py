"""WooClient against the WooCommerce look-alike on loopback: every auth mode, faults, leaks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wooodoo.errors import AuthError
from wooodoo.http import RetryPolicy, make_session
from wooodoo.sandbox.faults import FaultInjector, FaultPlan, RequestCounter
from wooodoo.sandbox.server import CertificateAuthority, LoopbackServer
from wooodoo.sandbox.shop import StoreData, generate_store
from wooodoo.sandbox.woo import WooApp, WooKey
from wooodoo.woo.client import WooClient

KEY = WooKey("ck_loopback_2f9e1d0c3b4a59687766", "cs_loopback_secret_a1b2c3d4e5f60718")
SEED = 11
ORDERS = 60
START = datetime(2026, 1, 1, tzinfo=UTC)
# Past seconds for stamped edits: the store's second must be over for a bucket to be final.
CLUSTER = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 21, 9, 30, 0, tzinfo=UTC)


@dataclass
class Shop:
    store: StoreData
    faults: FaultInjector
    counter: RequestCounter
    https: str
    http: str
    ca_path: Path

    def client(self, auth: str, *, key: WooKey = KEY, per_page: int = 4) -> WooClient:
        url = self.http if auth == "oauth1" else self.https
        session = make_session(ca_bundle=self.ca_path)
        session.trust_env = False  # no proxy or CA bundle from the environment on loopback
        retry = RetryPolicy(
            attempts=12, total_seconds=60, base_delay=0.001, max_delay=0.01, sleep=lambda s: None
        )
        return WooClient(
            url,
            auth=auth,  # type: ignore[arg-type]
            consumer_key=key.consumer_key,
            consumer_secret=key.consumer_secret,
            retry=retry,
            per_page=per_page,
            session=session,
        )

    def listed_ids(self) -> set[int]:
        """What ``status=any`` lists: everything but trash and auto-drafts."""
        with self.store.lock:
            return {
                o.id for o in self.store.orders.values() if o.status not in ("trash", "auto-draft")
            }

    def versions(self) -> set[tuple[int, str]]:
        with self.store.lock:
            return {
                (o.id, o.date_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
                for o in self.store.orders.values()
                if o.status not in ("trash", "auto-draft")
            }

    def stamp(self, ids: list[int], when: datetime) -> None:
        for oid in ids:
            self.store.update_order(oid, customer_note=f"edited {when:%H:%M:%S}", when=when)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("woo-loopback-ca"))


@pytest.fixture
def shop(ca: CertificateAuthority) -> Iterator[Shop]:
    store = generate_store(SEED, ORDERS)
    app = WooApp(store, [KEY])
    counter = RequestCounter()
    faults = FaultInjector(app, counter, seed=SEED)
    with LoopbackServer(faults, tls=ca) as https, LoopbackServer(faults) as http:
        yield Shop(store, faults, counter, https.url, http.url, ca.ca_path)
    app.close()


def walk(c: WooClient) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []
    for page in c.iter_order_pages(modified_after=START):
        assert not page.rejected, [r.reason for r in page.rejected]
        seen += [(o.id, o.version) for o in page.orders]
    return seen


def clustered(shop: Shop) -> None:
    """Nine orders in one second (more than a page) and three sharing the next page boundary."""
    ids = sorted(shop.listed_ids())
    shop.stamp(ids[5:14], CLUSTER)
    shop.stamp(ids[20:23], CLUSTER + timedelta(seconds=7))


@pytest.mark.parametrize("auth", ["basic", "query", "oauth1"])
def test_every_order_exactly_once(shop: Shop, auth: str) -> None:
    clustered(shop)
    c = shop.client(auth)
    seen = walk(c)
    assert len(seen) == len(set(seen))
    assert sorted(i for i, _ in seen) == sorted(shop.listed_ids())
    assert set(seen) == shop.versions()
    assert c.requests_sent == shop.counter.total("GET /wp-json/wc/v3/orders")


def test_orders_modified_while_paging_come_again(shop: Shop) -> None:
    clustered(shop)
    c = shop.client("basic")
    seen: list[tuple[int, str]] = []
    for n, page in enumerate(c.iter_order_pages(modified_after=START)):
        seen += [(o.id, o.version) for o in page.orders]
        if n == 2:
            read, unread = seen[0][0], max(shop.listed_ids() - {i for i, _ in seen})
            shop.stamp([read, unread], LATER)
    assert len(seen) == len(set(seen)), "no version twice"
    assert {i for i, _ in seen} == shop.listed_ids()
    assert shop.versions() <= set(seen), "every order's last version"
    assert (read, "2026-11-21T09:30:00") in seen


@pytest.mark.parametrize("auth", ["basic", "query", "oauth1"])
def test_transient_faults_still_every_order_once_and_no_secret_logged(
    shop: Shop, auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clustered(shop)
    shop.faults.plan = FaultPlan.transient(0.2)
    c = shop.client(auth)
    seen = walk(c)
    assert sorted(i for i, _ in seen) == sorted(shop.listed_ids())
    assert len(seen) == len(set(seen))
    assert sum(shop.faults.faults_served.values()) >= 3
    assert c.requests_sent > len(shop.store.orders) // 4
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "retrying WooCommerce GET" in logged
    assert KEY.consumer_key not in logged
    assert KEY.consumer_secret not in logged
    assert "oauth_signature=" not in logged.replace("oauth_signature=REDACTED", "")


@pytest.mark.parametrize(
    ("auth", "key", "text"),
    [
        pytest.param(
            "basic",
            WooKey(KEY.consumer_key, "cs_wrong_secret_000"),
            "Consumer secret is invalid.",
            id="wrong-secret-https",
        ),
        pytest.param(
            "oauth1",
            WooKey(KEY.consumer_key, "cs_wrong_secret_000"),
            "provided signature does not match",
            id="wrong-secret-oauth",
        ),
    ],
)
def test_refused_keys_say_so_without_the_secret(
    shop: Shop, auth: str, key: WooKey, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = shop.client(auth, key=key)
    with pytest.raises(AuthError) as info:
        c.get_order(min(shop.listed_ids()))
    assert text in str(info.value)
    assert key.consumer_secret not in str(info.value) + caplog.text
    assert c.requests_sent == 1


def test_basic_auth_over_plain_http_is_explained(shop: Shop) -> None:
    session = make_session()
    session.trust_env = False
    c = WooClient(
        shop.http,
        auth="basic",
        consumer_key=KEY.consumer_key,
        consumer_secret=KEY.consumer_secret,
        session=session,
    )
    with pytest.raises(AuthError) as info:
        walk(c)
    assert "over plain HTTP" in str(info.value)
    assert "auth: oauth1" in str(info.value)


def test_store_info_and_lookups(shop: Shop) -> None:
    c = shop.client("oauth1", per_page=5)
    info = c.system_status()
    assert info.wc_version == "7.9.0"
    assert c.supports_modified_after
    ids = sorted(shop.listed_ids())
    got = c.get_orders([*ids[:7], 999_999])
    assert sorted(o.id for o in got) == ids[:7]
    assert not got.rejected
    customers = [x for batch in c.iter_customers() for x in batch]
    with shop.store.lock:
        assert sorted(x.id for x in customers) == sorted(shop.store.customers)
    refunded = next(o.id for o in c.get_orders(ids) if o.refunds)
    assert c.get_refunds(refunded), "the refunds of a refunded order"
