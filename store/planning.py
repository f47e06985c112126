"""Due dates, priorities, tags, and quick add: "Pay rent tomorrow 9am !high #home".

Written by hand with the standard library: the command line imports this on every
`taskflow add`, and the general date parsers on PyPI cost tens to hundreds of
milliseconds to import, for phrases this module covers in a few hundred lines.

A due date is a calendar day with an optional time of day, meant in the user's
local time: "Friday" stays Friday when the user travels, so nothing here converts
between time zones. "Today" is always given by the caller (from its clock).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import IntEnum

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
        found = _PRIORITY_WORDS.get(key)
        if found is None:
            raise ValueError(f"Unknown priority {text!r}: use none, low, medium or high.")
        return found


# "!1" is the most urgent, as p1 is in the planners people come from.
_PRIORITY_WORDS = {
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


@dataclass(frozen=True)
class Due:
    """A local calendar day, and maybe a time of day on it."""

    day: date
    at: time | None = None

    @property
    def key(self) -> str:
        """How it is stored and sorted: 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'.

        A day without a time sorts before the same day with one (it is due all day).
        """
        text = self.day.isoformat()
        return text if self.at is None else f"{text} {self.at:%H:%M}"

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

    def relative(self, today: date, *, with_time: bool = True) -> str:
        """Short and relative, for a list: 'today', 'tomorrow', 'in 3d', '2d overdue'."""
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
        return text if self.at is None or not with_time else f"{text} {self.at:%H:%M}"

    def long(self, today: date) -> str:
        """For the detail screen: 'Fri 27 Nov 2026, 09:00 (tomorrow)'."""
        text = f"{self.day:%a} {self.day.day} {self.day:%b %Y}"
        if self.at is not None:
            text += f", {self.at:%H:%M}"
        return f"{text} ({self.relative(today, with_time=False)})"


def due_label(due: Due, now: datetime) -> str:
    """At most 10 cells, for a list: 'today', '09:00' (later today), 'tomorrow',
    'tmrw 09:00', 'Mon', 'Mon 17:30', 'in 12d', 'Dec 24', '2d overdue' (``now`` local).

    Here rather than in the app, so that the command line's list (which must not
    import the app's libraries) says a due date exactly as the app's list does.
    """
    today = now.date()
    days = (due.day - today).days
    if days < 0:
        return "yesterday" if days == -1 else f"{-days}d overdue"
    at = f" {due.at:%H:%M}" if due.at is not None else ""
    if days == 0:
        return f"{due.at:%H:%M}" if due.at is not None else "today"
    if days == 1:
        return f"tmrw{at}" if at else "tomorrow"
    if days < 7:
        return f"{due.day:%a}{at}"
    if days < 60:
        return f"in {days}d"
    if due.day.year == today.year:
        return f"{due.day:%b} {due.day.day}"
    return f"{due.day:%b %Y}"


def day_heading(day: date, today: date) -> str:
    """A day's heading in Upcoming: 'Today · Fri 20 Nov', 'Tomorrow · Sat 21 Nov', 'Mon 23 Nov'."""
    name = f"{day:%a} {day.day} {day:%b}"
    if day == today:
        return f"Today · {name}"
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


def local_now(clock_now: datetime) -> datetime:
    """The clock's moment in the user's local time (the process's time zone)."""
    return clock_now.astimezone()


# -- quick add -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickAdd:
    """What a line of quick add was understood as."""

    title: str
    due: Due | None = None
    priority: Priority | None = None  # None: not given (leave as it is)
    tags: tuple[str, ...] = ()
    recognised: tuple[str, ...] = field(default=(), compare=False)  # the words taken out


@dataclass
class _Token:
    text: str
    literal: bool  # escaped with \ or quoted: never a date, tag or priority
    used: bool = False


def parse_quick_add(line: str, today: date) -> QuickAdd:
    """Split one line into title, due date, priority and tags.

    `#tag` adds a tag; `!high`, `!h`, `!1` set the priority; a date phrase (the last
    one, if there are several) sets the due date. A word after a backslash, or words
    in double quotes, stay in the title as they are: `Buy \\#1 fan`, `"Friday" club`.
    If nothing would be left of the title, the line is kept whole as the title.
    """
    tokens = _tokenise(line)
    tags: list[str] = []
    priority: Priority | None = None
    recognised: list[str] = []
    for token in tokens:
        if token.literal:
            continue
        if token.text.startswith("#") and len(token.text) > 1:
            try:
                tags.append(clean_tag(token.text))
            except ValueError:
                continue
            token.used = True
            recognised.append(token.text)
        elif token.text.startswith("!") and token.text[1:].lower() in _PRIORITY_WORDS:
            priority = _PRIORITY_WORDS[token.text[1:].lower()]
            token.used = True
            recognised.append(token.text)
    due = _take_due(tokens, today, recognised)
    title = " ".join(token.text for token in tokens if not token.used)
    if not title.strip():
        return QuickAdd(title=_unescape(line).strip())
    return QuickAdd(
        title=title,
        due=due,
        priority=priority,
        tags=clean_tags(tags) if tags else (),
        recognised=tuple(recognised),
    )


def parse_due(text: str, today: date) -> Due | None:
    """A due date typed on its own ('fri 5pm', '2026-12-01', 'none' or '' for no date)."""
    words = text.strip()
    if words.lower() in ("", "none", "no", "-", "never"):
        return None
    tokens = _tokenise(words)
    found = _match_due(tokens, 0, today)
    if found is None or found[0] != len(tokens):
        raise ValueError(
            f"Cannot read {text!r} as a date: try 'tomorrow', 'fri 5pm', 'in 3 days' "
            "or '2026-12-01'."
        )
    return found[1]


def _tokenise(line: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in re.finditer(r'"([^"]*)"|(\S+)', line):
        quoted, word = match.group(1), match.group(2)
        if quoted is not None:
            if quoted.strip():
                tokens.append(_Token(f'"{quoted}"', literal=True))
        elif word.startswith("\\") and len(word) > 1:
            tokens.append(_Token(word[1:], literal=True))
        else:
            tokens.append(_Token(word, literal=False))
    return tokens


def _unescape(line: str) -> str:
    return " ".join(token.text for token in _tokenise(line))


def _take_due(tokens: list[_Token], today: date, recognised: list[str]) -> Due | None:
    """Find date phrases among the unused words; the last one wins and leaves the title."""
    best: tuple[int, int, Due] | None = None
    index = 0
    while index < len(tokens):
        found = _match_due(tokens, index, today)
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


def _match_due(tokens: Sequence[_Token], start: int, today: date) -> tuple[int, Due] | None:
    """A date phrase (optionally led by due/by/on, optionally with a time) at ``start``."""
    words = [t.text.lower().rstrip(",.;") if not (t.literal or t.used) else None for t in tokens]
    index = start
    if index < len(words) and words[index] in _LEAD_WORDS:
        index += 1
    day_match = _match_day(words, index, today)
    if day_match is not None:
        index, day = day_match
        time_match = _match_time(words, index)
        if time_match is not None:
            index, at = time_match
            return index, Due(day, at)
        return index, Due(day)
    # A time first ("5pm tomorrow"), or a time alone: today at that time.
    time_match = _match_time(words, index)
    if time_match is None:
        return None
    index, at = time_match
    day_match = _match_day(words, index, today)
    if day_match is not None:
        index, day = day_match
        return index, Due(day, at)
    return index, Due(today, at)


_WEEKDAYS = {
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
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9
_NUMBER_WORDS = {
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
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_YEAR = re.compile(r"^\d{4}$")


def _word(words: Sequence[str | None], index: int) -> str | None:
    return words[index] if 0 <= index < len(words) else None


def _match_day(words: Sequence[str | None], i: int, today: date) -> tuple[int, date] | None:
    first = _word(words, i)
    if first is None:
        return None
    if first == "today" or first == "tonight":
        return i + 1, today
    if first in ("tomorrow", "tmrw", "tmr", "tomorow"):
        return i + 1, today + timedelta(days=1)
    if first in _WEEKDAYS:
        return i + 1, _next_weekday(today, _WEEKDAYS[first])
    iso = _ISO_DATE.match(first)
    if iso:
        try:
            return i + 1, date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    second = _word(words, i + 1)
    if first == "next":
        if second in _WEEKDAYS:
            return i + 2, _weekday_of_next_week(today, _WEEKDAYS[second])
        if second == "week":
            return i + 2, _weekday_of_next_week(today, 0)
        if second == "month":
            return i + 2, _add_months(today.replace(day=1), 1)
        if second == "year":
            return i + 2, date(today.year + 1, 1, 1)
        return None
    if first == "this":
        if second in _WEEKDAYS:
            return i + 2, _this_weekday(today, _WEEKDAYS[second])
        if second == "weekend":
            return i + 2, _this_weekday(today, 5)
        return None
    if first == "weekend":
        return i + 1, _this_weekday(today, 5)
    if first in ("eom", "eow"):
        return i + 1, _end_of_month(today) if first == "eom" else _this_weekday(today, 6)
    if first == "end" and second == "of":
        what = _word(words, i + 2)
        if what == "month":
            return i + 3, _end_of_month(today)
        if what == "week":
            return i + 3, _this_weekday(today, 6)
        if what == "year":
            return i + 3, date(today.year, 12, 31)
        return None
    if first == "in" and second is not None:
        amount = int(second) if second.isdigit() else _NUMBER_WORDS.get(second)
        unit = _UNITS.get(_word(words, i + 2) or "")
        if amount is not None and unit is not None and 0 < amount <= 1000:
            return i + 3, _shift(today, amount, unit)
        return None
    return _match_month_day(words, i, today)


def _match_month_day(words: Sequence[str | None], i: int, today: date) -> tuple[int, date] | None:
    """'Dec 1', 'December 1st', '1 Dec', '1st of December', each with an optional year."""
    first, second = _word(words, i), _word(words, i + 1)
    if first in _MONTHS and second is not None and _ORDINAL.match(second):
        month, day, end = _MONTHS[first], int(_ORDINAL.match(second)[1]), i + 2  # type: ignore[index]
    elif first is not None and _ORDINAL.match(first):
        if second == "of" and _word(words, i + 2) in _MONTHS:
            month, end = _MONTHS[_word(words, i + 2)], i + 3  # type: ignore[index]
        elif second in _MONTHS:
            month, end = _MONTHS[second], i + 2
        else:
            return None
        day = int(_ORDINAL.match(first)[1])  # type: ignore[index]
    else:
        return None
    year_word = _word(words, end)
    if year_word is not None and _YEAR.match(year_word):
        try:
            return end + 1, date(int(year_word), month, day)
        except ValueError:
            return None
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February: the next year that has one
        if candidate >= today:
            return end, candidate
    return None


_TIME_12 = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a\.m\.|p\.m\.)$")
_TIME_24 = re.compile(r"^(\d{1,2}):(\d{2})$")


def _match_time(words: Sequence[str | None], i: int) -> tuple[int, time] | None:
    index = i
    at_word = _word(words, index) == "at"
    if at_word:
        index += 1
    word = _word(words, index)
    if word is None:
        return None
    if word in ("noon", "midday"):
        return index + 1, time(12, 0)
    if word == "midnight":
        return index + 1, time(0, 0)
    follower = _word(words, index + 1)
    if follower in ("am", "pm") and word.isdigit():
        word, index = word + follower, index + 1
    twelve = _TIME_12.match(word)
    if twelve:
        hour, minute = int(twelve[1]), int(twelve[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if twelve[3].startswith("p") else 0)
        return index + 1, time(hour, minute)
    twenty_four = _TIME_24.match(word)
    if twenty_four:
        hour, minute = int(twenty_four[1]), int(twenty_four[2])
        if hour > 23 or minute > 59:
            return None
        return index + 1, time(hour, minute)
    if at_word and word.isdigit() and 0 <= int(word) <= 23:
        return index + 1, time(int(word), 0)  # "at 9": a bare hour, only after "at"
    return None


def _next_weekday(today: date, weekday: int) -> date:
    """The next such weekday after today ('friday' on a Friday is a week away)."""
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _this_weekday(today: date, weekday: int) -> date:
    """That weekday in the current Monday-to-Sunday week; once it has passed, the next
    one. On a Saturday or Sunday, 'this weekend' is today."""
    if weekday == 5 and today.weekday() >= 5:
        return today
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=weekday)
    return day if day >= today else day + timedelta(days=7)


def _weekday_of_next_week(today: date, weekday: int) -> date:
    next_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return next_monday + timedelta(days=weekday)


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
