"""Migration 8 (iCalendar objects): up with data, down with data, on both backends.

Up adds the table and touches no task; down drops the objects kept beside tasks read
from iCalendar, and says first, in numbers, what goes with them; every task stays.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import DataLossError, Status, TaskQuery, TaskStore, open_store, transfer
from store.migrations import LATEST_VERSION
from tests.helpers import FrozenClock, rows_of

pytestmark = pytest.mark.zone("UTC")

FOREIGN = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VTODO\r\n"
    "UID:other-app-1\r\nSUMMARY:From a phone\r\nX-PHONE-ORDER:7\r\nEND:VTODO\r\n"
    "END:VCALENDAR\r\n"
)


def import_foreign(store: TaskStore) -> str:
    parsed = transfer.parse(FOREIGN, transfer.Format.ICS)
    outcome = store.import_tasks(parsed.tasks)
    (added,) = outcome.added
    return added.id


def test_a_new_database_has_the_table(store: TaskStore) -> None:
    assert store.schema_version() == LATEST_VERSION >= 8
    assert "task_ical" in store._backend.tables()
    assert store.ical_objects() == {}


def test_up_from_version_7_keeps_every_task(location: str, clock: FrozenClock) -> None:
    with open_store(location, user="alice", clock=clock) as store:
        store.migrate(to=7, confirm=lambda _: True)
        assert store.schema_version() == 7
    with open_store(location, user="alice", clock=clock) as store:  # up again, on opening
        assert store.schema_version() == LATEST_VERSION
        task_id = import_foreign(store)
        assert store.get(task_id).title == "From a phone"
        assert store.ical_objects()[task_id].uid == "other-app-1"


def test_going_down_reports_the_objects_and_keeps_every_task(store: TaskStore) -> None:
    task_id = import_foreign(store)
    store.create("Made here")
    with pytest.raises(DataLossError) as refused:
        store.migrate(to=7)
    assert store.schema_version() == LATEST_VERSION  # nothing changed without a yes
    assert refused.value.loss.as_dict() == {
        "tasks' iCalendar objects (their alarms and other apps' properties)": 1
    }
    store.migrate(to=7, confirm=lambda _: True)
    assert store.schema_version() == 7
    assert "task_ical" not in store._backend.tables()
    assert rows_of(store, "SELECT count(*) FROM tasks") == [(2,)]
    store.migrate()
    assert sorted(t.title for t in store.list_tasks(TaskQuery(status=Status.ALL))) == [
        "From a phone",
        "Made here",
    ]
    assert store.get(task_id).title == "From a phone"
    assert store.ical_objects() == {}  # gone with the table: the task is a plain one now


@pytest.mark.sqlite_only
def test_step_8_down_gives_the_schema_that_version_7_creates(
    tmp_path: Path, clock: FrozenClock
) -> None:
    def definitions(path: Path) -> set[tuple[str, str]]:
        raw = sqlite3.connect(path)
        rows = raw.execute("SELECT name, sql FROM sqlite_master").fetchall()
        raw.close()
        return {(name, " ".join((sql or "").split())) for name, sql in rows}

    made_at_7, taken_down = tmp_path / "made-at-7.db", tmp_path / "taken-down.db"
    with open_store(made_at_7, user="alice", migrate=False, clock=clock) as store:
        store.migrate(to=7)
    with open_store(taken_down, user="alice", clock=clock) as store:
        import_foreign(store)
        store.migrate(to=7, confirm=lambda _: True)
    assert definitions(taken_down) == definitions(made_at_7)
