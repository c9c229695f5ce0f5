"""Read, parse and check the configuration file: the one way in."""

from __future__ import annotations

import os
from pathlib import Path

from wooodoo.config.locate import CONFIG_ENV_VAR, locate_config
from wooodoo.config.model import Config
from wooodoo.config.readers import Problems
from wooodoo.config.schema import read_config
from wooodoo.config.source import parse_yaml
from wooodoo.errors import ConfigError
from wooodoo.files import warn_if_shared


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read, parse and validate the configuration file (located as ``locate_config`` does)."""
    file = locate_config(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"no configuration file at {file}",
            hint="Run `wooodoo init` to write a starter file, or pass --config PATH "
            f"(or set {CONFIG_ENV_VAR}).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read configuration file {file}: {reason}") from None
    warn_if_shared(file, "configuration file")
    return parse_config(text, file)


def parse_config(text: str, path: Path) -> Config:
    """Validate YAML text that was read from ``path`` (relative paths resolve next to it)."""
    document = parse_yaml(text, path)
    problems = Problems(where=(path.name,))
    for duplicate in document.duplicates:
        problems.add("", duplicate)
    config = read_config(document.data, path, problems)
    if problems.found:
        raise ConfigError(
            f"invalid configuration in {path}",
            problems=problems.found,
            hint="`wooodoo init --path example.yaml` writes an example that explains every key.",
        )
    return config
