"""store.transfer's readers and writers, and TaskStore.import_tasks's rules."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from store import (
    Due,
    EventKind,
    FileFormatError,
    NewTask,
    Priority,
    Repeat,
    RepeatMode,
    Rule,
    Status,
    TaskQuery,
    TaskStore,
    ValidationError,
    open_store,
    transfer,
)
from store.transfer import Format
from tests.helpers import FROZEN_START, FrozenClock


def parse(text: str, fmt: Format) -> transfer.ParsedFile:
    return transfer.parse(text, fmt, name="test file")


def export_json(store: TaskStore, *, events: bool = False) -> str:
    out = io.StringIO()
    transfer.write_json(store.export_tasks(events=events), out)
    return out.getvalue()


# -- our JSON ------------------------------------------------------------------------------------


def test_streamed_json_is_exactly_what_json_dumps_writes(store: TaskStore) -> None:
    assert export_json(store) == transfer.dumps(json.loads(export_json(store))) + "\n"
    store.create("one", "with\nlines and \x09 tab")
    task = store.create("two ✓ \u2028 [b]")
    store.toggle(task.id)
    for events in (False, True):
        text = export_json(store, events=events)
        assert text == transfer.dumps(json.loads(text)) + "\n"


def test_json_document_shape(store: TaskStore) -> None:
    task = store.create("Shape", "notes")
    stamp = task.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert stamp.startswith("2026-11-20T09:30:00.0000")
    document = json.loads(export_json(store, events=True))
    assert document["format"] == "taskflow"
    assert document["format_version"] == 4
    assert document["projects"] == []
    (item,) = document["tasks"]
    assert item == {
        "id": task.id,
        "title": "Shape",
        "description": "notes",
        "completed": False,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
        "due": None,
        "priority": "none",
        "tags": [],
        "position": 1.0,
        "project": None,
        "parent_id": None,
        "blocked_by": [],
        "repeat": None,
        "series_id": None,
        "occurrence": None,
        "events": [
            {
                "kind": "created",
                "at": stamp,
                "before": None,
                "after": {
                    "title": "Shape",
                    "description": "notes",
                    "completed": False,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                    "due": None,
                    "priority": 0,
                    "tags": [],
                    "position": 1.0,
                    "repeat": None,
                    "series_id": None,
                    "occurrence": None,
                },
                "reverts": None,
            }
        ],
    }


def test_an_undo_in_the_history_names_the_event_by_position(store: TaskStore) -> None:
    task = store.create("Draft")
    store.update(task.id, expected_version=1, title="Final")
    store.undo()
    events = json.loads(export_json(store, events=True))["tasks"][0]["events"]
    assert [(e["kind"], e["reverts"]) for e in events] == [
        ("created", None),
        ("edited", None),
        ("edited", 1),
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "line 1, column 1: Expecting value"),
        ('{"format": "taskflow", "format_version": 1, "tasks": [', "line 1, column 55"),
        ("[]", "not a TaskFlow export"),
        ('{"format": "taskflow", "format_version": 5, "tasks": []}', "newer TaskFlow"),
        ('{"format": "taskflow", "format_version": 1}', '"tasks" must be a list'),
        ('{"format": "taskflow", "format_version": 1, "tasks": [], "x": 1}', "unknown top-level"),
        ('{"format": "taskflow", "format_version": 1, "tasks": [7]}', "task 1: must be an object"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_json_is_refused_with_where_and_why(text: str, complaint: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.JSON)
    assert complaint in str(refused.value)
    assert str(refused.value).startswith("test file: ")
    assert str(refused.value).endswith("nothing was imported.")


GOOD_TASK = {
    "id": "11111111-1111-4111-8111-111111111111",
    "title": "ok",
    "description": "",
    "completed": False,
    "created_at": "2026-11-20T09:30:00.000000Z",
    "updated_at": "2026-11-20T09:30:00.000000Z",
    "version": 1,
}


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"title": ""}, "task 2 (11111111-1111-4111-8111-111111111111): A task needs a title"),
        ({"title": "a\nb"}, "A title is one line"),
        ({"title": "x" * 501}, "at most 500 characters"),
        ({"description": "y" * 100_001}, "at most 100,000 characters"),
        ({"title": "bell\x07"}, "control character (U+0007"),
        ({"completed": "yes"}, "completed must be true or false"),
        ({"created_at": "yesterday"}, "created_at 'yesterday' is not an ISO 8601 timestamp"),
        ({"updated_at": "2026-11-20T09:30:00"}, "has no time zone"),
        ({"version": 0}, "version must be a whole number from 1"),
        ({"id": ""}, "the id must be non-empty text"),
        ({"id": "has space"}, "is not usable"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"events": [{"kind": "exploded"}]}, "must have exactly the fields"),
    ],
)
def test_one_bad_task_refuses_the_file_naming_it(
    changes: dict[str, object], complaint: str
) -> None:
    bad = {**GOOD_TASK, "id": "11111111-1111-4111-8111-111111111111", **changes}
    first = {**GOOD_TASK, "id": "00000000-0000-4000-8000-000000000000"}
    text = json.dumps({"format": "taskflow", "format_version": 1, "tasks": [first, bad]})
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.JSON)
    assert complaint in str(refused.value)
    assert "task 2" in str(refused.value)


def test_a_repeated_id_refuses_the_file() -> None:
    text = json.dumps({"format": "taskflow", "format_version": 1, "tasks": [GOOD_TASK, GOOD_TASK]})
    with pytest.raises(FileFormatError, match=r"task 2 .* has the same id as task 1"):
        parse(text, Format.JSON)


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        ({"kind": "created", "before": None, "after": None}, "needs before null and after set"),
        ({"kind": "edited", "before": None}, "needs before set and after set"),
        ({"kind": "deleted", "after": "snapshot"}, "needs before set and after null"),
        ({"reverts": 0}, "reverts must be null or the position of an earlier event"),
        ({"at": "2026-11-20"}, "has no time zone"),
        ({"after": {"title": "x"}}, "must be null or an object with"),
    ],
)
def test_malformed_history_is_refused(event: dict[str, object], complaint: str) -> None:
    snapshot = {k: GOOD_TASK[k] for k in ("title", "description", "completed", "version")}
    snapshot |= {"created_at": GOOD_TASK["created_at"], "updated_at": GOOD_TASK["updated_at"]}
    base = {
        "kind": "created",
        "at": "2026-11-20T09:30:00Z",
        "before": None,
        "after": snapshot,
        "reverts": None,
    }
    for key, value in event.items():
        base[key] = snapshot if value == "snapshot" else value
    text = json.dumps(
        {"format": "taskflow", "format_version": 1, "tasks": [{**GOOD_TASK, "events": [base]}]}
    )
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.JSON)
    assert complaint in str(refused.value)
    assert "event 1" in str(refused.value)


# -- todo.txt ------------------------------------------------------------------------------------


def test_todotxt_fields() -> None:
    parsed = parse(
        "(A) 2026-11-20 Call mom +family @phone due:2026-11-25\n"
        "x 2026-11-21 2026-11-19 Pay rent +home\n"
        "\n"
        "x Done without dates\n"
        "2026-11-18 Plain with a date\n"
        "Plain\n",
        Format.TODOTXT,
    )
    tasks = parsed.tasks
    assert [t.title for t in tasks] == [
        "Call mom",
        "Pay rent",
        "Done without dates",
        "Plain with a date",
        "Plain",
    ]
    # (A) is high; the +project is the project, @contexts are tags; due: is the due date
    assert (tasks[0].priority, tasks[0].tags, tasks[0].project) == (
        Priority.HIGH,
        ("phone",),
        "family",
    )
    assert tasks[0].due == Due(date(2026, 11, 25))
    assert (tasks[1].priority, tasks[1].tags, tasks[1].due) == (Priority.NONE, (), None)
    assert tasks[1].project == "home" and tasks[1].carries == {"project_id"}
    assert (tasks[2].project, tasks[2].carries) == (None, frozenset())  # says nothing of it
    assert [t.completed for t in tasks] == [False, True, True, False, False]
    assert [t.where for t in tasks] == ["line 1", "line 2", "line 4", "line 5", "line 6"]
    noon = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert tasks[0].created_at == noon
    assert tasks[0].updated_at is None  # an open line does not say when it changed
    assert tasks[1].created_at == noon - timedelta(days=1)
    assert tasks[1].updated_at == noon + timedelta(days=1)  # the completion date
    assert tasks[2].created_at is None and tasks[2].updated_at is None
    assert tasks[4].created_at is None


def test_todotxt_identity_ignores_completion_and_priority() -> None:
    (open_line,) = parse("(B) 2026-11-20 Call mom\n", Format.TODOTXT).tasks
    (done_line,) = parse("x 2026-11-22 2026-11-20 Call mom\n", Format.TODOTXT).tasks
    (kept_priority,) = parse("x 2026-11-22 2026-11-20 (B) Call mom\n", Format.TODOTXT).tasks
    (other_priority,) = parse("(A) 2026-11-20   Call  mom\n", Format.TODOTXT).tasks
    assert open_line.id == done_line.id == kept_priority.id == other_priority.id
    (other_day,) = parse("2026-11-21 Call mom\n", Format.TODOTXT).tasks
    assert other_day.id != open_line.id


def test_todotxt_identical_lines_are_two_tasks_with_stable_ids() -> None:
    first = parse("Buy bread\nBuy bread\n", Format.TODOTXT).tasks
    again = parse("Buy bread\nBuy bread\n", Format.TODOTXT).tasks
    assert len({t.id for t in first}) == 2
    assert [t.id for t in first] == [t.id for t in again]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("ok\n2026-02-30 Not a day\n", "line 2: 2026-02-30 is not a real date"),
        ("ok\n\n(A) 2026-11-20 \n", "line 3: the line has no task text"),
        ("x 2026-11-20\n", "line 1: the line has no task text"),
        ("fine\nbad \x1b[31m\n", "line 2: The title contains a control character"),
        ("y" * 501 + "\n", "line 1: A title is at most 500 characters"),
    ],
)
def test_malformed_todotxt_names_the_line(text: str, complaint: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.TODOTXT)
    assert complaint in str(refused.value)


def test_todotxt_written_and_read_back(store: TaskStore) -> None:
    store.create("(A) Call mom +family @phone")
    done = store.create("Pay rent")
    store.toggle(done.id)
    out = io.StringIO()
    transfer.write_todotxt(store.list_tasks(TaskQuery(status=Status.ALL)), out)
    assert out.getvalue() == (
        "(A) 2026-11-20 Call mom +family @phone\nx 2026-11-20 2026-11-20 Pay rent\n"
    )
    # A title from before priorities and tags were fields is read back into them.
    read = parse(out.getvalue(), Format.TODOTXT).tasks
    assert [(t.title, t.priority, t.tags, t.project) for t in read] == [
        ("Call mom", Priority.HIGH, ("phone",), "family"),
        ("Pay rent", Priority.NONE, (), None),
    ]


def rule_of(task: transfer.ImportedTask) -> tuple[str, RepeatMode] | None:
    return None if task.repeat is None else (task.repeat.rule.text, task.repeat.mode)


def test_todotxt_rec_and_rrule_keys() -> None:
    parsed = parse(
        "2026-11-20 Water plants due:2026-11-23 rec:1w\n"
        "Pay rent due:2026-12-01 rec:+1m\n"
        "Standup due:2026-11-23 rec:+1b\n"
        "Stretch rec:3\n"
        "Yearly review due:2026-12-31 REC:+2Y\n"
        "Bins due:2026-11-23 rrule:FREQ=WEEKLY;BYDAY=MO,TH\n"
        "Dentist due:2026-11-23 rrule:!FREQ=MONTHLY;INTERVAL=6;UNTIL=20281231\n"
        "Call mom rec:2b\n"
        "Odd rec:1h rrule:FREQ=HOURLY\n"
        "x 2026-11-24 2026-11-20 Water plants due:2026-11-23 rec:1w\n",
        Format.TODOTXT,
    )
    tasks = parsed.tasks
    assert [rule_of(t) for t in tasks] == [
        ("FREQ=WEEKLY", RepeatMode.COMPLETION),  # rec:1w: a week after completion
        ("FREQ=MONTHLY", RepeatMode.SCHEDULE),  # rec:+1m: a month after the due date
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", RepeatMode.SCHEDULE),  # every business day
        ("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION),  # no unit: days
        ("FREQ=YEARLY;INTERVAL=2", RepeatMode.SCHEDULE),
        ("FREQ=WEEKLY;BYDAY=MO,TH", RepeatMode.SCHEDULE),
        ("FREQ=MONTHLY;INTERVAL=6;UNTIL=20281231", RepeatMode.COMPLETION),
        None,
        None,
        None,  # done: it repeats no more
    ]
    assert [t.title for t in tasks[:7]] == [
        "Water plants",
        "Pay rent",
        "Standup",
        "Stretch",
        "Yearly review",
        "Bins",
        "Dentist",
    ]
    # What is not a rule of ours stays in the title, with a warning each.
    assert [t.title for t in tasks[7:9]] == ["Call mom rec:2b", "Odd rec:1h rrule:FREQ=HOURLY"]
    assert len(parsed.warnings) == 3
    assert parsed.warnings[0].startswith("line 8: 'rec:2b' is not a repeat TaskFlow keeps")
    # The rule counts from the due date, the start settled on import (none given here).
    assert tasks[0].repeat is not None and tasks[0].repeat.start == date(2026, 11, 23)
    assert not tasks[0].repeat_start_given and tasks[0].carries == {"repeat"}
    assert tasks[3].due is None  # the import gives it the import's day
    assert "repeat" not in tasks[9].carries and tasks[9].completed
    # The identity is the text: completing the line (and its rec:) finds the same task.
    (done,) = parse(
        "x 2026-11-24 2026-11-20 Water plants due:2026-11-23 rec:1w\n", Format.TODOTXT
    ).tasks
    assert done.id == tasks[0].id


@pytest.mark.parametrize(
    ("rule", "mode", "word"),
    [
        ("FREQ=WEEKLY", RepeatMode.SCHEDULE, "rec:+1w"),
        ("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION, "rec:3d"),
        ("FREQ=MONTHLY;INTERVAL=2", RepeatMode.SCHEDULE, "rec:+2m"),
        ("FREQ=YEARLY", RepeatMode.COMPLETION, "rec:1y"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", RepeatMode.SCHEDULE, "rec:+1b"),
        ("FREQ=DAILY;BYDAY=FR,TH,WE,TU,MO", RepeatMode.COMPLETION, "rec:1b"),
        ("FREQ=WEEKLY;BYDAY=MO", RepeatMode.SCHEDULE, "rrule:FREQ=WEEKLY;BYDAY=MO"),
        ("FREQ=MONTHLY;BYDAY=-1FR", RepeatMode.SCHEDULE, "rrule:FREQ=MONTHLY;BYDAY=-1FR"),
        (
            "FREQ=DAILY;INTERVAL=2;UNTIL=20270101",
            RepeatMode.COMPLETION,
            "rrule:!FREQ=DAILY;INTERVAL=2;UNTIL=20270101",
        ),
    ],
)
def test_a_repeat_as_a_todotxt_word_reads_back(rule: str, mode: RepeatMode, word: str) -> None:
    repeat = Repeat.of(rule, mode, date(2026, 11, 23))
    assert transfer.todotxt_repeat(repeat) == word
    (task,) = parse(f"Something due:2026-11-23 {word}\n", Format.TODOTXT).tasks
    assert task.repeat is not None and task.repeat.mode is mode
    assert transfer.todotxt_repeat(task.repeat) == word  # and it is written the same again
    if not rule.startswith("FREQ=DAILY;BYDAY"):  # every weekday reads as the weekly rule
        assert task.repeat.rule == Rule.parse(rule)


def test_todotxt_written_with_its_repeats(store: TaskStore) -> None:
    weekly = Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    plants = store.create("Water plants", due=Due(date(2026, 11, 23)), repeat=weekly)
    store.toggle(plants.id)
    day = plants.created_at.astimezone().date().isoformat()  # a local day, as todo.txt's
    out = io.StringIO()
    transfer.write_todotxt(store.list_tasks(TaskQuery(status=Status.ALL)), out)
    assert out.getvalue().splitlines() == [
        f"x {day} {day} Water plants due:2026-11-23",  # done: no rec:
        f"{day} Water plants due:2026-11-30 rec:+1w",
    ]


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_repeat_columns() -> None:
    text = (
        "title,due,repeat,repeat_mode,repeat_start,series_id,occurrence\n"
        "Water plants,2026-11-30,FREQ=WEEKLY;BYDAY=MO,,2026-11-23,s1,2\n"
        "Watered,2026-11-23,,schedule,,s1,1\n"
        "Stretch,2026-11-21,RRULE:freq=daily;interval=3,Completion,,,\n"
        "Plain,,,,,,\n"
    )
    parsed = parse(text, Format.CSV)
    plants, watered, stretch, plain = parsed.tasks
    assert plants.repeat == Repeat.of(
        "FREQ=WEEKLY;BYDAY=MO", RepeatMode.SCHEDULE, date(2026, 11, 23)
    )
    assert plants.repeat_start_given and (plants.series_id, plants.occurrence) == ("s1", 2)
    assert (watered.repeat, watered.series_id, watered.occurrence) == (None, "s1", 1)
    assert rule_of(stretch) == ("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION)
    assert not stretch.repeat_start_given and stretch.repeat is not None
    assert stretch.repeat.start == date(2026, 11, 21)  # the due's day until the import
    assert (stretch.series_id, plain.repeat, plain.series_id) == (None, None, None)
    assert plants.carries == {"repeat", "series_id"}
    # Without the columns, a file says nothing of repeats: the tasks keep theirs.
    (bare,) = parse("title\nPlain\n", Format.CSV).tasks
    assert bare.carries == frozenset()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("title,repeat\nx,FREQ=HOURLY\n", "line 2: repeat: A repeat rule needs FREQ"),
        ("title,repeat,repeat_mode\nx,FREQ=DAILY,often\n", "line 2: repeat: A repeat mode is"),
        ("title,repeat,repeat_start\nx,FREQ=DAILY,soon\n", "line 2: the repeat's start 'soon'"),
        ("title,series_id\nx,s1\n", "line 1: the series_id and occurrence columns go together"),
        ("title,series_id,occurrence\nx,s1,\n", "line 2: series_id and occurrence go together"),
        ("title,series_id,occurrence\nx,s1,²\n", "line 2: occurrence '²' is not a whole number"),
        ("title,series_id,occurrence\nx,s1,0\n", "line 2: occurrence must be a whole number"),
        (
            "title,series_id,occurrence\nx,s1,1\ny,s1,1\n",
            "line 3 and line 2 are both occurrence 1 of the series s1",
        ),
    ],
)
def test_malformed_csv_repeats_name_the_line(text: str, complaint: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.CSV)
    assert complaint in str(refused.value)


def test_csv_with_ids_quotes_and_newlines_round_trips(store: TaskStore) -> None:
    store.create('Quote " and, comma', "line one\nline two")
    task = store.create("=SUM(A1) stays text")
    store.toggle(task.id)
    out = io.StringIO()
    transfer.write_csv(store.list_tasks(TaskQuery(status=Status.ALL)), out)
    read = parse(out.getvalue(), Format.CSV).tasks
    stored = store.list_tasks(TaskQuery(status=Status.ALL))
    assert [(t.id, t.title, t.description, t.completed) for t in read] == [
        (s.id, s.title, s.description, s.completed) for s in stored
    ]
    assert [t.created_at for t in read] == [s.created_at for s in stored]
    assert [t.updated_at for t in read] == [s.updated_at for s in stored]


def test_csv_from_elsewhere_without_ids() -> None:
    text = (
        "\ufeffTitle,Done,Created,Priority\r\n"
        "Buy milk,yes,2026-11-20,high\r\n"
        '"Call, then write",,2026-11-20T10:00:00+01:00,\r\n'
        "\r\n"
        "Buy milk,no,2026-11-20,low\r\n"
    )
    parsed = parse(text.encode("utf-8").decode("utf-8-sig"), Format.CSV)
    assert parsed.warnings == ()  # priority is a column of ours now
    first, second, third = parsed.tasks
    assert [t.priority for t in parsed.tasks] == [Priority.HIGH, Priority.NONE, Priority.LOW]
    assert (first.title, first.completed) == ("Buy milk", True)
    assert first.created_at == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert second.title == "Call, then write"
    assert second.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert third.where == "line 5"
    assert first.id != third.id  # same text and date, second occurrence
    again = parse(text.encode("utf-8").decode("utf-8-sig"), Format.CSV).tasks
    assert [t.id for t in again] == [t.id for t in parsed.tasks]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "no header row"),
        ("name,notes\nx,y\n", "line 1: there is no title column"),
        ("title,title\nx,y\n", "the column 'title' appears twice"),
        ("title,completed\nok,true\nfine,maybe\n", "line 3: completed is 'maybe'"),
        ("title,description\nok,\n,notes\n", "line 3: A task needs a title"),
        ('title\nok\n"multi\nline",extra\n', "line 3: 2 fields, but the header has 1"),
        ('title\n"unterminated\n', "line 2:"),
        ("title,created_at\nok,last tuesday\n", "line 2: created_at 'last tuesday'"),
        ("title\nnul\x00here\n", "line 2:"),
    ],
)
def test_malformed_csv_names_the_line(text: str, complaint: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        parse(text, Format.CSV)
    assert complaint in str(refused.value)


def test_csv_record_spanning_lines_is_numbered_by_its_first_line() -> None:
    text = 'title,description\nfirst,"one\ntwo\nthree"\n,missing title\n'
    with pytest.raises(FileFormatError, match="line 5: A task needs a title"):
        parse(text, Format.CSV)


# -- reading files, detecting formats ------------------------------------------------------------


def test_read_file_refuses_non_utf8_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("fine\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"not UTF-8 text \(line 2: byte 0xe9\)"):
        transfer.read_file(path)


def test_read_file_names_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"Cannot read .*missing\.json: no such file"):
        transfer.read_file(tmp_path / "missing.json")
    with pytest.raises(FileFormatError, match="it is a folder"):
        transfer.read_file(tmp_path)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("tasks.csv", "title\n", Format.CSV),
        ("todo.txt", "x done\n", Format.TODOTXT),
        ("export.json", '{\n  "format": "taskflow"', Format.JSON),
        ("tw.json", '[\n{"uuid": "x"}]', Format.TASKWARRIOR),
        ("tw.data", '{"uuid":"x","description":"y"}\n', Format.TASKWARRIOR),
    ],
)
def test_format_detection(name: str, text: str, expected: Format) -> None:
    assert transfer.detect_format(name, text, name) is expected


def test_an_unknown_format_asks_for_format() -> None:
    with pytest.raises(FileFormatError, match="give --format"):
        transfer.detect_format("notes", "just words", "notes")


# -- TaskStore.import_tasks ----------------------------------------------------------------------


def imported(
    title: str,
    *,
    task_id: str = "22222222-2222-4222-8222-222222222222",
    completed: bool = False,
    updated: datetime | None = None,
    description: str = "",
) -> transfer.ImportedTask:
    return transfer.ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=completed,
        created_at=FROZEN_START - timedelta(days=10),
        updated_at=updated,
        where="task 1",
    )


def test_new_tasks_keep_their_ids_and_times_and_get_a_created_event(store: TaskStore) -> None:
    outcome = store.import_tasks(
        [imported("From a file", updated=FROZEN_START - timedelta(days=9))]
    )
    (task,) = outcome.added
    assert task == store.get("22222222-2222-4222-8222-222222222222")
    assert task.created_at == FROZEN_START - timedelta(days=10)
    assert task.updated_at == FROZEN_START - timedelta(days=9)
    (event,) = store.history(task.id)
    assert event.kind is EventKind.CREATED
    assert event.after is not None and event.after.title == "From a file"


def test_a_second_import_of_the_same_tasks_adds_nothing(store: TaskStore) -> None:
    tasks = [imported("Once")]
    store.import_tasks(tasks)
    last_event = store.last_event_id()
    outcome = store.import_tasks(tasks)
    assert (len(outcome.added), len(outcome.updated), len(outcome.unchanged)) == (0, 0, 1)
    assert store.count() == 1
    assert store.last_event_id() == last_event


def test_a_newer_copy_updates_with_an_undoable_event(store: TaskStore) -> None:
    store.import_tasks([imported("Old title", updated=FROZEN_START - timedelta(days=9))])
    newer = imported("New title", completed=True, updated=FROZEN_START + timedelta(days=1))
    outcome = store.import_tasks([newer])
    (task,) = outcome.updated
    assert (task.title, task.completed, task.version) == ("New title", True, 2)
    assert task.updated_at == FROZEN_START + timedelta(days=1)
    assert store.history(task.id)[-1].kind is EventKind.EDITED
    store.undo()
    assert store.get(task.id).title == "Old title"


def test_only_the_done_state_changing_is_logged_as_a_toggle(store: TaskStore) -> None:
    store.import_tasks([imported("Same", updated=FROZEN_START - timedelta(days=9))])
    store.import_tasks([imported("Same", completed=True, updated=FROZEN_START)])
    assert store.history("22222222-2222-4222-8222-222222222222")[-1].kind is EventKind.TOGGLED


def test_an_older_or_undated_copy_never_overwrites_ours(store: TaskStore) -> None:
    store.import_tasks([imported("Imported")])
    task_id = "22222222-2222-4222-8222-222222222222"
    current = store.get(task_id)
    mine = store.update(task_id, expected_version=current.version, title="Mine")
    older = imported("Theirs", updated=mine.updated_at - timedelta(seconds=1))
    undated = imported("Theirs")
    for copy in (older, undated):
        outcome = store.import_tasks([copy])
        assert outcome.kept_newer == (mine,)
        assert outcome.updated == ()
    assert store.get(task_id) == mine


def test_a_dry_run_reports_everything_and_writes_nothing(store: TaskStore) -> None:
    store.import_tasks([imported("Present", updated=FROZEN_START - timedelta(days=9))])
    before = (store.list_tasks(TaskQuery(status=Status.ALL)), store.last_event_id())
    tasks = [
        imported("Present, renamed", updated=FROZEN_START),
        imported("Brand new", task_id="33333333-3333-4333-8333-333333333333"),
    ]
    outcome = store.import_tasks(tasks, dry_run=True)
    assert outcome.dry_run
    assert [t.title for t in outcome.added] == ["Brand new"]
    assert [t.title for t in outcome.updated] == ["Present, renamed"]
    assert (store.list_tasks(TaskQuery(status=Status.ALL)), store.last_event_id()) == before


def test_an_id_another_owner_uses_gets_a_stable_substitute(
    db_path: Path, clock: FrozenClock
) -> None:
    with open_store(db_path, user="alice", clock=clock) as alice:
        alice.create_many([NewTask("Alice's", id="22222222-2222-4222-8222-222222222222")])
    with open_store(db_path, user="bob", clock=clock) as bob:
        first = bob.import_tasks([imported("Bob's copy")])
        (new_id,) = first.reassigned.values()
        assert first.added[0].id == new_id != "22222222-2222-4222-8222-222222222222"
        second = bob.import_tasks([imported("Bob's copy")])
        assert second.added == () and [t.id for t in second.unchanged] == [new_id]
    with open_store(db_path, user="alice", clock=clock) as alice:
        assert alice.get("22222222-2222-4222-8222-222222222222").title == "Alice's"


def test_a_batch_with_a_repeated_id_is_refused_whole(store: TaskStore) -> None:
    with pytest.raises(ValidationError, match="appears twice"):
        store.import_tasks([imported("a"), imported("b")])
    assert store.count() == 0


def test_imported_history_is_restored_in_order_and_undo_follows_it(
    db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    with open_store(db_path, user="alice", clock=clock) as source:
        task = source.create("Draft")
        other = source.create("Other")
        source.update(task.id, expected_version=1, title="Final")
        source.toggle(other.id)
        source.undo()  # reverts the toggle of "Other"
        text = export_json(source, events=True)
        original = {t.id: source.history(t.id) for t in (task, other)}
    with open_store(tmp_path / "copy.db", user="bob", clock=clock) as copy:
        copy.import_tasks(parse(text, Format.JSON).tasks)
        for task_id, events in original.items():
            restored = copy.history(task_id)
            assert [(e.kind, e.at, e.before, e.after) for e in restored] == [
                (e.kind, e.at, e.before, e.after) for e in events
            ]
            assert [e.reverts_event_id is None for e in restored] == [
                e.reverts_event_id is None for e in events
            ]
        ids = [e.id for t in original for e in copy.history(t)]
        assert len(set(ids)) == len(ids)
        # The toggle was undone in the file, so the next undo is the edit of "Draft".
        assert copy.undo().message == "Reverted the edit of “Final”"
        assert copy.get(task.id).title == "Draft"
