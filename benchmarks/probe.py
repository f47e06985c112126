"""One app process on one database: time the things a user waits for, report as JSON.

Run by benchmarks/__main__.py in a fresh process per database size, so that
peak memory and caches belong to that size alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from textual import events

from store import open_store
from tui.app import make_app
from tui.screens.task_list import TaskListScreen
from tui.widgets.task_table import TaskTable


class Painted:
    """Notes the moment a frame is written to the (headless) terminal while a condition
    holds: that frame is the one that shows the user the result. Event-driven, so the
    measuring itself takes no CPU from the app it measures."""

    def __init__(self, app: Any) -> None:
        self.condition: Callable[[], bool] | None = None
        self.shown_at: float | None = None
        self.shown = asyncio.Event()
        original = app._display

        def display(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if self.condition is not None and self.shown_at is None and self.condition():
                self.shown_at = perf_counter()
                self.shown.set()
            return result

        app._display = display

    def expect(self, condition: Callable[[], bool]) -> None:
        self.condition, self.shown_at = condition, None
        self.shown.clear()


async def until(painted: Painted, condition: Callable[[], bool], timeout: float = 30.0) -> float:
    """Wait for the first frame painted while ``condition`` holds; return when it was."""
    if painted.condition is not condition:
        painted.expect(condition)
    try:
        await asyncio.wait_for(painted.shown.wait(), timeout)
    except TimeoutError:
        raise TimeoutError("the app did not show it in time") from None
    finally:
        painted.condition = None
    assert painted.shown_at is not None
    return painted.shown_at


async def settled(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for a state, painted or not (between measurements)."""
    deadline = perf_counter() + timeout
    while not condition():
        if perf_counter() > deadline:
            raise TimeoutError("the app did not settle in time")
        await asyncio.sleep(0.005)


def press(app: Any, *keys: str) -> None:
    """Deliver keys as the terminal driver would, without the test pilot's idle waits."""
    for key in keys:
        name = {"/": "slash", " ": "space"}.get(key, key)
        char = {"slash": "/", "space": " "}.get(name, key if len(key) == 1 else None)
        app.post_message(events.Key(name, char))


def screen_ready(table: TaskTable) -> bool:
    """Every row on screen is loaded (no placeholders)."""
    top = round(table.scroll_y)
    last = min(top + table.body_height, len(table.rows))
    return all(table.rows.row(i) is not None for i in range(top, last))


async def launch(db: str) -> float:
    """Seconds from opening the database to the first list painted (headless)."""
    started = perf_counter()
    with open_store(db, user="bench") as store:
        app = make_app(store, animations=False, poll_seconds=3600)
        painted = Painted(app)
        async with app.run_test(size=(100, 30)):
            screen = app.screen
            assert isinstance(screen, TaskListScreen)
            table = screen.query_one(TaskTable)
            shown = await until(painted, lambda: screen.shown is not None and screen_ready(table))
    return shown - started


async def measure(db: str, repeats: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    results["launch"] = statistics.median([await launch(db) for _ in range(repeats)])
    store = open_store(db, user="bench")
    app = make_app(store, animations=False, poll_seconds=3600)
    painted = Painted(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        table = screen.query_one(TaskTable)
        await until(painted, lambda: screen.shown is not None and screen_ready(table))

        async def timed(key: str, ready: Callable[[], bool]) -> float:
            painted.expect(ready)
            begin = perf_counter()
            press(app, key)
            return await until(painted, ready) - begin

        def moved_to(index: int) -> Callable[[], bool]:
            return lambda: table.cursor == index and screen_ready(table)

        last_row = len(table.rows) - 1
        down = []
        for _ in range(repeats * 4):
            down.append(await timed("j", moved_to(min(table.cursor + 1, last_row))))
        page = []
        for _ in range(repeats):
            target = min(table.cursor + table.body_height, last_row)
            page.append(await timed("pagedown", moved_to(target)))
        end = []
        for _ in range(repeats):
            await timed("g", moved_to(0))
            end.append(await timed("G", moved_to(last_row)))
        results["cursor_down"] = statistics.median(down)
        results["page_down"] = statistics.median(page)
        results["end"] = statistics.median(end)

        # Conditions made by functions, so that each holds its own task, word or view.
        def toggled(task: Any) -> Callable[[], bool]:
            return lambda: (
                table.current is not None
                and table.current.completed != task.completed
                and store.get(task.id).completed != task.completed  # committed
            )

        def found(word: str) -> Callable[[], bool]:
            return lambda: (
                screen.view.search == word and screen.shown == screen.view and screen_ready(table)
            )

        def showing(name: str) -> Callable[[], bool]:
            return lambda: (
                screen.view_kind.value == name
                and screen.shown == screen.view
                and screen_ready(table)
            )

        toggles = []
        for _ in range(repeats):
            task = table.current
            assert task is not None
            toggles.append(await timed("space", toggled(task)))
        results["toggle"] = statistics.median(toggles)

        searches = []
        for word in ("milk", "passport", "garden", "dentist", "report", "laptop")[:repeats]:
            await pilot.press("slash", *word[:-1])
            searches.append(await timed(word[-1], found(word)))
            await pilot.press("escape")
            await settled(
                lambda: (
                    screen.view.search == "" and screen.shown == screen.view and screen_ready(table)
                )
            )
        results["search"] = statistics.median(searches)

        today: list[float] = []
        upcoming: list[float] = []
        for _ in range(repeats):
            for key, name, into in (("2", "today", today), ("3", "upcoming", upcoming)):
                # One key at a time, as a person presses them: let the app finish what it
                # defers after a list is shown (the footer) before the next key.
                await pilot.pause()
                await asyncio.sleep(0.2)
                into.append(await timed(key, showing(name)))
            await pilot.press("1")
            await settled(lambda: screen.view_kind.value == "all" and screen.shown == screen.view)
        results["view_today"] = statistics.median(today)
        results["view_upcoming"] = statistics.median(upcoming)

        def folded(all_folded: bool) -> Callable[[], bool]:
            return lambda: (
                screen.state.collapse_all is all_folded
                and screen.shown == screen.view
                and screen_ready(table)
            )

        fold, unfold = [], []
        for _ in range(repeats):
            await pilot.pause()
            await asyncio.sleep(0.2)
            fold.append(await timed("Z", folded(True)))
            await pilot.pause()
            await asyncio.sleep(0.2)
            unfold.append(await timed("Z", folded(False)))
        results["fold_all"] = statistics.median(fold)
        results["unfold_all"] = statistics.median(unfold)

        # Enter on a project in the sidebar (shown at 100 columns) to its list painted:
        # the first two top-level projects in turn, each with the projects under it.
        sidebar = screen.sidebar
        await settled(lambda: len(sidebar.contents.projects) > 1)
        tops = [p for p in sidebar.contents.projects if p.depth == 0][:2]

        def narrowed_to(project_id: str) -> Callable[[], bool]:
            return lambda: (
                screen.state.place is not None
                and screen.state.place.project_id == project_id
                and screen.shown == screen.view
                and screen_ready(table)
            )

        switches = []
        for number in range(repeats):
            project = tops[number % len(tops)]
            await pilot.press("p")  # to the sidebar
            sidebar.highlighted = sidebar.get_option_index(f"project:{project.id}")
            await pilot.pause()
            await asyncio.sleep(0.2)
            switches.append(await timed("enter", narrowed_to(project.id)))
        results["switch_project"] = statistics.median(switches)
        results["rows_held"] = table.rows.cached
    store.close()
    results["peak_memory_mb"] = peak_memory_mb()
    return results


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM on Linux: unlike ru_maxrss, it does
    not carry over the parent's peak across the fork and exec that started us."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.db, args.repeats))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
