"""Fixtures for app tests: the real factory, a frozen clock, repeatable ids, a fixed theme."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerState

from store import TaskRecord, TaskStore, open_store
from tests.conftest import FrozenClock
from tui.app import TaskFlowApp, make_app
from tui.widgets.task_table import TaskTable

AppFactory = Callable[..., TaskFlowApp]
THEME = "textual-dark"


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
        theme: str = THEME,
    ) -> TaskFlowApp:
        store = open_store(path or app_db, user=user, clock=clock, read_only=read_only)
        stores.append(store)
        return make_app(store, clock=clock, theme=theme, animations=False, poll_seconds=0.1)

    yield build
    for store in stores:
        store.close()


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Let workers finish and the messages they post be handled (which may start more)."""
    for _ in range(rounds):
        await pilot.pause()
        await finish_workers(pilot.app)
    await pilot.pause()


async def finish_workers(app: App[object]) -> None:
    """Wait for every worker that has started, whatever becomes of it.

    Textual's ``wait_for_complete`` raises as soon as one worker ends cancelled, which
    an exclusive worker does whenever a newer one replaces it (a new search while
    the last is still reading): the rest would then not be waited for at all.
    """
    started = [worker for worker in app.workers if worker.state is not WorkerState.PENDING]
    await asyncio.gather(*(worker.wait() for worker in started), return_exceptions=True)


def table_of(app: TaskFlowApp) -> TaskTable:
    return app.screen.query_one(TaskTable)


def shown_titles(app: TaskFlowApp) -> list[str]:
    table = table_of(app)
    return [table.rows.row(i).title for i in range(len(table.rows))]  # type: ignore[union-attr]


def current_task(app: TaskFlowApp) -> TaskRecord | None:
    return table_of(app).current


def table_lines(app: TaskFlowApp) -> list[str]:
    """The table's lines exactly as drawn on the terminal, as plain text."""
    table = table_of(app)
    return [table.render_line(y).text for y in range(table.size.height)]


def widget_text(widget: Widget) -> str:
    """A widget's lines exactly as drawn, as plain text."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))
