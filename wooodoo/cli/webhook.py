"""``wooodoo webhook``: the store's hooks (register, list) and its deliveries (serve, verify).

Another webhook command joins with ``@webhook_group.command(...)`` in this module; ``register``
adds the group to ``main`` with every command defined on it by then.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.table import Table

from wooodoo import config as config_mod
from wooodoo import secrets as secrets_mod
from wooodoo.cli.group import CliState, pass_state
from wooodoo.config import TenantConfig
from wooodoo.config.urls import normalise_url
from wooodoo.errors import (
    EXIT_RECORDS_FAILED,
    ConfigError,
    SecretError,
    UsageError,
    WooodooError,
)
from wooodoo.http import RetryPolicy
from wooodoo.webhook.signature import SIGNATURE_HEADER, HeadersFileError, parse_headers, verify
from wooodoo.wiring import woo_client
from wooodoo.woo import webhooks as woo_webhooks
from wooodoo.woo.client import WooClient

log = logging.getLogger(__name__)


class SignatureMismatchError(WooodooError):
    """The signature given is not the body's under the tenant's secret."""

    exit_code = EXIT_RECORDS_FAILED


@click.group("webhook")
def webhook_group() -> None:
    """WooCommerce webhooks: register them, receive them, check that one comes from the store.

    The store signs every delivery but its ping with the tenant's
    webhook_secret: X-WC-Webhook-Signature is base64(HMAC-SHA256(raw body,
    secret)). The register command makes the hooks and stores their secret;
    for hooks made by hand, store it with
    `wooodoo secrets set --tenant acme webhook_secret`.

    \b
    Examples:
      wooodoo webhook verify --tenant acme --headers delivery.json delivery.body
      wooodoo webhook list --tenant acme
    """


@webhook_group.command("verify")
@click.argument("body_path", metavar="[BODY]", required=False, default="-")
@click.option(
    "--tenant",
    "-t",
    metavar="TENANT",
    help="Whose webhook_secret signed it (default: the config's only tenant).",
)
@click.option("--signature", "-s", metavar="BASE64", help="The X-WC-Webhook-Signature value.")
@click.option(
    "--headers",
    "headers_path",
    metavar="FILE",
    help="Take the signature from the delivery's headers: a capture (JSON with a headers list)"
    " or `Name: value` lines.",
)
@pass_state
def verify_command(
    state: CliState,
    body_path: str,
    tenant: str | None,
    signature: str | None,
    headers_path: str | None,
) -> None:
    """Check a delivery's signature against its raw body and the tenant's webhook_secret.

    BODY is the body exactly as received, byte for byte: a file, or standard
    input when it is - or left out. The secret comes from the keyring or
    WOOODOO_<TENANT>_WEBHOOK_SECRET and is never printed, nor is the expected
    signature. Exits 0 when the signature matches, 1 when it does not, 2 when
    something is missing (secret, signature) or a file cannot be read.

    \b
    Examples:
      wooodoo webhook verify --tenant acme --headers delivery.json delivery.body
      wooodoo webhook verify -t acme --signature "$SIGNATURE" < delivery.body
      wooodoo -q webhook verify --tenant acme --headers headers.txt body.json && echo genuine
    """
    name = _tenant(state, tenant)
    claimed = _claimed_signature(signature, headers_path)
    secret = secrets_mod.resolve_secrets(name, ("webhook_secret",)).require("webhook_secret")
    body = _read_body(body_path)
    if not verify(body, secret.reveal(), claimed):
        raise SignatureMismatchError(f"signature does not match (tenant {name}, {len(body)} bytes)")
    state.echo(f"signature valid (tenant {name}, {len(body)} bytes)")


def _tenant(state: CliState, tenant: str | None) -> str:
    """The tenant named, checked against the config when there is one; else the only one."""
    if tenant is None:
        names = [t.name for t in state.tenants(())]
        if len(names) != 1:
            raise UsageError(
                "name the tenant whose webhook_secret signed the delivery with --tenant",
                hint=f"Tenants in {state.load_config().path}: {', '.join(names)}.",
            )
        return names[0]
    if not config_mod.TENANT_NAME_RE.fullmatch(tenant):
        raise UsageError(f"invalid tenant name {tenant!r}: use only a-z, 0-9, '_' and '-'")
    try:
        state.tenants([tenant])
    except ConfigError as exc:  # only the secret is needed: verify works without a config
        log.info("tenant %r not checked against the configuration: %s", tenant, exc.message)
    return tenant


def _claimed_signature(signature: str | None, headers_path: str | None) -> str:
    if signature is not None and headers_path is not None:
        raise UsageError("give the signature with --signature or --headers, not both")
    if signature is not None:
        return signature
    if headers_path is None:
        raise UsageError(
            "no signature to check",
            hint="Give --signature BASE64, or --headers FILE with the delivery's headers.",
        )
    try:
        data = Path(headers_path).read_bytes()
    except OSError as exc:
        raise HeadersFileError(headers_path, f"cannot be read ({_reason(exc)})") from None
    claimed = parse_headers(data, headers_path).get(SIGNATURE_HEADER)
    if claimed is None:
        raise HeadersFileError(
            headers_path,
            f"no {SIGNATURE_HEADER} header",
            hint="The store signs every delivery except its ping (body webhook_id=N).",
        )
    return claimed


def _read_body(body_path: str) -> bytes:
    if body_path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(body_path).read_bytes()
    except OSError as exc:
        raise UsageError(f"body file {body_path}: cannot be read ({_reason(exc)})") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@webhook_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8787, show_default=True, help="Port."
)
@click.option(
    "--tenant",
    "-t",
    "tenant_names",
    multiple=True,
    metavar="TENANT",
    help="Serve only these tenants (default: every tenant with a webhook_secret).",
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Answer threads."
)
@pass_state
def serve_command(
    state: CliState, host: str, port: int, tenant_names: tuple[str, ...], threads: int
) -> None:
    """Receive the store's webhooks and turn them into invoices within seconds.

    POST /webhooks/<tenant> takes a tenant's deliveries (GET /healthz says
    it is up). Each verified delivery is kept in the audit inbox before the
    answer; a worker then syncs the orders and customers it names, through
    the same path as `wooodoo sync` (a sync run holding the tenant's lock
    drains the inbox itself). Put it behind a TLS reverse proxy: the README
    shows nginx and a systemd unit. Stops cleanly on SIGTERM or Ctrl-C.

    \b
    Examples:
      wooodoo webhook serve
      wooodoo webhook serve --port 8787 --tenant acme
    """
    from wooodoo.webhook.serve import WebhookServer

    server = WebhookServer(
        state.load_config(), state.tenants(tenant_names), host=host, port=port, threads=threads
    )
    for name in server.unserved:
        state.warn(f"tenant {name} has no webhook_secret: its deliveries get 401")
    served = ", ".join(sorted(set(server.tenants) - set(server.unserved)))
    state.echo(f"listening on http://{host}:{server.port}/webhooks/<tenant> ({served})")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # the serving loop ends on it, in this (the main) thread

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    state.echo("webhook receiver stopped")


# --- the store's hooks: register (the one write) and list -------------------------------------

_shop_tenant_option = click.option(
    "--tenant", "-t", required=True, metavar="TENANT", help="Tenant whose store it is."
)


@webhook_group.command("register")
@_shop_tenant_option
@click.option(
    "--url",
    required=True,
    metavar="URL",
    help="Where the store delivers: the receiver's public URL for this tenant.",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Store the secret in this env file (0600, as systemd's EnvironmentFile reads it)"
    " instead of the keyring.",
)
@pass_state
def register_command(state: CliState, tenant: str, url: str, env_file: Path | None) -> None:
    """Create or update the store's hooks for wooodoo, with a new secret.

    The one command that writes to WooCommerce. One hook per topic
    (order.created, order.updated, customer.created, customer.updated)
    delivers to URL (https, or http on loopback), active, all with a fresh
    secret that is then stored in the keyring as the tenant's webhook_secret.
    Running it again updates the same hooks (found by topic and URL) with a
    new secret instead of adding more. The key needs Read/Write permission
    for this; with a read-only key the error says how to create the hooks in
    WordPress admin instead. A running `wooodoo webhook serve` reads the
    secret when it starts: restart it afterwards.

    \b
    Examples:
      wooodoo webhook register --tenant acme --url https://hooks.acme.example/webhooks/acme
      wooodoo webhook register -t acme --url http://127.0.0.1:8787/webhooks/acme
      wooodoo webhook register -t acme --url https://h.example/webhooks/acme --env-file env
    """
    shop = _shop(state, tenant)
    try:
        target = normalise_url(url)
    except ValueError as exc:
        raise UsageError(f"--url {url}: {exc}") from None
    if not urlsplit(target).path.endswith(f"/webhooks/{tenant}"):
        state.warn(
            f"the receiver takes tenant {tenant}'s deliveries at /webhooks/{tenant}: make sure "
            f"{target} reaches that path"
        )
    if env_file is None:  # checked before anything is written to the store
        _check_secret_storable(tenant)
    else:
        secrets_mod.check_env_file(env_file)
    secret = woo_webhooks.new_secret()
    with _woo(shop) as client:
        done = woo_webhooks.register_hooks(client, target, secret, tenant=tenant)
    backend = _store_secret(tenant, secret, done.hooks, env_file)
    for verb, hooks in (("created", done.created), ("updated", done.updated)):
        for hook in hooks:
            state.echo(f"{verb} hook {hook.id} ({hook.topic}, {hook.status}) -> {hook.shown_url}")
    state.echo(f"stored the new webhook_secret of tenant {tenant!r} in {backend}")
    for warning in woo_webhooks.warnings(done.after, target):
        state.warn(warning)
    state.echo("restart `wooodoo webhook serve` if it runs: it reads webhook_secret at start")


def _shop(state: CliState, tenant: str) -> TenantConfig:
    if not config_mod.TENANT_NAME_RE.fullmatch(tenant):
        raise UsageError(f"invalid tenant name {tenant!r}: use only a-z, 0-9, '_' and '-'")
    return state.tenants([tenant])[0]


def _woo(tenant: TenantConfig) -> WooClient:
    keys = secrets_mod.resolve_secrets(tenant, ("woo_consumer_key", "woo_consumer_secret"))
    return woo_client(tenant, keys, RetryPolicy(attempts=3, total_seconds=30))


def _check_secret_storable(tenant: str) -> None:
    """The keyring must be able to take the new secret, and nothing may override it."""
    found = secrets_mod.lookup_secret(tenant, "webhook_secret")
    by_hand = (
        "or create the hooks in WordPress admin (WooCommerce → Settings → Advanced → Webhooks) "
        f"with a secret of your own, and give the receiver that secret in {found.env_var}"
    )
    if found.env_var in os.environ:
        raise UsageError(
            f"{found.env_var} is set: the receiver would go on using it, not the secret "
            "register makes; nothing was changed",
            hint=f"Unset it and run register again (the secret then lives in the keyring), "
            f"{by_hand}.",
        )
    if found.keyring_unusable:
        raise SecretError(
            f"the new webhook_secret could not be stored: {found.problem}; nothing was changed",
            hint="Run register where the keyring works (`wooodoo secrets check` shows the "
            f"backend), {by_hand}.",
        )


def _store_secret(
    tenant: str, secret: str, written: list[woo_webhooks.Hook], env_file: Path | None
) -> str:
    """Where the secret went: the keyring (its backend) or the env file."""
    try:
        if env_file is not None:
            secrets_mod.store_in_env_file(env_file, tenant, "webhook_secret", secret)
            return str(env_file)
        return "the keyring (" + secrets_mod.set_secret(tenant, "webhook_secret", secret) + ")"
    except SecretError as exc:
        raise SecretError(
            f"the store's hooks now carry a new secret that could not be stored: {exc.message}",
            problems=[f"hook {h.id} ({h.topic}) carries it" for h in written],
            hint="Nobody else has that secret: the receiver refuses these hooks' deliveries "
            "(401), and the store disables a hook after 5 failures. Fix the keyring, then run "
            f"`wooodoo webhook register --tenant {tenant} --url URL` again with the same URL: "
            "it gives the same hooks a fresh secret and stores it.",
        ) from None


@webhook_group.command("list")
@_shop_tenant_option
@click.option(
    "--url",
    metavar="URL",
    help="The receiver's URL: warn about wooodoo's hooks that deliver elsewhere"
    " (default: the URL most of them use).",
)
@pass_state
def list_command(state: CliState, tenant: str, url: str | None) -> None:
    """Show the store's webhooks: id, topic, status and delivery URL.

    Never a secret: the store does not list them. Warns about wooodoo's hooks
    (order.created, order.updated, customer.created, customer.updated) that
    the store has disabled or paused, that deliver somewhere else than the
    others, that come twice, or are missing (on stderr; with -q nothing
    else is printed). A Read key is enough. On a terminal a table; otherwise
    one line per hook: id topic status URL.

    \b
    Examples:
      wooodoo webhook list --tenant acme
      wooodoo webhook list -t acme --url https://hooks.acme.example/webhooks/acme
      wooodoo -q webhook list --tenant acme    # only the warnings, for cron
    """
    shop = _shop(state, tenant)
    with _woo(shop) as client:
        hooks = woo_webhooks.list_hooks(client)
    if state.interactive and not hooks:
        state.echo(f"the store of tenant {tenant} has no webhooks")
    elif state.interactive:
        table = Table(title=f"webhooks of {tenant}")
        for column in ("id", "topic", "status", "delivery URL"):
            table.add_column(column, justify="right" if column == "id" else "left")
        for hook in hooks:
            status = hook.status if hook.status == "active" else f"[yellow]{hook.status}"
            table.add_row(str(hook.id), hook.topic, status, hook.shown_url)
        Console().print(table)
    else:
        for hook in hooks:
            state.echo(f"{hook.id} {hook.topic} {hook.status} {hook.shown_url}")
    for warning in woo_webhooks.warnings(hooks, url):
        state.warn(warning)


def register(group: click.Group) -> None:
    group.add_command(webhook_group)
