"""Repeating tasks on the command line (issue 17): add/edit --repeat and --no-repeat,
quick add's repeat words, done making the next occurrence, skip, show's rows, list's
mark, the --json "repeat" object, history's wording, bad input, and what it loads.

Through ``main`` on the frozen clock (Friday 20 November 2026, 09:30 UTC, in the UTC
zone), on SQLite and PostgreSQL alike; the database is read after every command.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from store import Due, EventKind, RepeatMode, Status, TaskQuery, TaskRecord, TaskStore
from tests.cli.helpers import CLI, REPO, run_process
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from tui.cli.help import ADD_HELP

pytestmark = pytest.mark.zone("UTC")

FRIDAY = date(2026, 11, 20)  # the frozen today; 09:30
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


def every_task(store: TaskStore) -> list[TaskRecord]:
    return store.list_tasks(TaskQuery(status=Status.ALL))


def added(cli: CLI, store: TaskStore, *words: str) -> TaskRecord:
    result = cli("add", *words, "--json")
    assert result.code == EXIT_OK, result.err
    return store.get(json.loads(result.out)["id"])


def database_state(store: TaskStore) -> list[tuple[Any, ...]]:
    """Every task as stored, and how many events each has: what 'nothing was written'
    compares."""
    return [(task, len(store.history(task.id))) for task in every_task(store)]


def assert_one_line_failure(result: Any, code: int, words: str) -> None:
    assert result.code == code, (result.code, result.out, result.err)
    assert result.out == ""
    assert len(result.error_lines) == 1, result.err
    assert result.err.startswith("taskflow: ")
    assert "Traceback" not in result.err
    assert words in result.err, result.err


# -- add --------------------------------------------------------------------------------------


def test_add_with_a_repeat_says_what_was_understood(cli: CLI, alice: TaskStore) -> None:
    # 09:00 has passed on Friday: the first weekday 9am to come is Monday's.
    result = cli("add", "Standup", "--repeat", "every weekday 9am")
    assert result.code == EXIT_OK, result.err
    [task] = every_task(alice)
    assert result.out == (
        f"Added {task.id}  Standup\n"
        "  due Mon 23 Nov 2026, 09:00 (Mon) · ↻ every weekday at 09:00 · "
        "then Tue 24 Nov, Wed 25 Nov, Thu 26 Nov\n"
    )
    assert task.due == Due(MONDAY, time(9, 0))
    assert task.repeat is not None
    assert (task.repeat.rule.text, task.repeat.mode, task.repeat.start) == (
        WEEKDAYS,
        RepeatMode.SCHEDULE,
        MONDAY,
    )
    assert (task.series_id, task.occurrence) == (task.id, 1)
    assert [event.kind for event in alice.history(task.id)] == [EventKind.CREATED]


@pytest.mark.parametrize(
    ("phrase", "rule", "mode", "due", "words"),
    [
        ("every! 3 days", "FREQ=DAILY;INTERVAL=3", "completion", Due(FRIDAY), "after completion"),
        (
            "every monday until dec 31",
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231",
            "schedule",
            Due(MONDAY),
            "every Monday, until 31 Dec 2026",
        ),
        (
            "every 2 weeks for 3 times",
            "FREQ=WEEKLY;INTERVAL=2;COUNT=3",
            "schedule",
            Due(FRIDAY),
            "every 2 weeks, 3 times · then Fri 4 Dec, Fri 18 Dec",
        ),
        (
            "every month on the last friday",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "schedule",
            Due(date(2026, 11, 27)),
            "every month on the last Friday · then Fri 25 Dec, Fri 29 Jan 2027",
        ),
        ("every day at 5pm", "FREQ=DAILY", "schedule", Due(FRIDAY, time(17, 0)), "at 17:00"),
        ("every dec 25", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "schedule", None, "25 Dec"),
    ],
)
def test_add_reads_repeat_phrases(
    cli: CLI,
    alice: TaskStore,
    phrase: str,
    rule: str,
    mode: str,
    due: Due | None,
    words: str,
) -> None:
    result = cli("add", "Chore", "--repeat", phrase)
    assert result.code == EXIT_OK, result.err
    assert words in result.out
    [task] = every_task(alice)
    assert task.repeat is not None and task.due is not None
    assert (task.repeat.rule.text, task.repeat.mode.value) == (rule, mode)
    assert task.due == (due or Due(date(2026, 12, 25)))
    assert task.repeat.start == task.due.day  # the rule counts from the first due
    assert task.title == "Chore"


def test_a_rule_that_happens_once_says_it_is_the_last(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Flu jab", "--repeat", "every year for 1 times")
    assert result.code == EXIT_OK, result.err
    assert "every year, once · the last one: its rule ends here" in result.out


def test_quick_add_reads_the_repeat_in_the_title(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Standup every weekday 9am #work !high")
    assert result.code == EXIT_OK, result.err
    [task] = every_task(alice)
    assert (task.title, task.tags, task.priority.label) == ("Standup", ("work",), "high")
    assert task.repeat is not None and task.repeat.rule.text == WEEKDAYS
    assert task.due == Due(MONDAY, time(9, 0))
    assert "↻ every weekday at 09:00" in result.out


def test_a_title_that_only_starts_like_a_repeat_stays_a_title(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Every Monday Blues")
    assert result.code == EXIT_OK, result.err
    [task] = every_task(alice)
    assert (task.title, task.repeat, task.series_id, task.due) == (
        "Every Monday Blues",
        None,
        None,
        None,
    )


def test_repeat_option_wins_over_the_title_s_repeat(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Report every friday 9am", "--repeat", "every monday")
    assert task.title == "Report"
    assert task.repeat is not None and task.repeat.rule.text == "FREQ=WEEKLY;BYDAY=MO"
    # Due on the option's first date, not the title's Friday (nor its 9am).
    assert task.due == Due(MONDAY)


def test_a_date_in_the_title_is_kept_when_the_repeat_option_wins(
    cli: CLI, alice: TaskStore
) -> None:
    task = added(cli, alice, "Report every friday 9am due dec 12", "--repeat", "every monday 8am")
    assert task.repeat is not None and task.repeat.rule.text == "FREQ=WEEKLY;BYDAY=MO"
    # The title's date stays; the time it took from the title's repeat goes with it.
    assert task.due == Due(date(2026, 12, 12), time(8, 0))
    assert task.repeat.start == date(2026, 12, 12)


def test_due_with_repeat_sets_the_first_date(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Pay rent", "--repeat", "every month on the 1st", "--due", "dec 1")
    assert first.due == Due(date(2026, 12, 1))
    assert first.repeat is not None and first.repeat.start == date(2026, 12, 1)
    # A due without a time takes the phrase's time; one with a time keeps its own.
    timed = added(cli, alice, "Gym", "--repeat", "every day 7am", "--due", "mon")
    assert timed.due == Due(MONDAY, time(7, 0))
    own = added(cli, alice, "Call", "--repeat", "every day 7am", "--due", "mon 6pm")
    assert own.due == Due(MONDAY, time(18, 0))
    # --due wins over a date in the title too.
    report = added(cli, alice, "Report every friday due dec 12", "--due", "dec 4")
    assert report.due == Due(date(2026, 12, 4))


# -- edit -------------------------------------------------------------------------------------


def test_edit_repeat_keeps_a_due_that_is_one_of_the_rule_s_days(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Bins", due=Due(MONDAY, time(7, 0)))
    result = cli("edit", task.id[:8], "--repeat", "every monday")
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Edited repeat of {task.id[:8]}  Bins",
        "  due Mon 23 Nov 2026, 07:00 (Mon) · ↻ every Monday at 07:00 · "
        "then Mon 30 Nov, Mon 7 Dec, Mon 14 Dec",
    ]
    stored = alice.get(task.id)
    assert stored.due == Due(MONDAY, time(7, 0))
    assert stored.repeat is not None and stored.repeat.start == MONDAY
    assert (stored.series_id, stored.occurrence, stored.version) == (task.id, 1, 2)


def test_edit_repeat_moves_a_due_off_the_rule_to_its_first_day(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Bins", due=Due(date(2026, 11, 25), time(7, 0)))  # a Wednesday
    assert cli("edit", task.id[:8], "--repeat", "every monday").code == EXIT_OK
    # The rule's first Monday after its due (never back before it, to the 23rd).
    assert alice.get(task.id).due == Due(date(2026, 11, 30), time(7, 0))
    # A time in the phrase sets the time of day.
    assert cli("edit", task.id[:8], "--repeat", "every monday 8:30am").code == EXIT_OK
    assert alice.get(task.id).due == Due(date(2026, 11, 30), time(8, 30))
    # A task without a due goes to the phrase's first date.
    bare = alice.create("Water plants")
    assert cli("edit", bare.id[:8], "--repeat", "every! 2 days").code == EXIT_OK
    stored = alice.get(bare.id)
    assert stored.due == Due(FRIDAY)
    assert stored.repeat is not None and stored.repeat.mode is RepeatMode.COMPLETION


def test_edit_title_words_give_a_repeat_too(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Standup")
    assert cli("edit", task.id[:8], "--title", "Standup every weekday 9am").code == EXIT_OK
    stored = alice.get(task.id)
    assert stored.title == "Standup"
    assert stored.repeat is not None and stored.repeat.rule.text == WEEKDAYS
    assert stored.due == Due(MONDAY, time(9, 0))


def test_edit_no_repeat_stops_the_series(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Standup every weekday 9am")
    result = cli("edit", task.id[:8], "--no-repeat")
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Edited repeat of {task.id[:8]}  Standup",
        "  no longer repeats: no occurrence follows this one",
        "  due Mon 23 Nov 2026, 09:00 (Mon)",
    ]
    stored = alice.get(task.id)
    assert (stored.repeat, stored.due, stored.completed) == (None, task.due, False)
    assert stored.series_id == task.id  # still where it was in its series
    # Done, nothing follows.
    done = cli("done", task.id[:8])
    assert done.out == f"Marked done {task.id[:8]}  Standup\n"
    assert len(every_task(alice)) == 1


def test_no_repeat_on_a_task_that_does_not_repeat_changes_nothing(
    cli: CLI, alice: TaskStore
) -> None:
    # As --no-due on a task without a due date: exit 0, nothing to change.
    task = alice.create("Buy milk")
    before = database_state(alice)
    result = cli("edit", task.id[:8], "--no-repeat")
    assert result.code == EXIT_OK, result.err
    assert result.out == f"Nothing to change in {task.id[:8]}  Buy milk\n  it does not repeat\n"
    assert database_state(alice) == before


# -- done -------------------------------------------------------------------------------------


def test_done_makes_the_next_occurrence_and_says_so(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Standup every weekday 9am #work")
    result = cli("done", first.id[:8])
    assert result.code == EXIT_OK, result.err
    done, following = alice.series(first.id)
    assert result.out.splitlines() == [
        f"Marked done {first.id[:8]}  Standup",
        f"  next: {following.id[:8]}  Tue 24 Nov 2026, 09:00",
    ]
    assert (done.id, done.completed, done.occurrence, done.repeat) == (first.id, True, 1, None)
    assert (following.completed, following.occurrence, following.series_id) == (
        False,
        2,
        first.id,
    )
    assert following.due == Due(TUESDAY, time(9, 0))
    assert following.repeat is not None and following.repeat.rule.text == WEEKDAYS
    assert (following.title, following.tags) == ("Standup", ("work",))
    assert len(every_task(alice)) == 2


def test_done_twice_makes_no_second_next(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Standup", "--repeat", "every day")
    assert cli("done", first.id[:8]).code == EXIT_OK
    again = cli("done", first.id[:8])
    assert again.code == EXIT_OK
    assert again.out == f"Already done: {first.id[:8]}  Standup\n"
    assert len(every_task(alice)) == 2
    # Undo takes back the completion and the next together; done again makes one next.
    undone = cli("undo")
    assert undone.code == EXIT_OK, undone.err
    assert "its next occurrence was removed" in undone.out
    [reopened] = every_task(alice)
    assert not reopened.completed and reopened.repeat is not None
    assert cli("done", first.id[:8]).code == EXIT_OK
    assert [task.occurrence for task in every_task(alice)] == [1, 2]


def test_done_of_the_last_occurrence_says_the_series_ends(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Physio", "--repeat", "every tuesday for 2 times")
    cli("done", first.id[:8])
    _, second = alice.series(first.id)
    result = cli("done", second.id[:8])
    assert result.out.splitlines() == [
        f"Marked done {second.id[:8]}  Physio",
        "  its series ends here",
    ]
    assert [task.completed for task in every_task(alice)] == [True, True]


def test_done_json_keeps_its_shape(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Standup", "--repeat", "every day")
    printed = json.loads(cli("done", first.id[:8], "--json").out)
    assert printed["id"] == first.id and printed["completed"] is True
    assert (printed["repeat"], printed["series_id"], printed["occurrence"]) == (None, first.id, 1)
    plain = alice.create("Plain")
    assert set(json.loads(cli("done", plain.id[:8], "--json").out)) == set(printed)


# -- skip -------------------------------------------------------------------------------------


def test_skip_moves_the_task_to_its_next_date_without_doing_it(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Bins", "--repeat", "every monday")
    result = cli("skip", task.id[:8])
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Skipped {task.id[:8]}  Bins",
        "  now due Mon 30 Nov 2026 (in 10d); it was due Mon 23 Nov 2026",
    ]
    [stored] = every_task(alice)
    assert (stored.due, stored.completed, stored.version) == (Due(date(2026, 11, 30)), False, 2)
    assert [event.kind for event in alice.history(task.id)] == [
        EventKind.CREATED,
        EventKind.EDITED,
    ]
    printed = json.loads(cli("skip", task.id[:8], "--json").out)
    assert (printed["id"], printed["due"]) == (task.id, "2026-12-07")
    assert printed["repeat"]["rule"] == "FREQ=WEEKLY;BYDAY=MO"
    assert cli("undo").code == EXIT_OK
    assert alice.get(task.id).due == Due(date(2026, 11, 30))


def test_skip_of_a_task_that_does_not_repeat_is_refused(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Buy milk", due=Due(MONDAY))
    before = database_state(alice)
    assert_one_line_failure(cli("skip", task.id[:8]), EXIT_FAILURE, "does not repeat")
    assert database_state(alice) == before


def test_skip_of_the_last_occurrence_is_refused(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Once", "--repeat", "every day for 1 times")
    before = database_state(alice)
    assert_one_line_failure(cli("skip", task.id[:8]), EXIT_FAILURE, "last of its series")
    assert database_state(alice) == before


def test_skip_after_completion_counts_from_its_due_or_today(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Water plants", "--repeat", "every! 3 days")
    assert task.due == Due(FRIDAY)
    first = cli("skip", task.id[:8]).out.splitlines()
    assert first[1] == "  now due Mon 23 Nov 2026 (Mon); it was due Fri 20 Nov 2026"
    # Again: counted from its due now (later than today), as if done on it.
    again = cli("skip", task.id[:8]).out.splitlines()
    assert again[1] == "  now due Thu 26 Nov 2026 (Thu); it was due Mon 23 Nov 2026"
    assert alice.get(task.id).due == Due(date(2026, 11, 26))


# -- show -------------------------------------------------------------------------------------


def shown_rows(cli: CLI, task_id: str) -> dict[str, list[str]]:
    """show's rows by label, a row without a label going with the one above it."""
    result = cli("show", task_id[:8])
    assert result.code == EXIT_OK, result.err
    rows: dict[str, list[str]] = {}
    label = ""
    for line in result.out.splitlines():
        if not line.strip():
            break
        head, _, value = line.partition(":")
        if line.startswith(" "):
            rows[label].append(line.strip())
        else:
            label = head
            rows[label] = [value.strip()]
    return rows


def test_show_gives_the_rule_mode_next_dates_and_series(cli: CLI, alice: TaskStore) -> None:
    first = added(cli, alice, "Standup every weekday 9am")
    rows = shown_rows(cli, first.id)
    assert rows["Repeats"] == ["every weekday at 09:00"]
    assert rows["Mode"] == ["on schedule: each date follows the one before"]
    assert rows["Next"] == ["Tue 24 Nov, Wed 25 Nov, Thu 26 Nov"]
    assert rows["Series"] == ["the first occurrence"]
    cli("done", first.id[:8])
    _, second = alice.series(first.id)
    cli("done", second.id[:8])
    _, _, third = alice.series(first.id)
    rows = shown_rows(cli, third.id)
    assert rows["Due"] == ["Wed 25 Nov 2026, 09:00 (Wed)"]
    assert rows["Next"] == ["Thu 26 Nov, Fri 27 Nov, Mon 30 Nov"]
    # The past occurrences newest first.
    assert rows["Series"] == [
        "occurrence 3 of 3; 2 done before it",
        f"[x] {second.id[:8]}  Tue 24 Nov 2026, 09:00",
        f"[x] {first.id[:8]}  Mon 23 Nov 2026, 09:00",
    ]
    # A past occurrence says so, and which is the open one.
    past = shown_rows(cli, first.id)
    assert past["Repeats"] == [
        f"no: a past occurrence; the open one is {third.id[:8]}, due Wed 25 Nov 2026, 09:00"
    ]
    assert past["Series"] == ["occurrence 1 of 3"]
    assert "Mode" not in past and "Next" not in past
    # A stopped one too.
    assert cli("edit", third.id[:8], "--no-repeat").code == EXIT_OK
    stopped = shown_rows(cli, third.id)
    assert stopped["Repeats"] == ["no longer: its repeat was stopped (no occurrence follows it)"]


def test_show_after_completion_mode(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Water plants", "--repeat", "every! 3 days")
    rows = shown_rows(cli, task.id)
    assert rows["Repeats"] == ["every 3 days after completion"]
    assert rows["Mode"] == ["after completion: each date counted from the day it is done"]
    assert rows["Next"] == ["Mon 23 Nov, Thu 26 Nov, Sun 29 Nov", "(if each is done on its date)"]


def test_show_of_a_plain_task_has_no_repeat_rows(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Buy milk")
    rows = shown_rows(cli, task.id)
    assert not {"Repeats", "Mode", "Next", "Series"} & set(rows)


# -- list and --json --------------------------------------------------------------------------


def test_list_marks_repeating_tasks_and_keeps_columns(cli: CLI, alice: TaskStore) -> None:
    plain = alice.create("Buy milk", due=Due(date(2026, 12, 24)))
    standup = added(cli, alice, "Standup every weekday 9am !high")
    lines = cli("list").out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(plain.id[:8]) and lines[0].endswith("  Buy milk")
    assert lines[1].startswith(standup.id[:8]) and lines[1].endswith("  Standup ↻")
    assert len({line.index("[ ]") for line in lines}) == 1
    assert len({line.index("2026-11-20") for line in lines}) == 1
    # Done, the past occurrence has no mark; the next one has.
    cli("done", standup.id[:8])
    listed = cli("list", "--all").out.splitlines()
    assert [line.endswith("↻") for line in listed] == [False, False, True]


@pytest.mark.sqlite_only
def test_list_mark_falls_back_to_words_without_the_character(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    added = run_process(
        "--db", db, "--user", "alice", "add", "Standup every day", cwd=tmp_path, env=ascii_only
    )
    assert added.returncode == 0, added.stderr
    summary = added.stdout.splitlines()[1]
    assert " - repeats every day - then " in summary and "?" not in summary
    listed = run_process("--db", db, "--user", "alice", "list", cwd=tmp_path, env=ascii_only)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.rstrip().endswith("  Standup (repeats)")
    assert "?" not in listed.stdout


def test_list_and_show_json_carry_the_repeat(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Standup every weekday 9am")
    plain = alice.create("Buy milk")
    repeat = {
        "rule": WEEKDAYS,
        "mode": "schedule",
        "series_id": task.id,
        "text": "every weekday",
        "start": "2026-11-23",
    }
    listed = json.loads(cli("list", "--json").out)
    assert [(item["repeat"], item["series_id"], item["occurrence"]) for item in listed] == [
        (repeat, task.id, 1),
        (None, None, None),
    ]
    shown = json.loads(cli("show", task.id[:8], "--json").out)
    assert (shown["repeat"], shown["due"]) == (repeat, "2026-11-23 09:00")
    assert json.loads(cli("show", plain.id[:8], "--json").out)["repeat"] is None


# -- history ----------------------------------------------------------------------------------


def test_history_says_repeat_changes_in_words(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Bins", due=Due(MONDAY))
    for args in (
        ["--repeat", "every monday"],
        ["--repeat", "every tuesday"],
        ["--no-repeat"],
        ["--repeat", "every day"],
    ):
        result = cli("edit", task.id[:8], *args)
        assert result.code == EXIT_OK, result.err
    lines = cli("history", task.id[:8]).out.splitlines()[1:]
    details = [line.split("  ")[-1].strip() for line in lines]
    assert details == [
        "“Bins”",
        "repeat none → every Monday",
        "due Mon 23 Nov → Tue 24 Nov; repeat every Monday → every Tuesday",
        "repeat every Tuesday → none",
        "repeat none → every day",
    ]
    assert "repeat changed" in lines[1]
    events = json.loads(cli("history", task.id[:8], "--json").out)
    assert events[1]["after"]["repeat"] == {
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "mode": "schedule",
        "start": "2026-11-23",
    }


# -- bad input --------------------------------------------------------------------------------

BAD_PHRASES = [
    ("every hour", "not by the hour"),
    ("", "--repeat needs a rule, such as 'every monday' (--no-repeat stops one)"),
    ("   ", "--repeat needs a rule, such as 'every monday' (--no-repeat stops one)"),
    ("every feb 30", "February has no 30th day"),
    ("every! 3 days for 5 times", "cannot end after a number of times"),
    ("every second tuesday", "every other tuesday"),
    ("every day\x1b[31m", "control character (U+001B)"),
    ("every\tday", "control character (U+0009)"),
    ("every\nday", "control character (U+000A)"),
    ("every day\x9b", "control character (U+009B)"),
    ("[bold]every day[/]", "Cannot read '[bold]every day[/]' as a repeat"),
    ("x" * 100_000, "at most 200 characters, not 100,000"),
    ("every day " * 30, "at most 200 characters"),
    ("every \udcff day", "unpaired surrogate (U+DCFF)"),
]


@pytest.mark.parametrize(("phrase", "complaint"), BAD_PHRASES)
def test_add_refuses_a_bad_repeat_in_one_line_and_writes_nothing(
    cli: CLI, alice: TaskStore, phrase: str, complaint: str
) -> None:
    result = cli("add", "Chore", "--repeat", phrase)
    assert_one_line_failure(result, EXIT_FAILURE, complaint)
    assert "\x1b" not in result.err and "\x9b" not in result.err
    assert every_task(alice) == []


@pytest.mark.parametrize(("phrase", "complaint"), BAD_PHRASES)
def test_edit_refuses_a_bad_repeat_in_one_line_and_writes_nothing(
    cli: CLI, alice: TaskStore, phrase: str, complaint: str
) -> None:
    task = added(cli, alice, "Standup every weekday 9am")
    before = database_state(alice)
    assert_one_line_failure(cli("edit", task.id[:8], "--repeat", phrase), EXIT_FAILURE, complaint)
    assert database_state(alice) == before


def test_repeat_and_no_repeat_together_is_wrong_usage(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Standup every weekday 9am")
    before = database_state(alice)
    result = cli("edit", task.id[:8], "--repeat", "every day", "--no-repeat")
    assert_one_line_failure(result, EXIT_USAGE, "not allowed with argument --repeat")
    assert database_state(alice) == before


def test_edits_that_a_repeat_rules_out_are_refused(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Standup every weekday 9am")
    before = database_state(alice)
    # Its due cannot go while it repeats.
    assert_one_line_failure(cli("edit", task.id[:8], "--no-due"), EXIT_FAILURE, "--no-repeat")
    assert_one_line_failure(
        cli("edit", task.id[:8], "--repeat", "every day", "--no-due"), EXIT_FAILURE, "due date"
    )
    assert database_state(alice) == before
    # A done task is given no rule.
    plain = alice.create("Done already")
    alice.toggle(plain.id)
    before = database_state(alice)
    assert_one_line_failure(
        cli("edit", plain.id[:8], "--repeat", "every day"), EXIT_FAILURE, "done task"
    )
    assert database_state(alice) == before


# -- help -------------------------------------------------------------------------------------


def test_the_repeat_examples_in_add_help_do_what_they_say(cli: CLI, alice: TaskStore) -> None:
    examples = [
        shlex.split(line.strip())[1:]
        for line in ADD_HELP.splitlines()
        if line.strip().startswith("taskflow add") and ("repeat" in line or "every" in line)
    ]
    assert len(examples) >= 3
    for example in examples:
        result = cli(*example)
        assert result.code == EXIT_OK, (example, result.err)
    assert all(task.repeat is not None for task in every_task(alice))


@pytest.mark.parametrize("command", ["skip", "add", "edit"])
def test_help_covers_the_repeat_options(tmp_path: Path, command: str) -> None:
    result = run_process(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: taskflow {command} ")
    option = {"skip": "--json", "add": "--repeat TEXT", "edit": "--no-repeat"}[command]
    assert option in result.stdout
    assert "examples:" in result.stdout
    listed = run_process("--help", cwd=tmp_path).stdout
    assert "\n    skip " in listed


# -- what a command loads ---------------------------------------------------------------------

REPORT_DATEUTIL = """
import json, sys
from tui.cli import main
code = main(sys.argv[1:])
print(json.dumps({'code': code, 'dateutil': 'dateutil' in sys.modules}), file=sys.stderr)
"""


def loads_dateutil(*args: str, cwd: Path) -> bool:
    result = subprocess.run(
        [sys.executable, "-c", REPORT_DATEUTIL, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "TASKFLOW_USER": "alice"},
        timeout=120,
        check=False,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return bool(report["dateutil"])


@pytest.mark.sqlite_only
def test_common_commands_do_not_load_dateutil(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    assert not loads_dateutil("--db", db, "add", "Buy milk", cwd=tmp_path)
    assert not loads_dateutil("--db", db, "list", cwd=tmp_path)
    # A repeat is evaluated when one is added (its first and next dates) ...
    assert loads_dateutil("--db", db, "add", "Standup every weekday 9am", cwd=tmp_path)
    # ... but listing it, in either form, and finishing a plain task are not.
    assert not loads_dateutil("--db", db, "list", cwd=tmp_path)
    assert not loads_dateutil("--db", db, "list", "--json", cwd=tmp_path)
    with_milk = subprocess.run(
        [sys.executable, "-m", "tui", "--db", db, "--user", "alice", "list", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=True,
    )
    milk = next(t for t in json.loads(with_milk.stdout) if t["title"] == "Buy milk")
    assert not loads_dateutil("--db", db, "done", milk["id"][:8], cwd=tmp_path)


def test_add_with_a_repeat_and_no_due_date_is_refused(cli: CLI, alice: TaskStore) -> None:
    """--due none beside a rule: a repeating task falls due somewhere, and the rule's
    own first date must not quietly replace what was asked for."""
    result = cli("add", "Chore", "--repeat", "every day", "--due", "none")
    assert_one_line_failure(result, EXIT_FAILURE, "A repeating task has a due date")
    assert every_task(alice) == []


def test_undone_of_a_just_completed_occurrence_takes_its_next_back(
    cli: CLI, alice: TaskStore
) -> None:
    task = added(cli, alice, "Standup", "--repeat", "every weekday")
    assert cli("done", task.id[:8]).code == EXIT_OK
    assert len(alice.series(task.id)) == 2
    result = cli("undone", task.id[:8])
    assert result.code == EXIT_OK, result.err
    assert "it repeats again: the next occurrence its completion made was removed" in result.out
    (back,) = alice.series(task.id)
    assert (back.id, back.completed, back.repeat) == (task.id, False, task.repeat)
