"""Command line: parse, wire, print, exit code. ``run`` is the console entry point (``main``
with the garbage collector tuned for a process of its own).

``group`` holds the group, its shared state and the error boundary; ``tenants`` runs a job per
tenant and prints the outcomes; each other module is one command group, loaded when its
command runs (``group.COMMAND_MODULES``), and registers itself there.
"""

from wooodoo.cli.group import main, run

__all__ = ["main", "run"]
