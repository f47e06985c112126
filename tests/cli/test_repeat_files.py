"""Repeating tasks in and out of files, through ``taskflow import`` and ``export``, each
checked in the database afterwards: a real Taskwarrior export with recurring tasks
(committed, and one the ``task`` client makes live), todo.txt's rec:, CSV's repeat
columns, and what an import reports when a series' place is taken here.

tests/cli/data/taskwarrior-recurring.json is what Taskwarrior 2.6.2 itself wrote
(`task export`, TZ=UTC, on 2026-12-07) after:

    task add Water plants recur:weekly due:2026-11-23 +home
    task add Stretch recur:daily due:2026-12-04T07:30 until:2026-12-20
    task add Standup recur:weekdays due:2026-12-07T09:00 project:Work
    task add Pay rent recur:monthly due:2026-12-31 priority:H
    task add Backup the server recur:5h due:2026-12-07T06:00
    task add Review goals recur:2wks due:2026-12-10
    task 7 done        # Water plants, due 2026-11-23
    task 11 done       # Stretch, due 2026-12-04
    task 12 delete     # Stretch, due 2026-12-05 (mask +X---)
    task status:deleted purge

so: a weekly series with one occurrence done and three pending, a daily one with an
end (until), one done, one deleted and purged (its mask lists an occurrence the file
does not hold), every weekday, monthly, every two weeks, and every five hours (no rule
of ours says that).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time as clock_time
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from store import Due, EventKind, Priority, Repeat, RepeatMode, Status, TaskQuery, TaskStore
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK

EXPORT = Path(__file__).parent / "data" / "taskwarrior-recurring.json"
PLANTS = "cec6f31d-8160-4b10-9995-f13dea811f4f"  # the templates' uuids: the series ids
STRETCH = "52cf3121-a34d-41d2-9473-dde72b9a873e"
STANDUP = "b2da602b-179c-4da1-a9ad-cf2caadb6363"
RENT = "bf886aa2-8a94-4e45-a742-1e1a00d9f3df"
REVIEW = "9d6d3e06-b2b0-4e67-8627-e4b317a6bd8e"
PLANTS_DONE = "46720515-9140-4996-b23d-000d65bfa3f1"
PLANTS_OPEN = "77cd00ce-90ab-4530-803a-d65a1ddd6726"
STRETCH_DONE = "8d5faa2c-53be-4f2e-8d91-3525f3fd11da"
STRETCH_OPEN = "61c2a01a-6522-4c86-83e2-baff5b4dbbe5"


def summary(store: TaskStore, task_id: str) -> list[tuple[object, ...]]:
    """A series as the database has it: per task its id, number, done state, due, rule."""
    return [
        (
            t.id,
            t.occurrence,
            t.completed,
            t.due,
            None if t.repeat is None else (t.repeat.rule.text, t.repeat.mode, t.repeat.start),
        )
        for t in store.series(task_id)
    ]


# -- Taskwarrior: a committed export ---------------------------------------------------------------


@pytest.mark.zone("UTC")  # the export was made in UTC: its days read back as those days
def test_a_real_taskwarrior_export_with_recurring_tasks(
    cli: CLI, alice: TaskStore, clock: FrozenClock
) -> None:
    result = cli("import", str(EXPORT))
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[0] == (
        f"Imported {EXPORT} (taskwarrior): 10 added, 0 updated, "
        "11 skipped (6 recurring template, 5 later occurrence)."
    )
    assert "skipped  9cbe3e45  Water plants (later occurrence)" in result.out
    warnings = result.err.splitlines()
    assert sum("later pending occurrence" in line for line in warnings) == 3
    assert any(
        "“Stretch”: Taskwarrior's mask lists 5 occurrences, the file holds 4" in line
        for line in warnings
    )
    assert any(
        "“Backup the server” recurs '5h', which TaskFlow cannot repeat" in line for line in warnings
    )

    weekly = ("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    assert summary(alice, PLANTS_OPEN) == [
        (PLANTS_DONE, 1, True, Due(date(2026, 11, 23)), None),
        (PLANTS_OPEN, 2, False, Due(date(2026, 11, 30)), weekly),
    ]
    plants = alice.get(PLANTS_OPEN)
    assert (plants.series_id, plants.tags, plants.description) == (PLANTS, ("home",), "")
    daily = ("FREQ=DAILY;UNTIL=20261220", RepeatMode.SCHEDULE, date(2026, 12, 4))
    assert summary(alice, STRETCH_OPEN) == [
        (STRETCH_DONE, 1, True, Due(date(2026, 12, 4), time(7, 30)), None),
        (STRETCH_OPEN, 2, False, Due(date(2026, 12, 6), time(7, 30)), daily),
    ]
    assert alice.get(STRETCH_OPEN).description == ""  # recur and until: said by the rule
    by_series = {
        t.series_id: t
        for t in alice.list_tasks(TaskQuery(status=Status.ALL))
        if t.repeat is not None
    }
    assert set(by_series) == {PLANTS, STRETCH, STANDUP, RENT, REVIEW}
    standup, rent, review = by_series[STANDUP], by_series[RENT], by_series[REVIEW]
    assert standup.repeat is not None and standup.repeat.rule.text == (
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    )
    assert (standup.due, standup.occurrence) == (Due(date(2026, 12, 7), time(9)), 1)
    assert alice.project_paths()[standup.project_id or ""] == "Work"
    assert rent.repeat is not None and rent.repeat.rule.text == "FREQ=MONTHLY"
    assert (rent.due, rent.priority) == (Due(date(2026, 12, 31)), Priority.HIGH)
    assert review.repeat is not None and review.repeat.rule.text == "FREQ=WEEKLY;INTERVAL=2"
    # Every five hours has no rule here: its three occurrences are plain tasks.
    backups = sorted(
        (t for t in alice.list_tasks() if t.title == "Backup the server"),
        key=lambda t: t.due.key if t.due else "",
    )
    assert [(t.due, t.repeat, t.series_id) for t in backups] == [
        (Due(date(2026, 12, 7), time(hour)), None, None) for hour in (6, 11, 16)
    ]
    assert {t.description for t in backups} == {"Taskwarrior: recur 5h"}
    assert alice.count(TaskQuery(status=Status.ALL)) == 10

    again = cli("import", str(EXPORT))
    assert again.out.splitlines()[0].endswith(
        "0 added, 0 updated, 21 skipped (6 recurring template, 5 later occurrence, "
        "10 already here)."
    )
    # Done here since (after the file was written): the next occurrence is made here,
    # and the same file imported again keeps our later change.
    clock.now = datetime(2026, 12, 8, 9, tzinfo=UTC)
    alice.toggle(PLANTS_OPEN)
    after = cli("import", str(EXPORT))
    assert ": 0 added, 0 updated," in after.out and "1 newer here" in after.out
    assert [row[1:4] for row in summary(alice, PLANTS_OPEN)] == [
        (1, True, Due(date(2026, 11, 23))),
        (2, True, Due(date(2026, 11, 30))),
        (3, False, Due(date(2026, 12, 7))),
    ]


def test_chained_recurrence_is_after_completion_and_a_template_alone_is_one_occurrence(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    """Taskwarrior 3's rtype:chained counts from each completion; a template without an
    occurrence in the file (a filtered export) comes in as its one open occurrence."""
    template = str(uuid.uuid4())
    item = {
        "uuid": template,
        "description": "Mow the lawn",
        "status": "recurring",
        "entry": "20261101T090000Z",
        "modified": "20261101T090000Z",
        "due": "20261105T120000Z",
        "recur": "2 weeks",
        "rtype": "chained",
        "mask": "",
    }
    path = tmp_path / "chained.json"
    path.write_text(json.dumps([item]))
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[0].endswith("1 added, 0 updated, 0 skipped.")
    lawn = alice.get(template)
    assert lawn.repeat is not None
    assert (lawn.repeat.rule.text, lawn.repeat.mode) == (
        "FREQ=WEEKLY;INTERVAL=2",
        RepeatMode.COMPLETION,
    )
    assert (lawn.series_id, lawn.occurrence) == (template, 1)
    assert lawn.due is not None and lawn.repeat.start == lawn.due.day


@pytest.mark.parametrize(
    ("recur", "rule"),
    [
        ("daily", "FREQ=DAILY"),
        ("3days", "FREQ=DAILY;INTERVAL=3"),
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("weekly", "FREQ=WEEKLY"),
        ("P1W", "FREQ=WEEKLY"),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("fortnight", "FREQ=WEEKLY;INTERVAL=2"),
        ("2wks", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly", "FREQ=MONTHLY"),
        ("2m", "FREQ=MONTHLY;INTERVAL=2"),
        ("6mo", "FREQ=MONTHLY;INTERVAL=6"),
        ("bimonthly", "FREQ=MONTHLY;INTERVAL=2"),
        ("quarterly", "FREQ=MONTHLY;INTERVAL=3"),
        ("2q", "FREQ=MONTHLY;INTERVAL=6"),
        ("semiannual", "FREQ=MONTHLY;INTERVAL=6"),
        ("annual", "FREQ=YEARLY"),
        ("yearly", "FREQ=YEARLY"),
        ("1y", "FREQ=YEARLY"),
        ("biannual", "FREQ=YEARLY;INTERVAL=2"),
        ("5h", None),
        ("0d", None),
        ("sometimes", None),
    ],
)
def test_taskwarrior_recur_values(
    cli: CLI, alice: TaskStore, tmp_path: Path, recur: str, rule: str | None
) -> None:
    template, child = str(uuid.uuid4()), str(uuid.uuid4())
    common = {"description": "R", "entry": "20261101T090000Z", "due": "20261105T120000Z"}
    items = [
        {**common, "uuid": template, "status": "recurring", "recur": recur, "mask": "-"},
        {**common, "uuid": child, "status": "pending", "recur": recur, "parent": template},
    ]
    path = tmp_path / "recur.json"
    path.write_text(json.dumps(items))
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    task = alice.get(child)
    if rule is None:
        assert task.repeat is None and task.description == f"Taskwarrior: recur {recur}"
        assert "which TaskFlow cannot repeat" in result.err
    else:
        assert task.repeat is not None and task.repeat.rule.text == rule
        assert result.err == ""


# -- Taskwarrior: an export the real client makes now ---------------------------------------------


def run_task(folder: Path, *args: str) -> str:
    """The real ``task`` on a private database in ``folder``."""
    rc = folder / "taskrc"
    if not rc.exists():
        (folder / "data").mkdir()
        rc.write_text(
            f"data.location={folder / 'data'}\nconfirmation=off\nverbose=nothing\n"
            "recurrence.confirmation=no\n"
        )
    environment = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(folder / "data")}
    done = subprocess.run(
        ["task", *args], capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def taskwarrior(tmp_path: Path) -> Path:
    """A folder for the real client's database; it is part of CI's machine (.ci/run
    installs Debian's taskwarrior), so there a missing ``task`` fails the test."""
    if shutil.which("task") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Taskwarrior tests, but `task` is not installed")
        pytest.skip("Taskwarrior (`task`) is not installed: this test runs the real client")
    folder = tmp_path / "taskwarrior"
    folder.mkdir()
    return folder


def test_a_recurring_task_the_taskwarrior_client_makes(
    cli: CLI, alice: TaskStore, taskwarrior: Path, tmp_path: Path
) -> None:
    """`task add x recur:weekly due:monday`, `task export`: one series of ours, its open
    occurrence due on a Monday (the day depends on today: only what it is is checked).
    Then the occurrence done in Taskwarrior, exported again: the same series goes on."""
    run_task(taskwarrior, "add", "x", "recur:weekly", "due:monday")
    first = tmp_path / "first.json"
    first.write_text(run_task(taskwarrior, "export"))
    items = json.loads(first.read_text())
    (template,) = [i for i in items if i["status"] == "recurring"]
    (child,) = [i for i in items if i["status"] == "pending"]
    assert child["parent"] == template["uuid"]

    result = cli("import", str(first))
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[0].endswith(
        "1 added, 0 updated, 1 skipped (1 recurring template)."
    )
    task = alice.get(child["uuid"])
    assert task.due is not None and task.due.day.weekday() == 0 and task.due.at is None
    assert task.repeat == Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, task.due.day)
    assert (task.series_id, task.occurrence, task.completed) == (template["uuid"], 1, False)
    assert alice.count(TaskQuery(status=Status.ALL)) == 1
    again = cli("import", str(first))
    assert again.out.splitlines()[0].endswith(
        "0 added, 0 updated, 2 skipped (1 recurring template, 1 already here)."
    )

    clock_time.sleep(1.1)  # Taskwarrior's times are to the second: "modified" must move on
    run_task(taskwarrior, child["uuid"], "done")
    second = tmp_path / "second.json"
    second.write_text(run_task(taskwarrior, "export"))
    result = cli("import", str(second))
    assert result.code == EXIT_OK, result.err
    # The occurrence done there is done here, repeating no more; with no pending one in
    # the file (Taskwarrior makes the next when its day comes near), the template is the
    # open occurrence: due a week later, by the rule.
    first_due = task.due.day
    assert summary(alice, child["uuid"]) == [
        (child["uuid"], 1, True, Due(first_due), None),
        (
            template["uuid"],
            2,
            False,
            Due(first_due + timedelta(days=7)),
            ("FREQ=WEEKLY", RepeatMode.SCHEDULE, first_due),
        ),
    ]
    assert alice.history(child["uuid"])[-1].kind is EventKind.TOGGLED
    assert (
        cli("import", str(second))
        .out.splitlines()[0]
        .endswith("0 added, 0 updated, 2 skipped (2 already here).")
    )


# -- todo.txt --------------------------------------------------------------------------------------


def test_todotxt_rec_in_and_out(
    cli: CLI, alice: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "todo.txt"
    path.write_text(
        "2026-11-20 Water plants due:2026-11-23 rec:+1w @home\n"
        "2026-11-20 Stretch rec:3d\n"
        "2026-11-20 Standup due:2026-11-23 rec:1b\n"
        "2026-11-20 Call mom rec:2b\n"
    )
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert "line 4: 'rec:2b' is not a repeat TaskFlow keeps" in result.err
    tasks = {t.title: t for t in alice.list_tasks()}
    assert set(tasks) == {"Water plants", "Stretch", "Standup", "Call mom rec:2b"}
    plants = tasks["Water plants"]
    assert plants.repeat == Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    assert (plants.series_id, plants.occurrence, plants.tags) == (plants.id, 1, ("home",))
    # No due: date: the rule starts on the day of the import (the store's clock, local).
    today = clock.now.astimezone().date()
    stretch = tasks["Stretch"]
    assert stretch.due == Due(today)
    assert stretch.repeat == Repeat.of("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION, today)
    standup = tasks["Standup"].repeat
    assert standup is not None and standup.rule.text == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert standup.mode is RepeatMode.COMPLETION
    assert tasks["Call mom rec:2b"].repeat is None

    again = cli("import", str(path))
    assert ": 0 added, 0 updated, 4 skipped (4 already here)." in again.out

    exported = cli("export", "--format", "todotxt").out.splitlines()
    # Created at noon UTC of the line's day: that day, locally, in the zones CI runs in.
    made = datetime(2026, 11, 20, 12, tzinfo=UTC).astimezone().date().isoformat()
    assert f"{made} Water plants @home due:2026-11-23 rec:+1w" in exported
    assert f"{made} Stretch due:{today.isoformat()} rec:3d" in exported
    assert f"{made} Standup due:2026-11-23 rec:1b" in exported


def test_todotxt_completed_elsewhere_repeats_no_more_and_a_rule_rec_cannot_say(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "todo.txt"
    path.write_text("2026-11-20 Water plants due:2026-11-23 rec:+1w\n")
    cli("import", str(path))
    (plants,) = alice.list_tasks()
    # Done in another todo.txt tool, which wrote the next occurrence as a line of its own.
    path.write_text(
        "x 2026-11-23 2026-11-20 Water plants due:2026-11-23 rec:+1w\n"
        "2026-11-23 Water plants due:2026-11-30 rec:+1w\n"
    )
    result = cli("import", str(path))
    assert ": 1 added, 1 updated, 0 skipped." in result.out
    done = alice.get(plants.id)
    assert (done.completed, done.repeat, done.series_id, done.occurrence) == (
        True,
        None,
        plants.id,
        1,
    )
    assert alice.history(plants.id)[-1].kind is EventKind.TOGGLED
    (following,) = alice.list_tasks(TaskQuery(status=Status.OPEN))
    assert following.repeat is not None and following.due == Due(date(2026, 11, 30))
    assert alice.count(TaskQuery(status=Status.ALL)) == 2  # nothing made by the import

    bins = Repeat.of("FREQ=MONTHLY;BYDAY=-1FR", RepeatMode.SCHEDULE, date(2026, 11, 27))
    alice.create("Bins", due=Due(date(2026, 11, 27)), repeat=bins)
    exported = cli("export", "--format", "todotxt").out
    assert "Bins due:2026-11-27 rrule:FREQ=MONTHLY;BYDAY=-1FR\n" in exported


# -- CSV -------------------------------------------------------------------------------------------


def test_csv_repeat_columns_round_trip(
    cli: CLI, alice: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    weekly = Repeat.of("FREQ=WEEKLY;BYDAY=MO", RepeatMode.SCHEDULE, date(2026, 11, 23))
    first = alice.create("Water plants", due=Due(date(2026, 11, 23), time(8)), repeat=weekly)
    alice.toggle(first.id)
    every = Repeat.of("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION, date(2026, 11, 21))
    alice.create("Stretch", due=Due(date(2026, 11, 21)), repeat=every)
    alice.create("Plain")
    path = tmp_path / "tasks.csv"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    lines = path.read_text().splitlines()
    assert lines[0].endswith(",parent_id,repeat,repeat_mode,repeat_start,series_id,occurrence")
    assert lines[1].endswith(f",,,,{first.id},1")  # done: no repeat, still in its series
    assert lines[2].endswith(f",FREQ=WEEKLY;BYDAY=MO,schedule,2026-11-23,{first.id},2")
    stretch = next(t for t in alice.list_tasks() if t.title == "Stretch")
    assert lines[3].endswith(f",FREQ=DAILY;INTERVAL=3,completion,2026-11-21,{stretch.id},1")
    assert lines[4].endswith(",,,,,")

    copy = tmp_path / "copy.db"
    assert cli("import", str(path), db=copy).code == EXIT_OK
    from store import open_store

    with open_store(copy, user="alice", clock=clock) as there:
        for task in alice.list_tasks(TaskQuery(status=Status.ALL)):
            assert summary(there, task.id) == summary(alice, task.id)
    again = cli("import", str(path), db=copy)
    assert ": 0 added, 0 updated, 4 skipped (4 already here)." in again.out


def test_csv_without_repeat_columns_leaves_repeats_and_a_rule_alone_starts_today(
    cli: CLI, alice: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    weekly = Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    plants = alice.create("Water plants", due=Due(date(2026, 11, 23)), repeat=weekly)
    path = tmp_path / "tasks.csv"
    path.write_text(f"id,title,updated_at\n{plants.id},Water the plants,2026-12-01T00:00:00Z\n")
    result = cli("import", str(path))
    assert ": 0 added, 1 updated," in result.out
    now = alice.get(plants.id)
    assert (now.title, now.repeat, now.series_id, now.occurrence) == (
        "Water the plants",
        weekly,
        plants.id,
        1,
    )
    # A rule without a due date or a mode: on schedule, from the import's day.
    path.write_text("title,repeat\nStretch,FREQ=DAILY;INTERVAL=2\n")
    assert cli("import", str(path)).code == EXIT_OK
    (stretch,) = [t for t in alice.list_tasks() if t.title == "Stretch"]
    today = clock.now.astimezone().date()
    assert stretch.due == Due(today)
    assert stretch.repeat == Repeat.of("FREQ=DAILY;INTERVAL=2", RepeatMode.SCHEDULE, today)


def test_a_csv_with_a_bad_rule_is_refused_whole(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text("title,repeat\nfine,FREQ=DAILY\nbad,FREQ=SECONDLY\n")
    result = cli("import", str(path))
    assert result.code == EXIT_FAILURE
    assert "line 3: repeat: A repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY" in (
        result.err
    )
    assert alice.count(TaskQuery(status=Status.ALL)) == 0


# -- what an import reports ------------------------------------------------------------------------


def test_a_taken_place_in_a_series_is_reported(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    """Both sides completed occurrence 1: the file's open occurrence 2 is a second copy
    of the one here, and is left out (never a duplicate); a done one in a taken place
    is a past occurrence of its own, kept under the next free number."""
    weekly = Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    first = alice.create("Water plants", due=Due(date(2026, 11, 23)), repeat=weekly)
    path = tmp_path / "export.json"
    cli("export", "-o", str(path))
    document = json.loads(path.read_text())
    alice.toggle(first.id)  # makes occurrence 2 here
    here = alice.next_in_series(alice.get(first.id))
    assert here is not None
    other = {**document["tasks"][0], "id": str(uuid.uuid4()), "occurrence": 2}
    other["due"] = "2026-11-30"
    done = {**other, "id": str(uuid.uuid4()), "completed": True, "repeat": None}
    tasks = document["tasks"]
    path.write_text(json.dumps({**document, "tasks": [*tasks, other]}))
    done_path = tmp_path / "done.json"
    done_path.write_text(json.dumps({**document, "tasks": [*tasks, done]}))

    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert (
        f"note     {other['id'][:8]}  not imported: occurrence 2 of its series is another "
        f"task here ({here.id})"
    ) in result.out
    result = cli("import", str(done_path))
    assert result.code == EXIT_OK, result.err
    assert (
        f"note     {done['id'][:8]}  occurrence 2 of its series is another task's here; "
        "imported as occurrence 3"
    ) in result.out
    series = alice.series(first.id)
    assert [(t.occurrence, t.completed) for t in series] == [(1, True), (2, False), (3, True)]
    assert [t.id for t in series if t.repeat is not None] == [here.id]  # one carries the rule
    report = json.loads(cli("import", str(path), "--json").out)
    assert other["id"] in report["left_out"]
    assert report["reassigned_series_ids"] == {}


def test_two_databases_completing_one_occurrence_never_make_a_second_open_one(
    cli: CLI, alice: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    """Laptop and desktop share a series by files; each completes the same occurrence,
    then the desktop's file comes back: the laptop keeps one open occurrence (its own),
    the desktop's copy of it is left out, and what both did is there once."""
    weekly = Repeat.of("FREQ=WEEKLY", RepeatMode.SCHEDULE, date(2026, 11, 23))
    first = alice.create("Water plants", due=Due(date(2026, 11, 23)), repeat=weekly)
    shared, desktop = tmp_path / "shared.json", tmp_path / "desktop.db"
    assert cli("export", "-o", str(shared)).code == EXIT_OK
    assert cli("import", str(shared), db=desktop).code == EXIT_OK
    alice.toggle(first.id)  # on the laptop
    clock.advance(minutes=5)
    assert cli("done", first.id[:8], db=desktop).code == EXIT_OK  # and on the desktop
    back = tmp_path / "back.json"
    assert cli("export", "-o", str(back), db=desktop).code == EXIT_OK

    result = cli("import", str(back))
    assert result.code == EXIT_OK, result.err
    assert "not imported: occurrence 2 of its series is another task here" in result.out
    series = alice.series(first.id)
    assert [(t.occurrence, t.completed) for t in series] == [(1, True), (2, False)]
    assert sum(1 for t in alice.list_tasks(TaskQuery(status=Status.OPEN))) == 1
    again = cli("import", str(back))  # and a second time: nothing more
    assert again.code == EXIT_OK and len(alice.series(first.id)) == 2


def test_a_done_task_of_a_file_carries_no_rule(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    """A row done with a rule (a hand-made sheet, another tool): done, it repeats no more
    (as completing it here hands the rule on), and no occurrence is made for it."""
    path = tmp_path / "tasks.csv"
    path.write_text("title,completed,due,repeat\nPay rent,true,2026-12-01,FREQ=MONTHLY\n")
    assert cli("import", str(path)).code == EXIT_OK
    (rent,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert rent.completed and rent.repeat is None
