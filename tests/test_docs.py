"""The README is a contract: its commands are the ones CI runs and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from wooodoo.cli import main

ROOT = Path(__file__).resolve().parents[1]


def quick_start_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_quick_start_is_two_single_line_commands() -> None:
    blocks = quick_start_blocks()
    assert len(blocks) == 2
    assert all("\n" not in b for b in blocks)
    assert "wooodoo demo" in blocks[0]


def test_ci_runs_exactly_the_readme_check_command() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick_start_blocks()[1] in ci_lines


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = []

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            full = f"{prefix} {name}"
            # a subcommand may be listed as "wooodoo secrets set|delete|check" or "[failures |"
            written = full in readme or re.search(
                rf"{re.escape(prefix)} [\[\w|\\ ]*\b{re.escape(name)}\b", readme
            )
            if not written:
                missing.append(full)
            if isinstance(command, click.Group):
                walk(command, full)

    walk(main, "wooodoo")
    assert missing == []
