"""Run one command; print its wall time and peak resident memory as JSON.

    python -I -S benchmarks/child.py STDOUT_FILE STDERR_FILE -- COMMAND [ARG ...]

Why a process of its own between the benchmark and the command: Linux folds the
peak memory of a process that calls exec into the program it becomes (exec_mmap
keeps the old address space's high-water mark), and a child started by
subprocess (vfork) execs from its parent's address space. Started straight from
the benchmark, which holds tens or hundreds of MB by then, every command would
seem to use at least that much. This script holds about 11 MB (run with -I -S:
no site, no user paths): that is the floor under the figures it reports, below
any command measured (`task --version` alone reports it). It uses the standard
library only and is run as a script, so it imports nothing of ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    stdout_path, stderr_path, separator, *command = argv
    if separator != "--" or not command:
        print(__doc__, file=sys.stderr)
        return 2
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        begin = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        # wait4, not Popen.wait: it returns the child's own resource use (ru_maxrss).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - begin
    process.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"seconds": seconds, "peak_kib": usage.ru_maxrss}))
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
