"""Repeat rules: which days a repeating task falls due on, and how to say it in words.

A rule is an RFC 5545 RRULE of the subset below, kept as its canonical text
("FREQ=WEEKLY;BYDAY=MO"), with a mode and the day its occurrences are counted from:

* FREQ DAILY, WEEKLY, MONTHLY or YEARLY; INTERVAL; BYDAY (with an ordinal, "1MO" or
  "-1FR", in a monthly or yearly rule); BYMONTHDAY; BYMONTH; BYSETPOS; WKST; and one
  of COUNT or UNTIL (a day).
* Rules work on days: the time of day is the task's own, kept as it is on the clock
  across a change of daylight saving time (a due date is local, see store.planning).
* On schedule, the next date follows the rule counted from ``start``; after
  completion ("every! 3 days"), it is counted from the day the task was done.
* One departure from RFC 5545, for what people mean: a monthly day past the 28th
  ("every month on the 31st", "every 30th") falls on the month's last day when the
  month is shorter, and a yearly 29 February on the 28th in other years. RFC 5545
  would skip those months and years.

``python-dateutil``'s ``rrule`` evaluates a rule; it is imported only by the functions
that evaluate one, so that reading, writing and describing rules (every list, every
``taskflow add``) costs nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, cast

from store.planning import DEFAULT_DATE_STYLE, DateStyle, Due

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_INTERVAL = 1000
MAX_COUNT = 10_000
# What a rule may say, in the order its canonical text gives the parts.
_PART_ORDER = (
    "FREQ",
    "INTERVAL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
    "COUNT",
    "UNTIL",
)
_BYDAY = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$")
# How many days a rule is looked ahead for its next date before it is taken to have
# none (a rule whose days never come, such as BYMONTH=2;BYMONTHDAY=30, ends there).
_HORIZON_YEARS = 30
_PERIODS_A_YEAR = {"DAILY": 365, "WEEKLY": 52, "MONTHLY": 12, "YEARLY": 1}


class RepeatMode(StrEnum):
    """Where the next date is counted from."""

    SCHEDULE = "schedule"  # the rule's next date after the previous due date
    COMPLETION = "completion"  # counted from the day the task was done ("every!")


@dataclass(frozen=True)
class Rule:
    """One RRULE of the subset TaskFlow keeps, checked (``Rule.parse``)."""

    freq: str
    interval: int = 1
    by_month: tuple[int, ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_day: tuple[tuple[int, int], ...] = ()  # (ordinal or 0, weekday 0 = Monday)
    by_set_pos: tuple[int, ...] = ()
    week_start: int = 0
    count: int | None = None
    until: date | None = None

    @classmethod
    def parse(cls, text: str) -> Rule:
        """The rule an RRULE's value states ('FREQ=WEEKLY;BYDAY=MO', any case, an
        'RRULE:' in front allowed); ValueError saying what is wrong."""
        if not isinstance(text, str):
            raise ValueError("A repeat rule must be text.")
        body = text.strip()
        if body.upper().startswith("RRULE:"):
            body = body[6:]
        if not body:
            raise ValueError("A repeat rule cannot be empty.")
        parts: dict[str, str] = {}
        for piece in body.split(";"):
            if not piece:
                continue
            name, sep, value = piece.partition("=")
            name = name.strip().upper()
            if not sep or not value.strip():
                raise ValueError(f"Cannot read {piece!r} in the repeat rule {text!r}.")
            if name in parts:
                raise ValueError(f"{name} is given twice in the repeat rule {text!r}.")
            parts[name] = value.strip().upper()
        unknown = [name for name in parts if name not in _PART_ORDER]
        if unknown:
            raise ValueError(
                f"TaskFlow does not repeat by {', '.join(unknown)} (in {text!r}): a rule may "
                "say FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST, COUNT, UNTIL."
            )
        freq = parts.get("FREQ")
        if freq not in FREQUENCIES:
            raise ValueError(
                f"A repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (in {text!r})."
            )
        rule = cls(
            freq=freq,
            interval=_number(parts, "INTERVAL", 1, MAX_INTERVAL, default=1),
            by_month=_numbers(parts, "BYMONTH", 1, 12),
            by_month_day=_numbers(parts, "BYMONTHDAY", 1, 31, signed=True),
            by_day=_weekdays(parts.get("BYDAY")),
            by_set_pos=_numbers(parts, "BYSETPOS", 1, 366, signed=True),
            week_start=_weekday_code(parts.get("WKST", "MO")),
            count=_number(parts, "COUNT", 1, MAX_COUNT, default=None),
            until=_until(parts.get("UNTIL")),
        )
        rule.check()
        return rule

    def check(self) -> None:
        """ValueError if the parts do not make a rule together."""
        if self.count is not None and self.until is not None:
            raise ValueError("A repeat rule ends by a count or by a day, not both.")
        if self.freq in ("DAILY", "WEEKLY") and any(n for n, _ in self.by_day):
            raise ValueError("A weekday with a number (1MO, -1FR) needs a monthly or yearly rule.")
        if self.freq == "WEEKLY" and self.by_month_day:
            raise ValueError("A weekly rule cannot name days of the month.")
        if self.by_set_pos and not (self.by_day or self.by_month_day):
            raise ValueError("BYSETPOS picks among the days BYDAY or BYMONTHDAY give.")

    @property
    def text(self) -> str:
        """The canonical RRULE value: parts in one order, INTERVAL=1 and WKST=MO left out."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.by_month:
            parts.append("BYMONTH=" + ",".join(map(str, self.by_month)))
        if self.by_month_day:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.by_month_day)))
        if self.by_day:
            parts.append("BYDAY=" + ",".join(_day_code(n, wd) for n, wd in self.by_day))
        if self.by_set_pos:
            parts.append("BYSETPOS=" + ",".join(map(str, self.by_set_pos)))
        if self.week_start:
            parts.append(f"WKST={WEEKDAY_CODES[self.week_start]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(parts)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Repeat:
    """A task's repeat: its rule, the mode, and the day the rule is counted from
    (the series' first date, or the open task's date when the rule last changed)."""

    rule: Rule
    mode: RepeatMode = RepeatMode.SCHEDULE
    start: date = field(default=date(2000, 1, 1))

    @classmethod
    def of(cls, rule: str | Rule, mode: RepeatMode | str, start: date) -> Repeat:
        """A checked repeat; ValueError saying what is wrong."""
        parsed = rule if isinstance(rule, Rule) else Rule.parse(rule)
        try:
            kind = RepeatMode(mode)
        except ValueError:
            raise ValueError(
                f"A repeat mode is 'schedule' or 'completion', not {mode!r}."
            ) from None
        if kind is RepeatMode.COMPLETION and parsed.count is not None:
            raise ValueError(
                "A rule counted from each completion has no dates known ahead, so it "
                "cannot end after a number of times: give an end day ('until ...')."
            )
        return cls(parsed, kind, start)

    @property
    def text(self) -> str:
        """The rule in words: 'every Monday', 'every 3 days after completion'."""
        return describe(self)

    def as_data(self) -> dict[str, str]:
        """As the database, the log and our JSON keep it."""
        return {"rule": self.rule.text, "mode": self.mode.value, "start": self.start.isoformat()}

    @classmethod
    def from_data(cls, data: Any) -> Repeat:
        """A repeat kept by ``as_data``; TypeError or ValueError if it is not one."""
        if not isinstance(data, dict):
            raise TypeError("a repeat is an object with rule, mode and start")
        start = data.get("start")
        if not isinstance(start, str):
            raise TypeError("a repeat's start is a day 'YYYY-MM-DD'")
        return cls.of(
            str(data.get("rule", "")), str(data.get("mode", "")), date.fromisoformat(start)
        )


def _number(parts: dict[str, str], name: str, low: int, high: int, *, default: int | None) -> Any:
    value = parts.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high:,}, not {value!r}.")
    return int(value)


def _numbers(
    parts: dict[str, str], name: str, low: int, high: int, *, signed: bool = False
) -> tuple[int, ...]:
    value = parts.get(name)
    if value is None:
        return ()
    found: list[int] = []
    for item in value.split(","):
        text = item.strip()
        digits = text.lstrip("+-") if signed else text
        if (
            not digits.isdigit()
            or not low <= int(digits) <= high
            or (signed and text[:1] in "+-" and len(text) - len(digits) > 1)
        ):
            span = f"±{low} to ±{high}" if signed else f"{low} to {high}"
            raise ValueError(f"{name} takes numbers from {span}, not {item!r}.")
        found.append(int(text))
    return tuple(dict.fromkeys(found))


def _weekday_code(code: str) -> int:
    if code not in WEEKDAY_CODES:
        raise ValueError(f"A weekday is one of {', '.join(WEEKDAY_CODES)}, not {code!r}.")
    return WEEKDAY_CODES.index(code)


def _weekdays(value: str | None) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    found: list[tuple[int, int]] = []
    for item in value.split(","):
        match = _BYDAY.match(item.strip())
        if match is None:
            raise ValueError(f"BYDAY takes weekdays such as MO, 1MO or -1FR, not {item!r}.")
        sign, number, code = match.groups()
        ordinal = int(number or 0) * (-1 if sign == "-" else 1)
        if number is not None and not 1 <= int(number) <= 53:
            raise ValueError(f"A weekday's number is from 1 to 53 (or -1 to -53), not {item!r}.")
        found.append((ordinal, WEEKDAY_CODES.index(code)))
    return tuple(dict.fromkeys(found))


def _until(value: str | None) -> date | None:
    if value is None:
        return None
    match = _UNTIL.match(value)
    if match is None:
        raise ValueError(f"UNTIL is a day, YYYYMMDD, not {value!r}.")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"UNTIL {value!r} is not a day of the calendar.") from None


def _day_code(ordinal: int, weekday: int) -> str:
    return (str(ordinal) if ordinal else "") + WEEKDAY_CODES[weekday]


# -- evaluating a rule ------------------------------------------------------------------------


def occurrences(repeat: Repeat, *, after: date | None = None) -> Iterator[date]:
    """The rule's days counted from ``repeat.start`` (which is one when it fits the
    rule), those after ``after`` if given, in order, ending where the rule ends.

    For a rule after completion this is the chain as if each were done on its day.
    """
    days = _days(repeat.rule, repeat.start, looking_from=after or repeat.start)
    for day in days:
        if after is None or day > after:
            yield day


def next_date(repeat: Repeat, current: date, *, done_on: date) -> date | None:
    """The day of the occurrence after the one due on ``current``: on schedule the
    rule's next day after it; after completion the next one counted from
    ``done_on``. None when the rule has ended."""
    if repeat.mode is RepeatMode.COMPLETION:
        base = Repeat(repeat.rule, repeat.mode, done_on)
        return _first(occurrences(base, after=done_on))
    return _first(occurrences(repeat, after=current))


def next_due(repeat: Repeat, current: Due, *, done_on: date) -> Due | None:
    """The next occurrence's due: ``next_date``, at the current one's time of day."""
    day = next_date(repeat, current.day, done_on=done_on)
    return None if day is None else Due(day, current.at)


def first_date(rule: Rule, mode: RepeatMode, on_or_after: date) -> date | None:
    """The rule's first day on or after ``on_or_after``, counted from that day: where a
    new series starts (today, or the day 'starting ...' names)."""
    return _first(_days(rule, on_or_after, looking_from=on_or_after, from_start=True))


def dates_ahead(repeat: Repeat, current: Due, count: int = 3) -> list[Due]:
    """The ``count`` occurrences after the one due on ``current`` (what a preview and
    the detail screen show), each as if the one before were done on its day."""
    found: list[Due] = []
    due: Due | None = current
    while due is not None and len(found) < count:
        due = next_due(repeat, due, done_on=due.day)
        if due is not None:
            found.append(due)
    return found


def fits(repeat: Repeat, day: date) -> bool:
    """Whether ``day`` is one of the rule's days counted from it (a due date a new rule
    can keep)."""
    return first_date(repeat.rule, repeat.mode, day) == day


def start_due(
    repeat: Repeat,
    current: Due | None,
    today: date,
    given: Due | None = None,
    *,
    now: time | None = None,
) -> Due:
    """The due a task takes when it gets this repeat (or a new rule): ``given`` when a
    due is given with it; else its due, if that is one of the rule's days; else the
    rule's first day from its due or today, the later (a new rule never moves a task
    back, onto a day an occurrence before it may have been done), at its due's time
    of day (the next day of the rule when that time has passed today, ``now`` being
    the time of day). ValueError if the rule has no day from then on."""
    if given is not None:
        return given
    if current is not None and fits(repeat, current.day):
        return current
    at = current.at if current is not None else None
    if current is not None and current.day > today:
        today, now = current.day, None  # from its day: any time of it is still to come
    day = first_date(repeat.rule, repeat.mode, today)
    if day == today and at is not None and now is not None and at < now:
        day = first_date(repeat.rule, repeat.mode, today + timedelta(days=1))
    if day is None:
        raise ValueError(f"The rule “{repeat.text}” has no date from today on.")
    return Due(day, at)


def prepare_rules() -> None:
    """Load the rule library ahead of its first use: for a screen that will evaluate
    rules as keys are typed, from a worker, so that the first key does not wait."""
    import dateutil.rrule  # noqa: F401


def _first(days: Iterator[date]) -> date | None:
    return next(days, None)


def _days(
    rule: Rule, start: date, *, looking_from: date, from_start: bool = False
) -> Iterator[date]:
    """The rule's days from ``start`` (the DTSTART), with the month-end rule applied,
    up to 30 years past ``looking_from``: a rule whose days never come (30 February)
    ends there rather than searching the calendar to the year 9999."""
    from dateutil import rrule as dateutil_rrule  # only where a rule is evaluated

    frequencies = {
        "DAILY": dateutil_rrule.DAILY,
        "WEEKLY": dateutil_rrule.WEEKLY,
        "MONTHLY": dateutil_rrule.MONTHLY,
        "YEARLY": dateutil_rrule.YEARLY,
    }
    freq = cast("Literal[0, 1, 2, 3, 4, 5, 6]", frequencies[rule.freq])
    by_month, by_month_day, by_set_pos = _month_end(rule, start)
    weekdays = dateutil_rrule.weekdays
    options: dict[str, Any] = {
        "dtstart": datetime.combine(start, time()),
        "interval": rule.interval,
        "wkst": rule.week_start,
        "bymonth": by_month or None,
        "bymonthday": by_month_day or None,
        "byweekday": [weekdays[wd](n) if n else weekdays[wd] for n, wd in rule.by_day] or None,
        "bysetpos": by_set_pos or None,
        "until": datetime.combine(rule.until, time()) if rule.until is not None else None,
        "count": None if from_start else rule.count,
    }
    # Past the rule's own step too: "every 50 years" has its next date 50 years on.
    years = _HORIZON_YEARS + rule.interval // _PERIODS_A_YEAR[rule.freq]
    horizon = looking_from.replace(year=min(looking_from.year + years, 9999), day=1)
    for moment in dateutil_rrule.rrule(freq, **options):
        day = moment.date()
        if day > horizon:
            return
        yield day


def _month_end(rule: Rule, start: date) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """BYMONTH, BYMONTHDAY and BYSETPOS as evaluated: a monthly or yearly rule that says
    no day takes its start's (as RFC 5545 does), and a single day past the 28th falls
    on the month's last day in a shorter month ("every 31st" is 30 April, 28 February).

    The days 28 to N with BYSETPOS=-1 say exactly that in RFC 5545's own terms: the
    latest of them the month has.
    """
    by_month, by_month_day, by_set_pos = rule.by_month, rule.by_month_day, rule.by_set_pos
    says_no_day = not (rule.by_day or by_month_day)
    if rule.freq == "MONTHLY" and says_no_day:
        by_month_day = (start.day,)
    if rule.freq == "YEARLY" and says_no_day and not by_month:
        by_month, by_month_day = (start.month,), (start.day,)
    elif rule.freq == "YEARLY" and says_no_day and len(by_month) == 1:
        by_month_day = (start.day,)
    single_late_day = len(by_month_day) == 1 and by_month_day[0] > 28
    one_month_a_period = rule.freq == "MONTHLY" or (rule.freq == "YEARLY" and len(by_month) == 1)
    if single_late_day and one_month_a_period and not rule.by_day and not by_set_pos:
        return by_month, tuple(range(28, by_month_day[0] + 1)), (-1,)
    return by_month, by_month_day, by_set_pos


# -- in words ---------------------------------------------------------------------------------

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Written out, not from the calendar module, whose names follow the locale.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WORKING_DAYS = tuple((0, wd) for wd in range(5))
_WEEKEND = ((0, 5), (0, 6))
_FREQ_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def describe(
    repeat: Repeat, at: time | None = None, *, style: DateStyle = DEFAULT_DATE_STYLE
) -> str:
    """The rule in words: 'every Monday', 'every 2 weeks on Monday and Thursday',
    'every month on the last Friday', 'every 3 days after completion, until 30 Jun 2027'.

    ``at`` adds the time of day, written as ``style`` writes one: 'every weekday at
    08:30' ('at 8:30am' on a 12-hour clock)."""
    rule = repeat.rule
    text = _every(rule) + _on(rule)
    if at is not None:
        text += f" at {style.time(at)}"
    if repeat.mode is RepeatMode.COMPLETION:
        text += " after completion"
    if rule.count is not None:
        text += ", once" if rule.count == 1 else f", {rule.count} times"
    if rule.until is not None:
        text += f", until {rule.until.day} {_MONTH_NAMES[rule.until.month - 1]} {rule.until.year}"
    return text


def _every(rule: Rule) -> str:
    unit = _FREQ_UNITS[rule.freq]
    if rule.freq == "WEEKLY" and rule.interval == 1 and rule.by_day:
        return "every"
    if rule.freq == "DAILY" and rule.by_day:
        return "every" if rule.interval == 1 else f"every {rule.interval} days on"
    if rule.interval == 1:
        return f"every {unit}"
    return f"every {rule.interval} {unit}s"


def _on(rule: Rule) -> str:
    """What follows 'every week' and the like: the days, months and positions."""
    if rule.freq in ("DAILY", "WEEKLY"):
        if not rule.by_day:
            return ""
        weekdays = tuple(sorted(rule.by_day, key=lambda d: d[1]))
        if weekdays == _WORKING_DAYS:
            names = "weekday"
        elif weekdays == _WEEKEND:
            names = "weekend"
        else:
            names = _and([_DAY_NAMES[wd] for _, wd in weekdays])
        if rule.freq == "WEEKLY" and rule.interval != 1:
            return f" on {names}" if names not in ("weekday", "weekend") else f" on {names}s"
        return f" {names}"
    months = f" of {_and([_MONTH_NAMES[m - 1] for m in rule.by_month])}" if rule.by_month else ""
    days = _month_days(rule)
    if rule.freq == "MONTHLY":
        return f" on {days}{months}" if days else months
    if rule.freq == "YEARLY":
        one_day = len(rule.by_month) == 1 and len(rule.by_month_day) == 1
        if one_day and not rule.by_day and not rule.by_set_pos:
            day = rule.by_month_day[0]
            month = _MONTH_NAMES[rule.by_month[0] - 1]
            return f" on {day} {month}" if day > 0 else f" on {days} of {month}"
        if days:
            return f" on {days}{months}"
        return f" in {_and([_MONTH_NAMES[m - 1] for m in rule.by_month])}" if months else ""
    return ""


def _month_days(rule: Rule) -> str:
    """'the 15th', 'the last day', 'the first Monday', 'the 2nd and 4th Tuesday'."""
    if rule.by_day and not rule.by_month_day:
        if rule.by_set_pos:
            names = _and([_DAY_NAMES[wd] for _, wd in rule.by_day])
            if tuple(sorted(d for _, d in rule.by_day)) == tuple(range(5)):
                names = "weekday"
            return f"the {_and([_ordinal_word(n) for n in rule.by_set_pos])} {names}"
        weekdays = {weekday for _, weekday in rule.by_day}
        if len(weekdays) == 1 and all(ordinal for ordinal, _ in rule.by_day):
            # "the second and fourth Tuesday", not "the second Tuesday and the fourth Tuesday"
            ordinals = _and([_ordinal_word(ordinal) for ordinal, _ in rule.by_day])
            return f"the {ordinals} {_DAY_NAMES[rule.by_day[0][1]]}"
        parts = []
        for ordinal, weekday in rule.by_day:
            name = _DAY_NAMES[weekday]
            parts.append(f"the {_ordinal_word(ordinal)} {name}" if ordinal else f"every {name}")
        return _and(parts)
    if rule.by_month_day:
        words = [_ordinal_word(day) if day < 0 else _ordinal(day) for day in rule.by_month_day]
        text = "the " + _and(words)
        if rule.by_month_day == (-1,):
            text = "the last day"
        if rule.by_day:
            text += " if a " + _or([_DAY_NAMES[wd] for _, wd in rule.by_day])
        if rule.by_set_pos:
            text += f" (the {_and([_ordinal_word(n) for n in rule.by_set_pos])} of them)"
        return text
    return ""


_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def _ordinal_word(number: int) -> str:
    if number in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[number]
    if number == -2:
        return "second to last"
    if number < 0:
        return f"{_ordinal(-number)} to last"
    return _ordinal(number)


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
