"""Issue 8 in the app: views, day headings, quick add with a live preview, J/K, #tag search."""

from __future__ import annotations

from datetime import date, time

import pytest

from store import Due, NewTask, Priority, Sort, TaskQuery, TaskStore
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
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

# The frozen clock says Friday 20 November 2026, 09:30 UTC, and these tests run in UTC:
# which of today's times have passed (the Dentist's 08:00) depends on the zone.
FRIDAY = date(2026, 11, 20)
pytestmark = pytest.mark.zone("UTC")


def seed_week(store: TaskStore) -> None:
    store.create_many(
        [
            NewTask("Overdue report", due=Due(date(2026, 11, 17)), priority=Priority.HIGH),
            NewTask("Water plants", due=Due(FRIDAY), tags=("home",)),
            NewTask("Dentist", due=Due(FRIDAY, time(8, 0))),  # earlier today: overdue
            NewTask("Pay rent", due=Due(date(2026, 11, 21), time(9, 0)), tags=("home", "bills")),
            NewTask("Call mum", due=Due(date(2026, 11, 24))),
            NewTask("Renew passport", due=Due(date(2026, 12, 15))),
            NewTask("Someday"),
            NewTask("Old done", due=Due(date(2026, 11, 10)), completed=True),
        ]
    )


async def test_views_show_their_tasks_and_counts(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_week(seed_store)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = widget_text(app.screen.query_one("#views-bar"))
        assert "1 All 8" in bar and "2 Today 3" in bar and "3 Upcoming 5" in bar
        assert "4 Done 1" in bar
        await pilot.press("2")
        await settle(pilot)
        # The Dentist's 08:00 has passed: overdue, under that heading, before today's rest.
        assert shown_titles(app) == ["Overdue report", "Dentist", "Water plants"]
        lines = table_lines(app)
        assert "Overdue" in lines[1] and "2" in lines[1]
        assert "Today · Fri 20 Nov" in lines[4]
        await pilot.press("3")
        await settle(pilot)
        assert shown_titles(app) == [
            "Overdue report",
            "Dentist",
            "Water plants",
            "Pay rent",
            "Call mum",
        ]
        headings = [line.strip() for line in table_lines(app) if "[" not in line]
        assert headings[1:5] == [
            "Overdue  2",
            "Today · Fri 20 Nov  1",
            "Tomorrow · Sat 21 Nov  1",
            "Tue 24 Nov  1",
        ]
        await pilot.press("4")
        await settle(pilot)
        assert shown_titles(app) == ["Old done"]
        await pilot.press("1")
        await settle(pilot)
        assert len(shown_titles(app)) == 8


async def test_completing_a_task_in_today_updates_the_headings(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_week(seed_store)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2", "space")  # the overdue report is done
        await settle(pilot)
        assert shown_titles(app) == ["Dentist", "Water plants"]
        assert "Overdue  1" in table_lines(app)[1]  # the Dentist's 08:00 is still overdue
        assert "2 Today 2" in widget_text(app.screen.query_one("#views-bar"))
    assert seed_store.list_tasks(TaskQuery(search="Overdue report"))[0].completed


async def test_quick_add_with_live_preview(app_factory: AppFactory, seed_store: TaskStore) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Pay rent tomorrow 9am !high #home #bills")
        await settle(pilot)
        preview = widget_text(app.screen.query_one("#preview"))
        assert "→ Pay rent" in preview
        assert "due Sat 21 Nov 2026, 09:00 (tomorrow)" in preview
        assert "!!! high" in preview and "#home #bills" in preview
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    task = seed_store.list_tasks()[0]
    assert task.title == "Pay rent"
    assert (task.due, task.priority, task.tags) == (
        Due(date(2026, 11, 21), time(9, 0)),
        Priority.HIGH,
        ("bills", "home"),
    )


async def test_a_backslash_keeps_a_word_in_the_title(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#title").value = "Buy \\#1 fan mug \\friday"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
    task = seed_store.list_tasks()[0]
    assert (task.title, task.tags, task.due) == ("Buy #1 fan mug friday", (), None)


async def test_the_due_field_and_its_error(app_factory: AppFactory, seed_store: TaskStore) -> None:
    task = seed_store.create("Plan trip")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskEditScreen)
        screen.query_one("#due").value = "someday soon"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Cannot read 'someday soon'" in widget_text(screen.query_one("#due-error"))
        screen.query_one("#due").value = "in 2 weeks"  # type: ignore[attr-defined]
        screen.query_one("#tags").value = "travel"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    saved = seed_store.get(task.id)
    assert (saved.due, saved.tags) == (Due(date(2026, 12, 4)), ("travel",))


async def test_j_and_k_move_a_task_in_my_order_and_undo_puts_it_back(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    for title in ("first", "second", "third"):
        seed_store.create(title)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert shown_titles(app) == ["second", "first", "third"]
        assert current_task(app).title == "first"  # type: ignore[union-attr]
        await pilot.press("J", "K", "K")
        await settle(pilot)
        assert shown_titles(app) == ["first", "second", "third"]
        await pilot.press("J", "u")
        await settle(pilot)
        await pilot.press("s")  # created: J moves nothing here, and says so
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert shown_titles(app) == ["first", "second", "third"]
    order = [t.title for t in seed_store.list_tasks(TaskQuery(sort=Sort.MANUAL))]
    assert order == ["first", "second", "third"]


async def test_hash_tag_in_the_search_box_narrows_to_a_tag(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_week(seed_store)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"#HOME")
        await pilot.pause(0.3)
        await settle(pilot)
        assert shown_titles(app) == ["Water plants", "Pay rent"]
        await pilot.press(*" rent")
        await pilot.pause(0.3)
        await settle(pilot)
        assert shown_titles(app) == ["Pay rent"]
        assert "tag #HOME" in widget_text(app.screen.query_one("#status-bar"))


async def test_the_list_shows_priority_tags_and_relative_due(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_week(seed_store)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        by_title = {
            title: next(line for line in lines if title in line)
            for title in ("Overdue report", "Water plants", "Dentist", "Pay rent", "Call mum")
        }
        assert "!!!" in by_title["Overdue report"] and "3d overdue" in by_title["Overdue report"]
        assert "#home" in by_title["Water plants"] and "today" in by_title["Water plants"]
        assert "08:00" in by_title["Dentist"]
        assert "tmrw 09:00" in by_title["Pay rent"]
        assert "Tue" in by_title["Call mum"]
        assert "Updated" in lines[0]
        assert table_of(app).size.width == 80


async def test_detail_shows_due_priority_and_tags(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create(
        "Pay rent", due=Due(date(2026, 11, 21), time(9, 0)), priority=Priority.MEDIUM, tags=["home"]
    )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        meta = widget_text(app.screen.query_one("#detail-meta"))
        assert "Sat 21 Nov 2026, 09:00 (tomorrow)" in meta
        assert "!! medium" in meta and "#home" in meta


async def test_a_time_passing_while_the_app_is_open_moves_the_task_under_overdue(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    seed_store.create("Standup", due=Due(FRIDAY, time(9, 45)))  # 15 minutes from now
    seed_store.create("Water plants", due=Due(FRIDAY))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        screen._tick()  # the relative-times timer, every 30 s
        assert [line.strip() for line in table_lines(app)[1:2]] == ["Today · Fri 20 Nov  2"]
        clock.advance(minutes=20)  # 09:50: the standup's time has passed
        screen._tick()
        await settle(pilot)
        headings = [line.strip() for line in table_lines(app) if "[" not in line][1:3]
        assert headings == ["Overdue  1", "Today · Fri 20 Nov  1"]
