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
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO

from store.errors import FileFormatError, ValidationError
from store.formats import EXPORT_FORMATS as EXPORT_FORMATS
from store.formats import IMPORT_FORMATS as IMPORT_FORMATS
from store.formats import SERIES_KEYS, place_json
from store.formats import Format as Format
from store.formats import dumps as dumps
from store.formats import events_json as events_json
from store.formats import format_moment as format_moment
from store.formats import snapshot_json as snapshot_json
from store.formats import task_json as task_json
from store.planning import (
    PATH_SEPARATOR,
    Due,
    Priority,
    clean_tag,
    clean_tags,
    project_word,
    split_project_path,
)
from store.records import EventKind, EventRecord, TaskRecord, TaskSnapshot
from store.recurrence import MAX_INTERVAL, Repeat, RepeatMode, Rule, occurrences

if TYPE_CHECKING:
    from store.ical import StoredObject

from store.validation import (
    MAX_POSITION,
    MAX_VERSION,
    clean_description,
    clean_title,
    day_problem,
    moment_problem,
    number_problem,
)

FORMAT_MARKER = "taskflow"
# 2 added each task's due, priority, tags and position; 3 the projects (their paths, in
# their order) and each task's project, parent and blockers; 4 each task's repeat and its
# place in a series (and a logged state's). Versions 1 to 3 still read.
FORMAT_VERSION = 4
STRUCTURE_VERSION = 3
REPEAT_VERSION = 4
# A task's fields that say where it is (see ImportedTask.carries).
ALL_STRUCTURE = frozenset({"project_id", "parent_id", "blocked_by"})
# What a file may say of a task's repeat (see ImportedTask.carries): "repeat" its rule,
# "series_id" its place in a series (the series and its number there, together).
ALL_SERIES = frozenset({"repeat", "series_id"})
# The most an occurrence's number may be (a whole number the database column holds).
MAX_OCCURRENCE = MAX_VERSION

# Content-derived ids live in their own namespace, so they never collide with a
# random (version 4) id and the same text always yields the same id.
CONTENT_ID_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d41")
MAX_ID_LENGTH = 200
_SPACE = re.compile(r"\s")

# What an import reads at most. A file is read whole and checked before anything is
# written (so that a bad record refuses it all); this bounds the memory that takes:
# see the README (Import) for what a file just under it costs. Past it, a file is
# refused unread (its size says so), and a pipe that never ends once just past it.
MAX_IMPORT_BYTES = 128 * 2**20
# How deeply JSON may nest. Our files need 7 levels and Taskwarrior's 4; a deeper file
# is refused before anything walks it (Python's own parser gives up near 1,000).
MAX_JSON_DEPTH = 64

# A date without a time (todo.txt, a CSV "2026-11-20") becomes noon UTC of that day:
# it then shows as the same calendar day in every time zone from UTC-11 to UTC+11,
# and is the same instant on every machine, so re-imports compare equal.
DATE_ONLY_TIME = time(12, 0, tzinfo=UTC)


# The json module's own string scanner (what json.loads uses for keys): public since
# Python 2.6, but typeshed leaves it out of json.decoder's stub.
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One entry of a task's history as our JSON carries it."""

    kind: EventKind
    at: datetime
    before: TaskSnapshot | None
    after: TaskSnapshot | None
    reverts: int | None  # the position of the reverted event in the same task's list


@dataclass(frozen=True, slots=True)
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
    # Which of project_id, parent_id and blocked_by the file says (Taskwarrior: the
    # project and depends; todo.txt: the project; our JSON 3: all): those are imported
    # and compared too, from the fields below; the others stay as they are here.
    carries: frozenset[str] = frozenset()
    project: str | None = None  # its project's path ('Work/Q4'); None: the Inbox
    blocked_by: tuple[str, ...] = ()
    parent_id: str | None = None  # the file's id of the task it is a subtask of
    # Its repeat and place in a series, as far as ``carries`` says the file gives them
    # ("repeat", "series_id"); the import takes the rest from the task here. An import
    # never makes an occurrence itself: the file says which exist.
    repeat: Repeat | None = None
    # False when the file gives the rule without the day it counts from (todo.txt, CSV
    # without repeat_start): the task here keeps its own when the rule is the same, else
    # the rule counts from the due date, or from the import's day when there is none.
    repeat_start_given: bool = True
    series_id: str | None = None  # the file's id of its series
    occurrence: int | None = None  # its number in the series, from 1
    # iCalendar: the task's whole calendar object, kept beside it (store/ical.py), so
    # that what TaskFlow does not map is written back as it came.
    ical: str | None = None


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
    # The projects the file lists (ours, from version 3), parents before children.
    projects: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportOutcome:
    """What ``TaskStore.import_tasks`` did (or, on a dry run, would do)."""

    added: tuple[TaskRecord, ...] = ()
    updated: tuple[TaskRecord, ...] = ()  # as they are after the import
    unchanged: tuple[TaskRecord, ...] = ()  # already here with the same content
    kept_newer: tuple[TaskRecord, ...] = ()  # differ, but ours changed later: ours kept
    # Ids not taken as they are: file id -> the id used instead (see TaskStore.import_tasks).
    reassigned: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    # Why each of ``reassigned`` was replaced, in words: file id -> reason.
    reassigned_reasons: Mapping[str, str] = field(default_factory=dict)
    # Here with the file's id, but stored in a way that cannot be read: left alone.
    unreadable: tuple[TaskRecord, ...] = ()
    # Series ids not taken as they are (another owner's series here, or the id of a
    # task reassigned above): the file's series id -> the one used instead.
    reassigned_series: Mapping[str, str] = field(default_factory=dict)
    # Occurrences whose number in their series another task has here: the task's id
    # here -> (the file's number, the number it has instead).
    renumbered: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # Open occurrences that came in without their rule: their series has another open
    # occurrence here, which keeps it (one series, one open occurrence with the rule).
    rule_dropped: tuple[str, ...] = ()
    # Open occurrences not imported, and why: another task here holds their place.
    left_out: Mapping[str, str] = field(default_factory=dict)


# -- reading --------------------------------------------------------------------------------


def read_file(path: Path, fmt: Format | None = None) -> ParsedFile:
    """Read and validate a whole file; FileFormatError names the record or line at fault."""
    from store.config import special_file_kind

    # Before it is opened: opening a FIFO waits for a writer (the import hung), and a
    # device may never end. What comes through a pipe can be given on standard input.
    try:
        kind = special_file_kind(path.stat().st_mode)
    except OSError:
        kind = None  # missing or unreadable: the read below says which
    if kind is not None and kind != "a folder":
        raise FileFormatError(
            f"Cannot import {path}: it is {kind}, not a regular file; to import what a "
            "program writes, pipe it to 'taskflow import -' with --format."
        )
    try:
        data = _read_file_limited(path)
    except IsADirectoryError:
        raise FileFormatError(f"Cannot import {path}: it is a folder, not a file.") from None
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise FileFormatError(f"Cannot read {path}: {reason}.") from None
    return parse_bytes(data, fmt, name=str(path), filename=path.name)


def _read_file_limited(path: Path) -> str:
    """The file's text: decoded as soon as it is read, so that its bytes are not held
    while the text is parsed (for a big file, that is its size again)."""
    with path.open("rb") as stream:
        return decode(read_limited(stream, str(path)), str(path))


# Read a stream in pieces this size, so that a pipe or a device costs no more than the
# limit (a regular file is read in one piece of its own size).
_READ_CHUNK = 1 << 20


def read_limited(stream: BinaryIO, name: str) -> bytes:
    """All of ``stream`` if it holds at most MAX_IMPORT_BYTES, else FileFormatError after
    reading just past the limit: /dev/zero or an endless pipe is refused, not read forever."""
    try:
        expected = os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        expected = 0
    _refuse_too_large(expected, name)  # a regular file says its size: refused unread
    want = expected + 1 if expected else _READ_CHUNK
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        _refuse_too_large(total, name)
        want = _READ_CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _refuse_too_large(size: int, name: str) -> None:
    if size > MAX_IMPORT_BYTES:
        raise FileFormatError(
            f"{name} is larger than {MAX_IMPORT_BYTES // 2**20} MiB, the most an import reads; "
            "nothing was imported (split the file, or import it in parts)."
        )


def parse_bytes(
    data: bytes | str, fmt: Format | None, *, name: str, filename: str = ""
) -> ParsedFile:
    """Decode (UTF-8, a BOM allowed), find the format if not given, parse and validate.
    Text already decoded (read_file's) is taken as it is."""
    if isinstance(data, str):
        text = data
    else:
        _refuse_too_large(len(data), name)
        text = decode(data, name)
    del data  # what is parsed is the text: the bytes need not be held as well
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
    if suffix in (".ics", ".ical", ".ifb", ".icalendar"):
        return Format.ICS
    # Looked at without copying the text (stripping a 200 MB text copies 200 MB).
    lead = _LEADING_SPACE.match(text)
    begins = lead.end() if lead else 0
    start = text[begins : begins + 1]
    if start == "{":
        # Our JSON is one object with a format marker; older Taskwarriors write one
        # task a line (JSON lines), each an object with a uuid.
        line_end = text.find("\n", begins)
        first_line = text[begins : line_end if line_end >= 0 else len(text)]
        return Format.TASKWARRIOR if '"uuid"' in first_line else Format.JSON
    if start == "[":
        return Format.TASKWARRIOR
    if text[begins : begins + 15].upper() == "BEGIN:VCALENDAR":
        return Format.ICS
    raise FileFormatError(
        f"Cannot tell the format of {name}; give --format "
        f"({', '.join(f.value for f in IMPORT_FORMATS)})."
    )


_LEADING_SPACE = re.compile(r"\s+")


def parse(text: str, fmt: Format, *, name: str = "the file") -> ParsedFile:
    parser: Callable[[str], ParsedFile] = {
        Format.JSON: _parse_json,
        Format.CSV: _parse_csv,
        Format.TODOTXT: _parse_todotxt,
        Format.TASKWARRIOR: _parse_taskwarrior,
        Format.ICS: _parse_ics,
    }[fmt]
    try:
        parsed = parser(text)
    except _Refused as refusal:
        raise FileFormatError(f"{name}: {refusal}; nothing was imported.") from None
    _refuse_repeated_ids(parsed.tasks, name)
    _refuse_repeated_occurrences(parsed.tasks, name)
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


def _refuse_repeated_occurrences(tasks: Sequence[ImportedTask], name: str) -> None:
    """Two tasks of a file with one place in one series: no database could hold both."""
    first_seen: dict[tuple[str, int], str] = {}
    for task in tasks:
        if task.series_id is None or task.occurrence is None:
            continue
        earlier = first_seen.setdefault((task.series_id, task.occurrence), task.where)
        if earlier != task.where:
            raise FileFormatError(
                f"{name}: {task.where} and {earlier} are both occurrence {task.occurrence} "
                f"of the series {task.series_id}; nothing was imported."
            )


def _clean_text(where: str, title: Any, description: Any) -> tuple[str, str]:
    try:
        return clean_title(title), clean_description(description)
    except ValidationError as error:
        raise _Refused(f"{where}: {error}") from None


def _check_id(where: str, value: Any) -> str:
    """An id as the file gives it. One that is not a UUID in our form is kept here only
    to find the task by; the store replaces it when it adds the task (import_tasks)."""
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"{where}: the id must be non-empty text")
    if len(value) > MAX_ID_LENGTH or not value.isprintable() or _SPACE.search(value):
        raise _Refused(
            f"{where}: the id {value[:40]!r} is not usable (at most {MAX_ID_LENGTH} "
            "printable characters, no spaces)"
        )
    return value


def _shown(value: Any, width: int = 40) -> str:
    """A value quoted in a refusal, short whatever it is: the start of a text, a small
    number, or what kind of thing it is (a huge or deeply nested value is never turned
    into text just to show its first characters)."""
    if isinstance(value, str):
        return repr(value[:width])
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**width else "a very large number"
    if isinstance(value, float):
        return repr(value)[:width]
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def content_id(fmt: Format, created: str, text: str, occurrence: int) -> str:
    folded = " ".join(text.split())
    return str(uuid.uuid5(CONTENT_ID_NAMESPACE, f"{fmt.value}\n{created}\n{folded}\n{occurrence}"))


# -- timestamps ---------------------------------------------------------------------------------


def _parse_moment(where: str, what: str, value: Any, *, lenient: bool = False) -> datetime:
    """An ISO 8601 timestamp. Strict (our JSON): a zone is required. Lenient (CSV):
    no zone means UTC, and a bare date means noon UTC of that day."""
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"{where}: {what} must be an ISO 8601 timestamp")
    text = value.strip()
    try:
        if lenient and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return _kept_moment(
                where, what, text, datetime.combine(date.fromisoformat(text), DATE_ONLY_TIME)
            )
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{where}: {what} {text[:40]!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        if not lenient:
            raise _Refused(f"{where}: {what} {text[:40]!r} has no time zone (add 'Z' for UTC)")
        moment = moment.replace(tzinfo=UTC)
    return _kept_moment(where, what, text, moment)


def _kept_moment(where: str, what: str, text: str, moment: datetime) -> datetime:
    """The moment in UTC, if it is one the store keeps: one that reads back, and shows,
    in every time zone (see store.validation.EARLIEST_MOMENT)."""
    problem = moment_problem(moment)
    if problem is not None:
        raise _Refused(f"{where}: {what} {text[:40]!r} {problem}")
    return moment.astimezone(UTC)


def _kept_day(where: str, what: str, day: date) -> date:
    problem = day_problem(day)
    if problem is not None:
        raise _Refused(f"{where}: {what} {day.isoformat()} {problem}")
    return day


# -- our JSON -----------------------------------------------------------------------------------

_TASK_KEYS = {"id", "title", "description", "completed", "created_at", "updated_at", "version"}
# Format 2 adds these; each may be left out (an older file, or one written by hand).
_TASK_PLANNING_KEYS = {"due", "priority", "tags", "position"}
_REQUIRED_TASK_KEYS = ("id", "title", "completed", "created_at", "updated_at")
# Format 3 adds these (the project as its path).
_TASK_STRUCTURE_KEYS = {"project", "parent_id", "blocked_by"}
# Format 4 adds these: the repeat (an object, see formats.repeat_json) and the series.
_TASK_SERIES_KEYS = set(SERIES_KEYS)
_REPEAT_KEYS = {"rule", "mode", "series_id", "text", "start"}
_SNAPSHOT_KEYS = {"title", "description", "completed", "created_at", "updated_at", "version"}
# Snapshots logged since schema v4 also carry these (older files do not).
_SNAPSHOT_PLANNING_KEYS = {"due", "priority", "tags", "position"}
# And in format 4 these (the repeat as Repeat.as_data keeps it).
_SNAPSHOT_SERIES_KEYS = set(SERIES_KEYS)
_EVENT_KEYS = {"kind", "at", "before", "after", "reverts"}
# Which snapshots each kind of event must carry (before, after): what undo relies on.
_EVENT_SHAPES = {
    EventKind.CREATED: (False, True),
    EventKind.RESTORED: (False, True),
    EventKind.DELETED: (True, False),
    EventKind.EDITED: (True, True),
    EventKind.TOGGLED: (True, True),
}


def _load_json(text: str, where: str | None = None) -> Any:
    """JSON as the standard says it (no NaN or Infinity), at most MAX_JSON_DEPTH deep.

    ``where`` names a line read on its own (JSON lines); otherwise the position is
    the line and column in the file."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as error:
        place = f"column {error.colno}" if where else f"line {error.lineno}, column {error.colno}"
        raise _Refused(f"{where + ', ' if where else ''}{place}: {error.msg}") from None
    except RecursionError:
        raise _Refused(_too_deep(where)) from None
    except _Refused as refused:  # NaN or Infinity (see _not_json)
        raise _Refused(f"{where}: {refused}" if where else str(refused)) from None
    except ValueError:
        # Python refuses to read an integer of more than 4,300 digits.
        raise _Refused(f"{where + ': ' if where else ''}a number has too many digits") from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise _Refused(_too_deep(where))
    return value


def _not_json(constant: str) -> Any:
    """Python's JSON reads NaN and Infinity, which JSON has not: refused."""
    raise _Refused(f"{constant} is not a JSON number (numbers must be finite)")


def _too_deep(where: str | None) -> str:
    lead = f"{where}: " if where else ""
    return f"{lead}the JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)"


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep (without recursion)."""
    if not isinstance(value, dict | list):
        return False
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _parse_json(text: str) -> ParsedFile:
    """Our document, its tasks read one at a time (see _StreamedJSON): what a big file
    costs is its text and the tasks made from it, never the whole parsed tree as well."""
    stream = _StreamedJSON(text)
    start = stream.skip(0)
    if text[start : start + 1] != "{":
        _check_document(_load_json(text))  # not an object: says what it is instead
    fields: dict[str, Any] = {}
    tasks: list[ImportedTask] = []
    for key, at in stream.members(start):
        if key == "tasks" and text[at : at + 1] == "[":
            # Made into tasks as they are read if the header came first (as we write
            # it); otherwise held, to be checked once the header is known.
            items = stream.array(at, depth=2)
            if _header_problem(fields) is None:
                version = fields["format_version"]
                tasks = [_json_task(item, f"task {n}", version) for n, item in enumerate(items, 1)]
                fields[key] = []
            else:
                fields[key] = list(items)
            stream.resume(stream.end)
        else:
            value, end = stream.value(at, depth=1)
            fields[key] = value
            stream.resume(end)
    stream.finish()
    _check_document(fields)
    if fields["tasks"]:  # held: the header came after the tasks
        version = fields["format_version"]
        tasks = [_json_task(item, f"task {n}", version) for n, item in _taken(fields["tasks"])]
    projects = _projects_listed(fields.get("projects", []))
    tasks, warnings = _blocks_within(tasks)
    return ParsedFile(Format.JSON, tuple(tasks), warnings=warnings, projects=projects)


def _projects_listed(value: Any) -> tuple[str, ...]:
    """Version 3's "projects": the paths, each checked, every level listed before it."""
    if not isinstance(value, list):
        raise _Refused('"projects" must be a list of paths')
    paths: list[str] = []
    for number, path in enumerate(value, 1):
        if not isinstance(path, str):
            raise _Refused(f"project {number}: must be a path such as 'Work/Q4'")
        paths.append(_project_path(f"project {number}", path))
    return tuple(paths)


def _project_path(where: str, path: str) -> str:
    """A project's path as a file gives it, checked and written as we write paths."""
    try:
        return PATH_SEPARATOR.join(split_project_path(path))
    except ValueError as error:
        raise _Refused(f"{where}: {error}") from None


def _header_problem(document: Any) -> str | None:
    """Why a document is not a TaskFlow export this TaskFlow reads, or None."""
    if not isinstance(document, dict) or document.get("format") != FORMAT_MARKER:
        return (
            f'not a TaskFlow export (expected an object with "format": "{FORMAT_MARKER}"; '
            "for Taskwarrior's export use --format taskwarrior)"
        )
    found = document.get("format_version")
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        return '"format_version" must be a positive whole number'
    if found > FORMAT_VERSION:
        return (
            f"written by a newer TaskFlow (format version {found}; this one reads "
            f"up to {FORMAT_VERSION}); upgrade TaskFlow to import it"
        )
    return None


def _check_document(document: Any) -> None:
    problem = _header_problem(document)
    if problem is not None:
        raise _Refused(problem)
    known = {"format", "format_version", "tasks"}
    if document["format_version"] >= STRUCTURE_VERSION:
        known.add("projects")
    unknown = set(document) - known
    if unknown:
        raise _Refused(f"unknown top-level field(s): {', '.join(sorted(unknown))}")
    if not isinstance(document.get("tasks"), list):
        raise _Refused('"tasks" must be a list')


class _StreamedJSON:
    """One JSON text read a piece at a time: an object's members, an array's items, each
    value whole (json's own decoder, with its errors and positions), so that a caller
    can turn each item into what it needs and let the parsed item go. The same limits
    as _load_json: no NaN or Infinity, at most MAX_JSON_DEPTH deep, numbers Python reads."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = 0
        self._next = 0
        self._decoder = json.JSONDecoder(parse_constant=_not_json)

    def skip(self, position: int) -> int:
        match = _JSON_SPACE.match(self.text, position)
        return match.end() if match else position

    def fail(self, message: str, position: int) -> NoReturn:
        error = json.JSONDecodeError(message, self.text, position)
        raise _Refused(f"line {error.lineno}, column {error.colno}: {error.msg}")

    def value(self, position: int, *, depth: int) -> tuple[Any, int]:
        """The value at ``position``, nested ``depth`` deep in the text, and where it ends."""
        try:
            value, end = self._decoder.raw_decode(self.text, position)
        except json.JSONDecodeError as error:
            self.fail(error.msg, error.pos)
        except RecursionError:
            raise _Refused(_too_deep(None)) from None
        except ValueError:
            raise _Refused("a number has too many digits") from None
        if _deeper_than(value, MAX_JSON_DEPTH - depth):
            raise _Refused(_too_deep(None))
        return value, end

    def resume(self, position: int) -> None:
        """Where the members (see ``members``) go on: after the value just read."""
        self._next = position

    def members(self, position: int) -> Iterator[tuple[str, int]]:
        """Each member of the object at ``position``: its key and where its value starts.
        The caller reads the value and says where it ended (``resume``)."""
        text = self.text
        position = self.skip(position + 1)
        if text[position : position + 1] == "}":
            self.end = position + 1
            return
        while True:
            if text[position : position + 1] != '"':
                self.fail("Expecting property name enclosed in double quotes", position)
            try:
                key, position = _scan_string(text, position + 1)
            except json.JSONDecodeError as error:
                self.fail(error.msg, error.pos)
            position = self.skip(position)
            if text[position : position + 1] != ":":
                self.fail("Expecting ':' delimiter", position)
            yield key, self.skip(position + 1)
            position = self.skip(self._next)
            mark = text[position : position + 1]
            if mark == "}":
                self.end = position + 1
                return
            if mark != ",":
                self.fail("Expecting ',' delimiter", position)
            position = self.skip(position + 1)

    def array(self, position: int, *, depth: int) -> Iterator[Any]:
        """Each item of the array at ``position`` (itself ``depth`` deep), read in turn;
        afterwards ``end`` is where the array ends."""
        text = self.text
        position = self.skip(position + 1)
        if text[position : position + 1] == "]":
            self.end = position + 1
            return
        while True:
            item, position = self.value(position, depth=depth + 1)
            yield item
            position = self.skip(position)
            mark = text[position : position + 1]
            if mark == "]":
                self.end = position + 1
                return
            if mark != ",":
                self.fail("Expecting ',' delimiter", position)
            position = self.skip(position + 1)

    def finish(self) -> None:
        """Nothing but white space may follow the value just read."""
        position = self.skip(self.end)
        if position != len(self.text):
            self.fail("Extra data", position)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _taken(items: list[Any]) -> Iterator[tuple[int, Any]]:
    """Each item with its number from 1, let go of in the list as it is handed out: the
    parsed JSON of a big file is freed task by task while the tasks are made from it,
    instead of both being held whole at once."""
    for index in range(len(items)):
        item, items[index] = items[index], None
        yield index + 1, item


def _json_task(item: Any, where: str, version: int = FORMAT_VERSION) -> ImportedTask:
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    missing = [key for key in _REQUIRED_TASK_KEYS if key not in item]
    if missing:
        raise _Refused(f"{where}: missing field(s) {', '.join(missing)}")
    structured = version >= STRUCTURE_VERSION
    repeating = version >= REPEAT_VERSION
    allowed = _TASK_KEYS | _TASK_PLANNING_KEYS | (_TASK_STRUCTURE_KEYS if structured else set())
    allowed |= _TASK_SERIES_KEYS if repeating else set()
    unknown = set(item) - allowed - {"events"}
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
            _json_event(event, f"{where}, event {n}", n - 1, version)
            for n, event in enumerate(item["events"], 1)
        )
        _check_history(where, events)
    due = _due(where, item.get("due"))
    placed = _json_structure(where, item) if structured else {}
    if repeating:
        series = _json_series(where, item, task_id, due)
        placed = {**placed, **series, "carries": placed.get("carries", frozenset()) | ALL_SERIES}
    return ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=_boolean(where, "completed", item["completed"]),
        created_at=_parse_moment(where, "created_at", item["created_at"]),
        updated_at=_parse_moment(where, "updated_at", item["updated_at"]),
        version=_version(where, item.get("version", 1)),
        due=due,
        priority=_priority(where, item.get("priority")),
        tags=_tags(where, item.get("tags", [])),
        position=_position(where, item.get("position")),
        events=events,
        where=where,
        **placed,
    )


def _json_structure(where: str, item: dict[str, Any]) -> dict[str, Any]:
    """Version 3's project path, parent id and blockers of one task."""
    project = item.get("project")
    if project is not None:
        if not isinstance(project, str):
            raise _Refused(f"{where}: project must be a path such as 'Work/Q4', or null")
        project = _project_path(where, project)
    parent = item.get("parent_id")
    if parent is not None:
        parent = _check_id(f"{where}, parent_id", parent)
    blockers = item.get("blocked_by", [])
    if not isinstance(blockers, list):
        raise _Refused(f"{where}: blocked_by must be a list of task ids")
    return {
        "carries": ALL_STRUCTURE,
        "project": project,
        "parent_id": parent,
        "blocked_by": tuple(
            sorted({_check_id(f"{where}, blocked_by", blocker) for blocker in blockers})
        ),
    }


def _json_series(where: str, item: dict[str, Any], task_id: str, due: Due | None) -> dict[str, Any]:
    """Version 4's repeat, series id and occurrence of one task. A repeat names its
    series as the task does (a file that says two things is refused); a task that
    repeats without a series is the first of its own."""
    series_id = item.get("series_id")
    if series_id is not None:
        series_id = _check_id(f"{where}, series_id", series_id)
    occurrence = _occurrence(where, item.get("occurrence"))
    if (series_id is None) != (occurrence is None):
        raise _Refused(f"{where}: series_id and occurrence go together (both set, or both null)")
    found: dict[str, Any] = {"series_id": series_id, "occurrence": occurrence}
    value = item.get("repeat")
    if value is None:
        return found
    if not isinstance(value, dict):
        raise _Refused(f"{where}: repeat must be an object with rule, mode and start, or null")
    unknown = set(value) - _REPEAT_KEYS
    if unknown:
        raise _Refused(f"{where}: unknown field(s) in repeat: {', '.join(sorted(unknown))}")
    if due is None:
        raise _Refused(f"{where}: a task that repeats needs a due date")
    repeat, given = _repeat_of(where, value.get("rule"), value.get("mode"), value.get("start"), due)
    named = value.get("series_id")
    if named is not None:
        named = _check_id(f"{where}, repeat's series_id", named)
        if named != (series_id or task_id):
            raise _Refused(
                f"{where}: the repeat names the series {named[:40]}, the task "
                f"{(series_id or task_id)[:40]}"
            )
    if series_id is None:
        found.update(series_id=named or task_id, occurrence=1)
    found.update(repeat=repeat, repeat_start_given=given)
    return found


def _repeat_of(
    where: str, rule: Any, mode: Any, start: Any, due: Due | None
) -> tuple[Repeat, bool]:
    """A repeat from its rule (an RRULE), mode ('schedule' when not given) and start
    ('YYYY-MM-DD'; when not given the due's day, the import settles it: see
    ImportedTask.repeat_start_given), and whether the start was given."""
    if not isinstance(rule, str) or not rule.strip():
        raise _Refused(f"{where}: a repeat needs its rule, an RRULE such as 'FREQ=WEEKLY;BYDAY=MO'")
    if len(rule) > MAX_RULE_LENGTH:
        raise _Refused(f"{where}: a repeat rule is at most {MAX_RULE_LENGTH} characters")
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        mode = RepeatMode.SCHEDULE.value
    if not isinstance(mode, str):
        raise _Refused(f"{where}: a repeat's mode is 'schedule' or 'completion'")
    given = start is not None and not (isinstance(start, str) and not start.strip())
    if given:
        day = _day(where, "the repeat's start", start)
    else:
        day = due.day if due is not None else _NO_START
    try:
        return Repeat.of(rule, mode.strip().lower(), day), given
    except ValueError as error:
        raise _Refused(f"{where}: repeat: {str(error).rstrip('.')}") from None


# The longest rule a file may give (the longest TaskFlow writes is well under it): one
# that is not read is quoted whole in the refusal.
MAX_RULE_LENGTH = 300
# What a repeat without a start holds until the import settles it (see _repeat_of).
_NO_START = date(2000, 1, 1)


def _day(where: str, what: str, value: Any) -> date:
    """A calendar day, 'YYYY-MM-DD'."""
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise ValueError
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise _Refused(f"{where}: {what} {_shown(value)} is not a date as YYYY-MM-DD") from None
    return _kept_day(where, what, day)


def _occurrence(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OCCURRENCE:
        raise _Refused(
            f"{where}: occurrence must be a whole number from 1 to {MAX_OCCURRENCE:,}, or null"
        )
    return value


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
        due = Due(date.fromisoformat(match[1]), time.fromisoformat(match[2]) if match[2] else None)
    except ValueError:
        raise _Refused(
            f"{where}: due {_shown(value)} is not a date as YYYY-MM-DD, "
            "optionally with a time as HH:MM"
        ) from None
    _kept_day(where, "due", due.day)
    return due


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
    raise _Refused(f"{where}: priority {_shown(value, 20)} is not none, low, medium or high")


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
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(f"{where}: position must be a number")
    problem = number_problem(value, largest=MAX_POSITION)
    if problem is not None:
        raise _Refused(f"{where}: position {_shown(value, 20)} {problem}")
    return float(value)


def _boolean(where: str, what: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"{where}: {what} must be true or false")
    return value


def _version(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_VERSION:
        raise _Refused(f"{where}: version must be a whole number from 1 to {MAX_VERSION:,}")
    return value


def _json_event(
    item: Any, where: str, position: int, version: int = FORMAT_VERSION
) -> ImportedEvent:
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    if set(item) != _EVENT_KEYS:
        raise _Refused(f"{where}: must have exactly the fields {', '.join(sorted(_EVENT_KEYS))}")
    try:
        kind = EventKind(item["kind"])
    except (TypeError, ValueError):
        raise _Refused(f"{where}: unknown kind {_shown(item['kind'], 30)}") from None
    before = _json_snapshot(item["before"], f"{where}, before", version)
    after = _json_snapshot(item["after"], f"{where}, after", version)
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


def _check_history(where: str, events: Sequence[ImportedEvent]) -> None:
    """A history an undo can walk back: each change possible after the ones before it
    (no edit of a deleted task, no second creation), and ending with the task there,
    as the file has it. One that ends in 'deleted' would leave an undo that can only
    fail: restoring a task that is there."""
    exists: bool | None = None  # unknown until an event says (an adopted task has no 'created')
    for number, event in enumerate(events, 1):
        creates = event.kind in (EventKind.CREATED, EventKind.RESTORED)
        if exists is creates:  # a creation while there, or any other change while deleted
            state = "there" if exists else "deleted"
            raise _Refused(
                f"{where}, event {number}: a {event.kind.value!r} event while the task was {state}"
            )
        exists = event.kind is not EventKind.DELETED
    if exists is False:
        raise _Refused(f"{where}: its history ends with 'deleted', but the task is in the file")


def _set_or_null(needed: bool) -> str:
    return "set" if needed else "null"


def _json_snapshot(item: Any, where: str, version: int = FORMAT_VERSION) -> TaskSnapshot | None:
    if item is None:
        return None
    shapes = [_SNAPSHOT_KEYS, _SNAPSHOT_KEYS | _SNAPSHOT_PLANNING_KEYS]
    if version >= REPEAT_VERSION:
        shapes.append(_SNAPSHOT_KEYS | _SNAPSHOT_PLANNING_KEYS | _SNAPSHOT_SERIES_KEYS)
    if not isinstance(item, dict) or set(item) not in shapes:
        more = _SNAPSHOT_PLANNING_KEYS | (
            _SNAPSHOT_SERIES_KEYS if version >= REPEAT_VERSION else set()
        )
        raise _Refused(
            f"{where}: must be null or an object with {', '.join(sorted(_SNAPSHOT_KEYS))}"
            f" (and {', '.join(sorted(more))})"
        )
    # Every past state passes the rules a task's own fields do: an undo can put it back
    # (a title holding a terminal escape, say, would otherwise come in through history).
    title, description = _clean_text(where, item["title"], item["description"])
    return TaskSnapshot(
        title=title,
        description=description,
        completed=_boolean(where, "completed", item["completed"]),
        created_at=_parse_moment(where, "created_at", item["created_at"]),
        updated_at=_parse_moment(where, "updated_at", item["updated_at"]),
        version=_version(where, item["version"]),
        **_snapshot_planning(item, where),
        **_snapshot_series(item, where),
    )


def _snapshot_planning(item: dict[str, Any], where: str) -> dict[str, Any]:
    """Due, priority, tags and position of a snapshot that has them."""
    if "due" not in item:
        return {}
    return {
        "due": _due(where, item["due"]),
        "priority": _priority(where, item["priority"]),
        "tags": _tags(where, item["tags"]),
        "position": _position(where, item["position"]),
    }


def _snapshot_series(item: dict[str, Any], where: str) -> dict[str, Any]:
    """The repeat (as the log keeps it: rule, mode, start), series id and occurrence of
    a snapshot that has them."""
    if "repeat" not in item:
        return {}
    repeat = item["repeat"]
    if repeat is not None:
        if not isinstance(repeat, dict):
            raise _Refused(f"{where}: repeat must be an object with rule, mode and start, or null")
        if repeat.get("start") is None:
            raise _Refused(f"{where}: a logged repeat needs its start")
        repeat = _repeat_of(where, repeat.get("rule"), repeat.get("mode"), repeat["start"], None)[0]
    series_id = item["series_id"]
    if series_id is not None:
        series_id = _check_id(f"{where}, series_id", series_id)
    return {
        "repeat": repeat,
        "series_id": series_id,
        "occurrence": _occurrence(where, item["occurrence"]),
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
    "project",
    "parent_id",
    "repeat",
    "repeat_mode",
    "repeat_start",
    "series_id",
    "occurrence",
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
    "rrule": "repeat",
}
_TRUE = {"true", "yes", "y", "1", "x", "done", "completed"}
_FALSE = {"false", "no", "n", "0", "", "open", "pending"}


def _parse_ics(text: str) -> ParsedFile:
    """iCalendar: each VTODO a task, with its calendar object kept beside it (what
    TaskFlow does not map goes back out as it came: see store/ical.py). Its UID is the
    file's id; RELATED-TO names parents and blockers by UID."""
    from store.ical import read_calendar

    try:
        calendar = read_calendar(text)
    except FileFormatError as error:
        raise _Refused(str(error)) from None
    tasks: list[ImportedTask] = []
    warnings: list[str] = []
    for number, item in enumerate(calendar.objects, 1):
        todo = item.todo
        where = f"VTODO {number}"
        title, description = _clean_text(where, todo.title, todo.description)
        _check_id(where, todo.uid)
        carries = {"parent_id", "blocked_by", "repeat"}
        if todo.project is not None:
            carries.add("project_id")
        if todo.series_id is not None:
            carries.add("series_id")
        warnings.extend(f"{where} (“{title[:40]}”): {warning}" for warning in todo.warnings)
        tasks.append(
            ImportedTask(
                id=todo.uid,
                title=title,
                description=description,
                completed=todo.completed,
                created_at=_kept_moment(where, "CREATED", todo.created.isoformat(), todo.created)
                if todo.created
                else None,
                updated_at=_kept_moment(
                    where, "LAST-MODIFIED", todo.last_modified.isoformat(), todo.last_modified
                )
                if todo.last_modified
                else None,
                where=where,
                due=todo.due,
                priority=todo.priority,
                tags=todo.tags,
                carries=frozenset(carries),
                project=_project_path(where, todo.project) if todo.project else None,
                blocked_by=todo.depends_on,
                parent_id=todo.parent_uid,
                repeat=todo.repeat,
                series_id=todo.series_id,
                occurrence=todo.occurrence if todo.series_id else None,
                ical=item.text,
            )
        )
    skipped = tuple(
        SkippedEntry(where=kind, title=summary, reason=f"a {kind}, not a task")
        for kind, summary in calendar.skipped
    )
    # A task names itself as its blocker or parent: only in a broken file; left out.
    tasks = [
        replace(
            task,
            blocked_by=tuple(b for b in task.blocked_by if b != task.id),
            parent_id=None if task.parent_id == task.id else task.parent_id,
        )
        for task in tasks
    ]
    within, outside = _blocks_within(tasks)
    return ParsedFile(Format.ICS, tuple(within), skipped=skipped, warnings=(*warnings, *outside))


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
    if ("series_id" in columns) != ("occurrence" in columns):
        raise _Refused("line 1: the series_id and occurrence columns go together; give both")
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
    # Only the columns the file has say where its tasks are, and how they repeat.
    carries = frozenset(
        name
        for column, name in (
            ("project", "project_id"),
            ("parent_id", "parent_id"),
            ("repeat", "repeat"),
            ("series_id", "series_id"),
        )
        if column in columns
    )
    tasks = [replace(task, carries=carries) for task in tasks] if carries else tasks
    tasks, blocks_warnings = _blocks_within(tasks)
    return ParsedFile(Format.CSV, tuple(tasks), warnings=warnings + blocks_warnings)


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
    due = _due(where, row.get("due", ""))
    return ImportedTask(
        id=task_id,
        title=title,
        description=description,
        completed=completed_text in _TRUE,
        created_at=created,
        updated_at=updated,
        due=due,
        priority=_priority(where, row.get("priority", "").strip()),
        # Written space-separated; a spreadsheet user may well type commas too.
        tags=_tags(where, row.get("tags", "").replace(",", " ").split()),
        where=where,
        project=_csv_project(where, row.get("project", "")),
        parent_id=_check_id(f"{where}, parent_id", parent)
        if (parent := row.get("parent_id", "").strip())
        else None,
        **_csv_series(row, where, due),
    )


def _csv_series(row: dict[str, str], where: str, due: Due | None) -> dict[str, Any]:
    """The repeat (an RRULE, its mode and start) and place in a series of one row. A mode
    or start without a rule says nothing (a spreadsheet fills a column down)."""
    found: dict[str, Any] = {}
    rule = row.get("repeat", "").strip()
    if rule:
        start = row.get("repeat_start", "").strip() or None
        repeat, given = _repeat_of(where, rule, row.get("repeat_mode", ""), start, due)
        found.update(repeat=repeat, repeat_start_given=given)
    series_id = row.get("series_id", "").strip()
    number = row.get("occurrence", "").strip()
    if bool(series_id) != bool(number):
        raise _Refused(f"{where}: series_id and occurrence go together (both set, or both empty)")
    if series_id:
        if not (number.isascii() and number.isdigit()):
            raise _Refused(f"{where}: occurrence {number[:20]!r} is not a whole number")
        found.update(
            series_id=_check_id(f"{where}, series_id", series_id),
            occurrence=_occurrence(where, int(number[:12])),
        )
    return found


def _csv_project(where: str, value: str) -> str | None:
    """A project's path ('Work/Q4'; empty: the Inbox)."""
    return _project_path(where, value) if value.strip() else None


# -- todo.txt -----------------------------------------------------------------------------------

# http://todotxt.org: "x " and a completion date for done tasks, "(A) " for a priority,
# then an optional creation date, then the text with its +projects and @contexts.
_TODO_DONE = re.compile(r"x (?:(?P<done>\d{4}-\d{2}-\d{2})(?: |$))?")
_TODO_PRIORITY = re.compile(r"\((?P<priority>[A-Z])\) ")
_TODO_DATE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?: |$)")


def _parse_todotxt(text: str) -> ParsedFile:
    tasks: list[ImportedTask] = []
    warnings: list[str] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tasks.append(_todotxt_task(line, f"line {number}", occurrences, warnings))
    return ParsedFile(Format.TODOTXT, tuple(tasks), warnings=tuple(warnings))


def _todotxt_task(
    line: str,
    where: str,
    occurrences: Counter[tuple[str, str]],
    warnings: list[str] | None = None,
) -> ImportedTask:
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
    words, tags, keys = _todotxt_words(where, rest, warnings if warnings is not None else [])
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
    due: Due | None = keys.get("due")
    carries = {"project_id"} if "project" in keys else set()
    # An open line's rec: is its repeat (counted from its due, or from the import's day
    # without one); a line without one says nothing of it. A done line's rec: is not
    # kept: done, a task repeats no more (the import drops the repeat of one it
    # completes), and todo.txt tools write the next occurrence as a line of its own.
    repeat: Repeat | None = None
    if "repeat" in keys and not completed:
        carries.add("repeat")
        rule, mode = keys["repeat"]
        repeat = Repeat(rule, mode, due.day if due is not None else _NO_START)
    return ImportedTask(
        id=content_id(Format.TODOTXT, created_key, key_text, occurrences[(created_key, key_text)]),
        title=title,
        description="",
        completed=completed,
        created_at=datetime.combine(creation, DATE_ONLY_TIME) if creation else None,
        # Only a completion date says when a line last changed; without one the
        # file cannot claim to be newer than what is already here.
        updated_at=datetime.combine(completion, DATE_ONLY_TIME) if completion else None,
        due=due,
        priority=priority,
        tags=tags,
        where=where,
        # A line without a +project says nothing of where the task is: it stays put.
        carries=frozenset(carries),
        project=keys.get("project"),
        repeat=repeat,
        repeat_start_given=False,
    )


# (A) is the most urgent in todo.txt; our three priorities take its first three letters.
_TODO_PRIORITIES = {"A": Priority.HIGH, "B": Priority.MEDIUM, "C": Priority.LOW}
_TODO_LETTERS = {priority: letter for letter, priority in _TODO_PRIORITIES.items()}
_TODO_DUE = re.compile(r"due:(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_TODO_PRI = re.compile(r"pri:([A-Z])")
# rec: as todo.txt tools write it (todo.txt-cli's dorecur, topydo, SwiftoDo): "rec:1w" is
# a week after completion, "rec:+1w" a week after the due date (on schedule). Units:
# d(ays), b(usiness days: only 1b, every weekday, is a rule of ours), w, m, y; none: days.
_TODO_REC = re.compile(r"rec:(\+?)(\d{1,6})([dbwmy]?)", re.IGNORECASE)
# TaskFlow's own key for a rule rec: cannot say ("every Monday and Thursday"): the RRULE,
# after a '!' when it counts from completion.
_TODO_RRULE = re.compile(r"rrule:(!?)(\S+)", re.IGNORECASE)
_REC_UNITS = {"d": "DAILY", "w": "WEEKLY", "m": "MONTHLY", "y": "YEARLY"}
_WORKING_DAYS = tuple((0, weekday) for weekday in range(5))
_EVERY_WORKING_DAY = Rule("WEEKLY", by_day=_WORKING_DAYS)


def _every_working_day(rule: Rule) -> bool:
    """Monday to Friday, every week: what rec:1b says."""
    days = tuple(sorted(rule.by_day))
    return rule.freq in ("DAILY", "WEEKLY") and replace(rule, freq="WEEKLY", by_day=days) == (
        _EVERY_WORKING_DAY
    )


def _todotxt_repeat(word: str) -> tuple[Rule, RepeatMode] | str | None:
    """A rec: or rrule: word's rule and mode; why it is not one of ours (a text); or None
    for a word that is neither."""
    if match := _TODO_REC.fullmatch(word):
        strict, amount, unit = match[1], int(match[2]), (match[3] or "d").lower()
        mode = RepeatMode.SCHEDULE if strict else RepeatMode.COMPLETION
        if unit == "b":
            if amount != 1:
                return "TaskFlow repeats every weekday (rec:1b), not every few of them"
            return _EVERY_WORKING_DAY, mode
        if not 1 <= amount <= MAX_INTERVAL:
            return f"an interval is from 1 to {MAX_INTERVAL:,}"
        return Rule(_REC_UNITS[unit], interval=amount), mode
    if match := _TODO_RRULE.fullmatch(word):
        mode = RepeatMode.COMPLETION if match[1] else RepeatMode.SCHEDULE
        if len(match[2]) > MAX_RULE_LENGTH:
            return f"a repeat rule is at most {MAX_RULE_LENGTH} characters"
        try:
            return Repeat.of(match[2], mode, _NO_START).rule, mode
        except ValueError as error:
            return str(error).rstrip(".")
    if word.lower().startswith("rec:"):
        return "rec: is a number and a unit: d, b, w, m or y, '+' in front for on schedule"
    return None


def _todotxt_words(
    where: str, text: str, warnings: list[str]
) -> tuple[list[str], tuple[str, ...], dict[str, Any]]:
    """The title's words, the tags (@contexts, and +projects after the first), and the
    keys: due:, pri:, "project" for the first +project that is a path of ours, and
    "repeat" (rule and mode) for a rec: or rrule: that is a rule of ours. One that is
    not stays a word of the title, with a warning."""
    words: list[str] = []
    tags: list[str] = []
    keys: dict[str, Any] = {}
    for word in text.split():
        if word.startswith("+") and "project" not in keys:
            # As quick add reads +Work/Q4: a letter first, so '+1' stays what it was.
            path = project_word(word)
            if path is not None:
                keys["project"] = path
                continue
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
        repeat = _todotxt_repeat(word)
        if isinstance(repeat, tuple):
            keys["repeat"] = repeat
            continue
        if repeat is not None:
            warnings.append(
                f"{where}: {word[:40]!r} is not a repeat TaskFlow keeps ({repeat}); "
                "it stays in the title"
            )
        words.append(word)
    return words, clean_tags(tags), keys


def _todo_date(where: str, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{where}: {text} is not a real date") from None
    # Kept as noon UTC of the day (or a due day): the same range either way.
    return _kept_day(where, "the date", day)


# -- Taskwarrior --------------------------------------------------------------------------------

_TW_STATUSES = {"pending", "waiting", "completed", "deleted", "recurring"}
# Attributes with no TaskFlow field: kept, readable, at the end of the description.
# Project, tags, priority and due have fields; what of them cannot be one (a custom
# priority, a tag name we cannot hold) is kept there too, so nothing is lost.
_TW_KEPT = ("project", "tags", "priority", "scheduled", "wait", "until", "recur", "depends")
_TW_DATES = {"due", "scheduled", "wait", "until"}
_TW_STAMP = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z", re.ASCII)
# Taskwarrior's own priorities; a user-defined one (priority UDA) has no equivalent.
_TW_PRIORITIES = {"H": Priority.HIGH, "M": Priority.MEDIUM, "L": Priority.LOW}


def _parse_taskwarrior(text: str) -> ParsedFile:
    """``task export``: a JSON array (Taskwarrior 2.4+) or one object a line (older).
    Each task is made as it is read, so the parsed JSON is never held whole; a recurring
    task's template and occurrences are held until the file is read, then made one
    series (see _tw_series). The tasks stay in the file's order."""
    made: list[tuple[int, ImportedTask | SkippedEntry]] = []
    series: dict[str, _TwSeries] = {}
    ended: set[str] = set()  # recurring tasks deleted in Taskwarrior: no series goes on
    for index, (where, item) in enumerate(_taskwarrior_records(text)):
        task_id, status = _tw_identity(item, where)
        parent = _tw_parent(item, f"{where} ({task_id})")
        if status == "recurring":
            series.setdefault(task_id, _TwSeries(task_id)).template = (index, where, item)
        elif parent is not None:
            series.setdefault(parent, _TwSeries(parent)).members.append((index, where, item))
        else:
            if status == "deleted" and "recur" in item:
                ended.add(task_id)
            made.append((index, _taskwarrior_task(item, where)))
    warnings: list[str] = []
    for group in series.values():
        made.extend(_tw_series(group, warnings, ended=group.series_id in ended))
    made.sort(key=lambda entry: entry[0])
    tasks = [entry for _, entry in made if isinstance(entry, ImportedTask)]
    skipped = [entry for _, entry in made if isinstance(entry, SkippedEntry)]
    tasks, block_warnings = _blocks_within(tasks)
    return ParsedFile(
        Format.TASKWARRIOR, tuple(tasks), tuple(skipped), (*warnings, *block_warnings)
    )


# One record of ``task export``: its place in the file, where it is (for messages), itself.
_TwRecord = tuple[int, str, dict[str, Any]]


@dataclass
class _TwSeries:
    """A Taskwarrior recurring task: its template (status "recurring", with recur, due,
    maybe until, and mask: which occurrences it has made) and its occurrences (tasks
    whose "parent" is the template's uuid, each with "imask", its place in the mask)."""

    series_id: str  # the template's uuid: the series' id here too
    template: _TwRecord | None = None
    members: list[_TwRecord] = field(default_factory=list)


@dataclass(frozen=True)
class _TwPlace:
    """Where a Taskwarrior task goes in a series of ours."""

    series_id: str
    occurrence: int
    repeat: Repeat | None  # the open occurrence's; None for a past one
    due: Due | None = None  # the template made the open occurrence: its due


def _tw_series(
    group: _TwSeries, warnings: list[str], *, ended: bool
) -> list[tuple[int, ImportedTask | SkippedEntry]]:
    """One recurring task as one series of ours: its done occurrences the past ones, in
    due order; the pending one due soonest the open one, with the rule. The later
    pending ones are not imported (TaskFlow makes each next one when the one before is
    done), nor is the template itself, except as the open occurrence when there is no
    pending one. A recur TaskFlow has no rule for leaves every occurrence a task of its
    own (and the template, when it has none), with a warning."""
    template = group.template
    index, where, item = template or group.members[0]
    where = f"{where} ({group.series_id if template else _tw_identity(item, where)[0]})"
    title = _clean_text(where, item["description"], "")[0]
    live = [m for m in group.members if m[2]["status"] != "deleted"]
    made: list[tuple[int, ImportedTask | SkippedEntry]] = [
        (i, _taskwarrior_task(record, w))
        for i, w, record in group.members
        if record["status"] == "deleted"
    ]
    rule, why = _tw_rule(where, item)
    start = _tw_start(where, item if template else None, group.members)
    if ended or rule is None or start is None:
        if not ended:
            why = why or "it has no due date"
            warnings.append(
                f"{where} “{title}” recurs {_shown(item.get('recur'), 30)}, which TaskFlow "
                f"cannot repeat ({why}): its occurrences are imported as tasks of their own"
            )
        made += [(i, _taskwarrior_task(record, w)) for i, w, record in live]
        if template is not None:
            made.append((index, _taskwarrior_task(item, template[1], as_task=not live)))
        return made
    mode = RepeatMode.COMPLETION if item.get("rtype") == "chained" else RepeatMode.SCHEDULE
    repeat = Repeat(rule, mode, start.day)
    done = sorted((m for m in live if m[2]["status"] == "completed"), key=_tw_order)
    pending = sorted((m for m in live if m[2]["status"] != "completed"), key=_tw_order)
    for number, (i, w, record) in enumerate(done, 1):
        made.append((i, _taskwarrior_task(record, w, _TwPlace(group.series_id, number, None))))
    opened = len(done) + 1
    if pending:
        (i, w, record), *later = pending
        made.append((i, _taskwarrior_task(record, w, _TwPlace(group.series_id, opened, repeat))))
        for i, w, record in later:
            task_id = _tw_identity(record, w)[0]
            made.append((i, SkippedEntry(f"{w} ({task_id})", title, "later occurrence", task_id)))
        if later:
            warnings.append(
                f"{where} “{title}”: {len(later)} later pending occurrence"
                f"{'s are' if len(later) > 1 else ' is'} not imported: TaskFlow makes each "
                "next one when the one before is done"
            )
    if template is not None:
        due = None if pending else _tw_next_due(where, repeat, start, group.members)
        if due is not None:
            place = _TwPlace(group.series_id, opened, repeat, due)
            made.append((index, _taskwarrior_task(item, template[1], place)))
        else:
            made.append((index, _taskwarrior_task(item, template[1])))
            if not pending:
                warnings.append(f"{where} “{title}”: its rule has no date left; nothing is open")
        mask = item.get("mask")
        if isinstance(mask, str) and len(mask) > len(group.members):
            warnings.append(
                f"{where} “{title}”: Taskwarrior's mask lists {len(mask)} occurrences, the "
                f"file holds {len(group.members)}; the mask is not imported (occurrences "
                "are numbered by those in the file)"
            )
    return made


def _tw_identity(item: Any, where: str) -> tuple[str, str]:
    """A record's uuid (in our form) and status, checked."""
    if not isinstance(item, dict):
        raise _Refused(f"{where}: must be an object")
    for key in ("uuid", "description", "status", "entry"):
        if key not in item:
            raise _Refused(f"{where}: missing {key!r}")
    try:
        if not isinstance(item["uuid"], str):
            raise ValueError
        task_id = str(uuid.UUID(item["uuid"]))
    except ValueError:
        raise _Refused(f"{where}: uuid {_shown(item['uuid'])} is not a UUID") from None
    status = item["status"]
    if not isinstance(status, str) or status not in _TW_STATUSES:
        raise _Refused(f"{where} ({task_id}): unknown status {_shown(status, 20)}")
    return task_id, status


def _tw_parent(item: dict[str, Any], where: str) -> str | None:
    """The uuid of the recurring task an occurrence was made from, if it is one."""
    parent = item.get("parent")
    if parent is None:
        return None
    try:
        if not isinstance(parent, str):
            raise ValueError
        return str(uuid.UUID(parent))
    except ValueError:
        raise _Refused(f"{where}: parent {_shown(parent)} is not a uuid") from None


def _tw_order(record: _TwRecord) -> tuple[datetime, float, int]:
    """Occurrences by due date, then by their place in the mask, then in the file."""
    index, where, item = record
    due = _tw_date(where, "due", item["due"]) if "due" in item else datetime.max.replace(tzinfo=UTC)
    try:
        place = float(item.get("imask", "inf"))
    except (TypeError, ValueError):
        place = float("inf")
    return due, place, index


def _tw_start(
    where: str, template: dict[str, Any] | None, members: Sequence[_TwRecord]
) -> Due | None:
    """The day the rule counts from: the template's due (its first occurrence's), or
    without the template the earliest occurrence's."""
    if template is not None:
        return _tw_due(where, template["due"]) if "due" in template else None
    dated = [m for m in members if "due" in m[2]]
    if not dated:
        return None
    _, first_where, first = min(dated, key=_tw_order)
    return _tw_due(first_where, first["due"])


def _tw_next_due(
    where: str, repeat: Repeat, start: Due, members: Sequence[_TwRecord]
) -> Due | None:
    """When the template's next occurrence falls due, there being no pending one: its
    own due when it has made none, else the rule's next date after the last it made."""
    dated = [m for m in members if "due" in m[2]]
    if not dated:
        return start
    _, last_where, last = max(dated, key=_tw_order)
    after = _tw_due(last_where, last["due"]).day
    day = next(occurrences(repeat, after=after), None)
    if day is None or day_problem(day) is not None:
        return None
    return Due(day, start.at)


# Taskwarrior's named periods (src/recur.cpp, and its durations): frequency and interval.
_TW_NAMED_PERIODS = {
    "daily": ("DAILY", 1),
    "day": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "sennight": ("WEEKLY", 1),
    "biweekly": ("WEEKLY", 2),
    "fortnight": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "bimonthly": ("MONTHLY", 2),
    "quarterly": ("MONTHLY", 3),
    "semiannual": ("MONTHLY", 6),
    "annual": ("YEARLY", 1),
    "yearly": ("YEARLY", 1),
    "biannual": ("YEARLY", 2),
    "biyearly": ("YEARLY", 2),
}
# A number and a unit: '3d', '2wks', '2 weeks', '6mo', '1q', '1y', ISO 8601's 'P1W'. In a
# recur a lone 'm' is months (Taskwarrior's own reading there); hours and less have no
# rule of ours.
_TW_PERIOD = re.compile(r"(p?)(\d{1,6}) ?([a-z]+)")
_TW_UNITS = {
    **dict.fromkeys(("d", "day", "days"), ("DAILY", 1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), ("WEEKLY", 1)),
    **dict.fromkeys(
        ("m", "mo", "mos", "mth", "mths", "mnth", "mnths", "month", "months"), ("MONTHLY", 1)
    ),
    **dict.fromkeys(("q", "qtr", "qtrs", "qrtr", "qrtrs", "quarter", "quarters"), ("MONTHLY", 3)),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), ("YEARLY", 1)),
}


def _tw_rule(where: str, item: dict[str, Any]) -> tuple[Rule | None, str]:
    """The rule a template's recur (and until, as UNTIL) says, or None and why not."""
    recur = item.get("recur")
    if not isinstance(recur, str) or not recur.strip():
        return None, "it has no recur"
    text = " ".join(recur.lower().split())
    parts: list[str] = []
    if text == "weekdays":
        parts = ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"]
    elif text in _TW_NAMED_PERIODS:
        freq, interval = _TW_NAMED_PERIODS[text]
        parts = [f"FREQ={freq}", f"INTERVAL={interval}"]
    elif (match := _TW_PERIOD.fullmatch(text)) and (
        match[3] in _TW_UNITS and (not match[1] or match[3] in ("d", "w", "m", "y"))
    ):
        freq, times = _TW_UNITS[match[3]]
        parts = [f"FREQ={freq}", f"INTERVAL={int(match[2]) * times}"]
    else:
        return None, "no rule of TaskFlow's says it"
    if "until" in item:
        until = _tw_date(where, "until", item["until"]).astimezone().date()
        parts.append(f"UNTIL={until:%Y%m%d}")
    try:
        return Rule.parse(";".join(parts)), ""
    except ValueError as error:
        return None, str(error).rstrip(".")


def _blocks_within(tasks: list[ImportedTask]) -> tuple[list[ImportedTask], tuple[str, ...]]:
    """The tasks, each blocked only by tasks the import brings; a depended-on task
    that is not among them (not in the file, or deleted there) is reported, not
    invented."""
    brought = {task.id for task in tasks}
    warnings: list[str] = []
    kept: list[ImportedTask] = []
    for task in tasks:
        if task.parent_id is not None and task.parent_id not in brought:
            warnings.append(
                f"{task.where} “{task.title}” is a subtask of {task.parent_id}, which is not "
                "in the file: it is imported as a task of its own"
            )
            task = replace(task, parent_id=None)
        missing = [blocker for blocker in task.blocked_by if blocker not in brought]
        if missing:
            warnings.append(
                f"{task.where} “{task.title}” depends on {', '.join(missing)}, which is not "
                "imported (not in the file, or deleted there): that block is left out"
            )
            task = replace(task, blocked_by=tuple(b for b in task.blocked_by if b in brought))
        kept.append(task)
    return kept, tuple(warnings)


def _taskwarrior_records(text: str) -> Iterator[tuple[str, Any]]:
    stream = _StreamedJSON(text)
    start = stream.skip(0)
    if text[start : start + 1] == "[":
        for number, item in enumerate(stream.array(start, depth=1), 1):
            yield f"task {number}", item
        stream.finish()
        return
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip().rstrip(",")
        if line:
            # Each line under the same limits as a whole file (nesting, NaN, digits).
            yield f"line {number}", _load_json(line, f"line {number}")


def _taskwarrior_task(
    item: Any, where: str, place: _TwPlace | None = None, *, as_task: bool = False
) -> ImportedTask | SkippedEntry:
    """One record as a task, or as what is skipped and why. ``place``: its place in a
    series (see _tw_series); ``as_task``: a recurring template made a task of its own."""
    task_id, status = _tw_identity(item, where)
    where = f"{where} ({task_id})"
    annotations = item.get("annotations", [])
    if not isinstance(annotations, list):
        raise _Refused(f"{where}: annotations must be a list")
    notes = [
        _tw_annotation(note, f"{where}, annotation {n}") for n, note in enumerate(annotations, 1)
    ]
    planning, leftover = _tw_planning(where, item)
    planning.update(_tw_structure(where, leftover))
    if place is not None:
        # Said by the series' rule: not kept in the description.
        leftover.pop("recur", None)
        leftover.pop("until", None)
        planning.update(
            carries=planning["carries"] | ALL_SERIES,
            repeat=place.repeat,
            series_id=place.series_id,
            occurrence=place.occurrence,
        )
        if place.due is not None:
            planning["due"] = place.due
    kept = [_tw_attribute(where, key, leftover[key]) for key in _TW_KEPT if key in leftover]
    parts = ["\n".join(line for _, line in sorted(notes))] if notes else []
    if kept:
        parts.append("Taskwarrior: " + "; ".join(kept))
    title, description = _clean_text(where, item["description"], "\n\n".join(parts))
    if status == "deleted":
        return SkippedEntry(where, title, "deleted in Taskwarrior", task_id)
    if status == "recurring" and place is None and not as_task:
        # The template Taskwarrior makes each occurrence from: its rule is the series'.
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
    leftover = {key: _tw_value(where, key, item[key]) for key in _TW_KEPT if key in item}
    planning: dict[str, Any] = {}
    if "due" in item:
        planning["due"] = _tw_due(where, item["due"])
    priority = leftover.get("priority")
    if isinstance(priority, str) and priority.upper() in _TW_PRIORITIES:
        planning["priority"] = _TW_PRIORITIES[priority.upper()]
        del leftover["priority"]
    names: list[str] = []
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


def _tw_structure(where: str, leftover: dict[str, Any]) -> dict[str, Any]:
    """The project (dots are levels: 'Work.Q4' is Work/Q4) and the tasks it depends on,
    taken out of ``leftover``; a project no path of ours can hold ('a/b', a name past
    60 characters) stays there, for the description."""
    structure: dict[str, Any] = {"carries": frozenset({"project_id", "blocked_by"})}
    project = str(leftover.get("project", ""))
    if project and PATH_SEPARATOR not in project:  # in Taskwarrior a '/' is part of a name
        try:
            names = split_project_path(project.replace(".", PATH_SEPARATOR))
        except ValueError:
            pass
        else:
            structure["project"] = PATH_SEPARATOR.join(names)
            del leftover["project"]
    if "depends" in leftover:
        # Taskwarrior 2.6 writes an array of uuids; earlier ones one comma-separated text.
        raw = leftover["depends"]
        items = raw if isinstance(raw, list) else str(raw).split(",")
        blockers: list[str] = []
        for item in items:
            try:
                blockers.append(str(uuid.UUID(str(item).strip())))
            except ValueError:
                raise _Refused(f"{where}: depends names {_shown(item, 40)}, not a uuid") from None
        structure["blocked_by"] = tuple(sorted(set(blockers)))
        del leftover["depends"]
    return structure


def _tw_value(where: str, key: str, value: Any) -> Any:
    """An attribute kept in the description: text, a number, or a list of those, as
    Taskwarrior writes them (anything else, such as an object, has no words to keep)."""
    scalar = str | int | float
    if isinstance(value, scalar) and not isinstance(value, bool):
        fine = not isinstance(value, int) or abs(value) < 10**40
    elif isinstance(value, list):
        fine = all(
            isinstance(v, str) or (isinstance(v, int | float) and abs(v) < 10**40) for v in value
        )
    else:
        fine = False
    if not fine:
        raise _Refused(f"{where}: {key} must be text or a list of text, not {_shown(value, 20)}")
    return value


def _tw_due(where: str, value: Any) -> Due:
    """Taskwarrior keeps a due moment in UTC; we keep the local day and time it means.

    'due:friday' is stored as local midnight and 'due:eod' as 23:59:59: both mean
    the day as a whole, so they become a day without a time. The zone is this
    process's own, as for every local time we show.
    """
    local = _tw_date(where, "due", value).astimezone()  # in range: safe in any zone
    _kept_day(where, "due", local.date())
    if local.time() in (time(0, 0), time(23, 59, 59)):
        return Due(local.date())
    return Due(local.date(), time(local.hour, local.minute))


def _tw_date(where: str, what: str, value: Any) -> datetime:
    """Taskwarrior's '20261120T093000Z' (UTC), or an ISO 8601 timestamp."""
    if isinstance(value, str) and (stamp := _TW_STAMP.fullmatch(value)):
        try:
            # By hand: strptime costs more than the rest of reading a task.
            year, month, day, hour, minute, second = map(int, stamp.groups())
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass  # digits that name no moment (month 13): as any other text
        else:
            return _kept_moment(where, what, value, moment)
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


def write_json(
    tasks: Iterable[tuple[TaskRecord, Sequence[EventRecord] | None]],
    out: TextIO,
    paths: Mapping[str, str] | None = None,
) -> int:
    """Our format, streamed; byte for byte what ``dumps`` gives for the whole document.
    ``paths``: each project's path by its id, in the tree's order (TaskStore.project_paths).

    No export time is written: the same tasks always give the same bytes, which is
    what lets an export -> import -> export round trip be checked with ``cmp``.
    """
    paths = paths or {}
    out.write(f'{{\n  "format": "{FORMAT_MARKER}",\n  "format_version": {FORMAT_VERSION},\n')
    out.write('  "projects": ' + dumps(list(paths.values()), depth=1) + ",\n")
    out.write('  "tasks": [')
    count = 0
    for task, events in tasks:
        item = task_json(task)
        # After where it is (format 4 added them): its repeat and place in its series.
        series = {name: item.pop(name) for name in SERIES_KEYS}
        # Where it is, as the file can say it: the project by its path.
        project = None if task.project_id is None else paths.get(task.project_id)
        if task.project_id is not None and project is None:
            raise FileFormatError(
                "A project was made while exporting; export again (nothing was written "
                "to a file: an export writes it only whole)."
            )
        item.update(place_json(task, project))
        item.update(series)
        if events is not None:
            item["events"] = events_json(events)
        out.write(",\n" if count else "\n")
        out.write("    " + dumps(item, depth=2))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def write_csv(
    tasks: Iterable[TaskRecord], out: TextIO, paths: Mapping[str, str] | None = None
) -> int:
    """RFC 4180 CSV with a header row; completed as true/false, times as in our JSON,
    due as a local day (and time), priority empty for none, tags separated by spaces,
    the project as its path (empty: the Inbox), the parent by its id; the repeat as its
    RRULE, mode and start (empty when it does not repeat), and its series' id and its
    number there (empty outside a series)."""
    paths = paths or {}
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
                paths.get(task.project_id, "") if task.project_id else "",
                task.parent_id or "",
                *_csv_repeat(task.repeat),
                task.series_id or "",
                "" if task.occurrence is None else str(task.occurrence),
            ]
        )
        count += 1
    return count


def _csv_repeat(repeat: Repeat | None) -> tuple[str, str, str]:
    if repeat is None:
        return "", "", ""
    return repeat.rule.text, repeat.mode.value, repeat.start.isoformat()


def write_todotxt(
    tasks: Iterable[TaskRecord], out: TextIO, paths: Mapping[str, str] | None = None
) -> int:
    """One line a task. Descriptions have no place in todo.txt and are left out.

    Dates are local calendar days, as the user sees them. A done task's completion
    date is the day it last changed (we keep no separate completion time).
    """
    count = 0
    paths = paths or {}
    for task in tasks:
        project = paths.get(task.project_id) if task.project_id is not None else None
        out.write(todotxt_line(task, project) + "\n")
        count += 1
    return count


def todotxt_line(task: TaskRecord, project: str | None = None) -> str:
    """'(A) 2026-11-20 Call mom +family due:2026-11-21', as todo.txt tools write it.

    The project is a +project (its path, spaces as '_': a todo.txt word has none),
    tags are @contexts; a due date is the common due: key, without its time (todo.txt
    has no place for one). A done task keeps its priority as a pri: key, since the
    leading (A) is not allowed there.
    """
    # A title from an older database may hold a line break; a line is one task.
    title = " ".join(task.title.split())
    created = task.created_at.astimezone().date().isoformat()
    letter = _TODO_LETTERS.get(task.priority, "")
    legacy = _TODO_PRIORITY.match(title)
    if not letter and legacy and not task.completed:
        # Imported before priorities were a field: "(B) Call mom" as the title.
        letter, title = legacy.group("priority"), title[legacy.end() :]
    extras = [f"+{project.replace(' ', '_')}"] if project else []
    extras += [f"@{tag}" for tag in task.tags]
    if task.due is not None:
        extras.append(f"due:{task.due.day.isoformat()}")
    if task.repeat is not None and not task.completed:
        extras.append(todotxt_repeat(task.repeat))
    if task.completed:
        finished = task.updated_at.astimezone().date().isoformat()
        if letter:
            extras.append(f"pri:{letter}")
        return " ".join(["x", finished, created, title, *extras])
    lead = [f"({letter})", created] if letter else [created]
    return " ".join([*lead, title, *extras])


def todotxt_repeat(repeat: Repeat) -> str:
    """A repeat as a todo.txt word: 'rec:+1w' (a week after the due date, on schedule),
    'rec:3d' (three days after completion), 'rec:+1b' (every weekday); a rule rec:
    cannot say (certain weekdays, the last Friday, an end) as TaskFlow's 'rrule:' key,
    'rrule:FREQ=WEEKLY;BYDAY=MO,TH', after a '!' when it counts from completion."""
    rule = repeat.rule
    schedule = repeat.mode is RepeatMode.SCHEDULE
    plain = Rule(rule.freq, interval=rule.interval)
    if rule == plain:
        unit = {freq: unit for unit, freq in _REC_UNITS.items()}[rule.freq]
        return f"rec:{'+' if schedule else ''}{rule.interval}{unit}"
    if _every_working_day(rule):
        return f"rec:{'+' if schedule else ''}1b"
    return f"rrule:{'' if schedule else '!'}{rule.text}"


def write_ics(
    tasks: Iterable[TaskRecord],
    out: TextIO,
    objects: Mapping[str, StoredObject],
    paths: Mapping[str, str] | None = None,
) -> int:
    """One VCALENDAR of the tasks' VTODOs (store/ical.py): a task read from iCalendar
    is written from its kept object, so what TaskFlow does not map goes back as it came.
    No export time is written: the same tasks give the same bytes (a round trip is
    byte-identical)."""
    from store.ical import TaskContext, calendar_file, object_text, uid_lookup

    paths = paths or {}
    uid_of = uid_lookup(objects)
    # CREATED has whole seconds: tasks made in one second are ordered by id, as a
    # database that read them from this file orders them, so the round trip is exact.
    tasks = sorted(tasks, key=lambda task: (task.created_at.replace(microsecond=0), task.id))
    texts = [
        object_text(
            task,
            TaskContext(uid_of, paths.get(task.project_id) if task.project_id else None),
            objects.get(task.id),
        )
        for task in tasks
    ]
    out.write(calendar_file(texts))
    return len(texts)
