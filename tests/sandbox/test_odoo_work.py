"""The Odoo look-alike works on a create before it commits, and finishes it when the client left.

This is what a real Odoo does (a create of 100 invoices takes 10-15 s); without it the kill and
timeout tests could never see a late commit.
"""

from __future__ import annotations

import json
import threading
import time
import xmlrpc.client
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.sandbox.conftest_odoo import DB, KEY, served
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.odoo.work import WorkModel, created_values


def partner_count(odoo_app: object, name: str) -> int:
    return len(odoo_app.env("res.partner").search([("name", "=", name)]))  # type: ignore[attr-defined]


def xmlrpc_body(model: str, method: str, *args: object) -> bytes:
    return xmlrpc.client.dumps((DB, 2, KEY, model, method, list(args), {}), "execute_kw").encode()


def test_a_create_is_invisible_until_it_commits_and_keeps_its_start_time() -> None:
    t0 = time.monotonic()
    base = datetime(2026, 11, 1, tzinfo=UTC)

    def fast_clock() -> datetime:  # a minute of Odoo's clock per second of ours
        return base + timedelta(minutes=time.monotonic() - t0)

    with served(18, work=WorkModel(per_call=0.6), clock=fast_clock) as odoo:
        done: list[object] = []

        def create() -> None:
            proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object")
            done.append(
                proxy.execute_kw(DB, 2, KEY, "res.partner", "create", [[{"name": "Late"}]], {})
            )

        worker = threading.Thread(target=create)
        began = fast_clock()
        worker.start()
        time.sleep(0.2)
        # other calls go on while the create works, and do not see it
        assert odoo.call("res.partner", "search_count", [("name", "=", "Late")]) == 0
        worker.join(timeout=5)
        assert done
        rows = odoo.call("res.partner", "search_read", [("name", "=", "Late")], ["create_date"])
        assert len(rows) == 1
        # stamped when the call began (PostgreSQL's now()), not when it became visible (36 s
        # of this clock later)
        stamped = datetime.fromisoformat(rows[0]["create_date"]).replace(tzinfo=UTC)
        assert abs(stamped - began) < timedelta(seconds=10)


def test_a_client_that_times_out_does_not_stop_the_commit() -> None:
    with served(19, work=WorkModel(per_call=0.2, per_record=0.2)) as odoo:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(
                f"{odoo.url}/json/2/res.partner/create",
                data=json.dumps({"vals_list": [{"name": "Gone"}, {"name": "Gone"}]}),
                headers={"Authorization": f"bearer {KEY}", "Content-Type": "application/json"},
                timeout=0.2,
            )
        assert partner_count(odoo.app, "Gone") == 0
        deadline = time.monotonic() + 5
        while partner_count(odoo.app, "Gone") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partner_count(odoo.app, "Gone") == 2


def test_a_client_killed_mid_call_does_not_stop_the_commit() -> None:
    import socket

    with served(17, work=WorkModel(per_call=0.3)) as odoo:
        body = xmlrpc_body("res.partner", "create", [{"name": "Killed"}])
        host, port = odoo.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                b"POST /xmlrpc/2/object HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(0.05)
        deadline = time.monotonic() + 5
        while partner_count(odoo.app, "Killed") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partner_count(odoo.app, "Killed") == 1


def test_the_work_grows_with_records_and_tax_totals() -> None:
    model = WorkModel(per_call=1.0, per_move=0.5, per_record=0.125, per_tax_totals=0.25)
    two = [{"a": 1}, {"a": 2, "tax_totals": {}}]
    assert model.seconds("account.move", two) == 1.0 + 1.0 + 0.25
    assert model.seconds("res.partner", [{"a": 1}]) == 1.0 + 0.125
    assert created_values("create", [[{"a": 1}]], {}) == [{"a": 1}]
    assert created_values("create", (), {"vals_list": {"a": 1}}) == [{"a": 1}]
    assert created_values("write", [[1], {"a": 1}], {}) is None
    assert not WorkModel().any()


def test_the_work_can_be_set_and_read_while_the_sandbox_runs(tmp_path: Path) -> None:
    with Sandbox(orders=5, seed=3, odoo_version=19, directory=tmp_path) as sb:
        url = f"{sb.odoo_url}/__sandbox__/work"
        answer = requests.post(url, json={"per_call": 0.5, "per_move": 0.1}, timeout=5)
        assert answer.status_code == 200
        assert answer.json()["work"]["per_call"] == 0.5
        assert sb.odoo_app.work == WorkModel(per_call=0.5, per_move=0.1)
        bad = requests.post(url, json={"per_cal": 1}, timeout=5)
        assert bad.status_code == 400
        assert "per_cal" in bad.json()["error"]
        assert requests.get(url, timeout=5).json()["done"] == {}
        assert (
            requests.get(f"{sb.woo_url}/__sandbox__/work", verify=sb.ca_path, timeout=5).status_code
            == 404
        )
