"""Running `taskflow` for real: through ``tui.cli.main`` with captured output, or as a process."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.cli.helpers import CLI, Result
from tests.helpers import FrozenClock
from tui.cli import main


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """``run("list")`` is ``taskflow list`` in-process, with nothing added to the arguments
    (the config file's tests choose the database and user there, or not at all)."""

    def go(*argv: str) -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return go


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
