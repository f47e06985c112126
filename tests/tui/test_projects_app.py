"""Projects in the app so far: quick add's +Work/Q4 in the editor, previewed, saved with
the task as one change; the database checked after."""

from __future__ import annotations

from store import Status, TaskQuery, TaskStore
from tests.tui.helpers import AppFactory, finish_workers, settle, shown_titles, widget_text
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen


def placed(store: TaskStore) -> dict[str, str | None]:
    """Each task's title with its project's path (None: the Inbox)."""
    paths = store.project_paths()
    return {
        task.title: None if task.project_id is None else paths[task.project_id]
        for task in store.list_tasks(TaskQuery(status=Status.ALL))
    }


async def test_a_pasted_project_word_makes_the_project_and_one_undo_takes_both_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await finish_workers(app)  # the projects there are, read for the preview
        app.screen.query_one("#title").insert_text_at_cursor("Plan the launch +Work/Q4 !h")  # type: ignore[attr-defined]
        await settle(pilot)
        preview = widget_text(app.screen.query_one("#preview"))
        assert "→ Plan the launch" in preview
        assert "in Work/Q4 (new project)" in preview
        await pilot.press("enter")
        await settle(pilot)
        await finish_workers(app)
        assert isinstance(app.screen, TaskListScreen)
        assert placed(seed_store) == {"Plan the launch": "Work/Q4"}

        await pilot.press("u")
        await settle(pilot)
        await finish_workers(app)
    assert placed(seed_store) == {}
    assert seed_store.projects() == []


async def test_a_project_that_exists_is_not_called_new_and_is_found_in_any_case(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create_project("Home")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await finish_workers(app)
        await pilot.press(*"Paint the fence +home")
        await settle(pilot)
        preview = widget_text(app.screen.query_one("#preview"))
        assert "in home" in preview and "new project" not in preview
        await pilot.press("enter")
        await settle(pilot)
        await finish_workers(app)
    assert placed(seed_store) == {"Paint the fence": "Home"}
    assert [p.path for p in seed_store.projects()] == ["Home"]


async def test_editing_a_title_with_a_project_word_moves_the_task(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    work = seed_store.create_project("Work")
    seed_store.create("Plan", project_id=work.id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press("end", *" +Home")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await finish_workers(app)
    assert placed(seed_store) == {"Plan": "Home"}


async def test_a_c_plus_plus_title_stays_whole_and_in_the_inbox(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Learn C++")
        await settle(pilot)
        assert " in " not in widget_text(app.screen.query_one("#preview")).splitlines()[0]
        await pilot.press("enter")
        await settle(pilot)
        await finish_workers(app)
    assert placed(seed_store) == {"Learn C++": None}


async def test_deleting_a_parent_says_its_subtasks_go_too_and_u_brings_all_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    parent = seed_store.create("Launch")
    seed_store.create("Draft", parent_id=parent.id)
    seed_store.create("Review", parent_id=parent.id)
    seed_store.create("Loose")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Loose"]
        await pilot.press("d")
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        assert "Delete “Launch” and its 2 subtasks?" in widget_text(
            app.screen.query_one("#question")
        )
        await pilot.press("y")
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        assert shown_titles(app) == ["Loose"]  # none of them is left on the screen
        assert [t.title for t in seed_store.list_tasks()] == ["Loose"]

        await pilot.press("u")
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        assert sorted(shown_titles(app)) == ["Draft", "Launch", "Loose", "Review"]
    assert {t.title: t.parent_id for t in seed_store.list_tasks()} == {
        "Launch": None,
        "Draft": parent.id,
        "Review": parent.id,
        "Loose": None,
    }


async def test_a_line_feed_saves_from_the_title_and_breaks_a_line_in_the_notes(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        # Due, Priority, Tags, Project, Repeat, then the notes.
        await pilot.press(*"Plan", *["tab"] * 6, *"one", "ctrl+j", *"two")
        await settle(pilot)
        assert app.screen.query_one("#description").text == "one\ntwo"  # type: ignore[attr-defined]
        await pilot.press(*["shift+tab"] * 6, "ctrl+j")
        await settle(pilot)
        await finish_workers(app)
        assert isinstance(app.screen, TaskListScreen)
    (task,) = seed_store.list_tasks()
    assert (task.title, task.description) == ("Plan", "one\ntwo")


async def test_marking_a_parent_done_says_how_many_subtasks_are_still_open(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    parent = seed_store.create("Launch")
    seed_store.create("Draft", parent_id=parent.id)
    seed_store.create("Review", parent_id=parent.id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        said = [str(toast.message) for toast in app._notifications]
        assert "Marked “Launch” done · 2 subtasks still open · u undoes" in said
    assert seed_store.get(parent.id).completed
