"""Helpers shared by the configuration tests: edit the minimal config, collect its problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wooodoo.config import load_config
from wooodoo.errors import EXIT_USAGE, ConfigError

DELETE = object()
T = "config.yaml: tenant 'acme': "


def patch(data: dict[str, Any], dotted: str, value: object) -> dict[str, Any]:
    """Set (or with DELETE remove) ``a.b.c`` inside the tenant ``acme``."""
    node: Any = data["tenants"]["acme"]
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


def problems_of(path: Path) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.exit_code == EXIT_USAGE
    return info.value.problems
