"""Repeat phrases: plain words ("every monday at 9am", "every! 3 days") become a repeat
rule, a mode and a first occurrence; quick add takes them out of a title.

Every row is read against a frozen local "now" (a wall-clock time; Friday 20 November
2026 at 09:30 unless the row says otherwise). The table runs in two time zones: the
row's wall time is made a UTC moment for the zone, given to a FrozenClock, and turned
back into local time with planning.local_now, as the app does with its clock.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from store.planning import Due, Priority, local_now, tokenise
from store.quick_add import QuickAdd, parse_quick_add, quick_add_text
from store.recurrence import RepeatMode, dates_ahead, fits, next_due
from store.repeat_phrases import RepeatPhrase, match_repeat, parse_repeat
from tests.helpers import FrozenClock

ZONES = ("Europe/Berlin", "America/Los_Angeles")
FRIDAY = datetime(2026, 11, 20, 9, 30)  # the default "now": Friday 20 November 2026, 09:30
S, C = RepeatMode.SCHEDULE, RepeatMode.COMPLETION


def wall(text: str) -> datetime:
    """A local wall-clock time, 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def due(text: str) -> Due:
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    return Due.from_key(text)


def local_clock(moment: datetime, zone_name: str) -> datetime:
    """``moment`` on the wall clock of ``zone_name`` (the process's zone), as the app
    sees it: a UTC clock's reading, through planning.local_now."""
    utc = moment.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
    now = local_now(FrozenClock(utc)())
    assert now.replace(tzinfo=None) == moment  # the wall time exists in that zone
    return now


WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
LEAP_TO = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"

# (phrase, now, rule text, mode, first occurrence, the rule in words)
TABLE: list[tuple[str, datetime, str, RepeatMode, Due, str]] = [
    # days
    ("every day", FRIDAY, "FREQ=DAILY", S, due("2026-11-20"), "every day"),
    ("daily", FRIDAY, "FREQ=DAILY", S, due("2026-11-20"), "every day"),
    ("Every Day", FRIDAY, "FREQ=DAILY", S, due("2026-11-20"), "every day"),
    ("every 3 days", FRIDAY, "FREQ=DAILY;INTERVAL=3", S, due("2026-11-20"), "every 3 days"),
    ("every other day", FRIDAY, "FREQ=DAILY;INTERVAL=2", S, due("2026-11-20"), "every 2 days"),
    ("every second day", FRIDAY, "FREQ=DAILY;INTERVAL=2", S, due("2026-11-20"), "every 2 days"),
    # weekdays
    ("every weekday", FRIDAY, WEEKDAYS, S, due("2026-11-20"), "every weekday"),
    ("every weekday", wall("2026-11-21 09:30"), WEEKDAYS, S, due("2026-11-23"), "every weekday"),
    ("every weekend", FRIDAY, "FREQ=WEEKLY;BYDAY=SA,SU", S, due("2026-11-21"), "every weekend"),
    ("every monday", FRIDAY, "FREQ=WEEKLY;BYDAY=MO", S, due("2026-11-23"), "every Monday"),
    ("every mon", FRIDAY, "FREQ=WEEKLY;BYDAY=MO", S, due("2026-11-23"), "every Monday"),
    ("every friday", FRIDAY, "FREQ=WEEKLY;BYDAY=FR", S, due("2026-11-20"), "every Friday"),
    (
        "every mon and thu",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO,TH",
        S,
        due("2026-11-23"),
        "every Monday and Thursday",
    ),
    (
        "every mon, wed and fri",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        S,
        due("2026-11-20"),
        "every Monday, Wednesday and Friday",
    ),
    (
        "every tuesday and thursday",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=TU,TH",
        S,
        due("2026-11-24"),
        "every Tuesday and Thursday",
    ),
    # weeks
    ("every week", FRIDAY, "FREQ=WEEKLY", S, due("2026-11-20"), "every week"),
    ("weekly", FRIDAY, "FREQ=WEEKLY", S, due("2026-11-20"), "every week"),
    ("every other week", FRIDAY, "FREQ=WEEKLY;INTERVAL=2", S, due("2026-11-20"), "every 2 weeks"),
    ("biweekly", FRIDAY, "FREQ=WEEKLY;INTERVAL=2", S, due("2026-11-20"), "every 2 weeks"),
    ("fortnightly", FRIDAY, "FREQ=WEEKLY;INTERVAL=2", S, due("2026-11-20"), "every 2 weeks"),
    ("every 2 weeks", FRIDAY, "FREQ=WEEKLY;INTERVAL=2", S, due("2026-11-20"), "every 2 weeks"),
    # the coming Monday, not the one after: the interval is counted from the first date
    (
        "every other monday",
        FRIDAY,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        S,
        due("2026-11-23"),
        "every 2 weeks on Monday",
    ),
    (
        "every 3 weeks on friday",
        wall("2026-11-21 09:30"),
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=FR",
        S,
        due("2026-11-27"),
        "every 3 weeks on Friday",
    ),
    (
        "every 2 weeks on mon and thu",
        FRIDAY,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        S,
        due("2026-11-23"),
        "every 2 weeks on Monday and Thursday",
    ),
    # months
    ("every month", FRIDAY, "FREQ=MONTHLY", S, due("2026-11-20"), "every month"),
    ("monthly", FRIDAY, "FREQ=MONTHLY", S, due("2026-11-20"), "every month"),
    ("every month", wall("2027-01-31 09:30"), "FREQ=MONTHLY", S, due("2027-01-31"), "every month"),
    (
        "every month on the 15th",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=15",
        S,
        due("2026-12-15"),
        "every month on the 15th",
    ),
    (
        "every 15th",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=15",
        S,
        due("2026-12-15"),
        "every month on the 15th",
    ),
    (
        "every month on the 1st and 15th",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        S,
        due("2026-12-01"),
        "every month on the 1st and 15th",
    ),
    (
        "every first of the month",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=1",
        S,
        due("2026-12-01"),
        "every month on the 1st",
    ),
    (
        "every 31st",
        wall("2027-01-31 09:30"),
        "FREQ=MONTHLY;BYMONTHDAY=31",
        S,
        due("2027-01-31"),
        "every month on the 31st",
    ),
    # November has no 31st: its last day (store.recurrence's month-end rule)
    (
        "every month on the 31st",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=31",
        S,
        due("2026-11-30"),
        "every month on the 31st",
    ),
    (
        "every 29th",
        wall("2027-01-29 09:30"),
        "FREQ=MONTHLY;BYMONTHDAY=29",
        S,
        due("2027-01-29"),
        "every month on the 29th",
    ),
    (
        "every 30th",
        wall("2028-01-30 09:30"),
        "FREQ=MONTHLY;BYMONTHDAY=30",
        S,
        due("2028-01-30"),
        "every month on the 30th",
    ),
    (
        "every last day of the month",
        FRIDAY,
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        S,
        due("2026-11-30"),
        "every month on the last day",
    ),
    (
        "every month on the last day",
        wall("2027-02-01 09:30"),
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        S,
        due("2027-02-28"),
        "every month on the last day",
    ),
    (
        "every first monday",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=1MO",
        S,
        due("2026-12-07"),
        "every month on the first Monday",
    ),
    (
        "every 1st monday",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=1MO",
        S,
        due("2026-12-07"),
        "every month on the first Monday",
    ),
    (
        "every 2nd tuesday",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=2TU",
        S,
        due("2026-12-08"),
        "every month on the second Tuesday",
    ),
    (
        "every last friday",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=-1FR",
        S,
        due("2026-11-27"),
        "every month on the last Friday",
    ),
    (
        "every 2nd and 4th tuesday",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=2TU,4TU",
        S,
        due("2026-11-24"),
        "every month on the second and fourth Tuesday",
    ),
    (
        "every 1st and 3rd monday of the month",
        FRIDAY,
        "FREQ=MONTHLY;BYDAY=1MO,3MO",
        S,
        due("2026-12-07"),
        "every month on the first and third Monday",
    ),
    (
        "every month on the last friday",
        wall("2026-11-28 09:30"),
        "FREQ=MONTHLY;BYDAY=-1FR",
        S,
        due("2026-12-25"),
        "every month on the last Friday",
    ),
    ("every 3 months", FRIDAY, "FREQ=MONTHLY;INTERVAL=3", S, due("2026-11-20"), "every 3 months"),
    ("quarterly", FRIDAY, "FREQ=MONTHLY;INTERVAL=3", S, due("2026-11-20"), "every 3 months"),
    ("every 6 months", FRIDAY, "FREQ=MONTHLY;INTERVAL=6", S, due("2026-11-20"), "every 6 months"),
    ("semiannually", FRIDAY, "FREQ=MONTHLY;INTERVAL=6", S, due("2026-11-20"), "every 6 months"),
    # years
    ("every year", FRIDAY, "FREQ=YEARLY", S, due("2026-11-20"), "every year"),
    ("yearly", FRIDAY, "FREQ=YEARLY", S, due("2026-11-20"), "every year"),
    ("annually", FRIDAY, "FREQ=YEARLY", S, due("2026-11-20"), "every year"),
    ("every year", wall("2028-02-29 09:30"), "FREQ=YEARLY", S, due("2028-02-29"), "every year"),
    (
        "every dec 25",
        FRIDAY,
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        S,
        due("2026-12-25"),
        "every year on 25 Dec",
    ),
    (
        "every 25 dec",
        wall("2026-12-26 09:30"),
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        S,
        due("2027-12-25"),
        "every year on 25 Dec",
    ),
    (
        "every december 25th",
        FRIDAY,
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        S,
        due("2026-12-25"),
        "every year on 25 Dec",
    ),
    (
        "every year on dec 25",
        FRIDAY,
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        S,
        due("2026-12-25"),
        "every year on 25 Dec",
    ),
    (
        "every 25th of december",
        FRIDAY,
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        S,
        due("2026-12-25"),
        "every year on 25 Dec",
    ),
    # 2027 has no 29 February: its 28th (store.recurrence's month-end rule); 2028 has one
    (
        "every feb 29",
        wall("2027-01-10 09:30"),
        LEAP_TO,
        S,
        due("2027-02-28"),
        "every year on 29 Feb",
    ),
    (
        "every feb 29",
        wall("2028-01-10 09:30"),
        LEAP_TO,
        S,
        due("2028-02-29"),
        "every year on 29 Feb",
    ),
    # times of day: a time already past today starts on the rule's next day
    ("every day at 9am", FRIDAY, "FREQ=DAILY", S, due("2026-11-21 09:00"), "every day at 09:00"),
    (
        "every day at 9am",
        wall("2026-11-20 08:59"),
        "FREQ=DAILY",
        S,
        due("2026-11-20 09:00"),
        "every day at 09:00",
    ),
    ("every day at 9", FRIDAY, "FREQ=DAILY", S, due("2026-11-21 09:00"), "every day at 09:00"),
    ("every day at 3", FRIDAY, "FREQ=DAILY", S, due("2026-11-20 15:00"), "every day at 15:00"),
    (
        "every weekday 8:30am",
        FRIDAY,
        WEEKDAYS,
        S,
        due("2026-11-23 08:30"),
        "every weekday at 08:30",
    ),
    (
        "every monday at 18:00",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO",
        S,
        due("2026-11-23 18:00"),
        "every Monday at 18:00",
    ),
    (
        "Every Friday At 5PM",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=FR",
        S,
        due("2026-11-20 17:00"),
        "every Friday at 17:00",
    ),
    # the days the clocks change: 02:00 is skipped in Los Angeles on 14 March 2027 and in
    # Berlin on 28 March 2027; the first occurrence stays at 09:00 on the clock
    (
        "every day at 9am",
        wall("2027-03-14 01:30"),
        "FREQ=DAILY",
        S,
        due("2027-03-14 09:00"),
        "every day at 09:00",
    ),
    (
        "every day at 9am",
        wall("2027-03-14 10:00"),
        "FREQ=DAILY",
        S,
        due("2027-03-15 09:00"),
        "every day at 09:00",
    ),
    (
        "every day at 9am",
        wall("2027-03-28 01:30"),
        "FREQ=DAILY",
        S,
        due("2027-03-28 09:00"),
        "every day at 09:00",
    ),
    (
        "every day at 9am",
        wall("2027-03-28 10:00"),
        "FREQ=DAILY",
        S,
        due("2027-03-29 09:00"),
        "every day at 09:00",
    ),
    # after completion
    (
        "every! 3 days",
        FRIDAY,
        "FREQ=DAILY;INTERVAL=3",
        C,
        due("2026-11-20"),
        "every 3 days after completion",
    ),
    (
        "every 3 days after completion",
        FRIDAY,
        "FREQ=DAILY;INTERVAL=3",
        C,
        due("2026-11-20"),
        "every 3 days after completion",
    ),
    (
        "every 3 days after done",
        FRIDAY,
        "FREQ=DAILY;INTERVAL=3",
        C,
        due("2026-11-20"),
        "every 3 days after completion",
    ),
    (
        "every! monday at 9am",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO",
        C,
        due("2026-11-23 09:00"),
        "every Monday at 09:00 after completion",
    ),
    (
        "every! week until 2027-01-31",
        FRIDAY,
        "FREQ=WEEKLY;UNTIL=20270131",
        C,
        due("2026-11-20"),
        "every week after completion, until 31 Jan 2027",
    ),
    # ends
    (
        "every 2 weeks until 2027-06-30",
        FRIDAY,
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630",
        S,
        due("2026-11-20"),
        "every 2 weeks, until 30 Jun 2027",
    ),
    (
        "every day until dec 31",
        FRIDAY,
        "FREQ=DAILY;UNTIL=20261231",
        S,
        due("2026-11-20"),
        "every day, until 31 Dec 2026",
    ),
    (
        "every monday for 10 times",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        S,
        due("2026-11-23"),
        "every Monday, 10 times",
    ),
    (
        "every monday for 10 occurrences",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        S,
        due("2026-11-23"),
        "every Monday, 10 times",
    ),
    (
        "every monday 10 times",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        S,
        due("2026-11-23"),
        "every Monday, 10 times",
    ),
    # starts
    (
        "every monday starting next month",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO",
        S,
        due("2026-12-07"),
        "every Monday",
    ),
    (
        "every monday starting dec 1",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO",
        S,
        due("2026-12-07"),
        "every Monday",
    ),
    ("every day from tomorrow", FRIDAY, "FREQ=DAILY", S, due("2026-11-21"), "every day"),
    (
        "every monday beginning 2027-01-04",
        FRIDAY,
        "FREQ=WEEKLY;BYDAY=MO",
        S,
        due("2027-01-04"),
        "every Monday",
    ),
    (
        "every weekday at 9am starting tomorrow",
        FRIDAY,
        WEEKDAYS,
        S,
        due("2026-11-23 09:00"),
        "every weekday at 09:00",
    ),
    (
        "every 2 weeks on friday starting 2027-01-01 until 2027-03-31",
        FRIDAY,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20270331",
        S,
        due("2027-01-01"),
        "every 2 weeks on Friday, until 31 Mar 2027",
    ),
]


def row_id(row: tuple[str, datetime, str, RepeatMode, Due, str]) -> str:
    return f"{row[0]}@{row[1]:%Y-%m-%d %H:%M}"


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize(
    ("phrase", "moment", "rule", "mode", "first", "text"), TABLE, ids=[row_id(r) for r in TABLE]
)
def test_the_phrase_table(
    zone: Callable[[str], None],
    zone_name: str,
    phrase: str,
    moment: datetime,
    rule: str,
    mode: RepeatMode,
    first: Due,
    text: str,
) -> None:
    zone(zone_name)
    parsed = parse_repeat(phrase, local_clock(moment, zone_name))
    assert (parsed.rule.text, parsed.mode, parsed.first, parsed.text) == (rule, mode, first, text)
    assert parsed.at == first.at
    assert parsed.words == phrase
    repeat = parsed.repeat()
    assert (repeat.rule, repeat.mode, repeat.start) == (parsed.rule, mode, first.day)
    assert fits(repeat, first.day)


def test_the_table_is_large_and_covers_many_rules() -> None:
    assert len(TABLE) >= 60
    assert len({row[2] for row in TABLE}) >= 25


def test_a_naive_now_reads_as_an_aware_one() -> None:
    parsed = parse_repeat("every weekday 8:30am", FRIDAY)
    assert parsed.first == due("2026-11-23 08:30")
    assert parsed == parse_repeat("every weekday 8:30am", FRIDAY.replace(tzinfo=UTC))


@pytest.mark.parametrize(
    ("zone_name", "change"),
    [("America/Los_Angeles", date(2027, 3, 14)), ("Europe/Berlin", date(2027, 3, 28))],
)
def test_a_timed_rule_stays_at_its_hour_across_the_change_of_clocks(
    zone: Callable[[str], None], zone_name: str, change: date
) -> None:
    zone(zone_name)
    # Two days before the clocks go forward, after 09:00: the first is the day after.
    moment = datetime.combine(change - timedelta(days=2), time(12, 0))
    parsed = parse_repeat("every day at 9am", local_clock(moment, zone_name))
    assert parsed.first == Due(change - timedelta(days=1), time(9))
    chain = [parsed.first, *dates_ahead(parsed.repeat(), parsed.first, count=3)]
    assert chain == [Due(change + timedelta(days=n), time(9)) for n in range(-1, 3)]
    # 09:00 on the clock every day, so an hour less of UTC after the change.
    offsets = [datetime.combine(d.day, time(9), ZoneInfo(zone_name)).utcoffset() for d in chain]
    assert offsets[1] == offsets[0] + timedelta(hours=1)
    assert offsets[1:] == [offsets[1]] * 3


@pytest.mark.parametrize("zone_name", ZONES)
def test_month_ends_and_leap_days_as_the_store_counts_them(
    zone: Callable[[str], None], zone_name: str
) -> None:
    zone(zone_name)
    thirty_first = parse_repeat("every 31st", local_clock(wall("2027-01-31 08:00"), zone_name))
    assert [d.day for d in dates_ahead(thirty_first.repeat(), thirty_first.first, count=5)] == [
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]
    leap = parse_repeat("every feb 29", local_clock(wall("2027-01-10 08:00"), zone_name))
    assert [leap.first.day, *(d.day for d in dates_ahead(leap.repeat(), leap.first, 2))] == [
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
    ]


def test_the_repeat_may_start_on_another_day() -> None:
    parsed = parse_repeat("every friday", FRIDAY)
    assert parsed.repeat(date(2026, 12, 12)).start == date(2026, 12, 12)
    later = next_due(parsed.repeat(date(2026, 12, 12)), due("2026-12-12"), done_on=FRIDAY.date())
    assert later == due("2026-12-18")


def test_match_repeat_reads_from_a_word_and_stops_at_the_phrase_s_end() -> None:
    tokens = tokenise("Gym every mon and thu at 7am with Ann")
    found = match_repeat(tokens, 1, FRIDAY)
    assert found is not None
    end, phrase = found
    assert end == 7
    assert (phrase.rule.text, phrase.first, phrase.words) == (
        "FREQ=WEEKLY;BYDAY=MO,TH",
        due("2026-11-23 07:00"),
        "every mon and thu at 7am",
    )
    assert match_repeat(tokens, 0, FRIDAY) is None  # "Gym" starts none
    assert match_repeat(tokenise("every hour"), 0, FRIDAY) is None  # refused: None here


def test_match_repeat_stops_at_a_literal_or_taken_word() -> None:
    tokens = tokenise("every monday \\at 9am")
    found = match_repeat(tokens, 0, FRIDAY)
    assert found is not None and found[0] == 2 and found[1].at is None
    tokens = tokenise("every #monday")
    tokens[1].used = True  # taken as a tag
    assert match_repeat(tokens, 0, FRIDAY) is None


# (text, what the one-line message must say besides the quoted text)
REFUSALS: list[tuple[str, tuple[str, ...]]] = [
    ("every hour", ("by days, weeks, months or years",)),
    ("every 5 minutes", ("by days, weeks, months or years",)),
    ("every 2 hours", ("not by the hour",)),
    ("every 0 days", ("at least 1 day",)),
    ("every 1001 days", ("at most 1,000 days apart",)),
    ("every 2000 weeks", ("at most 1,000 weeks apart",)),
    ("every feb 30", ("February has no 30th day",)),
    ("every apr 31", ("April has no 31st day",)),
    ("every 32nd", ("no 32nd day",)),
    ("every 6th monday", ("at most five",)),
    ("every day until 2026-11-01", ("before its first date", "1 Nov 2026", "20 Nov 2026")),
    ("every monday until 2026-11-22", ("before its first date", "23 Nov 2026")),
    ("every! monday 10 times", ("cannot end after a number of times", "until")),
    ("every 2 weeks after completion for 3 times", ("cannot end after a number of times",)),
    ("every second tuesday", ("every 2nd tuesday", "every other tuesday")),
    ("every monday for 20000 times", ("1 to 10,000 times",)),
    ("every monday starting 2026-11-02", ("start on Mon 2 Nov 2026", "already past")),
    ("Every Breath You Take", ("every monday", "every 2 weeks", "every! 3 days")),
    ("every monday blues", ("every monday", "every! 3 days")),
    ("every", ("every 2 weeks",)),
    ("tomorrow", ("every 2 weeks",)),
    ("", ("every monday",)),
]


@pytest.mark.parametrize(("text", "says"), REFUSALS, ids=[r[0] or "empty" for r in REFUSALS])
def test_refusals_say_why_in_one_line(text: str, says: tuple[str, ...]) -> None:
    with pytest.raises(ValueError) as refused:
        parse_repeat(text, FRIDAY)
    message = str(refused.value)
    assert "\n" not in message
    assert repr(text) in message
    for words in says:
        assert words in message


# -- quick add -------------------------------------------------------------------------------

# (line, title, rule text or None, due)
QUICK_ADDS: list[tuple[str, str, str | None, Due | None]] = [
    ("Standup every weekday 8:30am #work", "Standup", WEEKDAYS, due("2026-11-23 08:30")),
    (
        "Pay rent every month on the 1st !high",
        "Pay rent",
        "FREQ=MONTHLY;BYMONTHDAY=1",
        due("2026-12-01"),
    ),
    ("Report every friday due dec 12", "Report", "FREQ=WEEKLY;BYDAY=FR", due("2026-12-12")),
    # A phrase that says two things stays whole in the title, its weekday no due date.
    ("Team sync every second tuesday", "Team sync every second tuesday", None, None),
    ("Jog every hour", "Jog every hour", None, None),
    (
        "Team sync every 2nd and 4th tuesday",
        "Team sync",
        "FREQ=MONTHLY;BYDAY=2TU,4TU",
        due("2026-11-24"),
    ),
    (
        "Report every friday at 9am due dec 12",
        "Report",
        "FREQ=WEEKLY;BYDAY=FR",
        due("2026-12-12 09:00"),
    ),
    ("Water plants every! 3 days", "Water plants", "FREQ=DAILY;INTERVAL=3", due("2026-11-20")),
    ("Backup weekly", "Backup", "FREQ=WEEKLY", due("2026-11-20")),
    ("Sprint review biweekly fri", "Sprint review", "FREQ=WEEKLY;INTERVAL=2", due("2026-11-27")),
    ("Plan the week every day tomorrow", "Plan the week", "FREQ=DAILY", due("2026-11-21")),
    ("Pills daily at 8am for 10 times", "Pills", "FREQ=DAILY;COUNT=10", due("2026-11-21 08:00")),
    ("Pay tax quarterly starting jan 1", "Pay tax", "FREQ=MONTHLY;INTERVAL=3", due("2027-01-01")),
    (
        "Gym every mon, wed and fri at 7am +Health",
        "Gym",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        due("2026-11-23 07:00"),
    ),
    (
        "Xmas cards every dec 1 #family",
        "Xmas cards",
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1",
        due("2026-12-01"),
    ),
    # titles: the words after the phrase are neither taken nor a date
    ("Every Breath You Take", "Every Breath You Take", None, None),
    ("Read 'Every Good Boy'", "Read 'Every Good Boy'", None, None),
    ("Weekly report", "Weekly report", None, None),
    ("Write weekly report", "Write weekly report", None, None),
    ("Every Monday Blues", "Every Monday Blues", None, None),  # and no date: Monday
    ("everyday carry kit", "everyday carry kit", None, None),
    ("Every day review inbox", "Every day review inbox", None, None),
    ("Meet every friday at 5 with Bob", "Meet every friday at 5 with Bob", None, None),
    ("Meeting every hour", "Meeting every hour", None, None),
    (
        "Every Monday Blues gig tomorrow",
        "Every Monday Blues gig",
        None,
        due("2026-11-21"),
    ),
    ('"Every day" is a song', '"Every day" is a song', None, None),
    ("\\every day gym", "every day gym", None, None),
    ("every monday", "every monday", None, None),  # nothing left: the line is the title
    ("weekly #review", "weekly #review", None, None),
]


@pytest.mark.parametrize(
    ("line", "title", "rule", "expected_due"), QUICK_ADDS, ids=[r[0] for r in QUICK_ADDS]
)
def test_quick_add_takes_a_repeat_phrase(
    line: str, title: str, rule: str | None, expected_due: Due | None
) -> None:
    quick = parse_quick_add(line, FRIDAY)
    assert (quick.title, quick.due) == (title, expected_due)
    if rule is None:
        assert quick.repeat is None
        return
    assert quick.repeat is not None
    assert quick.repeat.rule.text == rule
    assert quick.repeat.words in quick.recognised
    assert quick.repeat.words in line
    assert quick.due is not None
    assert quick.repeat.repeat(quick.due.day).start == quick.due.day


def test_quick_add_keeps_the_other_fields_beside_a_repeat() -> None:
    quick = parse_quick_add("Pay rent every month on the 1st !high #home +Flat", FRIDAY)
    phrase = parse_repeat("every month on the 1st", FRIDAY)
    assert quick == QuickAdd(
        "Pay rent", phrase.first, Priority.HIGH, ("home",), "Flat", repeat=phrase
    )
    assert quick.recognised == ("!high", "#home", "+Flat", "every month on the 1st")
    completion = parse_quick_add("Water plants every! 3 days", FRIDAY).repeat
    assert completion is not None and completion.mode is C
    assert completion.text == "every 3 days after completion"


def test_a_line_without_a_repeat_is_as_before() -> None:
    assert parse_quick_add("Buy milk tomorrow", FRIDAY) == QuickAdd("Buy milk", due("2026-11-21"))


@pytest.mark.parametrize(
    "title",
    [
        "Standup every weekday 8:30am #work",
        "Pay rent every month on the 1st !high",
        "Report every friday due dec 12",
        "Water plants every! 3 days",
        "Backup weekly",
        "Sprint review biweekly fri",
        "Pills daily at 8am for 10 times",
        "every monday",
        "Every Monday Blues",
        "Meet every friday at 5 with Bob tomorrow",
        "weekly weekly",
        "Call every monday every day",
        "Every day review inbox quarterly",
    ],
)
def test_quick_add_text_protects_repeat_phrases(title: str) -> None:
    text = quick_add_text(title, FRIDAY)
    assert parse_quick_add(text, FRIDAY) == QuickAdd(title=title)


def test_quick_add_text_protects_a_repeat_by_its_first_word() -> None:
    assert quick_add_text("Pay rent every month on the 1st", FRIDAY) == (
        "Pay rent \\every month on the 1st"
    )
    assert quick_add_text("Backup weekly", FRIDAY) == "Backup \\weekly"
    assert quick_add_text("Every Monday Blues", FRIDAY) == "Every Monday Blues"


def test_a_line_without_a_repeat_word_does_not_load_dateutil() -> None:
    code = (
        "import store.quick_add as q, sys, datetime; "
        "q.parse_quick_add('Buy milk tomorrow', datetime.datetime.now()); "
        "print('dateutil' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
    # A repeat word that stays in the title does not either; a repeat taken does.
    for line, loaded in (("Write weekly report", "False"), ("Backup weekly", "True")):
        code = (
            "import store.quick_add as q, sys, datetime; "
            f"q.parse_quick_add({line!r}, datetime.datetime(2026, 11, 20, 9, 30)); "
            "print('dateutil' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        )
        assert out.stdout.strip() == loaded, line


def test_the_phrase_says_itself_in_words() -> None:
    phrase = parse_repeat("every 2 weeks on mon and thu at 9am until 2027-06-30", FRIDAY)
    assert isinstance(phrase, RepeatPhrase)
    assert phrase.text == "every 2 weeks on Monday and Thursday at 09:00, until 30 Jun 2027"
