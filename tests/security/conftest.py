"""One small sandbox per module whose secrets are the canaries, and the CLI pointed at it."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import tenacity
import yaml
from click.testing import CliRunner, Result

from tests.security.canary import (
    CANARY,
    assert_clean,
    audit_text,
    exception_chain,
    record_text,
    state_files,
)
from wooodoo.cli import main
from wooodoo.http import RetryPolicy
from wooodoo.sandbox import Sandbox, SandboxSecrets
from wooodoo.sandbox.faults import FaultPlan
from wooodoo.secrets import env_var_name

TENANT = "leaky"


@dataclass
class Shop:
    """A sandbox whose keys are the canaries; its store takes the keys in the query string."""

    sb: Sandbox
    directory: Path
    config: Path
    secrets: SandboxSecrets = CANARY

    @property
    def audit(self) -> Path:
        return self.directory / "audit.sqlite3"

    def env(self, secrets: SandboxSecrets | None = None, **drop: bool) -> dict[str, str]:
        chosen = secrets or self.secrets
        return {
            env_var_name(TENANT, name): value
            for name, value in chosen.items()
            if not drop.get(name)
        }

    def config_for(self, auth: str) -> Path:
        """Another config for the same shop and audit file, the store taking keys as ``auth``."""
        path = self.directory / f"config-{auth}.yaml"
        write_config(path, self.sb, auth, self.audit)
        return path

    def faults(self, woo: FaultPlan | None = None, odoo: FaultPlan | None = None) -> None:
        self.sb.woo_faults.plan = woo or FaultPlan()
        self.sb.odoo_faults.plan = odoo or FaultPlan()

    def invoke(
        self,
        caplog: pytest.LogCaptureFixture,
        *args: str,
        env: Mapping[str, str] | None = None,
        input: str | bytes | None = None,
        config: Path | None = None,
    ) -> Result:
        """``wooodoo --config … -vv --log-format json ARGS``; nothing secret anywhere after it."""
        caplog.clear()
        argv = ["--config", str(config or self.config), "-vv", "--log-format", "json", *args]
        result = CliRunner().invoke(main, argv, env=dict(env or self.env()), input=input)
        check_clean(" ".join(args), result, caplog)
        for line in result.stderr.splitlines():
            if line.startswith("{"):
                json.loads(line)  # --log-format json gives JSON objects
        self.check_files()
        return result

    def check_files(self) -> None:
        if self.audit.exists():
            assert_clean("the audit file", audit_text(self.audit))
        for file in state_files(self.directory):
            assert_clean(str(file), file.read_bytes().decode("latin-1"))


def check_clean(what: str, result: Result, caplog: pytest.LogCaptureFixture) -> None:
    assert_clean(f"stdout of {what}", result.stdout)
    assert_clean(f"stderr of {what}", result.stderr)
    assert_clean(f"log records of {what}", record_text(caplog.records))
    assert_clean(f"the exception of {what}", exception_chain(result.exception))
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info))
        assert_clean(f"the traceback of {what}", trace)


def write_config(path: Path, sb: Sandbox, auth: str, audit: Path) -> None:
    tenant = sb.tenant_config()
    tenant["woocommerce"]["auth"] = auth
    tenant["odoo"]["timeout"] = 10
    data = {"audit_db": str(audit), "tenants": {TENANT: tenant}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


@pytest.fixture(autouse=True)
def no_retry_waits(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Retries without sleeping (fault tests stay fast); every logger's records captured."""

    def wait(self: RetryPolicy, state: tenacity.RetryCallState) -> float:
        return 0.0

    monkeypatch.setattr(RetryPolicy, "wait", wait)
    caplog.set_level(logging.DEBUG)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    directory = tmp_path_factory.mktemp("leaky")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SandboxSecrets, "fresh", classmethod(lambda cls: CANARY))
        sb = Sandbox(
            orders=6,
            seed=11,
            directory=directory,
            tenant=TENANT,
            woo_key_permissions="read_write",
        )
    with sb:
        config = directory / "config.yaml"
        write_config(config, sb, "query", directory / "audit.sqlite3")
        yield Shop(sb, directory, config)
