"""Partner resolution, tested directly: local link, Odoo by key, by e-mail, create once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeOdoo
from wooodoo.audit import AuditStore, Link
from wooodoo.sync.create_once import CommitWait
from wooodoo.sync.mapping import Reference
from wooodoo.sync.partners import resolve_partners
from wooodoo.sync.ports import ReferenceSpec

NO_WAIT = CommitWait(seconds=0, seconds_unless_timed_out=0, sleep=lambda s: None)


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    return AuditStore(tmp_path / "audit.sqlite3")


@pytest.fixture
def odoo() -> FakeOdoo:
    return FakeOdoo()


@pytest.fixture
def ref(odoo: FakeOdoo) -> Reference:
    return odoo.load_reference(ReferenceSpec("acme", {"1": "19% DE"}, {}, None, False))


def values(key: str, email: str | None, name: str = "Ana") -> dict[str, Any]:
    return {"name": name, "email": email or False, "ref": key, "customer_rank": 1}


def test_a_linked_partner_costs_no_odoo_call(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    wanted = {"acme/customer/1": values("acme/customer/1", "ana@example.test")}
    link = Link("acme/customer/1", "customer", "1", "res.partner", 77, "partner")
    store.commit_page("acme", None, [], [link])
    odoo.calls.clear()
    result = resolve_partners(wanted, ref, odoo, store, wait=NO_WAIT)
    assert result.ids == {"acme/customer/1": 77}
    assert odoo.calls == []


def test_odoo_is_asked_once_by_key_then_by_email_case_insensitively(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    by_key = odoo.create_partners([values("acme/customer/2", "bo@example.test")])[0]
    by_mail = odoo.create_partners([values("", "Cy@Example.test")])[0]
    wanted = {
        "acme/customer/2": values("acme/customer/2", "bo@example.test"),
        "acme/guest/cy@example.test": values("acme/guest/cy@example.test", "cy@example.test"),
    }
    odoo.calls.clear()
    result = resolve_partners(wanted, ref, odoo, store, wait=NO_WAIT)
    assert result.ids == {"acme/customer/2": by_key, "acme/guest/cy@example.test": by_mail}
    assert odoo.calls == ["find_partners"]
    assert {e.action for e in result.events} == {"linked"}


def test_the_same_buyer_twice_in_a_batch_is_created_once(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    wanted = {
        "acme/customer/3": values("acme/customer/3", "dee@example.test"),
        "acme/guest/dee@example.test": values("acme/guest/dee@example.test", "DEE@example.test"),
    }
    result = resolve_partners(wanted, ref, odoo, store, wait=NO_WAIT)
    assert odoo.calls.count("create_partners") == 1
    assert len(odoo.partners) == 1
    assert len(set(result.ids.values())) == 1
    assert [e.action for e in result.events] == ["created"]


def test_a_dry_run_creates_nothing_and_says_what_it_would(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    wanted = {"acme/customer/4": values("acme/customer/4", "eve@example.test")}
    result = resolve_partners(wanted, ref, odoo, store, dry_run=True, wait=NO_WAIT)
    assert odoo.partners == {}
    assert [e.action for e in result.events] == ["would_create"]


def test_known_partners_are_updated_only_when_their_values_changed(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    key = "acme/customer/5"
    first = resolve_partners({key: values(key, "fay@example.test")}, ref, odoo, store, wait=NO_WAIT)
    store.commit_page("acme", None, first.events, first.links)
    pid = first.ids[key]
    odoo.calls.clear()
    same = values(key, "fay@example.test")
    unchanged = resolve_partners({key: same}, ref, odoo, store, update_known=True, wait=NO_WAIT)
    assert odoo.calls == []
    assert unchanged.events == []
    moved = values(key, "fay@example.test", name="Fay Moved")
    changed = resolve_partners({key: moved}, ref, odoo, store, update_known=True, wait=NO_WAIT)
    assert odoo.calls == ["read_partners", "update_partner"]
    assert odoo.partners[pid]["name"] == "Fay Moved"
    assert odoo.partners[pid]["ref"] == key  # the key is never rewritten
    assert [e.action for e in changed.events] == ["updated"]


def test_a_field_changed_in_odoo_is_not_overwritten(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    key = "acme/customer/6"
    made = resolve_partners({key: values(key, "gus@example.test")}, ref, odoo, store, wait=NO_WAIT)
    store.commit_page("acme", None, made.events, made.links)
    pid = made.ids[key]
    odoo.partners[pid]["email"] = "gus@accounting.example.test"  # the accountant's edit
    shop = values(key, "gus@new.example.test", name="Gus New")
    result = resolve_partners({key: shop}, ref, odoo, store, update_known=True, wait=NO_WAIT)
    assert odoo.partners[pid]["email"] == "gus@accounting.example.test"  # kept
    assert odoo.partners[pid]["name"] == "Gus New"  # ours, unchanged in Odoo: written
    [event] = result.events
    assert event.action == "updated"
    assert event.error == "kept what was changed in Odoo: email"


def test_a_partner_wooodoo_only_linked_is_never_written(
    odoo: FakeOdoo, store: AuditStore, ref: Reference
) -> None:
    key = "acme/customer/7"
    pid = odoo.create_partners([values(key, "hal@example.test")])[0]  # there before wooodoo
    linked = resolve_partners(
        {key: values(key, "hal@example.test")}, ref, odoo, store, wait=NO_WAIT
    )
    store.commit_page("acme", None, linked.events, linked.links)
    shop = values(key, "hal@example.test", name="Hal Renamed")
    resolve_partners({key: shop}, ref, odoo, store, update_known=True, wait=NO_WAIT)
    assert odoo.partners[pid]["name"] == "Ana"
