"""iCalendar files through ``taskflow export -f ics`` and ``import -f ics``, each checked
in the database afterwards: the round trip is byte-identical, a re-import changes
nothing, a dry run writes nothing, and a VTODO written by another app (Apple Reminders,
Tasks.org, Thunderbird) keeps every property TaskFlow does not map, byte for byte, when
TaskFlow edits it and writes it back.
"""

from __future__ import annotations

import hashlib
from datetime import date, time
from pathlib import Path

import pytest

from store import Due, Priority, Repeat, TaskQuery, TaskStore, open_store
from store.records import Status
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK

pytestmark = pytest.mark.zone("Europe/London")

DATA = Path(__file__).parent / "data"


def every_kind_of_task(store: TaskStore) -> None:
    """Each field the mapping carries, on a handful of tasks."""
    work = store.create_project("Work/Q4")
    plain = store.create(
        "Buy milk, eggs; bread",
        "Two lines,\nwith a ; and a \\ backslash",
        due=Due(date(2026, 11, 21), time(9, 30)),
        priority=Priority.HIGH,
        tags=("shop", "errands"),
    )
    store.create("[bold]Markup[/bold] stays text", due=Due(date(2026, 11, 22)))
    parent = store.create("Launch", project_id=work.id, priority=Priority.MEDIUM)
    store.create("Write the post", parent_id=parent.id, priority=Priority.LOW)
    store.create("Ship it", project_id=work.id, blocked_by=(parent.id,))
    weekly = store.create(
        "Water plants",
        repeat=Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", date(2026, 11, 23)),
        due=Due(date(2026, 11, 23)),
    )
    store.toggle(weekly.id)  # done: the next occurrence follows, in the same series
    store.create("Stretch", repeat=Repeat.of("FREQ=DAILY", "completion", date(2026, 11, 20)))
    done = store.create("A long title " + "that folds " * 12)
    store.toggle(done.id)
    store.toggle(plain.id)
    store.toggle(plain.id)  # open again: version 3


def test_export_import_export_is_byte_identical(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    every_kind_of_task(alice)
    first, second, third = (tmp_path / name for name in ("a.ics", "b.ics", "c.ics"))
    assert cli("export", "-o", str(first)).code == EXIT_OK  # the format from the name
    text = first.read_bytes()
    assert text.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.count(b"BEGIN:VTODO") == 9
    assert all(len(line) <= 75 for line in text.split(b"\r\n"))  # folded
    other = tmp_path / "other.db"
    imported = cli("import", str(first), db=other)
    assert imported.code == EXIT_OK, imported.err
    assert "9 added" in imported.out
    assert cli("export", "-f", "ics", "-o", str(second), db=other).code == EXIT_OK
    assert second.read_bytes() == text
    # Once more, from the copy: nothing drifts.
    third_db = tmp_path / "third.db"
    assert cli("import", str(second), db=third_db).code == EXIT_OK
    assert cli("export", "-o", str(third), db=third_db).code == EXIT_OK
    assert third.read_bytes() == text
    with open_store(other, user="alice") as copy:
        ours = {t.id: t for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
        theirs = {t.id: t for t in copy.list_tasks(TaskQuery(status=Status.ALL))}
        assert ours.keys() == theirs.keys()  # our ids are UUIDs: kept as they are
        for task_id, task in ours.items():
            twin = theirs[task_id]
            assert (twin.title, twin.description, twin.completed, twin.due) == (
                task.title,
                task.description,
                task.completed,
                task.due,
            )
            assert (twin.priority, twin.tags, twin.parent_id, twin.blocked_by) == (
                task.priority,
                task.tags,
                task.parent_id,
                task.blocked_by,
            )
            assert (twin.repeat, twin.series_id, twin.occurrence) == (
                task.repeat,
                task.series_id,
                task.occurrence,
            )
        (launch,) = [t for t in theirs.values() if t.title == "Launch"]
        assert copy.project_paths()[launch.project_id or ""] == "Work/Q4"


def test_a_second_import_changes_nothing_and_a_dry_run_writes_nothing(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    every_kind_of_task(alice)
    calendar = tmp_path / "tasks.ics"
    assert cli("export", "-o", str(calendar)).code == EXIT_OK
    logged, objects = alice.last_event_id(), alice.ical_objects()
    again = cli("import", str(calendar))
    assert again.code == EXIT_OK
    assert "0 added, 0 updated" in again.out
    assert alice.last_event_id() == logged  # no task changed
    assert len(alice.ical_objects()) == 9  # each task keeps the object it came back in
    assert objects == {}  # none had one before: they were made here
    other = tmp_path / "dry.db"
    cli("list", db=other)  # an empty database
    dry = cli("import", "--dry-run", str(calendar), db=other)
    assert dry.code == EXIT_OK
    assert "9 added" in dry.out
    with open_store(other, user="alice") as empty:
        assert empty.count(TaskQuery(status=Status.ALL)) == 0
        assert empty.ical_objects() == {}


def test_export_of_one_project(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    every_kind_of_task(alice)
    out = cli("export", "-f", "ics", "--project", "Work")
    assert out.code == EXIT_OK
    assert out.out.count("BEGIN:VTODO") == 3  # Launch, its subtask, Ship it: Work/Q4
    assert "SUMMARY:Launch" in out.out and "Buy milk" not in out.out
    inbox = cli("export", "-f", "ics", "--project", "")
    assert "Buy milk" in inbox.out and "SUMMARY:Launch" not in inbox.out
    missing = cli("export", "-f", "ics", "--project", "Nope")
    assert missing.code == EXIT_FAILURE
    assert "Nope" in missing.err and "Traceback" not in missing.err


def foreign_lines(text: str) -> list[str]:
    """The physical lines of the file that TaskFlow does not map, in order."""
    mapped = (
        "SUMMARY",
        "STATUS",
        "COMPLETED",
        "PERCENT-COMPLETE",
        "DTSTAMP",
        "LAST-MODIFIED",
        "SEQUENCE",
        "PRODID",
        # A file is one VCALENDAR: the file's own calendar properties are TaskFlow's.
        "CALSCALE",
    )
    lines = text.replace("\r\n", "\n").split("\n")
    return [line for line in lines if line and not line.startswith(mapped)]


@pytest.mark.parametrize(
    "name", ["apple-reminders.ics", "tasks-org.ics", "thunderbird.ics"], ids=lambda n: n[:-4]
)
def test_another_apps_vtodo_is_written_back_with_its_own_properties_intact(
    cli: CLI, alice: TaskStore, name: str
) -> None:
    source = (DATA / name).read_text(encoding="utf-8")
    imported = cli("import", str(DATA / name))
    assert imported.code == EXIT_OK, imported.err
    (task,) = [t for t in alice.list_tasks(TaskQuery(status=Status.ALL)) if not t.parent_id]
    alice.update(task.id, expected_version=task.version, title="Edited in TaskFlow")
    alice.toggle(task.id)
    out = cli("export", "-f", "ics")
    assert out.code == EXIT_OK
    written = out.out
    assert "SUMMARY:Edited in TaskFlow" in written
    assert "STATUS:COMPLETED" in written
    # Every line TaskFlow does not map is there as it came (folds and all), in order;
    # only the VEVENT the import skipped is not.
    expected = [line for line in foreign_lines(source) if not _inside_event(source, line)]
    assert [line for line in foreign_lines(written) if line in expected] == expected
    assert set(expected) <= set(written.replace("\r\n", "\n").split("\n"))


def _inside_event(source: str, line: str) -> bool:
    start, end = source.find("BEGIN:VEVENT"), source.find("END:VEVENT")
    return start >= 0 and line in source[start : end + len("END:VEVENT")].split("\n")


def test_apple_reminders_fields_are_mapped(cli: CLI, alice: TaskStore) -> None:
    result = cli("import", str(DATA / "apple-reminders.ics"))
    assert "1 a VEVENT, not a task" in result.out  # said, not imported
    assert "is not a UUID" in result.out  # Apple's UID is kept in the object, not as our id
    (task,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert task.title == "Call the dentist"
    assert task.description == "Ask about Tuesday, 9am\nbring the card"
    # DUE;TZID=Europe/Berlin 15:00 is 14:00 in London, where this test runs.
    assert task.due == Due(date(2026, 12, 10), time(14, 0))
    assert task.priority is Priority.MEDIUM
    assert task.tags == ("Health", "To-call")  # "To call": a tag is one word
    objects = alice.ical_objects()
    assert objects[task.id].uid == "7A1B2C3D-APPLE-REMINDER-0001"
    assert objects[task.id].sequence == 3
    out = cli("export", "-f", "ics").out
    assert "UID:7A1B2C3D-APPLE-REMINDER-0001" in out  # written back with its own UID
    alice.update(task.id, expected_version=task.version, priority=Priority.HIGH)
    changed = cli("export", "-f", "ics").out
    assert "PRIORITY:1\r\n" in changed and "SEQUENCE:4\r\n" in changed
    assert "DUE;TZID=Europe/Berlin:20261210T150000" in changed  # not moved: kept as it was


def test_tasks_org_subtask_and_categories(cli: CLI, alice: TaskStore) -> None:
    assert cli("import", str(DATA / "tasks-org.ics")).code == EXIT_OK
    tasks = {t.title: t for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
    parent, child = tasks["Plan the trip"], tasks["Book the train"]
    assert child.parent_id == parent.id
    assert child.completed and not parent.completed
    assert parent.due == Due(date(2026, 12, 20))
    assert parent.tags == ("holiday",)


def test_thunderbird_utc_due_and_a_rule_taskflow_does_not_keep(cli: CLI, alice: TaskStore) -> None:
    result = cli("import", str(DATA / "thunderbird.ics"))
    assert result.code == EXIT_OK
    assert "repeat rule" in result.out + result.err  # warned, imported without it
    (task,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert task.due == Due(date(2026, 12, 9), time(8, 0))  # 08:00Z is 08:00 in London
    assert task.repeat is None
    assert task.priority is Priority.LOW
    out = cli("export", "-f", "ics").out
    assert "RRULE:FREQ=HOURLY;BYSECOND=5" in out  # not ours to change: kept as it came


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("BEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\n", "BEGIN:VCALENDAR"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n", "END:VCALENDAR"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:x\r\n", "ends inside VTODO"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nno colon here\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
         "not an iCalendar content line"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:" + "x" * 600
         + "\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "title"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:x\r\nDUE:2026-12-01\r\n"
         "END:VTODO\r\nEND:VCALENDAR\r\n", "VTODO"),
    ],
    ids=["no-calendar", "unclosed-todo", "truncated", "not-a-line", "huge-title", "bad-due"],
)  # fmt: skip
def test_a_broken_file_is_refused_whole_with_one_line(
    cli: CLI, alice: TaskStore, tmp_path: Path, text: str, said: str
) -> None:
    alice.create("Already here")
    before = alice.last_event_id()
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:ok\r\nSUMMARY:Fine\r\nEND:VTODO\r\n"
                      "END:VCALENDAR\r\n" + text, encoding="utf-8")  # fmt: skip
    result = cli("import", str(broken))
    assert result.code == EXIT_FAILURE
    assert said in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert alice.last_event_id() == before  # nothing was imported, the good task neither
    assert [t.title for t in alice.list_tasks(TaskQuery(status=Status.ALL))] == ["Already here"]


def test_an_untitled_vtodo_and_markup_are_kept_as_text(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    calendar = tmp_path / "odd.ics"
    calendar.write_bytes(
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:u1\nEND:VTODO\n"
        b"BEGIN:VTODO\nUID:u2\nSUMMARY:[red]alarm[/red] \\, \\\\n\nEND:VTODO\nEND:VCALENDAR\n"
    )  # LF line ends, as a hand-made file has them
    assert cli("import", str(calendar)).code == EXIT_OK
    titles = sorted(t.title for t in alice.list_tasks(TaskQuery(status=Status.ALL)))
    assert titles == ["(untitled)", "[red]alarm[/red] , \\n"]


def test_the_file_is_written_atomically_and_the_digest_is_stable(
    cli: CLI, alice: TaskStore, clock: FrozenClock, tmp_path: Path
) -> None:
    every_kind_of_task(alice)
    out = tmp_path / "x.ics"
    cli("export", "-o", str(out))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    clock.advance(hours=5)  # no export time is written
    cli("export", "-o", str(out))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("x")) == ["x.ics"]


def calendar_of(*todos: str) -> str:
    body = "".join(f"BEGIN:VTODO\r\n{todo}END:VTODO\r\n" for todo in todos)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{body}END:VCALENDAR\r\n"


def test_a_task_named_that_is_not_in_the_file_is_left_out_with_a_warning(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    calendar = tmp_path / "dangling.ics"
    calendar.write_text(
        calendar_of(
            "UID:a\r\nSUMMARY:Waits\r\nRELATED-TO;RELTYPE=DEPENDS-ON:elsewhere\r\n"
            "RELATED-TO;RELTYPE=DEPENDS-ON:a\r\n",
            "UID:b\r\nSUMMARY:Orphan\r\nRELATED-TO:gone-parent\r\n",
        ),
        encoding="utf-8",
    )
    result = cli("import", str(calendar))
    assert result.code == EXIT_OK, result.err
    assert "depends on elsewhere" in result.out + result.err
    assert "subtask of gone-parent" in result.out + result.err
    tasks = {t.title: t for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
    assert tasks["Waits"].blocked_by == () and tasks["Orphan"].parent_id is None


def test_two_vtodos_with_one_uid_are_refused(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    calendar = tmp_path / "twice.ics"
    calendar.write_text(
        calendar_of("UID:same\r\nSUMMARY:One\r\n", "UID:same\r\nSUMMARY:Two\r\n"),
        encoding="utf-8",
    )
    result = cli("import", str(calendar))
    assert result.code == EXIT_FAILURE
    assert "'same'" in result.err and "nothing was imported" in result.err
    assert alice.count(TaskQuery(status=Status.ALL)) == 0


def test_a_vtodo_without_uid_gets_one_and_stays_one_task(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    calendar = tmp_path / "no-uid.ics"
    calendar.write_text(calendar_of("SUMMARY:No uid\r\n"), encoding="utf-8")
    assert cli("import", str(calendar)).code == EXIT_OK
    (task,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    alice.update(task.id, expected_version=task.version, title="Now edited")
    exported = tmp_path / "out.ics"
    assert cli("export", "-o", str(exported)).code == EXIT_OK
    uid = alice.ical_objects()[task.id].uid
    assert f"UID:{uid}\r\n" in exported.read_bytes().decode()
    again = cli("import", str(exported))
    assert "0 added" in again.out
    assert [t.title for t in alice.list_tasks(TaskQuery(status=Status.ALL))] == ["Now edited"]


def test_a_quoted_tzid_with_a_colon_is_read_and_kept(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:(UTC+05:00) Custom\r\nBEGIN:STANDARD\r\n"
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    text = calendar_of(
        'UID:z\r\nSUMMARY:Zoned\r\nDUE;TZID="(UTC+05:00) Custom":20261210T120000\r\n'
    ).replace("PRODID:-//t//EN\r\n", "PRODID:-//t//EN\r\n" + zone)
    calendar = tmp_path / "zone.ics"
    calendar.write_text(text, encoding="utf-8")
    assert cli("import", str(calendar)).code == EXIT_OK
    (task,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert task.due == Due(date(2026, 12, 10), time(7, 0))  # 12:00 at +05:00, in London
    out = cli("export", "-f", "ics").out
    assert "TZID:(UTC+05:00) Custom" in out  # its zone travels with it
