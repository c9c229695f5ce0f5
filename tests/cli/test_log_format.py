"""``--log-format json``: one JSON object per line on stderr, with the tenant and a run id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.e2e_helpers import running_box
from wooodoo.cli import main


def test_json_log_lines_name_the_tenant_and_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=5) as box:
        result = CliRunner().invoke(
            main, ["--log-format", "json", "--config", str(box.config_path), "sync", "-vv"]
        )
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    in_run = [r for r in records if r.get("tenant") == "sandbox"]
    assert in_run, result.stderr
    assert {"time", "level", "logger", "message", "run_id"} <= set(in_run[0])
    assert len({r["run_id"] for r in in_run}) == 1
    assert all(line.startswith("{") for line in result.stderr.splitlines() if "DEBUG" in line)
    assert box.sb.secrets.woo_consumer_secret not in result.stderr
    assert box.sb.secrets.odoo_api_key not in result.stderr


def test_text_log_lines_stay_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_box(tmp_path, monkeypatch, orders=5) as box:
        result = CliRunner().invoke(main, ["--config", str(box.config_path), "sync", "-vv"])
    assert any(line.startswith("DEBUG: wooodoo") for line in result.stderr.splitlines())
    assert not any(line.startswith("{") for line in result.stderr.splitlines())
