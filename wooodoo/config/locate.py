"""Where the configuration file is (--config, $WOOODOO_CONFIG, XDG) and the audit default."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "wooodoo"
CONFIG_ENV_VAR = "WOOODOO_CONFIG"


def default_config_path() -> Path:
    import platformdirs  # only when no path is given: a cron run with --config skips it

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.yaml"


def default_audit_db() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "audit.sqlite3"


def locate_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$WOOODOO_CONFIG``, else the per-user default."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return default_config_path()
