"""taskflow export and import, through ``main``: files, databases and output checked."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TextIO

import pytest

from store import (
    Due,
    EventKind,
    Priority,
    RepeatMode,
    Status,
    TaskQuery,
    TaskStore,
    open_store,
    transfer,
)
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

# Text that has broken programs before: markup, escapes, quotes, JSON and CSV syntax,
# right-to-left and combining marks, emoji with joiners, line and paragraph separators.
HOSTILE_TITLES = [
    "[bold red]not markup[/] [link=file:///etc/passwd]x[/link]",
    'Quote " backslash \\ slash / comma, semicolon;',
    '{"format": "taskflow", "tasks": []}',
    "עברית ומספרים 123 \u202eevil override",
    "日本語のタスク 🧑‍💻👩🏽‍🚀 e\u0301 Å",
    "null",
    "x 2026-11-20 looks like todo.txt",
    '=HYPERLINK("http://example.com")',
    "separators \u2028 and \u2029 inside",
    "ends with a backslash \\",
]
HOSTILE_DESCRIPTION = (
    "# Heading\n\n- [ ] item\n\tindented with a tab\n"
    "</script><script>alert(1)</script>\n"
    'CSV, "quoted", and\r\nWindows line ends\n' + "long line " * 2000
)


@pytest.fixture
def source(tmp_path: Path, clock: FrozenClock) -> Iterator[Path]:
    """A database with hostile text, done and edited tasks, an undo and a deleted task."""
    path = tmp_path / "source.db"
    with open_store(path, user="alice", clock=clock) as store:
        tasks = [store.create(title) for title in HOSTILE_TITLES]
        clock.advance(minutes=5)
        noted = store.create("With a long description", HOSTILE_DESCRIPTION)
        store.toggle(tasks[1].id)
        store.update(tasks[2].id, expected_version=1, title=tasks[2].title + " (edited)")
        store.update(noted.id, expected_version=1, description=HOSTILE_DESCRIPTION + "\nmore")
        store.undo()  # reverts the description edit
        gone = store.create("Deleted before the export")
        store.delete(gone.id)
    yield path


def all_tasks(path: Path, user: str = "alice") -> list[tuple[object, ...]]:
    with open_store(path, user=user) as store:
        return [
            (t.id, t.title, t.description, t.completed, t.created_at, t.updated_at, t.version)
            for t in store.list_tasks(TaskQuery(status=Status.ALL))
        ]


def event_count(path: Path, user: str = "alice") -> int:
    with open_store(path, user=user) as store:
        return sum(
            len(events) for events in store.histories(t.id for t in store.list_tasks()).values()
        )


# -- our JSON round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("events", [False, True], ids=["tasks", "with-events"])
def test_json_round_trips_byte_for_byte(
    cli: CLI, source: Path, tmp_path: Path, events: bool
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    copy = tmp_path / "copy.db"
    flag = ["--events"] if events else []
    exported = cli("export", "-o", str(first), *flag, db=source)
    assert exported.code == EXIT_OK
    assert exported.out == f"Exported {len(HOSTILE_TITLES) + 1} tasks to {first} (json).\n"

    imported = cli("import", str(first), db=copy, user="bob")
    assert imported.code == EXIT_OK, imported.err
    assert imported.out.startswith(f"Imported {first} (json): {len(HOSTILE_TITLES) + 1} added,")
    assert cli("export", "-o", str(second), *flag, db=copy, user="bob").code == EXIT_OK

    assert first.read_bytes() == second.read_bytes()
    # and the databases agree, field by field (the owner aside)
    assert all_tasks(copy, "bob") == all_tasks(source)
    titles = {row[1] for row in all_tasks(copy, "bob")}
    assert set(HOSTILE_TITLES) - {HOSTILE_TITLES[2]} <= titles
    text = first.read_text(encoding="utf-8")
    assert "日本語のタスク 🧑‍💻" in text  # UTF-8 as it is, not \u escapes
    assert "Deleted before the export" not in text


def test_json_history_survives_the_round_trip(cli: CLI, source: Path, tmp_path: Path) -> None:
    path, copy = tmp_path / "with-events.json", tmp_path / "copy.db"
    cli("export", "--events", "-o", str(path), db=source)
    cli("import", str(path), db=copy)
    with open_store(source, user="alice") as original, open_store(copy, user="alice") as restored:
        for task in original.list_tasks(TaskQuery(status=Status.ALL)):
            before = [(e.kind, e.at, e.before, e.after) for e in original.history(task.id)]
            after = [(e.kind, e.at, e.before, e.after) for e in restored.history(task.id)]
            assert after == before
    described = [e for e in json.loads(path.read_text())["tasks"] if e["description"]]
    assert [event["kind"] for event in described[0]["events"]] == ["created", "edited", "edited"]
    assert described[0]["events"][2]["reverts"] == 1


def test_export_to_stdout_and_import_from_stdin(cli: CLI, source: Path, tmp_path: Path) -> None:
    exported = cli("export", db=source)
    assert exported.code == EXIT_OK
    assert json.loads(exported.out)["format"] == "taskflow"
    copy = tmp_path / "copy.db"
    needs_format = cli("import", "-", db=copy, stdin=exported.out.encode())
    assert needs_format.code == EXIT_USAGE
    result = cli("import", "-", "--format", "json", db=copy, stdin=exported.out.encode())
    assert result.code == EXIT_OK
    assert result.out.startswith("Imported standard input (json):")
    assert all_tasks(copy) == all_tasks(source)


def test_importing_twice_adds_nothing_and_says_so(cli: CLI, source: Path, tmp_path: Path) -> None:
    path, copy = tmp_path / "export.json", tmp_path / "copy.db"
    cli("export", "--events", "-o", str(path), db=source)
    cli("import", str(path), db=copy)
    rows, events = all_tasks(copy), event_count(copy)
    again = cli("import", str(path), db=copy)
    assert again.code == EXIT_OK
    count = len(HOSTILE_TITLES) + 1
    assert f": 0 added, 0 updated, {count} skipped ({count} already here)." in again.out
    assert all_tasks(copy) == rows
    assert event_count(copy) == events


def test_a_task_changed_here_since_the_export_is_kept(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    task = alice.create("Original")
    path = tmp_path / "export.json"
    cli("export", "-o", str(path))
    alice.update(task.id, expected_version=1, title="Changed here")
    result = cli("import", str(path))
    assert "1 skipped (1 newer here)" in result.out
    assert alice.get(task.id).title == "Changed here"


def test_import_json_output(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    alice.create("Already here")
    path = tmp_path / "export.json"
    cli("export", "-o", str(path))
    document = json.loads(path.read_text())
    document["tasks"].append(
        {**document["tasks"][0], "id": "99999999-9999-4999-8999-999999999999", "title": "New"}
    )
    path.write_text(json.dumps(document))
    report = json.loads(cli("import", str(path), "--json").out)
    assert report["file"] == str(path)
    assert report["format"] == "json"
    assert report["dry_run"] is False
    assert [t["title"] for t in report["added"]] == ["New"]
    assert report["updated"] == []
    assert [(s["title"], s["reason"]) for s in report["skipped"]] == [
        ("Already here", "already here")
    ]
    assert report["reassigned_ids"] == {}
    assert alice.get("99999999-9999-4999-8999-999999999999").title == "New"


# -- Taskwarrior -----------------------------------------------------------------------------------

# Written by hand in the format `task export` documents
# (https://taskwarrior.org/docs/design/task/): a JSON array of objects; dates
# in UTC as YYYYMMDDTHHMMSSZ; annotations as {entry, description}; a recurring
# task is a template with status "recurring" (recur, mask) whose occurrences
# are pending tasks with "parent" and "imask"; deleted tasks keep status "deleted".
TASKWARRIOR_EXPORT = (Path(__file__).parent / "data" / "taskwarrior-export.json").read_text()


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


@pytest.mark.zone("UTC")  # Taskwarrior's UTC times, read back as UTC days
def test_a_taskwarrior_export_is_imported_as_documented(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "taskwarrior.json"
    path.write_text(TASKWARRIOR_EXPORT)
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[0] == (
        f"Imported {path} (taskwarrior): 4 added, 0 updated, "
        "2 skipped (1 deleted in Taskwarrior, 1 recurring template)."
    )
    assert "skipped  c1c2c3c4  Old idea (deleted in Taskwarrior)" in result.out
    assert "skipped  d1d2d3d4  Water plants (recurring template)" in result.out

    tasks = {t.id: t for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
    assert set(tasks) == {
        "a3c8e0b2-1d4f-4e6a-9b7c-0d1e2f3a4b5c",  # uuid kept, in canonical lower case
        "b1b2b3b4-0000-4000-8000-000000000002",
        "e1e2e3e4-0000-4000-8000-000000000005",
        "f1f2f3f4-0000-4000-8000-000000000006",
    }
    groceries = tasks["a3c8e0b2-1d4f-4e6a-9b7c-0d1e2f3a4b5c"]
    assert groceries.title == "Buy groceries"
    assert not groceries.completed
    assert groceries.created_at == utc("20261101T090000Z")
    assert groceries.updated_at == utc("20261102T100000Z")
    # annotations in time order; project, tags and priority have fields of ours
    assert groceries.description == (
        "- 2026-11-01 09:05 UTC: From the corner shop\n- 2026-11-01 09:15 UTC: Milk, eggs"
    )
    # the project is a project of ours; H/M/L are high, medium, low
    assert (groceries.priority, groceries.tags) == (Priority.HIGH, ("errand", "food"))
    paths = alice.project_paths()
    assert paths[groceries.project_id or ""] == "home"
    assert groceries.due is None
    taxes = tasks["b1b2b3b4-0000-4000-8000-000000000002"]
    assert taxes.completed
    assert taxes.created_at == utc("20261020T080000Z")
    assert taxes.updated_at == utc("20261105T120000Z")
    # due at local midnight (the tests run in UTC) is a day without a time
    assert (taxes.due, taxes.priority, taxes.tags) == (Due(date(2026, 11, 1)), Priority.MEDIUM, ())
    assert paths[taxes.project_id or ""] == "admin"
    assert taxes.description == ""
    plants = tasks["e1e2e3e4-0000-4000-8000-000000000005"]
    assert (plants.title, plants.completed) == ("Water plants", False)
    assert plants.due == Due(date(2026, 11, 10), time(8, 0))
    # The template's rule is the series': recur weekly, on schedule, from its due.
    assert plants.description == ""
    assert plants.repeat is not None
    assert (plants.repeat.rule.text, plants.repeat.mode) == ("FREQ=WEEKLY", RepeatMode.SCHEDULE)
    assert plants.repeat.start == date(2026, 11, 10)
    assert (plants.series_id, plants.occurrence) == ("d1d2d3d4-0000-4000-8000-000000000004", 1)
    passport = tasks["f1f2f3f4-0000-4000-8000-000000000006"]
    assert not passport.completed
    assert (passport.due, passport.priority) == (
        Due(date(2026, 12, 15), time(14, 30)),
        Priority.LOW,
    )
    # Home.Papers is a project under "home": the first spelling of a level is kept
    assert passport.tags == ("admin", "travel")
    assert paths[passport.project_id or ""] == "home/Papers"
    assert passport.description == "Taskwarrior: wait 2026-12-01 00:00 UTC"
    for task_id in tasks:
        assert [e.kind for e in alice.history(task_id)] == [EventKind.CREATED]

    again = cli("import", str(path))
    assert again.out.splitlines()[0].endswith(
        "0 added, 0 updated, 6 skipped (1 deleted in Taskwarrior, 1 recurring template, "
        "4 already here)."
    )
    assert alice.count(TaskQuery(status=Status.ALL)) == 4


def test_a_later_taskwarrior_export_updates_what_changed_there(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "taskwarrior.json"
    path.write_text(TASKWARRIOR_EXPORT)
    cli("import", str(path))
    later = json.loads(TASKWARRIOR_EXPORT)
    later[0].update(status="completed", end="20261106T100000Z", modified="20261106T100000Z")
    path.write_text(json.dumps(later))
    result = cli("import", str(path))
    assert "1 added" not in result.out
    assert ": 0 added, 1 updated," in result.out
    groceries = alice.get("a3c8e0b2-1d4f-4e6a-9b7c-0d1e2f3a4b5c")
    assert groceries.completed
    assert groceries.updated_at == utc("20261106T100000Z")
    assert alice.history(groceries.id)[-1].kind is EventKind.TOGGLED


def test_taskwarrior_json_lines_from_older_versions(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    lines = [json.dumps(item) for item in json.loads(TASKWARRIOR_EXPORT)]
    path = tmp_path / "old-taskwarrior.json"
    path.write_text(",\n".join(lines) + "\n")
    result = cli("import", str(path))  # the format is recognised from the content
    assert "(taskwarrior): 4 added" in result.out
    assert alice.count(TaskQuery(status=Status.ALL)) == 4


# -- todo.txt and CSV ------------------------------------------------------------------------------


def test_todotxt_import_and_reimport(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    path = tmp_path / "todo.txt"
    path.write_text(
        "(A) 2026-11-20 Call mom +family @phone\n"
        "x 2026-11-21 2026-11-19 Pay rent\n"
        "Buy bread\n"
        "Buy bread\n"
    )
    first = cli("import", str(path))
    assert first.code == EXIT_OK
    assert "(todotxt): 4 added, 0 updated, 0 skipped." in first.out
    tasks = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert sorted(t.title for t in tasks) == ["Buy bread", "Buy bread", "Call mom", "Pay rent"]
    mom = next(t for t in tasks if t.title == "Call mom")
    assert (mom.priority, mom.tags) == (Priority.HIGH, ("phone",))
    assert alice.project_paths()[mom.project_id or ""] == "family"  # +family: its project
    rent = next(t for t in tasks if t.title == "Pay rent")
    assert rent.completed
    assert rent.created_at == datetime(2026, 11, 19, 12, tzinfo=UTC)

    # Completed elsewhere later: the same task is updated, not added again.
    path.write_text(
        "x 2099-01-02 2026-11-20 (A) Call mom +family @phone\n"
        "x 2026-11-21 2026-11-19 Pay rent\n"
        "Buy bread\n"
        "Buy bread\n"
    )
    second = cli("import", str(path))
    assert ": 0 added, 1 updated, 3 skipped (3 already here)." in second.out
    assert alice.count(TaskQuery(status=Status.ALL)) == 4
    assert alice.count(TaskQuery(status=Status.DONE)) == 2


def test_csv_export_and_import(cli: CLI, source: Path, tmp_path: Path) -> None:
    path, copy = tmp_path / "tasks.csv", tmp_path / "copy.db"
    assert cli("export", "-o", str(path), db=source).code == EXIT_OK  # csv from the name
    assert path.read_bytes().startswith(
        b"id,title,description,completed,created_at,updated_at,due,priority,tags,project,"
        b"parent_id,repeat,repeat_mode,repeat_start,series_id,occurrence\r\n"
    )
    assert cli("import", str(path), db=copy).code == EXIT_OK
    # CSV has every field but the version
    assert [row[:6] for row in all_tasks(copy)] == [row[:6] for row in all_tasks(source)]
    again = cli("import", str(path), db=copy)
    assert ": 0 added, 0 updated," in again.out


def test_csv_warnings_go_to_stderr(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    path = tmp_path / "other-tool.csv"
    path.write_text("title,estimate\nBuy milk,2h\n")
    result = cli("import", str(path))
    assert result.code == EXIT_OK
    assert result.err == "taskflow: warning: ignored column(s) not in TaskFlow: estimate\n"
    assert [t.title for t in alice.list_tasks()] == ["Buy milk"]


def test_export_todotxt(cli: CLI, alice: TaskStore) -> None:
    alice.create("(B) Call mom")
    done = alice.create("Pay rent")
    alice.toggle(done.id)
    day = done.created_at.astimezone().date().isoformat()
    assert cli("export", "--format", "todotxt").out == (
        f"(B) {day} Call mom\nx {day} {day} Pay rent\n"
    )


# -- malformed files: rejected whole, nothing written ----------------------------------------------

GOOD_JSON = {
    "id": "00000000-0000-4000-8000-000000000001",
    "title": "valid",
    "completed": False,
    "created_at": "2026-11-20T09:30:00Z",
    "updated_at": "2026-11-20T09:30:00Z",
}


@pytest.mark.parametrize(
    ("name", "content", "complaint"),
    [
        (
            "bad.json",
            json.dumps(
                {
                    "format": "taskflow",
                    "format_version": 1,
                    "tasks": [GOOD_JSON, {**GOOD_JSON, "id": "x2", "title": ""}],
                }
            ),
            "task 2 (x2): A task needs a title",
        ),
        ("truncated.json", '{"format": "taskflow", "format_version": 1, "tasks": [{', "line 1"),
        (
            "tw.json",
            TASKWARRIOR_EXPORT.replace('"status":"waiting"', '"status":"someday"'),
            "task 6 (f1f2f3f4-0000-4000-8000-000000000006): unknown status 'someday'",
        ),
        (
            "tw-uuid.json",
            TASKWARRIOR_EXPORT.replace("f1f2f3f4-0000-4000-8000-000000000006", "not-a-uuid"),
            "task 6: uuid 'not-a-uuid' is not a UUID",
        ),
        ("todo.txt", "fine\nalso fine\n2026-02-30 impossible date\n", "line 3: 2026-02-30"),
        ("tasks.csv", "title,completed\nok,true\nalso ok,no\nbad,perhaps\n", "line 4: completed"),
        ("binary.txt", "fine\n\udcff\n", "not UTF-8 text (line 2: byte 0xff)"),
    ],
)
def test_a_malformed_file_is_refused_whole_and_nothing_is_written(
    cli: CLI, alice: TaskStore, tmp_path: Path, name: str, content: str, complaint: str
) -> None:
    alice.create("Already here")
    before = (alice.list_tasks(TaskQuery(status=Status.ALL)), alice.last_event_id())
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    for extra in ([], ["--dry-run"]):
        result = cli("import", str(path), *extra)
        assert result.code == EXIT_FAILURE
        assert result.out == ""
        assert len(result.error_lines) == 1
        assert complaint in result.err
        assert result.err.rstrip().endswith("nothing was imported.")
        assert (alice.list_tasks(TaskQuery(status=Status.ALL)), alice.last_event_id()) == before


def test_import_of_a_missing_file_or_a_folder(cli: CLI, tmp_path: Path) -> None:
    missing = cli("import", str(tmp_path / "nope.json"))
    assert missing.code == EXIT_FAILURE
    assert "no such file" in missing.err
    folder = cli("import", str(tmp_path))
    assert folder.code == EXIT_FAILURE
    assert "it is a folder" in folder.err
    unknown = tmp_path / "notes"
    unknown.write_text("some words\n")
    assert "give --format" in cli("import", str(unknown)).err


def test_dry_run_reports_and_writes_nothing(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    path = tmp_path / "taskwarrior.json"
    path.write_text(TASKWARRIOR_EXPORT)
    alice.create("Mine")
    before = (alice.list_tasks(TaskQuery(status=Status.ALL)), alice.last_event_id())
    result = cli("import", str(path), "--dry-run")
    assert result.code == EXIT_OK
    assert result.out.startswith(f"Dry run of {path} (taskwarrior), nothing written: 4 added,")
    assert "added    a3c8e0b2  Buy groceries" in result.out
    assert (alice.list_tasks(TaskQuery(status=Status.ALL)), alice.last_event_id()) == before
    report = json.loads(cli("import", str(path), "--dry-run", "--json").out)
    assert report["dry_run"] is True and len(report["added"]) == 4
    assert alice.count() == 1


# -- export files are written atomically -----------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_export_replaces_a_file_keeping_its_permissions(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("x")
    target = tmp_path / "out" / "tasks.json"
    target.parent.mkdir()
    target.write_text("old contents")
    target.chmod(0o640)
    assert cli("export", "-o", str(target)).code == EXIT_OK
    assert json.loads(target.read_text())["tasks"][0]["title"] == "x"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(target.parent) == []


def test_a_new_export_file_gets_the_usual_permissions(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("x")
    old_umask = os.umask(0o022)
    try:
        target = tmp_path / "fresh.json"
        assert cli("export", "-o", str(target)).code == EXIT_OK
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_export_leaves_the_old_file_whole(
    cli: CLI, alice: TaskStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice.create("x")
    target = tmp_path / "out" / "tasks.json"
    target.parent.mkdir()
    target.write_text("the previous export")

    def disk_full_halfway(rows: object, out: TextIO, paths: object = None) -> int:
        out.write('{\n  "format": "taskflow",\n')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfer, "write_json", disk_full_halfway)
    result = cli("export", "-o", str(target))
    assert result.code == EXIT_FAILURE
    assert result.err == f"taskflow: Cannot write {target}: no space left on device.\n"
    assert target.read_text() == "the previous export"
    assert leftovers(target.parent) == []


@pytest.mark.sqlite_only
def test_export_refuses_to_overwrite_the_database(
    cli: CLI, db_path: Path, alice: TaskStore
) -> None:
    alice.create("x")
    before = db_path.read_bytes()
    result = cli("export", "-o", str(db_path))
    assert result.code == EXIT_FAILURE
    assert "is the database itself" in result.err
    assert db_path.read_bytes() == before


def test_export_usage_errors(cli: CLI, tmp_path: Path) -> None:
    assert cli("export", "--format", "csv", "--events").code == EXIT_USAGE
    assert cli("export", "--format", "xml").code == EXIT_USAGE
    missing_folder = cli("export", "-o", str(tmp_path / "no" / "such" / "x.json"))
    assert missing_folder.code == EXIT_FAILURE
    assert "no such file or directory" in missing_folder.err
    folder = cli("export", "-o", str(tmp_path))
    assert folder.code == EXIT_FAILURE
    assert "is a folder" in folder.err
