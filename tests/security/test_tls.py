"""TLS verification cannot be turned off; a private CA is trusted only through ca_bundle.

Both look-alikes over HTTPS on loopback with a certificate from a CA made for the run
(trustme): without ca_bundle the connection fails with a clear message, with it it works.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml
from click.testing import CliRunner, Result

from tests.conftest import WriteConfig
from tests.security.conftest import TENANT, Shop
from wooodoo.cli import main
from wooodoo.config import load_config
from wooodoo.errors import EXIT_OK, EXIT_RECORDS_FAILED, EXIT_REMOTE, ConfigError
from wooodoo.sandbox.server import LoopbackServer

PACKAGE = Path(__file__).resolve().parents[2] / "wooodoo"
REFUSED = "TLS certificate was not accepted"


@pytest.fixture(scope="module")
def odoo_https(shop: Shop) -> Iterator[str]:
    """The shop's Odoo served over HTTPS too, with the sandbox's CA."""
    with LoopbackServer(shop.sb.odoo_faults, tls=shop.sb.ca) as server:
        yield server.url


def run(shop: Shop, *, woo: dict[str, Any], odoo: dict[str, Any], env: dict[str, str]) -> Result:
    tenant = shop.sb.tenant_config()
    tenant["woocommerce"] = {"url": shop.sb.woo_url, "auth": "basic", **woo}
    tenant["odoo"].update(odoo)
    path = shop.directory / "tls.yaml"
    data = {"audit_db": str(shop.audit), "tenants": {TENANT: tenant}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    path.chmod(0o600)
    return CliRunner().invoke(
        main, ["--config", str(path), "sync", "--dry-run"], env={**shop.env(), **env}
    )


def other_ca(shop: Shop) -> str:
    path = shop.directory / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


@pytest.mark.parametrize(
    ("side", "trust"),
    [
        ("woo", "none"),
        ("woo", "other-ca"),
        ("woo", "env-REQUESTS_CA_BUNDLE"),
        ("woo", "env-CURL_CA_BUNDLE"),
        ("odoo", "none"),
        ("odoo", "env-REQUESTS_CA_BUNDLE"),
    ],
)
def test_a_private_ca_is_not_trusted_without_ca_bundle(
    shop: Shop, odoo_https: str, side: str, trust: str
) -> None:
    ca = str(shop.sb.ca_path)
    env: dict[str, str] = {}
    bundle: dict[str, str] = {}
    if trust == "other-ca":
        bundle = {"ca_bundle": other_ca(shop)}
    elif trust.startswith("env-"):
        env[trust.removeprefix("env-")] = ca
    woo, odoo = ({"ca_bundle": ca}, {"url": odoo_https, "ca_bundle": ca})
    if side == "woo":
        woo = bundle
    else:
        odoo = {"url": odoo_https, **bundle}
    result = run(shop, woo=woo, odoo=odoo, env=env)
    assert result.exit_code == EXIT_REMOTE, result.output
    assert REFUSED in result.stderr
    assert "ca_bundle" in result.stderr  # the hint names the setting


def test_with_ca_bundle_both_sides_work(shop: Shop, odoo_https: str) -> None:
    ca = str(shop.sb.ca_path)
    result = run(
        shop,
        woo={"ca_bundle": ca},
        odoo={"url": odoo_https, "ca_bundle": ca},
        env={"REQUESTS_CA_BUNDLE": other_ca(shop)},  # the tenant's own bundle wins
    )
    # one generated order fails to map (exit 1); the others were read from both sides
    assert result.exit_code in (EXIT_OK, EXIT_RECORDS_FAILED), result.output
    assert "would create invoice" in result.stdout


@pytest.mark.parametrize("side", ["woocommerce", "odoo"])
@pytest.mark.parametrize("key", ["verify", "verify_ssl", "insecure", "tls_verify"])
def test_no_setting_turns_verification_off(
    tmp_path: Path, write_config: WriteConfig, config_data: dict[str, Any], side: str, key: str
) -> None:
    config_data["tenants"]["acme"][side][key] = key == "insecure"
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(tmp_path, config_data))
    assert list(raised.value.problems) == [
        f"config.yaml: tenant 'acme': {side}.{key}: TLS verification cannot be turned off; for"
        " a server with a private or self-signed certificate, name its CA in ca_bundle"
        " (a PEM file)"
    ]


def _calls_turning_verification_off(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "verify":
            if isinstance(node.value, ast.Constant) and node.value.value in (False, None, ""):
                found.append(f"verify={node.value.value!r}")
        elif isinstance(node, ast.Attribute) and node.attr in (
            "CERT_NONE",
            "_create_unverified_context",
        ):
            found.append(node.attr)
        elif (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr in ("verify", "check_hostname")
                for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value in (False, None, "")
        ):
            found.append(ast.unparse(node))
    return found


def test_no_client_code_turns_verification_off() -> None:
    """Anywhere in wooodoo/ outside the sandbox (whose servers are the other end)."""
    problems = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if "sandbox" not in path.parts
        and (found := _calls_turning_verification_off(ast.parse(path.read_text("utf-8"))))
    }
    assert problems == {}
    # the check itself finds what it looks for
    sample = "s.verify = False\nrequests.get(u, verify=False)\nssl.CERT_NONE"
    assert len(_calls_turning_verification_off(ast.parse(sample))) == 3
