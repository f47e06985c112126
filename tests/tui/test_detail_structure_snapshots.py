"""Where a task is, as the editor and the parent picker show it (reviewed SVG snapshots:
frozen clock, fixed theme, fixed sizes, UTC).

A task's page is opened directly (pushed, as Enter on the list does), so that these
pictures do not change with the list behind them.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from store import TaskRecord, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import settle
from tests.tui.test_snapshots import SIZE, RunBefore, steps
from tui.screens.task_detail import TaskDetailScreen

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.zone("UTC"),  # a snapshot is one fixed picture, local times included
]


def seed_launch(store: TaskStore, clock: FrozenClock) -> dict[str, TaskRecord]:
    """Work/Q4 with a launch, its draft (a subtask) and a venue; a task at home."""
    q4 = store.create_project("Work/Q4")
    home = store.create_project("Home")
    launch = store.create("Ship the launch", project_id=q4.id)
    draft = store.create("Draft the announcement", parent_id=launch.id, tags=["writing"])
    venue = store.create("Book the venue", parent_id=launch.id)
    store.create("Write the outline", parent_id=draft.id)
    store.create("Water the plants", project_id=home.id)
    store.create("Renew passport")
    clock.advance(minutes=5)
    return {task.title: task for task in (launch, draft, venue)}


def on_page_of(task: TaskRecord, *keys: str) -> RunBefore:
    """The task's page, then ``keys``, everything settled."""
    then = steps(*keys)

    async def run(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(TaskDetailScreen(task))
        await settle(pilot)
        await then(pilot)

    return run


class TestWhereATaskIs:
    def test_editing_a_subtask_shows_its_parent_and_project_at_80x24(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        tasks = seed_launch(seed_store, clock)
        run = on_page_of(tasks["Draft the announcement"], "e")
        assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=run)

    def test_a_new_project_typed_in_the_project_field(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_launch(seed_store, clock)
        keys = ("a", *"Buy fertiliser", "tab", "tab", "tab", "tab", *"Home/Garden")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps(*keys))

    def test_parent_picker(self, snap_compare, app_factory, seed_store, clock) -> None:
        tasks = seed_launch(seed_store, clock)
        run = on_page_of(tasks["Book the venue"], "P")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)
