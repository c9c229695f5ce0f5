"""YAML text → plain values that keep integer spelling; duplicate keys and syntax errors by line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wooodoo.errors import ConfigError


class SourceInt(int):
    """A YAML integer that remembers how it was written (account codes like 0400, rate ids)."""

    text: str

    def __new__(cls, value: int, text: str) -> SourceInt:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


@dataclass(frozen=True)
class Document:
    """The parsed file; ``duplicates`` are problems ("line 7: duplicate key ...")."""

    data: object
    duplicates: tuple[str, ...]


def parse_yaml(text: str, path: Path) -> Document:
    """Parse with the safe loader; a syntax error is a ConfigError naming its line and column."""
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
    return Document(data, tuple(loader.duplicates))


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


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> SourceInt:
    assert isinstance(node, yaml.ScalarNode)
    return SourceInt(loader.construct_yaml_int(node), str(node.value))


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    assert isinstance(node, yaml.ScalarNode)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # 2026-13-01: keep the text so validation can name the key
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
