"""Repeating tasks in the app: quick add in plain words, space making the next occurrence
(and u taking it back), N skipping, the editor's Repeat field, the task's page and
Upcoming's coming dates; each checked in the database, not only on the screen.

The clock is frozen at Friday 20 November 2026, 09:30 UTC, and the tests run in UTC.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from textual.widgets import Input

from store import Due, Repeat, Status, TaskQuery, TaskRecord, TaskStore
from tests.tui.helpers import (
    AppFactory,
    current_task,
    press_and_settle,
    settle,
    shown_titles,
    table_lines,
    table_of,
    widget_text,
)
from tui.app import TaskFlowApp
from tui.screens.task_detail import TaskDetailScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

pytestmark = pytest.mark.zone("UTC")

MONDAYS = Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", date(2026, 11, 20))


def toasts(app: TaskFlowApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def open_tasks(store: TaskStore) -> list[TaskRecord]:
    return store.list_tasks(TaskQuery(status=Status.OPEN))


async def test_quick_add_in_words_makes_a_repeating_task(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        await pilot.press(*"Standup every weekday 9am #work")
        await settle(pilot)
        preview = widget_text(app.screen.query_one("#preview"))
        assert "↻ every weekday at 09:00" in preview
        assert "due Mon 23 Nov 2026, 09:00" in preview
        assert "then Tue 24 Nov, Wed 25 Nov, Thu 26 Nov" in preview
        await press_and_settle(pilot, "enter")
        assert isinstance(app.screen, TaskListScreen)
        assert "Standup  ↻" in "\n".join(table_lines(app))
    (task,) = seed_store.list_tasks()
    assert (task.title, task.tags) == ("Standup", ("work",))
    assert task.repeat is not None
    assert task.repeat.rule.text == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    # 09:00 has passed on Friday the 20th at 09:30: the first is Monday's.
    assert task.due == Due(date(2026, 11, 23), time(9, 0))


async def test_a_paste_in_one_burst_is_read_as_typed(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        app.screen.query_one("#title", Input).insert_text_at_cursor("Water cactus every! 3 days")
        await settle(pilot)
        await press_and_settle(pilot, "enter")
    (task,) = seed_store.list_tasks()
    assert task.title == "Water cactus" and task.repeat is not None
    assert (task.repeat.rule.text, task.repeat.mode.value) == (
        "FREQ=DAILY;INTERVAL=3",
        "completion",
    )


async def test_space_makes_the_next_occurrence_and_u_takes_it_back(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    first = seed_store.create("Weekly review", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "space")
        assert shown_titles(app) == ["Weekly review", "Weekly review"]
        assert any("next: Mon 30 Nov" in toast for toast in toasts(app))
        (following,) = open_tasks(seed_store)
        assert following.id != first.id and following.due == Due(date(2026, 11, 30))
        assert seed_store.get(first.id).completed
        await press_and_settle(pilot, "u")
        assert shown_titles(app) == ["Weekly review"]
        assert any("its next occurrence was removed" in toast for toast in toasts(app))
    assert [(t.id, t.completed) for t in seed_store.list_tasks()] == [(first.id, False)]


async def test_n_skips_to_the_next_date_without_completing(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Weekly review", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    plain = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "N")
        assert seed_store.get(task.id).due == Due(date(2026, 11, 30))
        assert not seed_store.get(task.id).completed
        assert any("Skipped “Weekly review” to Mon 30 Nov" in t for t in toasts(app))
        await press_and_settle(pilot, "j", "N")  # a plain task: said, nothing changes
        assert any("does not repeat" in t for t in toasts(app))
        await press_and_settle(pilot, "u")
    assert seed_store.get(task.id).due == Due(date(2026, 11, 23))
    assert seed_store.get(plain.id).version == 1


async def test_the_repeat_field_changes_and_stops_a_rule(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Weekly review", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "e")
        field = app.screen.query_one("#repeat", Input)
        assert field.value == "every Monday"
        field.value = "every tuesday"
        await settle(pilot)
        assert "↻ every Tuesday" in widget_text(app.screen.query_one("#preview"))
        await press_and_settle(pilot, "ctrl+s")
        changed = seed_store.get(task.id)
        assert changed.repeat is not None and changed.repeat.rule.text == "FREQ=WEEKLY;BYDAY=TU"
        assert changed.due == Due(date(2026, 11, 24))  # Monday is no Tuesday: moved on

        await press_and_settle(pilot, "e")
        app.screen.query_one("#repeat", Input).value = ""
        await settle(pilot)
        assert "stops repeating" in widget_text(app.screen.query_one("#preview"))
        await press_and_settle(pilot, "ctrl+s")
        assert "↻" not in "\n".join(table_lines(app))
    stopped = seed_store.get(task.id)
    assert (stopped.repeat, stopped.due) == (None, Due(date(2026, 11, 24)))


async def test_words_the_repeat_field_cannot_read_are_said_and_nothing_is_saved(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        await pilot.press(*"Jog")
        app.screen.query_one("#repeat", Input).value = "every hour"
        await press_and_settle(pilot, "ctrl+s")
        assert isinstance(app.screen, TaskEditScreen)
        error = widget_text(app.screen.query_one("#repeat-error"))
        assert "every hour" in error
    assert seed_store.list_tasks() == []


async def test_a_task_page_shows_the_rule_and_the_next_dates(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Weekly review", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "enter")
        assert isinstance(app.screen, TaskDetailScreen)
        shown = widget_text(app.screen.query_one("#detail-meta"))
        assert "↻ every Monday" in shown
        assert "next: Mon 30 Nov, Mon 7 Dec, Mon 14 Dec" in shown
        await press_and_settle(pilot, "space")  # done here: the page shows the series
        shown = widget_text(app.screen.query_one("#detail-meta"))
        assert "a past occurrence; the open one is due Mon 30 Nov" in shown


async def test_upcoming_shows_coming_dates_the_cursor_passes_by(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    daily = Repeat.of("FREQ=DAILY", "schedule", date(2026, 11, 20))
    seed_store.create("Stretch", due=Due(date(2026, 11, 21)), repeat=daily)
    seed_store.create("Buy milk", due=Due(date(2026, 11, 24)))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "3")
        lines = [line.strip() for line in table_lines(app)]
        coming = [line for line in lines if line.startswith("↻ Stretch")]
        assert len(coming) == 5  # Sun 22 to Thu 26 Nov: the window's days after Sat 21
        assert shown_titles(app) == ["Stretch", "Buy milk"]  # rows: the two tasks only
        await press_and_settle(pilot, "down")
        assert current_task(app).title == "Buy milk"  # type: ignore[union-attr]
        # A click on a coming date says what it is, and changes nothing.
        table = table_of(app)
        line = next(n for n, text in enumerate(table_lines(app)) if "↻ Stretch" in text)
        await pilot.click(table, offset=(20, line))
        await settle(pilot)
        assert any("not a task yet" in toast for toast in toasts(app))
    assert len(seed_store.list_tasks()) == 2


async def test_space_twice_leaves_the_series_as_it_was(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    first = seed_store.create("Weekly review", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    sub = seed_store.create("Inbox zero", parent_id=first.id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "space")
        assert len(seed_store.list_tasks()) == 4  # it and its subtask, and their copies
        assert seed_store.get(sub.id).completed
        await press_and_settle(pilot, "space")  # the cursor is still on the done one
        assert shown_titles(app) == ["Weekly review", "Inbox zero"]
        assert not any(row.completed for row in table_of(app).rows.loaded())
        assert any("the next occurrence it made was removed" in t for t in toasts(app))
        await press_and_settle(pilot, "N")  # it repeats again: N skips it
    task, below = seed_store.list_tasks()
    assert (task.id, task.completed, task.due) == (first.id, False, Due(date(2026, 11, 30)))
    assert task.repeat == first.repeat
    assert (below.id, below.completed) == (sub.id, False)


async def test_the_end_key_brings_the_last_coming_dates_into_view(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    daily = Repeat.of("FREQ=DAILY", "schedule", date(2026, 11, 20))
    seed_store.create("Stretch", due=Due(date(2026, 11, 20), time(18, 0)), repeat=daily)
    for day in (21, 22, 23):
        seed_store.create(f"Errand {day}", due=Due(date(2026, 11, day)))
    app = app_factory()
    async with app.run_test(size=(100, 14)) as pilot:  # room for nine lines of the list
        await settle(pilot)
        await press_and_settle(pilot, "3")
        assert not any("Thu 18:00" in line for line in table_lines(app))
        await press_and_settle(pilot, "end")
        assert current_task(app).title == "Errand 23"  # type: ignore[union-attr]
        lines = table_lines(app)
        # The last row's coming dates, down to the window's last day, are on screen.
        assert any("↻ Stretch" in line and "Thu 18:00" in line for line in lines)
