"""Quick add: one line in plain words becomes a title, a due date, a priority and tags.

Every phrase is read against a frozen "today" (Friday 20 November 2026 unless a
row says otherwise), as the app would with its injected clock.
"""

from __future__ import annotations

import time as system_time
from datetime import UTC, date, datetime, time

import pytest

from store.planning import Due, Priority, QuickAdd, local_now, parse_due, parse_quick_add

FRIDAY = date(2026, 11, 20)

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
    assert parse_quick_add(line, today) == QuickAdd(title, due, priority, tags)


def test_at_least_forty_phrases_are_checked() -> None:
    assert len(PHRASES) >= 40


def test_today_is_the_local_day_even_where_it_differs_from_utc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 12:00 UTC on Friday 20 November is already 01:00 on Saturday in Auckland.
    moment = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    system_time.tzset()
    try:
        today = local_now(moment).date()
        assert today == date(2026, 11, 21)
        parsed = parse_quick_add("Brunch today 11am", today)
        assert parsed.due == Due(date(2026, 11, 21), time(11, 0))
        assert parse_quick_add("Call home tomorrow", today).due == Due(date(2026, 11, 22))
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
    assert parse_due(text, FRIDAY) == expected


@pytest.mark.parametrize("text", ["someday", "fri and sat", "2026-13-01"])
def test_parse_due_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="Cannot read"):
        parse_due(text, FRIDAY)


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
