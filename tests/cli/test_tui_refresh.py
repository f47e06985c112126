"""A change made with `taskflow` shows up in a running app on the same database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from store import open_store
from tests.helpers import FrozenClock
from tui.app import TaskFlowApp, make_app
from tui.cli import EXIT_OK, main
from tui.widgets.task_table import TaskTable

WAIT_SECONDS = 5.0


def shown_titles(app: TaskFlowApp) -> list[str | None]:
    table = app.screen.query_one(TaskTable)
    rows = [table.rows.row(index) for index in range(len(table.rows))]
    return [row.title if row is not None else None for row in rows]


async def wait_until(pilot: object, condition: Callable[[], bool]) -> bool:
    """The app refreshes from a timer, so poll (pause lets it run) for a while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        try:
            if condition():
                return True
        except Exception:  # the list screen may not be mounted yet
            pass
        await pilot.pause(0.1)  # type: ignore[attr-defined]
    return condition()


async def test_cli_changes_appear_in_a_running_app(location: str, clock: FrozenClock) -> None:
    db = location
    store = open_store(db, user="alice", clock=clock)
    store.create("Already there")
    app = make_app(store, clock=clock, animations=False, poll_seconds=0.1)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            assert await wait_until(pilot, lambda: shown_titles(app) == ["Already there"])

            assert main(["--db", str(db), "--user", "alice", "add", "From the CLI"]) == EXIT_OK
            assert await wait_until(
                pilot, lambda: shown_titles(app) == ["Already there", "From the CLI"]
            ), shown_titles(app)

            (new_id,) = [t.id for t in store.list_tasks() if t.title == "From the CLI"]
            main(["--db", str(db), "--user", "alice", "edit", new_id, "--title", "Renamed"])
            assert await wait_until(
                pilot, lambda: shown_titles(app) == ["Already there", "Renamed"]
            ), shown_titles(app)

            main(["--db", str(db), "--user", "alice", "rm", new_id[:8]])
            assert await wait_until(pilot, lambda: shown_titles(app) == ["Already there"])

            # another owner's change on the same file is not shown to alice
            main(["--db", str(db), "--user", "bob", "add", "Bob's"])
            await pilot.pause(0.5)
            assert shown_titles(app) == ["Already there"]
    finally:
        store.close()
