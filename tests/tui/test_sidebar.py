"""The sidebar: shown from 100 columns, p to go there or hide it; choosing a project
narrows the list to it and the projects under it, and the header says where the list
is; projects are made, renamed, moved and deleted from it, each undone with u. The
database is checked after each change."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot

from store import Status, TaskQuery, TaskStore
from tests.tui.helpers import (
    AppFactory,
    finish_workers,
    press_and_settle,
    settle,
    shown_titles,
    widget_text,
)
from tui.app import TaskFlowApp
from tui.formatting import BREADCRUMB
from tui.list_state import ViewKind
from tui.screens.project_actions import DeleteProjectScreen, ProjectNameScreen
from tui.screens.task_list import SIDEBAR_SETTLE_SECONDS, TaskListScreen
from tui.widgets.project_sidebar import ProjectSidebar


def seed_projects(store: TaskStore) -> None:
    """Work/Q4 and Home, a task in each, one in the Inbox (in this order)."""
    q4 = store.create_project("Work/Q4")
    work = store.project("Work")
    home = store.create_project("Home")
    store.create("Plan the launch", project_id=q4.id)
    store.create("Write the report", project_id=work.id)
    store.create("Call mum", project_id=home.id)
    store.create("Buy milk")


def sidebar_of(app: TaskFlowApp) -> ProjectSidebar:
    return app.screen.query_one(ProjectSidebar)


def sidebar_lines(app: TaskFlowApp) -> list[str]:
    sidebar = sidebar_of(app)
    return [
        " ".join(line.text.split())
        for line in (sidebar.render_line(y) for y in range(sidebar.size.height))
        if line.text.strip()
    ]


async def choose(pilot: object, app: TaskFlowApp, entry: str) -> None:
    """Go to the sidebar with p, move its cursor to ``entry`` and press Enter."""
    await press_and_settle(pilot, "p")  # type: ignore[arg-type]
    sidebar = sidebar_of(app)
    assert app.screen.focused is sidebar
    ids = [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)]
    while sidebar.highlighted_id != entry:
        at = sidebar.highlighted or 0
        await press_and_settle(pilot, "down" if ids.index(entry) > at else "up")  # type: ignore[arg-type]
    await press_and_settle(pilot, "enter")  # type: ignore[arg-type]
    await finish_workers(app)
    await settle(pilot)  # type: ignore[arg-type]


def project_id_of(store: TaskStore, path: str) -> str:
    return store.project(path).id


async def written(pilot: Pilot[object], app: TaskFlowApp) -> None:
    """Wait for a write, then for what its answer starts (the list and the sidebar read
    again)."""
    for _ in range(2):
        await finish_workers(app)
        await settle(pilot)
    await pilot.pause(SIDEBAR_SETTLE_SECONDS + 0.05)  # the sidebar reads once changes pause
    await settle(pilot)


async def sidebar_on(pilot: Pilot[object], app: TaskFlowApp, store: TaskStore, entry: str) -> None:
    """Go to the sidebar with p and put its cursor on the project at ``entry`` (a path),
    or on "inbox"."""
    await press_and_settle(pilot, "p")
    sidebar = sidebar_of(app)
    option = entry if entry == "inbox" else f"project:{project_id_of(store, entry)}"
    sidebar.highlighted = sidebar.get_option_index(option)


def title_bar(app: TaskFlowApp) -> str:
    return widget_text(app.screen.query_one("#title-bar"))


async def test_the_sidebar_lists_views_inbox_and_the_tree_with_open_counts(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    seed_store.toggle(seed_store.create("Filed", project_id=project_id_of(seed_store, "Home")).id)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        assert sidebar_of(app).display
        # Open tasks only; a project counts those in the projects under it.
        assert sidebar_lines(app) == [
            "Views",
            "▸ All",
            "Today",
            "Upcoming",
            "Done",
            "Projects",
            "Inbox 1",
            "Work 2",
            "Q4 1",
            "Home 1",
        ]
        # A view key moves the list: the sidebar's mark and its cursor follow.
        await press_and_settle(pilot, "2")
        assert "▸ Today" in sidebar_lines(app)
        assert sidebar_of(app).highlighted_id == "view:today"


async def test_the_sidebar_is_hidden_below_100_columns_and_p_shows_it_and_hides_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(99, 30)) as pilot:
        await settle(pilot)
        assert not sidebar_of(app).display
        await press_and_settle(pilot, "p")
        assert sidebar_of(app).display
        assert app.screen.focused is sidebar_of(app)
        await press_and_settle(pilot, "escape")  # the keys go back to the list
        assert not sidebar_of(app).display  # on a narrow screen it was shown to choose
        assert app.screen.focused is app.screen.query_one("#tasks")
    async with app_factory().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app2 = pilot.app
        sidebar = app2.screen.query_one(ProjectSidebar)
        assert sidebar.display
        await press_and_settle(pilot, "p")  # to the sidebar
        assert app2.screen.focused is sidebar
        await press_and_settle(pilot, "p")  # p there hides it
        assert not sidebar.display
        assert app2.screen.focused is app2.screen.query_one("#tasks")
        await pilot.resize_terminal(140, 30)  # what p said holds, however wide
        await settle(pilot)
        assert not sidebar.display


async def test_choosing_a_project_narrows_the_list_to_it_and_those_under_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Work')}")
        assert shown_titles(app) == ["Plan the launch", "Write the report"]
        assert "Work" in title_bar(app)
        assert app.screen.focused is app.screen.query_one("#tasks")
        assert "2 open · 0 done" in widget_text(app.screen.query_one("#status-bar"))
        # The rows' breadcrumbs start below the project the header names.
        table = app.screen.query_one("#tasks")
        lines = [" ".join(table.render_line(y).text.split()) for y in range(1, 3)]
        assert lines[0].startswith(f"[ ] Q4{BREADCRUMB}Plan the launch")
        assert lines[1].startswith("[ ] Write the report")

        await choose(pilot, app, "inbox")
        assert shown_titles(app) == ["Buy milk"]
        assert "Inbox" in title_bar(app)

        # A view from the sidebar is across every project again.
        await choose(pilot, app, "view:all")
        assert shown_titles(app) == [
            "Plan the launch",
            "Write the report",
            "Call mum",
            "Buy milk",
        ]
        assert "Inbox" not in title_bar(app)


async def test_the_view_keys_keep_the_chosen_project(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    work = project_id_of(seed_store, "Work")
    done = seed_store.create("Shipped", project_id=work)
    seed_store.toggle(done.id)
    seed_store.toggle(seed_store.create("Done at home").id)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{work}")
        await press_and_settle(pilot, "4")
        await finish_workers(app)
        await settle(pilot)
        assert shown_titles(app) == ["Shipped"]
        assert "4 Done 1" in widget_text(app.screen.query_one("#views-bar"))


async def test_a_project_made_in_the_sidebar_is_one_undo(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Work")
        await press_and_settle(pilot, "n")
        assert isinstance(app.screen, ProjectNameScreen)
        await pilot.press(*"Launch", "enter")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Work/Launch", "Home"]
        assert any("Launch" in line for line in sidebar_lines(app))

        await press_and_settle(pilot, "u")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]
        assert not any("Launch" in line for line in sidebar_lines(app))


async def test_a_name_refused_keeps_the_dialog_with_what_was_typed_and_why(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Home')}")
        await press_and_settle(pilot, "p", "r")
        assert isinstance(app.screen, ProjectNameScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"[bold]Home[/bold]", "enter")
        await written(pilot, app)
        assert isinstance(app.screen, ProjectNameScreen)  # still open, the text kept
        assert app.screen.query_one("#project-name").value == "[bold]Home[/bold]"  # type: ignore[attr-defined]
        error = widget_text(app.screen.query_one("#project-name-error"))
        assert "cannot hold '/'" in error
        await pilot.press("ctrl+a", "ctrl+k", *"x" * 61, "enter")  # too long for a name
        await written(pilot, app)
        assert "at most 60 characters" in widget_text(app.screen.query_one("#project-name-error"))
        await pilot.press("ctrl+a", "ctrl+k", *"[bold]Home", "enter")  # markup: kept as typed
        await written(pilot, app)
        assert isinstance(app.screen, TaskListScreen)
    assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "[bold]Home"]


async def test_a_new_project_path_too_deep_is_refused_in_the_dialog(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create_project("A/B/C/D/E/F/G/H")
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "A/B/C/D/E/F/G/H")
        await press_and_settle(pilot, "n")
        await pilot.press(*"I", "enter")
        await written(pilot, app)
        assert isinstance(app.screen, ProjectNameScreen)
        assert "levels deep" in widget_text(app.screen.query_one("#project-name-error"))
    assert len(seed_store.projects()) == 8


async def test_renaming_the_chosen_project_keeps_the_list_in_it_and_undo_renames_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Home')}")
        await press_and_settle(pilot, "p", "r")
        await pilot.press("ctrl+a", "ctrl+k", *"House", "enter")
        await written(pilot, app)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "House"]
        assert "House" in title_bar(app)
        assert shown_titles(app) == ["Call mum"]

        await press_and_settle(pilot, "escape", "u")
        await written(pilot, app)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]
        assert "Home" in title_bar(app)


async def test_moving_a_project_under_another_takes_its_tasks_and_undo_puts_it_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Home")
        await press_and_settle(pilot, "M")
        await pilot.press(*"work", "enter")  # Work, not Work/Q4: the closer match first
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Work/Home"]
        home = seed_store.project("Work/Home")
        assert [
            t.title for t in seed_store.list_tasks(TaskQuery(projects=frozenset({home.id})))
        ] == ["Call mum"]
        await press_and_settle(pilot, "u")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]


async def test_a_project_cannot_be_moved_under_itself(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Work")
        await press_and_settle(pilot, "M")
        picker = app.screen
        offered = [
            picker.choices.get_option_at_index(i).id  # type: ignore[attr-defined]
            for i in range(picker.choices.option_count)  # type: ignore[attr-defined]
        ]
        # Not Work itself, nor Work/Q4 inside it.
        assert offered == ["(top level)", project_id_of(seed_store, "Home")]


async def test_deleting_a_project_asks_and_moves_its_tasks_up_by_default(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Work')}")
        await press_and_settle(pilot, "p", "d")
        assert isinstance(app.screen, DeleteProjectScreen)
        question = widget_text(app.screen.query_one("#question"))
        assert "It holds 1 task and 1 project (with 1 task)." in question
        assert "its tasks in the Inbox, its projects at the top" in question
        await press_and_settle(pilot, "enter")  # the default: move them up
        await written(pilot, app)
        assert [p.path for p in seed_store.projects()] == ["Home", "Q4"]  # after those there
        paths = seed_store.project_paths()
        placed = {
            t.title: paths.get(t.project_id or "")
            for t in seed_store.list_tasks(TaskQuery(status=Status.ALL))
        }
        assert placed == {
            "Plan the launch": "Q4",
            "Write the report": None,
            "Call mum": "Home",
            "Buy milk": None,
        }
        said = [n.message for n in app._notifications]
        note = "its 1 task moved to the Inbox and its 1 project moved to the top level"
        assert any(note in message for message in said), said
        # The chosen project is gone: the list shows every project again.
        assert isinstance(app.screen, TaskListScreen)
        assert app.screen.state.place is None
        assert len(shown_titles(app)) == 4

        await press_and_settle(pilot, "escape", "u")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]
        assert (
            seed_store.count(
                TaskQuery(projects=seed_store.project_scope(project_id_of(seed_store, "Work")))
            )
            == 2
        )


async def test_deleting_a_project_with_its_tasks_and_undo_brings_them_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Work")
        await press_and_settle(pilot, "d")
        await press_and_settle(pilot, "D")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Home"]
        assert sorted(t.title for t in seed_store.list_tasks()) == ["Buy milk", "Call mum"]
        await finish_workers(app)
        await settle(pilot)
        assert sorted(shown_titles(app)) == ["Buy milk", "Call mum"]

        await press_and_settle(pilot, "u")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]
        assert len(seed_store.list_tasks()) == 4


async def test_an_empty_project_is_deleted_without_a_question(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    seed_store.create_project("Someday")
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Someday")
        await press_and_settle(pilot, "d")
        await finish_workers(app)
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]


async def test_the_inbox_and_views_cannot_be_renamed_or_deleted(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "inbox")
        await press_and_settle(pilot, "r", "d", "M")
        assert isinstance(app.screen, TaskListScreen)
        assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4", "Home"]
        assert len(seed_store.list_tasks()) == 4


async def test_a_project_made_in_another_window_shows_in_the_sidebar(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()  # the change poll: every 0.1 s
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        seed_store.create_project("Garden")
        for _ in range(40):
            await pilot.pause(0.05)
            await finish_workers(app)
            if any("Garden" in line for line in sidebar_lines(app)):
                break
        assert any("Garden" in line for line in sidebar_lines(app))


async def test_the_first_project_on_an_empty_database(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await settle(pilot)
        assert "n makes a project" in sidebar_lines(app)
        await press_and_settle(pilot, "p", "n")
        await pilot.press(*"Work", "enter")
        await finish_workers(app)
        await settle(pilot)
        assert [p.path for p in seed_store.projects()] == ["Work"]
        assert "Work" in sidebar_lines(app)
        # The cursor is on it: Enter goes there.
        assert sidebar_of(app).highlighted_id == f"project:{project_id_of(seed_store, 'Work')}"
        await press_and_settle(pilot, "enter")
        await finish_workers(app)
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        place = app.screen.state.place
        assert place is not None and place.path == "Work"
        assert "Nothing in “Work” yet." in widget_text(app.screen.query_one("#empty-hint"))


async def test_the_project_keys_are_refused_while_read_only(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory(read_only=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await press_and_settle(pilot, "p", "n")
        assert isinstance(app.screen, TaskListScreen)
        said = [n.message for n in app._notifications]
        assert any("read-only" in message for message in said), said


async def test_a_task_added_while_in_a_project_goes_into_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Work')}")
        await press_and_settle(pilot, "a")
        await finish_workers(app)
        await settle(pilot)
        assert app.screen.query_one("#project").value == "Work"  # type: ignore[attr-defined]
        await pilot.press(*"Hire a designer", "enter")
        await finish_workers(app)
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert "Hire a designer" in shown_titles(app)
    (hired,) = [t for t in seed_store.list_tasks() if t.title == "Hire a designer"]
    assert hired.project_id == project_id_of(seed_store, "Work")


async def test_a_task_saved_into_another_project_says_why_it_is_not_shown(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Home')}")
        await press_and_settle(pilot, "a")
        await finish_workers(app)
        await pilot.press(*"Fix the printer +Work", "enter")
        await written(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("not in “Home”" in message for message in said), said
        assert shown_titles(app) == ["Call mum"]
    (printer,) = [t for t in seed_store.list_tasks() if t.title == "Fix the printer"]
    assert printer.project_id == project_id_of(seed_store, "Work")


async def test_n_on_the_list_makes_a_project_inside_the_one_it_shows(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:  # the sidebar hidden: n still works
        await settle(pilot)
        await finish_workers(app)
        await press_and_settle(pilot, "n")
        await pilot.press(*"Work", "enter")
        await written(pilot, app)
        assert [p.path for p in seed_store.projects()] == ["Work"]
        await choose(pilot, app, f"project:{project_id_of(seed_store, 'Work')}")
        await press_and_settle(pilot, "n")
        await pilot.press(*"Q4", "enter")
        await written(pilot, app)
    assert [p.path for p in seed_store.projects()] == ["Work", "Work/Q4"]


async def test_the_sidebar_cursor_stops_at_its_ends(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_projects(seed_store)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await finish_workers(app)
        await sidebar_on(pilot, app, seed_store, "Home")  # the last entry
        await press_and_settle(pilot, "down", "j")
        assert sidebar_of(app).highlighted_id == f"project:{project_id_of(seed_store, 'Home')}"
        await press_and_settle(pilot, *["up"] * 12)
        assert sidebar_of(app).highlighted_id == "view:all"  # the headings are passed over


async def test_a_view_key_typed_before_the_sidebar_is_filled_changes_the_view(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    """Keys typed at launch, before the sidebar has read its contents: the view changes
    and the sidebar marks it once filled (it crashed on the mark before)."""
    from store import Due

    seed_store.create("Due soon", due=Due(date(2026, 11, 22)))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")  # at once: nothing has settled yet
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert app.screen.state.kind is ViewKind.UPCOMING
        sidebar = app.screen.query_one(ProjectSidebar)
        assert "▸ Upcoming" in widget_text(sidebar)
