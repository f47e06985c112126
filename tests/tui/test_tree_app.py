"""The task tree on the list: subtasks drawn under their parents with progress, folds
(z, Z, Left, Right), and the keys that change where a task is (>, <, A, m, b), each
checked in the database after, and taken back by u."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import OptionList

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
from tui.formatting import BREADCRUMB, fit_breadcrumb
from tui.screens.pickers import ProjectPickerScreen, TaskPickerScreen, fuzzy_rank
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

MINE = TaskQuery(sort=Sort.MANUAL, status=Status.ALL)


@pytest.fixture
def plan(seed_store: TaskStore) -> dict[str, TaskRecord]:
    """Launch > (Draft > Review, Ship), Loose; Review done."""
    tasks = make_plan_tree(seed_store)
    seed_store.toggle(tasks["Review"].id)
    return tasks


def choices(app: TaskFlowApp) -> list[str]:
    """The picker's choices, top to bottom, as plain text."""
    options = app.screen.query_one("#picker-choices", OptionList)
    return [
        Text.from_markup(str(prompt)).plain if isinstance(prompt, str) else str(prompt)
        for prompt in (options.get_option_at_index(i).prompt for i in range(options.option_count))
    ]


def crumbs(*parts: str) -> str:
    """A title after its breadcrumb, as the list draws it."""
    return BREADCRUMB.join(parts)


def tree(store: TaskStore) -> list[tuple[str, str | None]]:
    """(title, parent's title) in my order, as the database holds them."""
    tasks = store.list_tasks(MINE)
    titles = {task.id: task.title for task in tasks}
    return [(task.title, titles.get(task.parent_id or "")) for task in tasks]


PLAN_TREE = [
    ("Launch", None),
    ("Draft", "Launch"),
    ("Review", "Draft"),
    ("Ship", "Launch"),
    ("Loose", None),
]


def line_of(app: object, title: str) -> str:
    return next(line for line in table_lines(app) if f" {title}" in line)  # type: ignore[arg-type]


async def go_to(pilot: Pilot[object], app: TaskFlowApp, title: str) -> None:
    """Down from the first row to the task titled ``title``, as a user would."""
    await pilot.press("home")
    for _ in range(len(shown_titles(app))):
        task = current_task(app)
        if task is not None and task.title == title:
            await settle(pilot)
            return
        await pilot.press("down")
    raise AssertionError(f"{title!r} is not in the list: {shown_titles(app)}")


async def test_my_order_draws_the_tree_with_each_parents_progress(
    app_factory: AppFactory, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Ship", "Loose"]
        assert "▾ Launch  0/2" in line_of(app, "Launch")
        assert "    ▾ Draft  1/1" in line_of(app, "Draft")  # one level in, a parent too
        assert "        Review" in line_of(app, "Review")
        assert "▾" not in line_of(app, "Loose") and "      Loose" not in line_of(app, "Loose")


async def test_z_folds_a_task_and_left_right_fold_and_unfold(
    app_factory: AppFactory, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("z")  # on Launch
        await settle(pilot)
        assert shown_titles(app) == ["Launch", "Loose"]
        assert "▸ Launch  0/2" in line_of(app, "Launch")
        await press_and_settle(pilot, "right")
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Ship", "Loose"]
        await go_to(pilot, app, "Review")
        await pilot.press("left")  # a subtask: up to its parent
        await settle(pilot)
        assert current_task(app).title == "Draft"  # type: ignore[union-attr]
        await press_and_settle(pilot, "left")
        assert shown_titles(app) == ["Launch", "Draft", "Ship", "Loose"]
        await go_to(pilot, app, "Ship")
        await pilot.press("z")  # a leaf: its parent folds, the cursor on it
        await settle(pilot)
        assert shown_titles(app) == ["Launch", "Loose"]
        assert current_task(app).title == "Launch"  # type: ignore[union-attr]


async def test_shift_z_folds_everything_then_unfolds_it_all(
    app_factory: AppFactory, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, "Review")
        await press_and_settle(pilot, "Z")
        assert shown_titles(app) == ["Launch", "Loose"]
        assert current_task(app).title == "Launch"  # type: ignore[union-attr]
        await pilot.press("right")  # one branch opened; Draft stays folded under it
        await settle(pilot)
        assert shown_titles(app) == ["Launch", "Draft", "Ship", "Loose"]
        assert "▸ Draft" in line_of(app, "Draft")
        await press_and_settle(pilot, "Z")
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Ship", "Loose"]


async def test_indent_and_outdent_change_the_parent_in_the_database_and_undo(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, "Loose")
        await press_and_settle(pilot, "greater_than_sign")
        assert tree(seed_store)[-1] == ("Loose", "Launch")
        assert current_task(app).title == "Loose"  # type: ignore[union-attr]
        said = " ".join(str(n.message) for n in app._notifications)
        assert "“Loose” is now under “Launch”" in said  # Launch is the first row
        assert "    Loose" in line_of(app, "Loose")
        await press_and_settle(pilot, "less_than_sign")
        assert tree(seed_store) == PLAN_TREE
        await go_to(pilot, app, "Ship")
        await pilot.press("greater_than_sign")  # under Draft, after Review
        await settle(pilot)
        assert ("Ship", "Draft") in tree(seed_store)
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Ship", "Loose"]
        await press_and_settle(pilot, "u")
        await finish_workers(app)
    assert tree(seed_store) == PLAN_TREE


async def test_indent_of_the_first_task_says_why_not(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("greater_than_sign")  # Launch is first: nothing to go under
        await settle(pilot)
        said = " ".join(str(n.message) for n in app._notifications)
        assert "no task above" in said
    assert tree(seed_store) == PLAN_TREE


async def test_indent_outside_my_order_says_how_to_get_there(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # sorted by created: flat
        await settle(pilot)
        await go_to(pilot, app, "Ship")
        await press_and_settle(pilot, "greater_than_sign")
        said = " ".join(str(n.message) for n in app._notifications)
        assert "in the tree" in said and "my order" in said
        # Flat, each subtask shows where it belongs.
        assert crumbs("Launch", "Draft", "Review") in line_of(app, "Review")
    assert tree(seed_store) == PLAN_TREE


async def test_shift_a_adds_a_subtask_of_the_selected_task(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("z")  # Launch folded: the new subtask must still show
        await settle(pilot)
        await press_and_settle(pilot, "A")
        assert isinstance(app.screen, TaskEditScreen)
        assert "New subtask of Launch" in widget_text(app.screen.query_one("#edit-heading"))
        await pilot.press(*"Polish")
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert tree(seed_store) == [*PLAN_TREE[:4], ("Polish", "Launch"), ("Loose", None)]
        assert shown_titles(app) == ["Launch", "Draft", "Review", "Ship", "Polish", "Loose"]
        assert current_task(app).title == "Polish"  # type: ignore[union-attr]
        assert "▾ Launch  0/3" in line_of(app, "Launch")


async def test_m_moves_a_task_and_its_subtasks_to_a_project_picked_by_a_few_letters(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    seed_store.create_project("Work/Q4")
    seed_store.create_project("Home")
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # on Launch
        await settle(pilot)
        assert isinstance(app.screen, ProjectPickerScreen)
        await press_and_settle(pilot, *"wq4")
        shown = choices(app)
        assert shown[0] == "Work/Q4" and shown[-1].startswith("New project")
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        await settle(pilot)
        paths = seed_store.project_paths()
        placed = {t.title: paths.get(t.project_id or "") for t in seed_store.list_tasks(MINE)}
        assert placed == {
            "Launch": "Work/Q4",
            "Draft": "Work/Q4",
            "Review": "Work/Q4",
            "Ship": "Work/Q4",
            "Loose": None,
        }
        # The crumb, then the fold mark and the title.
        assert crumbs("Work", "Q4", "▾ Launch") not in line_of(app, "Launch")
        assert crumbs("Work", "Q4", "Launch") in line_of(app, "Launch")
        await press_and_settle(pilot, "u")
        await finish_workers(app)
    assert all(task.project_id is None for task in seed_store.list_tasks(MINE))


async def test_m_can_make_a_new_project_and_one_undo_takes_both_back(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end", "m")  # on Loose
        await settle(pilot)
        app.screen.query_one("#picker-search").insert_text_at_cursor("Home/Chores")  # type: ignore[attr-defined]
        await settle(pilot)
        assert choices(app) == ["New project “Home/Chores”"]
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        loose = seed_store.get(plan["Loose"].id)
        assert seed_store.project_paths()[loose.project_id or ""] == "Home/Chores"
        await press_and_settle(pilot, "u")
        await finish_workers(app)
    assert seed_store.get(plan["Loose"].id).project_id is None
    assert seed_store.projects() == []


async def test_b_marks_what_a_task_waits_for_and_again_unmarks_it(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, "Loose")
        await press_and_settle(pilot, "b")
        assert isinstance(app.screen, TaskPickerScreen)
        await press_and_settle(pilot, *"ship")
        await finish_workers(app)
        await settle(pilot)
        shown = choices(app)
        assert any("Ship" in c for c in shown) and not any("Loose" in c for c in shown)
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        await settle(pilot)
        assert seed_store.get(plan["Loose"].id).blocked_by == (plan["Ship"].id,)
        assert "blocked" in line_of(app, "Loose")
        await press_and_settle(pilot, "b")
        await press_and_settle(pilot, *"ship")
        await finish_workers(app)
        await settle(pilot)
        assert any(c.startswith("✓ Ship") for c in choices(app)), choices(app)
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
    assert seed_store.get(plan["Loose"].id).blocked_by == ()


async def test_a_subtask_toggled_updates_its_parents_progress(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, "Ship")
        await press_and_settle(pilot, "space")
        await finish_workers(app)
        await settle(pilot)
        assert seed_store.get(plan["Ship"].id).completed
        assert "▾ Launch  1/2" in line_of(app, "Launch")


def test_the_project_picker_ranks_a_level_start_before_letters_inside_words() -> None:
    paths = ["Home", "Work/Q4", "Work/Q4/Launch", "Quarterly"]
    ranked = sorted((r, p) for p in paths if (r := fuzzy_rank("q4", p)) is not None)
    assert [p for _, p in ranked] == ["Work/Q4", "Work/Q4/Launch"]
    assert fuzzy_rank("wq", "Work/Q4") is not None  # letters in order, anywhere
    assert fuzzy_rank("qw", "Work/Q4") is None


@pytest.mark.parametrize(
    ("levels", "width", "shown"),
    [
        (["Work", "Q4"], 40, "Work > Q4 > "),
        # Too long: the top levels give way first, the nearest parent stays whole...
        (["Work", "Q4", "Ship the launch", "Draft"], 30, "… > Ship the launch > Draft > "),
        (["Work", "Q4", "Ship the launch", "Draft"], 22, "… > Draft > "),
        # ...and is shortened only when even it alone does not fit.
        (["Work", "Draft the announcement"], 16, "… > Draft th… > "),
        (["Draft the announcement"], 16, "Draft the an… > "),
    ],
)
def test_a_breadcrumb_too_long_keeps_the_nearest_parent(
    levels: list[str], width: int, shown: str
) -> None:
    crumb = fit_breadcrumb(levels, width)
    assert crumb == shown.replace(" > ", BREADCRUMB)  # ">" stands for the angle drawn
    assert len(crumb) <= width


async def test_shift_p_puts_a_task_under_another_and_undo_takes_it_back(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, "Loose")
        await press_and_settle(pilot, "P")
        await press_and_settle(pilot, *"ship")
        await finish_workers(app)
        await settle(pilot)
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        await settle(pilot)
        assert seed_store.get(plan["Loose"].id).parent_id == plan["Ship"].id
        assert ("Loose", "Ship") in tree(seed_store)
        await press_and_settle(pilot, "u")
        await finish_workers(app)
        await settle(pilot)
    assert seed_store.get(plan["Loose"].id).parent_id is None


async def test_blocked_comes_and_goes_with_its_blocker_done_here_or_elsewhere(
    app_factory: AppFactory, seed_store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    seed_store.update(
        plan["Loose"].id, expected_version=plan["Loose"].version, blocked_by=[plan["Ship"].id]
    )
    assert seed_store.get(plan["Loose"].id).blocked
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert "blocked" in line_of(app, "Loose")
        await go_to(pilot, app, "Ship")
        await press_and_settle(pilot, "space")  # the blocker done, here
        await finish_workers(app)
        await settle(pilot)
        assert seed_store.get(plan["Ship"].id).completed
        assert "blocked" not in line_of(app, "Loose")

        seed_store.toggle(plan["Ship"].id)  # open again, from another window
        for _ in range(30):
            await pilot.pause(0.05)
            await finish_workers(app)
            if "blocked" in line_of(app, "Loose"):
                break
        assert "blocked" in line_of(app, "Loose")
