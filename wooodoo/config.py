"""Configuration: one YAML file of tenants → frozen dataclasses, every problem reported at once."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

import platformdirs
import yaml

from wooodoo.errors import ConfigError, UsageError
from wooodoo.secrets import env_var_prefix
from wooodoo.urls import normalise_url, odoo_online_database

APP_NAME = "wooodoo"
CONFIG_ENV_VAR = "WOOODOO_CONFIG"
TENANT_NAME_RE = re.compile(r"[a-z0-9_-]+")
WOO_STATUSES = (
    *("pending", "processing", "on-hold", "completed"),
    *("cancelled", "refunded", "failed", "checkout-draft"),
)
DEFAULT_STATUSES = ("processing", "completed")

WooAuth = Literal["basic", "query", "oauth1"]
OdooApiChoice = Literal["auto", "xmlrpc", "json2"]
ProductMatching = Literal["none", "sku"]
T = TypeVar("T")


@dataclass(frozen=True)
class WooConfig:
    """Where the store is and how to authenticate (the keys themselves are secrets)."""

    url: str  # store root, no trailing slash; the REST API is at <url>/wp-json/wc/v3/
    auth: WooAuth
    ca_bundle: Path | None = None
    timeout: float = 30.0
    per_page: int = 100


@dataclass(frozen=True)
class OdooConfig:
    """The Odoo server; ``database`` None means "discover it" (single-database servers)."""

    url: str
    database: str | None
    login: str
    api: OdooApiChoice = "auto"
    timeout: float = 120.0
    ca_bundle: Path | None = None


@dataclass(frozen=True)
class Accounts:
    """Income account codes; shipping, fees and refunds default to the products account."""

    products: str
    shipping: str
    fees: str
    refunds: str


@dataclass(frozen=True)
class SyncConfig:
    since: dt.date
    accounts: Accounts
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    post: bool = True
    journal: str | None = None
    # WooCommerce tax rate id (as a string) or rate code -> Odoo tax name
    taxes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    products: ProductMatching = "none"
    batch_size: int = 100
    overlap_seconds: int = 300
    tax_adjust: bool = True


@dataclass(frozen=True)
class TenantConfig:
    name: str
    woocommerce: WooConfig
    odoo: OdooConfig
    sync: SyncConfig


@dataclass(frozen=True)
class Config:
    audit_db: Path
    tenants: dict[str, TenantConfig]  # in file order
    path: Path


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.yaml"


def default_audit_db() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "audit.sqlite3"


def locate_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$WOOODOO_CONFIG``, else the per-user default."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return default_config_path()


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
    return parse_config(text, file)


def parse_config(text: str, path: Path) -> Config:
    """Validate YAML text that was read from ``path`` (relative paths resolve next to it)."""
    label = path.name
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark:
            what += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise ConfigError(
            f"cannot parse configuration file {path}",
            problems=[f"{label}: {where}YAML syntax error: {what}"],
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"cannot parse configuration file {path}", problems=[f"{label}: {exc}"]
        ) from None
    finally:
        loader.dispose()

    problems = [f"{label}: {dup}" for dup in loader.duplicates]
    config = _Checker(label, problems, path.parent).config(data, path)
    if problems:
        raise ConfigError(
            f"invalid configuration in {path}",
            problems=problems,
            hint="`wooodoo init --path example.yaml` writes an example that explains every key.",
        )
    return config


def select_tenants(config: Config, names: Sequence[str]) -> list[TenantConfig]:
    """The named tenants in the order given (duplicates once); all of them when none is named."""
    if not names:
        return list(config.tenants.values())
    unknown = [n for n in dict.fromkeys(names) if n not in config.tenants]
    if unknown:
        raise UsageError(
            f"unknown tenant{'s' if len(unknown) > 1 else ''} "
            + ", ".join(repr(n) for n in unknown),
            hint=f"Tenants in {config.path}: {', '.join(config.tenants)}.",
        )
    return [config.tenants[n] for n in dict.fromkeys(names)]


# --- YAML loading -------------------------------------------------------------------------


class _SourceInt(int):
    """A YAML integer that remembers how it was written (account codes like 0400, rate ids)."""

    text: str

    def __new__(cls, value: int, text: str) -> _SourceInt:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps integer spelling and reports duplicate keys instead of hiding them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                line = key_node.start_mark.line + 1
                self.duplicates.append(
                    f"line {line}: duplicate key {str(key)!r} (first on line {seen[key]}); "
                    "YAML would silently keep only the last one"
                )
            else:
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> _SourceInt:
    assert isinstance(node, yaml.ScalarNode)
    return _SourceInt(loader.construct_yaml_int(node), str(node.value))


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    assert isinstance(node, yaml.ScalarNode)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # 2026-13-01: keep the text so validation can name the key
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# --- validation ---------------------------------------------------------------------------

_TOP_KEYS = ("audit_db", "tenants")
_TENANT_KEYS = ("woocommerce", "odoo", "sync")
_WOO_KEYS = tuple(f.name for f in fields(WooConfig))
_ODOO_KEYS = tuple(f.name for f in fields(OdooConfig))
_SYNC_KEYS = tuple(f.name for f in fields(SyncConfig))
_ACCOUNT_KEYS = tuple(f.name for f in fields(Accounts))
_ABSENT: Any = object()


def _kind(value: object) -> str:
    kinds: tuple[tuple[type | UnionType, str], ...] = (
        (type(None), "empty"),
        (bool, "a boolean"),
        (int, "a whole number"),
        (float, "a decimal number"),
        (str, "a string"),
        (Mapping, "a mapping"),
        (list, "a list"),
        (dt.date, "a date"),
    )
    return next((word for kind, word in kinds if isinstance(value, kind)), type(value).__name__)


def _as_text(value: object) -> str | None:
    """A string, or an integer exactly as written in the file (so ``0400`` stays ``0400``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, _SourceInt):
        return value.text
    return None


class _Checker:
    """Walks the parsed YAML; each reader returns a usable fallback and records the problem."""

    def __init__(self, label: str, problems: list[str], base: Path) -> None:
        self.label = label
        self.problems = problems
        self.base = base
        self.tenant: str | None = None

    def add(self, key: str, message: str) -> None:
        parts = [self.label]
        if self.tenant is not None:
            parts.append(f"tenant {self.tenant!r}")
        if key:
            parts.append(key)
        self.problems.append(": ".join([*parts, message]))

    def section(
        self, value: object, key: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Any]:
        if value is _ABSENT:
            return {}  # a missing section is reported once, by its parent
        if not isinstance(value, Mapping):
            self.add(key, f"must be a mapping of keys, not {_kind(value)}")
            return {}
        result: dict[str, Any] = {}
        for raw_key, item in value.items():
            name = _as_text(raw_key) or str(raw_key)
            path = f"{key}.{name}" if key else name
            if name in allowed:
                result[name] = item
                continue
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            self.add(path, "unknown key" + (f" (did you mean {close[0]!r}?)" if close else ""))
        for name in required:
            if result.get(name) is None:
                self.add(f"{key}.{name}" if key else name, "required")
        return result

    def get(self, sec: Mapping[str, Any], key: str) -> Any:
        value = sec.get(key.rpartition(".")[2])
        return _ABSENT if value is None else value

    def text(self, sec: Mapping[str, Any], key: str, default: T) -> str | T:
        value = self.get(sec, key)
        if value is _ABSENT:
            return default
        text = _as_text(value)
        if text is None:
            self.add(key, f"must be a string, not {_kind(value)} (quote it)")
        elif not text.strip():
            self.add(key, "must not be blank")
        else:
            return text
        return default

    def choice(self, sec: Mapping[str, Any], key: str, options: Sequence[T], default: T) -> T:
        value = self.get(sec, key)
        if value is _ABSENT:
            return default
        if value in options and isinstance(value, str):
            return cast(T, value)
        self.add(key, f"must be one of {', '.join(map(str, options))}, not {value!r}")
        return default

    def boolean(self, sec: Mapping[str, Any], key: str, default: bool) -> bool:
        value = self.get(sec, key)
        if value is _ABSENT:
            return default
        if isinstance(value, bool):
            return value
        self.add(key, f"must be true or false, not {_kind(value)}")
        return default

    def integer(self, sec: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
        value = self.get(sec, key)
        if value is _ABSENT:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(key, f"must be a whole number, not {_kind(value)}")
        elif not low <= value <= high:
            self.add(key, f"must be between {low} and {high}, not {value}")
        else:
            return int(value)
        return default

    def seconds(self, sec: Mapping[str, Any], key: str, default: float) -> float:
        value = self.get(sec, key)
        if value is _ABSENT:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.add(key, f"must be a number of seconds, not {_kind(value)}")
        elif not 0 < value <= 3600:
            self.add(key, f"must be more than 0 and at most 3600 seconds, not {value}")
        else:
            return float(value)
        return default

    def path(self, sec: Mapping[str, Any], key: str, must_exist: bool) -> Path | None:
        text = self.text(sec, key, None)
        if text is None:
            return None
        path = self.base / Path(text).expanduser()
        if must_exist and not path.is_file():
            self.add(key, f"file not found: {path}")
        return path

    def url(self, sec: Mapping[str, Any], key: str) -> str:
        text = self.text(sec, key, "")
        if not text:
            return ""
        try:
            return normalise_url(text)
        except ValueError as exc:
            self.add(key, str(exc))
            return ""

    def config(self, data: object, path: Path) -> Config:
        if data is None:
            self.add("", "the file is empty; it needs at least one tenant under 'tenants:'")
            return Config(audit_db=default_audit_db(), tenants={}, path=path)
        top = self.section(data, "", _TOP_KEYS, required=("tenants",))
        audit_db = self.path(top, "audit_db", must_exist=False) or default_audit_db()
        raw_tenants = self.get(top, "tenants")
        tenants: dict[str, TenantConfig] = {}
        if raw_tenants is not _ABSENT and not isinstance(raw_tenants, Mapping):
            self.add(
                "tenants", f"must be a mapping of tenant name to settings, not {_kind(raw_tenants)}"
            )
        elif isinstance(raw_tenants, Mapping):
            if not raw_tenants:
                self.add("tenants", "no tenants defined; add at least one")
            prefixes: dict[str, str] = {}
            for raw_name, body in raw_tenants.items():
                name = _as_text(raw_name) or str(raw_name)
                if not TENANT_NAME_RE.fullmatch(name):
                    self.add(
                        "tenants",
                        f"tenant name {name!r} must use only a-z, 0-9, '_' and '-'",
                    )
                prefix = env_var_prefix(name)
                if prefix in prefixes:
                    self.add(
                        "tenants",
                        f"tenant names {prefixes[prefix]!r} and {name!r} share the environment "
                        f"variable prefix {prefix}; rename one",
                    )
                prefixes.setdefault(prefix, name)
                self.tenant = name
                tenants[name] = self.tenant_config(name, body)
                self.tenant = None
        return Config(audit_db=audit_db, tenants=tenants, path=path)

    def tenant_config(self, name: str, body: object) -> TenantConfig:
        sec = self.section(body, "", _TENANT_KEYS, required=_TENANT_KEYS)
        return TenantConfig(
            name=name,
            woocommerce=self.woo(
                self.section(
                    self.get(sec, "woocommerce"), "woocommerce", _WOO_KEYS, required=("url", "auth")
                )
            ),
            odoo=self.odoo(
                self.section(self.get(sec, "odoo"), "odoo", _ODOO_KEYS, required=("url", "login"))
            ),
            sync=self.sync(
                self.section(
                    self.get(sec, "sync"), "sync", _SYNC_KEYS, required=("since", "accounts")
                )
            ),
        )

    def woo(self, sec: dict[str, Any]) -> WooConfig:
        url = self.url(sec, "woocommerce.url")
        auth: WooAuth = self.choice(sec, "woocommerce.auth", ("basic", "query", "oauth1"), "basic")
        if "/wp-json" in url:
            self.add(
                "woocommerce.url",
                "must be the store root, without /wp-json/... (wooodoo adds the REST API path)",
            )
        if url.startswith("http:") and auth != "oauth1" and "auth" in sec:
            # A store only accepts Basic auth and query-string keys over TLS.
            self.add(
                "woocommerce.auth",
                f"{auth!r} works only over https; a plain http store needs oauth1",
            )
        return WooConfig(
            url=url,
            auth=auth,
            ca_bundle=self.path(sec, "woocommerce.ca_bundle", must_exist=True),
            timeout=self.seconds(sec, "woocommerce.timeout", 30.0),
            per_page=self.integer(sec, "woocommerce.per_page", 100, 1, 100),
        )

    def odoo(self, sec: dict[str, Any]) -> OdooConfig:
        url = self.url(sec, "odoo.url")
        database = self.text(sec, "odoo.database", None)
        first_segment = urlsplit(url).path.lstrip("/").partition("/")[0]
        if first_segment in ("web", "odoo", "xmlrpc", "json", "jsonrpc"):
            self.add(
                "odoo.url",
                f"must be the server root, without /{first_segment} (wooodoo adds the API paths)",
            )
        online = odoo_online_database(url)
        if online and database is None:
            database = online
        elif online and database != online:
            self.add(
                "odoo.database",
                f"{database!r} does not match the Odoo Online database "
                f"{online!r} of {url}; remove the key or fix it",
            )
        return OdooConfig(
            url=url,
            database=database,
            login=self.text(sec, "odoo.login", ""),
            api=self.choice(sec, "odoo.api", ("auto", "xmlrpc", "json2"), "auto"),
            timeout=self.seconds(sec, "odoo.timeout", 120.0),
            ca_bundle=self.path(sec, "odoo.ca_bundle", must_exist=True),
        )

    def sync(self, sec: dict[str, Any]) -> SyncConfig:
        acc = self.section(
            self.get(sec, "accounts"), "sync.accounts", _ACCOUNT_KEYS, required=("products",)
        )
        products = self.text(acc, "sync.accounts.products", "")
        return SyncConfig(
            since=self.since(sec),
            accounts=Accounts(
                products=products,
                shipping=self.text(acc, "sync.accounts.shipping", products),
                fees=self.text(acc, "sync.accounts.fees", products),
                refunds=self.text(acc, "sync.accounts.refunds", products),
            ),
            statuses=self.statuses(sec),
            post=self.boolean(sec, "sync.post", True),
            journal=self.text(sec, "sync.journal", None),
            taxes=self.taxes(sec),
            products=self.choice(sec, "sync.products", ("none", "sku"), "none"),
            batch_size=self.integer(sec, "sync.batch_size", 100, 1, 100),
            overlap_seconds=self.integer(sec, "sync.overlap_seconds", 300, 0, 86400),
            tax_adjust=self.boolean(sec, "sync.tax_adjust", True),
        )

    def since(self, sec: Mapping[str, Any]) -> dt.date:
        value = self.get(sec, "since")
        if value is _ABSENT:
            return dt.date.min
        if isinstance(value, dt.datetime):
            self.add("sync.since", "must be a date (YYYY-MM-DD) without a time")
        elif isinstance(value, dt.date):
            return value
        elif isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.add("sync.since", f"must be a date as YYYY-MM-DD, not {value!r}")
        else:
            self.add("sync.since", f"must be a date as YYYY-MM-DD, not {_kind(value)}")
        return dt.date.min

    def statuses(self, sec: Mapping[str, Any]) -> tuple[str, ...]:
        value = self.get(sec, "statuses")
        if value is _ABSENT:
            return DEFAULT_STATUSES
        if not isinstance(value, list) or not value:
            self.add("sync.statuses", f"must be a non-empty list, not {_kind(value)}")
            return DEFAULT_STATUSES
        result: list[str] = []
        for item in value:
            if isinstance(item, str) and item in WOO_STATUSES:
                result.append(item)
                continue
            close = difflib.get_close_matches(str(item), WOO_STATUSES, n=1, cutoff=0.6)
            self.add(
                "sync.statuses",
                f"unknown order status {item!r}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
                + f"; known: {', '.join(WOO_STATUSES)}",
            )
        return tuple(dict.fromkeys(result))

    def taxes(self, sec: Mapping[str, Any]) -> Mapping[str, str]:
        value = self.get(sec, "taxes")
        if value is _ABSENT:
            return MappingProxyType({})
        if not isinstance(value, Mapping):
            self.add(
                "sync.taxes",
                f"must be a mapping of WooCommerce tax rate id or code "
                f"to Odoo tax name, not {_kind(value)}",
            )
            return MappingProxyType({})
        result: dict[str, str] = {}
        for raw_key, raw_value in value.items():
            key = _as_text(raw_key)
            if key is None or not key.strip():
                self.add("sync.taxes", f"key {raw_key!r} must be a tax rate id or rate code")
                continue
            if key in result:
                self.add(f"sync.taxes.{key}", "given twice")
            tax = _as_text(raw_value)
            if tax is None:
                self.add(f"sync.taxes.{key}", f"must be an Odoo tax name, not {_kind(raw_value)}")
            elif not tax.strip():
                self.add(f"sync.taxes.{key}", "must not be blank")
            else:
                result[key] = tax
        return MappingProxyType(result)
