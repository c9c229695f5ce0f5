"""The store's webhooks: list them, create or update wooodoo's own, and what looks wrong with them.

wooodoo's hooks are the ones for ``TOPICS`` whose delivery URL is the receiver's: registering
again finds them by (topic, URL) and updates them instead of making twins. These are the only
writes wooodoo ever sends to WooCommerce.
"""

from __future__ import annotations

import logging
import secrets as pysecrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from wooodoo.config.urls import normalise_url
from wooodoo.errors import AuthError, RemoteError, TransientError, WooodooError
from wooodoo.http import redact_url
from wooodoo.woo.answers import expect_json, int_header
from wooodoo.woo.client import WooClient
from wooodoo.woo.pagination import PageWalker

log = logging.getLogger(__name__)

TOPICS = ("order.created", "order.updated", "customer.created", "customer.updated")
PER_PAGE = 100
ADMIN_PATH = "WooCommerce → Settings → Advanced → Webhooks"


@dataclass(frozen=True)
class Hook:
    """One webhook as the store lists it; its secret is never kept."""

    id: int
    topic: str
    status: str  # active | paused | disabled
    delivery_url: str
    name: str = ""

    def delivers_to(self, url: str) -> bool:
        return same_url(self.delivery_url, url)

    @property
    def shown_url(self) -> str:
        """The delivery URL without user info or token-like query values."""
        return redact_url(self.delivery_url) if self.delivery_url else ""


@dataclass
class Registration:
    """What ``register_hooks`` did: hooks created, hooks updated (active, new secret)."""

    listed: list[Hook]  # the store's hooks before
    created: list[Hook] = field(default_factory=list)
    updated: list[Hook] = field(default_factory=list)

    @property
    def hooks(self) -> list[Hook]:
        return [*self.created, *self.updated]

    @property
    def after(self) -> list[Hook]:
        """The store's hooks now, as the answers to the writes tell."""
        now = {h.id: h for h in [*self.listed, *self.hooks]}
        return sorted(now.values(), key=lambda h: h.id)


class WritePermissionError(AuthError):
    """The store refused a webhook write from a key it lets read: the key is read-only."""


class PartlyRegisteredError(WooodooError):
    """Register stopped after some hooks were given the new secret, which was not stored."""

    def __init__(self, cause: WooodooError, written: Sequence[Hook]) -> None:
        super().__init__(
            cause.message,
            problems=(
                *cause.problems,
                *(f"hook {h.id} ({h.topic}) already carries the new secret" for h in written),
            ),
            hint="The new secret was not stored, so the receiver refuses those hooks' "
            "deliveries (401): run register again once the cause is fixed; it updates the "
            "same hooks.",
        )
        self.exit_code = cause.exit_code


def new_secret() -> str:
    """A fresh delivery secret (256 bits, URL-safe, as a password field takes it)."""
    return pysecrets.token_urlsafe(32)


def same_url(a: str, b: str) -> bool:
    """Equal once normalised (scheme and host case, trailing slash); as given otherwise."""
    return _normalised(a) == _normalised(b)


def _normalised(url: str) -> str:
    try:
        return normalise_url(url)
    except ValueError:
        return url


def parse_hook(raw: object) -> Hook | None:
    """A listed webhook; None when it has no usable id (the store's answer is malformed)."""
    if not isinstance(raw, dict):
        return None
    hook_id = raw.get("id")
    if not isinstance(hook_id, int) or isinstance(hook_id, bool):
        return None
    return Hook(
        id=hook_id,
        topic=_text(raw.get("topic")),
        status=_text(raw.get("status")),
        delivery_url=_text(raw.get("delivery_url")),
        name=_text(raw.get("name")),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def list_hooks(client: WooClient) -> list[Hook]:
    """Every webhook of the store, whatever its status, by id."""
    walker = PageWalker(per_page=PER_PAGE)
    found: dict[int, Hook] = {}
    while (page := walker.next_page()) is not None:
        params = {"per_page": str(PER_PAGE), "page": str(page), "orderby": "id", "order": "asc"}
        data, headers = client.request("GET", "webhooks", params=params)
        records = expect_json(data, list, "webhooks")
        walker.accept(len(records), int_header(headers, "X-WP-TotalPages"))
        for raw in records:
            hook = parse_hook(raw)
            if hook is None:
                log.warning("the store listed a webhook without a usable id; it is left out")
            else:
                found[hook.id] = hook
    return sorted(found.values(), key=lambda h: h.id)


def register_hooks(client: WooClient, url: str, secret: str, *, tenant: str) -> Registration:
    """wooodoo's hooks for ``TOPICS`` delivering to ``url``: updated if there, else created.

    Each ends active with ``secret``. A key that may read but not write gets a
    WritePermissionError before anything changed; an error after a first write is a
    PartlyRegisteredError naming the hooks that already carry ``secret``.
    """
    done = Registration(list_hooks(client))  # the key may read: a refused write is permission
    try:
        for topic in TOPICS:
            mine = [h for h in done.listed if h.topic == topic and h.delivers_to(url)]
            if mine:
                done.updated.extend(_update(client, h.id, secret) for h in mine)
            else:
                name = f"wooodoo/{tenant} {topic}"
                done.created.append(_create(client, topic, url, secret, name))
    except AuthError as exc:
        if done.hooks:
            raise PartlyRegisteredError(exc, done.hooks) from None
        raise read_only_key(exc, url, tenant) from None
    except WooodooError as exc:
        if done.hooks:
            raise PartlyRegisteredError(exc, done.hooks) from None
        raise
    return done


def read_only_key(refused: AuthError, url: str, tenant: str) -> WritePermissionError:
    """The refusal of a first write, with both ways forward: a Read/Write key, or WP admin."""
    return WritePermissionError(
        f"the WooCommerce key of tenant {tenant} may read but not write webhooks; "
        "nothing was changed",
        problems=[refused.message],
        hint="Either give the key Read/Write permission (WooCommerce → Settings → Advanced → "
        "REST API → the key → Permissions) and run register again,\n  or create the hooks in "
        f"WordPress admin: {ADMIN_PATH} → Add webhook, one per topic ({', '.join(TOPICS)}), "
        f"status Active, delivery URL {url}, API version WP REST API Integration v3, all with "
        "the same secret, one you make up and store with "
        f"`wooodoo secrets set --tenant {tenant} webhook_secret`.",
    )


def _create(client: WooClient, topic: str, url: str, secret: str, name: str) -> Hook:
    body = {"name": name, "topic": topic, "delivery_url": url, "secret": secret}
    try:
        data, _ = client.request("POST", "webhooks", body={**body, "status": "active"})
    except TransientError:
        # Sent once: the store may have made it anyway. Adopt it if so, never make a twin.
        made = [h for h in list_hooks(client) if h.topic == topic and h.delivers_to(url)]
        if not made:
            raise
        log.info("webhook %s for %s was created although the answer was lost", made[0].id, topic)
        return _update(client, made[0].id, secret)
    return _parsed(data, "webhooks")


def _update(client: WooClient, hook_id: int, secret: str) -> Hook:
    path = f"webhooks/{hook_id}"
    data, _ = client.request("PUT", path, body={"status": "active", "secret": secret})
    return _parsed(data, path)


def _parsed(data: Any, endpoint: str) -> Hook:
    hook = parse_hook(expect_json(data, dict, endpoint))
    if hook is None:
        raise RemoteError(f"WooCommerce {endpoint}: the answer has no webhook id")
    return hook


def warnings(hooks: Sequence[Hook], url: str | None = None) -> list[str]:
    """What looks wrong among the store's hooks for wooodoo's topics.

    ``url`` is the receiver's; without it, the URL most of those hooks deliver to.
    """
    ours = [h for h in hooks if h.topic in TOPICS]
    return [*_stopped(ours), *_elsewhere(ours, url), *_twins(ours), *_missing(ours)]


def _stopped(ours: Sequence[Hook]) -> Iterator[str]:
    for hook in ours:
        if hook.status == "disabled":
            yield (
                f"hook {hook.id} ({hook.topic}) is disabled: the store stopped delivering to it "
                "(it does after 5 failed deliveries in a row); register with its URL turns it "
                "back on"
            )
        elif hook.status != "active":
            state = hook.status or "without a status"
            yield (
                f"hook {hook.id} ({hook.topic}) is {state}: the store does not deliver it; "
                "register with its URL turns it back on"
            )


def main_url(ours: Sequence[Hook]) -> str | None:
    """The delivery URL most of wooodoo's hooks use (on a tie, the oldest hook's)."""
    by_url: dict[str, list[Hook]] = {}
    for hook in sorted(ours, key=lambda h: h.id):
        by_url.setdefault(_normalised(hook.delivery_url), []).append(hook)
    if not by_url:
        return None
    # max keeps the first of equals, and the groups are in the order of their oldest hook
    return max(by_url.values(), key=len)[0].delivery_url


def _elsewhere(ours: Sequence[Hook], url: str | None) -> Iterator[str]:
    expected = url or main_url(ours)
    if expected is None:
        return
    where = "(the receiver's)" if url else "like the other hooks"
    for hook in ours:
        if not hook.delivers_to(expected):
            yield (
                f"hook {hook.id} ({hook.topic}) delivers to {hook.shown_url}, not to "
                f"{redact_url(expected)} {where}: delete it in {ADMIN_PATH} if it is an old one"
            )


def _twins(ours: Sequence[Hook]) -> Iterator[str]:
    groups: dict[tuple[str, str], list[Hook]] = {}
    for hook in ours:
        groups.setdefault((hook.topic, _normalised(hook.delivery_url)), []).append(hook)
    for (topic, _), group in groups.items():
        if len(group) > 1:
            ids = ", ".join(str(h.id) for h in group[:-1]) + f" and {group[-1].id}"
            yield (
                f"hooks {ids} all deliver {topic} to {group[0].shown_url}: every event "
                f"arrives {len(group)} times (kept once); delete the extra ones in {ADMIN_PATH}"
            )


def _missing(ours: Sequence[Hook]) -> Iterator[str]:
    if not ours:
        yield f"no hook for wooodoo's topics ({', '.join(TOPICS)}): register creates them"
        return
    for topic in TOPICS:
        if not any(h.topic == topic for h in ours):
            yield f"no hook for {topic}: its changes reach Odoo only with the next sync"
