"""Running `taskflow` for real, for the tests that import it: results, and a process run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return self.err.splitlines()


CLI = Callable[..., Result]


def run_process(
    *args: str,
    cwd: Path,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    script: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m tui ARGS`` (or the installed ``taskflow`` script) in a clean environment."""
    command = (
        [str(Path(sys.executable).with_name("taskflow")), *args]
        if script
        else [sys.executable, "-m", "tui", *args]
    )
    environment = dict(os.environ)
    environment.pop("PYTHONWARNINGS", None)
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    completed = subprocess.run(
        command,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )
