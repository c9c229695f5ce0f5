"""What the benchmarks share: a sandbox with a config on disk, and the real sync in a child process.

The sync runs as ``wooodoo --config ... sync -q`` in its own process so that its peak RSS can be
read from the kernel (``wait4``'s rusage of that one child) and so that it can be SIGKILLed.
The sandbox stays in the benchmark's process: its memory is the server side and not measured.
"""

from __future__ import annotations

import compileall
import contextlib
import functools
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wooodoo
from wooodoo.sandbox import Sandbox, TaxRounding, WorkModel
from wooodoo.sandbox.odoo import VERSIONS

TAX_ROUNDINGS: tuple[TaxRounding, ...] = ("round_per_line", "round_globally")
ODOO_VERSIONS = VERSIONS
POLL_SECONDS = 0.01
WC_VERSION = "7.9.0"  # the store we sync from; 9.0+ has /refunds
MEASURED = Path(__file__).with_name("measured.py")


@dataclass
class ChildRun:
    """One sync process: how it ended, how long it took, its own peak resident memory."""

    exit_code: int | None  # None when we killed it
    seconds: float
    max_rss_kib: int
    cpu_seconds: float  # the sync's own CPU; the rest of ``seconds`` it waited on the servers
    killed: bool
    stderr: str

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024


@dataclass
class Bench:
    """A started sandbox, its config file and the environment the child needs."""

    box: Sandbox
    config: Path
    audit_db: Path
    env: dict[str, str]

    def sync(
        self, *, timeout: float, kill_after: float | None = None, extra: tuple[str, ...] = ()
    ) -> ChildRun:
        return run_child(
            [*wooodoo_command(), "-q", "--config", str(self.config), "sync", *extra],
            self.env,
            timeout=timeout,
            kill_after=kill_after,
        )

    def reset_counters(self) -> None:
        self.box.woo_counter.reset()
        self.box.odoo_counter.reset()

    def counts(self) -> Counts:
        return Counts(self.box.odoo_counter.snapshot(), self.box.woo_counter.snapshot())

    def read(
        self, model: str, domain: list[Any], fields: list[str], *, archived: bool = False
    ) -> list[dict[str, Any]]:
        """Records of the Odoo look-alike, read in-process under its lock (no request counted)."""
        app = self.box.odoo_app
        with app.transaction():
            context = {"active_test": False} if archived else None
            rows: list[dict[str, Any]] = app.env(model, context).search_read(domain, fields)
            return rows

    def invoices(self) -> list[dict[str, Any]]:
        """The customer invoices the sync made for this tenant, whatever their state."""
        kind = "type" if self.box.odoo_app.version == 13 else "move_type"  # renamed in 14
        return self.read(
            "account.move",
            [
                (kind, "=", "out_invoice"),
                ("invoice_origin", "=like", f"{self.box.tenant}/order/%"),
            ],
            ["invoice_origin", "state", "name"],
        )


@dataclass(frozen=True)
class Counts:
    """Requests the two look-alikes counted, by endpoint."""

    odoo: Mapping[str, int]
    woo: Mapping[str, int]

    @property
    def odoo_calls(self) -> int:
        """execute_kw / JSON-2 model calls (the look-alike counts them as ``odoo model.method``)."""
        return sum(v for k, v in self.odoo.items() if k.startswith("odoo "))

    @property
    def odoo_http(self) -> int:
        return sum(v for k, v in self.odoo.items() if not k.startswith("odoo "))

    @property
    def woo_http(self) -> int:
        return sum(self.woo.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "odoo_calls": self.odoo_calls,
            "odoo_http_requests": self.odoo_http,
            "woo_http_requests": self.woo_http,
            "odoo_by_endpoint": dict(sorted(self.odoo.items())),
            "woo_by_endpoint": dict(sorted(self.woo.items())),
        }


@functools.cache
def byte_compiled() -> None:
    """Byte-compile the package once, as ``pip install`` does for an installed tool.

    An editable install leaves that to the first import, which writes nothing where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on our machines): every child would compile all of
    ``wooodoo`` again, a few tenths of a second of CPU no installed tool spends."""
    compileall.compile_dir(Path(wooodoo.__file__).parent, quiet=1)


def wooodoo_command() -> list[str]:
    """The installed ``wooodoo`` entry point of this interpreter's environment (its package
    byte-compiled, as an install leaves it)."""
    byte_compiled()
    script = Path(sys.executable).with_name("wooodoo")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from wooodoo.cli import main; main()"]


def child_env(box: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOOODOO_")}
    env.update(box.secret_env())
    # every secret comes from the environment: keep the child away from any desktop keyring
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


@contextmanager
def bench(
    orders: int,
    *,
    seed: int = 1,
    odoo_version: int = 19,
    tax_rounding: TaxRounding = "round_per_line",
    work: WorkModel | None = None,
    latency_ms: float = 0.0,
    wc_version: str = WC_VERSION,
) -> Iterator[Bench]:
    """A fresh sandbox and a fresh audit file in a temporary directory, all gone afterwards.

    ``work``: how long the sandbox's Odoo works on a create before it commits (see
    ``wooodoo.sandbox.WorkModel``); none by default. ``latency_ms``: the network round trip
    every request of both look-alikes waits before it is answered (``wooodoo.sandbox.latency``).
    ``wc_version``: the WooCommerce the store imitates (9.0+ lists refunds across orders).
    """
    with tempfile.TemporaryDirectory(prefix="wooodoo-bench-") as tmp:
        directory = Path(tmp)
        box = Sandbox(
            orders=orders,
            seed=seed,
            odoo_version=odoo_version,
            tax_rounding=tax_rounding,
            directory=directory,
            odoo_work=work,
            latency_ms=latency_ms,
            woo_version=wc_version,
        )
        with box:
            audit_db = directory / "audit.sqlite3"
            config, _ = box.write_config(directory / "config.yaml", audit_db=audit_db)
            yield Bench(box, config, audit_db, child_env(box))


def run_child(
    command: list[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    kill_after: float | None = None,
) -> ChildRun:
    """Run ``command`` through ``measured.py``; SIGKILL it after ``kill_after`` seconds.

    The go-between reaps the command and reports its own rusage (see measured.py for why);
    output goes to files, so a full pipe never blocks the command.
    """
    with tempfile.TemporaryDirectory(prefix="wooodoo-run-") as tmp:
        result = Path(tmp) / "result.json"
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        start = time.monotonic()
        with out.open("wb") as out_file, err.open("wb") as err_file:
            helper = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-S", str(MEASURED), str(result), *command],
                dict(env),
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, out_file.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, err_file.fileno(), 2),
                ],
            )
        killed = False
        while not os.waitpid(helper, os.WNOHANG)[0]:
            elapsed = time.monotonic() - start
            if elapsed >= timeout:
                _kill_command(result, helper)
                os.waitpid(helper, 0)  # the helper returns as soon as its child is dead
                raise TimeoutError(f"{' '.join(command[-3:])} still ran after {timeout:.0f} s")
            if kill_after is not None and elapsed >= kill_after and not killed:
                killed = _kill_command(result, helper)
            time.sleep(POLL_SECONDS)
        if not result.exists():
            raise RuntimeError(f"measured.py failed: {err.read_text(errors='replace')[-2000:]}")
        data = json.loads(result.read_text())
        code = int(data["exit_code"])
        was_killed = killed and code == -signal.SIGKILL
        return ChildRun(
            exit_code=None if was_killed else code,
            seconds=float(data["seconds"]),
            max_rss_kib=int(data["max_rss_kib"]),
            cpu_seconds=float(data["cpu_seconds"]),
            killed=was_killed,
            stderr=err.read_text(errors="replace")[-4000:],
        )


def _kill_command(result: Path, helper: int) -> bool:
    """SIGKILL the command (not its go-between, which reaps it); False if not started yet."""
    pid_file = result.with_name(result.name + ".pid")
    if not pid_file.exists():
        return False
    # ProcessLookupError: already gone and reaped, it finished before the kill
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    return True


def per(n: int, orders: int) -> float:
    return n / orders if orders else 0.0


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)
