"""Stored rows read back as records, and records written into the log.

A row or a logged change that cannot be read (a time outside what can be shown,
text where a number belongs, a state that is not JSON) reads as an unreadable
record or event carrying the reason: never an error that takes the whole list.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from store.fields import as_stored, read_repeat, snapshot_data, snapshot_from_data
from store.planning import Due, Priority
from store.records import UNREADABLE_MOMENT, EventKind, EventRecord, TaskRecord, TaskSnapshot
from store.validation import EARLIEST_MOMENT, LATEST_MOMENT, MAX_VERSION, day_problem

# The 'after' of an event that records an undo skipped (see TaskStore.skip_undo). The
# log's kinds are fixed by the schema, so a skip keeps the kind of the change it skips.
SKIP_MARKER = "undo_skipped"
# The task columns task_record reads, in its parameters' order.
RECORD_COLUMNS = (
    "id",
    "user",
    "title",
    "description",
    "completed",
    "created_at",
    "updated_at",
    "version",
    "due",
    "priority",
    "position",
    "project_id",
    "parent_id",
    "repeat",
    "series_id",
    "occurrence",
)


def record_columns(Task: Any) -> tuple[Any, ...]:
    """The model's columns that task_record reads, in its order (for a tuples() select)."""
    return tuple(getattr(Task, name) for name in RECORD_COLUMNS)


def record_of(row: Any) -> TaskRecord:
    """The record of a task row read as a model object (its tags not yet read)."""
    return task_record(
        row.id,
        row.user_id,
        row.title,
        row.description,
        row.completed,
        row.created_at,
        row.updated_at,
        row.version,
        row.due,
        row.priority,
        row.position,
        row.project_id,
        row.parent_id,
        row.repeat,
        row.series_id,
        row.occurrence,
    )


def task_record(
    task_id: str,
    user: str,
    title: Any,
    description: Any,
    completed: Any,
    created: Any,
    updated: Any,
    version: Any,
    due: Any,
    priority: Any,
    position: Any,
    project_id: Any = None,
    parent_id: Any = None,
    repeat: Any = None,
    series_id: Any = None,
    occurrence: Any = None,
) -> TaskRecord:
    """The record of one stored row. A value that cannot be read (a time an old import
    let in, text where a time belongs, a due date or number no field can hold) makes an
    unreadable record, its id and whatever else reads, with the reason: never an error
    that takes the whole list, and every other task with it."""
    try:
        # The common case, all in one go: every value of a sound row reads.
        if (
            isinstance(title, str)
            and isinstance(description or "", str)
            and EARLIEST_MOMENT <= created <= LATEST_MOMENT
            and EARLIEST_MOMENT <= updated <= LATEST_MOMENT
            and _kept_version(version) is not None
            and math.isfinite(position or 0)
        ):
            return TaskRecord(
                id=task_id,
                title=title,
                description=description or "",
                completed=bool(completed),
                created_at=created,
                updated_at=updated,
                user_id=user,
                version=version,
                due=_kept_due(due) if due else None,
                priority=Priority(priority or 0),
                position=float(position or 0),
                project_id=project_id,
                parent_id=parent_id,
                repeat=read_repeat(repeat) if repeat else None,
                series_id=series_id,
                occurrence=occurrence,
            )
    except (TypeError, ValueError, OverflowError, _NotKept):
        pass
    problems: list[str] = []
    record = TaskRecord(
        id=task_id,
        title=_readable(problems, "title", title, _text, ""),
        description=_readable(problems, "description", description or "", _text, ""),
        completed=bool(completed),
        created_at=_readable(problems, "created_at", created, _kept_moment, UNREADABLE_MOMENT),
        updated_at=_readable(problems, "updated_at", updated, _kept_moment, UNREADABLE_MOMENT),
        user_id=user,
        version=_readable(problems, "version", version, _kept_version, 0),
        due=_readable(problems, "due", due, _kept_due, None) if due else None,
        priority=_readable(problems, "priority", priority or 0, Priority, Priority.NONE),
        position=_readable(problems, "position", position or 0, _kept_position, 0.0),
        project_id=project_id if isinstance(project_id, str) else None,
        parent_id=parent_id if isinstance(parent_id, str) else None,
        repeat=_readable(problems, "repeat", repeat, read_repeat, None) if repeat else None,
        series_id=series_id if isinstance(series_id, str) else None,
        occurrence=occurrence if isinstance(occurrence, int) else None,
    )
    return dataclasses.replace(record, unreadable="; ".join(problems)) if problems else record


def _readable(
    problems: list[str], name: str, value: Any, read: Callable[[Any], Any], placeholder: Any
) -> Any:
    """``read(value)``, or the placeholder with the reason noted when it does not read
    (``read`` raises, or returns None)."""
    try:
        result = read(value)
    except (TypeError, ValueError, OverflowError, _NotKept):
        result = None
    if result is None:
        if isinstance(value, datetime):  # reads, but is no time every zone can show
            problems.append(f"{name} {_raw(value)} is outside the times TaskFlow keeps")
        else:
            problems.append(f"{name} {_raw(value)} cannot be read")
        return placeholder
    return result


def _kept_moment(value: Any) -> datetime | None:
    """A stored time (already parsed, in UTC) inside the range every zone can show."""
    if isinstance(value, datetime) and EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        return value
    return None


def _kept_version(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_VERSION:
        return value
    return None


class _NotKept(Exception):
    """A stored value that reads, but is not one the store keeps (see _kept_due)."""


def _kept_due(value: Any) -> Due:
    due = Due.from_key(value)
    if due.key != value or day_problem(due.day) is not None:
        raise _NotKept(value)
    return due


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _kept_position(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _raw(value: Any) -> str:
    """A stored value, quoted short, for the reason a row cannot be read."""
    if isinstance(value, datetime):
        return value.isoformat()
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def logged_state(record: TaskRecord | None) -> dict[str, Any] | None:
    """The task's state as the log keeps it (None for none)."""
    if record is None:
        return None
    data = snapshot_data(record)
    if record.unreadable:
        # Deleting an unreadable task logs its placeholders: marked, so no undo restores them.
        data["unreadable"] = record.unreadable
    return data


def logged_snapshot(data: Any) -> TaskSnapshot | None:
    """A logged state read back (None for none); TypeError, ValueError or KeyError if
    it does not read as one."""
    return None if data is None else snapshot_from_data(data)


def json_text(data: dict[str, Any] | None) -> str | None:
    """The event log's JSON exactly as JsonField writes it (for rows written in bulk)."""
    return None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


def event_of(row: Any) -> EventRecord:
    """The record of one logged change; one that cannot be read (a time outside what can
    be shown, a state that is not JSON) becomes an unreadable event, never an error."""
    logged = functools.partial(
        EventRecord,
        id=int(row.id),
        task_id=row.task_id,
        user_id=row.user_id,
        kind=EventKind(row.kind),  # the schema allows no other
        reverts_event_id=row.reverts_event_id,
        change_id=row.change_id,
    )
    # An event that holds no state it can show: a skipped undo, or one unreadable.
    stateless = functools.partial(
        logged, at=_kept_moment(row.at) or UNREADABLE_MOMENT, before=None, after=None
    )
    if isinstance(row.after, dict) and row.after.get(SKIP_MARKER) is True:
        return stateless(skipped=True)
    if row.subject == "project":  # a project's own change: store.projects reads its state
        state = row.after if isinstance(row.after, dict) else row.before
        name = state.get("name") if isinstance(state, dict) else None
        return stateless(subject="project", project=name if isinstance(name, str) else "")
    try:
        at = _kept_moment(row.at)
        if at is None:
            raise ValueError(f"at {_raw(row.at)}")
        return logged(at=at, before=logged_snapshot(row.before), after=logged_snapshot(row.after))
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        return stateless(unreadable=_unreadable_reason(error))


def _unreadable_reason(error: BaseException) -> str:
    detail = str(error)[:80]
    if isinstance(error, KeyError):
        return f"the logged state lacks {detail}"
    return (
        f"the logged change does not read ({detail})"
        if detail
        else "the logged change does not read"
    )


def normalised(record: TaskRecord) -> TaskRecord:
    """The record as it reads back once stored (its times to the stored precision)."""
    return replaced(
        record, created_at=as_stored(record.created_at), updated_at=as_stored(record.updated_at)
    )


def replaced(record: TaskRecord, **changes: Any) -> TaskRecord:
    """The record with these fields changed (dataclasses.replace without its checks)."""
    values = {**record.__dict__, **changes}
    return TaskRecord(**values)
