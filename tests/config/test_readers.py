"""The generic readers on their own: each returns a usable value and records the problem's path."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from wooodoo.config.readers import Problems, Section, as_text, did_you_mean, kind_of
from wooodoo.config.source import SourceInt

OCTAL_0400 = SourceInt(256, "0400")  # what YAML makes of an unquoted 0400


def section(values: Mapping[str, Any], dotted: str = "sync") -> Section:
    """A section of ``values`` (all keys allowed) whose problems start with ``f.yaml``."""
    return Section.read(values, dotted, Problems(where=("f.yaml",)), allowed=tuple(values))


def test_problems_carry_where_they_were_found() -> None:
    problems = Problems(where=("f.yaml",))
    problems.add("", "the file is empty")
    problems.within("tenant 'acme'").add("odoo.url", "required")
    assert problems.found == [
        "f.yaml: the file is empty",
        "f.yaml: tenant 'acme': odoo.url: required",
    ]


def test_section_keeps_allowed_keys_and_reports_the_rest() -> None:
    problems = Problems(where=("f.yaml",))
    raw = {"url": "https://x.example", "logn": "me", 7: "seven", "api": None}
    sec = Section.read(raw, "odoo", problems, allowed=("url", "login", "api"), required=("login",))
    assert sec.values == {"url": "https://x.example", "api": None}
    assert sec.has("api")
    assert sec.get("url") == "https://x.example"
    assert sec.text("api", "auto") == "auto"  # "api:" without a value is the default
    assert problems.found == [
        "f.yaml: odoo.logn: unknown key (did you mean 'login'?)",
        "f.yaml: odoo.7: unknown key",
        "f.yaml: odoo.login: required",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(["a"], ["f.yaml: sync: must be a mapping of keys, not a list"], id="list"),
        pytest.param(None, ["f.yaml: sync: must be a mapping of keys, not empty"], id="empty"),
    ],
)
def test_section_that_is_not_a_mapping_is_one_problem(value: object, expected: list[str]) -> None:
    problems = Problems(where=("f.yaml",))
    sec = Section.read(value, "sync", problems, allowed=("since",), required=("since",))
    assert (sec.values, problems.found) == ({}, expected)


def test_missing_nested_section_is_left_to_its_parent() -> None:
    parent = Section.read({}, "", Problems(), allowed=("sync",), required=("sync",))
    child = parent.section("sync", ("since",), required=("since",))
    assert child.dotted == "sync"
    assert parent.problems.found == ["sync: required"]


def test_nested_section_paths_are_dotted() -> None:
    sec = section({"accounts": {"products": True}})
    accounts = sec.section("accounts", ("products",))
    assert accounts.text("products", "") == ""
    assert sec.problems.found == [
        "f.yaml: sync.accounts.products: must be a string, not a boolean (quote it)"
    ]


Read = Callable[[Section], object]
CASES = [
    pytest.param(lambda s: s.text("v", "d"), "abc", "abc", None, id="text"),
    pytest.param(lambda s: s.text("v", "d"), OCTAL_0400, "0400", None, id="text-number-as-written"),
    pytest.param(lambda s: s.text("v", "d"), " ", "d", "must not be blank", id="text-blank"),
    pytest.param(
        lambda s: s.text("v", "d"), 1.5, "d", "must be a string, not a decimal number (quote it)",
        id="text-float",
    ),
    pytest.param(lambda s: s.choice("v", ("a", "b"), "a"), "b", "b", None, id="choice"),
    pytest.param(
        lambda s: s.choice("v", ("a", "b"), "a"), "B", "a", "must be one of a, b, not 'B'",
        id="choice-case",
    ),
    pytest.param(lambda s: s.boolean("v", True), False, False, None, id="boolean"),
    pytest.param(
        lambda s: s.boolean("v", True), "no", True, "must be true or false, not a string",
        id="boolean-string",
    ),
    pytest.param(lambda s: s.integer("v", 5, 1, 9), 9, 9, None, id="integer"),
    pytest.param(
        lambda s: s.integer("v", 5, 1, 9), 10, 5, "must be between 1 and 9, not 10",
        id="integer-range",
    ),
    pytest.param(
        lambda s: s.integer("v", 5, 1, 9), True, 5, "must be a whole number, not a boolean",
        id="integer-bool",
    ),
    pytest.param(lambda s: s.seconds("v", 30.0), 3600, 3600.0, None, id="seconds"),
    pytest.param(
        lambda s: s.seconds("v", 30.0), 0.0, 30.0,
        "must be more than 0 and at most 3600 seconds, not 0.0", id="seconds-zero",
    ),
    pytest.param(
        lambda s: s.seconds("v", 30.0), "9", 30.0, "must be a number of seconds, not a string",
        id="seconds-string",
    ),
    pytest.param(
        lambda s: s.date("v", dt.date.min), " 2026-02-03", dt.date(2026, 2, 3), None,
        id="date-text",
    ),
    pytest.param(
        lambda s: s.date("v", dt.date.min), dt.date(2026, 2, 3), dt.date(2026, 2, 3), None,
        id="date",
    ),
    pytest.param(
        lambda s: s.date("v", dt.date.min), "2026-13-01", dt.date.min,
        "must be a date as YYYY-MM-DD, not '2026-13-01'", id="date-invalid",
    ),
    pytest.param(
        lambda s: s.date("v", dt.date.min), 20260203, dt.date.min,
        "must be a date as YYYY-MM-DD, not a whole number", id="date-number",
    ),
    pytest.param(lambda s: s.url("v"), "HTTPS://X.example/", "https://x.example", None, id="url"),
    pytest.param(
        lambda s: s.url("v"), "http://x.example", "",
        "must use https (only loopback may use http)", id="url-plain-http",
    ),
    pytest.param(
        lambda s: s.choices("v", ("a", "b"), ("a",), "letter"), ["b", "a", "b"], ("b", "a"), None,
        id="choices-once-each",
    ),
    pytest.param(
        lambda s: s.choices("v", ("apple", "pear"), ("pear",), "fruit"), ["aple"], (),
        "unknown fruit 'aple' (did you mean 'apple'?); known: apple, pear", id="choices-typo",
    ),
    pytest.param(
        lambda s: s.choices("v", ("a", "b"), ("a",), "letter"), [], ("a",),
        "must be a non-empty list, not a list", id="choices-empty",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("read", "raw", "expected", "problem"), CASES)
def test_reader(read: Read, raw: object, expected: object, problem: str | None) -> None:
    sec = section({"v": raw})
    assert read(sec) == expected
    assert sec.problems.found == ([f"f.yaml: sync.v: {problem}"] if problem else [])


@pytest.mark.parametrize("read", [pytest.param(case.values[0], id=case.id) for case in CASES])
def test_absent_key_gives_the_default_silently(read: Read) -> None:
    for sec in (section({}), section({"v": None})):
        read(sec)
        assert sec.problems.found == []


def test_absent_key_values() -> None:
    sec = section({})
    assert sec.text("v", None) is None
    assert sec.choices("v", ("a",), ("a",), "letter") == ("a",)
    assert sec.url("v") == ""
    assert sec.path("v", Path("/etc"), must_exist=True) is None
    assert dict(sec.texts("v", "keys to names", "a key", "a name")) == {}


def test_texts_reads_a_mapping_of_names() -> None:
    raw = {OCTAL_0400: "VAT", "de": 19, "": "x", None: "y", "1": " ", "2": ["a"], 1.5: "z"}
    sec = section({"taxes": raw})
    result = sec.texts("taxes", "rate to tax", key_is="a rate id", value_is="a tax name")
    assert dict(result) == {"0400": "VAT"}
    with pytest.raises(TypeError):
        result["x"] = "y"  # type: ignore[index]
    assert sec.problems.found == [
        "f.yaml: sync.taxes.de: must be a tax name, not a whole number",
        "f.yaml: sync.taxes: key '' must be a rate id",
        "f.yaml: sync.taxes: key None must be a rate id",
        "f.yaml: sync.taxes.1: must not be blank",
        "f.yaml: sync.taxes.2: must be a tax name, not a list",
        "f.yaml: sync.taxes: key 1.5 must be a rate id",
    ]


def test_texts_reports_a_key_given_twice_and_keeps_the_last() -> None:
    sec = section({"taxes": {SourceInt(1, "1"): "A", "1": "B"}})
    assert dict(sec.texts("taxes", "x", "a key", "a name")) == {"1": "B"}
    assert sec.problems.found == ["f.yaml: sync.taxes.1: given twice"]


def test_mapping_reader_names_what_it_wants() -> None:
    sec = section({"tenants": ["acme"]}, dotted="")
    assert sec.mapping("tenants", "tenant name to settings") is None
    assert sec.problems.found == [
        "f.yaml: tenants: must be a mapping of tenant name to settings, not a list"
    ]


def test_path_resolves_against_the_base_and_checks_files(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("pem")
    sec = section({"ca": "ca.pem", "db": "state/a.db", "home": "~/x.pem", "gone": "no.pem"})
    assert sec.path("ca", tmp_path, must_exist=True) == tmp_path / "ca.pem"
    assert sec.path("db", tmp_path, must_exist=False) == tmp_path / "state" / "a.db"
    assert sec.path("home", tmp_path, must_exist=False) == Path(os.environ["HOME"]) / "x.pem"
    assert sec.path("gone", tmp_path, must_exist=True) == tmp_path / "no.pem"
    assert sec.problems.found == [f"f.yaml: sync.gone: file not found: {tmp_path / 'no.pem'}"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "empty", id="none"),
        pytest.param(True, "a boolean", id="bool-before-int"),
        pytest.param(OCTAL_0400, "a whole number", id="source-int"),
        pytest.param(2.5, "a decimal number", id="float"),
        pytest.param("x", "a string", id="str"),
        pytest.param({}, "a mapping", id="mapping"),
        pytest.param([], "a list", id="list"),
        pytest.param(dt.datetime(2026, 1, 1, 9), "a date", id="datetime"),
        pytest.param(b"x", "bytes", id="other-type-name"),
    ],
)
def test_kind_of(value: object, expected: str) -> None:
    assert kind_of(value) == expected


def test_as_text_and_did_you_mean() -> None:
    assert (as_text("x"), as_text(OCTAL_0400), as_text(256), as_text(None)) == (
        "x",
        "0400",
        None,
        None,
    )
    assert did_you_mean("statuss", ("since", "statuses")) == " (did you mean 'statuses'?)"
    assert did_you_mean("zzz", ("since", "statuses")) == ""
