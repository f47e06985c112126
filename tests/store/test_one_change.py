"""TaskStore.one_change: several changes kept together, and taken back by one undo."""

from __future__ import annotations

import pytest

from store import ConflictError, TaskStore
from store.backend import execute_sql
from store.errors import UndoBlockedError


def change_ids(store: TaskStore, task_id: str) -> list[int | None]:
    """The change each of the task's events is part of, oldest first, as stored."""
    backend = store._backend
    mark = "%s" if backend.dialect == "postgresql" else "?"
    with backend.session():
        rows = execute_sql(
            backend.db,
            f"SELECT change_id FROM task_events WHERE task_id = {mark} ORDER BY id",
            (task_id,),
        ).fetchall()
    return [row[0] for row in rows]


def test_one_undo_takes_back_a_change_of_several_tasks(store: TaskStore) -> None:
    first, second, third, other = (store.create(t) for t in ("first", "second", "third", "other"))
    with store.one_change():
        store.delete(first.id)
        store.toggle(second.id)
        store.delete(third.id)

    result = store.undo()

    assert result.undone.task_id == third.id and len(result.together) == 2
    assert [r.task_id for r in result.each] == [third.id, second.id, first.id]
    assert result.message == "Restored “third” and 2 more changes made with it"
    assert {t.title for t in store.list_tasks()} == {"first", "second", "third", "other"}
    assert not store.get(second.id).completed
    # Logged as one change and taken back as one: each task's two events carry one mark,
    # the same for the three tasks.
    made, taken_back = (
        {change_ids(store, t.id)[1] for t in (first, second, third)},
        {change_ids(store, t.id)[2] for t in (first, second, third)},
    )
    assert len(made) == len(taken_back) == 1 and None not in made | taken_back
    assert made != taken_back
    assert change_ids(store, other.id) == [None]
    assert [e.summary for e in store.history(first.id)] == ["created", "deleted", "restored (undo)"]

    again = store.undo()  # the undo's own change is answered: the next reaches "other"
    assert again.undone.task_id == other.id and again.together == ()


def test_a_change_of_one_task_inside_one_change_stays_unmarked(store: TaskStore) -> None:
    task = store.create("alone")
    with store.one_change():
        store.toggle(task.id)
    assert change_ids(store, task.id) == [None, None]
    result = store.undo()
    assert result.together == () and result.message == "Marked open again “alone”"


def test_a_change_of_several_that_cannot_all_be_undone_is_left_whole(store: TaskStore) -> None:
    kept, gone = store.create("kept"), store.create("gone")
    with store.one_change():
        store.toggle(kept.id)
        store.toggle(gone.id)
    store.delete(gone.id)
    store.skip_undo()  # passes over the delete: the toggle of "gone" cannot be taken back

    with pytest.raises(UndoBlockedError):
        store.undo()

    assert store.get(kept.id).completed  # the other half of the change stays too
    assert [e.summary for e in store.history(kept.id)] == ["created", "marked done"]


def test_one_skip_passes_over_a_whole_change(store: TaskStore) -> None:
    before = store.create("before")
    first, second = store.create("first"), store.create("second")
    with store.one_change():
        store.toggle(first.id)
        store.toggle(second.id)

    skipped = store.skip_undo()

    assert skipped.skipped and len(skipped.together) == 1
    assert "and 1 made with it" in skipped.message
    assert store.get(first.id).completed and store.get(second.id).completed
    assert store.undo().undone.task_id == second.id  # its creation: the change before
    assert store.undo().undone.task_id == first.id
    assert store.undo().undone.task_id == before.id


def test_a_failure_inside_one_change_keeps_none_of_it(store: TaskStore) -> None:
    first, second = store.create("first"), store.create("second")
    stale = second.version
    store.update(second.id, expected_version=stale, title="second, renamed")
    with pytest.raises(ConflictError), store.one_change():
        store.toggle(first.id)
        store.set_completed(second.id, True, expected_version=stale)
    assert not store.get(first.id).completed
    assert change_ids(store, first.id) == [None]
    assert store.undo().undone.task_id == second.id  # the rename, the last change kept
