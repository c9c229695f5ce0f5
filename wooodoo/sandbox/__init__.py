"""The sandbox: a WooCommerce and an Odoo look-alike on loopback, for demo, tests and benchmarks."""

from __future__ import annotations

import json
import os
import secrets as pysecrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from wooodoo.sandbox.catalog import ACCOUNT_ROLES, SALE_JOURNAL, TAX_RATES
from wooodoo.sandbox.delivery import loopback_delivery
from wooodoo.sandbox.faults import (
    FaultInjector,
    FaultPlan,
    RequestCounter,
    StartResponse,
    WSGIApp,
    WSGIEnviron,
)
from wooodoo.sandbox.latency import Latency, Timing
from wooodoo.sandbox.odoo import VERSIONS, OdooApp
from wooodoo.sandbox.odoo.work import WorkModel
from wooodoo.sandbox.server import CertificateAuthority, LoopbackServer
from wooodoo.sandbox.shop import StoreData, generate_store
from wooodoo.sandbox.woo import WooApp
from wooodoo.sandbox.woo.auth import WooKey
from wooodoo.secrets import env_var_name

TaxRounding = Literal["round_per_line", "round_globally"]
ODOO_DATABASE = "wooodoo"
ODOO_LOGIN = "sync@example.test"
SINCE = "2026-01-01"


@dataclass(frozen=True)
class SandboxSecrets:
    """Made fresh for every run; written only to the ``.env`` file beside a config."""

    woo_consumer_key: str
    woo_consumer_secret: str
    odoo_api_key: str
    webhook_secret: str

    @classmethod
    def fresh(cls) -> SandboxSecrets:
        return cls(
            woo_consumer_key="ck_" + pysecrets.token_hex(20),
            woo_consumer_secret="cs_" + pysecrets.token_hex(20),
            odoo_api_key=pysecrets.token_hex(20),
            webhook_secret=pysecrets.token_urlsafe(24),
        )

    def items(self) -> Iterable[tuple[str, str]]:
        return self.__dict__.items()

    def __repr__(self) -> str:
        return "SandboxSecrets(***)"


class Control:
    """``/__sandbox__/`` endpoints: read counters, change faults, latency (and Odoo's work)."""

    def __init__(
        self,
        app: WSGIApp,
        injector: FaultInjector,
        counter: RequestCounter,
        odoo: OdooApp | None = None,
        latency: Latency | None = None,
    ) -> None:
        self.app = app
        self.injector = injector
        self.counter = counter
        self.odoo = odoo
        self.latency = latency

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/__sandbox__/"):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/__sandbox__/counts" and method == "GET":
                return _json(start_response, "200 OK", self.counter.snapshot())
            if path == "/__sandbox__/counts" and method == "DELETE":
                self.counter.reset()
                return _json(start_response, "200 OK", {})
            if path == "/__sandbox__/faults" and method == "GET":
                return _json(start_response, "200 OK", self.injector.plan.__dict__)
            if path == "/__sandbox__/faults" and method in ("POST", "PUT"):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                changes = json.loads(environ["wsgi.input"].read(length) or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("expected a JSON object of fault settings")
                base = FaultPlan() if method == "PUT" else self.injector.plan
                self.injector.plan = base.with_updates(**{k: float(v) for k, v in changes.items()})
                return _json(start_response, "200 OK", self.injector.plan.__dict__)
            if path == "/__sandbox__/latency" and self.latency is not None:
                return self._latency(environ, start_response, method, self.latency)
            if path == "/__sandbox__/work" and self.odoo is not None:
                return self._work(environ, start_response, method, self.odoo)
        except (ValueError, TypeError) as exc:
            return _json(start_response, "400 Bad Request", {"error": str(exc)})
        return _json(start_response, "404 Not Found", {"error": f"no control endpoint {path}"})

    @staticmethod
    def _latency(
        environ: WSGIEnviron, start_response: StartResponse, method: str, latency: Latency
    ) -> list[bytes]:
        """This server's round-trip latency (POST ``{"ms": 100}``) and what it has timed."""
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            changes = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not isinstance(changes, dict) or set(changes) - {"ms"}:
                raise ValueError('expected a JSON object such as {"ms": 100}')
            ms = float(changes.get("ms", latency.ms))
            if ms < 0:
                raise ValueError("latency must be 0 ms or more")
            latency.ms = ms
        elif method != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": "GET or POST"})
        return _json(start_response, "200 OK", {"ms": latency.ms, **latency.snapshot().__dict__})

    @staticmethod
    def _work(
        environ: WSGIEnviron, start_response: StartResponse, method: str, odoo: OdooApp
    ) -> list[bytes]:
        """How long Odoo works on a create before committing (``WorkModel``), and its tally."""
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            changes = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("expected a JSON object of work settings")
            known = set(WorkModel().__dict__)
            if set(changes) - known:
                raise ValueError(
                    f"unknown work setting(s): {', '.join(sorted(set(changes) - known))}"
                )
            odoo.work = replace(odoo.work, **{k: float(v) for k, v in changes.items()})
        elif method != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": "GET or POST"})
        return _json(
            start_response, "200 OK", {"work": odoo.work.__dict__, "done": odoo.work_done()}
        )


def _json(start_response: StartResponse, status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class Sandbox:
    """Both look-alikes with generated data, started together and stopped together.

    WooCommerce is served over HTTPS with a certificate from a CA made for this run
    (``ca_path``); Odoo over plain HTTP on loopback, as a local Odoo usually is.
    ``latency_ms`` holds every request of both for one network round trip before answering
    (see ``wooodoo.sandbox.latency`` for what it models); ``timing()`` sums what they saw.
    ``keep_alive``: both keep connections open between requests, as a real shop and an Odoo
    behind a web server do (False: a connection per request, as Odoo's own server without one).
    """

    def __init__(
        self,
        *,
        orders: int = 300,
        seed: int = 1,
        customers: int | None = None,
        odoo_version: int = 19,
        tax_rounding: TaxRounding = "round_per_line",
        directory: Path | None = None,
        woo_port: int = 0,
        odoo_port: int = 0,
        woo_faults: FaultPlan | None = None,
        odoo_faults: FaultPlan | None = None,
        odoo_work: WorkModel | None = None,
        tenant: str = "sandbox",
        woo_key_permissions: str = "read",
        deliver_webhooks: bool = False,
        woo_version: str = "7.9.0",
        latency_ms: float = 0.0,
        keep_alive: bool = True,
    ) -> None:
        if odoo_version not in VERSIONS:
            raise ValueError(f"unsupported Odoo version {odoo_version}; choose from {VERSIONS}")
        self.tenant = tenant
        self.secrets = SandboxSecrets.fresh()
        self.store: StoreData = generate_store(seed, orders, customers=customers)
        self.woo_counter = RequestCounter()
        self.odoo_counter = RequestCounter()
        key = WooKey(
            self.secrets.woo_consumer_key, self.secrets.woo_consumer_secret, woo_key_permissions
        )
        # webhooks are POSTed for real (to loopback only) when asked, else only recorded
        self.woo_app = WooApp(
            self.store,
            [key],
            deliver=loopback_delivery if deliver_webhooks else None,
            wc_version=woo_version,
        )
        self.odoo_app = OdooApp(
            odoo_version,
            database=ODOO_DATABASE,
            login=ODOO_LOGIN,
            api_key=self.secrets.odoo_api_key,
            tax_rounding=tax_rounding,
            counter=self.odoo_counter,
            work=odoo_work,
        )
        self.woo_faults = FaultInjector(self.woo_app, self.woo_counter, woo_faults, seed=seed)
        self.odoo_faults = FaultInjector(
            self.odoo_app, self.odoo_counter, odoo_faults, seed=seed + 1
        )
        # outside the faults: a faulted answer crosses the network too
        self.woo_latency = Latency(self.woo_faults, latency_ms)
        self.odoo_latency = Latency(self.odoo_faults, latency_ms)
        self.ca = CertificateAuthority(directory)
        self._woo = LoopbackServer(
            Control(self.woo_latency, self.woo_faults, self.woo_counter, latency=self.woo_latency),
            port=woo_port,
            tls=self.ca,
            keep_alive=keep_alive,
        )
        self._odoo = LoopbackServer(
            Control(
                self.odoo_latency,
                self.odoo_faults,
                self.odoo_counter,
                self.odoo_app,
                latency=self.odoo_latency,
            ),
            port=odoo_port,
            keep_alive=keep_alive,
        )
        self._started = False

    @property
    def woo_url(self) -> str:
        return self._woo.url

    @property
    def odoo_url(self) -> str:
        return self._odoo.url

    @property
    def ca_path(self) -> Path:
        return self.ca.ca_path

    def start(self) -> Sandbox:
        if not self._started:
            self._woo.start()
            self._odoo.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._woo.stop()
            self._odoo.stop()
            self._started = False

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def latency_ms(self) -> float:
        return self.odoo_latency.ms

    @latency_ms.setter
    def latency_ms(self, ms: float) -> None:
        if ms < 0:
            raise ValueError(f"latency must be 0 ms or more, not {ms}")
        self.woo_latency.ms = self.odoo_latency.ms = ms

    def timing(self) -> Timing:
        """Requests, injected delay and server time of both look-alikes since the last reset."""
        return self.woo_latency.snapshot() + self.odoo_latency.snapshot()

    def reset_timing(self) -> None:
        self.woo_latency.reset()
        self.odoo_latency.reset()

    def odoo_requests(self) -> int:
        """Odoo calls made by clients (XML-RPC execute_kw and JSON-2), control excluded."""
        return self.odoo_counter.total("odoo ")

    def woo_requests(self) -> int:
        return self.woo_counter.total("GET ") + self.woo_counter.total("POST ")

    # ------------------------------------------------------------------ config

    def tenant_config(self, **sync: Any) -> dict[str, Any]:
        """One tenant's config, in the shape of config.example.yaml, pointing at this sandbox."""
        sync_section: dict[str, Any] = {
            "since": SINCE,
            "statuses": ["processing", "completed"],
            "post": True,
            "journal": SALE_JOURNAL,
            "accounts": dict(ACCOUNT_ROLES),
            "taxes": {rate.id: rate.odoo_tax for rate in TAX_RATES},
            "products": "none",
            "batch_size": 100,
        }
        sync_section.update(sync)
        return {
            "woocommerce": {
                "url": self.woo_url,
                "auth": "basic",
                "ca_bundle": str(self.ca_path),
                "timeout": 30,
            },
            "odoo": {
                "url": self.odoo_url,
                "database": ODOO_DATABASE,
                "login": ODOO_LOGIN,
                "api": "auto",
            },
            "sync": sync_section,
        }

    def secret_env(self) -> dict[str, str]:
        """``WOOODOO_<TENANT>_<SECRET>`` variables for this sandbox's secrets."""
        return {env_var_name(self.tenant, name): value for name, value in self.secrets.items()}

    def write_config(
        self, path: Path, *, audit_db: Path | None = None, **sync: Any
    ) -> tuple[Path, Path]:
        """Write the config (0600) and ``<path>.env`` with ``export`` lines for its secrets."""
        data = {
            "audit_db": str(audit_db or path.parent / "audit.sqlite3"),
            "tenants": {self.tenant: self.tenant_config(**sync)},
        }
        header = (
            f"# wooodoo sandbox: WooCommerce {self.woo_url}, Odoo {self.odoo_url}\n"
            f"# secrets: source {path.name}.env (they change with every sandbox run)\n"
        )
        _write_private(path, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        env_path = path.with_name(path.name + ".env")
        lines = [f"export {k}={v}" for k, v in self.secret_env().items()]
        _write_private(env_path, "\n".join(lines) + "\n")
        return path, env_path


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text)


__all__ = ["FaultPlan", "Sandbox", "SandboxSecrets", "Timing", "WorkModel"]
