"""WooCommerce REST v3 client: requests, classification, retries, paging, parsing at the edge."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from wooodoo.errors import AuthError, NotFoundError, RemoteRequestError
from wooodoo.http import (
    NO_RETRY,
    RetryPolicy,
    classify,
    install_log_redaction,
    make_session,
    redact_url,
    transient_from_exception,
)
from wooodoo.woo.answers import describe_woo_error, expect_json, int_header, server_time
from wooodoo.woo.auth import AuthMode, SignatureMethod, make_auth, refused_hint
from wooodoo.woo.batches import OrderPage, ParsedBatch, id_of, parse_all
from wooodoo.woo.models import (
    Customer,
    Order,
    ParseError,
    Refund,
    parse_customer,
    parse_order,
    parse_refund,
)
from wooodoo.woo.pagination import ModifiedCursor, PageWalker
from wooodoo.woo.refunds import (
    IDS_PER_REQUEST,
    REFUNDS_LIST_SINCE,
    OrderRefunds,
    id_chunks,
    keep_wanted,
    take_listed,
    wanted_by_refund,
)
from wooodoo.woo.store import StoreInfo, settings_by_id, store_info, version_tuple, wc_version

log = logging.getLogger(__name__)

T = TypeVar("T")
Method = Literal["GET", "POST", "PUT", "DELETE"]

API_PATH = "/wp-json/wc/v3/"
INCLUDE_CHUNK = 100
# Line totals are kept unrounded by the store (a net of 46.542056 for 49.80 with 7 % in the
# price); the API rounds them to the shop's decimals unless asked for more with ``dp``.
ORDER_DECIMALS = "6"


class WooClient:
    """WooCommerce REST v3 client: it reads; only ``request`` writes (the webhook admin).

    Secrets never reach logs or error messages.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: AuthMode,
        consumer_key: str,
        consumer_secret: str,
        ca_bundle: Path | None = None,
        timeout: float = 30,
        retry: RetryPolicy | None = None,
        per_page: int = 100,
        session: requests.Session | None = None,
        signature_method: SignatureMethod = "HMAC-SHA256",
    ) -> None:
        if not 1 <= per_page <= 100:
            raise ValueError("per_page must be between 1 and 100 (WooCommerce's limit)")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an http(s) store root")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("base_url must not carry user info, a query or a fragment")
        install_log_redaction()
        self.base_url = base_url.rstrip("/")
        self.api_url = self.base_url + API_PATH
        self.auth_mode: AuthMode = auth
        self._auth = make_auth(
            auth, consumer_key, consumer_secret, signature_method=signature_method
        )
        self._owns_session = session is None
        self._session = session or make_session(ca_bundle=ca_bundle)
        self._timeout = timeout
        self._store_clock: tuple[datetime, datetime] | None = None
        self._retry = retry or RetryPolicy()
        self.per_page = per_page
        self.requests_sent = 0
        self._store: StoreInfo | None = None
        # ``/refunds`` (WooCommerce 9.0+): None until the version or the route's answer says
        self._refunds_listed: bool | None = None

    def __repr__(self) -> str:
        return f"WooClient({self.base_url!r}, auth={self.auth_mode!r})"

    def close(self) -> None:
        """Close the HTTP session if this client made it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> WooClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> tuple[Any, Any]:
        """GET one endpoint with retries; return (parsed JSON, response headers)."""
        return self.request("GET", path, params=params)

    def request(
        self,
        method: Method,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> tuple[Any, Any]:
        """One call to ``path`` under the REST root: (parsed JSON, response headers).

        Classified like every read. A POST is sent once, as a second one could make a twin;
        the other methods repeat the same effect and are retried. ``body`` goes as JSON and is
        never logged.
        """
        url = self.api_url + path
        query = urlencode(dict(params or {}), safe="[],:")
        what = f"WooCommerce {method} {redact_url(f'{url}?{query}' if query else url)}"

        def attempt() -> tuple[Any, CaseInsensitiveDict[str]]:
            self.requests_sent += 1
            started = time.monotonic()
            try:
                resp = self._session.request(
                    method, url, params=params, json=body, auth=self._auth, timeout=self._timeout
                )
            except requests.RequestException as exc:
                # Exceptions from requests quote the URL, keys included: keep only the kind.
                raise transient_from_exception(exc, what) from None
            log.debug("%s -> HTTP %s in %.2fs", what, resp.status_code, time.monotonic() - started)
            try:
                data = classify(resp, what, describe_woo_error)
            except AuthError as exc:
                raise self._refused(resp, exc) from None
            told = server_time(resp.headers)
            if told is not None:
                self._store_clock = (told, datetime.now(UTC))
            return data, resp.headers

        return (NO_RETRY if method == "POST" else self._retry).call(attempt, what=what)

    def store_clock(self) -> tuple[datetime, datetime] | None:
        """The store's time in its latest answer (``Date``) and ours when it came; None
        before any answer with a date."""
        return self._store_clock

    def _refused(self, resp: requests.Response, exc: AuthError) -> AuthError:
        try:
            _, store_message = describe_woo_error(resp.json())
        except ValueError:
            store_message = ""
        if resp.status_code == 401 and resp.request.method == "GET":
            message = f"WooCommerce refused the consumer key/secret: {exc.message}"
        else:
            message = f"WooCommerce refused access: {exc.message}"
        return AuthError(message, hint=refused_hint(self.base_url, self.auth_mode, store_message))

    def _get_list(self, path: str, params: Mapping[str, str]) -> tuple[list[Any], Any]:
        data, headers = self._get(path, params)
        return expect_json(data, list, path), headers

    def _by_ids(
        self,
        path: str,
        ids: Sequence[int],
        params: Mapping[str, str],
        parse: Callable[[object], T],
    ) -> Iterator[ParsedBatch[T]]:
        """The records with these ids, in chunks of 100; missing ones are simply absent."""
        for chunk in _chunks(_unique(ids), INCLUDE_CHUNK):
            chunk_params = {
                "include": ",".join(map(str, chunk)),
                "per_page": str(len(chunk)),
                **params,
            }
            records, _ = self._get_list(path, chunk_params)
            yield parse_all(records, parse)

    # ------------------------------------------------------------------ store

    def system_status(self) -> StoreInfo:
        """Versions and settings of the store (cached; one or two requests the first time)."""
        if self._store is None:
            # Only these sections: the full report also lists plugins, pages, theme... (slow).
            data, _ = self._get("system_status", {"_fields": "environment,settings"})
            status = expect_json(data, dict, "system_status")
            version = wc_version(status)
            self._store = store_info(version, status, self._tax_settings())
        return self._store

    def _tax_settings(self) -> dict[str, Any]:
        """``/settings/tax`` as {id: value}; empty if the key's user may not read settings."""
        try:
            data, _ = self._get("settings/tax")
        except (AuthError, RemoteRequestError) as exc:
            log.debug("tax settings not readable: %s", exc.message)
            return {}
        return settings_by_id(data)

    @property
    def supports_modified_after(self) -> bool:
        return self.system_status().supports_modified_after

    # ------------------------------------------------------------------ orders

    def iter_order_pages(
        self,
        *,
        modified_after: datetime,
        statuses: Sequence[str] | None = None,
        modified_before: datetime | None = None,
    ) -> Iterator[OrderPage]:
        """Orders modified after ``modified_after`` (strictly), oldest first, page by page.

        See ``wooodoo.woo.pagination`` for how the cursor walk avoids skips and loops.
        An order modified while paging comes again with its new version.
        """
        cursor = ModifiedCursor(start=modified_after, per_page=self.per_page, until=modified_before)
        base = {"per_page": str(self.per_page), "dp": ORDER_DECIMALS}
        if statuses:
            base["status"] = ",".join(statuses)
        while (req := cursor.next_request()) is not None:
            records, headers = self._get_list("orders", {**base, **req.params()})
            fresh = cursor.accept(records, int_header(headers, "X-WP-Total"), server_time(headers))
            batch = parse_all(fresh, parse_order)
            if batch or batch.rejected:
                yield OrderPage(list(batch), batch.rejected, cursor.cursor)
        if cursor.stopped_in_running_second:
            log.info(
                "order walk paused at %s: more than %d orders were saved in that second, which "
                "was not over yet; the next run goes on from there",
                cursor.cursor.isoformat(),
                self.per_page,
            )

    def get_orders(self, ids: Sequence[int]) -> ParsedBatch[Order]:
        """The orders with these ids (chunks of 100); missing ones are simply absent."""
        out: ParsedBatch[Order] = ParsedBatch()
        for batch in self._by_ids("orders", ids, {"dp": ORDER_DECIMALS}, parse_order):
            out.extend(batch)
            out.rejected.extend(batch.rejected)
        return out

    def get_order(self, order_id: int) -> Order:
        """One order; NotFoundError if it does not exist, ParseError if it is malformed."""
        data, _ = self._get(f"orders/{int(order_id)}", {"dp": ORDER_DECIMALS})
        return parse_order(expect_json(data, dict, f"orders/{int(order_id)}"))

    def get_refunds(self, order_id: int) -> list[dict[str, Any]]:
        """The refunds of one order, raw (line items with negative quantities)."""
        path = f"orders/{int(order_id)}/refunds"
        records, _ = self._get_list(path, {"per_page": "100"})
        return [r for r in records if isinstance(r, dict)]

    def refunds_of(self, order_id: int) -> list[Refund]:
        """The refunds of one order, parsed (line totals unrounded, as for orders)."""
        path = f"orders/{int(order_id)}/refunds"
        records, _ = self._get_list(path, {"per_page": "100", "dp": ORDER_DECIMALS})
        return [parse_refund(r) for r in records]

    def refunds_of_orders(self, orders: Mapping[int, Sequence[int]]) -> OrderRefunds:
        """Refunds by order: {order id: the ids of the refunds wanted, from the order's own
        refund list} (see ``wooodoo.woo.refunds``).

        WooCommerce 9.0+: one ``/refunds?include=...`` per 100 refunds; older stores: one
        ``/orders/<id>/refunds`` per order. Without a known version ``/refunds`` is tried and
        its ``rest_no_route`` remembered. An order whose refunds the store refuses (a 4xx) or
        sends unreadable is in ``failed``; a refund the store does not return is simply absent.
        """
        wanted = {int(order): list(ids) for order, ids in orders.items() if ids}
        if wanted and self._lists_refunds():
            try:
                return self._listed_refunds(wanted)
            except NotFoundError as exc:
                if exc.code != "rest_no_route":
                    raise
                log.info("the store has no /refunds list (WooCommerce < 9.0): refunds per order")
                self._refunds_listed = False
        out = OrderRefunds()
        for order_id, ids in wanted.items():
            try:
                out.found[order_id] = keep_wanted(order_id, self.refunds_of(order_id), ids)
            except (RemoteRequestError, ParseError) as exc:
                out.fail([order_id], str(exc))
        return out

    def _lists_refunds(self) -> bool:
        if self._refunds_listed is None and self._store is not None:
            self._refunds_listed = version_tuple(self._store.wc_version) >= REFUNDS_LIST_SINCE
        return self._refunds_listed is not False

    def _listed_refunds(self, wanted: Mapping[int, Sequence[int]]) -> OrderRefunds:
        out = OrderRefunds()
        owner = wanted_by_refund(wanted)
        for chunk in id_chunks(owner):
            params = {
                "include": ",".join(map(str, chunk)),
                "per_page": str(IDS_PER_REQUEST),
                "orderby": "id",
                "order": "asc",
                "dp": ORDER_DECIMALS,
            }
            page, last = 1, 1
            while page <= last:
                try:
                    records, headers = self._get_list("refunds", {**params, "page": str(page)})
                except RemoteRequestError as exc:
                    if isinstance(exc, NotFoundError) and exc.code == "rest_no_route":
                        raise
                    out.fail(sorted({owner[i] for i in chunk}), str(exc))
                    break
                self._refunds_listed = True
                take_listed(records, owner, out)
                pages = int_header(headers, "X-WP-TotalPages")
                # ``include`` holds at most a page; the guard stops a store that pages forever
                last = min(pages if pages is not None else page, page + 1, 3)
                page += 1
        return out

    # ------------------------------------------------------------------ customers

    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[ParsedBatch[Customer]]:
        """Customers by id (chunks of 100), or all of them by registration date, page by page.

        The list defaults to ``role=customer`` in WooCommerce; ``all`` includes every role.
        ``newest_first`` lets a caller looking for new customers stop after the first pages.
        """
        if ids is not None:
            yield from self._by_ids("customers", ids, {"role": role}, parse_customer)
            return
        walker = PageWalker(per_page=self.per_page)
        seen: set[int] = set()
        while (page := walker.next_page()) is not None:
            params = {
                "orderby": "registered_date",
                "order": "desc" if newest_first else "asc",
                "role": role,
                "per_page": str(self.per_page),
                "page": str(page),
            }
            records, headers = self._get_list("customers", params)
            walker.accept(len(records), int_header(headers, "X-WP-TotalPages"))
            new = [r for r in records if id_of(r) is None or id_of(r) not in seen]
            seen.update(i for i in map(id_of, records) if i is not None)
            batch = parse_all(new, parse_customer)
            if batch or batch.rejected:
                yield batch


# ---------------------------------------------------------------------- helpers


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
