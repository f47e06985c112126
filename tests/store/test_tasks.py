"""The TaskStore API: what a caller can do with one owner's tasks."""

from __future__ import annotations

import uuid
from dataclasses import FrozenInstanceError
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from store import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    AmbiguousIdError,
    ConflictError,
    EventKind,
    NewTask,
    NotFoundError,
    NothingToUndoError,
    Sort,
    Status,
    TaskQuery,
    TaskStore,
    ValidationError,
    open_store,
)
from tests.helpers import FROZEN_START, FrozenClock


def test_ids_are_uuids(store: TaskStore) -> None:
    ids = {store.create(f"task {n}").id for n in range(20)}
    assert len(ids) == 20
    for task_id in ids:
        assert str(uuid.UUID(task_id)) == task_id


def test_timestamps_are_utc_and_set_by_the_store(store: TaskStore, clock: FrozenClock) -> None:
    task = store.create("stamp me")
    assert task.created_at.tzinfo is not None
    assert task.created_at.utcoffset() == timedelta(0)
    assert FROZEN_START <= task.created_at < FROZEN_START + timedelta(milliseconds=1)
    clock.advance(hours=2)
    edited = store.update(task.id, expected_version=task.version, title="stamped")
    assert edited.updated_at - edited.created_at >= timedelta(hours=2)
    assert edited.created_at == task.created_at
    assert store.get(task.id) == edited


def test_records_are_frozen(store: TaskStore) -> None:
    task = store.create("immutable")
    with pytest.raises(FrozenInstanceError):
        task.title = "changed"  # type: ignore[misc]


def test_create_strips_the_title_and_reads_back_exactly(store: TaskStore) -> None:
    text = "  Ünïcødé ✓ 日本語 עברית [bold]not markup[/]  "
    task = store.create(text, "line one\n\tindented\nline three")
    again = store.get(task.id)
    assert again.title == text.strip()
    assert again.description == "line one\n\tindented\nline three"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "needs a title"),
        ("   \t ", "needs a title"),
        ("two\nlines", "one line"),
        ("bell\x07", "control character"),
        ("escape \x1b[31m", "control character"),
        ("x" * (MAX_TITLE_LENGTH + 1), f"at most {MAX_TITLE_LENGTH}"),
        ("half \ud800 surrogate", "unpaired surrogate"),
    ],
    ids=["empty", "blank", "newline", "bell", "ansi-escape", "too-long", "surrogate"],
)
def test_bad_titles_are_refused_and_nothing_is_written(
    store: TaskStore, title: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        store.create(title)
    assert caught.value.field == "title"
    assert store.list_tasks() == []
    assert store.last_event_id() == 0


def test_bad_descriptions_are_refused(store: TaskStore) -> None:
    with pytest.raises(ValidationError, match="at most"):
        store.create("ok", "x" * (MAX_DESCRIPTION_LENGTH + 1))
    with pytest.raises(ValidationError, match="control character"):
        store.create("ok", "null \x00 byte")
    assert store.list_tasks() == []


def test_long_descriptions_within_the_limit_are_fine(store: TaskStore) -> None:
    notes = ("A long note. " * 7000)[:MAX_DESCRIPTION_LENGTH].rstrip()
    task = store.create("novel", notes)
    assert store.get(task.id).description == notes


def test_windows_line_endings_become_newlines(store: TaskStore) -> None:
    task = store.create("pasted", "one\r\ntwo\rthree")
    assert task.description == "one\ntwo\nthree"


def test_get_of_unknown_id_raises_not_found(store: TaskStore) -> None:
    with pytest.raises(NotFoundError, match="No task with id"):
        store.get(str(uuid.uuid4()))


def test_list_filters_by_status(store: TaskStore) -> None:
    open_task = store.create("open one")
    done_task = store.toggle(store.create("done one").id)
    assert [t.id for t in store.list_tasks(TaskQuery(status=Status.OPEN))] == [open_task.id]
    assert [t.id for t in store.list_tasks(TaskQuery(status=Status.DONE))] == [done_task.id]
    assert len(store.list_tasks(TaskQuery(status=Status.ALL))) == 2
    counts = store.counts()
    assert (counts.open, counts.done, counts.total) == (1, 1, 2)


def test_search_is_case_insensitive_in_title_and_description(store: TaskStore) -> None:
    milk = store.create("Buy MILK")
    store.create("Call mum", "ask about the milkman")
    store.create("Été à Paris")
    store.create("100% done_ish")
    assert {t.title for t in store.list_tasks(TaskQuery(search="milk"))} == {"Buy MILK", "Call mum"}
    assert [t.id for t in store.list_tasks(TaskQuery(search="buy milk"))] == [milk.id]
    assert [t.title for t in store.list_tasks(TaskQuery(search="ÉTÉ"))] == ["Été à Paris"]
    # LIKE wildcards in a search are literal characters.
    assert [t.title for t in store.list_tasks(TaskQuery(search="100%"))] == ["100% done_ish"]
    assert store.list_tasks(TaskQuery(search="0_d")) == []
    assert store.count(TaskQuery(search="milk")) == 2
    assert store.counts(search="milk").open == 2


def test_sorts_never_touch_stored_order(store: TaskStore, clock: FrozenClock) -> None:
    banana = store.create("banana")
    apple = store.create("Apple")
    cherry = store.create("cherry")
    clock.advance(minutes=5)
    store.toggle(apple.id)

    def titles(sort: Sort) -> list[str]:
        return [t.title for t in store.list_tasks(TaskQuery(sort=sort))]

    assert titles(Sort.CREATED) == ["banana", "Apple", "cherry"]
    assert titles(Sort.TITLE) == ["Apple", "banana", "cherry"]
    assert titles(Sort.UPDATED) == ["Apple", "cherry", "banana"]
    assert titles(Sort.STATUS) == ["banana", "cherry", "Apple"]
    assert titles(Sort.CREATED) == ["banana", "Apple", "cherry"]
    assert {banana.id, cherry.id} <= {t.id for t in store.list_tasks()}


@pytest.mark.parametrize("sort", list(Sort))
def test_keyset_paging_walks_every_task_once(store: TaskStore, sort: Sort) -> None:
    for number in range(23):
        task = store.create(f"Task {number % 7}")  # repeated titles: ties end on the id
        if number % 3 == 0:
            store.toggle(task.id)
    query = TaskQuery(sort=sort)
    expected = [t.id for t in store.list_tasks(query)]
    seen: list[str] = []
    after = None
    while True:
        page = store.list_tasks(query, limit=5, after=after)
        seen.extend(t.id for t in page)
        if len(page) < 5:
            break
        after = page[-1]
    assert seen == expected
    assert [t.id for t in store.list_tasks(query, limit=5, offset=10)] == expected[10:15]


def test_owner_isolation(db_path: Path) -> None:
    alice = open_store(db_path, user="alice")
    bob = open_store(db_path, user="bob")
    secret = alice.create("alice's secret")
    bob.create("bob's own")

    assert [t.title for t in bob.list_tasks()] == ["bob's own"]
    assert bob.counts().total == 1
    with pytest.raises(NotFoundError):
        bob.get(secret.id)
    with pytest.raises(NotFoundError):
        bob.update(secret.id, expected_version=1, title="hacked")
    with pytest.raises(NotFoundError):
        bob.toggle(secret.id)
    with pytest.raises(NotFoundError):
        bob.delete(secret.id)
    with pytest.raises(NotFoundError):
        bob.history(secret.id)
    with pytest.raises(NotFoundError):
        bob.resolve_id(secret.id[:8])

    # Bob's undo reverts Bob's change, never Alice's.
    bob.undo()
    assert bob.list_tasks() == []
    with pytest.raises(NothingToUndoError):
        bob.undo()
    assert alice.get(secret.id) == secret
    assert bob.changes_since(0).task_ids.isdisjoint({secret.id})
    alice.close()
    bob.close()


def test_stale_update_raises_a_conflict_naming_what_changed(store: TaskStore) -> None:
    seen = store.create("Draft", "first notes")
    elsewhere = store.update(seen.id, expected_version=seen.version, description="their notes")
    with pytest.raises(ConflictError) as caught:
        store.update(seen.id, expected_version=seen.version, title="Mine")
    assert caught.value.changed_fields == ("description",)
    assert "description" in str(caught.value)
    assert caught.value.current == elsewhere
    assert store.get(seen.id) == elsewhere  # nothing was overwritten


def test_stale_toggle_and_delete_raise_conflicts(store: TaskStore) -> None:
    seen = store.create("Shared")
    store.toggle(seen.id)
    with pytest.raises(ConflictError, match="completed"):
        store.toggle(seen.id, expected_version=seen.version)
    with pytest.raises(ConflictError):
        store.delete(seen.id, expected_version=seen.version)
    assert store.get(seen.id).completed


def test_update_without_changes_writes_nothing(store: TaskStore) -> None:
    task = store.create("Same")
    before = store.last_event_id()
    assert store.update(task.id, expected_version=1, title=" Same ") == task
    assert store.last_event_id() == before


def test_undo_of_create_removes_the_task(store: TaskStore) -> None:
    task = store.create("Oops")
    result = store.undo()
    assert result.undone.kind is EventKind.CREATED
    assert result.task is None
    with pytest.raises(NotFoundError):
        store.get(task.id)


def test_undo_of_edit_restores_fields_and_timestamp(store: TaskStore, clock: FrozenClock) -> None:
    task = store.create("Before", "old notes")
    clock.advance(minutes=3)
    store.update(task.id, expected_version=1, title="After", description="new notes")
    result = store.undo()
    assert result.undone.kind is EventKind.EDITED
    restored = store.get(task.id)
    assert (restored.title, restored.description) == ("Before", "old notes")
    assert restored.updated_at == task.updated_at
    assert restored.version == 3  # undo is a change: holders of version 2 must re-read


def test_undo_of_toggle(store: TaskStore) -> None:
    task = store.create("Flip")
    store.toggle(task.id)
    assert store.undo().undone.kind is EventKind.TOGGLED
    assert store.get(task.id).completed is False


def test_undo_of_delete_restores_same_id_and_timestamps(
    store: TaskStore, clock: FrozenClock
) -> None:
    task = store.create("Keep", "with notes")
    clock.advance(days=1)
    store.toggle(task.id)
    done = store.get(task.id)
    clock.advance(days=1)
    store.delete(task.id)
    result = store.undo()
    assert result.undone.kind is EventKind.DELETED
    restored = store.get(task.id)
    assert restored.id == task.id
    assert (restored.created_at, restored.updated_at) == (done.created_at, done.updated_at)
    assert (restored.title, restored.description, restored.completed) == (
        "Keep",
        "with notes",
        True,
    )


def test_repeated_undo_walks_further_back(store: TaskStore) -> None:
    first = store.create("First")
    second = store.create("Second")
    store.toggle(first.id)
    store.update(second.id, expected_version=1, title="Second, renamed")
    store.delete(first.id)

    kinds = [store.undo().undone.kind for _ in range(5)]
    assert kinds == [
        EventKind.DELETED,
        EventKind.EDITED,
        EventKind.TOGGLED,
        EventKind.CREATED,
        EventKind.CREATED,
    ]
    assert store.list_tasks() == []
    with pytest.raises(NothingToUndoError, match="Nothing to undo"):
        store.undo()


def test_history_shows_every_change_including_undo_and_after_delete(store: TaskStore) -> None:
    task = store.create("Tracked")
    store.toggle(task.id)
    store.update(task.id, expected_version=2, title="Tracked well")
    store.undo()
    store.delete(task.id)
    summaries = [event.summary for event in store.history(task.id)]
    assert summaries == [
        "created",
        "marked done",
        "title changed",
        "title changed (undo)",
        "deleted",
    ]
    events = store.history(task.id)
    assert events[3].reverts_event_id == events[2].id
    assert events[-1].before is not None and events[-1].before.title == "Tracked"
    assert all(event.at.tzinfo == UTC for event in events)


def test_changes_since_lists_changed_tasks(store: TaskStore) -> None:
    one = store.create("one")
    mark = store.last_event_id()
    two = store.create("two")
    store.toggle(one.id)
    changes = store.changes_since(mark)
    assert changes.task_ids == {one.id, two.id}
    assert changes.last_event_id == store.last_event_id()
    assert store.changes_since(changes.last_event_id).task_ids == frozenset()


def test_resolve_id_by_unique_prefix_and_ambiguity(store: TaskStore) -> None:
    tasks = [store.create(f"t{n}") for n in range(40)]
    target = tasks[0]
    assert store.resolve_id(target.id) == target
    assert store.resolve_id(target.id[:13].upper()) == target
    shared = {}
    for task in tasks:
        shared.setdefault(task.id[0], []).append(task)
    prefix, group = next((k, v) for k, v in shared.items() if len(v) > 1)
    with pytest.raises(AmbiguousIdError) as caught:
        store.resolve_id(prefix)
    assert {c.id for c in caught.value.candidates} == {t.id for t in group[:10]}
    with pytest.raises(NotFoundError):
        store.resolve_id("zzzz")


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", list(Status))
def test_query_matches_and_sort_key_agree_with_the_database(
    store: TaskStore, clock: FrozenClock, sort: Sort, status: Status
) -> None:
    # The app places a single changed row with TaskQuery.matches and sort_key; they
    # must say exactly what the SQL says.
    titles = ["Été", "été", "apple pie", "Banana split", "ß straße", "milk", "MILK run", "zebra"]
    for number, title in enumerate(titles):
        task = store.create(title, "notes about milk" if number % 3 == 0 else "")
        clock.advance(seconds=number % 2)  # some equal timestamps: ties end on the id
        if number % 2:
            store.toggle(task.id)
    everything = store.list_tasks(TaskQuery(status=Status.ALL))
    for search in ("", "milk", "ÉTÉ", "STRASSE", "straße", "p"):
        query = TaskQuery(status=status, search=search, sort=sort)
        expected = [t.id for t in store.list_tasks(query)]
        in_python = sorted((t for t in everything if query.matches(t)), key=query.sort_key)
        assert [t.id for t in in_python] == expected, (search, sort, status)


@pytest.mark.parametrize("sort", list(Sort))
def test_keyset_paging_backwards_and_positions(
    store: TaskStore, clock: FrozenClock, sort: Sort
) -> None:
    for number in range(17):
        task = store.create(f"Task {number % 5}")
        clock.advance(seconds=number % 3)
        if number % 4 == 0:
            store.toggle(task.id)
    query = TaskQuery(sort=sort)
    everything = store.list_tasks(query)
    for index, task in enumerate(everything):
        assert store.position_of(task.id, query) == index
        assert (
            store.list_tasks(query, limit=3, before=task) == everything[max(index - 3, 0) : index]
        )
        assert store.list_tasks(query, limit=3, after=task) == everything[index + 1 : index + 4]
    searched = TaskQuery(search="task", sort=sort)
    for index, task in enumerate(store.list_tasks(searched)):
        assert store.locate(searched, task.id) == (len(everything), index)
    assert store.locate(query, None) == (len(everything), None)
    hidden = TaskQuery(status=Status.OPEN, sort=sort)
    done = next(t for t in everything if t.completed)
    assert store.position_of(done.id, hidden) is None
    assert store.position_of("no-such-task", query) is None


def test_create_many_keeps_given_ids_and_times_and_logs_each(
    store: TaskStore, clock: FrozenClock
) -> None:
    from datetime import datetime

    when = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    given = NewTask("imported", "with notes", completed=True, id="my-own-id", created_at=when)
    made = store.create_many([given, NewTask("  fresh  ")])
    assert [t.title for t in made] == ["imported", "fresh"]
    imported = store.get("my-own-id")
    assert imported == made[0]
    assert (imported.created_at, imported.updated_at, imported.completed) == (when, when, True)
    assert str(uuid.UUID(made[1].id)) == made[1].id
    assert [e.summary for e in store.history("my-own-id")] == ["created"]
    assert store.position_of(made[1].id, TaskQuery(sort=Sort.TITLE)) == 0  # title key written


def test_create_many_refuses_the_whole_batch_naming_the_bad_task(store: TaskStore) -> None:
    batch = [NewTask("fine"), NewTask("also fine"), NewTask("   ")]
    with pytest.raises(ValidationError, match="Task 3: A task needs a title"):
        store.create_many(batch)
    assert store.list_tasks() == []
    assert store.last_event_id() == 0
