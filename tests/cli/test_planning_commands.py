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
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

FRIDAY = date(2026, 11, 20)  # the frozen clock's day


def all_tasks(store: TaskStore, sort: Sort = Sort.CREATED) -> list[TaskRecord]:
    return store.list_tasks(TaskQuery(status=Status.ALL, sort=sort))


def planning(store: TaskStore, sort: Sort = Sort.CREATED) -> list[tuple[object, ...]]:
    """What these tests care about, task by task: in creation order, or in the manual
    order (which an import gives in the file's order, when its lines have no dates)."""
    return [(t.title, t.due, t.priority, t.tags, t.completed) for t in all_tasks(store, sort)]


def in_zone(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    system_time.tzset()


def only_task(store: TaskStore) -> TaskRecord:
    (task,) = all_tasks(store)
    return task


# -- add -------------------------------------------------------------------------------------------


def test_add_reads_due_priority_and_tags_from_the_title_and_says_so(
    cli: CLI, alice: TaskStore
) -> None:
    result = cli("add", "Pay rent tomorrow 9am !high #home #bills")
    assert result.code == EXIT_OK, result.err
    task = only_task(alice)
    assert (task.title, task.due, task.priority, task.tags) == (
        "Pay rent",
        Due(date(2026, 11, 21), time(9, 0)),
        Priority.HIGH,
        ("bills", "home"),
    )
    assert result.out == (
        f"Added {task.id}  Pay rent\n"
        "  due Sat 21 Nov 2026, 09:00 (tomorrow) · !!! high · #bills #home\n"
    )


@pytest.mark.parametrize(
    ("words", "title", "due"),
    [
        (["Call", "mum", "next", "friday"], "Call mum", Due(date(2026, 11, 27))),
        (["Renew passport in 3 weeks"], "Renew passport", Due(date(2026, 12, 11))),
        (["Report", "due", "2026-12-01"], "Report", Due(date(2026, 12, 1))),
        (["Water plants today 6pm"], "Water plants", Due(FRIDAY, time(18, 0))),
        # a backslash or quotes keep a word in the title
        ([r"Buy \#1 fan \friday"], "Buy #1 fan friday", None),
        (['Read "Friday" by Defoe'], 'Read "Friday" by Defoe', None),
        # nothing left for a title: the line is the title
        (["tomorrow"], "tomorrow", None),
    ],
)
def test_add_in_plain_words(
    cli: CLI, alice: TaskStore, words: list[str], title: str, due: Due | None
) -> None:
    assert cli("add", *words).code == EXIT_OK
    task = only_task(alice)
    assert (task.title, task.due, task.tags) == (title, due, ())


def test_add_options_win_over_the_title_s_words_and_tags_add_up(cli: CLI, alice: TaskStore) -> None:
    result = cli(
        "add",
        "Pay rent tomorrow !high #home",
        "--due",
        "fri 5pm",
        "--priority",
        "low",
        "--tag",
        "bills",
        "--tag",
        "HOME",  # the same tag as #home, in another case: one tag, first spelling
    )
    assert result.code == EXIT_OK, result.err
    task = only_task(alice)
    assert (task.title, task.due, task.priority, task.tags) == (
        "Pay rent",
        Due(date(2026, 11, 27), time(17, 0)),
        Priority.LOW,
        ("bills", "home"),
    )


@pytest.mark.parametrize(
    ("spelling", "priority"),
    [
        ("high", Priority.HIGH),
        ("H", Priority.HIGH),
        ("1", Priority.HIGH),
        ("!high", Priority.HIGH),
        ("medium", Priority.MEDIUM),
        ("m", Priority.MEDIUM),
        ("2", Priority.MEDIUM),
        ("Low", Priority.LOW),
        ("3", Priority.LOW),
        ("none", Priority.NONE),
        ("0", Priority.NONE),
    ],
)
def test_priority_takes_the_parser_s_spellings(
    cli: CLI, alice: TaskStore, spelling: str, priority: Priority
) -> None:
    assert cli("add", "Task", "--priority", spelling).code == EXIT_OK
    task = only_task(alice)
    assert task.priority is priority
    assert cli("edit", task.id, "-p", "low").code == EXIT_OK
    assert cli("edit", task.id, "-p", spelling).code == EXIT_OK
    assert alice.get(task.id).priority is priority


def test_add_without_planning_words_prints_one_line(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Buy oat milk")
    assert result.out == f"Added {only_task(alice).id}  Buy oat milk\n"


def test_add_json_has_the_planning_fields(cli: CLI, alice: TaskStore) -> None:
    printed = json.loads(cli("add", "Pay rent tomorrow 9am !h #home", "--json").out)
    task = only_task(alice)
    assert printed["id"] == task.id
    assert {key: printed[key] for key in ("due", "priority", "tags", "position")} == {
        "due": "2026-11-21 09:00",
        "priority": "high",
        "tags": ["home"],
        "position": task.position,
    }
    plain = json.loads(cli("add", "Plain", "--json").out)
    assert (plain["due"], plain["priority"], plain["tags"]) == (None, "none", [])


def test_today_is_the_local_date_not_utc(
    cli: CLI, alice: TaskStore, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 11:30 UTC on Friday is 00:30 on Saturday in Auckland (UTC+13 in November).
    clock.advance(hours=2)
    in_zone(monkeypatch, "Pacific/Auckland")
    cli("add", "Brunch today", "--tag", "weekend")
    cli("add", "Shop tomorrow")
    assert [t.due for t in all_tasks(alice)] == [
        Due(date(2026, 11, 21)),
        Due(date(2026, 11, 22)),
    ]
    listed = cli("list", "--today").out
    assert "Brunch" in listed and "Shop" not in listed
    assert "today" in listed


# -- bad input: one line on stderr, exit 1, nothing written ----------------------------------------


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--due", "not a date"], "Cannot read 'not a date' as a date"),
        (["--due", "2026-02-30"], "Cannot read '2026-02-30' as a date"),
        (["--priority", "urgent"], "Unknown priority 'urgent': use none, low, medium or high."),
        (["--tag", "two words"], "Invalid tag 'two words'"),
        (["--tag", "#"], "A tag needs a name."),
    ],
)
def test_bad_planning_input_is_one_line_and_exit_1(
    cli: CLI, alice: TaskStore, options: list[str], complaint: str
) -> None:
    added = cli("add", "Task", *options)
    assert (added.code, added.out) == (EXIT_FAILURE, "")
    assert len(added.error_lines) == 1
    assert added.err.startswith(f"taskflow: {complaint}")
    assert alice.count(TaskQuery(status=Status.ALL)) == 0

    task = alice.create("Keep me", due=Due(FRIDAY), priority=Priority.HIGH, tags=("home",))
    edited = cli("edit", task.id, *options)
    assert (edited.code, edited.out, len(edited.error_lines)) == (EXIT_FAILURE, "", 1)
    assert complaint in edited.err
    assert alice.get(task.id) == task


def test_a_bad_tag_to_remove_or_to_list_is_refused_too(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Keep me", tags=("home",))
    untag = cli("edit", task.id, "--untag", "no way")
    assert (untag.code, len(untag.error_lines)) == (EXIT_FAILURE, 1)
    assert "Invalid tag 'no way'" in untag.err
    listed = cli("list", "--tag", "no way")
    assert (listed.code, listed.out, len(listed.error_lines)) == (EXIT_FAILURE, "", 1)


@pytest.mark.parametrize(
    "args",
    [
        ["edit", "{id}", "--due", "fri", "--no-due"],
        ["edit", "{id}"],
        ["list", "--today", "--overdue"],
        ["list", "--upcoming", "--today"],
        ["list", "--sort", "urgency"],
        ["add", "--priority"],
    ],
)
def test_wrong_usage_is_exit_2(cli: CLI, alice: TaskStore, args: list[str]) -> None:
    task = alice.create("Keep me")
    result = cli(*[arg.format(id=task.id) for arg in args])
    assert (result.code, result.out, len(result.error_lines)) == (EXIT_USAGE, "", 1)
    assert alice.get(task.id) == task


# -- edit ------------------------------------------------------------------------------------------


def test_edit_sets_due_priority_and_tags(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Pay rent", tags=("home", "bills"))
    result = cli(
        "edit", task.id[:6], "--due", "fri 5pm", "-p", "m", "--tag", "Money", "--untag", "HOME"
    )
    assert result.code == EXIT_OK, result.err
    assert result.out == (
        f"Edited due date, priority and tags of {task.id[:8]}  Pay rent\n"
        "  due Fri 27 Nov 2026, 17:00 (in 7d) · !! medium · #bills #Money\n"
    )
    edited = alice.get(task.id)
    assert (edited.due, edited.priority, edited.tags) == (
        Due(date(2026, 11, 27), time(17, 0)),
        Priority.MEDIUM,
        ("bills", "Money"),
    )
    # one change, one undo
    assert [e.kind.value for e in alice.history(task.id)] == ["created", "edited"]
    cli("undo")
    restored = alice.get(task.id)
    assert (restored.due, restored.priority, restored.tags) == (
        None,
        Priority.NONE,
        ("bills", "home"),
    )


@pytest.mark.parametrize("how", [["--no-due"], ["--due", "none"], ["--due", ""]])
def test_edit_removes_the_due_date(cli: CLI, alice: TaskStore, how: list[str]) -> None:
    task = alice.create("Call mum", due=Due(FRIDAY), priority=Priority.LOW)
    result = cli("edit", task.id, *how)
    assert result.code == EXIT_OK, result.err
    assert result.out == f"Edited due date of {task.id[:8]}  Call mum\n  ! low\n"
    assert alice.get(task.id).due is None


def test_edit_title_in_plain_words_keeps_the_task_s_tags(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Pay rent", tags=("home",))
    result = cli("edit", task.id, "--title", "Pay the rent on monday !1 #bills")
    assert result.code == EXIT_OK, result.err
    edited = alice.get(task.id)
    assert (edited.title, edited.due, edited.priority, edited.tags) == (
        "Pay the rent",
        Due(date(2026, 11, 23)),
        Priority.HIGH,
        ("bills", "home"),
    )
    # the options still win over the title's words
    cli("edit", task.id, "--title", r"Pay \#2 tomorrow !low", "--due", "mon", "-p", "high")
    edited = alice.get(task.id)
    assert (edited.title, edited.due, edited.priority) == (
        "Pay #2",
        Due(date(2026, 11, 23)),
        Priority.HIGH,
    )


def test_edit_that_changes_nothing_says_so(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Pay rent", tags=("home",), priority=Priority.HIGH)
    result = cli("edit", task.id, "--untag", "work", "--tag", "HOME", "-p", "h")
    assert result.code == EXIT_OK
    assert result.out == f"Nothing to change in {task.id[:8]}  Pay rent\n"
    assert alice.get(task.id).version == 1


def test_edit_json_shows_the_new_fields(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Pay rent")
    printed = json.loads(cli("edit", task.id, "--due", "2026-12-01 08:15", "--json").out)
    assert (printed["due"], printed["version"]) == ("2026-12-01 08:15", 2)


# -- show ------------------------------------------------------------------------------------------


def test_show_has_due_priority_and_tags(cli: CLI, alice: TaskStore) -> None:
    task = alice.create(
        "Pay rent", due=Due(date(2026, 11, 21), time(9, 0)), priority=Priority.HIGH, tags=("home",)
    )
    out = cli("show", task.id).out
    assert "Due:      Sat 21 Nov 2026, 09:00 (tomorrow)\n" in out
    assert "Priority: !!! high\n" in out
    assert "Tags:     #home\n" in out
    plain = alice.create("Plain")
    out = cli("show", plain.id).out
    assert "Due:      none\nPriority: none\nTags:     none\n" in out
    assert json.loads(cli("show", task.id, "--json").out)["tags"] == ["home"]


# -- list ------------------------------------------------------------------------------------------


@pytest.fixture
def week(alice: TaskStore) -> dict[str, TaskRecord]:
    """Tasks around the frozen Friday 20 November, 09:30 (created in this order)."""
    made = {
        "undated": alice.create("Undated", priority=Priority.LOW, tags=("home",)),
        "next-week": alice.create("Next week", due=Due(date(2026, 11, 27))),
        "overdue": alice.create("Overdue", due=Due(date(2026, 11, 18)), priority=Priority.HIGH),
        "today": alice.create("Today", due=Due(FRIDAY), tags=("Work",)),
        "this-morning": alice.create("This morning", due=Due(FRIDAY, time(8, 0))),
        "tonight": alice.create("Tonight", due=Due(FRIDAY, time(18, 0)), tags=("home",)),
        "tomorrow": alice.create("Tomorrow", due=Due(date(2026, 11, 21)), tags=("work",)),
        "thursday": alice.create("Thursday", due=Due(date(2026, 11, 26))),
        "done": alice.create("Done today", due=Due(FRIDAY)),
    }
    alice.toggle(made["done"].id)
    return made


def listed(cli: CLI, *args: str) -> list[str]:
    """The titles ``list --json`` gives, in its order."""
    result = cli("list", *args, "--json")
    assert result.code == EXIT_OK, result.err
    return [task["title"] for task in json.loads(result.out)]


def test_list_today_is_due_today_and_overdue_soonest_first(
    cli: CLI, week: dict[str, TaskRecord]
) -> None:
    # Soonest first by the moment each falls due: a day's times, then its all-day tasks.
    assert listed(cli, "--today") == ["Overdue", "This morning", "Tonight", "Today"]
    assert listed(cli, "--today", "--all") == [
        "Overdue",
        "This morning",
        "Tonight",
        "Today",
        "Done today",
    ]
    lines = cli("list", "--today").out.splitlines()
    assert [
        line.split("  ")[-1] if "#" not in line else line.split("  ")[-2] for line in lines
    ] == [
        "Overdue",
        "This morning",
        "Tonight",
        "Today",
    ]
    assert "2d overdue" in lines[0] and "!!!" in lines[0]
    assert " 08:00  " in lines[1] and " 18:00  " in lines[2]
    assert " today  " in lines[3] and lines[3].endswith("Today  #Work")


@pytest.mark.zone("UTC")  # 09:30 is the morning only in UTC
def test_list_overdue_counts_a_time_already_past_today(
    cli: CLI, week: dict[str, TaskRecord]
) -> None:
    assert listed(cli, "--overdue") == ["Overdue", "This morning"]


@pytest.mark.zone("UTC")  # 08:00 has passed at 09:30 only in UTC
def test_list_upcoming_is_the_next_seven_days_under_day_headings(
    cli: CLI, week: dict[str, TaskRecord]
) -> None:
    assert listed(cli, "--upcoming") == [
        "Overdue",
        "This morning",
        "Tonight",
        "Today",
        "Tomorrow",
        "Thursday",
    ]
    lines = cli("list", "--upcoming").out.splitlines()
    headings = [line for line in lines if not line.startswith(tuple("0123456789abcdef"))]
    assert headings == ["Overdue", "Today · Fri 20 Nov", "Tomorrow · Sat 21 Nov", "Thu 26 Nov"]
    # "This morning" (08:00) is already past at 09:30: it is under Overdue, with the
    # task of two days ago; Today holds "Tonight" and the all-day "Today".
    overdue = lines.index("Overdue")
    assert lines.index("Today · Fri 20 Nov") == overdue + 3
    assert lines.index("Tomorrow · Sat 21 Nov") == lines.index("Today · Fri 20 Nov") + 3
    # sorted another way, there are no day headings to speak of
    by_title = cli("list", "--upcoming", "--sort", "title").out.splitlines()
    assert len(by_title) == 6 and "Overdue" not in by_title


def test_list_tag_ignores_case_and_combines_with_the_rest(
    cli: CLI, week: dict[str, TaskRecord]
) -> None:
    assert listed(cli, "--tag", "WORK") == ["Today", "Tomorrow"]
    assert listed(cli, "--tag", "#home") == ["Undated", "Tonight"]
    assert listed(cli, "--tag", "home", "--today") == ["Tonight"]
    assert listed(cli, "--tag", "home", "--search", "undated") == ["Undated"]
    assert listed(cli, "--tag", "nothing") == []


def test_list_says_what_matched_nothing(cli: CLI, week: dict[str, TaskRecord]) -> None:
    assert cli("list", "--done", "--overdue").out == "No done tasks overdue.\n"
    assert cli("list", "--tag", "garden").out == "No open tasks tagged #garden.\n"
    assert (
        cli("list", "--upcoming", "--search", "zz").out
        == "No open tasks due in the next 7 days or overdue matching 'zz'.\n"
    )


def test_list_default_order_is_still_creation(cli: CLI, week: dict[str, TaskRecord]) -> None:
    assert listed(cli) == [task.title for key, task in week.items() if key != "done"]


@pytest.mark.parametrize("sort", list(Sort))
def test_list_sort_is_the_store_s_order(
    cli: CLI, alice: TaskStore, week: dict[str, TaskRecord], sort: Sort
) -> None:
    alice.move(week["thursday"].id, -3)  # so that the manual order is not the creation order
    alice.update(week["today"].id, expected_version=1, title="Today, renamed")
    expected = [t.title for t in alice.list_tasks(TaskQuery(status=Status.ALL, sort=sort))]
    assert listed(cli, "--all", "--sort", sort.value) == expected


def test_list_sort_by_due_and_priority(cli: CLI, week: dict[str, TaskRecord]) -> None:
    assert listed(cli, "--sort", "due") == [
        "Overdue",
        "This morning",
        "Tonight",
        "Today",
        "Tomorrow",
        "Thursday",
        "Next week",
        "Undated",
    ]
    assert listed(cli, "--sort", "priority")[:2] == ["Overdue", "Undated"]


def test_list_columns_stay_aligned_with_priority_due_and_tags(
    cli: CLI, week: dict[str, TaskRecord]
) -> None:
    lines = cli("list").out.splitlines()
    assert len({line.index("[") for line in lines}) == 1
    # created time, the last fixed column, starts at the same place on every line
    assert len({line.index("2026-11-") for line in lines}) == 1
    undated = next(line for line in lines if "Undated" in line)
    assert "  !    " in undated and undated.endswith("Undated  #home")


def test_list_json_has_the_planning_fields(cli: CLI, week: dict[str, TaskRecord]) -> None:
    printed = json.loads(cli("list", "--today", "--json").out)
    tonight = next(task for task in printed if task["title"] == "Tonight")
    assert list(tonight)[:7] == [
        "id",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
        "version",
    ]
    assert {key: tonight[key] for key in ("due", "priority", "tags", "position")} == {
        "due": "2026-11-20 18:00",
        "priority": "none",
        "tags": ["home"],
        "position": week["tonight"].position,
    }


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


@pytest.mark.parametrize("events", [False, True], ids=["tasks", "with-events"])
def test_json_round_trips_due_priority_tags_and_position(
    cli: CLI, planned: TaskStore, tmp_path: Path, events: bool
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    copy = tmp_path / "copy.db"  # an empty database (ids must stay free for an exact copy)
    flag = ["--events"] if events else []
    assert cli("export", "-o", str(first), *flag).code == EXIT_OK
    assert cli("import", str(first), db=copy).code == EXIT_OK
    assert cli("export", "-o", str(second), *flag, db=copy).code == EXIT_OK
    assert first.read_bytes() == second.read_bytes()
    again = cli("import", str(first), db=copy)
    assert ": 0 added, 0 updated, 4 skipped (4 already here)." in again.out

    document = json.loads(first.read_text())
    assert document["format_version"] == 4
    rent = document["tasks"][0]
    assert rent["title"] == "Pay rent"
    assert (rent["due"], rent["priority"], rent["tags"]) == (
        "2026-11-21 09:00",
        "high",
        ["Bills", "home"],
    )
    assert [t["position"] for t in document["tasks"]] == [1.75, 2.0, 1.5, 4.0]
    with open_store(copy, user="alice") as restored:
        order = restored.list_tasks(TaskQuery(status=Status.ALL, sort=Sort.MANUAL))
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
        order = [t.title for t in store.list_tasks(TaskQuery(status=Status.ALL, sort=Sort.MANUAL))]
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
    assert (task.priority, task.tags) == (Priority.NONE, ("gov",))
    assert alice.project_paths()[task.project_id or ""] == "Travel"
    assert task.description == 'Taskwarrior: tags say"cheese"; priority X'
    # a project with a '/' in a name cannot be one of ours: kept in the description
    path.write_text(taskwarrior(project="Home/Garden", modified="20261102T090000Z"))
    assert cli("import", str(path)).code == EXIT_OK
    (task,) = all_tasks(alice)
    assert (task.tags, task.project_id) == ((), None)
    assert task.description == "Taskwarrior: project Home/Garden"


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
        ("Call mom", Due(date(2026, 11, 21)), Priority.HIGH, ("phone",), False),
        ("Water plants", None, Priority.MEDIUM, ("home",), False),
        ("Read a book", None, Priority.LOW, (), False),
        ("(D) Someday: learn the oboe", None, Priority.NONE, (), False),
        ("File taxes", Due(date(2026, 11, 19)), Priority.MEDIUM, (), True),
        ("Done with its priority kept", None, Priority.HIGH, (), True),
        ("Email bob@example.com about due:soon and 1+1", None, Priority.NONE, (), False),
    ]
    # +family and +admin are projects; @phone and @home tags; 1+1 stays in the title
    placed = {t.title: t.project_id for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
    paths = alice.project_paths()
    assert paths[placed["Call mom"] or ""] == "family"
    assert paths[placed["File taxes"] or ""] == "admin"
    assert placed["Water plants"] is None
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
        # tags as @contexts; due as the due: key, without its time (todo.txt has none);
        # a done task's priority as pri:, since a done line cannot start with (A)
        "(A) 2026-11-20 Pay rent @Bills @home due:2026-11-21\n"
        "2026-11-20 Call mum @family due:2026-11-27\n"
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
    assert lines[0] == (
        "id,title,description,completed,created_at,updated_at,due,priority,tags,project,parent_id,"
        "repeat,repeat_mode,repeat_start,series_id,occurrence"
    )
    # In the Inbox, no parent, no repeat, in no series.
    assert lines[1].endswith(",2026-11-21 09:00,high,Bills home,,,,,,,")
    assert lines[3].endswith(",,low,,,,,,,,")  # no due, no tags, no repeat
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
