"""Quick add: one line in plain words becomes a title, a due date, a priority and tags.

Every phrase is read against a frozen "now" (Friday 20 November 2026, 09:30 local
time, unless a row says otherwise), as the app would with its injected clock.
"""

from __future__ import annotations

import time as system_time
from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from store.planning import Due, Priority, local_now, parse_due
from store.quick_add import QuickAdd, parse_quick_add, quick_add_text

FRIDAY = date(2026, 11, 20)
MORNING = time(9, 30)  # the frozen clock's time of day
NOW = datetime.combine(FRIDAY, MORNING)


def moment(when: date | datetime) -> datetime:
    """A row's "now": a day alone means that day at the frozen clock's 09:30."""
    return when if isinstance(when, datetime) else datetime.combine(when, MORNING)


# (line, today, title, due, priority, tags)
PHRASES: list[tuple[str, date, str, Due | None, Priority | None, tuple[str, ...]]] = [
    ("Buy milk", FRIDAY, "Buy milk", None, None, ()),
    (
        "Pay rent tomorrow 9am !high #home #bills",
        FRIDAY,
        "Pay rent",
        Due(date(2026, 11, 21), time(9, 0)),
        Priority.HIGH,
        ("home", "bills"),
    ),
    ("Call mum next friday", FRIDAY, "Call mum", Due(date(2026, 11, 27)), None, ()),
    ("Renew passport in 3 weeks", FRIDAY, "Renew passport", Due(date(2026, 12, 11)), None, ()),
    ("Report due 2026-12-01", FRIDAY, "Report", Due(date(2026, 12, 1)), None, ()),
    ("Water plants today", FRIDAY, "Water plants", Due(FRIDAY), None, ()),
    (
        "Dentist tomorrow at 14:30",
        FRIDAY,
        "Dentist",
        Due(date(2026, 11, 21), time(14, 30)),
        None,
        (),
    ),
    ("Gym monday", FRIDAY, "Gym", Due(date(2026, 11, 23)), None, ()),
    ("Gym on mon", FRIDAY, "Gym", Due(date(2026, 11, 23)), None, ()),
    ("Pub quiz friday", FRIDAY, "Pub quiz", Due(date(2026, 11, 27)), None, ()),  # not today
    ("Pub quiz this friday", FRIDAY, "Pub quiz", Due(FRIDAY), None, ()),
    ("Team lunch next week", FRIDAY, "Team lunch", Due(date(2026, 11, 23)), None, ()),
    ("Plan holiday next month", FRIDAY, "Plan holiday", Due(date(2026, 12, 1)), None, ()),
    ("Clean gutters this weekend", FRIDAY, "Clean gutters", Due(date(2026, 11, 21)), None, ()),
    ("Invoices end of month", FRIDAY, "Invoices", Due(date(2026, 11, 30)), None, ()),
    ("Invoices eom", FRIDAY, "Invoices", Due(date(2026, 11, 30)), None, ()),
    ("Timesheet end of week", FRIDAY, "Timesheet", Due(date(2026, 11, 22)), None, ()),
    ("Book flights in 2 days", FRIDAY, "Book flights", Due(date(2026, 11, 22)), None, ()),
    ("Book flights in a week", FRIDAY, "Book flights", Due(date(2026, 11, 27)), None, ()),
    ("Car service in 6 months", FRIDAY, "Car service", Due(date(2027, 5, 20)), None, ()),
    ("Check pension in 1 year", FRIDAY, "Check pension", Due(date(2027, 11, 20)), None, ()),
    ("Call Sam at 5pm", FRIDAY, "Call Sam", Due(FRIDAY, time(17, 0)), None, ()),
    (
        "Call Sam 9:15am tomorrow",
        FRIDAY,
        "Call Sam",
        Due(date(2026, 11, 21), time(9, 15)),
        None,
        (),
    ),
    ("Standup 9 am monday", FRIDAY, "Standup", Due(date(2026, 11, 23), time(9, 0)), None, ()),
    ("Lunch noon wed", FRIDAY, "Lunch", Due(date(2026, 11, 25), time(12, 0)), None, ()),
    ("Concert dec 12", FRIDAY, "Concert", Due(date(2026, 12, 12)), None, ()),
    ("Concert 12th December", FRIDAY, "Concert", Due(date(2026, 12, 12)), None, ()),
    (
        "Concert 3 march 2027 at 8pm",
        FRIDAY,
        "Concert",
        Due(date(2027, 3, 3), time(20, 0)),
        None,
        (),
    ),
    ("Birthday jan 5", FRIDAY, "Birthday", Due(date(2027, 1, 5)), None, ()),  # next year
    ("Leap party feb 29", FRIDAY, "Leap party", Due(date(2028, 2, 29)), None, ()),
    ("Rent in 1 month", date(2026, 1, 31), "Rent", Due(date(2026, 2, 28)), None, ()),
    ("Rent in 1 month", date(2028, 1, 31), "Rent", Due(date(2028, 2, 29)), None, ()),
    (
        "Leap day chores tomorrow",
        date(2028, 2, 28),
        "Leap day chores",
        Due(date(2028, 2, 29)),
        None,
        (),
    ),
    ("No leap day tomorrow", date(2027, 2, 28), "No leap day", Due(date(2027, 3, 1)), None, ()),
    ("Anniversary in 1 year", date(2028, 2, 29), "Anniversary", Due(date(2029, 2, 28)), None, ()),
    (
        "Year end tasks end of month",
        date(2026, 12, 31),
        "Year end tasks",
        Due(date(2026, 12, 31)),
        None,
        (),
    ),
    (
        "New year plan tomorrow",
        date(2026, 12, 31),
        "New year plan",
        Due(date(2027, 1, 1)),
        None,
        (),
    ),
    ("Fix bug !h", FRIDAY, "Fix bug", None, Priority.HIGH, ()),
    ("Fix bug !1", FRIDAY, "Fix bug", None, Priority.HIGH, ()),
    ("Tidy desk !low", FRIDAY, "Tidy desk", None, Priority.LOW, ()),
    (
        "Tidy desk !m #Home #home #work",
        FRIDAY,
        "Tidy desk",
        None,
        Priority.MEDIUM,
        ("Home", "work"),
    ),
    ("Buy \\#1 fan gift #gifts", FRIDAY, "Buy #1 fan gift", None, None, ("gifts",)),
    (
        'Read "Friday" by Defoe tomorrow',
        FRIDAY,
        'Read "Friday" by Defoe',
        Due(date(2026, 11, 21)),
        None,
        (),
    ),
    (
        "Watch \\tomorrow never dies friday",
        FRIDAY,
        "Watch tomorrow never dies",
        Due(date(2026, 11, 27)),
        None,
        (),
    ),
    (
        "Meet friday about the monday report",
        FRIDAY,
        "Meet friday about the report",
        Due(date(2026, 11, 23)),
        None,
        (),
    ),  # the last date phrase wins
    ("tomorrow", FRIDAY, "tomorrow", None, None, ()),  # nothing left: all of it is the title
    (
        "Email boss by tuesday, then relax",
        FRIDAY,
        "Email boss then relax",
        Due(date(2026, 11, 24)),
        None,
        (),
    ),
    ("Pay !now", FRIDAY, "Pay !now", None, None, ()),  # not a priority word
    ("Tag #", FRIDAY, "Tag #", None, None, ()),
    ("Meeting 2026-02-30", FRIDAY, "Meeting 2026-02-30", None, None, ()),  # no such day
    ("Alarm at 25:00", FRIDAY, "Alarm at 25:00", None, None, ()),
]


@pytest.mark.parametrize(
    ("line", "today", "title", "due", "priority", "tags"),
    PHRASES,
    ids=[f"{row[0]}@{row[1]}" for row in PHRASES],
)
def test_quick_add_phrases(
    line: str,
    today: date,
    title: str,
    due: Due | None,
    priority: Priority | None,
    tags: tuple[str, ...],
) -> None:
    assert parse_quick_add(line, moment(today)) == QuickAdd(title, due, priority, tags)


def test_at_least_forty_phrases_are_checked() -> None:
    assert len(PHRASES) >= 40


# (line, title, project, tags): a project named in the title, todo.txt's way or
# Taskwarrior's; and the words with a '+' that name none.
PROJECT_PHRASES: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    ("Plan the launch +Work", "Plan the launch", "Work", ()),
    ("Plan the launch +Work/Q4", "Plan the launch", "Work/Q4", ()),
    ("+Home Paint the fence #weekend", "Paint the fence", "Home", ("weekend",)),
    ("Plan the launch project:Work.Q4", "Plan the launch", "Work/Q4", ()),
    ("Plan the launch PROJECT:Work", "Plan the launch", "Work", ()),
    ("Call Bob about it +Work.", "Call Bob about it", "Work", ()),  # a sentence's full stop
    ("Book it +Trips/Été 2027", "Book it 2027", "Trips/Été", ()),  # one word: no spaces
    ("File it +Home +Work", "File it +Home", "Work", ()),  # one project: the last; +Home stays
    ("Learn C++", "Learn C++", None, ()),
    ("Check 1+1 is 2", "Check 1+1 is 2", None, ()),
    ("Say +1 to the plan", "Say +1 to the plan", None, ()),
    ("Vote ++ for tabs", "Vote ++ for tabs", None, ()),
    ("Add a + b", "Add a + b", None, ()),
    ("Buy milk \\+Home", "Buy milk +Home", None, ()),  # escaped: a word of the title
    ("Plan +Work//Q4", "Plan +Work//Q4", None, ()),  # an empty level: not a path
    ("Plan project:", "Plan project:", None, ()),
    ("+Work", "+Work", None, ()),  # nothing else: the line is the title
]


@pytest.mark.parametrize(("line", "title", "project", "tags"), PROJECT_PHRASES)
def test_quick_add_reads_a_project(
    line: str, title: str, project: str | None, tags: tuple[str, ...]
) -> None:
    assert parse_quick_add(line, NOW) == QuickAdd(title, tags=tags, project=project)


def test_today_is_the_local_day_even_where_it_differs_from_utc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 12:00 UTC on Friday 20 November is already 01:00 on Saturday in Auckland.
    utc = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    system_time.tzset()
    try:
        now = local_now(utc)
        assert now.date() == date(2026, 11, 21)
        parsed = parse_quick_add("Brunch today 11am", now)
        assert parsed.due == Due(date(2026, 11, 21), time(11, 0))
        assert parse_quick_add("Call home tomorrow", now).due == Due(date(2026, 11, 22))
    finally:
        monkeypatch.setenv("TZ", "UTC")
        system_time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri 5pm", Due(date(2026, 11, 27), time(17, 0))),
        ("2026-12-01", Due(date(2026, 12, 1))),
        ("none", None),
        ("", None),
    ],
)
def test_parse_due_alone(text: str, expected: Due | None) -> None:
    assert parse_due(text, NOW) == expected


@pytest.mark.parametrize("text", ["someday", "fri and sat", "2026-13-01"])
def test_parse_due_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="Cannot read"):
        parse_due(text, NOW)


def test_due_keys_sort_by_day_then_time() -> None:
    dues = [Due(date(2026, 12, 1), time(9)), Due(date(2026, 12, 1)), Due(date(2026, 11, 30))]
    assert sorted(d.key for d in dues) == ["2026-11-30", "2026-12-01", "2026-12-01 09:00"]
    assert Due.from_key("2026-12-01 09:00") == dues[0]


def test_relative_due_descriptions() -> None:
    assert Due(FRIDAY).relative(FRIDAY) == "today"
    assert Due(date(2026, 11, 21)).relative(FRIDAY) == "tomorrow"
    assert Due(date(2026, 11, 23)).relative(FRIDAY) == "Mon"
    assert Due(date(2026, 11, 30)).relative(FRIDAY) == "in 10d"
    assert Due(date(2026, 11, 18)).relative(FRIDAY) == "2d overdue"
    assert Due(FRIDAY, time(9)).is_overdue(datetime(2026, 11, 20, 10, 0))
    assert not Due(FRIDAY).is_overdue(datetime(2026, 11, 20, 23, 0))


def test_the_parser_is_cheap_to_import() -> None:
    import subprocess
    import sys

    heavy = ("dateparser", "dateutil", "parsedatetime", "textual")
    code = f"import sys, store.planning; print(sorted(set(sys.modules) & set({heavy!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_due_order_puts_a_day_s_times_before_the_day_itself() -> None:
    # An all-day task is due by the end of its day: 09:00 < 18:00 < all day < next day.
    dues = [
        Due(date(2026, 12, 2)),
        Due(date(2026, 12, 1)),
        Due(date(2026, 12, 1), time(18)),
        Due(date(2026, 12, 2), time(0)),
        Due(date(2026, 12, 1), time(9)),
        Due(date(2026, 12, 1), time(23, 59)),
    ]
    assert [d.order_key for d in sorted(dues, key=lambda d: d.order_key)] == [
        "2026-12-01 09:00",
        "2026-12-01 18:00",
        "2026-12-01 23:59",
        "2026-12-01 24:00",
        "2026-12-02 00:00",
        "2026-12-02 24:00",
    ]


# -- a bare hour: "at 1" ---------------------------------------------------------------------------

SATURDAY = date(2026, 11, 21)


def at(hour: int, minute: int = 0, second: int = 0, day: date = FRIDAY) -> datetime:
    return datetime.combine(day, time(hour, minute, second))


# (line, now, due): 1 to 12 after "at" without am/pm is the next such hour within 12 hours
# when no day is said; with today the day is kept; on another day, 7-11 morning, 12 noon,
# 1-6 afternoon. Everything else means what it says.
BARE_HOURS: list[tuple[str, datetime, Due]] = [
    ("Lunch at 1", at(10), Due(FRIDAY, time(13))),
    ("Lunch at 1", at(0, 30), Due(FRIDAY, time(1))),
    ("Lunch at 1", at(14), Due(SATURDAY, time(1))),  # the next 1 o'clock is tomorrow's
    ("Standup at 9", at(9, 30), Due(FRIDAY, time(21))),
    ("Call at 10", at(10, 0, 59), Due(FRIDAY, time(10))),  # this very minute: not past yet
    ("Call at 10", at(10, 1), Due(FRIDAY, time(22))),
    ("Call at 12", at(10), Due(FRIDAY, time(12))),
    ("Call at 12", at(13), Due(SATURDAY, time(0))),  # midnight, an hour away
    ("Call at 11", at(23, 30), Due(SATURDAY, time(11))),
    ("Lunch today at 1", at(10), Due(FRIDAY, time(13))),
    ("Lunch today at 1", at(14), Due(FRIDAY, time(13))),  # today was said: kept, though past
    ("Breakfast today at 8", at(7), Due(FRIDAY, time(8))),
    ("Drinks tonight at 9", at(8), Due(FRIDAY, time(21))),
    ("Party tonight at 12", at(20), Due(SATURDAY, time(0))),
    ("Party tonight at 1", at(18), Due(SATURDAY, time(1))),  # the small hours after it
    ("Taxi tonight at 5", at(18), Due(SATURDAY, time(5))),
    ("Dinner tonight at 6", at(10), Due(FRIDAY, time(18))),
    ("Dentist fri at 3", at(10), Due(date(2026, 11, 27), time(15))),
    ("Dentist tomorrow at 6", at(10), Due(SATURDAY, time(18))),
    ("Standup mon at 7", at(10), Due(date(2026, 11, 23), time(7))),
    ("Review tomorrow at 11", at(10), Due(SATURDAY, time(11))),
    ("Lunch tomorrow at 12", at(10), Due(SATURDAY, time(12))),
    ("Coffee at 2 tomorrow", at(10), Due(SATURDAY, time(14))),  # the time first
    ("Walk at 4 sat", at(10), Due(SATURDAY, time(16))),
    # what says am, pm or a 24-hour time stays as it is
    ("Lunch at 13", at(10), Due(FRIDAY, time(13))),
    ("Alarm at 0", at(10), Due(FRIDAY, time(0))),
    ("Lunch 14:00", at(10), Due(FRIDAY, time(14))),
    ("Lunch 9:00", at(10), Due(FRIDAY, time(9))),
    ("Dinner 9pm", at(10), Due(FRIDAY, time(21))),
    ("Call at 1am", at(10), Due(FRIDAY, time(1))),
    ("Call at 1pm", at(14), Due(FRIDAY, time(13))),
    ("Meet tomorrow 9am", at(10), Due(SATURDAY, time(9))),
]


@pytest.mark.parametrize(
    ("line", "now", "due"), BARE_HOURS, ids=[f"{row[0]}@{row[1]:%H:%M}" for row in BARE_HOURS]
)
def test_a_bare_hour_is_the_next_one_within_twelve_hours(
    line: str, now: datetime, due: Due
) -> None:
    assert parse_quick_add(line, now).due == due


def test_a_bare_hour_in_the_due_field_follows_the_same_rules() -> None:
    assert parse_due("at 1", at(10)) == Due(FRIDAY, time(13))
    assert parse_due("at 1", at(14)) == Due(SATURDAY, time(1))
    assert parse_due("sat at 5", at(10)) == Due(SATURDAY, time(17))
    assert parse_due("at 9 tomorrow", at(10)) == Due(SATURDAY, time(9))


def test_a_bare_hour_late_in_the_evening_in_kiritimati_is_tomorrow_s(
    zone: Callable[[str], None],
) -> None:
    # UTC+14: 09:30 UTC on Friday 20 November is 23:30 there, so "at 1" is past midnight.
    zone("Pacific/Kiritimati")
    now = local_now(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    assert now.replace(tzinfo=None) == at(23, 30)
    assert parse_quick_add("Call Ana at 1", now).due == Due(SATURDAY, time(1))
    assert parse_quick_add("Call Ana at 11", now).due == Due(SATURDAY, time(11))
    # The last seconds of February: the next 1 o'clock is on the first of March.
    now = local_now(datetime(2027, 2, 28, 9, 59, 30, tzinfo=UTC))
    assert now.replace(tzinfo=None) == datetime(2027, 2, 28, 23, 59, 30)
    assert parse_quick_add("Call Ana at 1", now).due == Due(date(2027, 3, 1), time(1))
    assert parse_quick_add("Call Ana today at 1", now).due == Due(date(2027, 2, 28), time(13))


def test_a_bare_hour_on_the_days_the_clocks_change_in_los_angeles(
    zone: Callable[[str], None],
) -> None:
    zone("America/Los_Angeles")
    # Sunday 8 March 2026: 02:00 PST became 03:00 PDT; 10:30 UTC is 03:30 on the clock.
    now = local_now(datetime(2026, 3, 8, 10, 30, tzinfo=UTC))
    assert now.replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)
    assert parse_quick_add("Feed the cat at 4", now).due == Due(date(2026, 3, 8), time(4))
    assert parse_quick_add("Lunch at 1", now).due == Due(date(2026, 3, 8), time(13))
    # Sunday 1 November 2026: 01:00-02:00 came twice. 01:30 either time is the same face.
    for utc_hour in (8, 9):  # 01:30 PDT, then 01:30 PST
        now = local_now(datetime(2026, 11, 1, utc_hour, 30, tzinfo=UTC))
        assert now.replace(tzinfo=None) == datetime(2026, 11, 1, 1, 30)
        assert parse_quick_add("Call at 1", now).due == Due(date(2026, 11, 1), time(13))
        assert parse_quick_add("Call at 2", now).due == Due(date(2026, 11, 1), time(2))


# -- weekday and month words in titles -------------------------------------------------------------

# Titles whose day and month words are words, not dates (read on Friday 20 November).
NOT_DATES = [
    "Sun cream",
    "Fix the sat solver",
    "Wed dress fitting",
    "March for climate",
    "May I help",
    "Buy a sun hat",
    "Sit in the sun",
    "Read the Sun",
    "Sat nav update",
    "Sat exam prep",
    "Sun lounger repair",
    "Sun dried tomatoes",
    "Mon ami dinner",
    "Thu Trang birthday card",
    "Tues club minutes",
    "Thurs meetup notes",
    "Weds quiz team",
    "Wed planner order",
    "Fri night lights box set",
    "Fix my sat",
    "Check the sat dish",
    "Join the March",
    "March 10 km for charity",
    "Print 3 march posters",
    "May 5 people join",
    "Mar the finish",
    "Send notes from last friday",
    "Write up what happened yesterday",
    "Ask the mon about the fri",
]


@pytest.mark.parametrize("line", NOT_DATES)
def test_day_words_inside_a_title_are_not_dates(line: str) -> None:
    assert parse_quick_add(line, NOW) == QuickAdd(line)


def test_at_least_twenty_titles_with_day_words_are_checked() -> None:
    assert len(NOT_DATES) >= 20


# (line, title, due): where those words do mean a date. An abbreviation at the end (tags and
# priorities aside), before a time, or after on/by/due/until/next/this; a full name anywhere.
DATES_KEPT: list[tuple[str, str, Due]] = [
    ("Call mum fri", "Call mum", Due(date(2026, 11, 27))),
    ("Pay rent on sat 9am", "Pay rent", Due(SATURDAY, time(9))),
    ("Report due wed", "Report", Due(date(2026, 11, 25))),
    ("Party dec 12", "Party", Due(date(2026, 12, 12))),
    ("Dentist next tue", "Dentist", Due(date(2026, 11, 24))),
    ("Call mum fri #family !h", "Call mum", Due(date(2026, 11, 27))),
    ("Bins out tue.", "Bins out", Due(date(2026, 11, 24))),
    ("Sun 10am brunch with Ann", "brunch with Ann", Due(date(2026, 11, 22), time(10))),
    ("Brunch sun at 10", "Brunch", Due(date(2026, 11, 22), time(10))),
    ("Submit form by weds", "Submit form", Due(date(2026, 11, 25))),
    ("Off until mon", "Off until", Due(date(2026, 11, 23))),
    ("Quiz this thurs", "Quiz", Due(date(2026, 11, 26))),
    ("Standup mon 9:15", "Standup", Due(date(2026, 11, 23), time(9, 15))),
    ("Sun cream on sat", "Sun cream", Due(SATURDAY)),
    ("Wed dress fitting sat", "Wed dress fitting", Due(SATURDAY)),
    ("Plan the friday party", "Plan the party", Due(date(2026, 11, 27))),
    ("Concert march 3", "Concert", Due(date(2027, 3, 3))),
    ("Concert on march 3 with Ann", "Concert with Ann", Due(date(2027, 3, 3))),
    ("Hike 3 march at 8am", "Hike", Due(date(2027, 3, 3), time(8))),
    ("Exam may 5 2027 revision", "Exam revision", Due(date(2027, 5, 5))),
]


@pytest.mark.parametrize(("line", "title", "due"), DATES_KEPT, ids=[r[0] for r in DATES_KEPT])
def test_day_words_that_do_mean_a_date(line: str, title: str, due: Due) -> None:
    parsed = parse_quick_add(line, NOW)
    assert (parsed.title, parsed.due) == (title, due)


def test_the_due_field_reads_abbreviations_and_month_days_on_their_own() -> None:
    assert parse_due("dec 12", NOW) == Due(date(2026, 12, 12))
    assert parse_due("sat", NOW) == Due(SATURDAY)
    assert parse_due("wed 5pm", NOW) == Due(date(2026, 11, 25), time(17))
    assert parse_due("march 3", NOW) == Due(date(2027, 3, 3))


# -- days already past, for the due field ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("yesterday", Due(date(2026, 11, 19))),
        ("yesterday 5pm", Due(date(2026, 11, 19), time(17))),
        ("last friday", Due(date(2026, 11, 13))),  # on a Friday: a week ago
        ("last fri", Due(date(2026, 11, 13))),
        ("last thursday", Due(date(2026, 11, 19))),
        ("last sat 9am", Due(date(2026, 11, 14), time(9))),
        ("last monday at 3", Due(date(2026, 11, 16), time(15))),
        ("last sunday", Due(date(2026, 11, 15))),
    ],
)
def test_the_due_field_takes_days_already_past(text: str, due: Due) -> None:
    assert parse_due(text, NOW) == due


def test_last_weekday_across_a_month_and_a_year() -> None:
    new_year = datetime(2027, 1, 1, 9, 30)  # a Friday
    assert parse_due("last friday", new_year) == Due(date(2026, 12, 25))
    assert parse_due("yesterday", new_year) == Due(date(2026, 12, 31))
    assert parse_due("last tue", datetime(2026, 3, 2, 8)) == Due(date(2026, 2, 24))


@pytest.mark.parametrize("text", ["last", "last week", "last blah", "yesterday friday"])
def test_the_due_field_refuses_past_phrases_it_does_not_know(text: str) -> None:
    with pytest.raises(ValueError, match="Cannot read"):
        parse_due(text, NOW)


@pytest.mark.parametrize(
    "title",
    [
        "Buy #1 fan mug",
        "Write friday column",
        "Call mum next friday 5pm",
        'Read "Friday" by Defoe',
        "Pay !high rent",
        "x \\backslash y",
        "Meet at noon",
        "Sun cream",
        "Report due 2026-12-01 #work !h",
        "#1",
        "Plan +Work/Q4 launch",
        "Export project:Home.Garden",
        "Learn C++ and +1 it",
    ],
)
def test_quick_add_text_reads_back_as_the_same_title_and_nothing_else(title: str) -> None:
    now = datetime(2026, 11, 20, 9, 30)
    text = quick_add_text(title, now)
    assert parse_quick_add(text, now) == QuickAdd(title=title)
