"""Command line: parse, wire, print, exit code. ``main`` is the console entry point.

``group`` holds the group, its shared state and the error boundary; ``tenants`` runs a job per
tenant and prints the outcomes; each other module is one command group and registers it here.
"""

from wooodoo.cli import audit, init, ping, sandbox, secrets, sync, webhook
from wooodoo.cli.group import main

for commands in (init, secrets, sync, ping, audit, webhook, sandbox):
    commands.register(main)

__all__ = ["main"]
