"""The ``wooodoo`` process ends without the interpreter's teardown, once all is flushed.

``end_process`` exits with the status ``sys.exit`` would give; what was printed reaches a pipe
whole; a thread that is not a daemon is still waited for, as by a normal exit.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from wooodoo import __version__


def ended(body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` then ``end_process(CODE)`` in a fresh interpreter whose output is a pipe;
    an atexit hook prints "teardown" if the interpreter's own exit ran."""
    code = (
        "import atexit, sys, threading, time\n"
        "from wooodoo.cli.group import end_process\n"
        "atexit.register(lambda: print('teardown', flush=True))\n" + body
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("code", "status"), [("None", 0), ("0", 0), ("3", 3), ("75", 75)])
def test_the_status_is_the_exit_code_and_the_teardown_is_skipped(code: str, status: int) -> None:
    result = ended(f"end_process({code})")
    assert result.returncode == status
    assert "teardown" not in result.stdout


def test_a_message_goes_to_stderr_with_status_1() -> None:
    result = ended("end_process('the store is gone')")
    assert result.returncode == 1
    assert result.stderr.strip() == "the store is gone"


def test_what_was_printed_reaches_the_pipe_whole() -> None:
    lines = 20_000  # far more than a pipe buffers, written without a flush of its own
    result = ended(
        f"sys.stdout.write(''.join(f'{{i}}\\n' for i in range({lines})))\nend_process(0)"
    )
    assert result.returncode == 0
    assert result.stdout.splitlines() == [str(i) for i in range(lines)]


def test_a_thread_that_is_not_a_daemon_is_waited_for() -> None:
    body = (
        "def late():\n    time.sleep(0.3)\n    print('thread done', flush=True)\n"
        "threading.Thread(target=late).start()\nend_process(5)"
    )
    result = ended(body)
    assert result.returncode == 5
    assert result.stdout.splitlines() == ["thread done", "teardown"]


def test_the_console_entry_point_ends_this_way() -> None:
    code = (
        "import atexit\natexit.register(lambda: print('teardown', flush=True))\n"
        "from wooodoo.cli import run\nrun()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout
    assert "teardown" not in result.stdout
