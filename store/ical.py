"""iCalendar (RFC 5545): a task as a VTODO in a calendar object, and back.

Reading: the text is cut into calendar objects, one per UID (a VCALENDAR holding that
VTODO and the time zones it names), and icalendar parses each for the values TaskFlow
maps (``Vtodo``). Writing: a task never read from iCalendar gets a VTODO of its own; one
that was read is written from the object it came in, line by line. A property TaskFlow
maps is kept as it was while the task still has the value it says, and replaced when the
task changed it; every other property, parameter and component (alarms, other apps'
X- properties, a TZID on a due date nobody moved) is copied byte for byte. icalendar
would re-fold and re-quote those, so they are spliced here, never re-serialized.

The mapping: SUMMARY title, DESCRIPTION notes, STATUS/COMPLETED/PERCENT-COMPLETE done,
DUE (a date, or a floating local time; a TZID or UTC time converted to local time),
PRIORITY (1-4 high, 5 medium, 6-9 low, 0 none), CATEGORIES tags, RELATED-TO parent
(RELTYPE=PARENT) and blockers (RELTYPE=DEPENDS-ON, RFC 9253), RRULE the repeat rule;
X-TASKFLOW-* what only TaskFlow has (the repeat's mode and start, the series, the project
in a file). A rule's BYMONTHDAY=31 falls on a shorter month's last day here, where
RFC 5545 would skip that month (see the README).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from store.errors import FileFormatError
from store.planning import Due, Priority, clean_tag
from store.records import TaskRecord
from store.recurrence import Repeat, RepeatMode

PRODID = "-//TaskFlow//TaskFlow//EN"
CRLF = "\r\n"
FOLD_OCTETS = 75  # a content line's most octets before it is folded (RFC 5545 3.1)
UID_NAMESPACE = uuid.UUID("0b6f3c1e-8d55-4f0e-9c77-5a1de2c4b913")  # a VTODO without UID

# Our own properties: what no standard property says.
X_PROJECT = "X-TASKFLOW-PROJECT"
X_SERIES = "X-TASKFLOW-SERIES"
X_OCCURRENCE = "X-TASKFLOW-OCCURRENCE"
X_REPEAT_MODE = "X-TASKFLOW-REPEAT-MODE"
X_REPEAT_START = "X-TASKFLOW-REPEAT-START"

_NAME = re.compile(r"[A-Za-z0-9-]+")
_FOLD = re.compile(r"\r\n[ \t]")
_TZID = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)


# -- what a VTODO says -------------------------------------------------------------------------


@dataclass(frozen=True)
class Vtodo:
    """The values TaskFlow maps from one VTODO (the rest stays in its object's text)."""

    uid: str
    title: str
    description: str = ""
    completed: bool = False
    completed_at: datetime | None = None
    due: Due | None = None
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()
    parent_uid: str | None = None
    depends_on: tuple[str, ...] = ()  # the UIDs of the tasks it waits for
    repeat: Repeat | None = None
    series_id: str | None = None
    occurrence: int | None = None
    project: str | None = None  # X-TASKFLOW-PROJECT, in a file
    created: datetime | None = None
    last_modified: datetime | None = None
    sequence: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarObject:
    """One task's calendar object: its text (CRLF lines) and what its VTODO says."""

    text: str
    todo: Vtodo


@dataclass(frozen=True)
class StoredObject:
    """A task's object as the store keeps it (migration 8): the text as last read or
    written, its UID, its SEQUENCE then, and the task's version then."""

    text: str
    uid: str
    sequence: int
    at_version: int


@dataclass(frozen=True)
class ReadCalendar:
    objects: tuple[CalendarObject, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (what, why): events, journals...


# -- content lines -----------------------------------------------------------------------------


@dataclass
class _Block:
    """A component as its raw lines: properties (folded as they came) and components."""

    name: str
    items: list[str | _Block] = field(default_factory=list)

    def properties(self) -> Iterator[str]:
        return (item for item in self.items if isinstance(item, str))

    def components(self, name: str | None = None) -> Iterator[_Block]:
        return (
            item
            for item in self.items
            if isinstance(item, _Block) and (name is None or item.name == name)
        )

    def lines(self) -> Iterator[str]:
        yield f"BEGIN:{self.name}"
        for item in self.items:
            if isinstance(item, _Block):
                yield from item.lines()
            else:
                yield item
        yield f"END:{self.name}"


def unfolded(line: str) -> str:
    return _FOLD.sub("", line)


def property_name(line: str) -> str:
    match = _NAME.match(line)
    return match.group(0).upper() if match else ""


def _logical_lines(text: str) -> list[str]:
    """The text's content lines, each with its folds as they came (line ends as CRLF)."""
    lines: list[str] = []
    for line in re.split(r"\r\n|\n|\r", text.lstrip("\ufeff")):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += CRLF + line
        elif line.strip():
            lines.append(line)
    return lines


def _blocks(text: str) -> list[_Block]:
    """The text's top-level components; FileFormatError for a broken nesting."""
    top: list[_Block] = []
    stack: list[_Block] = []
    for number, line in enumerate(_logical_lines(text), 1):
        plain = unfolded(line)
        name = property_name(plain)
        value = plain.partition(":")[2].strip().upper()
        if name == "BEGIN":
            block = _Block(value)
            (stack[-1].items if stack else top).append(block)
            stack.append(block)
        elif name == "END":
            if not stack or stack[-1].name != value:
                raise FileFormatError(f"content line {number}: END:{value} ends nothing open")
            stack.pop()
        elif not stack:
            raise FileFormatError(f"content line {number}: a property outside any component")
        elif not name or ":" not in plain:
            raise FileFormatError(f"content line {number}: not an iCalendar content line")
        else:
            stack[-1].items.append(line)
    if stack:
        raise FileFormatError(f"the file ends inside {stack[-1].name} (no END:{stack[-1].name})")
    return top


def fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 sequence."""
    if len(line.encode()) <= FOLD_OCTETS:
        return line
    pieces: list[str] = []
    current, size, limit = "", 0, FOLD_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, FOLD_OCTETS - 1  # the fold's space counts
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 3.3.11 writes it."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


# -- reading -----------------------------------------------------------------------------------


def read_calendar(text: str, *, local_zone: Any = None) -> ReadCalendar:
    """Every VTODO of the text as a calendar object of its own, in the file's order;
    FileFormatError naming what is wrong. Overrides of a repeating VTODO (the same UID
    with a RECURRENCE-ID) travel in their master's object, untouched."""
    objects: list[CalendarObject] = []
    skipped: list[tuple[str, str]] = []
    calendars = _blocks(text)
    if not calendars or any(block.name != "VCALENDAR" for block in calendars):
        raise FileFormatError("an iCalendar file is BEGIN:VCALENDAR ... END:VCALENDAR")
    for calendar in calendars:
        zones = {_zone_id(zone): zone for zone in calendar.components("VTIMEZONE")}
        head = [line for line in calendar.properties()]
        by_uid: dict[str, list[_Block]] = {}
        for component in calendar.components():
            if component.name == "VTIMEZONE":
                continue
            if component.name != "VTODO":
                skipped.append((component.name, _summary(component)))
                continue
            uid = _value(component, "UID")
            if not uid:  # RFC 5545 wants one: a stable one, written into the object
                uid = _content_uid(component)
                component.items.insert(0, f"UID:{uid}")
            by_uid.setdefault(uid, []).append(component)
        for uid, todos in by_uid.items():
            masters = [todo for todo in todos if not _value(todo, "RECURRENCE-ID")]
            if len(masters) != 1:
                raise FileFormatError(
                    f"{len(masters) or 'no'} VTODOs without a RECURRENCE-ID have the UID "
                    f"{uid[:60]!r}: a task is one VTODO (with its overrides, if it repeats)"
                )
            named = {zone for todo in todos for zone in _zones_named(todo)}
            block = _Block("VCALENDAR", [*head, *(zones[z] for z in zones if z in named), *todos])
            object_text = CRLF.join(block.lines()) + CRLF
            where = f"the VTODO “{_summary(todos[0])[:40]}” (UID {uid[:60]})"
            objects.append(
                CalendarObject(object_text, parse_object(object_text, uid, where, local_zone))
            )
    return ReadCalendar(tuple(objects), tuple(skipped))


def object_uid(text: str) -> str:
    """The UID of an object's master VTODO ('' when it has none)."""
    for calendar in _blocks(text):
        for todo in calendar.components("VTODO"):
            if not _value(todo, "RECURRENCE-ID"):
                return _value(todo, "UID")
    return ""


def sequence_of(text: str) -> int:
    """The SEQUENCE of an object's master VTODO (0 when it has none)."""
    for calendar in _blocks(text):
        for todo in calendar.components("VTODO"):
            if not _value(todo, "RECURRENCE-ID"):
                value = _value(todo, "SEQUENCE")
                return int(value) if value.isdigit() else 0
    return 0


def _value(component: _Block, name: str) -> str:
    for line in component.properties():
        if property_name(line) == name:
            return _raw_value(unfolded(line)).strip()
    return ""


def _raw_value(line: str) -> str:
    """What follows the first colon outside quotes: the value, still escaped."""
    return line[len(_head(line)) + 1 :]


def _head(line: str) -> str:
    """The name and parameters: what comes before the first colon outside quotes."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index]
    return line


def _summary(component: _Block) -> str:
    return _value(component, "SUMMARY").replace("\\,", ",").replace("\\;", ";") or "untitled"


def _content_uid(component: _Block) -> str:
    """A stable UID for a VTODO that has none: the same text gives the same task."""
    return str(uuid.uuid5(UID_NAMESPACE, CRLF.join(component.lines())))


def _zone_id(zone: _Block) -> str:
    return _value(zone, "TZID").strip('"')


def _zones_named(component: _Block) -> set[str]:
    names: set[str] = set()
    for line in component.lines():
        for match in _TZID.finditer(_head(unfolded(line)) + ":"):
            names.add(match.group(1).strip('"'))
    return names


def parse_object(text: str, uid: str, where: str, local_zone: Any = None) -> Vtodo:
    """What the object's master VTODO says; FileFormatError naming ``where``."""
    import icalendar  # about 100 ms: only what reads or writes iCalendar pays for it

    try:
        calendar = icalendar.Calendar.from_ical(text)
        todos = [c for c in calendar.walk("VTODO") if "RECURRENCE-ID" not in c]
        if not todos:
            raise ValueError("no VTODO without a RECURRENCE-ID")
        return _vtodo(todos[0], uid, local_zone)
    except FileFormatError:
        raise
    except Exception as error:  # icalendar raises ValueError, KeyError, TypeError...
        raise FileFormatError(f"{where}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _vtodo(todo: Any, uid: str, local_zone: Any) -> Vtodo:
    warnings: list[str] = []
    title = " ".join(_text(todo.get("SUMMARY")).split()) or "(untitled)"
    status = _text(todo.get("STATUS")).upper()
    completed_at = _moment(todo.get("COMPLETED"))
    percent = _integer(todo.get("PERCENT-COMPLETE"))
    completed = status in ("COMPLETED", "CANCELLED") or (
        status != "NEEDS-ACTION" and (completed_at is not None or percent == 100)
    )
    related = _all(todo.get("RELATED-TO"))
    parents = [str(r) for r in related if _param(r, "RELTYPE", "PARENT") == "PARENT"]
    depends = tuple(str(r) for r in related if _param(r, "RELTYPE", "PARENT") == "DEPENDS-ON")
    due = _due(todo.get("DUE"), local_zone)
    repeat = _repeat(todo, due, warnings)
    occurrence = _integer(todo.get(X_OCCURRENCE))
    return Vtodo(
        uid=uid,
        title=title,
        description=_text(todo.get("DESCRIPTION")),
        completed=completed,
        completed_at=completed_at,
        due=due,
        priority=priority_of(_integer(todo.get("PRIORITY")) or 0),
        tags=_tags(todo, warnings),
        parent_uid=parents[0] if parents else None,
        depends_on=tuple(sorted(set(depends))),
        repeat=repeat,
        series_id=_text(todo.get(X_SERIES)) or None,
        occurrence=occurrence if occurrence and occurrence >= 1 else None,
        project=_text(todo.get(X_PROJECT)) or None,
        created=_moment(todo.get("CREATED")),
        last_modified=_moment(todo.get("LAST-MODIFIED")) or _moment(todo.get("DTSTAMP")),
        sequence=max(0, _integer(todo.get("SEQUENCE")) or 0),
        warnings=tuple(warnings),
    )


def priority_of(value: int) -> Priority:
    if 1 <= value <= 4:
        return Priority.HIGH
    if value == 5:
        return Priority.MEDIUM
    if 6 <= value <= 9:
        return Priority.LOW
    return Priority.NONE


PRIORITY_VALUES = {Priority.HIGH: 1, Priority.MEDIUM: 5, Priority.LOW: 9}


def _all(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _param(value: Any, name: str, default: str) -> str:
    params = getattr(value, "params", None) or {}
    return str(params.get(name, default)).upper()


def _integer(value: Any) -> int | None:
    try:
        return int(str(_text(value)).strip())
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(moment, date):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return None


def _due(value: Any, local_zone: Any) -> Due | None:
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:  # a TZID or UTC: the same moment in local time
            moment = moment.astimezone(local_zone)
        return Due(moment.date(), time(moment.hour, moment.minute))
    if isinstance(moment, date):
        return Due(moment)
    return None


def _tags(todo: Any, warnings: list[str]) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for categories in _all(todo.get("CATEGORIES")):
        for category in getattr(categories, "cats", None) or [str(categories)]:
            name = "-".join(str(category).split())  # a tag is one word
            try:
                tag = clean_tag(name)
            except ValueError:
                warnings.append(f"the category {str(category)[:40]!r} is not a usable tag")
                continue
            names.setdefault(tag.casefold(), tag)
    return tuple(sorted(names.values(), key=str.casefold))


def _repeat(todo: Any, due: Due | None, warnings: list[str]) -> Repeat | None:
    rule = todo.get("RRULE")
    if rule is None:
        return None
    text = rule.to_ical().decode() if hasattr(rule, "to_ical") else str(rule)
    mode = _text(todo.get(X_REPEAT_MODE)).lower() or RepeatMode.SCHEDULE.value
    start_text = _text(todo.get(X_REPEAT_START))
    start = due.day if due is not None else None
    dtstart = _moment(todo.get("DTSTART"))
    try:
        if start_text:
            start = date.fromisoformat(start_text)
        elif start is None and dtstart is not None:
            start = dtstart.date()
        return Repeat.of(text, mode, start or date(2000, 1, 1))
    except ValueError as error:
        warnings.append(f"its repeat rule {text[:60]!r} is not one TaskFlow keeps ({error})")
        return None


# -- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskContext:
    """What a task's VTODO says beyond the task itself: UIDs of the tasks it names."""

    uid_of: Callable[[str], str]  # a task id -> the UID its VTODO has
    project: str | None = None  # written as X-TASKFLOW-PROJECT (a file), or None


def object_text(task: TaskRecord, context: TaskContext, stored: StoredObject | None) -> str:
    """The task's calendar object: its own if never read, else the stored one with what
    differs from the task replaced (nothing differing and the task unchanged since, it
    is the stored text itself)."""
    if stored is None:
        mapped = [line for _, lines in _groups(task, context) for line in lines]
        todo = _Block("VTODO", [f"UID:{escape_text(task.id)}", *_stamps(task, 0), *mapped])
        calendar = _Block("VCALENDAR", ["VERSION:2.0", f"PRODID:{PRODID}", todo])
        return CRLF.join(fold(line) for line in calendar.lines()) + CRLF
    return _patched(task, context, stored)


def _stamps(task: TaskRecord, sequence: int) -> list[str]:
    stamp = _utc(task.updated_at)
    return [
        f"DTSTAMP:{stamp}",
        f"CREATED:{_utc(task.created_at)}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{sequence}",
    ]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# The groups of properties TaskFlow maps, each written from one of the task's values:
# (the group, the lines it writes). A stored object keeps a group's own lines while the
# value they say is still the task's.
def _groups(task: TaskRecord, context: TaskContext) -> list[tuple[str, list[str]]]:
    def one(name: str, value: str | None) -> list[str]:
        return [f"{name}:{escape_text(value)}"] if value else []

    related = "RELATED-TO;RELTYPE="
    tags = ",".join(escape_text(tag) for tag in task.tags)
    return [
        ("title", one("SUMMARY", task.title)),
        ("description", one("DESCRIPTION", task.description)),
        ("done", _done_lines(task)),
        ("due", _due_lines(task.due)),
        ("priority", [f"PRIORITY:{PRIORITY_VALUES[task.priority]}"] if task.priority else []),
        ("tags", [f"CATEGORIES:{tags}"] if tags else []),
        ("parent", one(related + "PARENT", task.parent_id and context.uid_of(task.parent_id))),
        (
            "blocked",
            [
                line
                for b in task.blocked_by
                for line in one(related + "DEPENDS-ON", context.uid_of(b))
            ],
        ),
        ("repeat", _repeat_lines(task.repeat)),
        ("series", _series_lines(task)),
        ("project", one(X_PROJECT, context.project)),
    ]


def _done_lines(task: TaskRecord) -> list[str]:
    if not task.completed:
        return ["STATUS:NEEDS-ACTION"]
    return ["STATUS:COMPLETED", "PERCENT-COMPLETE:100", f"COMPLETED:{_utc(task.updated_at)}"]


def _due_lines(due: Due | None) -> list[str]:
    if due is None:
        return []
    if due.at is None:
        return [f"DUE;VALUE=DATE:{due.day:%Y%m%d}"]
    return [f"DUE:{due.day:%Y%m%d}T{due.at:%H%M}00"]  # floating: the user's local time


def _repeat_lines(repeat: Repeat | None) -> list[str]:
    if repeat is None:
        return []
    lines = [f"RRULE:{repeat.rule}", f"{X_REPEAT_START}:{repeat.start.isoformat()}"]
    if repeat.mode is RepeatMode.COMPLETION:
        lines.append(f"{X_REPEAT_MODE}:{repeat.mode.value}")
    return lines


def _series_lines(task: TaskRecord) -> list[str]:
    if task.series_id is None:
        return []
    return [f"{X_SERIES}:{task.series_id}", f"{X_OCCURRENCE}:{task.occurrence or 1}"]


# Which group a mapped property belongs to (RELATED-TO by its RELTYPE, below).
_GROUP_OF = {
    "SUMMARY": "title",
    "DESCRIPTION": "description",
    "STATUS": "done",
    "COMPLETED": "done",
    "PERCENT-COMPLETE": "done",
    "DUE": "due",
    "PRIORITY": "priority",
    "CATEGORIES": "tags",
    "RRULE": "repeat",
    X_REPEAT_MODE: "repeat",
    X_REPEAT_START: "repeat",
    X_SERIES: "series",
    X_OCCURRENCE: "series",
    X_PROJECT: "project",
    "DTSTAMP": "stamps",
    "LAST-MODIFIED": "stamps",
    "SEQUENCE": "stamps",
}


def _group_of(line: str) -> str | None:
    name = property_name(line)
    if name == "RELATED-TO":
        head = _head(unfolded(line)).upper()
        if "RELTYPE=DEPENDS-ON" in head:
            return "blocked"
        return "parent" if "RELTYPE=" not in head or "RELTYPE=PARENT" in head else None
    return _GROUP_OF.get(name)


def _said(todo: Vtodo, context: TaskContext, task: TaskRecord) -> dict[str, object]:
    """Each group's value as the stored VTODO says it, in the task's terms."""
    return {
        "title": todo.title,
        "description": todo.description,
        "done": todo.completed,
        "due": todo.due,
        "priority": todo.priority,
        "tags": frozenset(t.casefold() for t in todo.tags),
        "parent": todo.parent_uid,
        "blocked": frozenset(todo.depends_on),
        "repeat": todo.repeat,
        "series": (todo.series_id, todo.occurrence) if todo.series_id else None,
        "project": todo.project,
    }


def _wanted(task: TaskRecord, context: TaskContext) -> dict[str, object]:
    return {
        "title": task.title,
        "description": task.description,
        "done": task.completed,
        "due": task.due,
        "priority": task.priority,
        "tags": frozenset(t.casefold() for t in task.tags),
        "parent": context.uid_of(task.parent_id) if task.parent_id else None,
        "blocked": frozenset(context.uid_of(b) for b in task.blocked_by),
        "repeat": task.repeat,
        "series": (task.series_id, task.occurrence or 1) if task.series_id else None,
        "project": context.project,
    }


def _patched(task: TaskRecord, context: TaskContext, stored: StoredObject) -> str:
    said = _said(parse_object(stored.text, stored.uid, "the stored object"), context, task)
    wanted = _wanted(task, context)
    changed = {group for group in wanted if wanted[group] != said[group]}
    if not changed and task.version == stored.at_version:
        return stored.text  # says what the task is, and nothing changed here since
    changed.add("stamps")
    changes = task.version - stored.at_version if stored.at_version else 1
    sequence = stored.sequence + max(1, changes)
    new_lines = dict(_groups(task, context))
    new_lines["stamps"] = [
        line for line in _stamps(task, sequence) if not line.startswith("CREATED:")
    ]
    calendar = _blocks(stored.text)[0]
    master = next(
        todo
        for todo in calendar.components("VTODO")
        if not any(property_name(line) == "RECURRENCE-ID" for line in todo.properties())
    )
    items: list[str | _Block] = []
    placed: set[str] = set()
    for item in master.items:
        group = _group_of(item) if isinstance(item, str) else None
        if group is None or group not in changed:
            items.append(item)
        elif group not in placed:  # the group's new lines where its first line was
            placed.add(group)
            items.extend(fold(line) for line in new_lines[group])
    first_component = next(
        (i for i, item in enumerate(items) if isinstance(item, _Block)), len(items)
    )
    missing = [fold(line) for group in new_lines if group in changed - placed
               for line in new_lines[group]]  # fmt: skip
    items[first_component:first_component] = missing
    master.items = items
    return CRLF.join(calendar.lines()) + CRLF


# -- a file ------------------------------------------------------------------------------------


def calendar_file(objects: Sequence[str]) -> str:
    """One VCALENDAR of the objects' VTODOs (and each time zone they name, once)."""
    zones: dict[str, _Block] = {}
    todos: list[_Block] = []
    for text in objects:
        for calendar in _blocks(text):
            for component in calendar.components():
                if component.name == "VTIMEZONE":
                    zones.setdefault(_zone_id(component), component)
                else:
                    todos.append(component)
    calendar = _Block("VCALENDAR", ["VERSION:2.0", f"PRODID:{PRODID}", *zones.values(), *todos])
    return CRLF.join(calendar.lines()) + CRLF


def uid_lookup(stored: Mapping[str, StoredObject]) -> Callable[[str], str]:
    """A task id -> its VTODO's UID: the one it came with, else its id."""

    def uid_of(task_id: str) -> str:
        found = stored.get(task_id)
        return found.uid if found is not None else task_id

    return uid_of
