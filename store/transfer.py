"""Task files in and out: our JSON, CSV, todo.txt, and Taskwarrior's ``task export``.

Readers turn a whole file into validated ``ImportedTask`` items before anything
is written, so that a malformed file is refused whole, naming the record or line
at fault; ``TaskStore.import_tasks`` then writes them in one transaction.
Writers turn records into text and stream, so an export of 100,000 tasks never
holds the whole file in memory. Nothing here opens a database.

Identity, which is what makes a second import of the same file add nothing:

- our JSON and CSV carry our ids; Taskwarrior's ``uuid`` becomes our id;
- todo.txt, and CSV rows without an id, have no identity of their own, so one is
  derived: a UUID5 over the format, the creation date and the whitespace-folded
  text (without the completion mark, completion date or priority, so that
  completing a task or changing its priority elsewhere updates it instead of
  adding a copy), plus how many identical lines came before it in the file (so
  that two identical lines stay two tasks, and stay the same two next time).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from store.errors import FileFormatError, ValidationError
from store.planning import Due, Priority, clean_tag, clean_tags
from store.records import EventKind, EventRecord, TaskRecord, TaskSnapshot
from store.validation import clean_description, clean_title

FORMAT_MARKER = "taskflow"
# 2 added each task's due, priority, tags and position; version 1 files still read.
FORMAT_VERSION = 2

# Content-derived ids live in their own namespace, so they never collide with a
# random (version 4) id and the same text always yields the same id.
CONTENT_ID_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d41")
MAX_ID_LENGTH = 200
_SPACE = re.compile(r"\s")

# A date without a time (todo.txt, a CSV "2026-11-20") becomes noon UTC of that day:
# it then shows as the same calendar day in every time zone from UTC-11 to UTC+11,
# and is the same instant on every machine, so re-imports compare equal.
DATE_ONLY_TIME = time(12, 0, tzinfo=UTC)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    TODOTXT = "todotxt"
    TASKWARRIOR = "taskwarrior"


IMPORT_FORMATS = (Format.JSON, Format.TASKWARRIOR, Format.TODOTXT, Format.CSV)
EXPORT_FORMATS = (Format.JSON, Format.CSV, Format.TODOTXT)


@dataclass(frozen=True)
class ImportedEvent:
    """One entry of a task's history as our JSON carries it."""

    kind: EventKind
    at: datetime
    before: TaskSnapshot | None
    after: TaskSnapshot | None
    reverts: int | None  # the position of the reverted event in the same task's list


@dataclass(frozen=True)
class ImportedTask:
    """A task read from a file, validated, not yet written."""

    id: str
    title: str
    description: str
    completed: bool
    created_at: datetime | None  # None: the moment of the import
    updated_at: datetime | None  # None: the file does not say when it last changed
    where: str  # "task 3", "line 12": names it in messages
    version: int = 1
    due: Due | None = None
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()
    # The user's own order as the file has it (our JSON); None: after the tasks already here.
    position: float | None = None
    # The history to restore as it is; None means the file has none, and the
    # import logs a 'created' event so the task's history does not start empty.
    events: tuple[ImportedEvent, ...] | None = None


@dataclass(frozen=True)
class SkippedEntry:
    """Something in the file that is deliberately not imported, and why."""

    where: str
    title: str
    reason: str
    id: str = ""


@dataclass(frozen=True)
class ParsedFile:
    format: Format
    tasks: tuple[ImportedTask, ...]
    skipped: tuple[SkippedEntry, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportOutcome:
    """What ``TaskStore.import_tasks`` did (or, on a dry run, would do)."""

    added: tuple[TaskRecord, ...] = ()
    updated: tuple[TaskRecord, ...] = ()  # as they are after the import
    unchanged: tuple[TaskRecord, ...] = ()  # already here with the same content
    kept_newer: tuple[TaskRecord, ...] = ()  # differ, but ours changed later: ours kept
    # Ids taken by another owner in this database: file id -> the id used instead.
    reassigned: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False


# -- reading --------------------------------------------------------------------------------


def read_file(path: Path, fmt: Format | None = None) -> ParsedFile:
    """Read and validate a whole file; FileFormatError names the record or line at fault."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise FileFormatError(f"Cannot import {path}: it is a folder, not a file.") from None
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise FileFormatError(f"Cannot read {path}: {reason}.") from None
    return parse_bytes(data, fmt, name=str(path), filename=path.name)


def parse_bytes(data: bytes, fmt: Format | None, *, name: str, filename: str = "") -> ParsedFile:
    """Decode (UTF-8, a BOM allowed), find the format if not given, parse and validate."""
    text = decode(data, name)
    return parse(text, fmt or detect_format(filename, text, name), name=name)


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")  # a BOM (as spreadsheets write) is not content
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileFormatError(
            f"{name} is not UTF-8 text (line {line}: byte 0x{data[error.start]:02x}); "
            "nothing was imported."
        ) from None


def detect_format(filename: str, text: str, name: str) -> Format:
    """The format from the file's extension, or for JSON from what it holds."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return Format.CSV
    if suffix in (".txt", ".todo") or filename.lower() in ("todo.txt", "done.txt"):
        return Format.TODOTXT
    start = text.lstrip()[:1]
    if start == "{":
        # Our JSON is one object with a format marker; older Taskwarriors write one
        # task a line (JSON lines), each an object with a uuid.
        first_line = text.lstrip().split("\n", 1)[0]
        return Format.TASKWARRIOR if '"uuid"' in first_line else Format.JSON
    if start == "[":
        return Format.TASKWARRIOR
    raise FileFormatError(
        f"Cannot tell the format of {name}; give --format "
        f"({', '.join(f.value for f in IMPORT_FORMATS)})."
    )


def parse(text: str, fmt: Format, *, name: str = "the file") -> ParsedFile:
    parser: Callable[[str], ParsedFile] = {
        Format.JSON: _parse_json,
        Format.CSV: _parse_csv,
        Format.TODOTXT: _parse_todotxt,
        Format.TASKWARRIOR: _parse_taskwarrior,
    }[fmt]
    try:
        parsed = parser(text)
    except _Refused as refusal:
        raise FileFormatError(f"{name}: {refusal}; nothing was imported.") from None
    _refuse_repeated_ids(parsed.tasks, name)
    return parsed


class _Refused(Exception):
    """A reader's complaint; ``parse`` adds the file name."""


def _refuse_repeated_ids(tasks: Sequence[ImportedTask], name: str) -> None:
    first_seen: dict[str, str] = {}
    for task in tasks:
        earlier = first_seen.setdefault(task.id, task.where)
        if earlier != task.where:
            raise FileFormatError(
                f"{name}: {task.where} has the same id as {earlier} ({task.id}); "
                "nothing was imported."
            )


def _clean_text(where: str, title: Any, description: Any) -> tuple[str, str]:
    try:
        return clean_title(title), clean_description(description)
    except ValidationError as error:
        raise _Refused(f"{where}: {error}") from None


def _check_id(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"{where}: the id must be non-empty text")
    if len(value) > MAX_ID_LENGTH or not value.isprintable() or _SPACE.search(value):
        raise _Refused(
            f"{where}: the id {value[:40]!r} is not usable (at most {MAX_ID_LENGTH} "
            "printable characters, no spaces)"
        )
    return value


def content_id(fmt: Format, created: str, text: str, occurrence: int) -> str:
    folded = " ".join(text.split())
    return str(uuid.uuid5(CONTENT_ID_NAMESPACE, f"{fmt.value}\n{created}\n{folded}\n{occurrence}"))


# -- timestamps ---------------------------------------------------------------------------------


def format_moment(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and 'Z': fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_moment(where: str, what: str, value: Any, *, lenient: bool = False) -> datetime:
    """An ISO 8601 timestamp. Strict (our JSON): a zone is required. Lenient (CSV):
    no zone means UTC, and a bare date means noon UTC of that day."""
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"{where}: {what} must be an ISO 8601 timestamp")
    text = value.strip()
    try:
        if lenient and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), DATE_ONLY_TIME)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{where}: {what} {text[:40]!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        if not lenient:
            raise _Refused(f"{where}: {what} {text!r} has no time zone (add 'Z' for UTC)")
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- our JSON -----------------------------------------------------------------------------------

_TASK_KEYS = {"id", "title", "description", "completed", "created_at", "updated_at", "version"}
# Format 2 adds these; each may be left out (an older file, or one written by hand).
_TASK_PLANNING_KEYS = {"due", "priority", "tags", "position"}
_REQUIRED_TASK_KEYS = ("id", "title", "completed", "created_at", "updated_at")
_SNAPSHOT_KEYS = {"title", "description", "completed", "created_at", "updated_at", "version"}
# Snapshots logged since schema v4 also carry these (older files do not).
_SNAPSHOT_PLANNING_KEYS = {"due", "priority", "tags", "position"}
_EVENT_KEYS = {"kind", "at", "before", "after", "reverts"}
# Which snapshots each kind of event must carry (before, after): what undo relies on.
_EVENT_SHAPES = {
    EventKind.CREATED: (False, True),
    EventKind.RESTORED: (False, True),
    EventKind.DELETED: (True, False),
    EventKind.EDITED: (True, True),
    EventKind.TOGGLED: (True, True),
}


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _Refused(f"line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise _Refused("the JSON is nested too deeply") from None


def _parse_json(text: str) -> ParsedFile:
    document = _load_json(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT_MARKER:
        raise _Refused(
            f'not a TaskFlow export (expected an object with "format": "{FORMAT_MARKER}"; '
            "for Taskwarrior's export use --format taskwarrior)"
        )
    found = document.get("format_version")
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        raise _Refused('"format_version" must be a positive whole number')
    if found > FORMAT_VERSION:
        raise _Refused(
            f"written by a newer TaskFlow (format version {found}; this one reads "
            f"up to {FORMAT_VERSION}); upgrade TaskFlow to import it"
        )
    unknown = set(document) - {"format", "format_version", "tasks"}
    if unknown:
        raise _Refused(f"unknown top-level field(s): {', '.join(sorted(unknown))}")
    items = document.get("tasks")
    if not isinstance(items, list):
        raise _Refused('"tasks" must be a list')
    return ParsedFile(
        Format.JSON, tuple(_json_task(item, f"task {n}") for n, item in enumerate(items, 1))
    )


def _json_task(item: Any, where: str) -> ImportedTask:
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    missing = [key for key in _REQUIRED_TASK_KEYS if key not in item]
    if missing:
        raise _Refused(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = set(item) - _TASK_KEYS - _TASK_PLANNING_KEYS - {"events"}
    if unknown:
        raise _Refused(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    task_id = _check_id(where, item["id"])
    where = f"{where} ({task_id})"
    title, description = _clean_text(where, item["title"], item.get("description", ""))
    events = None
    if "events" in item:
        if not isinstance(item["events"], list):
            raise _Refused(f"{where}: events must be a list")
        events = tuple(
            _json_event(event, f"{where}, event {n}", n - 1)
            for n, event in enumerate(item["events"], 1)
        )
    return ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=_boolean(where, "completed", item["completed"]),
        created_at=_parse_moment(where, "created_at", item["created_at"]),
        updated_at=_parse_moment(where, "updated_at", item["updated_at"]),
        version=_version(where, item.get("version", 1)),
        due=_due(where, item.get("due")),
        priority=_priority(where, item.get("priority")),
        tags=_tags(where, item.get("tags", [])),
        position=_position(where, item.get("position")),
        events=events,
        where=where,
    )


# A due date as our files write it: the local day, and maybe a time ('T' also taken).
_DUE_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::00)?)?")


def _due(where: str, value: Any) -> Due | None:
    """'2026-12-01', '2026-12-01 09:00', or null/'' for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _DUE_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError
        return Due(date.fromisoformat(match[1]), time.fromisoformat(match[2]) if match[2] else None)
    except ValueError:
        raise _Refused(
            f"{where}: due {str(value)[:40]!r} is not a date as YYYY-MM-DD, "
            "optionally with a time as HH:MM"
        ) from None


def _priority(where: str, value: Any) -> Priority:
    """'high', 'medium', 'low', 'none' (or a letter, or 0-3 as event snapshots write it)."""
    if value is None:
        return Priority.NONE
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
        return Priority(value)
    if isinstance(value, str):
        try:
            return Priority.parse(value)
        except ValueError:
            pass
    raise _Refused(f"{where}: priority {str(value)[:20]!r} is not none, low, medium or high")


def _tags(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise _Refused(f"{where}: tags must be a list of names")
    try:
        return clean_tags(value)
    except ValueError as error:
        raise _Refused(f"{where}: {error}") from None


def _position(where: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise _Refused(f"{where}: position must be a number")
    if abs(value) == float("inf"):
        raise _Refused(f"{where}: position must be a finite number")
    return float(value)


def _boolean(where: str, what: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"{where}: {what} must be true or false")
    return value


def _version(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Refused(f"{where}: version must be a whole number from 1")
    return value


def _json_event(item: Any, where: str, position: int) -> ImportedEvent:
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    if set(item) != _EVENT_KEYS:
        raise _Refused(f"{where}: must have exactly the fields {', '.join(sorted(_EVENT_KEYS))}")
    try:
        kind = EventKind(item["kind"])
    except ValueError:
        raise _Refused(f"{where}: unknown kind {str(item['kind'])[:30]!r}") from None
    before = _json_snapshot(item["before"], f"{where}, before")
    after = _json_snapshot(item["after"], f"{where}, after")
    needs_before, needs_after = _EVENT_SHAPES[kind]
    if (before is not None) != needs_before or (after is not None) != needs_after:
        shape = f"before {_set_or_null(needs_before)} and after {_set_or_null(needs_after)}"
        raise _Refused(f"{where}: a {kind.value!r} event needs {shape}")
    reverts = item["reverts"]
    if reverts is not None and (
        not isinstance(reverts, int) or isinstance(reverts, bool) or not 0 <= reverts < position
    ):
        raise _Refused(f"{where}: reverts must be null or the position of an earlier event")
    return ImportedEvent(
        kind=kind,
        at=_parse_moment(where, "at", item["at"]),
        before=before,
        after=after,
        reverts=reverts,
    )


def _set_or_null(needed: bool) -> str:
    return "set" if needed else "null"


def _json_snapshot(item: Any, where: str) -> TaskSnapshot | None:
    if item is None:
        return None
    if not isinstance(item, dict) or set(item) not in (
        _SNAPSHOT_KEYS,
        _SNAPSHOT_KEYS | _SNAPSHOT_PLANNING_KEYS,
    ):
        raise _Refused(
            f"{where}: must be null or an object with {', '.join(sorted(_SNAPSHOT_KEYS))}"
            f" (and {', '.join(sorted(_SNAPSHOT_PLANNING_KEYS))})"
        )
    # Past states are kept as they were (a title adopted from an older database may
    # not pass today's rules); only their types are checked.
    if not isinstance(item["title"], str) or not isinstance(item["description"], str):
        raise _Refused(f"{where}: title and description must be text")
    return TaskSnapshot(
        title=item["title"],
        description=item["description"],
        completed=_boolean(where, "completed", item["completed"]),
        created_at=_parse_moment(where, "created_at", item["created_at"]),
        updated_at=_parse_moment(where, "updated_at", item["updated_at"]),
        version=_version(where, item["version"]),
        **_snapshot_planning(item, where),
    )


def _snapshot_planning(item: dict[str, Any], where: str) -> dict[str, Any]:
    """Due, priority, tags and position of a snapshot that has them."""
    if "due" not in item:
        return {}
    try:
        due = Due.from_key(item["due"]) if item["due"] is not None else None
        priority = Priority(item["priority"])
        tags = tuple(item["tags"])
        if not all(isinstance(tag, str) for tag in tags):
            raise ValueError
        position = item["position"]
        if position is not None and (
            isinstance(position, bool) or not isinstance(position, int | float)
        ):
            raise ValueError
    except (TypeError, ValueError):
        raise _Refused(f"{where}: due, priority, tags or position is not valid") from None
    return {
        "due": due,
        "priority": priority,
        "tags": tags,
        "position": None if position is None else float(position),
    }


# -- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "description",
    "completed",
    "created_at",
    "updated_at",
    "due",
    "priority",
    "tags",
)
_CSV_ALIASES = {
    "done": "completed",
    "created": "created_at",
    "updated": "updated_at",
    "due_date": "due",
    "tag": "tags",
    # Other tools call a task's free text its notes.
    "notes": "description",
    "note": "description",
}
_TRUE = {"true", "yes", "y", "1", "x", "done", "completed"}
_FALSE = {"false", "no", "n", "0", "", "open", "pending"}


def _parse_csv(text: str) -> ParsedFile:
    # Long descriptions are allowed (up to MAX_DESCRIPTION_LENGTH); let the store's own
    # validation name an over-long one rather than the csv module's field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 10_000_000))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _Refused(f"line 1: {error}") from None
    if header is None or not any(cell.strip() for cell in header):
        raise _Refused("no header row (expected columns such as title,description,completed)")
    names = _column_names(header)
    columns = [_CSV_ALIASES.get(name, name) for name in names]
    repeated = [name for name, count in Counter(columns).items() if count > 1 and name]
    if repeated:
        raise _Refused(f"line 1: {_repeated_column(repeated[0], names, columns)}")
    if "title" not in columns:
        raise _Refused("line 1: there is no title column")
    ignored = [name for name in columns if name not in CSV_COLUMNS]
    warnings = (f"ignored column(s) not in TaskFlow: {', '.join(ignored)}",) if ignored else ()

    tasks: list[ImportedTask] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _Refused(f"line {line}: {error}") from None
        where = f"line {line}"
        line = reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between records are not tasks
        if len(cells) > len(columns):
            raise _Refused(f"{where}: {len(cells)} fields, but the header has {len(columns)}")
        row = dict(zip(columns, cells, strict=False))  # missing trailing cells read as empty
        tasks.append(_csv_task(row, where, occurrences))
    return ParsedFile(Format.CSV, tuple(tasks), warnings=warnings)


def _repeated_column(column: str, names: list[str], columns: list[str]) -> str:
    """'the column 'title' appears twice', or for two names of one column: 'the columns
    'description' and 'notes' both mean 'description'; keep one'."""
    spellings = list(dict.fromkeys(n for n, c in zip(names, columns, strict=True) if c == column))
    if len(spellings) == 1:
        return f"the column {column!r} appears twice"
    listed = " and ".join(repr(name) for name in spellings)
    return f"the columns {listed} both mean {column!r}; keep one"


def _column_names(header: list[str]) -> list[str]:
    return [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in header]


def _csv_task(
    row: dict[str, str], where: str, occurrences: Counter[tuple[str, str]]
) -> ImportedTask:
    title, description = _clean_text(where, row.get("title", ""), row.get("description", ""))
    completed_text = row.get("completed", "").strip().lower()
    if completed_text not in _TRUE | _FALSE:
        raise _Refused(
            f"{where}: completed is {completed_text[:20]!r}; use true/false, yes/no, 1/0 or x"
        )
    created_raw = row.get("created_at", "").strip()
    updated_raw = row.get("updated_at", "").strip()
    created = _parse_moment(where, "created_at", created_raw, lenient=True) if created_raw else None
    updated = _parse_moment(where, "updated_at", updated_raw, lenient=True) if updated_raw else None
    given_id = row.get("id", "").strip()
    if given_id:
        task_id = _check_id(where, given_id)
    else:
        created_key = format_moment(created) if created else ""
        occurrences[(created_key, title)] += 1
        task_id = content_id(Format.CSV, created_key, title, occurrences[(created_key, title)])
    return ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=completed_text in _TRUE,
        created_at=created,
        updated_at=updated,
        due=_due(where, row.get("due", "")),
        priority=_priority(where, row.get("priority", "").strip()),
        # Written space-separated; a spreadsheet user may well type commas too.
        tags=_tags(where, row.get("tags", "").replace(",", " ").split()),
        where=where,
    )


# -- todo.txt -----------------------------------------------------------------------------------

# http://todotxt.org: "x " and a completion date for done tasks, "(A) " for a priority,
# then an optional creation date, then the text with its +projects and @contexts.
_TODO_DONE = re.compile(r"x (?:(?P<done>\d{4}-\d{2}-\d{2})(?: |$))?")
_TODO_PRIORITY = re.compile(r"\((?P<priority>[A-Z])\) ")
_TODO_DATE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?: |$)")


def _parse_todotxt(text: str) -> ParsedFile:
    tasks: list[ImportedTask] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tasks.append(_todotxt_task(line, f"line {number}", occurrences))
    return ParsedFile(Format.TODOTXT, tuple(tasks))


def _todotxt_task(line: str, where: str, occurrences: Counter[tuple[str, str]]) -> ImportedTask:
    rest = line.strip()
    completed, completion, letter, creation = False, None, "", None
    done = _TODO_DONE.match(rest)
    if done:
        completed = True
        rest = rest[done.end() :]
        if done.group("done"):
            completion = _todo_date(where, done.group("done"))
    elif match := _TODO_PRIORITY.match(rest):
        letter = match.group("priority")
        rest = rest[match.end() :]
    if (completion is not None or not completed) and (match := _TODO_DATE.match(rest)):
        creation = _todo_date(where, match.group("date"))
        rest = rest[match.end() :]
    if completed and (kept := _TODO_PRIORITY.match(rest)):
        # Tools differ on whether completing a task keeps its "(A) " (here, after the
        # dates), turns it into a pri:A key, or drops it; all three read the same.
        letter = kept.group("priority")
        rest = rest[kept.end() :]
        if creation is None and (match := _TODO_DATE.match(rest)):
            creation = _todo_date(where, match.group("date"))
            rest = rest[match.end() :]
    if not rest.strip():
        raise _Refused(f"{where}: the line has no task text")
    words, tags, keys = _todotxt_words(where, rest)
    if "pri" in keys:
        letter = letter or keys["pri"]
    priority = _TODO_PRIORITIES.get(letter, Priority.NONE)
    if not words:  # nothing but +projects and keys: keep the text whole as the title
        words, tags = rest.split(), ()
    # Identity is the text alone, so that a change of priority, due date or tags
    # elsewhere updates the task instead of adding a copy.
    key_text = " ".join(words)
    # Priorities beyond C have no field of ours: they stay at the front of the title.
    shown = f"({letter}) {key_text}" if letter and priority is Priority.NONE else key_text
    title, _ = _clean_text(where, shown, "")
    created_key = creation.isoformat() if creation else ""
    occurrences[(created_key, key_text)] += 1
    return ImportedTask(
        id=content_id(Format.TODOTXT, created_key, key_text, occurrences[(created_key, key_text)]),
        title=title,
        description="",
        completed=completed,
        created_at=datetime.combine(creation, DATE_ONLY_TIME) if creation else None,
        # Only a completion date says when a line last changed; without one the
        # file cannot claim to be newer than what is already here.
        updated_at=datetime.combine(completion, DATE_ONLY_TIME) if completion else None,
        due=keys.get("due"),
        priority=priority,
        tags=tags,
        where=where,
    )


# (A) is the most urgent in todo.txt; our three priorities take its first three letters.
_TODO_PRIORITIES = {"A": Priority.HIGH, "B": Priority.MEDIUM, "C": Priority.LOW}
_TODO_LETTERS = {priority: letter for letter, priority in _TODO_PRIORITIES.items()}
_TODO_DUE = re.compile(r"due:(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_TODO_PRI = re.compile(r"pri:([A-Z])")


def _todotxt_words(where: str, text: str) -> tuple[list[str], tuple[str, ...], dict[str, Any]]:
    """The title's words, the +project and @context tags, and the due:/pri: keys."""
    words: list[str] = []
    tags: list[str] = []
    keys: dict[str, Any] = {}
    for word in text.split():
        if len(word) > 1 and word[0] in "+@":
            try:
                tags.append(clean_tag(word[1:]))
                continue
            except ValueError:
                pass  # '+' or '@' with no usable name after it: ordinary text
        if match := _TODO_DUE.fullmatch(word):
            keys["due"] = Due(_todo_date(where, match.group(1)))
            continue
        if (match := _TODO_PRI.fullmatch(word)) and match.group(1) in _TODO_PRIORITIES:
            keys["pri"] = match.group(1)
            continue
        words.append(word)
    return words, clean_tags(tags), keys


def _todo_date(where: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{where}: {text} is not a real date") from None


# -- Taskwarrior --------------------------------------------------------------------------------

_TW_STATUSES = {"pending", "waiting", "completed", "deleted", "recurring"}
# Attributes with no TaskFlow field: kept, readable, at the end of the description.
# Project, tags, priority and due have fields; what of them cannot be one (a custom
# priority, a tag name we cannot hold) is kept there too, so nothing is lost.
_TW_KEPT = ("project", "tags", "priority", "scheduled", "wait", "until", "recur", "depends")
_TW_DATES = {"due", "scheduled", "wait", "until"}
# Taskwarrior's own priorities; a user-defined one (priority UDA) has no equivalent.
_TW_PRIORITIES = {"H": Priority.HIGH, "M": Priority.MEDIUM, "L": Priority.LOW}


def _parse_taskwarrior(text: str) -> ParsedFile:
    """``task export``: a JSON array (Taskwarrior 2.4+) or one object a line (older)."""
    records: list[tuple[str, Any]] = []
    stripped = text.strip()
    if stripped.startswith("["):
        items = _load_json(text)
        if not isinstance(items, list):
            raise _Refused("expected a JSON array of tasks")
        records = [(f"task {n}", item) for n, item in enumerate(items, 1)]
    else:
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip().rstrip(",")
            if not line:
                continue
            try:
                records.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as error:
                raise _Refused(f"line {number}: {error.msg}") from None
    tasks: list[ImportedTask] = []
    skipped: list[SkippedEntry] = []
    for where, item in records:
        task = _taskwarrior_task(item, where)
        if isinstance(task, SkippedEntry):
            skipped.append(task)
        else:
            tasks.append(task)
    return ParsedFile(Format.TASKWARRIOR, tuple(tasks), tuple(skipped))


def _taskwarrior_task(item: Any, where: str) -> ImportedTask | SkippedEntry:
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    for key in ("uuid", "description", "status", "entry"):
        if key not in item:
            raise _Refused(f"{where}: missing {key!r}")
    try:
        task_id = str(uuid.UUID(str(item["uuid"])))
    except ValueError:
        raise _Refused(f"{where}: uuid {str(item['uuid'])[:40]!r} is not a UUID") from None
    where = f"{where} ({task_id})"
    status = item["status"]
    if status not in _TW_STATUSES:
        raise _Refused(f"{where}: unknown status {str(status)[:20]!r}")
    annotations = item.get("annotations", [])
    if not isinstance(annotations, list):
        raise _Refused(f"{where}: annotations must be a list")
    notes = [
        _tw_annotation(note, f"{where}, annotation {n}") for n, note in enumerate(annotations, 1)
    ]
    planning, leftover = _tw_planning(where, item)
    kept = [_tw_attribute(where, key, leftover[key]) for key in _TW_KEPT if key in leftover]
    parts = ["\n".join(line for _, line in sorted(notes))] if notes else []
    if kept:
        parts.append("Taskwarrior: " + "; ".join(kept))
    title, description = _clean_text(where, item["description"], "\n\n".join(parts))
    if status == "deleted":
        return SkippedEntry(where, title, "deleted in Taskwarrior", task_id)
    if status == "recurring":
        # The template Taskwarrior makes each occurrence from; the occurrences are
        # ordinary pending tasks (with "parent") in the same export, and are imported.
        return SkippedEntry(where, title, "recurring template", task_id)
    entry = _tw_date(where, "entry", item["entry"])
    end = _tw_date(where, "end", item["end"]) if "end" in item else None
    modified = _tw_date(where, "modified", item["modified"]) if "modified" in item else None
    return ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=status == "completed",
        created_at=entry,
        updated_at=modified or end or entry,
        where=where,
        **planning,
    )


def _tw_planning(where: str, item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Due, priority and tags (the project is one more tag) for ImportedTask, and the
    attributes left for the description, with whatever of these has no field of ours."""
    leftover = {key: item[key] for key in _TW_KEPT if key in item}
    planning: dict[str, Any] = {}
    if "due" in item:
        planning["due"] = _tw_due(where, item["due"])
    priority = leftover.get("priority")
    if isinstance(priority, str) and priority.upper() in _TW_PRIORITIES:
        planning["priority"] = _TW_PRIORITIES[priority.upper()]
        del leftover["priority"]
    names: list[str] = []
    if "project" in leftover:
        try:
            names.append(clean_tag(str(leftover["project"])))
            del leftover["project"]
        except ValueError:
            pass  # a project name no tag can hold ('Home Garden'): kept as it is
    raw_tags = leftover.pop("tags", [])
    unusable: list[str] = []
    for name in raw_tags if isinstance(raw_tags, list) else [raw_tags]:
        try:
            names.append(clean_tag(str(name)))
        except ValueError:
            unusable.append(str(name))
    if unusable:
        leftover["tags"] = unusable
    planning["tags"] = clean_tags(names)
    return planning, leftover


def _tw_due(where: str, value: Any) -> Due:
    """Taskwarrior keeps a due moment in UTC; we keep the local day and time it means.

    'due:friday' is stored as local midnight and 'due:eod' as 23:59:59: both mean
    the day as a whole, so they become a day without a time. The zone is this
    process's own, as for every local time we show.
    """
    local = _tw_date(where, "due", value).astimezone()
    if local.time() in (time(0, 0), time(23, 59, 59)):
        return Due(local.date())
    return Due(local.date(), time(local.hour, local.minute))


def _tw_date(where: str, what: str, value: Any) -> datetime:
    """Taskwarrior's '20261120T093000Z' (UTC), or an ISO 8601 timestamp."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            pass
    return _parse_moment(where, what, value)


def _tw_annotation(note: Any, where: str) -> tuple[datetime, str]:
    if not isinstance(note, dict) or not isinstance(note.get("description"), str):
        raise _Refused(f"{where}: must be an object with a description")
    at = _tw_date(where, "entry", note["entry"]) if "entry" in note else None
    text = " ".join(note["description"].split())
    stamp = f"{at:%Y-%m-%d %H:%M} UTC: " if at else ""
    return (at or datetime.min.replace(tzinfo=UTC), f"- {stamp}{text}")


def _tw_attribute(where: str, key: str, value: Any) -> str:
    if key in _TW_DATES:
        return f"{key} {_tw_date(where, key, value):%Y-%m-%d %H:%M} UTC"
    if isinstance(value, list):
        return f"{key} {' '.join(str(v) for v in value)}"
    return f"{key} {value}"


# -- writing ------------------------------------------------------------------------------------


def task_json(task: TaskRecord) -> dict[str, Any]:
    """A task as our JSON (and every ``--json`` output) shows it; keys in this order.

    New keys only ever go at the end, so scripts that read the first ones keep working.
    """
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "created_at": format_moment(task.created_at),
        "updated_at": format_moment(task.updated_at),
        "version": task.version,
        # A local day ('2026-12-01') or day and time ('2026-12-01 09:00'), no zone:
        # "Friday" stays Friday wherever the file is read.
        "due": task.due.key if task.due is not None else None,
        "priority": task.priority.label,
        "tags": list(task.tags),
        "position": task.position,
    }


def snapshot_json(snapshot: TaskSnapshot | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {
        "title": snapshot.title,
        "description": snapshot.description,
        "completed": snapshot.completed,
        "created_at": format_moment(snapshot.created_at),
        "updated_at": format_moment(snapshot.updated_at),
        "version": snapshot.version,
        "due": snapshot.due.key if snapshot.due else None,
        "priority": int(snapshot.priority),
        "tags": list(snapshot.tags),
        "position": snapshot.position,
    }


def events_json(events: Sequence[EventRecord]) -> list[dict[str, Any]]:
    """A task's history; an undo names the event it reverts by its position in this list
    (database event ids mean nothing in another database)."""
    position = {event.id: n for n, event in enumerate(events)}
    return [
        {
            "kind": event.kind.value,
            "at": format_moment(event.at),
            "before": snapshot_json(event.before),
            "after": snapshot_json(event.after),
            "reverts": position.get(event.reverts_event_id)
            if event.reverts_event_id is not None
            else None,
        }
        for event in events
    ]


def dumps(value: Any) -> str:
    """JSON as every output writes it: indented, UTF-8 as is, control characters escaped."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def write_json(
    tasks: Iterable[tuple[TaskRecord, Sequence[EventRecord] | None]], out: TextIO
) -> int:
    """Our format, streamed; byte for byte what ``dumps`` gives for the whole document.

    No export time is written: the same tasks always give the same bytes, which is
    what lets an export -> import -> export round trip be checked with ``cmp``.
    """
    out.write(f'{{\n  "format": "{FORMAT_MARKER}",\n  "format_version": {FORMAT_VERSION},\n')
    out.write('  "tasks": [')
    count = 0
    for task, events in tasks:
        item = task_json(task)
        if events is not None:
            item["events"] = events_json(events)
        out.write(",\n" if count else "\n")
        # Strings never hold a raw newline in JSON, so indenting line by line is safe.
        out.write("\n".join("    " + line for line in dumps(item).split("\n")))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def write_csv(tasks: Iterable[TaskRecord], out: TextIO) -> int:
    """RFC 4180 CSV with a header row; completed as true/false, times as in our JSON,
    due as a local day (and time), priority empty for none, tags separated by spaces."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for task in tasks:
        writer.writerow(
            [
                task.id,
                task.title,
                task.description,
                "true" if task.completed else "false",
                format_moment(task.created_at),
                format_moment(task.updated_at),
                task.due.key if task.due is not None else "",
                task.priority.label if task.priority else "",
                " ".join(task.tags),
            ]
        )
        count += 1
    return count


def write_todotxt(tasks: Iterable[TaskRecord], out: TextIO) -> int:
    """One line a task. Descriptions have no place in todo.txt and are left out.

    Dates are local calendar days, as the user sees them. A done task's completion
    date is the day it last changed (we keep no separate completion time).
    """
    count = 0
    for task in tasks:
        out.write(todotxt_line(task) + "\n")
        count += 1
    return count


def todotxt_line(task: TaskRecord) -> str:
    """'(A) 2026-11-20 Call mom +family due:2026-11-21', as todo.txt tools write it.

    Tags become +projects (read back as tags, as @contexts are); a due date is the
    common due: key, without its time (todo.txt has no place for one). A done task
    keeps its priority as a pri: key, since the leading (A) is not allowed there.
    """
    # A title from an older database may hold a line break; a line is one task.
    title = " ".join(task.title.split())
    created = task.created_at.astimezone().date().isoformat()
    letter = _TODO_LETTERS.get(task.priority, "")
    legacy = _TODO_PRIORITY.match(title)
    if not letter and legacy and not task.completed:
        # Imported before priorities were a field: "(B) Call mom" as the title.
        letter, title = legacy.group("priority"), title[legacy.end() :]
    extras = [f"+{tag}" for tag in task.tags]
    if task.due is not None:
        extras.append(f"due:{task.due.day.isoformat()}")
    if task.completed:
        finished = task.updated_at.astimezone().date().isoformat()
        if letter:
            extras.append(f"pri:{letter}")
        return " ".join(["x", finished, created, title, *extras])
    lead = [f"({letter})", created] if letter else [created]
    return " ".join([*lead, title, *extras])
