"""Every command the tool shows a user is one its parser accepts.

Two sources: the examples and `backticked` commands of every ``--help``, and every string in
``wooodoo/`` (hints, errors, next steps) that suggests a ``wooodoo ...`` command. Each is
parsed by click, option by option down to the subcommand, and never run.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
import pytest

from wooodoo.cli import main

PACKAGE = Path(__file__).resolve().parents[2] / "wooodoo"

# What a placeholder in a suggested command stands for (a new placeholder needs a sample here).
SAMPLES = {
    "tenant": "acme",
    "name": "odoo_api_key",
    "lk.name": "woo_consumer_key",
    "again": "--config /etc/wooodoo/shops.yaml ",
    "cfg": "/tmp/sb/config.yaml",
    "config_path": "/tmp/demo/config.yaml",
}
BACKTICKED = re.compile(r"`(wooodoo\s[^`]*)`")
# Unquoted, a command stands after a label ("details: ", "1. ", "see ") or alone on its line.
COMMAND_NAMES = "|".join(map(re.escape, main.list_commands(click.Context(main))))
UNQUOTED = re.compile(
    rf"^(?:.*?(?::|\bsee|\d\.)\s+|\s*)(wooodoo\s+(?:-|\{{|(?:{COMMAND_NAMES})\b).*?)\s*$"
)


def parse(argv: Sequence[str]) -> tuple[str, ...]:
    """The command path ``argv`` resolves to, parsed the way ``wooodoo`` would, nothing invoked."""
    ctx = main.make_context("wooodoo", list(argv), resilient_parsing=False)
    path: tuple[str, ...] = ()
    while isinstance(ctx.command, click.Group):
        # click 8.2 to 9.0 keeps the subcommand's name apart from the other remaining tokens.
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            break
        name, command, args = ctx.command.resolve_command(ctx, rest)
        assert name is not None
        assert command is not None
        ctx = command.make_context(name, args, parent=ctx, resilient_parsing=False)
        path = (*path, name)
    return path


def wooodoo_commands(shell_line: str) -> list[list[str]]:
    """The ``wooodoo`` invocations in one shell line (pipes, ``&&`` and comments understood)."""
    lexer = shlex.shlex(shell_line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    for token in lexer:
        if token and set(token) <= set("();<>|&"):
            segments.append([])
        else:
            segments[-1].append(token)
    return [s[1:] for s in segments if s[:1] == ["wooodoo"]]


# --- the help texts ---------------------------------------------------------------------------


def all_commands(
    command: click.Command = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):  # loads the commands loaded on first use
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from all_commands(sub, (*path, name))


def examples(help_text: str) -> list[str]:
    """The lines under ``Example:`` or ``Examples:``, up to the next blank line."""
    lines = help_text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*Examples?:", line)]
    found: list[str] = []
    for start in starts:
        for line in lines[start + 1 :]:
            if not line.strip():
                break
            found.append(line.strip())
    return found


HELP = [(path, command.help or "") for path, command in all_commands()]


@pytest.mark.parametrize(("path", "help_text"), HELP, ids=[" ".join(p) or "-" for p, _ in HELP])
def test_every_help_example_parses(path: tuple[str, ...], help_text: str) -> None:
    lines = examples(help_text)
    assert lines, f"`wooodoo {' '.join(path)} --help` shows no example"
    shown: list[tuple[str, ...]] = []
    for line in lines:
        commands = wooodoo_commands(line)
        assert commands, f"example {line!r} runs no wooodoo command"
        shown += [parse(argv) for argv in commands]
    for backticked in BACKTICKED.findall(help_text):
        for argv in wooodoo_commands(backticked):
            parse(argv)
    assert any(p[: len(path)] == path for p in shown), f"no example of {path} uses it"


def test_the_help_examples_include_options_after_the_subcommand() -> None:
    sync_help = dict(HELP)[("sync",)]
    assert "wooodoo sync --tenant acme -v      # one tenant, with detail" in sync_help
    assert parse(["sync", "--tenant", "acme", "-v"]) == ("sync",)


# --- hints and messages in the code -----------------------------------------------------------


def docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes: prose for developers, not messages for users."""
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef))]
    return {
        id(owner.body[0].value)
        for owner in owners
        if owner.body
        and isinstance(owner.body[0], ast.Expr)
        and isinstance(owner.body[0].value, ast.Constant)
        and isinstance(owner.body[0].value.value, str)
    }


def strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, text) of every string that is not a docstring; f-string values as ``{expr}``."""
    skip = docstrings(tree)
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.JoinedStr):
            yield (
                node.lineno,
                "".join(
                    f"{{{ast.unparse(v.value)}}}"
                    if isinstance(v, ast.FormattedValue)
                    else str(v.value)
                    for v in node.values
                    if isinstance(v, ast.FormattedValue | ast.Constant)
                ),
            )
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value
        pending.extend(ast.iter_child_nodes(node))


def fill(template: str) -> str:
    def sample(match: re.Match[str]) -> str:
        expression = match[1]
        assert expression in SAMPLES, f"add a sample for {{{expression}}} to SAMPLES"
        return SAMPLES[expression]

    return re.sub(r"\{([^{}]*?)(?:![rsa])?\}", sample, template)


def suggested_commands() -> list[tuple[str, str]]:
    """(where, command) for every ``wooodoo ...`` command a message in the package suggests."""
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for lineno, text in strings(tree):
            for line in text.splitlines():
                unquoted = UNQUOTED.match(line)
                for command in [*BACKTICKED.findall(line), *([unquoted[1]] if unquoted else [])]:
                    where = f"{file.relative_to(PACKAGE.parent)}:{lineno}"
                    found.append((where, fill(command)))
    return sorted(set(found))


SUGGESTED = suggested_commands()


@pytest.mark.parametrize(("where", "command"), SUGGESTED, ids=[f"{w} {c}" for w, c in SUGGESTED])
def test_every_suggested_command_parses(where: str, command: str) -> None:
    for argv in wooodoo_commands(command):
        parse(argv)


def test_the_hints_that_name_a_secret_are_found() -> None:
    commands = {command for _, command in SUGGESTED}
    assert "wooodoo secrets set --tenant acme odoo_api_key" in commands  # Odoo refused the key
    assert "wooodoo secrets set --tenant acme woo_consumer_key" in commands  # a secret is missing
    assert "wooodoo audit failures" in commands  # after a sync with failed records
    assert "wooodoo --config /etc/wooodoo/shops.yaml secrets check" in commands  # init's step 3
