"""Fixtures shared by every test: a frozen clock, stores on tmp_path, a clean environment."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store import TaskStore, open_store


class FrozenClock:
    """A clock that only moves when a test says so (each read advances a microsecond
    by default, so that events keep a strict order, as they would in real time)."""

    def __init__(self, start: datetime, tick: timedelta = timedelta(microseconds=1)) -> None:
        self.now = start
        self.tick = tick

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.tick
        return current

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


FROZEN_START = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own database, user, theme or colour settings."""
    for name in ("TASKFLOW_DB_PATH", "TASKFLOW_USER", "NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # Anything that still falls back to the default location lands in the test's folder.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tasks.db"


@pytest.fixture
def store(db_path: Path, clock: FrozenClock) -> Iterator[TaskStore]:
    with open_store(db_path, user="alice", clock=clock) as opened:
        yield opened


@pytest.fixture
def is_root() -> bool:
    return os.geteuid() == 0
