"""Dates mean what they say on the command line: overdue is the same everywhere, a bare
hour is the next one, day words in titles are words, and past days can be set.

Through ``main`` on the frozen clock (Friday 20 November 2026, 09:30 UTC, in the UTC
zone unless a test sets another), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import time as system_time
from datetime import UTC, date, datetime, time

import pytest

from store import Due, Sort, Status, TaskQuery, TaskRecord, TaskStore
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock
from tui.cli import EXIT_OK

FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
# What 09:30 UTC is (the morning, before a 10:00 standup) holds in UTC: the other
# zones these tests visit are set by each test.
pytestmark = pytest.mark.zone("UTC")


def in_zone(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    system_time.tzset()


def listed(cli: CLI, *args: str) -> list[str]:
    """The titles ``list --json`` gives, in its order."""
    result = cli("list", *args, "--json")
    assert result.code == EXIT_OK, result.err
    return [task["title"] for task in json.loads(result.out)]


def headings(cli: CLI, *args: str) -> list[str]:
    """``list``'s human output with each task line cut to its title: headings stay whole."""
    lines = cli("list", *args).out.splitlines()
    return [line if line[:1] not in "0123456789abcdef" else line.split("  ")[-1] for line in lines]


def added(cli: CLI, alice: TaskStore, *words: str) -> TaskRecord:
    result = cli("add", *words, "--json")
    assert result.code == EXIT_OK, result.err
    return alice.get(json.loads(result.out)["id"])


@pytest.fixture
def friday(alice: TaskStore) -> None:
    """Tasks around the frozen 09:30 on Friday 20 November (made in a jumbled order)."""
    alice.create("All day", due=Due(FRIDAY))
    alice.create("Tonight", due=Due(FRIDAY, time(18, 0)))
    alice.create("Half nine", due=Due(FRIDAY, time(9, 30)))
    alice.create("Wednesday", due=Due(date(2026, 11, 18)))
    alice.create("Standup", due=Due(FRIDAY, time(9, 0)))
    alice.create("Saturday", due=Due(SATURDAY))


def test_today_lists_the_overdue_first_and_the_all_day_task_last(cli: CLI, friday: None) -> None:
    today = listed(cli, "--today")
    assert today == ["Wednesday", "Standup", "Half nine", "Tonight", "All day"]
    # list --overdue is the head of list --today, not a scattering through it
    assert listed(cli, "--overdue") == today[:2]


def test_upcoming_puts_today_s_past_times_under_overdue(cli: CLI, friday: None) -> None:
    assert headings(cli, "--upcoming") == [
        "Overdue",
        "Wednesday",
        "Standup",
        "Today · Fri 20 Nov",
        "Half nine",
        "Tonight",
        "All day",
        "Tomorrow · Sat 21 Nov",
        "Saturday",
    ]


def test_a_time_is_overdue_from_the_minute_after_it(
    cli: CLI, friday: None, clock: FrozenClock
) -> None:
    clock.advance(seconds=59)  # 09:30:59: half nine is due this minute, not past
    assert listed(cli, "--overdue") == ["Wednesday", "Standup"]
    clock.advance(seconds=1)  # 09:31
    assert listed(cli, "--overdue") == ["Wednesday", "Standup", "Half nine"]
    assert headings(cli, "--upcoming")[:5] == [
        "Overdue",
        "Wednesday",
        "Standup",
        "Half nine",
        "Today · Fri 20 Nov",
    ]


def test_sort_by_due_puts_a_day_s_times_before_the_day(cli: CLI, friday: None) -> None:
    assert listed(cli, "--sort", "due")[1:6] == [
        "Standup",
        "Half nine",
        "Tonight",
        "All day",
        "Saturday",
    ]


def test_overdue_late_in_the_evening_in_kiritimati(
    cli: CLI, friday: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # UTC+14: 09:30 UTC is 23:30 there; everything of Friday but the all-day task is late.
    in_zone(monkeypatch, "Pacific/Kiritimati")
    assert listed(cli, "--overdue") == ["Wednesday", "Standup", "Half nine", "Tonight"]
    assert headings(cli, "--upcoming") == [
        "Overdue",
        "Wednesday",
        "Standup",
        "Half nine",
        "Tonight",
        "Today · Fri 20 Nov",
        "All day",
        "Tomorrow · Sat 21 Nov",
        "Saturday",
    ]


def test_overdue_on_the_day_the_clocks_go_forward_in_los_angeles(
    cli: CLI, alice: TaskStore, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sunday 8 March 2026: 02:00 PST became 03:00 PDT. 10:30 UTC is 03:30 on the clock.
    in_zone(monkeypatch, "America/Los_Angeles")
    clock.now = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    sunday = date(2026, 3, 8)
    alice.create("Night shift", due=Due(sunday, time(3, 0)))
    alice.create("Breakfast", due=Due(sunday, time(8, 0)))
    alice.create("Sunday", due=Due(sunday))
    assert listed(cli, "--overdue") == ["Night shift"]
    assert headings(cli, "--upcoming") == [
        "Overdue",
        "Night shift",
        "Today · Sun 8 Mar",
        "Breakfast",
        "Sunday",
    ]
    # and a bare hour there is read on the clock's face: 04:00 is still to come
    assert added(cli, alice, "Feed the cat at 4").due == Due(sunday, time(4, 0))


# -- a bare hour -----------------------------------------------------------------------------------


def test_lunch_at_1_typed_at_ten_is_one_in_the_afternoon(
    cli: CLI, alice: TaskStore, clock: FrozenClock
) -> None:
    clock.advance(minutes=30)  # 10:00
    result = cli("add", "Lunch at 1")
    assert result.code == EXIT_OK, result.err
    (task,) = alice.list_tasks(TaskQuery(status=Status.ALL))
    assert (task.title, task.due) == ("Lunch", Due(FRIDAY, time(13, 0)))
    assert result.out.splitlines()[1] == "  due Fri 20 Nov 2026, 13:00 (today)"


@pytest.mark.parametrize(
    ("words", "due"),
    [
        (["Standup at 9"], Due(FRIDAY, time(21, 0))),  # 09:00 has passed: the evening's
        (["Call at 11"], Due(FRIDAY, time(11, 0))),
        (["Dentist fri at 3"], Due(date(2026, 11, 27), time(15, 0))),
        (["Standup mon at 9"], Due(date(2026, 11, 23), time(9, 0))),
        (["Lunch at 13"], Due(FRIDAY, time(13, 0))),
        (["Call", "at", "9pm"], Due(FRIDAY, time(21, 0))),
        (["Call 14:00"], Due(FRIDAY, time(14, 0))),
        (["Pay rent", "--due", "at 1"], Due(FRIDAY, time(13, 0))),
        (["Pay rent", "--due", "sat at 5"], Due(SATURDAY, time(17, 0))),
    ],
)
def test_a_bare_hour_means_the_next_one(
    cli: CLI, alice: TaskStore, words: list[str], due: Due
) -> None:
    assert added(cli, alice, *words).due == due


def test_edit_reads_a_bare_hour_at_the_time_of_the_edit(
    cli: CLI, alice: TaskStore, clock: FrozenClock
) -> None:
    task = alice.create("Lunch")
    clock.advance(hours=4, minutes=30)  # 14:00: 13:00 has passed, 01:00 is next
    result = cli("edit", task.id, "--title", "Lunch at 1")
    assert result.code == EXIT_OK, result.err
    assert alice.get(task.id).due == Due(SATURDAY, time(1, 0))
    cli("edit", task.id, "--due", "today at 1")  # today was said: kept, though past
    assert alice.get(task.id).due == Due(FRIDAY, time(13, 0))
    assert listed(cli, "--overdue") == ["Lunch"]


def test_a_bare_hour_late_in_the_evening_in_kiritimati_is_tomorrow_s(
    cli: CLI, alice: TaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_zone(monkeypatch, "Pacific/Kiritimati")  # 23:30 on Friday there
    assert added(cli, alice, "Call Ana at 1").due == Due(SATURDAY, time(1, 0))
    assert added(cli, alice, "Call Ben today at 11").due == Due(FRIDAY, time(23, 0))
    assert listed(cli, "--overdue") == ["Call Ben"]


# -- day words in titles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["Sun cream", "Fix the sat solver", "Wed dress fitting", "March for climate", "May I help"],
)
def test_day_words_inside_a_title_stay_in_the_title(cli: CLI, alice: TaskStore, title: str) -> None:
    task = added(cli, alice, title)
    assert (task.title, task.due) == (title, None)


@pytest.mark.parametrize(
    ("words", "title", "due"),
    [
        (["Call mum fri"], "Call mum", Due(date(2026, 11, 27))),
        (["Pay rent on sat 9am"], "Pay rent", Due(SATURDAY, time(9, 0))),
        (["Report due wed"], "Report", Due(date(2026, 11, 25))),
        (["Concert dec 12"], "Concert", Due(date(2026, 12, 12))),
        (["Dentist next tue"], "Dentist", Due(date(2026, 11, 24))),
    ],
)
def test_day_words_that_mean_a_date_still_do(
    cli: CLI, alice: TaskStore, words: list[str], title: str, due: Due
) -> None:
    task = added(cli, alice, *words)
    assert (task.title, task.due) == (title, due)


# -- days already past -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "said"),
    [
        ("yesterday", Due(date(2026, 11, 19)), "due Thu 19 Nov 2026 (yesterday)"),
        ("last friday", Due(date(2026, 11, 13)), "due Fri 13 Nov 2026 (7d overdue)"),
        ("last sat 9am", Due(date(2026, 11, 14), time(9, 0)), "due Sat 14 Nov 2026, 09:00"),
    ],
)
def test_edit_sets_a_day_already_past(
    cli: CLI, alice: TaskStore, text: str, due: Due, said: str
) -> None:
    task = alice.create("Send the minutes")
    result = cli("edit", task.id, "--due", text)
    assert result.code == EXIT_OK, result.err
    assert alice.get(task.id).due == due
    assert said in result.out
    assert listed(cli, "--overdue") == ["Send the minutes"]
    assert added(cli, alice, "Backdated", "--due", text).due == due


def test_past_days_in_a_title_stay_words(cli: CLI, alice: TaskStore) -> None:
    task = added(cli, alice, "Send notes from last friday")
    assert (task.title, task.due) == ("Send notes from last friday", None)
    ordered = alice.list_tasks(TaskQuery(status=Status.ALL, sort=Sort.DUE))
    assert [t.title for t in ordered] == ["Send notes from last friday"]
