"""``wooodoo webhook``: the store's deliveries; ``verify`` checks one's signature, offline.

Another webhook command joins with ``@webhook_group.command(...)`` in this module; ``register``
adds the group to ``main`` with every command defined on it by then.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from wooodoo import config as config_mod
from wooodoo import secrets as secrets_mod
from wooodoo.cli.group import CliState, pass_state
from wooodoo.errors import EXIT_RECORDS_FAILED, ConfigError, UsageError, WooodooError
from wooodoo.webhook.signature import SIGNATURE_HEADER, HeadersFileError, parse_headers, verify

log = logging.getLogger(__name__)


class SignatureMismatchError(WooodooError):
    """The signature given is not the body's under the tenant's secret."""

    exit_code = EXIT_RECORDS_FAILED


@click.group("webhook")
def webhook_group() -> None:
    """WooCommerce webhook deliveries: check that one really comes from the store.

    The store signs every delivery but its ping with the tenant's
    webhook_secret: X-WC-Webhook-Signature is base64(HMAC-SHA256(raw body,
    secret)). Store the secret with `wooodoo secrets set --tenant acme webhook_secret`.

    \b
    Example:
      wooodoo webhook verify --tenant acme --headers delivery.json delivery.body
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


def register(group: click.Group) -> None:
    group.add_command(webhook_group)
