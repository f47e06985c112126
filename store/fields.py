"""The one table of a task's fields: how a record, its row and a logged state hold each.

Every conversion between them reads this table, so a new field of a task takes its
migration, a line here, its place in ``TaskRecord`` and ``TaskSnapshot``, and the
places that show it; the rows, the log's JSON and our files' snapshots follow. One
exception, for speed: a row is read back by ``conversions.task_record``, which every
list page runs for each of its rows, written out field by field.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.models import format_timestamp, parse_timestamp
from store.planning import Due, Priority
from store.records import TaskRecord, TaskSnapshot, title_key
from store.recurrence import Repeat
from store.validation import moment_problem

# A time as text the way one place keeps it: the database's, or a file's ISO 8601 (where
# a placeholder time of an unreadable task shows as null).
Stamp = Callable[[datetime], str | None]


@dataclass(frozen=True, slots=True)
class TaskField:
    """One field of a task: an attribute of TaskRecord and TaskSnapshot, a key of a
    logged state, and (unless ``column`` is False) a column of the tasks table."""

    name: str
    # How the row and the log keep the record's value (None: as it is).
    kept: Callable[[Any], Any] | None
    # The record's value from a logged state's; TypeError, ValueError or KeyError if
    # it does not read as one.
    read: Callable[[Any], Any]
    # A time: kept as the caller's Stamp says (the database's text, or a file's), not by
    # ``kept``.
    moment: bool = False
    # False for what lives in a table of its own (a task's tags: task_tags).
    column: bool = True
    # States logged before it existed (schema v4, or later for the later ones) lack
    # it: read as if it were null.
    added_later: bool = False


def _logged_text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("title and description must be text")
    return value


def _logged_moment(text: Any) -> datetime:
    moment = parse_timestamp(text)
    if moment_problem(moment) is not None:
        raise ValueError(f"{text!r} is outside the times TaskFlow keeps")
    return moment


def _due_key(due: Due | None) -> str | None:
    return due.key if due is not None else None


def _logged_due(key: Any) -> Due | None:
    return Due.from_key(key) if key else None


def _logged_position(value: Any) -> float | None:
    return None if value is None else float(value)


def _logged_id(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("an id must be text")
    return value or None


def _logged_ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("blocked_by must be a list of ids")
    return tuple(sorted(value))


def repeat_text(repeat: Repeat | None) -> str | None:
    """A repeat as its column and the log keep it: compact JSON, keys in order."""
    if repeat is None:
        return None
    return json.dumps(repeat.as_data(), sort_keys=True, separators=(",", ":"))


def read_repeat(value: Any) -> Repeat | None:
    """A repeat kept by ``repeat_text`` (or its data); TypeError or ValueError if it
    is not one."""
    if value is None or value == "":
        return None
    data = json.loads(value) if isinstance(value, str) else value
    return Repeat.from_data(data)


def _logged_occurrence(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError("an occurrence is a number from 1")
    return value


FIELDS: tuple[TaskField, ...] = (
    TaskField("title", None, _logged_text),
    TaskField("description", None, _logged_text),
    TaskField("completed", None, bool),
    TaskField("created_at", None, _logged_moment, moment=True),
    TaskField("updated_at", None, _logged_moment, moment=True),
    TaskField("version", None, int),
    TaskField("due", _due_key, _logged_due, added_later=True),
    TaskField("priority", int, lambda value: Priority(int(value or 0)), added_later=True),
    TaskField("tags", list, lambda value: tuple(value or ()), column=False, added_later=True),
    TaskField("position", None, _logged_position, added_later=True),
    TaskField("project_id", None, _logged_id, added_later=True),
    TaskField("parent_id", None, _logged_id, added_later=True),
    TaskField("blocked_by", list, _logged_ids, column=False, added_later=True),
    TaskField("repeat", repeat_text, read_repeat, added_later=True),
    TaskField("series_id", None, _logged_id, added_later=True),
    TaskField("occurrence", None, _logged_occurrence, added_later=True),
)
_COLUMN_FIELDS = tuple(field for field in FIELDS if field.column)

# The columns of a task row besides the fields: whose it is, its place in the search
# index, and the title as the title order compares it.
KEY_COLUMNS = ("id", "user", "seq", "title_key")
# A task row's columns, in the order ``row_values`` gives them.
ROW_COLUMNS = (*KEY_COLUMNS, *(field.name for field in _COLUMN_FIELDS))
# What a change to a task never writes again.
FIXED_COLUMNS = frozenset({"id", "user", "seq", "created_at"})


def as_stored(moment: datetime) -> datetime:
    """The moment as it reads back once stored: a record then equals its re-read self."""
    return parse_timestamp(format_timestamp(moment))


_NAMES = tuple(field.name for field in FIELDS)
_VALUES = operator.attrgetter(*_NAMES)
# The fields stored otherwise than as they are: each with its conversion (None: a time,
# which the caller's Stamp converts).
_CONVERTED = tuple(
    (n, None if field.moment else field.kept)
    for n, field in enumerate(FIELDS)
    if field.moment or field.kept is not None
)
_COLUMNS = operator.itemgetter(*(n for n, field in enumerate(FIELDS) if field.column))


def stored_values(state: TaskRecord | TaskSnapshot, stamp: Stamp = format_timestamp) -> list[Any]:
    """Each field's value as the row and the log keep it, in the table's order.

    One attrgetter for all, then a call only for what needs converting: create_many
    and imports run this for each of 100,000 tasks, and use it for both the row and
    the 'created' event."""
    values = list(_VALUES(state))
    for n, kept in _CONVERTED:
        values[n] = stamp(values[n]) if kept is None else kept(values[n])
    return values


def row_values(record: TaskRecord, seq: int | None, stored: Sequence[Any]) -> list[Any]:
    """The task's row in ROW_COLUMNS' order (for executemany), from its stored_values."""
    return [record.id, record.user_id, seq, title_key(record.title), *_COLUMNS(stored)]


def task_row(record: TaskRecord, seq: int | None) -> dict[str, Any]:
    """The task's row, column name to value (for one insert, or an update)."""
    row = row_values(record, seq, stored_values(record))
    return dict(zip(ROW_COLUMNS, row, strict=True))


def logged_data(stored: Sequence[Any]) -> dict[str, Any]:
    """A state as a logged change keeps it, from its stored_values: a key a field."""
    # Not strict: this runs for every new task, and stored_values gives one value a name.
    return dict(zip(_NAMES, stored, strict=False))


def snapshot_data(
    state: TaskRecord | TaskSnapshot, stamp: Stamp = format_timestamp
) -> dict[str, Any]:
    """A task's state as a logged change keeps it (and, with a file's Stamp, as our
    JSON files carry it): one key a field, in the table's order."""
    return logged_data(stored_values(state, stamp))


def snapshot_from_data(data: dict[str, Any]) -> TaskSnapshot:
    """A logged state; TypeError, ValueError or KeyError if it does not read as one."""
    if not isinstance(data, dict):
        raise TypeError("not a logged state")
    values = {
        field.name: field.read(data.get(field.name) if field.added_later else data[field.name])
        for field in FIELDS
    }
    return TaskSnapshot(**values, unreadable=str(data.get("unreadable") or ""))


def snapshot_of(record: TaskRecord) -> TaskSnapshot:
    """The record's state as its logged change reads back."""
    values = {field.name: getattr(record, field.name) for field in FIELDS}
    for field in FIELDS:
        if field.moment:
            values[field.name] = as_stored(values[field.name])
    return TaskSnapshot(**values)


def record_from_snapshot(task_id: str, user: str, snapshot: TaskSnapshot) -> TaskRecord:
    """The task a logged state describes (one logged without a position goes first)."""
    values = {field.name: getattr(snapshot, field.name) for field in FIELDS}
    if values["position"] is None:
        values["position"] = 0.0
    return TaskRecord(id=task_id, user_id=user, **values)
