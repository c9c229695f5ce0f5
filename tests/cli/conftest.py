"""The CLI harness: ``wooodoo --config <tmp>/config.yaml ...`` run in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import WriteConfig
from wooodoo.cli import main


class CliHarness:
    """Runs ``wooodoo --config <tmp>/config.yaml ...`` in-process.

    ``config`` (a dict, the minimal valid config at first) is written before every invoke, so
    tests just edit it; ``write(text_or_dict)`` pins other content (e.g. broken YAML) instead.
    """

    def __init__(self, tmp_path: Path, write: WriteConfig, data: dict[str, Any]) -> None:
        self.runner = CliRunner()
        self.tmp_path = tmp_path
        self.config_path = tmp_path / "config.yaml"
        self.config = data
        self._write = write
        self._pinned = False

    def write(self, data: Mapping[str, Any] | str | None = None) -> Path:
        self._pinned = data is not None
        return self._write(self.tmp_path, self.config if data is None else data)

    def invoke(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        config: bool = True,
    ) -> Result:
        """With ``config=False`` no ``--config`` is passed (tests of the default location)."""
        argv: Sequence[str] = args
        if config:
            if not self._pinned:
                self._write(self.tmp_path, self.config)
            argv = ["--config", str(self.config_path), *args]
        return self.runner.invoke(main, list(argv), input=input, env=dict(env or {}))


@pytest.fixture
def cli_runner(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any]
) -> CliHarness:
    return CliHarness(tmp_path, write_config, config_data)
