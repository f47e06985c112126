"""The editor saves over a change made elsewhere field by field, never reverting one.

For every field: a field only the other writer changed keeps their value, a field
only I changed gets mine, and only a field both changed is asked about. The other
writer is the command line (``taskflow edit``) or another store, as in real use.
Each test checks the database afterwards.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from textual.widgets import Input, Select, TextArea

from store import Due, Priority, TaskRecord, TaskStore
from tests.tui.helpers import AppFactory, settle, widget_text
from tui.cli import main as taskflow
from tui.screens.conflict import ConflictScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

FRIDAY_5PM = Due(date(2026, 11, 27), time(17, 0))
MONDAY = Due(date(2026, 11, 23))

# (field, what the other writer stores, what I type into the form, the value I mean)
CHANGES: list[tuple[str, dict[str, Any], tuple[str, str], Any]] = [
    ("title", {"title": "their title"}, ("#title", "my title"), "my title"),
    ("description", {"description": "their notes"}, ("#description", "my notes"), "my notes"),
    ("due", {"due": FRIDAY_5PM}, ("#due", "2026-11-23"), MONDAY),
    ("priority", {"priority": Priority.LOW}, ("#priority", "high"), Priority.HIGH),
    ("tags", {"tags": ("theirs",)}, ("#tags", "mine"), ("mine",)),
]


def _type_into(editor: TaskEditScreen, selector: str, value: str) -> None:
    widget = editor.query_one(selector)
    if isinstance(widget, TextArea):
        widget.text = value
    elif isinstance(widget, Select):
        widget.value = Priority.parse(value)
    else:
        assert isinstance(widget, Input)
        widget.value = value


async def _open_editor(pilot: Any, app: Any) -> TaskEditScreen:
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, TaskEditScreen)
    return app.screen


def _changed_elsewhere(store: TaskStore, task: TaskRecord, **changes: Any) -> None:
    store.update(task.id, expected_version=store.get(task.id).version, **changes)


# Every pair of different fields: they change one, I change the other.
ONE_SIDE_EACH = [
    pytest.param(theirs_change, mine_change, id=f"theirs-{theirs_change[0]}-mine-{mine_change[0]}")
    for theirs_change in CHANGES
    for mine_change in CHANGES
    if theirs_change[0] != mine_change[0]
]


@pytest.mark.parametrize(("theirs_change", "mine_change"), ONE_SIDE_EACH)
async def test_a_field_changed_on_one_side_only_is_merged_without_asking(
    app_factory: AppFactory,
    seed_store: TaskStore,
    theirs_change: tuple[str, dict[str, Any], tuple[str, str], Any],
    mine_change: tuple[str, dict[str, Any], tuple[str, str], Any],
) -> None:
    theirs_field, theirs, _, _ = theirs_change
    mine_field, _, typed, meant = mine_change
    task = seed_store.create("shared", "old notes", priority=Priority.MEDIUM, tags=("old",))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _open_editor(pilot, app)
        _changed_elsewhere(seed_store, task, **theirs)
        _type_into(editor, *typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)  # nothing to ask
    saved = seed_store.get(task.id)
    assert getattr(saved, mine_field) == meant
    assert getattr(saved, theirs_field) == next(iter(theirs.values()))  # not reverted


@pytest.mark.parametrize(("field", "theirs", "typed", "meant"), CHANGES)
@pytest.mark.parametrize("choice", ["m", "t"])
async def test_a_field_both_changed_is_shown_and_the_choice_is_saved(
    app_factory: AppFactory,
    seed_store: TaskStore,
    field: str,
    theirs: dict[str, Any],
    typed: tuple[str, str],
    meant: Any,
    choice: str,
) -> None:
    task = seed_store.create("shared", "old notes", priority=Priority.MEDIUM, tags=("old",))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _open_editor(pilot, app)
        _changed_elsewhere(seed_store, task, **theirs)
        _type_into(editor, *typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConflictScreen)
        assert [clash.name for clash in dialog.merge.clashes] == [field]
        shown = widget_text(dialog.query_one("#differences"))
        assert len(shown.strip().splitlines()) == 2  # the heading and this one field
        assert getattr(seed_store.get(task.id), field) == next(iter(theirs.values()))
        await pilot.press(choice)
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    saved = seed_store.get(task.id)
    expected = meant if choice == "m" else next(iter(theirs.values()))
    assert getattr(saved, field) == expected


async def test_done_elsewhere_while_editing_stays_done(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("shared")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _open_editor(pilot, app)
        seed_store.toggle(task.id)
        _type_into(editor, "#title", "renamed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    saved = seed_store.get(task.id)
    assert (saved.title, saved.completed) == ("renamed", True)


async def test_the_command_line_changing_due_and_priority_is_not_reverted_by_a_tag_edit(
    app_factory: AppFactory, seed_store: TaskStore, app_db: object
) -> None:
    """The reported case: window B edits Tags while `taskflow edit ID --due 'friday 5pm'
    -p low` runs; saving B kept the old due date and priority."""
    task = seed_store.create("Call the plumber", priority=Priority.HIGH)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _open_editor(pilot, app)
        edit = ["edit", task.id[:8], "--due", "2026-11-27 17:00", "-p", "low"]
        code = taskflow(["--db", str(app_db), "--user", "alice", *edit])
        assert code == 0
        _type_into(editor, "#tags", "home")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    saved = seed_store.get(task.id)
    assert (saved.due, saved.priority, saved.tags) == (FRIDAY_5PM, Priority.LOW, ("home",))


async def test_keep_editing_overwrites_nothing_and_asks_again(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("shared")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _open_editor(pilot, app)
        _changed_elsewhere(seed_store, task, title="theirs")
        _type_into(editor, "#title", "mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor
        assert seed_store.get(task.id).title == "theirs"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
