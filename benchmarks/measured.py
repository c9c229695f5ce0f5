"""Run a command as this small process's child; write its pid, then its exit, time and peak RSS.

Usage: python measured.py RESULT.json COMMAND [ARG...]

Why a go-between: Linux keeps a process's ``ru_maxrss`` across ``exec`` and starts a spawned
child from its parent's memory, so a sync started straight from the benchmark (which holds the
whole sandbox) would report the benchmark's peak, not its own. Started from this process
(a few MiB), the child's peak is its own. Stdlib only, so it stays small.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    result, command = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    pid = os.posix_spawn(command[0], command, os.environ)
    with open(result + ".pid.tmp", "w", encoding="ascii") as file:
        file.write(str(pid))
    os.replace(result + ".pid.tmp", result + ".pid")
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    payload = {
        "exit_code": os.waitstatus_to_exitcode(status),
        "seconds": seconds,
        "max_rss_kib": usage.ru_maxrss,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }
    with open(result + ".tmp", "w", encoding="ascii") as file:
        json.dump(payload, file)
    os.replace(result + ".tmp", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
