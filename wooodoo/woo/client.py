"""WooCommerce REST v3 client: requests, classification, retries, paging, parsing at the edge."""

from __future__ import annotations

import email.utils
import html
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from wooodoo.errors import AuthError, RemoteError, RemoteRequestError
from wooodoo.http import (
    RetryPolicy,
    classify,
    install_log_redaction,
    make_session,
    redact_url,
    transient_from_exception,
)
from wooodoo.woo.auth import AuthMode, SignatureMethod, make_auth, refused_hint
from wooodoo.woo.models import Customer, Order, ParseError, parse_customer, parse_order
from wooodoo.woo.pagination import ModifiedCursor, PageWalker, record_key

log = logging.getLogger(__name__)

T = TypeVar("T")

API_PATH = "/wp-json/wc/v3/"
MODIFIED_AFTER_SINCE = (5, 8)
INCLUDE_CHUNK = 100
# Line totals are kept unrounded by the store (a net of 46.542056 for 49.80 with 7 % in the
# price); the API rounds them to the shop's decimals unless asked for more with ``dp``.
ORDER_DECIMALS = "6"


@dataclass(frozen=True)
class StoreInfo:
    """What ``/system_status`` (and, when readable, ``/settings/tax``) tell about the store."""

    wc_version: str
    wp_version: str | None = None
    currency: str | None = None
    timezone: str | None = None
    tax_round_at_subtotal: bool | None = None
    prices_include_tax: bool | None = None

    @property
    def supports_modified_after(self) -> bool:
        """``modified_after``/``modified_before`` on orders arrived in WooCommerce 5.8."""
        return version_tuple(self.wc_version) >= MODIFIED_AFTER_SINCE


@dataclass(frozen=True)
class Rejected:
    """A record the store returned that we could not parse; it never stops its page."""

    record_id: int | None
    reason: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class OrderPage:
    """New orders of one page; ``cursor`` is the newest ``date_modified`` returned so far."""

    orders: list[Order]
    rejected: list[Rejected]
    cursor: datetime


class ParsedBatch(list[T]):
    """A list of parsed records that also carries the records that failed to parse."""

    def __init__(self, items: Sequence[T] = (), rejected: Sequence[Rejected] = ()) -> None:
        super().__init__(items)
        self.rejected: list[Rejected] = list(rejected)


def version_tuple(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def describe_woo_error(body: Any) -> tuple[str, str]:
    """(code, message) of a WooCommerce/WordPress error body, with invalid-param details."""
    if not isinstance(body, Mapping):
        return "", ""
    code = str(body.get("code") or "")
    message = html.unescape(str(body.get("message") or ""))
    data = body.get("data")
    params = data.get("params") if isinstance(data, Mapping) else None
    if isinstance(params, Mapping) and params:
        details = "; ".join(f"{k}: {html.unescape(str(v))}" for k, v in params.items())
        message = f"{message} ({details})"
    return code, message


class WooClient:
    """Read-only WooCommerce REST v3 client. Secrets never reach logs or error messages."""

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
        self._retry = retry or RetryPolicy()
        self.per_page = per_page
        self.requests_sent = 0
        self._store: StoreInfo | None = None

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
        url = self.api_url + path
        query = urlencode(dict(params or {}), safe="[],:")
        what = f"WooCommerce GET {redact_url(f'{url}?{query}' if query else url)}"

        def attempt() -> tuple[Any, CaseInsensitiveDict[str]]:
            self.requests_sent += 1
            started = time.monotonic()
            try:
                resp = self._session.get(url, params=params, auth=self._auth, timeout=self._timeout)
            except requests.RequestException as exc:
                # Exceptions from requests quote the URL, keys included: keep only the kind.
                raise transient_from_exception(exc, what) from None
            log.debug("%s -> HTTP %s in %.2fs", what, resp.status_code, time.monotonic() - started)
            try:
                data = classify(resp, what, describe_woo_error)
            except AuthError as exc:
                raise self._refused(resp, exc) from None
            return data, resp.headers

        return self._retry.call(attempt, what=what)

    def _refused(self, resp: requests.Response, exc: AuthError) -> AuthError:
        try:
            _, store_message = describe_woo_error(resp.json())
        except ValueError:
            store_message = ""
        if resp.status_code == 401:
            message = f"WooCommerce refused the consumer key/secret: {exc.message}"
        else:
            message = f"WooCommerce refused access: {exc.message}"
        return AuthError(message, hint=refused_hint(self.base_url, self.auth_mode, store_message))

    def _get_list(self, path: str, params: Mapping[str, str]) -> tuple[list[Any], Any]:
        data, headers = self._get(path, params)
        return _expect(data, list, path), headers

    # ------------------------------------------------------------------ store

    def system_status(self) -> StoreInfo:
        """Versions and settings of the store (cached; one or two requests the first time)."""
        if self._store is None:
            # Only these sections: the full report also lists plugins, pages, theme... (slow).
            data, _ = self._get("system_status", {"_fields": "environment,settings"})
            status = _expect(data, dict, "system_status")
            env = _section(status, "environment")
            settings = _section(status, "settings")
            version = env.get("version")
            if not isinstance(version, str) or not version:
                raise RemoteError(
                    "WooCommerce system_status: the answer has no environment.version"
                )
            tax = self._tax_settings()
            self._store = StoreInfo(
                wc_version=version,
                wp_version=_opt_str(env.get("wp_version")),
                currency=_opt_str(settings.get("currency")),
                timezone=_opt_str(settings.get("timezone")) or _opt_str(env.get("timezone")),
                tax_round_at_subtotal=_yes_no(tax.get("woocommerce_tax_round_at_subtotal")),
                prices_include_tax=_yes_no(tax.get("woocommerce_prices_include_tax")),
            )
        return self._store

    def _tax_settings(self) -> dict[str, Any]:
        """``/settings/tax`` as {id: value}; empty if the key's user may not read settings."""
        try:
            data, _ = self._get("settings/tax")
        except (AuthError, RemoteRequestError) as exc:
            log.debug("tax settings not readable: %s", exc.message)
            return {}
        if not isinstance(data, list):
            return {}
        return {
            str(item.get("id")): item.get("value") for item in data if isinstance(item, Mapping)
        }

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
            fresh = cursor.accept(
                records, _int_header(headers, "X-WP-Total"), _server_time(headers)
            )
            batch = _parse_all(fresh, parse_order)
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
        for chunk in _chunks(_unique(ids), INCLUDE_CHUNK):
            params = {
                "include": ",".join(map(str, chunk)),
                "per_page": str(len(chunk)),
                "dp": ORDER_DECIMALS,
            }
            records, _ = self._get_list("orders", params)
            batch = _parse_all(records, parse_order)
            out.extend(batch)
            out.rejected.extend(batch.rejected)
        return out

    def get_order(self, order_id: int) -> Order:
        """One order; NotFoundError if it does not exist, ParseError if it is malformed."""
        data, _ = self._get(f"orders/{int(order_id)}", {"dp": ORDER_DECIMALS})
        return parse_order(_expect(data, dict, f"orders/{int(order_id)}"))

    def get_refunds(self, order_id: int) -> list[dict[str, Any]]:
        """The refunds of one order, raw (line items with negative quantities)."""
        path = f"orders/{int(order_id)}/refunds"
        records, _ = self._get_list(path, {"per_page": "100"})
        return [r for r in records if isinstance(r, dict)]

    # ------------------------------------------------------------------ customers

    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[ParsedBatch[Customer]]:
        """Customers by id (chunks of 100), or all of them by registration date, page by page.

        The list defaults to ``role=customer`` in WooCommerce; ``all`` includes every role.
        ``newest_first`` lets a caller looking for new customers stop after the first pages.
        """
        if ids is not None:
            for chunk in _chunks(_unique(ids), INCLUDE_CHUNK):
                params = {
                    "include": ",".join(map(str, chunk)),
                    "per_page": str(len(chunk)),
                    "role": role,
                }
                records, _ = self._get_list("customers", params)
                yield _parse_all(records, parse_customer)
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
            walker.accept(len(records), _int_header(headers, "X-WP-TotalPages"))
            new = [r for r in records if _id_of(r) is None or _id_of(r) not in seen]
            seen.update(i for i in map(_id_of, records) if i is not None)
            batch = _parse_all(new, parse_customer)
            if batch or batch.rejected:
                yield batch


# ---------------------------------------------------------------------- helpers


def _expect(data: Any, kind: type[T], endpoint: str) -> T:
    if isinstance(data, kind):
        return data
    got = type(data).__name__
    detail = ""
    if isinstance(data, Mapping) and ("code" in data or "message" in data):
        code, message = describe_woo_error(data)
        detail = f": {code}: {message}" if code else f": {message}"
    wanted = "a list" if kind is list else "an object"
    raise RemoteError(
        f"WooCommerce {endpoint}: expected {wanted} in the JSON answer, got {got}{detail}"
    )


def _parse_all(records: Sequence[object], parse: Callable[[object], T]) -> ParsedBatch[T]:
    out: ParsedBatch[T] = ParsedBatch()
    for raw in records:
        try:
            out.append(parse(raw))
        except ParseError as exc:
            out.rejected.append(
                Rejected(_id_of(raw), str(exc), raw if isinstance(raw, Mapping) else {"raw": raw})
            )
    return out


def _id_of(raw: object) -> int | None:
    return record_key(raw).id


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name) if headers is not None else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _server_time(headers: Any) -> datetime | None:
    value = headers.get("Date") if headers is not None else None
    if not isinstance(value, str):
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("yes", "no"):
        return value == "yes"
    return None


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "OrderPage",
    "ParsedBatch",
    "Rejected",
    "StoreInfo",
    "WooClient",
    "describe_woo_error",
]
