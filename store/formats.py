"""The file formats TaskFlow reads and writes, and JSON as every output writes it:
a task and its history as our format and every ``--json`` show them.

Apart from store.transfer (the readers and writers themselves), so that the command
line can name the formats and print JSON without loading them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from store.fields import snapshot_data
from store.records import (
    UNREADABLE_MOMENT,
    EventRecord,
    ProjectRecord,
    TaskCounts,
    TaskRecord,
    TaskSnapshot,
)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    TODOTXT = "todotxt"
    TASKWARRIOR = "taskwarrior"
    ICS = "ics"  # iCalendar: one VCALENDAR of VTODOs (store/ical.py)


IMPORT_FORMATS = (Format.JSON, Format.TASKWARRIOR, Format.TODOTXT, Format.CSV, Format.ICS)
EXPORT_FORMATS = (Format.JSON, Format.CSV, Format.TODOTXT, Format.ICS)


def dumps(value: Any, *, depth: int = 0) -> str:
    """JSON as every output writes it: indented, UTF-8 as is, control characters escaped.

    The same text as ``json.dumps(value, indent=2, ensure_ascii=False)``, made faster:
    with an indent, the json module formats in pure Python, value by value, which is
    most of a ``list --json`` of 10,000 tasks. Here only the nesting is Python; every
    string goes through json's C escaper. tests/store/test_formats.py holds the two to
    the same text on generated values. With a ``depth``, every line after the first is
    indented that many levels more: the value as it reads nested in a document."""
    pieces: list[str] = []
    margin = "  " * depth
    try:
        _indented(value, "\n" + margin, pieces)
    except _NotPlain:
        # No raw newline is ever inside a JSON string: each one starts a line.
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + margin)
    return "".join(pieces)


class _NotPlain(Exception):
    """A value only json itself formats (a key that is not text, a type it converts)."""


_string: Callable[[str], str] = json.encoder.encode_basestring


def _number(value: float) -> str:
    if value != value or value in (math.inf, -math.inf):  # as json writes them
        return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


# The scalars by exact type, formatted without a call per value; anything else (a
# subclass such as an IntEnum, a container) goes through _indented.
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: _string,
    int: int.__repr__,
    float: _number,
    bool: lambda flag: "true" if flag else "false",
    type(None): lambda _: "null",
}


def _flat(value: dict[Any, Any]) -> bool:
    """A non-empty dict of text keys and scalar values, written without recursing."""
    return bool(value) and all(
        type(key) is str and type(item) in _SCALARS for key, item in value.items()
    )


def _indented(value: Any, newline: str, pieces: list[str]) -> None:
    """Append ``value`` as json.dumps(indent=2) writes it, at the depth ``newline``
    (a newline and that depth's indent) says."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        pieces.append(scalar(value))
    elif isinstance(value, bool):
        pieces.append("true" if value else "false")
    elif isinstance(value, str):
        pieces.append(_string(value))
    elif isinstance(value, int):
        pieces.append(int.__repr__(value))
    elif isinstance(value, float):
        pieces.append(_number(value))
    elif isinstance(value, dict):
        if not value:
            pieces.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            scalar = _SCALARS.get(type(item))
            if scalar is not None:
                pieces.append(separator + _string(key) + ": " + scalar(item))
            elif type(item) is list and not item:  # a task's blocked_by, mostly: no call
                pieces.append(separator + _string(key) + ": []")
            elif type(item) is dict and _flat(item):  # subtask_counts: one level, inline
                deeper = inner + "  "
                members = [
                    deeper + _string(k) + ": " + _SCALARS[type(v)](v) for k, v in item.items()
                ]
                pieces.append(separator + _string(key) + ": {" + ",".join(members) + inner + "}")
            else:
                pieces.append(separator + _string(key) + ": ")
                _indented(item, inner, pieces)
            separator = "," + inner
        pieces.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            pieces.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            scalar = _SCALARS.get(type(item))
            if scalar is not None:
                pieces.append(separator + scalar(item))
            else:
                pieces.append(separator)
                _indented(item, inner, pieces)
            separator = "," + inner
        pieces.append(newline + "]")
    else:
        raise _NotPlain


def format_moment(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and 'Z': fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# A task's project, parent and blockers are ids of this database: format version 2
# has no place for them. They go into files (with the projects' paths and order) with
# format version 3; until then an export leaves them out here, and --json shows them
# as task_json's ``paths`` say.
FILE_LEAVES_OUT = ("project_id", "parent_id", "blocked_by")
# A task's repeat and place in its series: task_json gives them last, in its own shape.
SERIES_KEYS = ("repeat", "series_id", "occurrence")


def task_json(
    task: TaskRecord,
    paths: Mapping[str, str] | None = None,
    subtasks: Mapping[str, TaskCounts] | None = None,
) -> dict[str, Any]:
    """A task as our JSON (and every ``--json`` output) shows it; keys in this order.

    New keys only ever go at the end, so scripts that read the first ones keep working.
    With the projects' ``paths`` (``TaskStore.project_paths``), as ``--json`` shows a
    task, "project" is its project's path (null in the Inbox), and "parent_id",
    "blocked_by" and "subtask_counts" (from ``subtasks``, TaskStore.subtask_counts)
    follow. A task whose stored
    row cannot be read (``TaskRecord.unreadable``) has one more, "unreadable" with the
    reason, and null for the times it holds placeholders for.
    """
    item = {"id": task.id, **snapshot_data(task, lambda moment: _moment_or_null(task, moment))}
    for name in (*FILE_LEAVES_OUT, *SERIES_KEYS):
        del item[name]
    if paths is not None:
        project = None if task.project_id is None else paths.get(task.project_id)
        item.update(place_json(task, project))
        counted = (subtasks or {}).get(task.id)
        item["subtask_counts"] = {
            "open": counted.open if counted else 0,
            "done": counted.done if counted else 0,
        }
    # The due date is a local day ('2026-12-01') or day and time ('2026-12-01 09:00'), no
    # zone: "Friday" stays Friday wherever the file is read. The priority shows by name
    # here, where a logged state (snapshot_json) keeps its number.
    item["priority"] = task.priority.label
    # Added with repeating tasks (schema 7): at the end, after what came before them.
    item["repeat"] = repeat_json(task)
    item["series_id"] = task.series_id
    item["occurrence"] = task.occurrence
    if task.unreadable:
        item["unreadable"] = task.unreadable
    return item


def repeat_json(task: TaskRecord) -> dict[str, str] | None:
    """A task's repeat as --json and our files show it: the rule (an RFC 5545 RRULE),
    the mode ("schedule" or "completion"), its series, the rule in words, and the day
    the rule counts from; null for a task that does not repeat (a past or stopped
    occurrence keeps its series in "series_id" beside it)."""
    repeat = task.repeat
    if repeat is None:
        return None
    return {
        "rule": repeat.rule.text,
        "mode": repeat.mode.value,
        "series_id": task.series_id or task.id,
        "text": repeat.text,
        "start": repeat.start.isoformat(),
    }


def place_json(task: TaskRecord, project: str | None) -> dict[str, Any]:
    """Where a task is, as --json and our files say it: its project by its path,
    its parent and its blockers by their ids."""
    return {"project": project, "parent_id": task.parent_id, "blocked_by": list(task.blocked_by)}


def project_json(project: ProjectRecord) -> dict[str, Any]:
    """A project as ``taskflow projects --json`` shows it; keys only ever added."""
    return {
        "id": project.id,
        "name": project.name,
        "path": project.path,
        "parent_id": project.parent_id,
        "depth": project.depth,
        "open": project.open,
        "done": project.done,
    }


def _moment_or_null(task: TaskRecord, moment: datetime) -> str | None:
    if task.unreadable and moment == UNREADABLE_MOMENT:
        return None  # a placeholder, not the task's time
    return format_moment(moment)


def snapshot_json(
    snapshot: TaskSnapshot | None, *, structure: bool = False
) -> dict[str, Any] | None:
    """A logged state as our JSON carries it: as the log keeps it, times in ISO 8601.
    With ``structure`` (history --json), its project_id, parent_id and blocked_by too:
    ids of this database, which a file leaves out."""
    if snapshot is None:
        return None
    data = snapshot_data(snapshot, format_moment)
    if snapshot.repeat is not None:  # as an object, not the column's text
        data["repeat"] = snapshot.repeat.as_data()
    if not structure:
        for name in FILE_LEAVES_OUT:
            del data[name]
    return data


def events_json(events: Sequence[EventRecord], *, structure: bool = False) -> list[dict[str, Any]]:
    """A task's history; an undo names the event it reverts by its position in this list
    (database event ids mean nothing in another database).

    An undo skipped here (``taskflow undo --skip``) is this database's own business, as
    the reason it could not be undone is (an id taken here, say): it is left out."""
    events = [event for event in events if not event.skipped]
    position = {event.id: n for n, event in enumerate(events)}
    return [
        {
            "kind": event.kind.value,
            "at": format_moment(event.at),
            "before": snapshot_json(event.before, structure=structure),
            "after": snapshot_json(event.after, structure=structure),
            "reverts": position.get(event.reverts_event_id)
            if event.reverts_event_id is not None
            else None,
        }
        for event in events
    ]
