"""Repeat phrases: plain words for a repeat rule.

"every monday", "every mon, wed and fri", "every other week", "every 3 weeks on friday",
"every month on the 15th", "every last friday", "every dec 25", "quarterly",
"every weekday 8:30am", "every! 3 days" (counted from each completion), and after the
rule, in any order: a time of day ("at 9am"), "after completion" (or "after done"),
an end ("until dec 31", "for 10 times", "10 times") and a start ("starting next month",
"from tomorrow", "beginning 2027-01-04").

Read with store.planning's tokeniser and date phrases, into store.recurrence's rules.
Nothing here evaluates a rule until a phrase has been read: only ``first_date``, for
the first occurrence, imports dateutil.

Choices, for what people mean:

* A phrase's first occurrence is the first day on or after today (or the day
  "starting ..." names) that the rule's days fall on, and the series is counted from
  there: "every other monday" said on a Friday starts on the coming Monday, not the
  one after. A timed phrase whose time has passed today starts on the rule's next day.
* A start ("starting ...") may not be a day already past: the series would begin
  with a pile of overdue dates.
* A bare hour ("every day at 9") is a working day's guess, as on another day in quick
  add: 7 to 11 the morning, 12 noon, 1 to 6 the afternoon.
* "every 2nd tuesday" and "every first monday" are the month's second Tuesday and
  first Monday; "every second tuesday" says either that or every other Tuesday, so it
  is refused with both ways to say it. "every second day" is every 2 days.
* "every 31st" is BYMONTHDAY=31 and "every feb 29" BYMONTH=2;BYMONTHDAY=29, as said:
  store.recurrence puts them on a shorter month's last day (28 February in other
  years). A day no month has ("every feb 30", "every 32nd") is refused.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from store.planning import (
    MONDAY,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL,
    WEEKDAYS,
    Due,
    Token,
    check_week_start,
    match_day,
    match_time,
    token_words,
    tokenise,
    word_at,
)
from store.recurrence import (
    MAX_COUNT,
    MAX_INTERVAL,
    Repeat,
    RepeatMode,
    Rule,
    describe,
    first_date,
)

EXAMPLES = "try 'every monday', 'every 2 weeks' or 'every! 3 days'"
# "every 2 weeks on monday and thursday at 9am until dec 31" is 55: room to spare.
MAX_PHRASE_LENGTH = 200

# The words a repeat phrase starts with: every ..., every! ..., and these on their own.
HEAD_WORDS = frozenset({"every", "every!"})
ADVERBS: dict[str, tuple[str, int]] = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "biweekly": ("WEEKLY", 2),
    "fortnightly": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "quarterly": ("MONTHLY", 3),
    "semiannually": ("MONTHLY", 6),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
# A unit's word: its FREQ and how many of that FREQ it is ("fortnight": 2 weeks).
_UNITS: dict[str, tuple[str, int]] = {
    "day": ("DAILY", 1),
    "days": ("DAILY", 1),
    "week": ("WEEKLY", 1),
    "weeks": ("WEEKLY", 1),
    "wk": ("WEEKLY", 1),
    "wks": ("WEEKLY", 1),
    "fortnight": ("WEEKLY", 2),
    "fortnights": ("WEEKLY", 2),
    "month": ("MONTHLY", 1),
    "months": ("MONTHLY", 1),
    "year": ("YEARLY", 1),
    "years": ("YEARLY", 1),
}
_CLOCK_UNITS = frozenset(
    {"hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds"}
)
_BY_DAYS = "TaskFlow repeats by days, weeks, months or years, not by the hour or minute"
_WORKING_DAYS = tuple((0, weekday) for weekday in range(5))
_WEEKEND = ((0, 5), (0, 6))
_DAY_SETS = {
    "weekday": _WORKING_DAYS,
    "weekdays": _WORKING_DAYS,
    "weekend": _WEEKEND,
    "weekends": _WEEKEND,
}
_POSITION_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_COUNT_WORDS = frozenset({"times", "time", "occurrences", "occurrence"})
_COMPLETION_WORDS = frozenset({"completion", "done", "completed", "completing"})
_START_WORDS = frozenset({"starting", "from", "beginning", "commencing"})
_UNTIL_WORDS = frozenset({"until", "till", "til"})
# Written out, not from the calendar module, whose names follow the locale.
_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class RepeatPhrase:
    """What a repeat phrase was read as."""

    rule: Rule
    mode: RepeatMode
    first: Due  # the first occurrence (see the module's notes), at the phrase's time
    at: time | None  # the time of day the phrase gave ("at 9am"), else None
    words: str  # the words it was read from, as typed

    def repeat(self, start: date | None = None) -> Repeat:
        """The task's repeat, counted from ``start`` (by default the first occurrence)."""
        return Repeat.of(self.rule, self.mode, start if start is not None else self.first.day)

    @property
    def text(self) -> str:
        """The rule in words: 'every weekday at 08:30', 'every 3 days after completion'."""
        return describe(self.repeat(), self.at)


def parse_repeat(text: str, now: datetime, *, week_start: int = MONDAY) -> RepeatPhrase:
    """The repeat the whole of ``text`` says ('every monday at 9am', 'every! 3 days');
    ValueError, in one line that quotes the text, if it says none or cannot be one.

    ``now`` is the local time (naive or aware, read on the clock's face as
    store.planning does): it says what today is, where the first occurrence is sought.
    ``week_start`` (MONDAY or SUNDAY) says which days the date phrases of "starting
    next week" or "until end of week" are (see ``store.planning.match_day``).
    """
    check_week_start(week_start)
    if len(text) > MAX_PHRASE_LENGTH:
        raise ValueError(
            f"A repeat is a few words, at most {MAX_PHRASE_LENGTH} characters (this has "
            f"{len(text):,}): {EXAMPLES}."
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text):
        raise ValueError(f"A repeat is words on one line, without control characters: {EXAMPLES}.")
    tokens = tokenise(text)
    try:
        found = _read(tokens, 0, now, week_start=week_start)
        if found is None or found.end != len(tokens):
            raise ValueError(f"Cannot read {text.strip()!r} as a repeat: {EXAMPLES}.")
        return _phrase(found, tokens, 0, now)
    except _Refused as refused:
        raise ValueError(f"Cannot repeat {text.strip()!r}: {refused}") from None


def match_repeat(
    tokens: Sequence[Token], start: int, now: datetime, *, week_start: int = MONDAY
) -> tuple[int, RepeatPhrase] | None:
    """A repeat phrase beginning at ``tokens[start]`` and the index after it, or None.

    Literal words and words already taken (tags, a priority) end a phrase, as they end
    a date phrase. A phrase that cannot be a repeat ("every hour") is None here;
    ``parse_repeat`` says why. ``week_start`` as in ``parse_repeat``.
    """
    try:
        found = _read(tokens, start, now, week_start=week_start)
        if found is None:
            return None
        return found.end, _phrase(found, tokens, start, now)
    except _Refused:
        return None


def read_repeat(
    tokens: Sequence[Token], start: int, now: datetime, *, week_start: int = MONDAY
) -> int | None:
    """Where a repeat phrase beginning at ``tokens[start]`` would end, or None, without
    working out its first date (which needs dateutil): for quick add, which takes a
    phrase only where the words after it allow. ``match_repeat`` then reads it.
    ``week_start`` as in ``parse_repeat``."""
    try:
        found = _read(tokens, start, now, week_start=week_start)
    except _Refused:
        return None
    return None if found is None else found.end


def refused_at(
    tokens: Sequence[Token], start: int, now: datetime, *, week_start: int = MONDAY
) -> bool:
    """Whether the words at ``tokens[start]`` begin a repeat phrase that is refused
    (``parse_repeat`` would say why: "every second tuesday" says two things)."""
    try:
        _read(tokens, start, now, week_start=week_start)
    except _Refused:
        return True
    return False


# -- reading ---------------------------------------------------------------------------------


class _Refused(ValueError):
    """Words surely meant as a repeat that cannot be one; the message says why."""


@dataclass
class _Parts:
    """A phrase as read, before its first date is sought."""

    freq: str
    interval: int = 1
    by_month: tuple[int, ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_day: tuple[tuple[int, int], ...] = ()
    completion: bool = False
    count: int | None = None
    until: date | None = None
    at: time | None = None
    starting: date | None = None
    end: int = 0
    said: set[str] = field(default_factory=set)  # the modifiers given (each once)


class _Words:
    """The words being read, and where the reading is."""

    def __init__(self, tokens: Sequence[Token], index: int) -> None:
        self.words = token_words(tokens)
        self.index = index

    def peek(self, ahead: int = 0) -> str | None:
        return word_at(self.words, self.index + ahead)

    def take(self, *options: str) -> str | None:
        word = self.peek()
        if word is not None and word in options:
            self.index += 1
            return word
        return None


def _read(tokens: Sequence[Token], start: int, now: datetime, *, week_start: int) -> _Parts | None:
    check_week_start(week_start)
    words = _Words(tokens, start)
    head = words.peek()
    if head is None:
        return None
    parts: _Parts | None
    if head in ADVERBS:
        words.index += 1
        parts = _Parts(*ADVERBS[head])
        _on_clause(words, parts)
    elif head in HEAD_WORDS:
        words.index += 1
        parts = _every(words)
        if parts is None:
            return None
        parts.completion = head == "every!"
    else:
        return None
    _modifiers(words, parts, now.date(), week_start=week_start)
    parts.end = words.index
    return parts


def _every(words: _Words) -> _Parts | None:
    """What follows 'every'."""
    first = words.peek()
    if first is None:
        return None
    if first == "other":
        words.index += 1
        return _unit(words, 2)
    amount = _amount(first)
    if amount is not None and (_is_unit(words.peek(1)) or _weekday_list_at(words, 1)):
        words.index += 1
        return _unit(words, amount)
    month_day = _month_day(words)
    if month_day is not None:
        month, day = month_day
        return _Parts("YEARLY", by_month=(month,), by_month_day=(day,))
    positioned = _positioned(words)
    if positioned is not None:
        return positioned
    return _unit(words, 1)


def _unit(words: _Words, amount: int) -> _Parts | None:
    """After 'every', 'every other' or 'every 3': a unit (day, weeks...), weekdays, or
    weekday or weekend; with what the unit may take after it ('on friday')."""
    word = words.peek()
    if word in _CLOCK_UNITS:
        raise _Refused(f"{_BY_DAYS} ({EXAMPLES}).")
    if word is not None and word in _UNITS:
        freq, times = _UNITS[word]
        words.index += 1
        parts = _Parts(freq, _interval(amount * times, freq))
        _on_clause(words, parts)
        return parts
    days = _weekday_list(words)
    if days is not None:
        return _Parts("WEEKLY", _interval(amount, "WEEKLY"), by_day=days)
    return None


def _interval(amount: int, freq: str) -> int:
    unit = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}[freq]
    if amount < 1:
        raise _Refused(f"a repeat needs at least 1 day between its dates, not 0 {unit}.")
    if amount > MAX_INTERVAL:
        raise _Refused(f"a repeat's dates are at most {MAX_INTERVAL:,} {unit} apart.")
    return amount


def _on_clause(words: _Words, parts: _Parts) -> None:
    """'on friday' after a week, 'on the 15th' or 'on the last friday' after a month,
    'on dec 25' after a year; nothing if none follows."""
    mark = words.index
    if words.take("on") is None:
        return
    if parts.freq == "WEEKLY":
        days = _weekday_list(words)
        if days is not None:
            parts.by_day = days
            return
    elif parts.freq == "MONTHLY":
        words.take("the")
        found = _positioned(words, after_on=True)
        if found is not None:
            parts.by_day, parts.by_month_day = found.by_day, found.by_month_day
            return
    elif parts.freq == "YEARLY":
        words.take("the")
        month_day = _month_day(words)
        if month_day is not None:
            parts.by_month, parts.by_month_day = (month_day[0],), (month_day[1],)
            return
    words.index = mark


def _positioned(words: _Words, *, after_on: bool = False) -> _Parts | None:
    """A day of the month: 'the 15th', '1st and 15th', 'last day', 'first monday',
    '2nd tuesday', 'last friday' (each maybe followed by 'of the month'); after 'every'
    also 'second day' (every 2 days). ``after_on``: 'on the 15' may leave out the
    'th', which 'every 15' may not."""
    mark = words.index
    first = words.peek()
    if first is None:
        return None
    number: int
    spelled: bool
    if first in _POSITION_WORDS:
        number, spelled = _POSITION_WORDS[first], True
    else:
        ordinal = ORDINAL.match(first)
        if ordinal is None or (ordinal[2] is None and not after_on):
            return None
        number, spelled = int(ordinal[1]), False
    words.index += 1
    following = words.peek()
    weekday = _weekday(following)
    if weekday is not None:
        words.index += 1
        if spelled and number not in (1, -1) and not after_on and not _of_the_month(words):
            raise _Refused(
                f"say 'every {_ordinal(number)} {following}' for the month's "
                f"{first} {str(following).capitalize()}, or "
                f"'every other {following}' ({EXAMPLES})."
            )
        if not 1 <= abs(number) <= 5:
            raise _Refused(f"a month has at most five of each weekday, not {first} ({EXAMPLES}).")
        _of_the_month(words)
        return _Parts("MONTHLY", by_day=((number, weekday),))
    if following == "day":
        words.index += 1
        if _of_the_month(words) or number == -1:
            return _Parts("MONTHLY", by_month_day=(_month_day_number(number),))
        if not after_on and number >= 1:  # "every second day": every 2 days
            return _Parts("DAILY", _interval(number, "DAILY"))
        words.index = mark
        return None
    if following in ("week", "month", "year") and not after_on and number >= 1:
        words.index += 1
        freq = _UNITS[following][0]
        parts = _Parts(freq, _interval(number, freq))
        _on_clause(words, parts)
        return parts
    if spelled and number != -1 and not after_on and _of_the_month(words):
        return _Parts("MONTHLY", by_month_day=(number,))  # "every first of the month"
    if (spelled and not after_on) or number == -1:
        # "every first" alone says nothing; "last" needs a day: "last day", "last friday"
        words.index = mark
        return None
    numbers = [number]
    while words.peek() == "and" or ORDINAL.match(words.peek() or ""):
        joined = words.index
        words.take("and")
        more = ORDINAL.match(words.peek() or "")
        if more is None or (more[2] is None and not after_on):
            words.index = joined
            break
        words.index += 1
        numbers.append(int(more[1]))
    weekday = _weekday(words.peek()) if len(numbers) > 1 else None
    if weekday is not None:  # "every 2nd and 4th tuesday": the month's 2nd and 4th
        words.index += 1
        if not all(1 <= n <= 5 for n in numbers):
            raise _Refused(f"a month has at most five of each weekday ({EXAMPLES}).")
        _of_the_month(words)
        return _Parts("MONTHLY", by_day=tuple((n, weekday) for n in sorted(set(numbers))))
    days = [_month_day_number(n) for n in numbers]
    _of_the_month(words)
    return _Parts("MONTHLY", by_month_day=tuple(sorted(set(days))))


def _month_day_number(number: int) -> int:
    if number == -1:
        return -1
    if not 1 <= number <= 31:
        raise _Refused(f"a month has no {_ordinal(number)} day ({EXAMPLES}).")
    return number


def _of_the_month(words: _Words) -> bool:
    """'of the month', 'of each month', 'of every month', taken if they follow."""
    if (
        words.peek() == "of"
        and words.peek(1) in ("the", "each", "every", "a")
        and (words.peek(2) == "month")
    ):
        words.index += 3
        return True
    return False


def _month_day(words: _Words) -> tuple[int, int] | None:
    """'dec 25', 'december 25th', '25 dec', '25th of december': (month, day); a day the
    month never has ('feb 30') is refused. 29 February is kept (see recurrence)."""
    first, second = words.peek(), words.peek(1)
    if first is None or second is None:
        return None
    if first in MONTHS and (ordinal := ORDINAL.match(second)):
        month, day, length = MONTHS[first], int(ordinal[1]), 2
    elif ordinal := ORDINAL.match(first):
        if second in MONTHS:
            month, length = MONTHS[second], 2
        elif second == "of" and (third := words.peek(2)) in MONTHS and third is not None:
            month, length = MONTHS[third], 3
        else:
            return None
        day = int(ordinal[1])
    else:
        return None
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: a leap year
        raise _Refused(f"{_MONTH_NAMES[month]} has no {_ordinal(day)} day ({EXAMPLES}).")
    words.index += length
    return month, day


def _weekday(word: str | None) -> int | None:
    """A weekday's name or abbreviation, maybe plural ('mondays')."""
    if word is None:
        return None
    if word in WEEKDAYS:
        return WEEKDAYS[word]
    if word.endswith("s") and word[:-1] in WEEKDAYS and len(word) > 4:
        return WEEKDAYS[word[:-1]]
    return None


def _weekday_list_at(words: _Words, ahead: int) -> bool:
    word = words.peek(ahead)
    return word is not None and (word in _DAY_SETS or _days_in(word) is not None)


def _days_in(word: str | None) -> list[int] | None:
    """The weekdays one word names: 'monday', 'mon', 'mondays', or 'mon,wed,fri'."""
    if word is None:
        return None
    days = [_weekday(part) for part in word.split(",") if part]
    if not days or any(day is None for day in days):
        return None
    return [day for day in days if day is not None]


def _weekday_list(words: _Words) -> tuple[tuple[int, int], ...] | None:
    """'monday', 'mon and thu', 'mon, wed and fri', 'weekday', 'weekends'."""
    first = words.peek()
    if first is None:
        return None
    if first in _DAY_SETS:
        words.index += 1
        return _DAY_SETS[first]
    found: list[int] = []
    while (days := _days_in(words.peek())) is not None:
        words.index += 1
        found.extend(days)
        if words.peek() == "and" and _days_in(words.peek(1)) is not None:
            words.index += 1
    if not found:
        return None
    return tuple((0, day) for day in sorted(set(found)))


def _modifiers(words: _Words, parts: _Parts, today: date, *, week_start: int) -> None:
    """After the rule, in any order, each once: a time, after completion, until, a
    count, a start. Reading stops at the first word that is none of them."""
    while True:
        word = words.peek()
        if word is None:
            return
        mark = words.index
        if "time" not in parts.said and (found := match_time(words.words, words.index)):
            parts.at = _working_day_time(found.at, bare=found.bare)
            words.index = found.end
            parts.said.add("time")
            continue
        if word == "after" and "after" not in parts.said:
            words.index += 1
            if words.take(*_COMPLETION_WORDS):
                parts.completion = True
                parts.said.add("after")
                continue
        elif word in _UNTIL_WORDS and "end" not in parts.said:
            day = match_day(words.words, words.index + 1, today, week_start=week_start)
            if day is not None:
                parts.until, words.index = day[1], day[0]
                parts.said.add("end")
                continue
        elif word in _START_WORDS and "start" not in parts.said:
            words.index += 1
            words.take("on")
            day = match_day(words.words, words.index, today, week_start=week_start)
            if day is not None:
                parts.starting, words.index = day[1], day[0]
                parts.said.add("start")
                continue
        elif "end" not in parts.said:
            words.take("for")
            amount = _amount(words.peek() or "")
            if amount is not None and words.peek(1) in _COUNT_WORDS:
                if not 1 <= amount <= MAX_COUNT:
                    raise _Refused(f"a repeat happens 1 to {MAX_COUNT:,} times, not {amount}.")
                parts.count = amount
                words.index += 2
                parts.said.add("end")
                continue
        words.index = mark
        return


def _amount(word: str) -> int | None:
    """A number written in figures, or in words from two to ten."""
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS and word not in ("a", "an"):
        return NUMBER_WORDS[word]
    return None


def _is_unit(word: str | None) -> bool:
    return word is not None and (word in _UNITS or word in _CLOCK_UNITS)


def _working_day_time(at: time, *, bare: bool) -> time:
    """A bare hour, 1 to 12 ('at 9'), as quick add reads one on a day other than today:
    7 to 11 the morning, 12 noon, 1 to 6 the afternoon."""
    if bare and at.hour <= 6:
        return time(at.hour + 12)
    return at


def _ordinal(number: int) -> str:
    if number == -1:
        return "last"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


# -- the phrase ------------------------------------------------------------------------------


def _phrase(parts: _Parts, tokens: Sequence[Token], start: int, now: datetime) -> RepeatPhrase:
    """The phrase read: its rule checked, its first occurrence found."""
    rule = Rule(
        freq=parts.freq,
        interval=parts.interval,
        by_month=parts.by_month,
        by_month_day=parts.by_month_day,
        by_day=parts.by_day,
    )
    try:
        rule.check()
    except ValueError as refused:  # pragma: no cover - the phrases make none of these
        raise _Refused(str(refused)) from None
    mode = RepeatMode.COMPLETION if parts.completion else RepeatMode.SCHEDULE
    today = now.date()
    if parts.starting is not None and parts.starting < today:
        raise _Refused(f"it would start on {_long(parts.starting)}, a day already past.")
    from_day = parts.starting if parts.starting is not None else today
    if (
        parts.at is not None
        and from_day == today
        and parts.at < now.time().replace(second=0, microsecond=0)
    ):
        from_day = today + timedelta(days=1)  # today's time has passed
    # The first day the rule's days fall on, the interval counted from there.
    day = first_date(replace(rule, interval=1), mode, from_day)
    if day is None:  # pragma: no cover - every rule read here has days within a year
        raise _Refused(f"it has no date in the next 30 years ({EXAMPLES}).")
    if parts.until is not None and parts.until < day:
        raise _Refused(
            f"it would end on {_long(parts.until)}, before its first date, {_long(day)}."
        )
    rule = replace(rule, count=parts.count, until=parts.until)
    try:
        Repeat.of(rule, mode, day)
    except ValueError as refused:
        raise _Refused(str(refused)) from None
    words = " ".join(token.text for token in tokens[start : parts.end])
    return RepeatPhrase(rule, mode, Due(day, parts.at), parts.at, words)


def _long(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month][:3]} {day.year}"
