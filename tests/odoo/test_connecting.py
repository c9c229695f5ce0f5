"""``ConnectingApi``: an Odoo connection made in a thread, used once it is made."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from wooodoo.errors import AuthError
from wooodoo.logs import log_context
from wooodoo.odoo.connecting import ConnectingApi
from wooodoo.odoo.protocol import FieldNames, OdooApi, OdooVersion

WAIT_SECONDS = 5


class Api:
    """An OdooApi that answers every call with its arguments."""

    version = OdooVersion(18, 0, "18.0")
    api = "xmlrpc"
    fields = FieldNames.for_version(version)
    database = "db"
    uid = 2
    requests_sent = 2

    def __init__(self) -> None:
        self.closed = False

    def call(self, model: str, method: str, **kwargs: Any) -> Any:
        return (model, method, kwargs)

    def close(self) -> None:
        self.closed = True


def test_the_first_use_waits_for_the_connection() -> None:
    release, api = threading.Event(), Api()

    def connect() -> OdooApi:
        release.wait(WAIT_SECONDS)
        return api

    connecting = ConnectingApi(connect)
    threading.Timer(0.05, release.set).start()

    assert connecting.call("res.partner", "search", domain=[]) == (
        "res.partner",
        "search",
        {"ids": None, "retry": None, "domain": []},
    )
    assert release.is_set()
    assert (connecting.version, connecting.api, connecting.database) == (
        api.version,
        "xmlrpc",
        "db",
    )
    assert (connecting.uid, connecting.requests_sent) == (2, 2)
    assert connecting.fields == api.fields
    connecting.close()
    assert api.closed


def test_an_error_while_connecting_is_raised_at_each_use() -> None:
    def connect() -> OdooApi:
        raise AuthError("Odoo refused the API key of tenant shop")

    connecting = ConnectingApi(connect)

    with pytest.raises(AuthError, match="refused the API key"):
        connecting.call("res.partner", "search")
    with pytest.raises(AuthError, match="refused the API key"):
        _ = connecting.version
    connecting.close()  # nothing was opened: nothing to close


def test_the_connect_logs_under_the_tenant_that_started_it() -> None:
    from wooodoo import logs

    seen: list[str | None] = []

    def connect() -> OdooApi:
        seen.append(logs._tenant.get())
        return Api()

    with log_context("shop"):
        connecting = ConnectingApi(connect)
    connecting.close()

    assert seen == ["shop"]


def test_closing_without_waiting_leaves_the_connect_to_close_what_it_opens() -> None:
    """A run that never used its early connection (a lock held) does not wait for it."""
    release, api = threading.Event(), Api()

    def connect() -> OdooApi:
        release.wait(WAIT_SECONDS)
        return api

    connecting = ConnectingApi(connect)
    connecting.close(wait=False)
    assert not release.is_set()  # it did not wait for the connect
    release.set()
    connecting._thread.join(WAIT_SECONDS)
    assert api.closed
    connecting.close()  # a second close does nothing
