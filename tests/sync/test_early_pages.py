"""A sync's first WooCommerce pages are read while the run reaches Odoo.

Before its order walk, a sync connects to Odoo (version, key check), sweeps twins, polls Odoo
for what changed there and retries its failures: Odoo round trips that do not need the pages.
The first page's request and the connect, or the poll, wait for each other here (bounded), and
fail the test when the page is asked for only once the other is over.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import invoice_problems, running_box
from wooodoo import early
from wooodoo.odoo.protocol import OdooApi
from wooodoo.sync.odoo_changes import OdooChanges
from wooodoo.woo.client import WooClient

RENDEZVOUS_SECONDS = 5


def test_the_first_page_is_read_while_odoo_is_polled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    polling, paging = threading.Event(), threading.Event()
    met: dict[str, bool] = {}
    real_run, real_list = OdooChanges.run, WooClient._get_list

    def run(self: OdooChanges) -> Any:
        if not polling.is_set():  # the run's first poll, before the walk
            polling.set()
            met["the poll saw the first page asked for"] = paging.wait(RENDEZVOUS_SECONDS)
        return real_run(self)

    def get_list(self: WooClient, path: str, params: Mapping[str, str]) -> Any:
        if path == "orders" and not paging.is_set():
            paging.set()
            met["the first page saw the poll"] = polling.wait(RENDEZVOUS_SECONDS)
        return real_list(self, path, params)

    monkeypatch.setattr(OdooChanges, "run", run)
    monkeypatch.setattr(WooClient, "_get_list", get_list)
    with running_box(tmp_path, monkeypatch, orders=120, seed=5) as box:
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)

    assert met == {
        "the poll saw the first page asked for": True,
        "the first page saw the poll": True,
    }
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []


def test_the_first_page_is_read_while_odoo_connects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connecting, paging = threading.Event(), threading.Event()
    met: dict[str, bool] = {}
    real_connect, real_list = early.connect, WooClient._get_list

    def connect(*args: Any, **kwargs: Any) -> OdooApi:
        if not connecting.is_set():
            connecting.set()
            met["the connect saw the first page asked for"] = paging.wait(RENDEZVOUS_SECONDS)
        return real_connect(*args, **kwargs)

    def get_list(self: WooClient, path: str, params: Mapping[str, str]) -> Any:
        if path == "orders" and not paging.is_set():
            paging.set()
            met["the first page saw the connect"] = connecting.wait(RENDEZVOUS_SECONDS)
        return real_list(self, path, params)

    monkeypatch.setattr(early, "connect", connect)
    monkeypatch.setattr(WooClient, "_get_list", get_list)
    with running_box(tmp_path, monkeypatch, orders=120, seed=5) as box:
        result = box.sync()
        problems, eligible = invoice_problems(box.sb, box, allow_flagged=True)

    assert met == {
        "the connect saw the first page asked for": True,
        "the first page saw the connect": True,
    }
    assert result.stats["invoiced"] > 0
    assert eligible
    assert problems == []
