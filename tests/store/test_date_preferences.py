"""Two preferences of the date layer: the day a week starts on (Monday or Sunday), and
how a due date is shown (a 24- or 12-hour clock; relative or absolute labels).

Every row is read against a fixed local wall-clock "now" (no clock, no time zone):
by default Friday 20 November 2026 at 09:30. The week of Sunday 15 to Sunday 29
November 2026 is the one the week-start rows move about in.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

import store
from store.planning import (
    DEFAULT_DATE_STYLE,
    MONDAY,
    SUNDAY,
    DateStyle,
    Due,
    due_label,
    parse_due,
)
from store.quick_add import parse_quick_add, quick_add_text
from store.recurrence import describe
from store.repeat_phrases import parse_repeat

MORNING = time(9, 30)
NOW = datetime(2026, 11, 20, 9, 30)  # Friday

WED, FRI, SAT, SUN, MON = (date(2026, 11, d) for d in (18, 20, 21, 22, 23))


def nov(day: int) -> date:
    return date(2026, 11, day)


# -- week start ----------------------------------------------------------------------------------

# (today, phrase, with a Monday start, with a Sunday start). Monday weeks: 16-22 and
# 23-29 November; Sunday weeks: 15-21, 22-28 and 29 November to 5 December.
WEEK_PHRASES: list[tuple[date, str, date, date]] = [
    (WED, "next week", nov(23), nov(22)),
    (WED, "eow", nov(22), nov(21)),
    (WED, "end of week", nov(22), nov(21)),
    (WED, "this friday", nov(20), nov(20)),
    (WED, "next monday", nov(23), nov(23)),
    (WED, "next friday", nov(27), nov(27)),
    (WED, "this weekend", nov(21), nov(21)),
    (FRI, "next week", nov(23), nov(22)),
    (FRI, "eow", nov(22), nov(21)),
    (FRI, "end of week", nov(22), nov(21)),
    (FRI, "this friday", nov(20), nov(20)),
    (FRI, "next monday", nov(23), nov(23)),
    (FRI, "this weekend", nov(21), nov(21)),
    # Saturday: the last day of a Sunday week, so its end of week is today.
    (SAT, "next week", nov(23), nov(22)),
    (SAT, "eow", nov(22), nov(21)),
    (SAT, "end of week", nov(22), nov(21)),
    (SAT, "this friday", nov(27), nov(27)),  # passed yesterday: the next one
    (SAT, "next monday", nov(23), nov(23)),
    (SAT, "next friday", nov(27), nov(27)),
    (SAT, "this weekend", nov(21), nov(21)),
    # Sunday: the last day of a Monday week, the first of a Sunday one.
    (SUN, "next week", nov(23), nov(29)),
    (SUN, "eow", nov(22), nov(28)),
    (SUN, "end of week", nov(22), nov(28)),
    (SUN, "this friday", nov(27), nov(27)),
    (SUN, "this saturday", nov(28), nov(28)),  # not today: "this weekend" is
    (SUN, "next monday", nov(23), nov(30)),
    (SUN, "next friday", nov(27), date(2026, 12, 4)),
    (SUN, "this weekend", nov(22), nov(22)),
    (MON, "next week", nov(30), nov(29)),
    (MON, "eow", nov(29), nov(28)),
    (MON, "end of week", nov(29), nov(28)),
    (MON, "this friday", nov(27), nov(27)),
    (MON, "next monday", nov(30), nov(30)),
    (MON, "next friday", date(2026, 12, 4), date(2026, 12, 4)),
    (MON, "this weekend", nov(28), nov(28)),
]

WEEK_IDS = [f"{today:%a}-{phrase}" for today, phrase, _, _ in WEEK_PHRASES]


@pytest.mark.parametrize(("today", "phrase", "monday", "sunday"), WEEK_PHRASES, ids=WEEK_IDS)
def test_parse_due_reads_week_phrases_by_the_week_start(
    today: date, phrase: str, monday: date, sunday: date
) -> None:
    now = datetime.combine(today, MORNING)
    assert parse_due(phrase, now, week_start=MONDAY) == Due(monday)
    assert parse_due(phrase, now, week_start=SUNDAY) == Due(sunday)
    assert parse_due(phrase, now) == Due(monday)  # the default is a Monday start


@pytest.mark.parametrize(("today", "phrase", "monday", "sunday"), WEEK_PHRASES, ids=WEEK_IDS)
def test_quick_add_reads_week_phrases_by_the_week_start(
    today: date, phrase: str, monday: date, sunday: date
) -> None:
    now = datetime.combine(today, MORNING)
    line = f"Review budget {phrase} #work"
    for week_start, expected in ((MONDAY, monday), (SUNDAY, sunday)):
        added = parse_quick_add(line, now, week_start=week_start)
        assert (added.title, added.due, added.tags) == ("Review budget", Due(expected), ("work",))
    assert parse_quick_add(line, now).due == Due(monday)


@pytest.mark.parametrize(
    ("today", "monday", "sunday"),
    [
        (WED, nov(23), nov(23)),
        (FRI, nov(23), nov(23)),
        (SAT, nov(23), nov(23)),
        (SUN, nov(23), nov(30)),  # a Sunday week's next week starts on the 29th
        (MON, nov(30), nov(30)),
    ],
    ids=lambda value: f"{value:%a}" if isinstance(value, date) else None,
)
def test_a_repeat_starting_next_week_starts_in_the_week_start_s_next_week(
    today: date, monday: date, sunday: date
) -> None:
    now = datetime.combine(today, MORNING)
    phrase = "every monday starting next week"
    for week_start, first in ((MONDAY, monday), (SUNDAY, sunday)):
        assert parse_repeat(phrase, now, week_start=week_start).first == Due(first)
        added = parse_quick_add(f"Standup {phrase}", now, week_start=week_start)
        assert added.title == "Standup"
        assert added.repeat is not None and added.due == Due(first)
    assert parse_repeat(phrase, now).first == Due(monday)


def test_a_repeat_until_end_of_week_ends_on_the_week_start_s_last_day() -> None:
    now = datetime.combine(SUN, MORNING)
    assert parse_repeat("every day until eow", now).rule.until == SUN
    assert parse_repeat("every day until eow", now, week_start=SUNDAY).rule.until == nov(28)


def test_quick_add_text_protects_what_the_week_start_reads_as_a_date() -> None:
    now = datetime.combine(SUN, MORNING)
    for week_start in (MONDAY, SUNDAY):
        text = quick_add_text("Plan next week", now, week_start=week_start)
        assert text == "Plan \\next \\week"
        assert parse_quick_add(text, now, week_start=week_start).title == "Plan next week"


@pytest.mark.parametrize("week_start", [1, 5, 7, -1, True])
def test_a_week_starts_on_monday_or_sunday_only(week_start: int) -> None:
    with pytest.raises(ValueError, match="week_start"):
        parse_due("next week", NOW, week_start=week_start)
    with pytest.raises(ValueError, match="week_start"):
        parse_quick_add("Buy milk", NOW, week_start=week_start)
    with pytest.raises(ValueError, match="week_start"):
        quick_add_text("Buy milk", NOW, week_start=week_start)
    with pytest.raises(ValueError, match="week_start"):
        parse_repeat("every monday", NOW, week_start=week_start)


# -- date style ----------------------------------------------------------------------------------

H24 = DateStyle()
H12 = DateStyle(hours=12)
ABS24 = DateStyle(relative=False)
ABS12 = DateStyle(hours=12, relative=False)
STYLES = (H24, H12, ABS24, ABS12)


@pytest.mark.parametrize(
    ("at", "twenty_four", "twelve"),
    [
        (time(0, 0), "00:00", "12am"),
        (time(0, 30), "00:30", "12:30am"),
        (time(9, 0), "09:00", "9am"),
        (time(9, 5), "09:05", "9:05am"),
        (time(11, 59), "11:59", "11:59am"),
        (time(12, 0), "12:00", "12pm"),
        (time(12, 5), "12:05", "12:05pm"),
        (time(13, 0), "13:00", "1pm"),
        (time(17, 30), "17:30", "5:30pm"),
        (time(23, 59), "23:59", "11:59pm"),
    ],
)
def test_a_time_of_day_on_either_clock(at: time, twenty_four: str, twelve: str) -> None:
    assert H24.time(at) == twenty_four
    assert H12.time(at) == twelve
    assert ABS12.time(at) == twelve  # the clock does not depend on relative


def test_a_clock_has_12_or_24_hours() -> None:
    with pytest.raises(ValueError, match="12 or 24"):
        DateStyle(hours=13)


def test_label_widths() -> None:
    assert DEFAULT_DATE_STYLE == H24
    assert [style.label_width for style in STYLES] == [10, 12, 12, 14]


EARLY = datetime(2026, 3, 3, 9, 30)  # a Tuesday early in the year: 'later this year' rows
NEW_YEAR = datetime(2026, 12, 30, 9, 30)  # a Wednesday, days before another year

# (now, due, 24h relative, 12h relative, 24h absolute, 12h absolute)
LABELS: list[tuple[datetime, Due, str, str, str, str]] = [
    # today
    (NOW, Due(FRI), "today", "today", "Nov 20", "Nov 20"),
    (NOW, Due(FRI, time(17, 30)), "17:30", "5:30pm", "Nov 20 17:30", "Nov 20 5:30pm"),
    (NOW, Due(FRI, time(12, 30)), "12:30", "12:30pm", "Nov 20 12:30", "Nov 20 12:30pm"),
    (NOW, Due(FRI, time(0, 0)), "00:00", "12am", "Nov 20 00:00", "Nov 20 12am"),
    # tomorrow
    (NOW, Due(SAT), "tomorrow", "tomorrow", "Nov 21", "Nov 21"),
    (NOW, Due(SAT, time(9)), "tmrw 09:00", "tmrw 9am", "Nov 21 09:00", "Nov 21 9am"),
    (
        NOW,
        Due(SAT, time(12, 30)),
        "tmrw 12:30",
        "tmrw 12:30pm",
        "Nov 21 12:30",
        "Nov 21 12:30pm",
    ),
    # within a week
    (NOW, Due(nov(25)), "Wed", "Wed", "Nov 25", "Nov 25"),
    (NOW, Due(nov(25), time(9)), "Wed 09:00", "Wed 9am", "Nov 25 09:00", "Nov 25 9am"),
    (
        NOW,
        Due(nov(26), time(12, 12)),
        "Thu 12:12",
        "Thu 12:12pm",
        "Nov 26 12:12",
        "Nov 26 12:12pm",
    ),
    # within 60 days: a relative label drops the time, an absolute one keeps it
    (NOW, Due(date(2026, 12, 24)), "in 34d", "in 34d", "Dec 24", "Dec 24"),
    (
        NOW,
        Due(date(2026, 12, 24), time(17, 30)),
        "in 34d",
        "in 34d",
        "Dec 24 17:30",
        "Dec 24 5:30pm",
    ),
    # later this year
    (EARLY, Due(date(2026, 12, 24)), "Dec 24", "Dec 24", "Dec 24", "Dec 24"),
    (
        EARLY,
        Due(date(2026, 9, 30), time(12, 30)),
        "Sep 30",
        "Sep 30",
        "Sep 30 12:30",
        "Sep 30 12:30pm",
    ),
    # another year: the absolute label has the year and no time
    (NOW, Due(date(2027, 2, 3)), "Feb 2027", "Feb 2027", "Feb 3 2027", "Feb 3 2027"),
    (
        NOW,
        Due(date(2027, 12, 24), time(17, 30)),
        "Dec 2027",
        "Dec 2027",
        "Dec 24 2027",
        "Dec 24 2027",
    ),
    (
        NEW_YEAR,
        Due(date(2027, 1, 2), time(10)),
        "Sat 10:00",
        "Sat 10am",
        "Jan 2 2027",
        "Jan 2 2027",
    ),
    # overdue: an absolute label is the date, no "overdue" (the caller colours it)
    (NOW, Due(FRI, time(8)), "08:00", "8am", "Nov 20 08:00", "Nov 20 8am"),
    (NOW, Due(nov(19)), "yesterday", "yesterday", "Nov 19", "Nov 19"),
    (NOW, Due(nov(19), time(17, 30)), "yesterday", "yesterday", "Nov 19 17:30", "Nov 19 5:30pm"),
    (NOW, Due(nov(18)), "2d overdue", "2d overdue", "Nov 18", "Nov 18"),
    (NOW, Due(nov(11), time(9)), "9d overdue", "9d overdue", "Nov 11 09:00", "Nov 11 9am"),
    (
        NEW_YEAR,
        Due(date(2025, 12, 24)),
        "371d overdue",
        "371d overdue",
        "Dec 24 2025",
        "Dec 24 2025",
    ),
]


@pytest.mark.parametrize(("now", "due", "h24", "h12", "abs24", "abs12"), LABELS)
def test_due_labels_in_every_style(
    now: datetime, due: Due, h24: str, h12: str, abs24: str, abs12: str
) -> None:
    assert due_label(due, now) == h24  # the default style: the labels as they always were
    for style, expected in zip(STYLES, (h24, h12, abs24, abs12), strict=True):
        label = due_label(due, now, style=style)
        assert label == expected, style
        overdue_days = (now.date() - due.day).days
        if not (style.relative and overdue_days >= 10):  # '12d overdue': the one exception
            assert len(label) <= style.label_width, (label, style)


def test_each_style_s_widest_label_fills_its_width() -> None:
    # Rows overdue by 10 days or more are wider (see DateStyle.label_width).
    labels = [row[2:] for row in LABELS if (row[0].date() - row[1].day).days < 10]
    for number, style in enumerate(STYLES):
        assert max(len(label[number]) for label in labels) == style.label_width, style


def test_long_and_relative_write_the_time_in_the_style() -> None:
    due = Due(SAT, time(17, 30))
    assert due.long(FRI) == "Sat 21 Nov 2026, 17:30 (tomorrow)"
    assert due.long(FRI, style=H12) == "Sat 21 Nov 2026, 5:30pm (tomorrow)"
    assert due.long(FRI, style=ABS24) == "Sat 21 Nov 2026, 17:30"
    assert due.long(FRI, style=ABS12) == "Sat 21 Nov 2026, 5:30pm"
    assert due.relative(FRI) == "tomorrow 17:30"
    assert due.relative(FRI, style=H12) == "tomorrow 5:30pm"
    assert due.relative(FRI, style=H12, with_time=False) == "tomorrow"


def test_a_repeat_s_time_in_the_style() -> None:
    phrase = parse_repeat("every weekday at 8:30am", NOW)
    assert describe(phrase.repeat(), phrase.at) == "every weekday at 08:30"
    assert describe(phrase.repeat(), phrase.at, style=H12) == "every weekday at 8:30am"


def test_the_preferences_are_exported() -> None:
    assert (store.DateStyle, store.MONDAY, store.SUNDAY) == (DateStyle, 0, 6)
