"""Child processes for the torture tests: start one of this package's programs, read its lines.

The programs (kill_writer, migrator, cli_loop, locker) run as ``python -m
tests.safety.NAME`` from the repository root, so they import the same store and
app as the tests, and can be killed without taking pytest with them.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# Protection against a hung child only: no test judges how long anything took.
HANG_SECONDS = 180.0
REPORT_VARIABLE = "TASKFLOW_SAFETY_REPORT"


class Child:
    """A running program of this package whose standard output is read line by line."""

    def __init__(self, module: str, *args: str) -> None:
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            part for part in (str(REPO), environment.get("PYTHONPATH", "")) if part
        )
        environment.pop("PYTHONWARNINGS", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"tests.safety.{module}", *args],
            cwd=REPO,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, expected: str) -> bool:
        """Read lines until ``expected``; False if the program ended without printing it."""
        while True:
            try:
                line = self._lines.get(timeout=HANG_SECONDS)
            except queue.Empty:
                self.kill()
                raise AssertionError(
                    f"no {expected!r} from the child in {HANG_SECONDS:g}s"
                ) from None
            if line is None:
                return False
            if line == expected:
                return True

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def kill_after(self, seconds: float) -> None:
        time.sleep(seconds)
        self.kill()

    def kill(self) -> None:
        """SIGKILL: no handler runs, no buffer is flushed, no connection is closed."""
        if self.process.poll() is None:
            self.process.kill()

    def finish(self) -> tuple[int, str]:
        """Wait for the end; the exit status (negative: killed by that signal) and stderr."""
        try:
            self.process.wait(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=HANG_SECONDS)
        assert self.process.stderr is not None
        errors = self.process.stderr.read()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return self.process.returncode, errors

    def remaining_lines(self) -> list[str]:
        lines = []
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return lines
            if line is not None:
                lines.append(line)


def record_tally(scenario: str, runs: int, failures: int, **details: Any) -> None:
    """Say what a torture run tried and what held: printed (shown with -s or on failure),
    and appended to $TASKFLOW_SAFETY_REPORT as a JSON line when that is set, which is
    how the README's Data safety table is filled in."""
    entry = {"scenario": scenario, "runs": runs, "failures": failures, **details}
    print(json.dumps(entry, ensure_ascii=False))
    target = os.environ.get(REPORT_VARIABLE)
    if target:
        with open(target, "a", encoding="utf-8") as report:
            report.write(json.dumps(entry, ensure_ascii=False) + "\n")
