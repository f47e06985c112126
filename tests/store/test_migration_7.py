"""Migration 7 (repeating tasks): up with data, down with data, on both backends.

Up keeps every task as it was and adds nothing to it; down keeps every task as a
plain one and says first, in numbers, what it drops: the rules and the series links.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from store import DataLossError, Status, TaskQuery, TaskStore, open_store
from store.migrate import DataLoss
from store.migrations import LATEST_VERSION
from store.planning import Due
from store.recurrence import Repeat
from tests.helpers import FrozenClock, rows_of

pytestmark = pytest.mark.zone("UTC")

MONDAYS = Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", date(2026, 11, 23))


def test_a_new_database_has_the_repeat_columns_and_indexes(store: TaskStore) -> None:
    assert store.schema_version() == LATEST_VERSION >= 7
    assert {"repeat", "series_id", "occurrence"} <= store._backend.columns("tasks")
    assert {"tasks_series", "tasks_series_open", "tasks_repeating"} <= store._backend.indexes(
        "tasks"
    )


def test_up_from_version_6_keeps_every_task_as_it_was(location: str, clock: FrozenClock) -> None:
    with open_store(location, user="alice", clock=clock) as store:
        store.migrate(to=6)
    with open_store(location, user="alice", clock=clock, migrate=False) as store:
        assert store.schema_version() == 6
    with open_store(location, user="alice", clock=clock, migrate=False) as store:
        # What version 6 holds, written by hand: the store now speaks version 7.
        from tests.helpers import tamper

        tamper(
            store,
            "INSERT INTO users (id, created_at) VALUES ('alice', '2026-11-01 09:00:00.000000')",
        )
        tamper(
            store,
            "INSERT INTO tasks (id, user_id, title, title_key, description, completed, "
            "created_at, updated_at, version, due, priority, position) VALUES "
            "('t1', 'alice', 'Old one', 'old one', '', FALSE, '2026-11-01 09:00:00.000000', "
            "'2026-11-01 09:00:00.000000', 3, '2026-11-23', 2, 1.0)",
        )
    with open_store(location, user="alice", clock=clock) as store:
        assert store.schema_version() == LATEST_VERSION
        task = store.get("t1")
        assert (task.title, task.version, task.due) == ("Old one", 3, Due(date(2026, 11, 23)))
        assert (task.repeat, task.series_id, task.occurrence) == (None, None, None)
        repeating = store.update("t1", expected_version=3, repeat=MONDAYS)
        assert repeating.due == task.due and repeating.series_id == "t1"


def test_going_down_reports_what_is_dropped_and_keeps_every_task(store: TaskStore) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    store.toggle(first.id)  # a past occurrence and the open one
    stopped = store.create("Yoga", due=Due(date(2026, 11, 23)), repeat=MONDAYS)
    store.update(stopped.id, expected_version=stopped.version, repeat=None)
    store.create("Plain")
    with pytest.raises(DataLossError) as refused:
        store.migrate(to=6)
    assert store.schema_version() == LATEST_VERSION  # nothing changed without a yes
    loss = refused.value.loss
    assert isinstance(loss, DataLoss)
    assert loss.as_dict() == {
        "repeat rules": 1,
        "tasks' places in a series (past or stopped occurrences)": 2,
    }
    assert loss.owners == 1

    store.migrate(to=6, confirm=lambda _: True)
    assert store.schema_version() == 6
    assert not {"repeat", "series_id", "occurrence"} & store._backend.columns("tasks")
    assert rows_of(store, "SELECT count(*) FROM tasks") == [(4,)]

    store.migrate()  # and up again: four plain tasks, the open occurrence among them
    kept = store.list_tasks(TaskQuery(status=Status.ALL))
    assert sorted((t.title, t.completed) for t in kept) == [
        ("Plain", False),
        ("Standup", False),
        ("Standup", True),
        ("Yoga", False),
    ]
    assert all(t.repeat is None and t.series_id is None for t in kept)


@pytest.mark.sqlite_only
def test_step_7_down_gives_the_schema_that_version_6_creates(
    tmp_path: Path, clock: FrozenClock
) -> None:
    def definitions(path: Path) -> set[tuple[str, str]]:
        raw = sqlite3.connect(path)
        rows = raw.execute("SELECT name, sql FROM sqlite_master").fetchall()
        raw.close()
        return {(name, " ".join((sql or "").split())) for name, sql in rows}

    made_at_6, taken_down = tmp_path / "made-at-6.db", tmp_path / "taken-down.db"
    with open_store(made_at_6, user="alice", migrate=False, clock=clock) as store:
        store.migrate(to=6)
    with open_store(taken_down, user="alice", clock=clock) as store:
        store.create("kept", repeat=MONDAYS)
        store.migrate(to=6, confirm=lambda _: True)
    assert definitions(taken_down) == definitions(made_at_6)
    raw = sqlite3.connect(taken_down)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert raw.execute("SELECT title FROM tasks").fetchall() == [("kept",)]
    raw.close()
