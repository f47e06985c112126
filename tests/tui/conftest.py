"""Fixtures for app tests: the real factory, a frozen clock, repeatable ids, a fixed theme."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.helpers import FrozenClock
from tests.tui.helpers import THEME, AppFactory
from tui.app import TaskFlowApp, make_app
from tui.settings import DEFAULTS, Settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME is the test folder, so the title bar shows ~/tasks.db in every snapshot."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def repeatable_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count(1)
    monkeypatch.setattr(
        "store.tasks.new_task_id", lambda: str(uuid.UUID(int=0x7A5C << 100 | next(counter)))
    )


@pytest.fixture
def app_db(home: Path) -> Path:
    return home / "tasks.db"


@pytest.fixture
def seed_store(app_db: Path, clock: FrozenClock) -> Iterator[TaskStore]:
    """A store to put tasks in before the app starts (migrations done, so no toast)."""
    with open_store(app_db, user="alice", clock=clock) as store:
        yield store


@pytest.fixture
def app_factory(app_db: Path, clock: FrozenClock) -> Iterator[AppFactory]:
    stores: list[TaskStore] = []

    def build(
        path: Path | None = None,
        *,
        user: str = "alice",
        read_only: bool = False,
        theme: str | None = THEME,
        settings: Settings = DEFAULTS,
    ) -> TaskFlowApp:
        store = open_store(path or app_db, user=user, clock=clock, read_only=read_only)
        stores.append(store)
        return make_app(
            store,
            settings=settings,
            clock=clock,
            theme=theme,
            animations=False,
            poll_seconds=0.1,
        )

    yield build
    for store in stores:
        store.close()
