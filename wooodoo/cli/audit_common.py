"""What the ``wooodoo audit`` reports share: the tenants named, the options, the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from wooodoo.audit import AuditLog, open_audit
from wooodoo.cli.group import CliState

json_option = click.option(
    "--json", "as_json", is_flag=True, help="One JSON document (exact amounts, ISO 8601 times)."
)


F = TypeVar("F", bound=Callable[..., Any])


def limit_option(default: int) -> Callable[[F], F]:
    return click.option(
        "--limit",
        type=click.IntRange(1, 100_000),
        default=default,
        show_default=True,
        help="At most this many, newest first.",
    )


def named_tenants(ctx: click.Context, tenant_names: tuple[str, ...]) -> tuple[str, ...]:
    """The tenants named before the subcommand (``audit --tenant a runs``) or after it,
    checked against the config; none named: ``()``."""
    before = ctx.parent.params.get("tenant_names", ()) if ctx.parent else ()
    named = (*before, *tenant_names)
    if not named:
        return ()
    state = ctx.ensure_object(CliState)
    return tuple(t.name for t in state.tenants(named))


@contextmanager
def audit_store(ctx: click.Context) -> Iterator[AuditLog]:
    state = ctx.ensure_object(CliState)
    with open_audit(state.load_config().audit_db) as store:
        yield store
