"""Changing where a task is from its page (m, b, A, P) and in the editor (the Project
field): each change checked in the database, then taken back by u; refusals (a cycle,
a read-only database, a bad path) change nothing."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from store import Sort, Status, TaskQuery, TaskRecord, TaskStore
from tests.helpers import make_plan_tree
from tests.tui.helpers import (
    AppFactory,
    current_task,
    finish_workers,
    press_and_settle,
    settle,
    shown_titles,
    table_lines,
    widget_text,
)
from tui.app import TaskFlowApp
from tui.formatting import BREADCRUMB
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import key_sections
from tui.screens.pickers import ParentPickerScreen, ProjectPickerScreen, TaskPickerScreen
from tui.screens.task_detail import TaskDetailScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

MINE = TaskQuery(sort=Sort.MANUAL, status=Status.ALL)
STRUCTURE_ACTIONS = ("move_to_project", "blocked_by", "add_subtask", "change_parent")


@pytest.fixture
def plan(seed_store: TaskStore) -> dict[str, TaskRecord]:
    """Launch > (Draft > Review, Ship), then Loose; all in the Inbox."""
    return make_plan_tree(seed_store)


def tree(store: TaskStore) -> list[tuple[str, str | None, str | None]]:
    """(title, parent's title, project's path) in my order, as the database holds them."""
    tasks = store.list_tasks(MINE)
    titles = {task.id: task.title for task in tasks}
    paths = store.project_paths()
    return [
        (task.title, titles.get(task.parent_id or ""), paths.get(task.project_id or ""))
        for task in tasks
    ]


PLAN = [
    ("Launch", None, None),
    ("Draft", "Launch", None),
    ("Review", "Draft", None),
    ("Ship", "Launch", None),
    ("Loose", None, None),
]


def choices(app: TaskFlowApp) -> list[str]:
    options = app.screen.query_one("#picker-choices", OptionList)
    prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
    return [p.plain if isinstance(p, Text) else str(p) for p in prompts]


def toasts(app: TaskFlowApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def meta(app: TaskFlowApp) -> str:
    return widget_text(app.screen.query_one("#detail-meta"))


async def wait_written(pilot: Pilot[object]) -> None:
    """A write's worker, its callback and the reads it starts, all done."""
    await finish_workers(pilot.app)
    await settle(pilot)
    await finish_workers(pilot.app)
    await settle(pilot)


async def open_page(pilot: Pilot[object], app: TaskFlowApp, title: str) -> TaskDetailScreen:
    """Down the list to the task titled ``title`` and Enter, as a user would."""
    await settle(pilot)
    await pilot.press("home")
    for _ in range(len(shown_titles(app))):
        task = current_task(app)
        if task is not None and task.title == title:
            break
        await pilot.press("down")
    await press_and_settle(pilot, "enter")
    screen = app.screen
    assert isinstance(screen, TaskDetailScreen) and screen.record.title == title
    return screen


async def type_in(pilot: Pilot[object], selector: str, text: str) -> None:
    """Put ``text`` in the field as one paste (the search runs once, on all of it)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.insert_text_at_cursor(text)
    await settle(pilot)
    await pilot.pause(0.15)  # past the task picker's search debounce
    await settle(pilot)


# -- m: move to a project ------------------------------------------------------------------


async def test_m_on_a_page_moves_the_task_and_its_subtasks_and_u_takes_it_back(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    seed_store.create_project("Work/Q4")
    seed_store.create_project("Home")
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Launch")
        assert "Inbox (no project)" in meta(app)
        await press_and_settle(pilot, "m")
        assert isinstance(app.screen, ProjectPickerScreen)
        await type_in(pilot, "#picker-search", "wq4")
        assert choices(app)[0] == "Work/Q4"
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert tree(seed_store) == [
            ("Launch", None, "Work/Q4"),
            ("Draft", "Launch", "Work/Q4"),
            ("Review", "Draft", "Work/Q4"),
            ("Ship", "Launch", "Work/Q4"),
            ("Loose", None, None),
        ]
        assert isinstance(app.screen, TaskDetailScreen)
        assert f"Work{BREADCRUMB}Q4" in meta(app)  # the page read its task again
        assert "“Launch” moved to “Work/Q4” · u undoes" in toasts(app)
        # The list under the page read the moved tasks again: the tree's breadcrumb shows.
        await press_and_settle(pilot, "escape")
        assert isinstance(app.screen, TaskListScreen)
        crumb = BREADCRUMB.join(["Work", "Q4", "Launch"])
        assert any(crumb in line for line in table_lines(app))
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
        assert tree(seed_store) == PLAN
        assert "Inbox (no project)" in meta(app)


async def test_m_on_a_page_makes_a_new_project_in_the_same_change(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "m")
        await type_in(pilot, "#picker-search", "Home/Chores")
        assert choices(app) == ["New project “Home/Chores”"]
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert seed_store.project_paths()[seed_store.get(plan["Loose"].id).project_id or ""] == (
            "Home/Chores"
        )
        assert "“Loose” moved to “Home/Chores” (new project) · u undoes" in toasts(app)
        assert f"Home{BREADCRUMB}Chores" in meta(app)
        await press_and_settle(pilot, "u")  # one undo: the move and the project
        await wait_written(pilot)
        assert "Inbox (no project)" in meta(app)
    assert seed_store.get(plan["Loose"].id).project_id is None
    assert seed_store.projects() == []


# -- b: blocked by -------------------------------------------------------------------------


async def test_b_on_a_page_marks_a_blocker_u_takes_it_back_and_b_again_unmarks_it(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    loose, ship = plan["Loose"], plan["Ship"]
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Loose")
        assert "Blocked by" not in meta(app)
        await press_and_settle(pilot, "b")
        assert isinstance(app.screen, TaskPickerScreen)
        await type_in(pilot, "#picker-search", "ship")
        assert [c.strip() for c in choices(app)] == ["Ship"]
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert seed_store.get(loose.id).blocked_by == (ship.id,)
        assert "Blocked by" in meta(app) and "○ Ship" in meta(app)
        assert "“Loose” is blocked by “Ship” · u undoes" in toasts(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
        assert seed_store.get(loose.id).blocked_by == ()
        assert "Blocked by" not in meta(app)
        # Blocked again, then the same task chosen again (ticked): unblocked.
        for _ in range(2):
            await press_and_settle(pilot, "b")
            await type_in(pilot, "#picker-search", "ship")
            await press_and_settle(pilot, "enter")
            await wait_written(pilot)
            assert isinstance(app.screen, TaskDetailScreen)
        assert "“Loose” is no longer blocked by “Ship” · u undoes" in toasts(app)
    assert seed_store.get(loose.id).blocked_by == ()


async def test_b_refuses_a_block_that_would_make_tasks_wait_on_each_other(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    seed_store.update(plan["Ship"].id, expected_version=1, blocked_by=[plan["Loose"].id])
    before = seed_store.last_event_id()
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "b")
        await type_in(pilot, "#picker-search", "ship")
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert any("wait on each other" in toast for toast in toasts(app))
        assert isinstance(app.screen, TaskDetailScreen)
    assert seed_store.get(plan["Loose"].id).blocked_by == ()
    assert seed_store.last_event_id() == before


# -- A: add a subtask ----------------------------------------------------------------------


async def test_shift_a_on_a_page_adds_a_subtask_shown_in_its_checklist(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Launch")
        assert "0/2 done" in meta(app)
        await press_and_settle(pilot, "A")
        assert isinstance(app.screen, TaskEditScreen)
        assert "New subtask of Launch" in widget_text(app.screen.query_one("#edit-heading"))
        await pilot.press(*"Polish")
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert tree(seed_store) == [*PLAN[:4], ("Polish", "Launch", None), PLAN[4]]
        assert "0/3 done" in meta(app) and "○ Polish" in meta(app)
        assert "Added “Polish” under “Launch” · u undoes" in toasts(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
        assert "0/2 done" in meta(app) and "Polish" not in meta(app)
    assert tree(seed_store) == PLAN


# -- P: the parent -------------------------------------------------------------------------


async def test_shift_p_puts_the_task_under_another_and_u_takes_it_back(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "P")
        assert isinstance(app.screen, ParentPickerScreen)
        shown = choices(app)
        assert shown[0] == "No parent (top level)  (where it is)"
        assert "Loose" not in [c.strip() for c in shown]  # not under itself
        await type_in(pilot, "#picker-search", "ship")
        assert choices(app) == ["Ship"]
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert tree(seed_store) == [*PLAN[:4], ("Loose", "Ship", None)]
        assert "Subtask of" in meta(app) and "Ship" in meta(app)
        assert "“Loose” is now under “Ship” · u undoes" in toasts(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
        assert "Subtask of" not in meta(app)
    assert tree(seed_store) == PLAN


async def test_shift_p_takes_a_subtask_and_its_own_subtasks_to_the_top_level(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Draft")
        await press_and_settle(pilot, "P")
        shown = choices(app)
        assert shown[0] == "No parent (top level)"
        assert "Launch  (where it is)" in shown
        assert "Review  (one of its subtasks)" in shown
        await press_and_settle(pilot, "enter")  # the first choice: the top level
        await wait_written(pilot)
        parents = {title: parent for title, parent, _ in tree(seed_store)}
        assert parents["Draft"] is None and parents["Review"] == "Draft"
        assert "“Draft” is now at the top level · u undoes" in toasts(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
    assert tree(seed_store) == PLAN


async def test_shift_p_under_a_task_in_another_project_takes_the_task_there(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    work = seed_store.create_project("Work")
    seed_store.create("Hire a designer", project_id=work.id)
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "P")
        await type_in(pilot, "#picker-search", "hire")
        assert choices(app) == ["Hire a designer  Work"]
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        placed = {title: (parent, path) for title, parent, path in tree(seed_store)}
        assert placed["Launch"] == ("Hire a designer", "Work")
        assert placed["Review"] == ("Draft", "Work")  # its subtasks went along
        assert "“Launch” is now under “Hire a designer”, in “Work” · u undoes" in toasts(app)
        assert "Work" in meta(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
    assert [row for row in tree(seed_store) if row[0] != "Hire a designer"] == PLAN


async def test_shift_p_under_one_of_its_own_subtasks_is_refused_with_the_reason(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    before = seed_store.last_event_id()
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "P")
        await type_in(pilot, "#picker-search", "review")
        assert choices(app) == ["Review  (one of its subtasks)"]
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert "A task cannot go under itself or under one of its subtasks." in toasts(app)
        assert isinstance(app.screen, TaskDetailScreen)
        assert "Subtask of" not in meta(app)
    assert tree(seed_store) == PLAN
    assert seed_store.last_event_id() == before  # nothing written


async def test_escape_in_a_picker_changes_nothing(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    before = seed_store.last_event_id()
    app = app_factory()
    async with app.run_test(size=(80, 30)) as pilot:
        await open_page(pilot, app, "Draft")
        for key in ("m", "b", "P"):
            await press_and_settle(pilot, key)
            assert not isinstance(app.screen, TaskDetailScreen)
            await press_and_settle(pilot, "escape")
            assert isinstance(app.screen, TaskDetailScreen)
    assert seed_store.last_event_id() == before


# -- read-only, help -----------------------------------------------------------------------


async def test_read_only_greys_out_and_refuses_the_structure_keys(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    before = seed_store.last_event_id()
    app = app_factory(read_only=True)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await open_page(pilot, app, "Launch")
        for action in STRUCTURE_ACTIONS:
            assert screen.check_action(action, ()) is None, action  # shown, greyed out
        for key in ("m", "b", "A", "P"):
            await press_and_settle(pilot, key)
            assert app.screen is screen, key  # no picker, no editor
        rows = {desc: on for _, desc, on in key_sections(screen)["Structure"]}
        assert not any(rows.values())
    assert seed_store.last_event_id() == before


async def test_the_help_of_a_page_lists_the_structure_keys(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await open_page(pilot, app, "Draft")
        rows = {
            keys: (description, on) for keys, description, on in key_sections(screen)["Structure"]
        }
        assert set(rows) == {"m", "A", "b", "P"}
        assert all(on for _, on in rows.values())
        assert "top level" in rows["P"][0]
        await press_and_settle(pilot, "question_mark")
        help_text = widget_text(app.screen.query_one("#help-keys"))
        assert "Structure" in help_text and "Put the task (with its subtasks)" in help_text


# -- the editor's Project field ------------------------------------------------------------


def project_field(app: TaskFlowApp) -> Input:
    return app.screen.query_one("#project", Input)


def preview(app: TaskFlowApp) -> str:
    return widget_text(app.screen.query_one("#preview"))


async def set_project(pilot: Pilot[object], value: str) -> None:
    field = project_field(pilot.app)  # type: ignore[arg-type]
    field.value = value
    await settle(pilot)


async def test_the_project_field_moves_the_task_with_its_subtasks_and_u_undoes(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    seed_store.create_project("Work/Q4")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "e")
        assert project_field(app).value == ""  # the Inbox
        await set_project(pilot, "work/q4")  # as the store finds it: ignoring case
        assert "· in work/q4" in preview(app) and "new project" not in preview(app)
        await press_and_settle(pilot, "ctrl+s")
        await wait_written(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert [path for _, _, path in tree(seed_store)] == ["Work/Q4"] * 4 + [None]
        assert "Saved “Launch” in “Work/Q4” · u undoes" in toasts(app)  # as the store spells it
        assert f"Work{BREADCRUMB}Q4" in meta(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
    assert tree(seed_store) == PLAN
    assert seed_store.project_paths() != {}  # the project was there before: it stays


async def test_clearing_the_project_field_moves_the_task_to_the_inbox(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    home = seed_store.create_project("Home")
    seed_store.update(plan["Loose"].id, expected_version=1, project_id=home.id)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "e")
        assert project_field(app).value == "Home"
        await set_project(pilot, "")
        assert "to the Inbox" in preview(app)
        await press_and_settle(pilot, "ctrl+s")
        await wait_written(pilot)
        assert seed_store.get(plan["Loose"].id).project_id is None
        assert "Saved “Loose” in the Inbox · u undoes" in toasts(app)
        assert "Inbox (no project)" in meta(app)


async def test_a_new_path_in_the_field_is_made_on_save_and_one_undo_takes_both_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        await pilot.press(*"Buy milk")
        await pilot.press("tab", "tab", "tab", "tab")  # due, priority, tags, project
        assert app.screen.focused is project_field(app)
        await pilot.press(*"Home/Chores")
        await settle(pilot)
        assert "· in Home/Chores (new project)" in preview(app)
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        task = seed_store.list_tasks()[0]
        assert seed_store.project_paths()[task.project_id or ""] == "Home/Chores"
        assert "Added “Buy milk” in “Home/Chores” (new project) · u undoes" in toasts(app)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
    assert seed_store.list_tasks() == []
    assert seed_store.projects() == []


async def test_the_field_completes_an_existing_path(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create_project("Work/Q4")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        project_field(app).focus()
        await pilot.press(*"wo")
        await settle(pilot)
        await pilot.pause(0.1)
        await press_and_settle(pilot, "right")  # takes the suggestion: "work"
        await pilot.press("slash")
        await settle(pilot)
        await pilot.pause(0.1)
        await press_and_settle(pilot, "right")
        assert project_field(app).value == "work/Q4"  # what was typed keeps its case


async def test_a_plus_word_in_the_title_wins_over_the_project_field(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        await pilot.press(*"Buy milk +Home")
        await set_project(pilot, "Errands")
        assert "· in Home (new project) (from the title, not the field)" in preview(app)
        await press_and_settle(pilot, "ctrl+s")
        await wait_written(pilot)
    task = seed_store.list_tasks()[0]
    assert task.title == "Buy milk"
    assert list(seed_store.project_paths().values()) == ["Home"]  # no Errands made
    assert seed_store.project_paths()[task.project_id or ""] == "Home"


async def test_a_bad_path_is_shown_under_the_field_and_nothing_is_saved(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    before = seed_store.last_event_id()
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "e")
        await set_project(pilot, "Work//Q4")
        await press_and_settle(pilot, "ctrl+s")
        assert isinstance(app.screen, TaskEditScreen)
        error = app.screen.query_one("#project-error")
        assert "cannot be empty" in widget_text(error)
        assert app.screen.focused is project_field(app)
    assert seed_store.last_event_id() == before


async def test_a_changed_project_field_makes_cancel_ask_and_the_first_value_does_not(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    home = seed_store.create_project("Home")
    seed_store.update(plan["Loose"].id, expected_version=1, project_id=home.id)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Loose")
        await press_and_settle(pilot, "e")
        editor = app.screen
        assert isinstance(editor, TaskEditScreen) and not editor.dirty
        await set_project(pilot, "Work")
        assert editor.dirty
        await press_and_settle(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press_and_settle(pilot, "n")  # keep editing
        assert app.screen is editor
        await set_project(pilot, "home")  # the same project, as the store finds it
        assert not editor.dirty
        await press_and_settle(pilot, "escape")
        assert isinstance(app.screen, TaskDetailScreen)
        # A new task: only the Project field filled is something to lose too.
        await press_and_settle(pilot, "escape", "a")
        new = app.screen
        assert isinstance(new, TaskEditScreen) and not new.dirty
        await set_project(pilot, "Home")
        assert new.dirty
        await press_and_settle(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press_and_settle(pilot, "y")
        assert isinstance(app.screen, TaskListScreen)
    assert seed_store.get(plan["Loose"].id).project_id == home.id


async def test_editing_a_subtask_names_its_parent_and_a_new_project_takes_it_out(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Draft")
        await press_and_settle(pilot, "e")
        heading = widget_text(app.screen.query_one("#edit-heading"))
        assert heading.startswith("Edit subtask of Launch")
        await set_project(pilot, "Side")
        assert "· in Side (new project), no longer a subtask" in preview(app)
        await press_and_settle(pilot, "ctrl+s")
        await wait_written(pilot)
        placed = {title: (parent, path) for title, parent, path in tree(seed_store)}
        assert placed["Draft"] == (None, "Side") and placed["Review"] == ("Draft", "Side")
        assert placed["Launch"] == (None, None)
        await press_and_settle(pilot, "u")
        await wait_written(pilot)
    assert tree(seed_store) == PLAN
    assert seed_store.projects() == []


async def test_a_new_subtask_shows_its_parents_project_not_to_be_changed(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    work = seed_store.create_project("Work")
    seed_store.update(plan["Launch"].id, expected_version=1, project_id=work.id)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "A")
        assert project_field(app).value == "Work" and project_field(app).disabled
        editor = app.screen
        assert isinstance(editor, TaskEditScreen) and not editor.dirty
        await pilot.press(*"Polish")
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
    placed = {title: (parent, path) for title, parent, path in tree(seed_store)}
    assert placed["Polish"] == ("Launch", "Work")


async def test_the_editor_fits_80x24_with_every_field_in_sight(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Draft")
        await press_and_settle(pilot, "e")
        screen = app.screen
        for selector in ("#title", "#due", "#priority", "#tags", "#project"):
            region = screen.query_one(selector).region
            assert region.height == 3 and region.bottom <= 23, selector
            assert region.width >= 14, selector  # room for a path like Work/Q4/Launch
        notes = screen.query_one("#description", TextArea).region
        assert notes.height >= 3 and notes.bottom <= 23  # above the footer


async def test_a_new_subtask_named_into_another_project_is_refused_under_the_field(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    before = seed_store.last_event_id()
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(pilot, app, "Launch")
        await press_and_settle(pilot, "A")
        await pilot.press(*"Polish +Home")
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        error = widget_text(app.screen.query_one("#project-error"))
        assert "A subtask is in its parent task's project." in error
        assert app.screen.focused is app.screen.query_one("#title")  # where +Home is
    assert seed_store.last_event_id() == before
    assert seed_store.projects() == []  # Home was not made either


async def test_a_new_task_can_start_in_a_project_given_by_the_screen_that_opens_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    # What the list narrowed to a project does with `a`: the field starts filled.
    work = seed_store.create_project("Work")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(TaskEditScreen(None, project="Work"))
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, TaskEditScreen) and not editor.dirty
        assert project_field(app).value == "Work"
        await pilot.press(*"Plan the launch")
        await settle(pilot)
        assert "· in Work" in preview(app) and "new project" not in preview(app)
        await press_and_settle(pilot, "enter")
        await wait_written(pilot)
        assert "Added “Plan the launch” in “Work” · u undoes" in toasts(app)
    (task,) = seed_store.list_tasks()
    assert task.project_id == work.id
