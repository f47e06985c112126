"""Running `taskflow` for real: through ``tui.cli.main`` with captured output, or as a process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.conftest import FrozenClock
from tui.cli import main

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


@pytest.fixture
def cli_clock(clock: FrozenClock) -> Callable[[], datetime]:
    """The clock ``cli`` runs on: the frozen one that ``alice`` shares, so that no test's
    outcome depends on the day or the hour the suite happens to run."""
    return clock


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    location: str,
    monkeypatch: pytest.MonkeyPatch,
    cli_clock: Callable[[], datetime],
) -> CLI:
    """``cli("add", "x")`` runs ``taskflow --db <test db> --user alice add x`` in-process,
    on a SQLite file or a PostgreSQL schema (the ``backend`` parameter)."""

    def run(
        *args: str, user: str | None = "alice", db: Path | str | None = None, stdin: bytes = b""
    ) -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        argv = ["--db", str(db or location)]
        if user is not None:
            argv += ["--user", user]
        code = main([*argv, *args], clock=cli_clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def alice(location: str, clock: FrozenClock) -> Iterator[TaskStore]:
    """The same database as ``cli``, opened directly on the same clock, to set a test up
    and to check what a command did."""
    with open_store(location, user="alice", clock=clock) as store:
        yield store


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
