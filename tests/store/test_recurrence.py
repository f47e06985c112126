"""Repeat rules: the next dates store.recurrence gives, checked against dateutil's rrule
evaluated here on its own from the rule's text (RFC 5545), except where TaskFlow
departs from RFC 5545 on purpose (a month's day past the 28th, 29 February), which is
checked against dates written out by hand. Then: after completion, the ends of a
series, reading and writing rules, and keeping a repeat as data."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr

from store.planning import Due
from store.recurrence import (
    Repeat,
    RepeatMode,
    Rule,
    dates_ahead,
    describe,
    first_date,
    fits,
    next_date,
    next_due,
    occurrences,
)
from tests.store.test_repeat_phrases import TABLE

STEPS = 10


def distinct_rules() -> list[tuple[str, date]]:
    """Each rule of the phrase table once, with the first day the table gives it (a
    rule whose month-end day depends on its start: each start)."""
    seen: dict[tuple[str, date | None], date] = {}
    for _phrase, _now, rule, _mode, first, _text in TABLE:
        key = (rule, first.day if month_end(Rule.parse(rule), first.day) else None)
        seen.setdefault(key, first.day)
    return [(rule, start) for (rule, _), start in seen.items()]


def month_end(rule: Rule, start: date) -> bool:
    """Whether TaskFlow's month-end rule applies: a single day of the month past the
    28th, or a plain monthly or yearly rule started on such a day."""
    if rule.by_day or len(rule.by_month_day) > 1:
        return False
    if rule.by_month_day:
        return rule.by_month_day[0] > 28
    return rule.freq in ("MONTHLY", "YEARLY") and start.day > 28


def chain(repeat: Repeat, first: Due, steps: int = STEPS) -> list[date]:
    """The next ``steps`` due days, each occurrence done on its due day (or fewer, when
    the rule ends: next_due gives None)."""
    days: list[date] = []
    current: Due | None = first
    while current is not None and len(days) < steps:
        current = next_due(repeat, current, done_on=current.day)
        if current is not None:
            days.append(current.day)
    return days


def by_dateutil(rule_text: str, start: date, steps: int = STEPS) -> list[date]:
    moments = rrulestr(rule_text, dtstart=datetime.combine(start, time()))
    days = [moment.date() for moment in itertools.islice(moments, steps + 1)]
    assert days[0] == start  # the table's first day is one of the rule's
    return days[1:]


RULES = distinct_rules()
RFC_RULES = [(rule, start) for rule, start in RULES if not month_end(Rule.parse(rule), start)]

# TaskFlow's departures from RFC 5545, written out: a shorter month's last day for a
# day past the 28th, 28 February for 29 February in other years.
MONTH_END_CHAINS: dict[tuple[str, date], list[date]] = {
    ("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 31)): [
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
        date(2027, 7, 31),
        date(2027, 8, 31),
        date(2027, 9, 30),
        date(2027, 10, 31),
        date(2027, 11, 30),
    ],
    ("FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 11, 30)): [
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
        date(2027, 7, 31),
        date(2027, 8, 31),
        date(2027, 9, 30),
    ],
    ("FREQ=MONTHLY;BYMONTHDAY=29", date(2027, 1, 29)): [
        date(2027, 2, 28),
        date(2027, 3, 29),
        date(2027, 4, 29),
        date(2027, 5, 29),
        date(2027, 6, 29),
        date(2027, 7, 29),
        date(2027, 8, 29),
        date(2027, 9, 29),
        date(2027, 10, 29),
        date(2027, 11, 29),
    ],
    ("FREQ=MONTHLY;BYMONTHDAY=30", date(2028, 1, 30)): [
        date(2028, 2, 29),
        date(2028, 3, 30),
        date(2028, 4, 30),
        date(2028, 5, 30),
        date(2028, 6, 30),
        date(2028, 7, 30),
        date(2028, 8, 30),
        date(2028, 9, 30),
        date(2028, 10, 30),
        date(2028, 11, 30),
    ],
    ("FREQ=MONTHLY", date(2027, 1, 31)): [
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
        date(2027, 7, 31),
        date(2027, 8, 31),
        date(2027, 9, 30),
        date(2027, 10, 31),
        date(2027, 11, 30),
    ],
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2027, 2, 28)): [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
        date(2033, 2, 28),
        date(2034, 2, 28),
        date(2035, 2, 28),
        date(2036, 2, 29),
        date(2037, 2, 28),
    ],
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2028, 2, 29)): [
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
        date(2033, 2, 28),
        date(2034, 2, 28),
        date(2035, 2, 28),
        date(2036, 2, 29),
        date(2037, 2, 28),
        date(2038, 2, 28),
    ],
    ("FREQ=YEARLY", date(2028, 2, 29)): [
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
        date(2033, 2, 28),
        date(2034, 2, 28),
        date(2035, 2, 28),
        date(2036, 2, 29),
        date(2037, 2, 28),
        date(2038, 2, 28),
    ],
}


def test_the_table_gives_enough_rules_and_every_month_end_one_is_written_out() -> None:
    assert len({rule for rule, _ in RULES}) >= 25
    assert len(RFC_RULES) >= 25
    month_end_rules = {(r, s) for r, s in RULES if month_end(Rule.parse(r), s)}
    assert month_end_rules == set(MONTH_END_CHAINS)


@pytest.mark.parametrize(("rule", "start"), RFC_RULES, ids=[f"{r}@{s}" for r, s in RFC_RULES])
def test_the_next_dates_are_rfc_5545_s(rule: str, start: date) -> None:
    repeat = Repeat.of(rule, RepeatMode.SCHEDULE, start)
    expected = by_dateutil(rule, start)
    assert chain(repeat, Due(start)) == expected
    assert len(expected) == STEPS or "COUNT" in rule or "UNTIL" in rule


@pytest.mark.parametrize(
    ("rule", "start"), list(MONTH_END_CHAINS), ids=[f"{r}@{s}" for r, s in MONTH_END_CHAINS]
)
def test_the_next_dates_at_a_month_s_end(rule: str, start: date) -> None:
    repeat = Repeat.of(rule, RepeatMode.SCHEDULE, start)
    assert chain(repeat, Due(start)) == MONTH_END_CHAINS[(rule, start)]


def test_rfc_5545_itself_would_skip_the_short_months() -> None:
    # What the month-end rule departs from: dateutil skips February and the 30-day months.
    assert by_dateutil("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 31), 3) == [
        date(2027, 3, 31),
        date(2027, 5, 31),
        date(2027, 7, 31),
    ]


def test_the_time_of_day_goes_with_the_next_date() -> None:
    repeat = Repeat.of("FREQ=WEEKLY;BYDAY=MO,TH", RepeatMode.SCHEDULE, date(2026, 11, 23))
    assert next_due(repeat, Due(date(2026, 11, 23), time(8, 30)), done_on=date(2026, 11, 23)) == (
        Due(date(2026, 11, 26), time(8, 30))
    )
    assert dates_ahead(repeat, Due(date(2026, 11, 26), time(7)), count=3) == [
        Due(date(2026, 11, 30), time(7)),
        Due(date(2026, 12, 3), time(7)),
        Due(date(2026, 12, 7), time(7)),
    ]


def test_on_schedule_a_late_completion_does_not_move_the_dates() -> None:
    repeat = Repeat.of("FREQ=DAILY;INTERVAL=3", RepeatMode.SCHEDULE, date(2026, 11, 20))
    # Done two days late: the next is still three days after the due date.
    assert next_date(repeat, date(2026, 11, 20), done_on=date(2026, 11, 22)) == date(2026, 11, 23)


# -- after completion ------------------------------------------------------------------------

# (rule, start, [(due, done on, next due), ...]): each next date counted from the done day.
COMPLETION_CHAINS: list[tuple[str, date, list[tuple[date, date, date]]]] = [
    (
        "FREQ=DAILY;INTERVAL=3",
        date(2026, 11, 20),
        [
            (date(2026, 11, 20), date(2026, 11, 22), date(2026, 11, 25)),  # 2 days late
            (date(2026, 11, 25), date(2026, 11, 25), date(2026, 11, 28)),  # on the day
            (date(2026, 11, 28), date(2026, 11, 27), date(2026, 11, 30)),  # a day early
        ],
    ),
    (
        "FREQ=WEEKLY",
        date(2026, 11, 20),
        [
            (date(2026, 11, 20), date(2026, 11, 24), date(2026, 12, 1)),
            (date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 8)),
        ],
    ),
    (
        "FREQ=WEEKLY;BYDAY=MO",
        date(2026, 11, 23),
        [
            (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 30)),
            (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)),  # done on a Monday
        ],
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=15",
        date(2026, 12, 15),
        [
            (date(2026, 12, 15), date(2026, 12, 20), date(2027, 1, 15)),
            (date(2027, 1, 15), date(2027, 2, 14), date(2027, 2, 15)),
        ],
    ),
    (
        "FREQ=MONTHLY",
        date(2026, 11, 20),
        [
            (date(2026, 11, 20), date(2026, 11, 25), date(2026, 12, 25)),
            (date(2026, 12, 25), date(2027, 1, 31), date(2027, 2, 28)),  # month-end rule
        ],
    ),
]


@pytest.mark.parametrize(
    ("rule", "start", "steps"), COMPLETION_CHAINS, ids=[c[0] for c in COMPLETION_CHAINS]
)
def test_after_completion_the_next_date_is_counted_from_the_done_day(
    rule: str, start: date, steps: list[tuple[date, date, date]]
) -> None:
    repeat = Repeat.of(rule, RepeatMode.COMPLETION, start)
    for current, done_on, expected in steps:
        assert next_date(repeat, current, done_on=done_on) == expected
        assert next_due(repeat, Due(current, time(9)), done_on=done_on) == Due(expected, time(9))


def test_after_completion_an_end_day_still_ends_the_series() -> None:
    repeat = Repeat.of("FREQ=WEEKLY;UNTIL=20270131", RepeatMode.COMPLETION, date(2026, 11, 20))
    assert next_date(repeat, date(2027, 1, 20), done_on=date(2027, 1, 22)) == date(2027, 1, 29)
    assert next_date(repeat, date(2027, 1, 29), done_on=date(2027, 1, 29)) is None
    assert next_date(repeat, date(2027, 1, 20), done_on=date(2027, 1, 25)) is None  # the 1st


def test_after_completion_a_count_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end after a number of times"):
        Repeat.of("FREQ=DAILY;COUNT=3", RepeatMode.COMPLETION, date(2026, 11, 20))


# -- the ends of a series --------------------------------------------------------------------


def test_a_count_ends_the_chain() -> None:
    repeat = Repeat.of("FREQ=WEEKLY;BYDAY=MO;COUNT=10", RepeatMode.SCHEDULE, date(2026, 11, 23))
    days = chain(repeat, Due(date(2026, 11, 23)), steps=20)
    assert len(days) == 9  # the first and nine more
    assert days[-1] == date(2027, 1, 25)
    assert next_due(repeat, Due(date(2027, 1, 25)), done_on=date(2027, 1, 25)) is None


def test_an_end_day_ends_the_chain() -> None:
    rule = "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630"
    repeat = Repeat.of(rule, RepeatMode.SCHEDULE, date(2026, 11, 20))
    days = chain(repeat, Due(date(2026, 11, 20)), steps=50)
    assert days[-1] == date(2027, 6, 18)  # 30 June is not two weeks after it
    assert len(days) == 15
    assert next_due(repeat, Due(date(2027, 6, 18)), done_on=date(2027, 6, 18)) is None
    assert days == by_dateutil(rule, date(2026, 11, 20), steps=50)


def test_an_end_day_that_is_a_date_of_the_rule_is_the_last() -> None:
    repeat = Repeat.of("FREQ=DAILY;UNTIL=20261231", RepeatMode.SCHEDULE, date(2026, 12, 29))
    assert list(occurrences(repeat)) == [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]


def test_first_date_and_fits() -> None:
    rule = Rule.parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")
    assert first_date(rule, RepeatMode.SCHEDULE, date(2026, 11, 23)) == date(2026, 11, 23)
    # Counted from a Friday, a two-weekly Monday is in the week after next (RFC 5545).
    assert first_date(rule, RepeatMode.SCHEDULE, date(2026, 11, 20)) == date(2026, 11, 30)
    repeat = Repeat.of(rule, RepeatMode.SCHEDULE, date(2026, 11, 23))
    assert fits(repeat, date(2026, 11, 23))
    assert not fits(repeat, date(2026, 11, 24))


# -- reading and writing rules ---------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted({rule for rule, _ in RULES}))
def test_every_table_rule_reads_back_as_itself(rule: str) -> None:
    parsed = Rule.parse(rule)
    assert parsed.text == rule
    assert Rule.parse(parsed.text) == parsed
    assert str(parsed) == rule


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("rrule:freq=weekly;byday=mo,th;interval=2", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
        ("RRULE:FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
        ("FREQ=WEEKLY;WKST=MO;BYDAY=FR", "FREQ=WEEKLY;BYDAY=FR"),
        ("FREQ=WEEKLY;WKST=SU;BYDAY=FR", "FREQ=WEEKLY;BYDAY=FR;WKST=SU"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=MONTHLY;BYDAY=+2TU", "FREQ=MONTHLY;BYDAY=2TU"),
        ("FREQ=MONTHLY;BYMONTHDAY=15,1,15", "FREQ=MONTHLY;BYMONTHDAY=15,1"),
        ("FREQ=YEARLY;BYMONTHDAY=25;BYMONTH=12", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"),
        ("FREQ=DAILY;UNTIL=20270630T000000Z", "FREQ=DAILY;UNTIL=20270630"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
        (" FREQ=DAILY;COUNT=5; ", "FREQ=DAILY;COUNT=5"),
    ],
)
def test_rules_read_in_any_order_and_case_and_write_one_way(text: str, canonical: str) -> None:
    assert Rule.parse(text).text == canonical
    assert Rule.parse(canonical) == Rule.parse(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("FREQ=WEEKLY;BYHOUR=9", "does not repeat by BYHOUR"),
        ("FREQ=DAILY;BYSECOND=1,2", "does not repeat by BYSECOND"),
        ("FREQ=HOURLY", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=MINUTELY;INTERVAL=5", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("INTERVAL=2", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=WEEKLY;BYDAY=1MO", "needs a monthly or yearly rule"),
        ("FREQ=DAILY;BYDAY=-1FR", "needs a monthly or yearly rule"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "not both"),
        ("FREQ=DAILY;UNTIL=2027-01-01", "UNTIL is a day, YYYYMMDD"),
        ("FREQ=DAILY;UNTIL=20270230", "not a day of the calendar"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1,000"),
        ("FREQ=DAILY;INTERVAL=1001", "INTERVAL must be a whole number from 1 to 1,000"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be a whole number"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY takes numbers from ±1 to ±31"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY takes numbers"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH takes numbers from 1 to 12"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes weekdays"),
        ("FREQ=MONTHLY;BYDAY=0MO", "A weekday's number is from 1 to 53"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "cannot name days of the month"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS picks among"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ=DAILY;INTERVAL", "Cannot read 'INTERVAL'"),
        ("", "cannot be empty"),
        ("RRULE:", "cannot be empty"),
    ],
)
def test_bad_rules_are_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(ValueError) as refused:
        Rule.parse(text)
    assert says in str(refused.value)


def test_a_rule_must_be_text() -> None:
    with pytest.raises(ValueError, match="must be text"):
        Rule.parse(None)  # type: ignore[arg-type]


# -- a repeat as data ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted({rule for rule, _ in RULES if "COUNT" not in rule}))
@pytest.mark.parametrize("mode", list(RepeatMode))
def test_a_repeat_round_trips_as_data(rule: str, mode: RepeatMode) -> None:
    repeat = Repeat.of(rule, mode, date(2027, 1, 4))
    data = repeat.as_data()
    assert data == {"rule": rule, "mode": mode.value, "start": "2027-01-04"}
    assert Repeat.from_data(data) == repeat
    assert Repeat.from_data(dict(data)).text == describe(repeat)


def test_a_counted_repeat_round_trips_on_schedule() -> None:
    repeat = Repeat.of("FREQ=WEEKLY;BYDAY=MO;COUNT=10", "schedule", date(2026, 11, 23))
    assert Repeat.from_data(repeat.as_data()) == repeat


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        ("FREQ=DAILY", TypeError, "an object with rule, mode and start"),
        ({"rule": "FREQ=DAILY", "mode": "schedule"}, TypeError, "start is a day"),
        ({"rule": "FREQ=DAILY", "mode": "schedule", "start": 20270104}, TypeError, "start"),
        ({"rule": "FREQ=DAILY", "mode": "sometimes", "start": "2027-01-04"}, ValueError, "mode"),
        ({"rule": "FREQ=HOURLY", "mode": "schedule", "start": "2027-01-04"}, ValueError, "FREQ"),
        ({"rule": "FREQ=DAILY", "mode": "schedule", "start": "2027-02-30"}, ValueError, "day"),
        ({"mode": "schedule", "start": "2027-01-04"}, ValueError, "empty"),
    ],
)
def test_data_that_is_not_a_repeat_is_refused(
    data: object, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        Repeat.from_data(data)


def test_the_default_mode_is_on_schedule() -> None:
    repeat = Repeat(Rule.parse("FREQ=DAILY"), start=date(2027, 1, 4))
    assert repeat.mode is RepeatMode.SCHEDULE
    assert repeat.text == "every day"
    assert next_date(repeat, date(2027, 1, 4), done_on=date(2027, 1, 4) + timedelta(days=5)) == (
        date(2027, 1, 5)
    )
