"""Due dates, priorities and tags on the command line, and in every file format.

Through ``main`` (the ``cli`` fixture), on SQLite and PostgreSQL alike. Where the
day matters the command line runs on the frozen clock: Friday 20 November 2026,
09:30 UTC, in the UTC zone unless a test says otherwise.
"""

from __future__ import annotations

import json
import time as system_time
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from store import Due, Priority, Sort, Status, TaskQuery, TaskRecord, TaskStore, open_store
from tests.cli.conftest import CLI
from tests.conftest import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK

FRIDAY = date(2026, 11, 20)  # the frozen clock's day


def all_tasks(store: TaskStore, sort: Sort = Sort.CREATED) -> list[TaskRecord]:
    return store.list(TaskQuery(status=Status.ALL, sort=sort))


def planning(store: TaskStore, sort: Sort = Sort.CREATED) -> list[tuple[object, ...]]:
    """What these tests care about, task by task: in creation order, or in the manual
    order (which an import gives in the file's order, when its lines have no dates)."""
    return [(t.title, t.due, t.priority, t.tags, t.completed) for t in all_tasks(store, sort)]


def in_zone(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    system_time.tzset()


# -- our JSON: every planning field round-trips ---------------------------------------------------


@pytest.fixture
def planned(location: str, clock: FrozenClock) -> Iterator[TaskStore]:
    """Tasks with due dates (with and without a time), priorities, tags, a done one,
    and a manual order that is no longer the creation order (J/K moves)."""
    with open_store(location, user="alice", clock=clock) as store:
        rent = store.create(
            "Pay rent",
            due=Due(date(2026, 11, 21), time(9, 0)),
            priority=Priority.HIGH,
            tags=("home", "Bills"),
        )
        store.create("Call mum", due=Due(date(2026, 11, 27)), tags=("family",))
        report = store.create("Report", priority=Priority.LOW)
        done = store.create("Renew passport", due=Due(date(2026, 11, 1)), priority=Priority.MEDIUM)
        store.toggle(done.id)
        store.move(report.id, -1)  # between rent (1) and mum (2): 1.5
        store.move(rent.id, 1)  # between report and mum: 1.75
        yield store


def test_json_round_trips_due_priority_tags_and_position(
    cli: CLI, planned: TaskStore, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    copy = tmp_path / "copy.db"  # an empty database (ids must stay free for an exact copy)
    assert cli("export", "-o", str(first)).code == EXIT_OK
    assert cli("import", str(first), db=copy).code == EXIT_OK
    assert cli("export", "-o", str(second), db=copy).code == EXIT_OK
    assert first.read_bytes() == second.read_bytes()

    document = json.loads(first.read_text())
    assert document["format_version"] == 2
    rent = document["tasks"][0]
    assert rent["title"] == "Pay rent"
    assert (rent["due"], rent["priority"], rent["tags"]) == (
        "2026-11-21 09:00",
        "high",
        ["Bills", "home"],
    )
    assert [t["position"] for t in document["tasks"]] == [1.75, 2.0, 1.5, 4.0]
    with open_store(copy, user="alice") as restored:
        order = restored.list(TaskQuery(status=Status.ALL, sort=Sort.MANUAL))
        assert [t.title for t in order] == ["Report", "Pay rent", "Call mum", "Renew passport"]
        assert planning(restored) == planning(planned)


def test_json_import_into_a_list_with_tasks_puts_the_file_s_order_after_them(
    cli: CLI, planned: TaskStore, tmp_path: Path
) -> None:
    path, other = tmp_path / "tasks.json", tmp_path / "other.db"
    cli("export", "-o", str(path))
    with open_store(other, user="alice") as store:
        store.create("Mine first")
        store.create("Mine second")
    assert cli("import", str(path), db=other).code == EXIT_OK
    with open_store(other, user="alice") as store:
        order = [t.title for t in store.list(TaskQuery(status=Status.ALL, sort=Sort.MANUAL))]
    assert order == [
        "Mine first",
        "Mine second",
        "Report",
        "Pay rent",
        "Call mum",
        "Renew passport",
    ]


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("due", "next friday", "due 'next friday' is not a date"),
        ("due", "2026-02-30", "due '2026-02-30' is not a date"),
        ("priority", "urgent", "priority 'urgent' is not none, low, medium or high"),
        ("tags", "home", "tags must be a list"),
        ("tags", ["two words"], "Invalid tag 'two words'"),
        ("position", "first", "position must be a number"),
    ],
)
def test_json_with_a_bad_planning_field_is_refused_whole(
    cli: CLI, alice: TaskStore, tmp_path: Path, field: str, value: object, complaint: str
) -> None:
    task = {
        "id": "00000000-0000-4000-8000-000000000001",
        "title": "valid",
        "completed": False,
        "created_at": "2026-11-20T09:30:00Z",
        "updated_at": "2026-11-20T09:30:00Z",
    }
    path = tmp_path / "bad.json"
    document = {"format": "taskflow", "format_version": 2, "tasks": [task, {**task, "id": "x2"}]}
    document["tasks"][1][field] = value
    path.write_text(json.dumps(document))
    result = cli("import", str(path))
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1
    assert "task 2 (x2)" in result.err and complaint in result.err
    assert alice.count(TaskQuery(status=Status.ALL)) == 0


def test_a_version_1_file_without_planning_fields_still_imports(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "old.json"
    task = {
        "id": "00000000-0000-4000-8000-000000000001",
        "title": "From an older TaskFlow",
        "completed": False,
        "created_at": "2026-11-20T09:30:00Z",
        "updated_at": "2026-11-20T09:30:00Z",
    }
    path.write_text(json.dumps({"format": "taskflow", "format_version": 1, "tasks": [task]}))
    assert cli("import", str(path)).code == EXIT_OK
    (imported,) = all_tasks(alice)
    assert (imported.due, imported.priority, imported.tags) == (None, Priority.NONE, ())


# -- Taskwarrior ---------------------------------------------------------------------------------


def taskwarrior(**fields: object) -> str:
    task = {
        "uuid": "a3c8e0b2-1d4f-4e6a-9b7c-0d1e2f3a4b5c",
        "description": "Renew passport",
        "status": "pending",
        "entry": "20261101T090000Z",
        **fields,
    }
    return json.dumps([task])


@pytest.mark.parametrize(
    ("zone", "stamp", "due"),
    [
        # Taskwarrior keeps due:tomorrow as local midnight, in UTC: one day, no time.
        ("UTC", "20261121T000000Z", Due(date(2026, 11, 21))),
        ("America/New_York", "20261121T050000Z", Due(date(2026, 11, 21))),
        ("Pacific/Auckland", "20261120T110000Z", Due(date(2026, 11, 21))),
        # due:eod is 23:59:59 local: the day as a whole too
        ("America/New_York", "20261122T045959Z", Due(date(2026, 11, 21))),
        # any other moment is a local day and time (to the minute)
        ("America/New_York", "20261121T143045Z", Due(date(2026, 11, 21), time(9, 30))),
        ("Pacific/Auckland", "20261120T203000Z", Due(date(2026, 11, 21), time(9, 30))),
    ],
)
def test_taskwarrior_due_becomes_a_local_day_and_time(
    cli: CLI,
    alice: TaskStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    stamp: str,
    due: Due,
) -> None:
    in_zone(monkeypatch, zone)
    path = tmp_path / "tw.json"
    path.write_text(taskwarrior(due=stamp))
    assert cli("import", str(path)).code == EXIT_OK
    (task,) = all_tasks(alice)
    assert task.due == due
    assert task.description == ""


def test_what_taskwarrior_has_and_we_cannot_hold_stays_in_the_description(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "tw.json"
    # A user-defined priority value, and a tag our names cannot hold (a quote).
    path.write_text(taskwarrior(priority="X", project="Travel", tags=["gov", 'say"cheese"']))
    assert cli("import", str(path)).code == EXIT_OK
    (task,) = all_tasks(alice)
    assert (task.priority, task.tags) == (Priority.NONE, ("gov", "Travel"))
    assert task.description == 'Taskwarrior: tags say"cheese"; priority X'


def test_a_changed_priority_in_a_later_taskwarrior_export_updates_the_task(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "tw.json"
    path.write_text(taskwarrior(priority="L", modified="20261102T090000Z"))
    cli("import", str(path))
    path.write_text(taskwarrior(priority="H", tags=["urgent"], modified="20261103T090000Z"))
    result = cli("import", str(path))
    assert ": 0 added, 1 updated, 0 skipped." in result.out
    (task,) = all_tasks(alice)
    assert (task.priority, task.tags) == (Priority.HIGH, ("urgent",))
    assert alice.undo().task.priority is Priority.LOW  # an import's update is undoable


# -- todo.txt --------------------------------------------------------------------------------------


def test_todotxt_import_maps_priorities_projects_contexts_and_due(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "todo.txt"
    path.write_text(
        "(A) 2026-11-18 Call mom +family @phone due:2026-11-21\n"
        "(B) Water plants @home\n"
        "(C) Read a book\n"
        "(D) Someday: learn the oboe\n"
        "x 2026-11-19 2026-11-18 File taxes +admin due:2026-11-19 pri:B\n"
        "x 2026-11-19 (A) 2026-11-18 Done with its priority kept\n"
        "Email bob@example.com about due:soon and 1+1\n"
    )
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert planning(alice, Sort.MANUAL) == [
        ("Call mom", Due(date(2026, 11, 21)), Priority.HIGH, ("family", "phone"), False),
        ("Water plants", None, Priority.MEDIUM, ("home",), False),
        ("Read a book", None, Priority.LOW, (), False),
        ("(D) Someday: learn the oboe", None, Priority.NONE, (), False),
        ("File taxes", Due(date(2026, 11, 19)), Priority.MEDIUM, ("admin",), True),
        ("Done with its priority kept", None, Priority.HIGH, (), True),
        ("Email bob@example.com about due:soon and 1+1", None, Priority.NONE, (), False),
    ]
    again = cli("import", str(path))
    assert ": 0 added, 0 updated, 7 skipped (7 already here)." in again.out


def test_todotxt_with_an_impossible_due_date_is_refused_whole(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "todo.txt"
    path.write_text("Fine\nPay rent due:2026-02-30\n")
    result = cli("import", str(path))
    assert result.code == EXIT_FAILURE
    assert result.error_lines == [
        f"taskflow: {path}: line 2: 2026-02-30 is not a real date; nothing was imported."
    ]
    assert alice.count(TaskQuery(status=Status.ALL)) == 0


def test_todotxt_export_writes_the_fields_back_and_reads_them_again(
    cli: CLI, planned: TaskStore, tmp_path: Path
) -> None:
    path, copy = tmp_path / "todo.txt", tmp_path / "copy.db"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    assert path.read_text() == (
        # tags as +projects; due as the due: key, without its time (todo.txt has none);
        # a done task's priority as pri:, since a done line cannot start with (A)
        "(A) 2026-11-20 Pay rent +Bills +home due:2026-11-21\n"
        "2026-11-20 Call mum +family due:2026-11-27\n"
        "(C) 2026-11-20 Report\n"
        "x 2026-11-20 2026-11-20 Renew passport due:2026-11-01 pri:B\n"
    )
    assert cli("import", str(path), db=copy).code == EXIT_OK
    with open_store(copy, user="alice") as restored:
        assert planning(restored, Sort.MANUAL) == [
            ("Pay rent", Due(date(2026, 11, 21)), Priority.HIGH, ("Bills", "home"), False),
            *planning(planned)[1:],
        ]
    # and the same file again into the same database is the same tasks
    again = cli("import", str(path), db=copy)
    assert ": 0 added, 0 updated, 4 skipped (4 already here)." in again.out


# -- CSV -------------------------------------------------------------------------------------------


def test_csv_carries_due_priority_and_tags(cli: CLI, planned: TaskStore, tmp_path: Path) -> None:
    path, copy = tmp_path / "tasks.csv", tmp_path / "copy.db"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    lines = path.read_text().splitlines()
    assert lines[0] == "id,title,description,completed,created_at,updated_at,due,priority,tags"
    assert lines[1].endswith(",2026-11-21 09:00,high,Bills home")
    assert lines[3].endswith(",,low,")  # no due, no tags
    assert cli("import", str(path), db=copy).code == EXIT_OK
    with open_store(copy, user="alice") as restored:
        assert planning(restored, Sort.MANUAL) == planning(planned)


def test_csv_from_a_spreadsheet_with_planning_columns(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        "Title,Due date,Priority,Tags\n"
        'Pay rent,2026-12-01,H,"home, bills"\n'
        "Call mum,2026-12-02T18:30,low,#family\n"
        "Read,,,\n"
    )
    assert cli("import", str(path)).code == EXIT_OK
    assert planning(alice, Sort.MANUAL) == [
        ("Pay rent", Due(date(2026, 12, 1)), Priority.HIGH, ("bills", "home"), False),
        ("Call mum", Due(date(2026, 12, 2), time(18, 30)), Priority.LOW, ("family",), False),
        ("Read", None, Priority.NONE, (), False),
    ]


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ("Bad,tomorrow,,", "line 3: due 'tomorrow' is not a date"),
        ("Bad,,urgent,", "line 3: priority 'urgent' is not none, low, medium or high"),
        ('Bad,,,"a\\b"', "line 3: Invalid tag"),
    ],
)
def test_csv_with_a_bad_planning_cell_is_refused_whole(
    cli: CLI, alice: TaskStore, tmp_path: Path, row: str, complaint: str
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"title,due,priority,tags\nFine,2026-12-01,high,home\n{row}\n")
    result = cli("import", str(path))
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1 and complaint in result.err
    assert alice.count(TaskQuery(status=Status.ALL)) == 0
