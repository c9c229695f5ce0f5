"""``wooodoo init``: writes a commented starter configuration, readable only by its owner."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import click

from wooodoo import config as config_mod
from wooodoo.cli.group import CliState, pass_state
from wooodoo.errors import ConfigError, UsageError
from wooodoo.secrets import REQUIRED_SECRETS


def starter_config() -> str:
    return resources.files("wooodoo").joinpath("config.example.yaml").read_text("utf-8")


def write_private_file(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` readable only by the owner (0600); refuse to replace unless told to."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if overwrite else path
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists", hint="Pass --force to overwrite it, or --path elsewhere."
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # the umask could only have removed bits; be exact
            file.write(text)
        if target != path:
            os.replace(target, path)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


@click.command()
@click.option(
    "--path",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write [default: --config, WOOODOO_CONFIG, or the per-user location].",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_state
def init(state: CliState, target: Path | None, force: bool) -> None:
    """Write a commented starter configuration (mode 0600).

    Every key is explained in the file. It refuses to replace an existing
    file unless --force is given.

    \b
    Examples:
      wooodoo init
      wooodoo init --path ./shops.yaml --force
    """
    path = config_mod.locate_config(target or state.config_path)
    write_private_file(path, starter_config(), overwrite=force)
    again = "" if path == config_mod.locate_config(None) else f"--config {path} "
    state.echo(f"wrote a starter configuration to {path} (readable only by you)")
    state.echo("next steps:")
    state.echo("  1. edit it: store and Odoo URLs, Odoo login, accounts, tax mapping")
    state.echo("  2. store the API keys in the keyring (tenant 'acme' in the starter file):")
    for name in REQUIRED_SECRETS:
        state.echo(f"       wooodoo {again}secrets set --tenant acme {name}")
    state.echo(f"  3. wooodoo {again}secrets check")
    state.echo(f"  4. wooodoo {again}ping")


def register(group: click.Group) -> None:
    group.add_command(init)
