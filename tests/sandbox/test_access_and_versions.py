"""What ``wooodoo ping`` asks the look-alikes: Odoo's access rights per version, and whether
the store's order list honours ``modified_after`` (registered in WooCommerce 5.8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from wooodoo.sandbox import Sandbox

try:
    from tests.sandbox.conftest_odoo import DB, KEY, fault_of, served
except ImportError:  # tests/sandbox is not a package
    from conftest_odoo import DB, KEY, fault_of, served

AUTH = {"Authorization": f"bearer {KEY}", "X-Odoo-Database": DB}


@pytest.mark.parametrize("version", [13, 16, 17, 18])
def test_check_access_rights_answers_on_every_xmlrpc_version(version: int) -> None:
    with served(version) as odoo:
        odoo.app.db.denied.add(("account.move", "create"))
        asks = {
            (model, op): odoo.call(model, "check_access_rights", op, raise_exception=False)
            for model in ("res.partner", "account.move")
            for op in ("read", "create")
        }
        refused = fault_of(lambda: odoo.call("account.move", "check_access_rights", "create"))
    assert asks == {
        ("res.partner", "read"): True,
        ("res.partner", "create"): True,
        ("account.move", "read"): True,
        ("account.move", "create"): False,
    }
    assert "You are not allowed to create 'Journal Entry' (account.move)" in refused.faultString


@pytest.mark.parametrize("version", [13, 17])
def test_has_access_does_not_exist_before_18(version: int) -> None:
    with served(version) as odoo:
        fault = fault_of(lambda: odoo.call("res.partner", "has_access", [], "read"))
    assert "has_access" in fault.faultString
    assert "does not exist" in fault.faultString


def test_has_access_on_18_takes_an_empty_recordset() -> None:
    with served(18) as odoo:
        odoo.app.db.denied.add(("res.partner", "create"))
        assert odoo.call("res.partner", "has_access", [], "read") is True
        assert odoo.call("res.partner", "has_access", [], "create") is False


def test_json2_on_19_has_access_and_the_deprecated_check_access_rights() -> None:
    with served(19) as odoo:
        odoo.app.db.denied.add(("account.move", "read"))

        def post(model: str, method: str, body: dict[str, object]) -> requests.Response:
            url = f"{odoo.url}/json/2/{model}/{method}"
            return requests.post(url, json=body, headers=AUTH, timeout=10)

        assert post("res.partner", "has_access", {"ids": [], "operation": "create"}).json() is True
        assert post("account.move", "has_access", {"ids": [], "operation": "read"}).json() is False
        old = post("account.move", "check_access_rights", {"operation": "read"})
        model_call_with_ids = post(
            "account.move", "check_access_rights", {"ids": [1], "operation": "read"}
        )
        refused_read = post("account.move", "search_read", {"domain": [], "fields": ["name"]})
    assert (old.status_code, old.json()["name"]) == (403, "odoo.exceptions.AccessError")
    assert model_call_with_ids.status_code == 422  # a model method takes no ids
    assert refused_read.status_code == 403


@pytest.mark.parametrize(("wc_version", "honoured"), [("5.7.2", False), ("5.8.0", True)])
def test_modified_after_is_ignored_by_stores_older_than_5_8(
    tmp_path: Path, wc_version: str, honoured: bool
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None)
    with Sandbox(orders=12, seed=3, directory=tmp_path, woo_version=wc_version) as sb:
        auth = (sb.secrets.woo_consumer_key, sb.secrets.woo_consumer_secret)
        resp = requests.get(
            f"{sb.woo_url}/wp-json/wc/v3/orders",
            params={
                "modified_after": tomorrow.isoformat(timespec="seconds"),
                "dates_are_gmt": "true",
                "per_page": "1",
            },
            auth=auth,
            verify=str(sb.ca_path),
            timeout=10,
        )
    assert resp.status_code == 200
    assert (resp.headers["X-WP-Total"] == "0") is honoured
