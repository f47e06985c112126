"""Schema v4: due dates, priorities, tags and the user's own order, through the store API."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time
from pathlib import Path

import pytest

from store import (
    LATEST_VERSION,
    ConflictError,
    NewTask,
    Sort,
    Status,
    TaskQuery,
    TaskStore,
    ValidationError,
    open_store,
)
from store.planning import Due, Priority
from tests.helpers import FrozenClock

MONDAY = Due(date(2026, 11, 23))
TUESDAY_9 = Due(date(2026, 11, 24), time(9, 0))


def test_create_and_read_back_due_priority_and_tags(store: TaskStore) -> None:
    task = store.create("Pay rent", due=TUESDAY_9, priority=Priority.HIGH, tags=["Home", "bills"])
    again = store.get(task.id)
    assert again == task
    assert (again.due, again.priority, again.tags) == (TUESDAY_9, Priority.HIGH, ("bills", "Home"))


def test_tags_match_ignoring_case_and_keep_their_first_spelling(store: TaskStore) -> None:
    first = store.create("one", tags=["Home"])
    second = store.create("two", tags=["HOME", "garden"])
    assert second.tags == ("garden", "Home")
    assert {t.id for t in store.list_tasks(TaskQuery(tag="home"))} == {first.id, second.id}
    assert [t.id for t in store.list_tasks(TaskQuery(tag="GARDEN"))] == [second.id]
    assert store.count(TaskQuery(tag="nothing")) == 0


@pytest.mark.parametrize("bad", [["two words"], ["#"], ["x" * 51], ['quo"te']])
def test_bad_tags_are_refused(store: TaskStore, bad: list[str]) -> None:
    with pytest.raises(ValidationError, match="tag"):
        store.create("tagged", tags=bad)
    assert store.list_tasks() == []


def test_update_each_new_field_and_clear_the_due_date(store: TaskStore) -> None:
    task = store.create("Plan", due=MONDAY)
    task = store.update(task.id, expected_version=task.version, priority=Priority.LOW)
    task = store.update(task.id, expected_version=task.version, tags=["work"])
    task = store.update(task.id, expected_version=task.version, due=TUESDAY_9)
    assert (task.due, task.priority, task.tags, task.version) == (
        TUESDAY_9,
        Priority.LOW,
        ("work",),
        4,
    )
    cleared = store.update(task.id, expected_version=task.version, due=None)
    assert cleared.due is None
    summaries = [event.summary for event in store.history(task.id)]
    assert summaries == [
        "created",
        "priority changed",
        "tags changed",
        "due date changed",
        "due date changed",
    ]


def test_undo_covers_due_priority_tags_and_moves(store: TaskStore) -> None:
    task = store.create("Undo me", due=MONDAY, priority=Priority.MEDIUM, tags=["a"])
    other = store.create("Other")
    store.update(task.id, expected_version=1, due=None, priority=Priority.HIGH, tags=["b", "c"])
    store.move(task.id, 1, TaskQuery(sort=Sort.MANUAL))
    assert [t.title for t in store.list_tasks(TaskQuery(sort=Sort.MANUAL))] == ["Other", "Undo me"]
    store.undo()
    assert [t.title for t in store.list_tasks(TaskQuery(sort=Sort.MANUAL))] == ["Undo me", "Other"]
    store.undo()
    restored = store.get(task.id)
    assert (restored.due, restored.priority, restored.tags) == (MONDAY, Priority.MEDIUM, ("a",))
    assert other.id in {t.id for t in store.list_tasks()}


def test_undo_of_a_delete_brings_back_tags_and_due(store: TaskStore) -> None:
    task = store.create("Gone", due=MONDAY, priority=Priority.HIGH, tags=["x", "Y"])
    store.delete(task.id)
    assert store.list_tasks(TaskQuery(tag="x")) == []
    store.undo()
    back = store.get(task.id)
    assert (back.due, back.priority, back.tags, back.position) == (
        MONDAY,
        Priority.HIGH,
        ("x", "Y"),
        task.position,
    )


@pytest.mark.sqlite_only
def test_deleting_a_task_removes_its_links_not_the_shared_tag(
    store: TaskStore, db_path: Path
) -> None:
    keep = store.create("keep", tags=["shared"])
    store.delete(store.create("drop", tags=["shared"]).id)
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT count(*) FROM task_tags").fetchone()[0] == 1
    assert raw.execute("SELECT name FROM tags").fetchall() == [("shared",)]
    raw.close()
    assert store.get(keep.id).tags == ("shared",)


def test_a_conflict_names_the_new_fields_too(store: TaskStore) -> None:
    seen = store.create("Shared")
    store.update(seen.id, expected_version=1, priority=Priority.HIGH, tags=["x"])
    with pytest.raises(ConflictError) as caught:
        store.update(seen.id, expected_version=1, title="Mine")
    assert set(caught.value.changed_fields) == {"priority", "tags"}


def test_due_sort_puts_undated_last_and_priority_sort_highest_first(store: TaskStore) -> None:
    store.create_many(
        [
            NewTask("undated high", priority=Priority.HIGH),
            NewTask("tuesday", due=TUESDAY_9),
            NewTask("monday low", due=MONDAY, priority=Priority.LOW),
            NewTask("monday high", due=MONDAY, priority=Priority.HIGH),
        ]
    )

    def titles(sort: Sort) -> list[str]:
        return [t.title for t in store.list_tasks(TaskQuery(sort=sort))]

    assert titles(Sort.DUE) == ["monday low", "monday high", "tuesday", "undated high"]
    assert titles(Sort.PRIORITY) == ["monday high", "undated high", "monday low", "tuesday"]
    assert titles(Sort.MANUAL) == ["undated high", "tuesday", "monday low", "monday high"]


def test_due_until_selects_today_and_overdue(store: TaskStore) -> None:
    store.create_many(
        [
            NewTask("last week", due=Due(date(2026, 11, 13))),
            NewTask("today", due=Due(date(2026, 11, 20), time(18, 0))),
            NewTask("tomorrow", due=Due(date(2026, 11, 21))),
            NewTask("never"),
            NewTask("done late", due=Due(date(2026, 11, 1)), completed=True),
        ]
    )
    today = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=date(2026, 11, 20))
    assert [t.title for t in store.list_tasks(today)] == ["last week", "today"]
    assert store.count(today) == 2
    week = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=date(2026, 11, 27))
    assert [t.title for t in store.list_tasks(week)] == ["last week", "today", "tomorrow"]


def test_moving_past_hidden_tasks_and_at_the_ends(store: TaskStore) -> None:
    a, b, _c, d = (store.create(name) for name in "abcd")
    store.toggle(b.id)
    open_only = TaskQuery(status=Status.OPEN, sort=Sort.MANUAL)
    store.move(a.id, 1, open_only)  # past c, the next one shown
    assert [t.title for t in store.list_tasks(TaskQuery(sort=Sort.MANUAL))] == ["b", "c", "a", "d"]
    assert store.move(d.id, 1, open_only).position == store.get(d.id).position  # already last
    store.move(d.id, -1, open_only)
    store.move(d.id, -1, open_only)
    assert [t.title for t in store.list_tasks(open_only)] == ["d", "c", "a"]


def test_many_moves_into_one_gap_keep_the_order_exact(store: TaskStore) -> None:
    tasks = [store.create(f"t{n}") for n in range(4)]
    # Bounce one task between the same two neighbours until floating point runs out.
    for _ in range(70):
        store.move(tasks[3].id, -1, TaskQuery(sort=Sort.MANUAL))
        store.move(tasks[3].id, 1, TaskQuery(sort=Sort.MANUAL))
    order = [t.title for t in store.list_tasks(TaskQuery(sort=Sort.MANUAL))]
    assert order == ["t0", "t1", "t2", "t3"]
    positions = [t.position for t in store.list_tasks(TaskQuery(sort=Sort.MANUAL))]
    assert positions == sorted(set(positions))


def test_new_tasks_go_last_in_the_manual_order(store: TaskStore) -> None:
    first = store.create("first")
    bulk = store.create_many([NewTask("b1"), NewTask("b2")])
    last = store.create("last")
    assert first.position < bulk[0].position < bulk[1].position < last.position


def test_migration_3_to_4_and_back_keeps_tasks_and_history(
    db_path: Path, clock: FrozenClock
) -> None:
    with open_store(db_path, user="alice", clock=clock) as store:
        made = [store.create(f"task {n}", f"notes {n}") for n in range(5)]
        store.toggle(made[1].id)
        store.migrate(to=3)
        assert store.schema_version() == 3
    raw = sqlite3.connect(db_path)
    columns = {row[1] for row in raw.execute("PRAGMA table_info(tasks)")}
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert not {"due", "priority", "position"} & columns
    assert "tags" not in tables
    backups = sorted(db_path.parent.glob("tasks.db.backup-*"))
    assert backups  # made before the step down
    with open_store(db_path, user="alice", clock=clock) as store:
        assert store.migration.applied[:2] == (
            "0004 due dates, priorities, tags and manual order (up)",
            "0005 due order by the moment a task falls due (up)",
        )
        assert store.schema_version() == LATEST_VERSION
        again = store.list_tasks(TaskQuery(sort=Sort.MANUAL))
        assert [t.title for t in again] == [t.title for t in made]
        assert all(t.priority is Priority.NONE and t.due is None for t in again)
        assert [e.summary for e in store.history(made[1].id)] == ["created", "marked done"]
        store.undo()  # the toggle, logged before the round trip
        assert not store.get(made[1].id).completed


def test_a_version_1_file_goes_to_4_and_back_to_1_without_losing_tasks(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        store.create_many([NewTask("x", due=MONDAY, tags=["t"]), NewTask("y")])
        store.migrate(to=1, confirm=lambda loss: True)  # x's due date and tag go
        store.migrate()
        assert sorted(t.title for t in store.list_tasks()) == ["x", "y"]
        store.migrate(to=1)  # nothing left to lose: no question
    raw = sqlite3.connect(db_path)
    assert sorted(r[0] for r in raw.execute("SELECT title FROM tasks")) == ["x", "y"]
    raw.close()


def test_count_by_due_day_for_view_headings(store: TaskStore) -> None:
    store.create_many(
        [
            NewTask("a", due=Due(date(2026, 11, 18))),
            NewTask("b", due=Due(date(2026, 11, 21), time(9, 0))),
            NewTask("c", due=Due(date(2026, 11, 21))),
            NewTask("d", due=Due(date(2026, 11, 30))),
            NewTask("e"),
            NewTask("f", due=Due(date(2026, 11, 21)), completed=True),
        ]
    )
    week = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=date(2026, 11, 26))
    counts = store.count_by_due_day(week, now=datetime(2026, 11, 20, 9, 30))
    assert counts == [
        (None, 1),
        (date(2026, 11, 20), 0),
        (date(2026, 11, 21), 2),
        *((date(2026, 11, day), 0) for day in range(22, 27)),
    ]
