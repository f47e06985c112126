"""What a title and a description may hold. Refusals name the field and say what to do."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from store.errors import ValidationError

# A task id as the store writes it: a UUID in lower-case hex.
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

MAX_TITLE_LENGTH = 500
# Long notes are welcome; a pasted log file of megabytes is not a task description.
MAX_DESCRIPTION_LENGTH = 100_000

# C0 and C1 control characters, DEL, and lone surrogates (which no encoding can store).
# Newline and tab are allowed where a field may hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_title(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("title", "The title must be text.")
    title = raw.strip()
    if not title:
        raise ValidationError("title", "A task needs a title.")
    if "\n" in title or "\r" in title:
        raise ValidationError("title", "A title is one line; put the rest in the description.")
    if "\t" in title:
        raise ValidationError("title", "A title cannot contain tabs.")
    _refuse_control("title", title, _CONTROL)
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(
            "title",
            f"A title is at most {MAX_TITLE_LENGTH} characters (this one has {len(title)}); "
            "put the rest in the description.",
        )
    return title


def clean_description(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError("description", "The description must be text.")
    # Line endings pasted from other systems become plain newlines; indentation at
    # the start is kept (Markdown gives it meaning), blank edges are not.
    description = raw.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
    _refuse_control("description", description, _CONTROL_EXCEPT_NEWLINE)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            "description",
            f"A description is at most {MAX_DESCRIPTION_LENGTH:,} characters "
            f"(this one has {len(description):,}).",
        )
    return description


def _refuse_control(field: str, text: str, pattern: re.Pattern[str]) -> None:
    match = pattern.search(text)
    if match is None:
        return
    code = ord(match.group())
    kind = "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    raise ValidationError(
        field,
        f"The {field} contains {kind} (U+{code:04X} at position {match.start() + 1}); remove it.",
    )


# -- times, dates and numbers that come from outside (import files, old databases) ----------

# The moments TaskFlow keeps, in UTC: from 1900 to the last day of 9999 but one. Shown
# in any zone (UTC-12 to UTC+14) every one of them stays inside what Python's datetime
# can hold, and strftime writes its year with four digits (glibc writes the year 226
# as "226", which then reads back as nothing). Due days keep to the same days.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
EARLIEST_DAY = EARLIEST_MOMENT.date()
LATEST_DAY = LATEST_MOMENT.date()
# A task's change counter: far past any real history, and with room for many more
# changes inside PostgreSQL's INTEGER (2**31 - 1).
MAX_VERSION = 1_000_000_000
# The user's own order as a file may give it: numbers this size still keep their
# eighths apart (floats have 53 bits), and moving them about stays finite. What the
# store places stays within MAX_PLACED_POSITION (a file's order beyond it is kept by
# rank), so that adding and moving tasks after it never leaves what a file may hold.
MAX_POSITION = 1e15
MAX_PLACED_POSITION = 1e12


def moment_problem(moment: datetime) -> str | None:
    """Why an aware moment cannot be kept, or None when it can."""
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return "is outside the years datetime can hold in UTC"
    if not EARLIEST_MOMENT <= utc <= LATEST_MOMENT:
        return f"is outside the times TaskFlow keeps ({_KEPT_TIMES})"
    return None


def day_problem(day: date) -> str | None:
    """Why a due day cannot be kept, or None when it can."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return f"is outside the days TaskFlow keeps ({_KEPT_DAYS})"
    return None


def number_problem(value: float, *, largest: float) -> str | None:
    """Why a version or a position cannot be kept, or None when it can."""
    if value != value or value in (float("inf"), float("-inf")):
        return "is not a finite number"
    if abs(value) > largest:
        return f"is beyond ±{largest:,.0f}"
    return None


_KEPT_TIMES = f"{EARLIEST_MOMENT:%Y-%m-%d} to {LATEST_MOMENT:%Y-%m-%d} UTC"
_KEPT_DAYS = f"{EARLIEST_DAY} to {LATEST_DAY}"
