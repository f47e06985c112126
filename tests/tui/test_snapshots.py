"""What the user sees, as reviewed SVG snapshots (frozen clock, fixed theme, fixed sizes).

Each snapshot was looked at (rendered to PNG) before it was committed; update one
only after looking at the difference in snapshot_report.html.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from store import TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import settle

SIZE = (100, 30)
RunBefore = Callable[[Pilot[object]], Awaitable[None]]


def steps(*keys: str, pause: float = 0.0) -> RunBefore:
    """Settle, press ``keys``, settle again: the screen is still when it is captured."""

    async def run(pilot: Pilot[object]) -> None:
        await settle(pilot)
        for widget in pilot.app.screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if pause:
            await pilot.pause(pause)
            await settle(pilot)
        for widget in pilot.app.screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False

    return run


def seed_mixed(store: TaskStore, clock: FrozenClock) -> None:
    """A realistic week: some done, some with notes, different ages."""
    tasks = [
        ("Renew passport", "Photos from the booth on *Main Street*.", False),
        ("Pay rent", "", True),
        ("Call mum about Sunday lunch", "", False),
        ("Fix the bike's back brake", "Pads are in the shed.", True),
        ("Book dentist appointment", "", False),
        ("Read chapter 4 of the Rust book", "", False),
    ]
    clock.advance(days=-6)
    for title, notes, done in tasks:
        task = store.create(title, notes)
        clock.advance(hours=20)
        if done:
            store.toggle(task.id)
            clock.advance(hours=3)
    clock.advance(hours=2)


class TestListScreen:
    def test_first_run_with_no_tasks(self, snap_compare, app_factory, seed_store) -> None:
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps())

    def test_mixed_open_and_done(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("j", "j"))

    def test_search_with_a_match(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        run = steps("slash", *"book", pause=0.3)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_completed_hidden(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        # Long enough for the "Done tasks hidden" notice to go: the list itself is the contract.
        run = steps("h", pause=3.5)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_at_60x20(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=(60, 20), run_before=steps())

    def test_hostile_titles(self, snap_compare, app_factory, seed_store) -> None:
        for title in (
            "[bold red]x[/]",
            "[link=file:///etc/passwd]click me[/link]",
            "\\x1b[31m typed as text",
            "Party 🎉 prep ✅ with emoji",
            "日本語のタスク: 牛乳を買う",
            "לקנות חלב — right-to-left",
            "A very long title " + "that keeps going " * 12,
        ):
            seed_store.create(title)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps())

    def test_read_only(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        run = steps(pause=8.5)  # past the read-only notice
        assert snap_compare(app_factory(read_only=True), terminal_size=SIZE, run_before=run)


class TestDialogsAndScreens:
    def test_confirm_delete(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("j", "d"))

    def test_detail_with_markdown_and_history(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        task = seed_store.create(
            "Plan the [big] trip",
            "## Before leaving\n\n* Renew **passport**\n* Book the `night train`\n\n"
            "> Check the visa rules first.",
        )
        clock.advance(hours=5)
        seed_store.update(task.id, expected_version=1, title="Plan the [big] summer trip")
        clock.advance(days=1)
        seed_store.toggle(task.id)
        clock.advance(minutes=10)
        assert snap_compare(app_factory(), terminal_size=(100, 36), run_before=steps("enter"))

    def test_detail_of_a_blocked_subtask_with_subtasks(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        # Where a task is: its project (as a breadcrumb), its parent, its own subtasks as
        # a checklist, and what blocks it (one open, one done).
        launch_project = seed_store.create_project("Work/Q4/Launch")
        launch = seed_store.create("Ship the launch", project_id=launch_project.id)
        design = seed_store.create("Agree the design")
        venue = seed_store.create("Book the [venue]")
        seed_store.toggle(venue.id)
        draft = seed_store.create(
            "Draft the announcement", parent_id=launch.id, blocked_by=[design.id, venue.id]
        )
        seed_store.create("Write the outline", parent_id=draft.id)
        done = seed_store.create("Pick a headline", parent_id=draft.id)
        seed_store.toggle(done.id)
        clock.advance(minutes=10)
        run = steps("j", "enter")  # in my order the draft is under the launch, second
        assert snap_compare(app_factory(), terminal_size=(100, 36), run_before=run)

    def test_edit_new_task(self, snap_compare, app_factory, seed_store) -> None:
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("a"))

    def test_edit_with_validation_error(self, snap_compare, app_factory, seed_store) -> None:
        run = steps("a", "space", "ctrl+s")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_help(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        run = steps("question_mark")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)


def seed_plans(store: TaskStore, clock: FrozenClock) -> None:
    """A week of due dates around Friday 20 November 2026, one of them overdue."""
    from datetime import date, time

    from store import Due, NewTask, Priority

    store.create_many(
        [
            NewTask(
                "File the tax return",
                "Forms in the blue folder.",
                due=Due(date(2026, 11, 17)),
                priority=Priority.HIGH,
                tags=("admin",),
            ),
            NewTask("Water the plants", due=Due(date(2026, 11, 20)), tags=("home",)),
            NewTask(
                "Dentist check-up",
                due=Due(date(2026, 11, 20), time(16, 30)),
                priority=Priority.MEDIUM,
            ),
            NewTask(
                "Pay rent",
                due=Due(date(2026, 11, 21), time(9, 0)),
                priority=Priority.HIGH,
                tags=("home", "bills"),
            ),
            NewTask("Call mum about Sunday lunch", due=Due(date(2026, 11, 22))),
            NewTask(
                "Book flights", due=Due(date(2026, 11, 25)), priority=Priority.LOW, tags=("travel",)
            ),
            NewTask("Renew passport", due=Due(date(2026, 12, 15)), tags=("travel", "admin")),
            NewTask("Read chapter 4 of the Rust book", priority=Priority.LOW),
            NewTask("Fix the bike's back brake", completed=True),
        ]
    )
    clock.advance(minutes=5)


class TestPlanning:
    def test_today(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_plans(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("2"))

    def test_upcoming_with_day_headings_and_an_overdue_task(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_plans(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("3", "j", "j"))

    def test_edit_screen_live_preview(self, snap_compare, app_factory, seed_store) -> None:
        run = steps("a", *"Pay rent tomorrow 9am !high #home #bills")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_list_at_80x24_with_all_columns(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_plans(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=steps("j"))


class TestThemesAndSizes:
    """Colours from the theme on a light one too; columns that give way whole."""

    def test_light_theme(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_plans(seed_store, clock)
        app = app_factory(theme="textual-light")
        assert snap_compare(app, terminal_size=SIZE, run_before=steps("j"))

    def test_solarized_light_theme(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_mixed(seed_store, clock)
        app = app_factory(theme="solarized-light")
        assert snap_compare(app, terminal_size=SIZE, run_before=steps("j"))

    def test_wide_terminal_gives_the_tags_room(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_plans(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=(140, 20), run_before=steps())

    def test_tiny_terminal_keeps_the_due_column_whole(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        from datetime import date, time

        from store import Due

        seed_plans(seed_store, clock)
        for number in range(12):  # enough rows for a scrollbar
            seed_store.create(f"Filler {number}", due=Due(date(2026, 11, 21), time(9, 0)))
        assert snap_compare(app_factory(), terminal_size=(40, 12), run_before=steps())


pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # A snapshot is one fixed picture, local times and days included.
    pytest.mark.zone("UTC"),
]


def seed_structure(store: TaskStore, clock: FrozenClock) -> None:
    """Two projects, a tree three deep with progress, a blocked task, two due today."""
    from datetime import date

    from store import Due

    q4 = store.create_project("Work/Q4")
    home = store.create_project("Home")
    launch = store.create("Ship the launch", project_id=q4.id)
    design = store.create("Agree the design", project_id=q4.id)
    draft = store.create("Draft the announcement", parent_id=launch.id)
    store.create("Write the outline", parent_id=draft.id, due=Due(date(2026, 11, 20)))
    headline = store.create("Pick a [bold] headline", parent_id=draft.id)
    store.toggle(headline.id)
    store.create("Book the venue", parent_id=launch.id, blocked_by=[design.id])
    store.create("Water the plants", project_id=home.id, due=Due(date(2026, 11, 20)))
    store.create("Renew passport")
    clock.advance(minutes=5)


class TestTree:
    def test_expanded_tree_with_progress_and_a_blocked_task(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_structure(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("j", "j"))

    def test_everything_folded(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_structure(seed_store, clock)
        # Long enough for the "Every task folded" notice to go: the list is the contract.
        run = steps("Z", pause=3.5)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_today_shows_where_each_task_lives(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_structure(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("2"))

    def test_project_picker(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_structure(seed_store, clock)
        seed_store.create_project("Work/Hiring")
        run = steps("m", *"wq")
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_sidebar_with_a_project_chosen(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_structure(seed_store, clock)
        # p, down to Work (past the four views and the Inbox), Enter; p again to show
        # the sidebar's own keys in the footer, its cursor on Work/Q4.
        run = steps("p", *["down"] * 5, "enter", "p", "down", pause=0.3)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_deleting_a_project_asks_what_becomes_of_its_tasks(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_structure(seed_store, clock)
        run = steps("p", *["down"] * 5, "d", pause=0.3)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)
