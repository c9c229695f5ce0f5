"""``wooodoo init`` driven through a pseudo-terminal against the sandbox: the config it writes
keeps the file's comments and other tenants, and a plain ``sync`` books the shop with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.e2e_helpers import odoo_read
from wooodoo.sandbox import ODOO_LOGIN, SINCE, Sandbox
from wooodoo.sandbox.catalog import TAX_RATES

ROOT = Path(__file__).resolve().parents[2]
WOOODOO = str(Path(sys.executable).with_name("wooodoo"))
EXISTING = """\
# my shops: comments stay
audit_db: {audit}
tenants:
  other:  # another shop, left as it is
{other}"""


def child_env(tmp_path: Path) -> dict[str, str]:
    """This (isolated) environment, a keyring in a file, and no secret in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOOODOO_")}
    env.update(
        PYTHON_KEYRING_BACKEND="tests.keyring_file.FileKeyring",
        TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
        PYTHONPATH=str(ROOT),
        COLUMNS="200",
    )
    return env


def existing_config(sb: Sandbox, path: Path) -> None:
    other = yaml.safe_dump(sb.tenant_config(), sort_keys=False)
    indented = "".join(f"    {line}\n" for line in other.splitlines())
    path.write_text(EXISTING.format(audit=path.parent / "audit.sqlite3", other=indented))


@pytest.mark.parametrize("version", [19, 16])
def test_init_at_a_terminal_yields_a_config_that_syncs(tmp_path: Path, version: int) -> None:
    with Sandbox(orders=40, seed=5, odoo_version=version, directory=tmp_path) as sb:
        config = tmp_path / "config.yaml"
        existing_config(sb, config)
        env = child_env(tmp_path)
        child = pexpect.spawn(
            WOOODOO,
            ["--config", str(config), "init", "--woo-ca-bundle", str(sb.ca_path)],
            env=env,
            encoding="utf-8",
            timeout=60,
        )
        transcript = tmp_path / "transcript.txt"
        child.logfile_read = transcript.open("w")
        answers = [
            ("Tenant name", "shop2"),
            ("Store URL", sb.woo_url),
            ("Odoo URL", sb.odoo_url),
            ("Odoo database", "wooodoo"),
            ("Odoo login", ODOO_LOGIN),
            ("Sync orders from", SINCE),
            ("woo_consumer_key", sb.secrets.woo_consumer_key),
            ("woo_consumer_secret", sb.secrets.woo_consumer_secret),
            ("odoo_api_key", sb.secrets.odoo_api_key),
            ("Use this mapping", "y"),
            ("Sales journal", ""),
            *(
                (f"Income account for {role}", "")
                for role in ("products", "shipping", "fees", "refunds")
            ),
        ]
        for prompt, answer in answers:
            child.expect(prompt)
            child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        said = transcript.read_text()
        assert child.exitstatus == 0, said

        written = config.read_text()
        data = yaml.safe_load(written)
        stored = json.loads((tmp_path / "keyring.json").read_text())
        assert sb.odoo_app.set_active("res.currency", [("name", "=", "JPY")], True)
        sync = subprocess.run(
            [WOOODOO, "--config", str(config), "sync", "--tenant", "shop2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        booked = odoo_read(
            sb, "account.move", [("invoice_origin", "=like", "shop2/order/%")], ["state"]
        )

    assert written.startswith("# my shops: comments stay\n")
    assert "  other:  # another shop, left as it is\n" in written
    assert data["tenants"]["other"] == yaml.safe_load(yaml.safe_dump(sb.tenant_config()))
    shop2 = data["tenants"]["shop2"]
    assert shop2["sync"]["taxes"] == {rate.id: rate.odoo_tax for rate in TAX_RATES}
    assert shop2["sync"]["journal"] == "INV"
    assert shop2["sync"]["accounts"] == {
        "products": "400000",
        "shipping": "400100",
        "fees": "400200",
        "refunds": "400300",
    }
    assert stored == {
        "wooodoo/shop2/woo_consumer_key": sb.secrets.woo_consumer_key,
        "wooodoo/shop2/woo_consumer_secret": sb.secrets.woo_consumer_secret,
        "wooodoo/shop2/odoo_api_key": sb.secrets.odoo_api_key,
    }
    for secret in (sb.secrets.woo_consumer_secret, sb.secrets.odoo_api_key):
        assert secret not in said  # typed hidden, never echoed
    assert "every check passes" in said
    assert sync.returncode == 0, sync.stdout + sync.stderr
    assert "shop2: ok," in sync.stdout
    assert booked
    assert {row["state"] for row in booked} == {"posted"}


def test_init_runs_unattended_from_flags_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from wooodoo.cli import main
    from wooodoo.secrets import env_var_name

    with Sandbox(orders=0, seed=5, directory=tmp_path) as sb:
        for name, value in sb.secrets.items():
            monkeypatch.setenv(env_var_name("acme", name), value)
        config = tmp_path / "new.yaml"
        flags = {
            "--tenant": "acme",
            "--store-url": sb.woo_url,
            "--woo-ca-bundle": str(sb.ca_path),
            "--odoo-url": sb.odoo_url,
            "--odoo-database": "wooodoo",
            "--odoo-login": ODOO_LOGIN,
            "--since": SINCE,
            "--account-shipping": "400000",
            "--tax": "8=5.5% FR",
        }
        args = [a for pair in flags.items() for a in pair]
        result = CliRunner().invoke(
            main, ["--config", str(config), "init", *args, "--yes", "--tax", "1=19% DE"]
        )
        again = CliRunner().invoke(main, ["--config", str(config), "init", *args, "--yes"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(config.read_text())
    assert list(data["tenants"]) == ["acme"]
    assert data["tenants"]["acme"]["sync"]["accounts"]["shipping"] == "400000"
    assert data["tenants"]["acme"]["sync"]["taxes"][8] == "5.5% FR"
    assert again.exit_code == 2
    assert "tenant 'acme' is already in" in again.stderr
