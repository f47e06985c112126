"""Smaller defects a newcomer met: what each key says, which keys are offered, toasts
that pile up, a task page whose task vanished, tag search, columns that fit."""

from __future__ import annotations

from datetime import date, time

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from textual.worker import WorkerState

from store import Due, Sort, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import (
    AppFactory,
    current_task,
    settle,
    shown_titles,
    table_lines,
    table_of,
)
from tui.screens.help import HelpScreen, key_sections
from tui.screens.task_list import TaskListScreen
from tui.widgets.task_table import Columns, fit_tags


def _toasts(app: App[object]) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def _footer_keys(app: App[object]) -> set[str]:
    """The actions the focused screen's footer offers (shown, and enabled or greyed)."""
    return {
        active.binding.action
        for active in app.screen.active_bindings.values()
        if active.binding.show and app.screen.check_action(active.binding.action, ()) is not False
    }


async def test_j_and_k_under_another_sort_say_why_they_do_nothing(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    for title in ("b", "a"):
        seed_store.create(title)
        clock.advance(minutes=1)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # created
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert any("J and K move tasks in my order" in toast for toast in _toasts(app))
        assert shown_titles(app) == ["b", "a"]
    assert [t.title for t in seed_store.list_tasks()] == ["b", "a"]  # nothing moved


async def test_capital_s_cycles_the_sort_backwards(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("one")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        await pilot.press("S")
        await settle(pilot)
        assert screen.user_sort is Sort.PRIORITY  # from my order, back to the last
        await pilot.press("s")
        await settle(pilot)
        assert screen.user_sort is Sort.MANUAL


async def test_a_task_added_where_the_view_hides_it_says_so(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4", "a", *"Buy milk", "enter")
        await settle(pilot)
        assert any(
            "Added “Buy milk” — not shown in Done (1 shows all)" in toast for toast in _toasts(app)
        )
    assert [t.title for t in seed_store.list_tasks()] == ["Buy milk"]


async def test_quick_toggles_leave_one_toast_not_a_column(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Blink")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(6):
            await pilot.press("space")
            await settle(pilot)
        said = [toast for toast in _toasts(app) if "Blink" in toast]
        assert said == ["Marked “Blink” open · u undoes"]
    assert not seed_store.get(task.id).completed  # six toggles: back to open


async def test_an_empty_list_offers_no_key_that_would_do_nothing(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        offered = _footer_keys(app)
        assert {"add", "search", "help", "quit"} <= offered
        assert not {"toggle_done", "edit", "delete"} & offered


async def test_a_dialog_shows_its_own_keys_in_the_footer(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Old note")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        keys = {(key.key_display, key.description) for key in app.screen.query(FooterKey)}
        assert {("y", "Yes"), ("n", "No")} <= keys
        assert not any(description == "Add" for _, description in keys)  # not the list's


async def test_help_says_what_e_really_edits(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("x")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = [row for rows in key_sections(app.screen).values() for row in rows]
        (edit,) = [description for keys, description, _ in rows if keys == "e"]
        assert edit == "Edit the title, notes, due date, priority, tags and project"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_the_palette_has_no_textual_entries_that_mean_nothing_here(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("x")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Maximize" not in titles
        assert {"Theme", "Quit", "Add a task", "Show keys"} <= set(titles)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)


async def test_a_task_page_whose_task_is_deleted_elsewhere_says_so(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Renew passport")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        seed_store.delete(task.id)  # another window, or the command line
        for _ in range(20):
            await pilot.pause(0.1)
            if isinstance(app.screen, TaskListScreen):
                break
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert any(
            "“Renew passport” was deleted in another window or from the command line" in toast
            for toast in _toasts(app)
        )


async def test_hash_and_the_start_of_a_tag_finds_tasks_with_such_a_tag(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Write report", tags=("work",))
    seed_store.create("Plan offsite", tags=("Workshop",))
    seed_store.create("Water plants", tags=("home",))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"#wo")
        await pilot.pause(0.3)
        await settle(pilot)
        assert sorted(shown_titles(app)) == ["Plan offsite", "Write report"]


async def test_the_search_box_completes_a_tag_name(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Plan offsite", tags=("Workshop",))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"report #wor")
        await pilot.pause(0.3)
        await settle(pilot)
        search = app.screen.query_one("#search", Input)
        assert search._suggestion == "report #workshop"  # shown after the cursor
        await pilot.press("right")  # takes it, as in any input
        await settle(pilot)
        assert search.value == "report #workshop"


async def test_settle_waits_for_workers_even_when_one_was_cancelled(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    """A newer exclusive worker cancels an older one; waiting must not raise for it."""
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        for _ in range(5):  # each load replaces the one before it
            screen.load()
        await settle(pilot)
        states = {worker.state for worker in app.workers}
        assert WorkerState.RUNNING not in states and WorkerState.PENDING not in states


def test_columns_give_way_whole_and_wide_tables_give_the_tags_room() -> None:
    assert Columns.for_width(140).tags > Columns.for_width(100).tags
    assert Columns.for_width(100).tags == 12
    narrow = Columns.for_width(39)  # 40 columns, less a scrollbar
    assert narrow.due == 10 and narrow.tags == 0 and narrow.updated == 0


def test_the_tags_column_grows_to_the_tags_shown_while_the_title_keeps_room() -> None:
    assert Columns.for_width(100, tags_wanted=21).tags == 21
    assert Columns.for_width(100, tags_wanted=80).tags == 30
    some_room = Columns.for_width(90, tags_wanted=30)
    assert (some_room.tags, some_room.title) == (22, 32)  # grown only as far as the title lets
    no_room = Columns.for_width(80, tags_wanted=30)
    assert (no_room.tags, no_room.title) == (12, 32)


def test_tags_that_do_not_fit_are_counted_not_cut() -> None:
    assert fit_tags(("bills", "finance", "home"), 12) == "#bills +2"
    assert fit_tags(("bills", "home"), 20) == "#bills #home"
    assert fit_tags(("a" * 30, "b"), 12) == "+2"


async def test_a_tiny_terminal_never_cuts_a_due_date(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    for number in range(15):  # a scrollbar takes a column
        seed_store.create(f"Task {number}", due=Due(date(2026, 11, 21), time(9, 0)))
    app = app_factory()
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert all(line.rstrip().endswith("tmrw 09:00") for line in lines[1:] if "Task" in line)
        assert current_task(app) is not None and table_of(app).size.width == 40


async def test_a_row_that_cannot_be_read_is_listed_with_the_others_and_says_why(
    app_factory: AppFactory, seed_store: TaskStore, app_db: object
) -> None:
    import sqlite3

    seed_store.create("Fine task")
    broken = seed_store.create("Broken task")
    with sqlite3.connect(str(app_db)) as connection:  # a year no local time can show
        connection.execute(
            "UPDATE tasks SET created_at = '0226-05-01T00:00:00.000000Z' WHERE id = ?",
            (broken.id,),
        )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert any("Fine task" in line for line in lines)
        (row,) = [line for line in lines if "Broken task" in line]
        assert "[?]" in row and "cannot be read" in row
        await pilot.press("j", "space")  # refused, with the reason, not silently
        await settle(pilot)
        assert any("This task cannot be read" in toast for toast in _toasts(app))
    assert not seed_store.get(broken.id).completed
