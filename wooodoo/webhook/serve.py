"""``wooodoo webhook serve`` without the command line: receiver, inbox worker, waitress.

The receiver keeps each verified delivery in the audit inbox and answers; the worker opens the
tenant (its lock, both clients) and drains the inbox through the sync engine. Meant to run
behind a TLS reverse proxy on loopback (see the README for nginx and a systemd unit).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from wooodoo.audit import AuditLog, open_audit
from wooodoo.config import Config, TenantConfig
from wooodoo.errors import SecretError, UsageError
from wooodoo.secrets import resolve_secrets
from wooodoo.webhook.receiver import MAX_BODY, Receiver
from wooodoo.webhook.worker import InboxWorker
from wooodoo.wiring import KeptSides

log = logging.getLogger(__name__)


def webhook_secrets(tenants: list[TenantConfig]) -> tuple[dict[str, str], list[str]]:
    """Each tenant's ``webhook_secret``; the names of tenants without one (not served)."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for tenant in tenants:
        try:
            secrets = resolve_secrets(tenant, ("webhook_secret",))
        except SecretError:
            missing.append(tenant.name)
            continue
        found[tenant.name] = secrets.require("webhook_secret").reveal()
    return found, missing


class QueueWarnings(logging.Filter):
    """Waitress warns once per request that waits for a free thread: at most one line a minute.

    A burst of a few hundred deliveries would otherwise write a few hundred lines (and spend
    the time writing them); the line kept names the deepest queue since the last one.
    """

    def __init__(self, every: float = 60.0) -> None:
        super().__init__()
        self.every = every
        self.deepest = 0
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if isinstance(depth, int):
            self.deepest = max(self.deepest, depth)
        now = time.monotonic()
        if now - self._last < self.every:
            return False
        self._last = now
        record.msg = "up to %d deliveries waited for a free answer thread (see --threads)"
        record.args = (self.deepest,)
        self.deepest = 0
        return True


class WebhookServer:
    """The receiver on ``host:port`` (waitress) and the inbox worker, run and stopped together."""

    def __init__(
        self,
        config: Config,
        tenants: list[TenantConfig],
        *,
        host: str = "127.0.0.1",
        port: int = 8787,
        threads: int = 8,
        interval: float = 10.0,
    ) -> None:
        self.config = config
        self.tenants = {t.name: t for t in tenants}
        self._kept: dict[str, KeptSides] = {}  # the worker's open clients, per tenant
        secrets, self.unserved = webhook_secrets(tenants)
        if not secrets:
            raise UsageError(
                "no tenant has a webhook_secret: nothing to serve",
                hint="Set one with `wooodoo secrets set --tenant acme webhook_secret`.",
            )
        # a delivery answered 2xx is never sent again: it must survive a power cut too; an
        # answer never waits for a checkpoint: the worker's connection makes them
        self.store: AuditLog = open_audit(config.audit_db, durable=True, checkpoints=False)
        self.worker = InboxWorker(self._drain, self._waiting, interval=interval)
        app = Receiver(secrets, self.store, self.worker.wake, max_body=MAX_BODY)
        self._map: dict[int, Any] = {}  # waitress's socket map, ours so that stop() can empty it
        self.server: Any = create_server(
            app, map=self._map, host=host, port=port, threads=threads, ident="wooodoo"
        )
        self._finished = False
        self._queue_warnings = QueueWarnings()
        logging.getLogger("waitress.queue").addFilter(self._queue_warnings)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def run(self) -> None:
        """Serve until ``stop`` (or SIGINT); deliveries kept before a restart are drained first."""
        self.worker.start()
        self.worker.wake("")
        try:
            self.server.run()
        finally:
            self._finish()

    def stop(self) -> None:
        """Ask the serving loop to end, from any thread (it closes its sockets itself)."""
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self._map))

    def _finish(self) -> None:
        """Stop answering, let the drain in progress finish, close the inbox (once)."""
        if self._finished:
            return
        self._finished = True
        logging.getLogger("waitress.queue").removeFilter(self._queue_warnings)
        if self._queue_warnings.deepest:
            log.warning(
                "up to %d deliveries waited for a free answer thread (see --threads)",
                self._queue_warnings.deepest,
            )
        wasyncore.close_all(self._map)
        self.server.task_dispatcher.shutdown()
        self.worker.stop()
        for kept in self._kept.values():
            kept.close()
        self.store.close()

    def _waiting(self) -> list[str]:
        return [t for t in self.store.inbox_tenants() if t in self.tenants]

    def _drain(self, tenant: str) -> None:
        kept = self._kept.get(tenant)
        if kept is None:
            kept = self._kept[tenant] = KeptSides(self.config, self.tenants[tenant])
        with kept.engine() as engine:
            result = engine.drain_inbox(between=self.worker.let_burst_pass)
        if result is not None:
            log.info("tenant %s: %s", tenant, dict(result.stats))
