"""The detail and edit screens: what they show, validation, conflicts, and leaving safely."""

from __future__ import annotations

import pytest

from store import Priority, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import AppFactory, settle, shown_titles, widget_text
from tui.screens.confirm import ConfirmScreen
from tui.screens.conflict import ConflictScreen
from tui.screens.task_detail import TaskDetailScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen


async def _open_detail(pilot: object, app: object) -> TaskDetailScreen:
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TaskDetailScreen)
    return screen


@pytest.mark.zone("UTC")  # the times shown
async def test_detail_shows_title_literally_notes_as_markdown_and_history(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    task = seed_store.create("[bold]literal[/bold] title", "# Heading\n\n* **strong** point")
    seed_store.toggle(task.id)
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await _open_detail(pilot, app)
        assert "[bold]literal[/bold] title" in widget_text(screen.query_one("#detail-title"))
        meta = widget_text(screen.query_one("#detail-meta"))
        assert "done" in meta and "alice" in meta and "2026-11-20 09:30 (UTC)" in meta
        blocks = screen.query_one("#detail-notes").query("*")
        notes = "\n".join(widget_text(block) for block in blocks)
        assert any(type(block).__name__ == "MarkdownH1" for block in blocks)
        assert "Heading" in notes and "strong point" in notes
        assert "**" not in notes  # rendered, not shown as source
        history = widget_text(screen.query_one("#detail-history"))
        assert "created" in history and "marked done" in history


async def test_detail_keys_toggle_delete_undo_and_edit(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("from the detail page")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await _open_detail(pilot, app)
        await pilot.press("space")
        await settle(pilot)
        assert seed_store.get(task.id).completed
        assert "marked done" in widget_text(screen.query_one("#detail-history"))
        await pilot.press("u")
        await settle(pilot)
        assert not seed_store.get(task.id).completed
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)  # the page of a deleted task closes
        assert shown_titles(app) == []
    assert seed_store.list_tasks() == []


async def test_detail_follows_a_change_made_elsewhere(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("before")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await _open_detail(pilot, app)
        seed_store.update(task.id, expected_version=1, title="renamed in another window")
        for _ in range(30):
            await pilot.pause(0.1)
            if "renamed in another window" in widget_text(screen.query_one("#detail-title")):
                break
        assert "renamed in another window" in widget_text(screen.query_one("#detail-title"))


async def test_validation_error_shows_inline_and_keeps_what_was_typed(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskEditScreen)
        screen.query_one("#description").text = "notes I typed"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # no title
        await settle(pilot)
        assert app.screen is screen
        error = screen.query_one("#title-error")
        assert error.display
        assert "needs a title" in widget_text(error)
        assert screen.description_value == "notes I typed"
        await pilot.press(*"now titled", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    assert [(t.title, t.description) for t in seed_store.list_tasks()] == [
        ("now titled", "notes I typed")
    ]


async def test_escape_with_changes_asks_before_discarding(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("untouched")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", "end", *" edited")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        # Without changes, Escape leaves at once.
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    assert [t.title for t in seed_store.list_tasks()] == ["untouched"]


async def _edit_with_conflict(pilot: object, app: object, seed_store: TaskStore) -> TaskEditScreen:
    """Both sides change the title; they also change the notes, I the priority."""
    task = seed_store.list_tasks()[0]
    await pilot.press("e")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TaskEditScreen)
    seed_store.update(
        task.id, expected_version=task.version, title="their title", description="their notes"
    )
    screen.query_one("#title").value = "my title"  # type: ignore[attr-defined]
    screen.query_one("#priority").value = Priority.HIGH  # type: ignore[attr-defined]
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ConflictScreen)  # type: ignore[attr-defined]
    shown = widget_text(app.screen.query_one("#differences"))  # type: ignore[attr-defined]
    assert "their title" in shown and "my title" in shown
    assert "their notes" not in shown  # only they changed the notes: not a question
    note = widget_text(app.screen.query_one("#merged-note"))  # type: ignore[attr-defined]
    assert "Kept from theirs: notes." in note and "Saved from yours: priority." in note
    return screen


async def test_conflict_on_save_then_mine(app_factory: AppFactory, seed_store: TaskStore) -> None:
    seed_store.create("shared")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _edit_with_conflict(pilot, app, seed_store)
        assert seed_store.list_tasks()[0].title == "their title"  # nothing overwritten yet
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    task = seed_store.list_tasks()[0]
    assert (task.title, task.description, task.priority) == (
        "my title",
        "their notes",
        Priority.HIGH,
    )


async def test_conflict_on_save_then_theirs(app_factory: AppFactory, seed_store: TaskStore) -> None:
    seed_store.create("shared")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _edit_with_conflict(pilot, app, seed_store)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    task = seed_store.list_tasks()[0]
    assert (task.title, task.description, task.priority) == (
        "their title",
        "their notes",
        Priority.HIGH,
    )


async def test_typing_hostile_text_into_the_editor_is_stored_and_listed_literally(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    title = "[bold red]x[/] [link=file:///etc/passwd]y 🎉"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#title").insert_text_at_cursor(title)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert shown_titles(app) == [title]
    assert seed_store.list_tasks()[0].title == title
