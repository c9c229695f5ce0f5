"""Log lines for people (text) or for log shippers (one JSON object per line), each carrying
the tenant and the run it belongs to."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

LogFormat = Literal["text", "json"]
_tenant: ContextVar[str | None] = ContextVar("wooodoo_tenant", default=None)
_run: ContextVar[str | None] = ContextVar("wooodoo_run", default=None)


@contextmanager
def log_context(tenant: str, run_id: str | None = None) -> Iterator[str]:
    """Lines logged inside name this tenant and a run id made for this run of it (or
    ``run_id``: one made before, when the run's first lines came earlier)."""
    run_id = run_id or uuid.uuid4().hex[:12]
    tenant_token, run_token = _tenant.set(tenant), _run.set(run_id)
    try:
        yield run_id
    finally:
        _tenant.reset(tenant_token)
        _run.reset(run_token)


class ContextFilter(logging.Filter):
    """Puts the tenant and run id on every record (None outside a tenant's run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.tenant = _tenant.get()
        record.run_id = _run.get()
        return True


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(tenant)s %(run_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    return TextFormatter()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s: %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        tenant = getattr(record, "tenant", None)
        return f"{line} [{tenant}]" if tenant else line
