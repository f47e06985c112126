"""Every key of the list screen, checked against the database afterwards, not only the screen."""

from __future__ import annotations

from datetime import date

import pytest

from store import Due, Priority, Status, TaskQuery, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import (
    AppFactory,
    current_task,
    settle,
    shown_titles,
    table_lines,
    table_of,
    widget_text,
)
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen, key_sections
from tui.screens.task_detail import TaskDetailScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen


def _seed(store: TaskStore, clock: FrozenClock, *titles: str) -> None:
    for title in titles:
        store.create(title)
        clock.advance(minutes=1)


async def test_first_run_shows_a_hint_not_an_empty_grid(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        hint = app.screen.query_one("#empty-hint")
        assert hint.display
        assert "Press a to add your first task" in widget_text(hint)
        assert not table_of(app).display


async def test_add_with_a_then_enter_saves_to_the_database(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press(*"Buy milk", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert shown_titles(app) == ["Buy milk"]
        assert current_task(app).title == "Buy milk"  # type: ignore[union-attr]
    assert [t.title for t in seed_store.list_tasks()] == ["Buy milk"]


async def test_space_and_x_toggle_done_in_the_database(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "one", "two")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert seed_store.list_tasks(TaskQuery(status=Status.DONE))[0].title == "one"
        assert current_task(app).title == "one"  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert seed_store.counts().done == 0
        # Two quick presses are two toggles, applied in order.
        await pilot.press("space", "space", "space")
        await settle(pilot)
        assert seed_store.get(current_task(app).id).completed  # type: ignore[union-attr]


async def test_delete_asks_first_and_cancel_keeps_the_task(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "keep me")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert shown_titles(app) == ["keep me"]
    assert [t.title for t in seed_store.list_tasks()] == ["keep me"]


async def test_delete_confirmed_removes_it_and_the_cursor_moves_to_the_neighbour(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "first", "second", "third")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert shown_titles(app) == ["first", "third"]
        assert current_task(app).title == "third"  # type: ignore[union-attr]
    assert [t.title for t in seed_store.list_tasks()] == ["first", "third"]


async def test_undo_reverts_toggle_delete_add_and_edit_in_turn(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "alpha", "beta")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")  # toggle alpha
        await settle(pilot)
        await pilot.press("j", "d")
        await settle(pilot)
        await pilot.press("y")  # delete beta
        await settle(pilot)
        await pilot.press("a", *"gamma", "enter")  # add gamma
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        title_input = app.screen.query_one("#title")
        title_input.value = "GAMMA"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # edit gamma
        await settle(pilot)
        assert shown_titles(app) == ["alpha", "GAMMA"]

        await pilot.press("u")
        await settle(pilot)
        assert [t.title for t in seed_store.list_tasks()] == ["alpha", "gamma"]
        await pilot.press("u")
        await settle(pilot)
        assert [t.title for t in seed_store.list_tasks()] == ["alpha"]
        await pilot.press("u")
        await settle(pilot)
        assert [t.title for t in seed_store.list_tasks()] == ["alpha", "beta"]
        assert shown_titles(app) == ["alpha", "beta"]
        assert current_task(app).title == "beta"  # type: ignore[union-attr]
        await pilot.press("u")
        await settle(pilot)
        assert not seed_store.list_tasks()[0].completed
        await pilot.press("u")  # the seeds' creation is this owner's history too
        await settle(pilot)
    assert [t.title for t in seed_store.list_tasks()] == ["alpha"]


async def test_edit_with_e_saves_title_and_notes(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "draft")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskEditScreen)
        screen.query_one("#title").value = "final"  # type: ignore[attr-defined]
        screen.query_one("#description").text = "with **notes**"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert shown_titles(app) == ["final"]
    task = seed_store.list_tasks()[0]
    assert (task.title, task.description, task.version) == ("final", "with **notes**", 2)


async def test_search_is_live_case_insensitive_and_escape_clears(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "Buy milk", "Call mum", "Milk the cow")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"MILK")
        await pilot.pause(0.3)
        await settle(pilot)
        assert shown_titles(app) == ["Buy milk", "Milk the cow"]
        await pilot.press("escape")
        await settle(pilot)
        assert shown_titles(app) == ["Buy milk", "Call mum", "Milk the cow"]
        assert app.screen.focused is table_of(app)


async def test_h_hides_and_shows_completed(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "open", "finished")
    seed_store.toggle(seed_store.list_tasks()[1].id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert shown_titles(app) == ["open"]
        await pilot.press("space")  # done now, so it leaves the list
        await settle(pilot)
        assert shown_titles(app) == []
        assert "All done!" in widget_text(app.screen.query_one("#empty-hint"))
        await pilot.press("h")
        await settle(pilot)
        assert shown_titles(app) == ["open", "finished"]
    assert seed_store.counts().done == 2


async def test_s_cycles_sort_without_touching_stored_order(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "banana", "apple", "cherry")
    banana, apple, cherry = seed_store.list_tasks()
    seed_store.update(apple.id, expected_version=1, priority=Priority.HIGH)
    seed_store.update(cherry.id, expected_version=1, due=Due(date(2026, 12, 1)))
    clock.advance(minutes=1)
    seed_store.toggle(banana.id)  # banana done, most recently updated
    before = seed_store.list_tasks()
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        expected = [
            ("my order", ["banana", "apple", "cherry"]),
            ("created", ["banana", "apple", "cherry"]),
            ("recently updated", ["banana", "cherry", "apple"]),
            ("title", ["apple", "banana", "cherry"]),
            ("open first", ["apple", "cherry", "banana"]),
            ("due date", ["cherry", "banana", "apple"]),
            ("priority", ["apple", "cherry", "banana"]),
            ("my order", ["banana", "apple", "cherry"]),
        ]
        for number, (label, titles) in enumerate(expected):
            if number:
                await pilot.press("s")
                await settle(pilot)
            assert shown_titles(app) == titles, label
            assert f"sort: {label}" in widget_text(app.screen.query_one("#status-bar"))
    assert seed_store.list_tasks() == before


async def test_cursor_stays_on_its_task_through_sort_and_filter_changes(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "banana", "apple", "cherry")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        assert current_task(app).title == "cherry"  # type: ignore[union-attr]
        await pilot.press("s", "s")  # title order: cherry moves to the end
        await settle(pilot)
        assert current_task(app).title == "cherry"  # type: ignore[union-attr]
        await pilot.press("/", *"e")
        await pilot.pause(0.3)
        await settle(pilot)
        assert current_task(app).title == "cherry"  # type: ignore[union-attr]


async def test_navigation_keys(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, *(f"task {n:02d}" for n in range(60)))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        def at() -> str:
            return current_task(app).title  # type: ignore[union-attr]

        await pilot.press("j", "j", "down")
        assert at() == "task 03"
        await pilot.press("k", "up")
        assert at() == "task 01"
        await pilot.press("G")
        assert at() == "task 59"
        await pilot.press("g")
        assert at() == "task 00"
        await pilot.press("end")
        assert at() == "task 59"
        await pilot.press("home", "pagedown")
        page = table_of(app).body_height
        assert at() == f"task {page:02d}"
        await pilot.press("pageup")
        assert at() == "task 00"
        await pilot.press("G")
        await pilot.pause()
        # The last row is drawn: the view scrolled to follow the cursor.
        assert any("task 59" in line for line in table_lines(app))


async def test_enter_opens_the_detail_screen_and_escape_returns(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "look at me")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)


async def test_question_mark_shows_help_built_from_the_real_bindings(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("something to move around in")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        list_screen = app.screen_stack[-2]
        described = {row[1] for rows in key_sections(list_screen).values() for row in rows}
        for binding in TaskListScreen.BINDINGS:
            if binding.action != "show_done":  # of the two h bindings, hide_done is active
                assert (binding.tooltip or binding.description) in described, binding.action
        drawn = widget_text(app.screen.query_one("#help-keys"))
        for keys in ("space / x", "d / del", "↓ / j", "^p", "double-click"):
            assert keys in drawn
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)


async def test_q_quits_after_writes_already_asked_for(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("finish me")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "q")  # no pause: the toggle may still be on its way
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert seed_store.list_tasks()[0].completed


async def test_mouse_click_selects_marker_toggles_double_click_opens(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "one", "two", "three")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.click(table, offset=(20, 3))  # header is line 0: line 3 is "three"
        await settle(pilot)
        assert current_task(app).title == "three"  # type: ignore[union-attr]
        await pilot.click(table, offset=(2, 2))  # the [ ] marker of "two"
        await settle(pilot)
        assert seed_store.list_tasks(TaskQuery(status=Status.DONE))[0].title == "two"
        await pilot.click(table, offset=(20, 1), times=2)
        await settle(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.record.title == "one"


HOSTILE = [
    "[bold red]x[/]",
    "[link=file:///etc/passwd]click[/link]",
    "\\x1b[31m not an escape",
    "emoji 🎉✅ and CJK 日本語のタスク",
    "עברית right-to-left",
]


async def test_hostile_titles_are_drawn_literally(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, *HOSTILE)
    app = app_factory()
    # Wide enough for the longest title whole, beside the sidebar.
    async with app.run_test(size=(130, 30)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        for title in HOSTILE:
            assert any(title in line for line in lines), title


async def test_long_titles_are_cut_with_an_ellipsis(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "word " * 60)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = table_lines(app)[1]
        assert "…" in line
        assert len(line) == 80


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (40, 12), (20, 6)])
async def test_small_terminals_do_not_crash(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock, size: tuple[int, int]
) -> None:
    _seed(seed_store, clock, *HOSTILE, "word " * 60)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in ("j", "G", "space", "enter", "escape", "question_mark", "escape", "a"):
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running


async def test_u_takes_back_a_change_of_several_tasks_at_once(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    _seed(seed_store, clock, "alpha", "beta", "gamma")
    beta, gamma = seed_store.list_tasks()[1:]
    with seed_store.one_change():  # as `taskflow rm B G` makes it
        seed_store.delete(beta.id)
        seed_store.delete(gamma.id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["alpha"]
        await pilot.press("u")
        await settle(pilot)
        assert shown_titles(app) == ["alpha", "beta", "gamma"]
        assert current_task(app).title == "gamma"  # type: ignore[union-attr]
        said = [n.message for n in app._notifications]
        assert any("Restored “gamma” and 1 more change made with it" in m for m in said)
    assert [t.title for t in seed_store.list_tasks()] == ["alpha", "beta", "gamma"]


async def test_a_placing_overtaken_by_a_reread_still_takes_the_cursor_to_its_task(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    """An undo puts a task back and sends the cursor to it (a placing, in a worker);
    a re-read of the list that began before it (a change seen from elsewhere) ends after
    it, with the cursor where it was. The cursor still goes to the task put back (it
    went back to the old one now and then, under load)."""
    from tui.screens.list_loading import TaskPlaced

    _seed(seed_store, clock, "alpha", "beta")
    beta = next(t for t in seed_store.list_tasks() if t.title == "beta")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        assert current_task(app).title == "alpha"  # type: ignore[union-attr]
        overtaken = table_of(app).generation
        screen._placing_for_cursor = beta.id  # as show_change(select=True) sets it
        screen.load()  # the re-read, keeping the cursor on alpha
        await settle(pilot)
        assert table_of(app).generation != overtaken
        screen.post_message(TaskPlaced(overtaken, beta, 1, select=True))
        await settle(pilot)
        assert current_task(app).title == "beta"  # type: ignore[union-attr]
