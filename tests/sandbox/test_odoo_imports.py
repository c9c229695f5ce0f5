"""The sandbox's modules import one another in one direction and never each other's private names.

Every import counts: at the top, inside functions and under ``TYPE_CHECKING``. ``from pkg import
mod`` is an import of ``pkg.mod``; that a module's parent package runs first is not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wooodoo.sandbox

ROOT = Path(wooodoo.sandbox.__file__).parent
PACKAGE = "wooodoo.sandbox"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join((PACKAGE, *parts)).removesuffix(".__init__")


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imports(name: str) -> list[tuple[str, list[str]]]:
    """``(module, names)`` for each import statement of a sandbox module, relative ones resolved."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.append((base, [alias.name for alias in node.names]))
    return found


def edges(name: str) -> set[str]:
    out = set()
    for module, names in imports(name):
        submodules = {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
        out |= submodules
        if module in MODULES and (not names or len(submodules) < len(names)):
            out.add(module)
    return out - {name}


def cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path that leads from ``start`` back to it, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_sandbox_module_imports_itself_through_others() -> None:
    graph = {name: edges(name) for name in MODULES}
    cycles = [c for name in sorted(graph) if (c := cycle_from(name, graph))]
    assert cycles == []


def test_no_private_name_is_imported_from_another_sandbox_module() -> None:
    private = [
        f"{name}: {n} from {module}"
        for name in sorted(MODULES)
        for module, names in imports(name)
        for n in names
        if n.startswith("_") and not n.startswith("__")
    ]
    assert private == []
