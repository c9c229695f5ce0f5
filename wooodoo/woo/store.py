"""What the store says about itself (``/system_status``, ``/settings/tax``), read as StoreInfo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wooodoo.errors import RemoteError

MODIFIED_AFTER_SINCE = (5, 8)


@dataclass(frozen=True)
class StoreInfo:
    """What ``/system_status`` (and, when readable, ``/settings/tax``) tell about the store."""

    wc_version: str
    wp_version: str | None = None
    currency: str | None = None
    timezone: str | None = None
    tax_round_at_subtotal: bool | None = None
    prices_include_tax: bool | None = None

    @property
    def supports_modified_after(self) -> bool:
        """``modified_after``/``modified_before`` on orders arrived in WooCommerce 5.8."""
        return version_tuple(self.wc_version) >= MODIFIED_AFTER_SINCE


def version_tuple(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def wc_version(status: Mapping[str, Any]) -> str:
    """The WooCommerce version in a ``/system_status`` answer; RemoteError without one."""
    version = _section(status, "environment").get("version")
    if not isinstance(version, str) or not version:
        raise RemoteError("WooCommerce system_status: the answer has no environment.version")
    return version


def store_info(version: str, status: Mapping[str, Any], tax: Mapping[str, Any]) -> StoreInfo:
    """StoreInfo from ``/system_status`` and the tax settings as {id: value} (maybe empty)."""
    env = _section(status, "environment")
    settings = _section(status, "settings")
    return StoreInfo(
        wc_version=version,
        wp_version=_opt_str(env.get("wp_version")),
        currency=_opt_str(settings.get("currency")),
        timezone=_opt_str(settings.get("timezone")) or _opt_str(env.get("timezone")),
        tax_round_at_subtotal=_yes_no(tax.get("woocommerce_tax_round_at_subtotal")),
        prices_include_tax=_yes_no(tax.get("woocommerce_prices_include_tax")),
    )


def settings_by_id(data: Any) -> dict[str, Any]:
    """A ``/settings/<group>`` answer as {id: value}; empty when it is not a list."""
    if not isinstance(data, list):
        return {}
    return {str(item.get("id")): item.get("value") for item in data if isinstance(item, Mapping)}


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("yes", "no"):
        return value == "yes"
    return None
