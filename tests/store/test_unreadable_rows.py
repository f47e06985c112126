"""Rows already in a database that cannot be read back (issue 13, item 5): an import before
the range check let in a year 226 (stored as '226-05-01 ...', which reads as nothing),
a 9999-12-31 that overflows east of UTC, a due date or position no field can hold.

Each such row becomes an unreadable record (its id, what reads, and why), so that every
read goes on for every other task; it can be shown and deleted, never changed, exported
or brought back by an undo with placeholders for what could not be read."""

from __future__ import annotations

import json

import pytest

from store import ConflictError, StoreError, TaskQuery, TaskStore, transfer
from store.records import Sort, Status
from tests.helpers import tamper

# The kinds these raise (store.errors.UnreadableTaskError, UndoBlockedError) are named by
# what they say, so that on a TaskFlow without them each test fails on its own.
UnreadableTaskError = StoreError
UndoBlockedError = ConflictError


@pytest.fixture
def damaged(store: TaskStore) -> dict[str, str]:
    """Five tasks, three of them stored in ways that cannot be read back."""
    ids = {title: store.create(title).id for title in ("first", "year 226", "end", "due", "last")}
    tamper(
        store,
        "UPDATE tasks SET created_at = ? WHERE id = ?",
        "226-05-01 12:00:00.000000",
        ids["year 226"],
    )
    tamper(
        store,
        "UPDATE tasks SET updated_at = ? WHERE id = ?",
        "9999-12-31 23:59:59.000000",
        ids["end"],
    )
    tamper(
        store,
        "UPDATE tasks SET due = ?, position = ? WHERE id = ?",
        "2026-99-01",
        float("inf"),
        ids["due"],
    )
    return ids


BAD = ("year 226", "end", "due")


@pytest.mark.zone("Pacific/Kiritimati")  # UTC+14: where 9999-12-31 23:59 UTC overflowed
def test_every_task_is_listed_and_the_unreadable_ones_say_why(
    store: TaskStore, damaged: dict[str, str]
) -> None:
    listed = {task.id: task for task in store.list_tasks(TaskQuery(status=Status.ALL))}
    assert set(listed) == set(damaged.values())
    for title, task_id in damaged.items():
        task = listed[task_id]
        assert task.title == title
        assert bool(task.unreadable) == (title in BAD), task
    assert "created_at '226-05-01 12:00:00.000000'" in listed[damaged["year 226"]].unreadable
    assert "updated_at 9999-12-31T23:59:59+00:00 is outside" in listed[damaged["end"]].unreadable
    assert "due '2026-99-01'" in listed[damaged["due"]].unreadable
    assert "position" in listed[damaged["due"]].unreadable
    for task in listed.values():  # what every screen does with a record: no overflow
        task.created_at.astimezone()
        task.updated_at.astimezone()
    assert store.count(TaskQuery(status=Status.ALL)) == 5


def test_each_unreadable_task_is_found_by_its_id(store: TaskStore, damaged: dict[str, str]) -> None:
    for title in BAD:
        assert store.get(damaged[title]).unreadable
        assert store.resolve_id(damaged[title][:12]).id == damaged[title]
        assert store.get_many([damaged[title]])[0].unreadable


@pytest.mark.parametrize("sort", list(Sort))
def test_paging_goes_through_unreadable_rows_in_every_order(
    store: TaskStore, damaged: dict[str, str], sort: Sort
) -> None:
    query = TaskQuery(status=Status.ALL, sort=sort)
    whole = [task.id for task in store.list_tasks(query)]
    paged: list[str] = []
    after = None
    while True:
        page = store.list_tasks(query, limit=1, after=after)
        if not page:
            break
        paged.append(page[0].id)
        after = page[0]
    assert paged == whole
    backwards: list[str] = []
    before = store.list_tasks(query, limit=1, from_end=True)[0]
    backwards.append(before.id)
    while page := store.list_tasks(query, limit=1, before=before):
        backwards.append(page[0].id)
        before = page[0]
    assert backwards[::-1] == whole


def test_an_unreadable_task_cannot_be_changed_but_can_be_deleted(
    store: TaskStore, damaged: dict[str, str]
) -> None:
    task = store.get(damaged["year 226"])
    for change in (
        lambda: store.update(task.id, expected_version=task.version, title="fixed"),
        lambda: store.toggle(task.id),
        lambda: store.set_completed(task.id, True),
        lambda: store.move(task.id, 1),
    ):
        with pytest.raises(UnreadableTaskError, match="cannot be changed; it can be shown and"):
            change()
    store.delete(task.id)
    assert task.id not in {t.id for t in store.list_tasks(TaskQuery(status=Status.ALL))}
    # Its undo would bring back placeholders for what could not be read: refused, passable.
    with pytest.raises(UndoBlockedError, match="could not be read when that change was made"):
        store.undo()
    skipped = store.skip_undo()
    assert skipped.skipped and skipped.undone.task_id == task.id
    assert store.undo().task_id == damaged["last"]  # the change before: the last creation


def test_an_export_that_would_include_an_unreadable_task_is_refused(
    store: TaskStore, damaged: dict[str, str]
) -> None:
    with pytest.raises(UnreadableTaskError, match="cannot be exported") as refused:
        list(store.export_tasks())
    assert refused.value.task_id in {damaged[title] for title in BAD}
    for title in BAD:
        store.delete(damaged[title])
    assert [task.title for task, _ in store.export_tasks()] == ["first", "last"]


def test_an_unreadable_history_entry_is_kept_listed_and_never_undone(store: TaskStore) -> None:
    task = store.create("logged")
    store.update(task.id, expected_version=1, title="renamed")
    tamper(
        store,
        "UPDATE task_events SET before = ? WHERE task_id = ? AND kind = 'edited'",
        "{not json",
        task.id,
    )
    created, edited = store.history(task.id)
    assert not created.unreadable and edited.unreadable
    assert "cannot be read" in edited.summary
    with pytest.raises(UnreadableTaskError, match="holds a change that cannot be read"):
        list(store.export_tasks(events=True))
    assert [t.title for t, _ in store.export_tasks()] == ["renamed"]  # without --events: fine
    with pytest.raises(UndoBlockedError, match="that change cannot be read"):
        store.undo()
    store.skip_undo()
    assert store.undo().task is None  # the creation, undone: the task is gone


def test_an_event_time_outside_the_range_reads_as_unreadable(store: TaskStore) -> None:
    task = store.create("stamped")
    tamper(
        store,
        "UPDATE task_events SET at = ? WHERE task_id = ?",
        "226-05-01 00:00:00.000000",
        task.id,
    )
    (event,) = store.history(task.id)
    assert event.unreadable and event.at.year == 1970  # a placeholder, never shown as its time


def test_an_import_leaves_an_unreadable_task_with_the_same_id_alone(
    store: TaskStore, damaged: dict[str, str]
) -> None:
    task_id = damaged["year 226"]
    task = {"id": task_id, "title": "new", "completed": True, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2030-01-01T00:00:00Z"}  # fmt: skip
    text = json.dumps({"format": "taskflow", "format_version": 2, "tasks": [task]})
    outcome = store.import_tasks(transfer.parse(text, transfer.Format.JSON).tasks)
    assert [t.id for t in outcome.unreadable] == [task_id]
    assert not outcome.added and not outcome.updated
    assert store.get(task_id).title == "year 226"


def test_a_json_line_of_an_unreadable_task_says_so(
    store: TaskStore, damaged: dict[str, str]
) -> None:
    item = transfer.task_json(store.get(damaged["year 226"]))
    assert item["created_at"] is None and "226-05-01" in item["unreadable"]
    assert transfer.task_json(store.get(damaged["first"])).keys() == {
        "id", "title", "description", "completed", "created_at", "updated_at", "version",
        "due", "priority", "tags", "position", "repeat", "series_id", "occurrence",
    }  # fmt: skip
