"""Due dates, priorities, tags, project paths, and the words of a line that say them:
the tokeniser and the date phrases ("tomorrow 9am", "next fri", "dec 12") that quick
add (store.quick_add) and repeat phrases (store.repeat_phrases) read with.

Written by hand with the standard library: the command line imports this on every
`taskflow add`, and the general date parsers on PyPI cost tens to hundreds of
milliseconds to import, for phrases this module covers in a few hundred lines.

A due date is a calendar day with an optional time of day, meant in the user's
local time: "Friday" stays Friday when the user travels, so nothing here converts
between time zones. "Now" (the local time, which says what today is and which
hour a bare "at 1" means) is always given by the caller, from its clock.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from typing import TypeAlias, TypeGuard

MAX_TAG_LENGTH = 50
_TAG_TRAILING_PUNCTUATION = ",.;:!?)]}"
_TAG_PATTERN = re.compile(r"^[^\s#\\\"'`\x00-\x1f\x7f]+$")


class Priority(IntEnum):
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def marks(self) -> str:
        """A compact sign for a list: '' for none, '!' low to '!!!' high."""
        return "!" * int(self)

    @classmethod
    def parse(cls, text: str) -> Priority:
        """'high', 'h', '3'... (and 'H'/'M'/'L' as Taskwarrior writes them)."""
        key = text.strip().lower().lstrip("!")
        found = PRIORITY_WORDS.get(key)
        if found is None:
            raise ValueError(f"Unknown priority {text!r}: use none, low, medium or high.")
        return found


# "!1" is the most urgent, as p1 is in the planners people come from.
PRIORITY_WORDS = {
    "high": Priority.HIGH,
    "h": Priority.HIGH,
    "1": Priority.HIGH,
    "medium": Priority.MEDIUM,
    "med": Priority.MEDIUM,
    "m": Priority.MEDIUM,
    "2": Priority.MEDIUM,
    "low": Priority.LOW,
    "l": Priority.LOW,
    "3": Priority.LOW,
    "none": Priority.NONE,
    "0": Priority.NONE,
    "": Priority.NONE,
}


# Added to an all-day key for the due order: the end of its day (see Due.order_key).
ALL_DAY_SUFFIX = " 24:00"

# The day a week starts on, a user's preference (Python's weekday numbers): it says
# which days "next week", "end of week", "this friday" and "next friday" mean.
MONDAY = 0
SUNDAY = 6
_WEEK_STARTS = (MONDAY, SUNDAY)


def check_week_start(week_start: int) -> int:
    """``week_start`` if it is MONDAY or SUNDAY; ValueError otherwise (a caller's
    mistake, not a user's: the setting is checked where it is read)."""
    # bool is an int: False would pass as MONDAY without this.
    if isinstance(week_start, bool) or week_start not in _WEEK_STARTS:
        raise ValueError(f"week_start is MONDAY (0) or SUNDAY (6), not {week_start!r}.")
    return week_start


# DateStyle has a method named "time": inside its body the name is that method, so
# its annotations say the time of day by this name.
_TimeOfDay: TypeAlias = time


@dataclass(frozen=True)
class DateStyle:
    """How due dates are shown, a user's preference: a 24- or 12-hour clock, and
    relative labels ('tomorrow', 'in 12d') or absolute ones ('Dec 24').

    Only shown text depends on it: what is stored (``Due.key``) never does.
    """

    hours: int = 24  # 24 or 12
    relative: bool = True

    def __post_init__(self) -> None:
        if self.hours not in (12, 24):
            raise ValueError(f"A clock has 12 or 24 hours, not {self.hours!r}.")

    def time(self, at: _TimeOfDay) -> str:
        """A time of day: '09:00', '17:30'; on a 12-hour clock '9am', '9:30am',
        '12pm' (noon), '12am' (midnight): lower case and without a space, to stay
        narrow in a list's column."""
        if self.hours == 24:
            return f"{at:%H:%M}"
        hour = at.hour % 12 or 12
        half = "am" if at.hour < 12 else "pm"
        return f"{hour}{half}" if at.minute == 0 else f"{hour}:{at.minute:02d}{half}"

    @property
    def label_width(self) -> int:
        """The widest label ``due_label`` gives in this style, for a list's column
        (an overdue count of 10 days or more is the exception: '12d overdue')."""
        clock = 5 if self.hours == 24 else 7  # '17:30'; '12:30pm'
        if self.relative:
            return max(len("2d overdue"), len("tmrw ") + clock)
        return max(len("Dec 24 2027"), len("Dec 24 ") + clock)


# The style with no preference given: 24-hour times, relative labels.
DEFAULT_DATE_STYLE = DateStyle()


@dataclass(frozen=True)
class Due:
    """A local calendar day, and maybe a time of day on it."""

    day: date
    at: time | None = None

    @property
    def key(self) -> str:
        """How it is stored: 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
        text = self.day.isoformat()
        return text if self.at is None else f"{text} {self.at:%H:%M}"

    @property
    def order_key(self) -> str:
        """What the due order sorts by: the moment it falls due, as text.

        A day without a time is due by the end of it, so it reads 'YYYY-MM-DD 24:00':
        after every time of that day (09:00 < 18:00 < all day), before the next day.
        The store's SQL says the same (migration 5); keep the two in step.
        """
        return self.key if self.at is not None else self.key + ALL_DAY_SUFFIX

    @classmethod
    def from_key(cls, text: str) -> Due:
        day = date.fromisoformat(text[:10])
        at = time.fromisoformat(text[11:16]) if len(text) > 10 else None
        return cls(day, at)

    def is_overdue(self, now: datetime) -> bool:
        """Past its day, or past its time on the day (``now`` in local time)."""
        today = now.date()
        if self.day != today:
            return self.day < today
        return self.at is not None and self.at < now.time().replace(second=0, microsecond=0)

    def relative(
        self, today: date, *, with_time: bool = True, style: DateStyle = DEFAULT_DATE_STYLE
    ) -> str:
        """Short and relative, for a list: 'today', 'tomorrow', 'in 3d', '2d overdue'.

        Relative whatever ``style.relative`` says (the name promises it): ``style``
        writes the time of day."""
        days = (self.day - today).days
        if days < 0:
            return "yesterday" if days == -1 else f"{-days}d overdue"
        if days == 0:
            text = "today"
        elif days == 1:
            text = "tomorrow"
        elif days < 7:
            text = f"{self.day:%a}"
        elif days < 60:
            text = f"in {days}d"
        else:
            text = (
                f"{self.day:%b} {self.day.day}"
                if self.day.year == today.year
                else (f"{self.day:%b %Y}")
            )
        return text if self.at is None or not with_time else f"{text} {style.time(self.at)}"

    def long(self, today: date, *, style: DateStyle = DEFAULT_DATE_STYLE) -> str:
        """For the detail screen: 'Fri 27 Nov 2026, 09:00 (tomorrow)'; without the
        relative part in brackets when ``style`` is absolute."""
        text = f"{self.day:%a} {self.day.day} {self.day:%b %Y}"
        if self.at is not None:
            text += f", {style.time(self.at)}"
        if not style.relative:
            return text
        return f"{text} ({self.relative(today, with_time=False)})"


def due_label(due: Due, now: datetime, *, style: DateStyle = DEFAULT_DATE_STYLE) -> str:
    """At most ``style.label_width`` cells (10 by default), for a list: 'today', '09:00'
    (later today), 'tomorrow', 'tmrw 09:00', 'Mon', 'Mon 17:30', 'in 12d', 'Dec 24',
    '2d overdue' (``now`` local). An absolute style says the date itself, past or not
    (the caller marks one overdue): 'Dec 24', 'Dec 24 17:30', and 'Dec 24 2027' in
    another year, without its time (as a relative label drops it past a week).

    Here rather than in the app, so that the command line's list (which must not
    import the app's libraries) says a due date exactly as the app's list does.
    """
    today = now.date()
    if not style.relative:
        if due.day.year != today.year:
            return f"{due.day:%b} {due.day.day} {due.day.year}"
        text = f"{due.day:%b} {due.day.day}"
        return text if due.at is None else f"{text} {style.time(due.at)}"
    days = (due.day - today).days
    if days < 0:
        return "yesterday" if days == -1 else f"{-days}d overdue"
    at = f" {style.time(due.at)}" if due.at is not None else ""
    if days == 0:
        return at[1:] if at else "today"
    if days == 1:
        return f"tmrw{at}" if at else "tomorrow"
    if days < 7:
        return f"{due.day:%a}{at}"
    if days < 60:
        return f"in {days}d"
    if due.day.year == today.year:
        return f"{due.day:%b} {due.day.day}"
    return f"{due.day:%b %Y}"


def day_heading(day: date, today: date, *, week_start: int | None = None) -> str:
    """A day's heading in Upcoming: 'Today · Fri 20 Nov', 'Tomorrow · Sat 21 Nov', 'Mon 23 Nov'.

    With ``week_start`` (MONDAY or SUNDAY), the first day of the next week says so,
    'Sun 22 Nov · next week', so that the user's week shows where it turns."""
    name = f"{day:%a} {day.day} {day:%b}"
    if day == today:
        return f"Today · {name}"
    turns = week_start is not None and day.weekday() == check_week_start(week_start)
    if turns and day - today <= timedelta(days=7):
        name += " · next week"
    if day == today + timedelta(days=1):
        return f"Tomorrow · {name}"
    return name


def clean_tag(raw: str) -> str:
    """A tag name as stored: no leading '#', no spaces, at most 50 characters."""
    name = raw.strip().lstrip("#").rstrip(_TAG_TRAILING_PUNCTUATION)
    if not name:
        raise ValueError("A tag needs a name.")
    if len(name) > MAX_TAG_LENGTH or not _TAG_PATTERN.match(name):
        raise ValueError(
            f"Invalid tag {raw!r}: one word of at most {MAX_TAG_LENGTH} characters, "
            "without #, quotes or backslashes."
        )
    return name


def clean_tags(raw: Sequence[str]) -> tuple[str, ...]:
    """Tags without repeats (ignoring case), in the order given, first spelling kept."""
    seen: dict[str, str] = {}
    for item in raw:
        name = clean_tag(item)
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


# -- project paths -------------------------------------------------------------------------------

PATH_SEPARATOR = "/"  # between the levels of a project's path: 'Work/Q4'
MAX_PROJECT_NAME = 60
# How deep the tree goes (Work/Q4/Launch/Week 1/...): deeper is a list nobody reads.
MAX_PROJECT_DEPTH = 8


def split_project_path(path: str) -> tuple[str, ...]:
    """The names of a path such as 'Work/Q4' (spaces around each trimmed), checked;
    ValueError saying what is wrong with it."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError("A project needs a name.")
    names = tuple(name.strip() for name in path.split(PATH_SEPARATOR))
    for name in names:
        clean_project_name(name, where=f" in “{path.strip()}”")
    if len(names) > MAX_PROJECT_DEPTH:
        raise ValueError(
            f"Projects go at most {MAX_PROJECT_DEPTH} levels deep; “{path.strip()}” is deeper."
        )
    return names


def clean_project_name(name: str, *, where: str = "") -> str:
    """One project's name, trimmed; ValueError if it cannot be one."""
    name = name.strip()
    if not name:
        raise ValueError(f"A project name cannot be empty{where}.")
    if PATH_SEPARATOR in name:
        raise ValueError(
            f"A project name cannot hold '/' (it separates the levels of a path): {name}"
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        raise ValueError(f"A project name cannot hold control characters{where}.")
    if len(name) > MAX_PROJECT_NAME:
        raise ValueError(f"A project name is at most {MAX_PROJECT_NAME} characters{where}.")
    return name


def local_now(clock_now: datetime) -> datetime:
    """The clock's moment in the user's local time (the process's time zone)."""
    return clock_now.astimezone()


# -- the words of a line ------------------------------------------------------------------------


@dataclass
class Token:
    """One word of a line (or words in double quotes), as the matchers below see it."""

    text: str
    literal: bool  # escaped with \ or quoted: never a date, tag or priority
    used: bool = False


def parse_due(text: str, now: datetime, *, week_start: int = MONDAY) -> Due | None:
    """A due date typed on its own ('fri 5pm', '2026-12-01', 'none' or '' for no date).

    Read as a title's date phrase is (see ``store.quick_add.parse_quick_add``; ``now``
    is local time), and a day already past may be given too, to set a date after the
    fact: 'yesterday', 'last friday' (the latest Friday before today), 'last sat 9am'.
    ``week_start`` (MONDAY or SUNDAY) says which days 'next week', 'eow' and the like are.
    """
    check_week_start(week_start)
    words = text.strip()
    if words.lower() in ("", "none", "no", "-", "never"):
        return None
    tokens = tokenise(words)
    found = match_due(tokens, 0, now, past=True, week_start=week_start)
    if found is None or found[0] != len(tokens):
        raise ValueError(
            f"Cannot read {text!r} as a date: try 'tomorrow', 'fri 5pm', 'in 3 days' "
            "or '2026-12-01'."
        )
    return found[1]


# A project in a title: '+Work' or '+Work/Q4' as todo.txt writes it (a letter first, so
# '+1' and 'C++' stay words), or 'project:Work.Q4' as Taskwarrior does (dots: levels).
_PROJECT_PLUS = re.compile(r"\+(?=[^\W\d_])(\S+)")
_PROJECT_KEY = re.compile(r"project:(\S+)", re.IGNORECASE)


def project_word(word: str) -> str | None:
    """The project path a word of a title names ('+Work/Q4', 'project:Work.Q4' name
    'Work/Q4'), or None if it names none."""
    plus = _PROJECT_PLUS.fullmatch(word)
    if plus is not None:
        path = plus.group(1).rstrip(_TAG_TRAILING_PUNCTUATION)
    else:
        key = _PROJECT_KEY.fullmatch(word)
        if key is None:
            return None
        path = key.group(1).rstrip(_TAG_TRAILING_PUNCTUATION).replace(".", PATH_SEPARATOR)
    try:
        return PATH_SEPARATOR.join(split_project_path(path))
    except ValueError:
        return None


# A word, or words in double quotes (kept together, as they are).
WORD = re.compile(r'"([^"]*)"|(\S+)')


def tokenise(line: str) -> list[Token]:
    """The words of a line: a word after a backslash, and words in double quotes, are
    literal (never a date, a tag or a priority)."""
    tokens: list[Token] = []
    for match in WORD.finditer(line):
        quoted, word = match.group(1), match.group(2)
        if quoted is not None:
            if quoted.strip():
                tokens.append(Token(f'"{quoted}"', literal=True))
        elif word.startswith("\\") and len(word) > 1:
            tokens.append(Token(word[1:], literal=True))
        else:
            tokens.append(Token(word, literal=False))
    return tokens


def take_due(
    tokens: list[Token], now: datetime, recognised: list[str], *, week_start: int = MONDAY
) -> Due | None:
    """Find date phrases among the unused words; the last one wins and leaves the title."""
    check_week_start(week_start)
    best: tuple[int, int, Due] | None = None
    index = 0
    while index < len(tokens):
        found = match_due(tokens, index, now, past=False, week_start=week_start)
        if found is None:
            index += 1
            continue
        end, due = found
        best = (index, end, due)
        index = end
    if best is None:
        return None
    start, end, due = best
    for token in tokens[start:end]:
        token.used = True
    recognised.append(" ".join(token.text for token in tokens[start:end]))
    return due


_LEAD_WORDS = {"due", "by", "on"}
# After these a loose date word (see match_day) is surely meant as a date. ("next",
# "this" and "last" make phrases of their own with a weekday.)
_DATE_AFTER = {*_LEAD_WORDS, "until"}
# After these a loose date word is a noun: "the sat solver", "in the sun".
_DETERMINERS = {"the", "a", "an", "my", "your", "our", "his", "her", "their", "its"}


@dataclass(frozen=True)
class Time:
    """A time of day found in the words."""

    end: int  # the index after its words
    at: time
    bare: bool = False  # a bare hour from 1 to 12 ("at 9"): morning or afternoon unsaid


def token_words(tokens: Sequence[Token]) -> list[str | None]:
    """The words a date may be made of: lower case, without trailing commas and the
    like; None for a word that is literal or already taken (a tag, a priority)."""
    return [t.text.lower().rstrip(",.;") if not (t.literal or t.used) else None for t in tokens]


def match_due(
    tokens: Sequence[Token], start: int, now: datetime, *, past: bool, week_start: int = MONDAY
) -> tuple[int, Due] | None:
    """A date phrase (optionally led by due/by/on, optionally with a time) at ``start``.

    ``past``: whether days already gone (yesterday, last fri) may be named.
    ``week_start``: MONDAY or SUNDAY, the first day of a week (see ``match_day``).
    """
    check_week_start(week_start)
    words = token_words(tokens)
    today = now.date()
    index = start
    led = word_at(words, start - 1) in _DATE_AFTER
    if word_at(words, index) in _LEAD_WORDS:
        index, led = index + 1, True
    day_match = match_day(words, index, today, past=past, week_start=week_start)
    if day_match is not None:
        day_end, day, loose = day_match
        evening = words[index] == "tonight"
        found = match_time(words, day_end)
        end = found.end if found is not None else day_end
        if loose and not led and not _reads_as_date(tokens, index, end, timed=found is not None):
            return None
        if found is None:
            return end, Due(day)
        return end, _timed(day, found, now, evening=evening)
    # A time first ("5pm tomorrow"), or a time alone: a day from the time (see _timed).
    found = match_time(words, index)
    if found is None:
        return None
    day_match = match_day(words, found.end, today, past=past, week_start=week_start)
    if day_match is not None:
        day_end, day, loose = day_match
        if not loose or _reads_as_date(tokens, found.end, day_end, timed=False):
            return day_end, _timed(day, found, now, evening=words[found.end] == "tonight")
    return found.end, _timed(None, found, now)


def _reads_as_date(tokens: Sequence[Token], first: int, end: int, *, timed: bool) -> bool:
    """Whether a loose date word at ``first``, without a lead word, is a date: not right
    after a determiner ("the sat"), and with a time right after it ("sun 10am") or
    nothing after its phrase (which ends at ``end``) but tags and priorities."""
    before = tokens[first - 1].text.lower() if first > 0 else None
    if before in _DETERMINERS:
        return False
    return timed or all(token.used for token in tokens[end:])


def _timed(day: date | None, found: Time, now: datetime, *, evening: bool = False) -> Due:
    """The due moment of a time found on ``day`` (None: no day was said)."""
    if found.bare:
        return _bare_hour(found.at.hour, day, now, evening=evening)
    return Due(day if day is not None else now.date(), found.at)


def _bare_hour(hour: int, day: date | None, now: datetime, *, evening: bool) -> Due:
    """'at 1' to 'at 12' without am or pm (the rules: ``store.quick_add.parse_quick_add``).

    Wall-clock times of the local day: on a day the clocks change, "within 12 hours"
    is counted on the clock's face, as a person reading it would.
    """
    today = now.date()
    morning, afternoon = time(hour % 12), time(hour % 12 + 12)  # 12: midnight and noon
    if evening:
        # Tonight: 6 to 11 the evening; 12 the midnight that ends today; 1 to 5 the small
        # hours after it ("party tonight till 2": the night goes on past midnight).
        if hour == 12 or hour <= 5:
            return Due(today + timedelta(days=1), morning)
        return Due(today, afternoon)
    if day is not None and day != today:
        # No "now" to go by on another day: a working day's guess.
        return Due(day, afternoon if hour <= 6 else time(hour))
    current = now.time().replace(second=0, microsecond=0)
    coming = [at for at in (morning, afternoon) if at >= current]
    if day == today:  # "today" was said: keep the day, even when both hours are past
        return Due(today, coming[0] if coming else afternoon)
    if coming:
        return Due(today, coming[0])
    return Due(today + timedelta(days=1), morning)


WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
# Written out, not from the calendar module, whose names follow the locale.
_FULL_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
MONTHS["sept"] = 9
# Months whose names are everyday words too ("May I help", "March for climate").
_LOOSE_MONTHS = {"may", "march"}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_UNITS = {
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_YEAR = re.compile(r"^\d{4}$")


def word_at(words: Sequence[str | None], index: int) -> str | None:
    """The word at ``index`` of ``token_words``' list, None past either end."""
    return words[index] if 0 <= index < len(words) else None


def _is_month(word: str | None) -> TypeGuard[str]:
    return word in MONTHS


def match_day(
    words: Sequence[str | None],
    i: int,
    today: date,
    *,
    past: bool = False,
    week_start: int = MONDAY,
) -> tuple[int, date, bool] | None:
    """A day at ``i``: (the index after it, the day, whether it is loose).

    A loose day is one of the words that are often not dates: a weekday's
    abbreviation on its own, or "may"/"march" without a year (see ``match_due``).
    ``past`` allows days already gone: yesterday, last <weekday>. ``week_start``
    (MONDAY or SUNDAY) is the first day of a week: with SUNDAY a week runs Sunday to
    Saturday, so "next week" is a Sunday and "end of week" a Saturday. A weekday on
    its own ("friday") and "last friday" are the nearest ones, whatever the week.
    """
    check_week_start(week_start)
    first = word_at(words, i)
    if first is None:
        return None
    if first == "today" or first == "tonight":
        return i + 1, today, False
    if first in ("tomorrow", "tmrw", "tmr", "tomorow"):
        return i + 1, today + timedelta(days=1), False
    if first == "yesterday" and past:
        return i + 1, today - timedelta(days=1), False
    if first in WEEKDAYS:
        if word_at(words, i - 1) == "last":
            return None  # in a title, "last friday" is a day gone by, not the coming one
        return i + 1, _next_weekday(today, WEEKDAYS[first]), first not in _FULL_WEEKDAYS
    iso = _ISO_DATE.match(first)
    if iso:
        try:
            return i + 1, date(int(iso[1]), int(iso[2]), int(iso[3])), False
        except ValueError:
            return None
    second = word_at(words, i + 1)
    if first == "last":
        if past and second in WEEKDAYS:
            return i + 2, _last_weekday(today, WEEKDAYS[second]), False
        return None
    found = _match_relative_day(first, second, words, i, today, week_start=week_start)
    if found is not None:
        return found[0], found[1], False
    return _match_month_day(words, i, today)


def _match_relative_day(
    first: str,
    second: str | None,
    words: Sequence[str | None],
    i: int,
    today: date,
    *,
    week_start: int = MONDAY,
) -> tuple[int, date] | None:
    """next/this <weekday>, next week/month/year, weekend, eom/eow, end of ..., in N units
    (the weeks starting on ``week_start``)."""
    if first == "next":
        if second in WEEKDAYS:
            return i + 2, _weekday_of_next_week(today, WEEKDAYS[second], week_start=week_start)
        if second == "week":
            return i + 2, _weekday_of_next_week(today, week_start, week_start=week_start)
        if second == "month":
            return i + 2, _add_months(today.replace(day=1), 1)
        if second == "year":
            return i + 2, date(today.year + 1, 1, 1)
        return None
    if first == "this":
        if second in WEEKDAYS:
            return i + 2, _this_weekday(today, WEEKDAYS[second], week_start=week_start)
        if second == "weekend":
            return i + 2, _this_weekend(today)
        return None
    if first == "weekend":
        return i + 1, _this_weekend(today)
    if first in ("eom", "eow"):
        return i + 1, _end_of_month(today) if first == "eom" else _end_of_week(today, week_start)
    if first == "end" and second == "of":
        what = word_at(words, i + 2)
        if what == "month":
            return i + 3, _end_of_month(today)
        if what == "week":
            return i + 3, _end_of_week(today, week_start)
        if what == "year":
            return i + 3, date(today.year, 12, 31)
        return None
    if first == "in" and second is not None:
        amount = int(second) if second.isdigit() else NUMBER_WORDS.get(second)
        unit = _UNITS.get(word_at(words, i + 2) or "")
        if amount is not None and unit is not None and 0 < amount <= 1000:
            return i + 3, _shift(today, amount, unit)
        return None
    return None


def _match_month_day(
    words: Sequence[str | None], i: int, today: date
) -> tuple[int, date, bool] | None:
    """'Dec 1', 'December 1st', '1 Dec', '1st of December', each with an optional year
    (loose for "may" and "march" without one: see ``match_day``)."""
    first, second = word_at(words, i), word_at(words, i + 1)
    if _is_month(first) and second is not None and (ordinal := ORDINAL.match(second)):
        month_word, day, end = first, int(ordinal[1]), i + 2
    elif first is not None and (ordinal := ORDINAL.match(first)):
        third = word_at(words, i + 2)
        if second == "of" and _is_month(third):
            month_word, end = third, i + 3
        elif _is_month(second):
            month_word, end = second, i + 2
        else:
            return None
        day = int(ordinal[1])
    else:
        return None
    month = MONTHS[month_word]
    year_word = word_at(words, end)
    if year_word is not None and _YEAR.match(year_word):
        try:
            return end + 1, date(int(year_word), month, day), False
        except ValueError:
            return None
    loose = month_word in _LOOSE_MONTHS
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February: the next year that has one
        if candidate >= today:
            return end, candidate, loose
    return None


_TIME_12 = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a\.m\.|p\.m\.)$")
_TIME_24 = re.compile(r"^(\d{1,2}):(\d{2})$")


def match_time(words: Sequence[str | None], i: int) -> Time | None:
    """A time of day at ``i``: 'at 9am', '9 am', '8:30am', '18:00', 'noon', and a bare
    hour after "at" ('at 9', marked bare when it is 1 to 12)."""
    index = i
    at_word = word_at(words, index) == "at"
    if at_word:
        index += 1
    word = word_at(words, index)
    if word is None:
        return None
    if word in ("noon", "midday"):
        return Time(index + 1, time(12, 0))
    if word == "midnight":
        return Time(index + 1, time(0, 0))
    follower = word_at(words, index + 1)
    if follower in ("am", "pm") and word.isdigit():
        word, index = word + follower, index + 1
    twelve = _TIME_12.match(word)
    if twelve:
        hour, minute = int(twelve[1]), int(twelve[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if twelve[3].startswith("p") else 0)
        return Time(index + 1, time(hour, minute))
    twenty_four = _TIME_24.match(word)
    if twenty_four:
        hour, minute = int(twenty_four[1]), int(twenty_four[2])
        if hour > 23 or minute > 59:
            return None
        return Time(index + 1, time(hour, minute))
    if at_word and word.isdigit() and 0 <= int(word) <= 23:
        # "at 9": a bare hour, only after "at"; 1 to 12 may be morning or afternoon.
        hour = int(word)
        return Time(index + 1, time(hour, 0), bare=1 <= hour <= 12)
    return None


def _last_weekday(today: date, weekday: int) -> date:
    """The latest such weekday before today ('last friday' on a Friday is a week ago)."""
    back = (today.weekday() - weekday) % 7
    return today - timedelta(days=back or 7)


def _next_weekday(today: date, weekday: int) -> date:
    """The next such weekday after today ('friday' on a Friday is a week away)."""
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _start_of_week(today: date, week_start: int) -> date:
    """The first day (a ``week_start`` weekday) of the week ``today`` is in."""
    return today - timedelta(days=(today.weekday() - week_start) % 7)


def _this_weekday(today: date, weekday: int, *, week_start: int = MONDAY) -> date:
    """That weekday in the current week (Monday to Sunday, or Sunday to Saturday);
    once it has passed, the next one."""
    start = _start_of_week(today, week_start)
    day = start + timedelta(days=(weekday - week_start) % 7)
    return day if day >= today else day + timedelta(days=7)


def _this_weekend(today: date) -> date:
    """The coming Saturday; on a Saturday or Sunday, today (the weekend is on). The
    same whichever day a week starts: a Sunday-to-Saturday week splits the weekend,
    but nobody means next Saturday by 'this weekend' on a Sunday."""
    if today.weekday() >= 5:
        return today
    return today + timedelta(days=5 - today.weekday())


def _end_of_week(today: date, week_start: int) -> date:
    """The last day of the current week: Sunday, or Saturday for a Sunday start."""
    return _start_of_week(today, week_start) + timedelta(days=6)


def _weekday_of_next_week(today: date, weekday: int, *, week_start: int = MONDAY) -> date:
    next_start = _start_of_week(today, week_start) + timedelta(days=7)
    return next_start + timedelta(days=(weekday - week_start) % 7)


def _end_of_month(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(today: date, amount: int, unit: str) -> date:
    if unit == "days":
        return today + timedelta(days=amount)
    if unit == "weeks":
        return today + timedelta(weeks=amount)
    if unit == "months":
        return _add_months(today, amount)
    return _add_months(today, 12 * amount)
