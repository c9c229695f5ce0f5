"""Configuration: one YAML file of tenants → frozen dataclasses, every problem reported at once.

``model`` holds the dataclasses, ``locate`` says where the file is, ``source`` reads YAML with
line numbers, ``readers`` and ``schema`` check it, ``load`` ties them together, ``urls`` holds
the base URL rules.
"""

from wooodoo.config.load import load_config, parse_config
from wooodoo.config.locate import (
    APP_NAME,
    CONFIG_ENV_VAR,
    default_audit_db,
    default_config_path,
    locate_config,
)
from wooodoo.config.model import (
    DEFAULT_STATUSES,
    TENANT_NAME_RE,
    WOO_STATUSES,
    Accounts,
    Config,
    OdooApiChoice,
    OdooConfig,
    ProductMatching,
    SyncConfig,
    TenantConfig,
    WooAuth,
    WooConfig,
    select_tenants,
)

__all__ = [
    "APP_NAME",
    "CONFIG_ENV_VAR",
    "DEFAULT_STATUSES",
    "TENANT_NAME_RE",
    "WOO_STATUSES",
    "Accounts",
    "Config",
    "OdooApiChoice",
    "OdooConfig",
    "ProductMatching",
    "SyncConfig",
    "TenantConfig",
    "WooAuth",
    "WooConfig",
    "default_audit_db",
    "default_config_path",
    "load_config",
    "locate_config",
    "parse_config",
    "select_tenants",
]
