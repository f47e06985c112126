"""Driving and reading the app in tests: settling workers, reading the table and widgets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerState

from store import TaskRecord
from tui.app import TaskFlowApp
from tui.widgets.task_table import TaskTable

AppFactory = Callable[..., TaskFlowApp]

THEME = "textual-dark"


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Let workers finish and the messages they post be handled (which may start more)."""
    for _ in range(rounds):
        await pilot.pause()
        await finish_workers(pilot.app)
    await pilot.pause()


async def press_and_settle(pilot: Pilot[object], *keys: str) -> None:
    """Press ``keys`` and wait until what they started has been handled."""
    await pilot.press(*keys)
    await settle(pilot)


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
