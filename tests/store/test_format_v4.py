"""Our JSON, format version 4: each task's repeat (rule, mode, start), its series and its
number there; logged states with them. Series ids are ids of a database: an import
never breaks the unique (series_id, occurrence) index, it reassigns and reports.
(The byte-for-byte round trip with series is in test_format_v3.py.)"""

from __future__ import annotations

import copy as copying
import io
import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from store import (
    Due,
    EventKind,
    FileFormatError,
    Repeat,
    RepeatMode,
    Status,
    TaskQuery,
    TaskRecord,
    TaskStore,
    open_store,
    transfer,
)
from store.importing import REASSIGNED_ID_NAMESPACE
from tests.helpers import FrozenClock

WEEKLY = Repeat.of("FREQ=WEEKLY;BYDAY=MO", RepeatMode.SCHEDULE, date(2026, 11, 23))


def export_json(store: TaskStore, *, events: bool = False) -> str:
    out = io.StringIO()
    transfer.write_json(store.export_tasks(events=events), out, store.project_paths())
    return out.getvalue()


def import_text(store: TaskStore, text: str, *, dry_run: bool = False) -> transfer.ImportOutcome:
    parsed = transfer.parse(text, transfer.Format.JSON)
    return store.import_tasks(parsed.tasks, projects=parsed.projects, dry_run=dry_run)


def a_series(store: TaskStore) -> tuple[TaskRecord, TaskRecord]:
    """Water plants every Monday, the first done: (the done one, the open one)."""
    first = store.create("Water plants", due=Due(date(2026, 11, 23), time(8, 0)), repeat=WEEKLY)
    done = store.toggle(first.id)
    following = store.next_in_series(done)
    assert following is not None
    return done, following


def places(store: TaskStore, task_id: str) -> list[tuple[str, int | None, bool, bool]]:
    """The series as the database has it: (id, number, done, repeats) per task."""
    return [(t.id, t.occurrence, t.completed, t.repeat is not None) for t in store.series(task_id)]


def test_a_series_imports_into_an_empty_database_and_goes_on_there(
    store: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    done, following = a_series(store)
    text = export_json(store, events=True)
    with open_store(tmp_path / "copy.db", user="alice", clock=clock) as copy:
        outcome = import_text(copy, text)
        assert len(outcome.added) == 2
        assert places(copy, following.id) == [
            (done.id, 1, True, False),
            (following.id, 2, False, True),
        ]
        imported = copy.get(following.id)
        assert imported.repeat == following.repeat
        assert (imported.series_id, imported.due) == (done.id, Due(date(2026, 11, 30), time(8)))
        # The logged states carry the repeat: the completion handed it on.
        toggled = copy.history(done.id)[-1]
        assert toggled.kind is EventKind.TOGGLED
        assert toggled.before is not None and toggled.before.repeat == WEEKLY
        assert toggled.after is not None and toggled.after.repeat is None
        assert (toggled.after.series_id, toggled.after.occurrence) == (done.id, 1)
        # The store carries the series on from the imported open occurrence.
        copy.toggle(following.id)
        third = copy.next_in_series(copy.get(following.id))
        assert third is not None
        assert (third.occurrence, third.due) == (3, Due(date(2026, 12, 7), time(8)))


def test_a_later_file_completes_the_occurrence_and_brings_the_next(
    store: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    done, following = a_series(store)
    earlier = export_json(store)
    clock.advance(days=1)
    store.toggle(following.id)
    later = export_json(store)
    with open_store(tmp_path / "copy.db", user="alice", clock=clock) as copy:
        import_text(copy, earlier)
        outcome = import_text(copy, later)
        assert [t.id for t in outcome.updated] == [following.id]
        assert len(outcome.added) == 1
        assert places(copy, done.id) == places(store, done.id)
        assert [n for _, n, _, _ in places(copy, done.id)] == [1, 2, 3]
        # Logged as the completion it is (done, and so repeating no more).
        assert copy.history(following.id)[-1].kind is EventKind.TOGGLED
        assert export_json(copy) == later


def test_a_version_3_file_leaves_a_repeat_and_a_series_as_they_are(store: TaskStore) -> None:
    _, following = a_series(store)
    item = {
        "id": following.id,
        "title": "Water the plants",
        "completed": False,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-12-20T09:30:00.000000Z",
        "due": "2026-11-30 08:00",
    }
    v3 = {"format": "taskflow", "format_version": 3, "projects": [], "tasks": [item]}
    outcome = import_text(store, json.dumps(v3))
    assert [t.title for t in outcome.updated] == ["Water the plants"]
    now = store.get(following.id)
    assert (now.repeat, now.series_id, now.occurrence) == (
        following.repeat,
        following.series_id,
        2,
    )
    # The keys of version 4 in a version 3 file are refused, as unknown there.
    v3["tasks"] = [{**item, "repeat": None}]
    with pytest.raises(FileFormatError, match=r"unknown field\(s\) repeat"):
        transfer.parse(json.dumps(v3), transfer.Format.JSON)


def test_a_repeat_without_its_start_counts_from_the_due_date(store: TaskStore) -> None:
    task_id = str(uuid.uuid4())
    item = {
        "id": task_id,
        "title": "Pay rent",
        "completed": False,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-11-20T09:30:00.000000Z",
        "due": "2026-12-31",
        "repeat": {"rule": "freq=monthly"},
    }
    document = {"format": "taskflow", "format_version": 4, "projects": [], "tasks": [item]}
    import_text(store, json.dumps(document))
    rent = store.get(task_id)
    assert rent.repeat == Repeat.of("FREQ=MONTHLY", RepeatMode.SCHEDULE, date(2026, 12, 31))
    assert (rent.series_id, rent.occurrence) == (task_id, 1)  # the first of its own series


def test_another_owners_series_gets_a_stable_substitute(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    done, following = a_series(store)
    document = json.loads(export_json(store))
    # Without the first occurrence the series id is no task of the file: only a series.
    document["tasks"] = [t for t in document["tasks"] if t["id"] == following.id]
    text = json.dumps(document)
    with open_store(location, user="bob", clock=clock) as bob:
        outcome = import_text(bob, text)
        substitute = str(uuid.uuid5(REASSIGNED_ID_NAMESPACE, f"bob\n{done.id}"))
        assert outcome.reassigned_series == {done.id: substitute}
        (mine,) = outcome.added
        assert mine.id != following.id  # alice's task id: bob's copy has another
        assert (mine.series_id, mine.occurrence) == (substitute, 2)
        assert bob.get(mine.id).repeat == following.repeat
        again = import_text(bob, text)
        assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 1)
    # Alice's series is as it was.
    assert places(store, done.id) == [(done.id, 1, True, False), (following.id, 2, False, True)]


def test_the_whole_series_of_another_owner_follows_its_reassigned_ids(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    done, _ = a_series(store)
    text = export_json(store, events=True)
    with open_store(location, user="bob", clock=clock) as bob:
        outcome = import_text(bob, text)
        new_first = outcome.reassigned[done.id]
        assert outcome.reassigned_series == {done.id: new_first}
        assert [n for _, n, _, _ in places(bob, new_first)] == [1, 2]
        # The history's states name the series as it is here too.
        logged = bob.history(new_first)[-1].after
        assert logged is not None and logged.series_id == new_first


@pytest.mark.parametrize("completed", [False, True], ids=["open", "done"])
def test_an_occurrence_another_task_has_here_is_left_out_or_renumbered(
    store: TaskStore, completed: bool
) -> None:
    """Both sides completed occurrence 2 and made a third. The file's open third is a
    second copy of the one here: left out, reported (never a duplicate). Had the file's
    third been done, it is a past occurrence of its own: the fourth, reported. A second
    import changes nothing."""
    done, following = a_series(store)
    document = json.loads(export_json(store))
    store.toggle(following.id)
    ours = store.next_in_series(store.get(following.id))
    assert ours is not None and ours.occurrence == 3
    theirs = copying.deepcopy(next(t for t in document["tasks"] if t["id"] == following.id))
    theirs.update(id=str(uuid.uuid4()), occurrence=3, due="2026-12-07 08:00")
    if completed:
        theirs.update(completed=True, repeat=None)
    document["tasks"].append(theirs)
    text = json.dumps(document)

    outcome = import_text(store, text)
    if completed:
        assert outcome.renumbered == {theirs["id"]: (3, 4)}
        assert [t.id for t in outcome.added] == [theirs["id"]]
        expected = [(1, True), (2, True), (3, False), (4, True)]
    else:
        assert theirs["id"] in outcome.left_out and outcome.added == ()
        expected = [(1, True), (2, True), (3, False)]
    assert [(n, done_) for _, n, done_, _ in places(store, done.id)] == expected
    again = import_text(store, text)
    assert (len(again.added), len(again.updated)) == (0, 0)
    assert [(n, done_) for _, n, done_, _ in places(store, done.id)] == expected


def test_a_dry_run_of_a_renumbering_import_writes_nothing(store: TaskStore) -> None:
    done, _ = a_series(store)
    document = json.loads(export_json(store))
    extra = copying.deepcopy(document["tasks"][-1])
    # Occurrence 1 is the done one's here: a done one in its place is renumbered.
    extra.update(id=str(uuid.uuid4()), occurrence=1, completed=True, repeat=None)
    document["tasks"] = [document["tasks"][-1], extra]
    before = places(store, done.id)
    outcome = import_text(store, json.dumps(document), dry_run=True)
    assert outcome.dry_run and outcome.renumbered == {extra["id"]: (1, 3)}
    assert places(store, done.id) == before
    assert store.count(TaskQuery(status=Status.ALL)) == 2


def test_two_tasks_of_a_file_in_one_place_of_a_series_are_refused(store: TaskStore) -> None:
    a_series(store)
    document = json.loads(export_json(store))
    document["tasks"][1]["occurrence"] = document["tasks"][0]["occurrence"]
    document["tasks"][1]["repeat"] = None
    with pytest.raises(FileFormatError, match=r"are both occurrence 1 of the series"):
        transfer.parse(json.dumps(document), transfer.Format.JSON)


TASK: dict[str, Any] = {
    "id": "0f8e1a52-3c0e-4a3b-9a57-1f5e0c2b7d41",
    "title": "t",
    "completed": False,
    "created_at": "2026-11-20T09:30:00.000000Z",
    "updated_at": "2026-11-20T09:30:00.000000Z",
    "due": "2026-11-23",
}
RULE = {"rule": "FREQ=WEEKLY", "mode": "schedule", "start": "2026-11-23"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"repeat": "FREQ=WEEKLY"}, "repeat must be an object with rule, mode and start"),
        ({"repeat": {**RULE, "rule": "FREQ=HOURLY"}}, "repeat: A repeat rule needs FREQ"),
        ({"repeat": {**RULE, "rule": 7}}, "a repeat needs its rule"),
        ({"repeat": {**RULE, "mode": "often"}}, "A repeat mode is 'schedule' or 'completion'"),
        ({"repeat": {**RULE, "start": "23/11/2026"}}, "start '23/11/2026' is not a date"),
        ({"repeat": {**RULE, "every": 2}}, r"unknown field\(s\) in repeat: every"),
        ({"repeat": RULE, "due": None}, "a task that repeats needs a due date"),
        ({"series_id": "s1"}, "series_id and occurrence go together"),
        ({"series_id": "s1", "occurrence": 0}, "occurrence must be a whole number from 1"),
        ({"series_id": "s1", "occurrence": True}, "occurrence must be a whole number from 1"),
        (
            {"repeat": {**RULE, "series_id": "s2"}, "series_id": "s1", "occurrence": 2},
            "the repeat names the series s2, the task s1",
        ),
    ],
    ids=[
        "not-an-object",
        "hourly",
        "rule-not-text",
        "mode",
        "start",
        "unknown-key",
        "no-due",
        "series-alone",
        "occurrence-0",
        "occurrence-bool",
        "two-series",
    ],
)
def test_a_bad_repeat_or_series_is_refused_naming_the_task(
    change: dict[str, Any], complaint: str
) -> None:
    document = {
        "format": "taskflow",
        "format_version": 4,
        "projects": [],
        "tasks": [{**TASK, **change}],
    }
    with pytest.raises(FileFormatError, match=rf"task 1 \({TASK['id']}\).*{complaint}"):
        transfer.parse(json.dumps(document), transfer.Format.JSON)


def test_a_bad_repeat_in_a_logged_state_is_refused() -> None:
    state = {
        "title": "t",
        "description": "",
        "completed": False,
        "created_at": TASK["created_at"],
        "updated_at": TASK["updated_at"],
        "version": 1,
        "due": "2026-11-23",
        "priority": 0,
        "tags": [],
        "position": 1.0,
        "repeat": {"rule": "FREQ=WEEKLY", "mode": "schedule"},
        "series_id": TASK["id"],
        "occurrence": 1,
    }
    event = {"kind": "created", "at": TASK["created_at"], "before": None, "after": state}
    item = {**TASK, "events": [{**event, "reverts": None}]}
    document = {"format": "taskflow", "format_version": 4, "projects": [], "tasks": [item]}
    with pytest.raises(FileFormatError, match="event 1, after: a logged repeat needs its start"):
        transfer.parse(json.dumps(document), transfer.Format.JSON)
    # In a version 3 file a state has no repeat at all.
    state["repeat"]["start"] = "2026-11-23"  # type: ignore[index]
    document["format_version"] = 3
    item.pop("due")
    with pytest.raises(FileFormatError, match="event 1, after: must be null or an object"):
        transfer.parse(json.dumps(document), transfer.Format.JSON)
