"""A tenant added to a configuration file with ruamel.yaml: its comments, its other tenants
and their order stay as they were; the result is checked by the loader before it is kept."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from wooodoo.config.load import parse_config
from wooodoo.config.model import Config
from wooodoo.errors import ConfigError, UsageError

NEW_FILE_HEADER = (
    "# wooodoo configuration, started by `wooodoo init`: WooCommerce orders -> Odoo invoices.\n"
    "# Every key is explained in the starter file (`wooodoo init --starter --path FILE`).\n"
    "# Secrets are not here: they are in the OS keyring (`wooodoo secrets check`).\n"
)


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order and quoting survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def with_tenant(
    text: str | None, path: Path, name: str, tenant: Mapping[str, Any], *, replace: bool
) -> tuple[str, Config]:
    """``text`` (None: a new file) with ``tenant`` added as ``name``; the checked config too."""
    yaml = _yaml()
    doc = yaml.load(text) if text and text.strip() else None
    if doc is None:
        doc = CommentedMap()
        doc.yaml_set_start_comment(NEW_FILE_HEADER.rstrip("\n").replace("# ", "", 1))
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{path}: the file is not a YAML mapping; cannot add a tenant")
    tenants = doc.get("tenants")
    if tenants is None:
        tenants = doc["tenants"] = CommentedMap()
    if not isinstance(tenants, CommentedMap):
        raise ConfigError(f"{path}: 'tenants' is not a mapping; cannot add a tenant")
    if name in tenants and not replace:
        raise UsageError(
            f"tenant {name!r} is already in {path}",
            hint="Pass --force to replace it, or --tenant with another name.",
        )
    tenants[name] = _commented(tenant)
    out = io.StringIO()
    yaml.dump(doc, out)
    rendered = out.getvalue()
    return rendered, parse_config(rendered, path)


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _commented(item)
        return node
    if isinstance(value, list | tuple):
        return [_commented(v) for v in value]
    return value


def write_private_file(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` readable only by the owner (0600); refuse to replace unless told to."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if overwrite else path
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists", hint="Pass --force to overwrite it, or --path elsewhere."
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # the umask could only have removed bits; be exact
            file.write(text)
        if target != path:
            os.replace(target, path)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
