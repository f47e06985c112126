"""TaskStore: every read and change of one owner's tasks, each change logged and undoable."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import heapq
import itertools
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import peewee

from store import migrate as migrations
from store.backend import Backend
from store.errors import (
    AmbiguousIdError,
    ConflictError,
    HealthCheckError,
    NotFoundError,
    NothingToUndoError,
    UndoBlockedError,
    UnreadableTaskError,
    ValidationError,
)
from store.migrate import DataLoss
from store.migrations import LATEST_VERSION, STEPS
from store.models import define_models, format_timestamp, parse_timestamp
from store.planning import ALL_DAY_SUFFIX, Due, Priority, clean_tags
from store.records import (
    EDITABLE_FIELDS,
    NO_DUE,
    UNREADABLE_MOMENT,
    ChangeSet,
    EventKind,
    EventRecord,
    HealthReport,
    MigrationReport,
    NewTask,
    Sort,
    Status,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    TaskSnapshot,
    UndoResult,
    title_key,
)
from store.transfer import UUID_TEXT, ImportedTask, ImportOutcome
from store.validation import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_PLACED_POSITION,
    MAX_POSITION,
    MAX_VERSION,
    clean_description,
    clean_title,
    day_problem,
    moment_problem,
    number_problem,
)

P = ParamSpec("P")
R = TypeVar("R")

# Ids looked up per query by an import: well under SQLite's oldest parameter limit (999).
IMPORT_LOOKUP_BATCH = 900
# Tasks an import writes per executemany: the rows being built cost one batch's memory.
IMPORT_WRITE_BATCH = 5000
# Substitute ids for imported tasks whose id another owner already uses here.
REASSIGNED_ID_NAMESPACE = uuid.UUID("0c8e5f7a-2b6d-4e19-8f3a-5d7c9b1e4a60")
# Up to this many search-index hits, a search reads the hits; past it, the list's index.
FEW_SEARCH_HITS = 2000
# Past this many changed tasks a running app reloads what it shows instead of row by row.
CHANGESET_LIMIT = 500
# Fields an import compares and writes (position is this database's own business).
IMPORTED_FIELDS = ("title", "description", "completed", "due", "priority", "tags")
# A substitute id that is itself taken gets a substitute of its own, this many times.
SUBSTITUTE_TRIES = 5
# What an id typed in any case may be the start of: UUID text (hex digits and dashes).
_HEX_TEXT = re.compile(r"[0-9a-fA-F-]+")
# The 'after' of an event that records an undo skipped (see TaskStore.skip_undo). The
# log's kinds are fixed by the schema, so a skip keeps the kind of the change it skips.
SKIP_MARKER = "undo_skipped"
# Why an import did not take an id as it was (ImportOutcome.reassigned_reasons).
REASON_OTHER_OWNER = "is another owner's id here"
REASON_IN_HISTORY = "is the id of a deleted task whose history is kept here"
REASON_NOT_UUID = "is not a UUID"


class _Keep:
    """The default of an optional field in update(): leave it as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


class _RollBack(Exception):
    """Raised inside a write transaction to undo it (a dry run), carrying the result."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__("dry run")
        self.outcome = outcome


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_task_id() -> str:
    """A random UUID for a new task (a module function so tests can make ids repeatable)."""
    return str(uuid.uuid4())


def _operation(
    method: Callable[Concatenate[TaskStore, P], R],
) -> Callable[Concatenate[TaskStore, P], R]:
    """Run a store method in a database session: connection ready, errors translated."""

    @functools.wraps(method)
    def wrapper(self: TaskStore, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._backend.session():
            return method(self, *args, **kwargs)

    return wrapper


class TaskStore:
    """One owner's view of one database. Thread-safe: each thread gets its own connection."""

    def __init__(
        self,
        backend: Backend,
        *,
        user: str,
        clock: Callable[[], datetime] = utc_now,
        migration: MigrationReport | None = None,
    ) -> None:
        self._backend = backend
        self._models = define_models(backend.db)
        self.user = user
        self._clock = clock
        self.migration = migration or MigrationReport(LATEST_VERSION, LATEST_VERSION)

    # -- the database itself ---------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The database file, or None for an in-memory database."""
        return self._backend.path

    def describe(self) -> str:
        return self._backend.describe()

    @property
    def read_only(self) -> bool:
        return self._backend.read_only

    @property
    def on_server(self) -> bool:
        """A database server (PostgreSQL) rather than a local file: every read is a
        network round trip, and the connection can drop."""
        return self._backend.dialect != "sqlite"

    @property
    def read_only_reason(self) -> str | None:
        return self._backend.read_only_reason

    def close(self) -> None:
        """Close this thread's connection. Safe to call more than once."""
        self._backend.close()

    def __enter__(self) -> TaskStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @_operation
    def schema_version(self) -> int:
        return migrations.read_state(self._backend).version

    @_operation
    def migrate(
        self, to: int | None = None, *, confirm: Callable[[DataLoss], bool] | None = None
    ) -> MigrationReport:
        """Move the schema up or down to version ``to`` (latest by default), backing up
        first. A step down that would drop data asks ``confirm`` with exactly what (a
        DataLoss: counts over every owner); without ``confirm`` it raises DataLossError."""
        report = migrations.migrate(
            self._backend, user=self.user, clock=self._clock, to=to, confirm=confirm
        )
        self.migration = report
        return report

    @_operation
    def health(self) -> HealthReport:
        """Connection settings, schema version and SQLite's quick_check, with what is wrong."""
        settings = self._backend.settings()
        version = migrations.read_state(self._backend).version
        quick_check = self._backend.quick_check()
        expected_mode = self._backend.expected_journal_mode()
        problems: list[str] = []
        if settings.journal_mode != expected_mode:
            problems.append(f"journal mode is {settings.journal_mode}, expected {expected_mode}")
        if not settings.foreign_keys:
            problems.append("foreign keys are not enforced")
        if version != LATEST_VERSION:
            problems.append(f"schema version is {version}, expected {LATEST_VERSION}")
        if quick_check != "ok":
            problems.append(f"quick_check: {quick_check}")
        return HealthReport(
            journal_mode=settings.journal_mode,
            foreign_keys=settings.foreign_keys,
            schema_version=version,
            latest_version=LATEST_VERSION,
            quick_check=quick_check,
            problems=tuple(problems),
        )

    def check_health(self) -> HealthReport:
        """The health report, or HealthCheckError naming every problem found."""
        report = self.health()
        if not report.ok:
            raise HealthCheckError(
                f"Health check of {self.describe()} failed: " + "; ".join(report.problems) + "."
            )
        return report

    @_operation
    def integrity_check(self) -> str:
        """SQLite's full integrity_check ('ok' when sound); reads the whole file."""
        return self._backend.integrity_check()

    @_operation
    def backup(self, target: Path | None = None) -> Path:
        """An online backup of the live database, beside it unless a target is given.

        A server's database is not copied (the backend says whose job that is)."""
        refusal = self._backend.backup_refusal()
        if refusal is not None:
            raise refusal
        if target is None:
            version = migrations.read_state(self._backend).version
            made = migrations.make_backup(self._backend, version, self._clock())
            if made is None:
                raise ValidationError("target", "An in-memory database has no file to back up.")
            return made
        self._backend.backup_to(target)
        return target

    def backups(self) -> list[Path]:
        return [] if self.path is None else migrations.list_backups(self.path)

    def data_version(self) -> int:
        """Changes when another connection commits; cheap enough to poll from a timer."""
        return self._backend.data_version()

    @contextlib.contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Several changes as one transaction: each is still logged (and undone) on its
        own, but if one fails (a conflict, a full disk) none of them is kept.

            with store.all_or_nothing():
                for task in tasks:
                    store.set_completed(task.id, True, expected_version=task.version)
        """
        with self._backend.session(), self._backend.write():
            yield

    # -- reading -------------------------------------------------------------------------

    @_operation
    def get(self, task_id: str) -> TaskRecord:
        return self._current(task_id)

    @_operation
    def get_many(self, task_ids: Iterable[str]) -> list[TaskRecord]:
        """Those of the given tasks that exist and belong to this owner (any order)."""
        Task = self._models.Task
        wanted = list(dict.fromkeys(task_ids))
        found: list[TaskRecord] = []
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            batch = wanted[start : start + 500]
            select = Task.select().where((Task.user == self.user) & Task.id.in_(batch))
            found.extend(self._records(select))
        return found

    @_operation
    def resolve_id(self, prefix: str) -> TaskRecord:
        """The task with exactly this id, else the one whose id starts with ``prefix`` (as
        git does with hashes).

        Case counts: 'ABC' never names a task 'abc'. Only UUID text (hex digits and
        dashes) may be typed in either case, and then only for ids that are UUIDs, which
        we write in lower case: '6F1D' finds '6f1d8a52-…'. An id adopted from the earlier
        service ('Émile', 'ABC') matches exactly as it is written.
        """
        Task = self._models.Task
        given = _given_id(prefix)
        for candidate in dict.fromkeys((given, given.lower())):
            row = Task.get_or_none((Task.id == candidate) & (Task.user == self.user))
            if row is not None and (candidate == given or UUID_TEXT.fullmatch(candidate)):
                return self._records([row])[0]
        starting = Task.select(Task.id).where((Task.user == self.user) & Task.id.startswith(given))
        found = _ids_named(given, (task_id for (task_id,) in starting.tuples()))
        if not found:
            raise NotFoundError(f"No task with an id starting {given!r}.")
        if len(found) > 1:
            rows = Task.select().where((Task.user == self.user) & Task.id.in_(found[:10]))
            candidates = sorted(self._records(rows), key=lambda c: (c.created_at, c.id))
            listed = ", ".join(f"{c.id[:12]} ({c.title[:30]})" for c in candidates)
            how_many = "more than 10" if len(found) > 10 else str(len(found))
            raise AmbiguousIdError(
                f"The id {given!r} matches {how_many} tasks: {listed}. Give more characters.",
                candidates,
            )
        return self._current(found[0])

    @_operation
    def list_tasks(
        self,
        query: TaskQuery = TaskQuery(),
        *,
        limit: int | None = None,
        offset: int = 0,
        after: TaskRecord | None = None,
        before: TaskRecord | None = None,
        from_end: bool = False,
    ) -> list[TaskRecord]:
        """Tasks matching ``query`` in its order; page with ``limit`` and ``offset``,
        or by keyset: the rows right ``after`` (or right ``before``) a given task;
        ``from_end`` gives the last ``limit`` rows (still in the list's order).

        Keyset pages walk the index that matches the sort from the given row, so
        they cost the same however deep in the list they are.
        """
        select = self._filtered(query)
        order = self._sort_keys(query.sort)
        backwards = before is not None or from_end
        if after is not None:
            select = select.where(_beyond(order, self._sort_values(query.sort, after), 1))
        if before is not None:
            select = select.where(_beyond(order, self._sort_values(query.sort, before), -1))
        select = select.order_by(
            *(column.desc() if desc != backwards else column.asc() for column, desc in order)
        )
        if limit is not None:
            select = select.limit(limit)
        if offset:
            select = select.offset(offset)
        records = self._records(select)
        return records[::-1] if backwards else records

    @_operation
    def position_of(self, task_id: str, query: TaskQuery = TaskQuery()) -> int | None:
        """How many tasks come before this one in ``query``'s order (None if not listed).

        Answered by counting index entries before the task's key, so a window can
        find where a task is without loading what precedes it.
        """
        row = self._models.Task.get_or_none(
            (self._models.Task.id == task_id) & (self._models.Task.user == self.user)
        )
        if row is None:
            return None
        task = self._records([row])[0]
        if not query.matches(task):
            return None
        order = self._sort_keys(query.sort)
        earlier = _beyond(order, self._sort_values(query.sort, task), -1)
        return int(self._filtered(query, counting=True).where(earlier).count())

    @_operation
    def locate(self, query: TaskQuery, task_id: str | None) -> tuple[int, int | None]:
        """How many tasks ``query`` lists, and where task ``task_id`` is among them.

        What a window needs to open on a new list with the cursor kept on its task.
        For a search both come from one pass over the hits, which is the costly part.
        """
        row = None
        if task_id is not None:
            Task = self._models.Task
            row = Task.get_or_none((Task.id == task_id) & (Task.user == self.user))
        task = self._records([row])[0] if row is not None else None
        if task is None or not query.matches(task):
            return self.count(query), None
        if not query.terms:
            return self.count(query), self.position_of(task.id, query)
        order = self._sort_keys(query.sort)
        earlier = _beyond(order, self._sort_values(query.sort, task), -1)
        Task = self._models.Task
        total, before = (
            self._filtered(query, counting=True)
            .select(
                peewee.fn.COUNT(Task.id),
                peewee.fn.SUM(peewee.Case(None, [(earlier, 1)], 0)),
            )
            .tuples()
            .get()
        )
        return int(total), int(before or 0)

    @_operation
    def count(self, query: TaskQuery = TaskQuery()) -> int:
        """How many tasks ``query`` lists: from the counters unless it narrows further."""
        if not query.terms and query.due_until is None and query.tag is None:
            counts = self._counters()
            return {Status.OPEN: counts.open, Status.DONE: counts.done}.get(
                query.status, counts.total
            )
        return int(self._filtered(query, counting=True).count())

    @_operation
    def count_by_due_day(self, query: TaskQuery, now: datetime) -> list[tuple[date | None, int]]:
        """The headings of the Today and Upcoming views: how many of ``query``'s tasks
        are overdue (the ``None`` entry), then how many fall due on each day from
        today to ``query.due_until``, today counting only what is not overdue yet.

        ``now`` is the user's local time. Overdue means due before ``now``'s minute,
        exactly as ``Due.is_overdue`` says: earlier days, and today's times already
        past (a 09:00 task is overdue from 09:01; an all-day task at the day's end).
        In the due order these are the first rows, so the counts line up with them.
        Overdue tasks are counted, not grouped: there may be any number of them.
        """
        today = now.date()
        last_day = query.due_until or today
        days: list[date] = []
        day = today
        while day <= last_day:
            days.append(day)
            day += timedelta(days=1)
        order = self._due_order()
        # The due order compares as text: the moment as a key, and a bare day as the
        # start of that day (it sorts before all of the day's keys, its end included).
        moment = Due(today, now.time().replace(second=0, microsecond=0)).order_key
        bounds = [moment, *((d + timedelta(days=1)).isoformat() for d in days)]
        # The view without its own "due until" bound: each read below states one range
        # of due dates, the shape SQLite matches to the (owner, status, due) index;
        # with two bounds it may walk the (owner, due) one and read every row.
        view = self._filtered(dataclasses.replace(query, due_until=None), counting=True)
        # A count per heading, each one index range that reads no row back, however
        # many tasks are overdue. Measured at 100,000 tasks: 3 ms, against 8 ms for one
        # pass summing a CASE per heading and 5 ms for a GROUP BY on the day (which
        # reads each row to compute it).
        overdue = view.where(order < moment).count()
        per_day = [
            view.where((order >= start) & (order < end)).count()
            for start, end in itertools.pairwise(bounds)
        ]
        return [(None, int(overdue)), *((d, int(n)) for d, n in zip(days, per_day, strict=True))]

    @_operation
    def tag_names(self, prefix: str = "", *, limit: int = 20) -> list[str]:
        """The owner's tags in use (on at least one task), alphabetically ignoring case,
        those starting with ``prefix`` (any case): for completing a #tag as it is typed."""
        Tag, TaskTag = self._models.Tag, self._models.TaskTag
        # One probe of the task_tags_tag index per tag of the owner.
        in_use = peewee.fn.EXISTS(TaskTag.select(TaskTag.task).where(TaskTag.tag == Tag.id))
        names = (
            Tag.select(Tag.name)
            .where((Tag.user == self.user) & in_use)
            .order_by(Tag.name_key)
            .limit(limit)
        )
        if prefix:
            names = names.where(Tag.name_key.startswith(prefix.casefold()))
        return [name for (name,) in names.tuples()]

    @_operation
    def counts(self, search: str = "") -> TaskCounts:
        """Open and done tasks of this owner (matching ``search`` if given)."""
        if not TaskQuery(search=search).terms:
            return self._counters()
        Task = self._models.Task
        select = (
            self._filtered(TaskQuery(status=Status.ALL, search=search))
            .select(Task.completed, peewee.fn.COUNT(Task.id).alias("n"))
            .group_by(Task.completed)
        )
        by_status = {bool(row.completed): int(row.n) for row in select}
        return TaskCounts(open=by_status.get(False, 0), done=by_status.get(True, 0))

    @_operation
    def history(self, task_id: str) -> list[EventRecord]:
        """The task's changes, oldest first. Works for deleted tasks too."""
        TaskEvent = self._models.TaskEvent
        rows = list(
            TaskEvent.select()
            .where((TaskEvent.task_id == task_id) & (TaskEvent.user == self.user))
            .order_by(TaskEvent.id)
        )
        if not rows:
            self._get_row(task_id)  # NotFoundError unless it is an adopted task with no log
        return [_event(row) for row in rows]

    @_operation
    def last_event_id(self) -> int:
        TaskEvent = self._models.TaskEvent
        value = TaskEvent.select(peewee.fn.MAX(TaskEvent.id)).scalar()
        return int(value or 0)

    @_operation
    def changes_since(self, event_id: int) -> ChangeSet:
        """Which of this owner's tasks changed after ``event_id``: what a window must refresh."""
        TaskEvent = self._models.TaskEvent
        rows = list(
            TaskEvent.select(TaskEvent.id, TaskEvent.task_id, TaskEvent.user)
            .where(TaskEvent.id > event_id)
            .order_by(TaskEvent.id)
            .limit(CHANGESET_LIMIT + 1)
            .tuples()
        )
        if not rows:
            return ChangeSet(last_event_id=event_id)
        if len(rows) > CHANGESET_LIMIT:
            return ChangeSet(last_event_id=self.last_event_id(), too_many=True)
        mine = frozenset(task_id for _, task_id, user in rows if user == self.user)
        return ChangeSet(last_event_id=rows[-1][0], task_ids=mine)

    # -- changing --------------------------------------------------------------------------

    @_operation
    def create(
        self,
        title: str,
        description: str = "",
        *,
        due: Due | None = None,
        priority: Priority = Priority.NONE,
        tags: Sequence[str] = (),
    ) -> TaskRecord:
        title = clean_title(title)
        description = clean_description(description)
        now = self._clock()
        record = TaskRecord(
            id=new_task_id(),
            title=title,
            description=description,
            completed=False,
            created_at=now,
            updated_at=now,
            user_id=self.user,
            version=1,
            due=_checked_due(due),
            priority=Priority(priority),
            tags=_checked_tags(tags),
        )
        with self._backend.write():
            self._ensure_user(now)
            record = _replace(
                record, position=self._next_position(), tags=self._canonical_tags(record.tags)
            )
            self._insert(record)
            self._log(EventKind.CREATED, record.id, now, before=None, after=record)
        return _normalised(record)

    @_operation
    def create_many(self, tasks: Iterable[NewTask]) -> list[TaskRecord]:
        """Create many tasks in one transaction, each with its 'created' event.

        All are validated first: one bad task refuses the whole batch, naming it,
        and nothing is written. Given ids and timestamps are kept (imports); the
        rest are filled in as ``create`` would. Rows go to the driver's executemany
        through one statement peewee builds, since per-row query building costs
        several times the insert itself.
        """
        now = self._clock()
        records: list[TaskRecord] = []
        for number, new in enumerate(tasks, start=1):
            try:
                title = clean_title(new.title)
                description = clean_description(new.description)
                due, tags = _checked_due(new.due), _checked_tags(new.tags)
            except ValidationError as error:
                raise ValidationError(error.field, f"Task {number}: {error}") from None
            created = new.created_at or now
            records.append(
                TaskRecord(
                    id=new.id or new_task_id(),
                    title=title,
                    description=description,
                    completed=bool(new.completed),
                    created_at=created,
                    updated_at=new.updated_at or created,
                    user_id=self.user,
                    version=1,
                    due=due,
                    priority=Priority(new.priority),
                    tags=tags,
                )
            )
        if not records:
            return []
        Task, TaskEvent = self._models.Task, self._models.TaskEvent
        # A batch shares few distinct timestamps (often one): format each once.
        stamps: dict[datetime, str] = {}

        def stamp(moment: datetime) -> str:
            text = stamps.get(moment)
            if text is None:
                text = stamps[moment] = format_timestamp(moment)
            return text

        logged_at = stamp(now)
        task_sql, _ = Task.insert(
            id="",
            user="",
            title="",
            title_key="",
            description="",
            completed=False,
            created_at="",
            updated_at="",
            version=1,
            seq=0,
            due=None,
            priority=0,
            position=0.0,
        ).sql()
        event_sql, _ = TaskEvent.insert(task_id="", user="", kind="", at="", after=None).sql()
        with self._backend.write():
            self._ensure_user(now)
            first_seq, first_position = self._next_seq(), self._next_position()
            tag_ids = self._ensure_tags({t for r in records for t in r.tags})
            records = [
                _replace(
                    r,
                    position=first_position + n,
                    tags=tuple(
                        sorted((tag_ids[t.casefold()][1] for t in r.tags), key=str.casefold)
                    ),
                )
                for n, r in enumerate(records)
            ]
            task_rows, event_rows, link_rows = [], [], []
            for n, r in enumerate(records):
                created, updated = stamp(r.created_at), stamp(r.updated_at)
                due = r.due.key if r.due else None
                task_rows.append(
                    (
                        r.id,
                        self.user,
                        r.title,
                        title_key(r.title),
                        r.description,
                        r.completed,
                        created,
                        updated,
                        1,
                        first_seq + n,
                        due,
                        int(r.priority),
                        r.position,
                    )
                )
                snapshot = {
                    "title": r.title,
                    "description": r.description,
                    "completed": r.completed,
                    "created_at": created,
                    "updated_at": updated,
                    "version": 1,
                    "due": due,
                    "priority": int(r.priority),
                    "tags": list(r.tags),
                    "position": r.position,
                }
                event_rows.append(
                    (r.id, self.user, EventKind.CREATED.value, logged_at, _json_text(snapshot))
                )
                link_rows.extend((r.id, tag_ids[t.casefold()][0]) for t in r.tags)
            cursor = self._backend.db.cursor()
            cursor.executemany(task_sql, task_rows)
            cursor.executemany(event_sql, event_rows)
            if link_rows:
                TaskTag = self._models.TaskTag
                link_sql, _ = TaskTag.insert(task="", tag=0).sql()
                cursor.executemany(link_sql, link_rows)
        moments = {text: parse_timestamp(text) for text in stamps.values()}
        return [
            _replace(
                r,
                created_at=moments[stamps[r.created_at]],
                updated_at=moments[stamps[r.updated_at]],
            )
            for r in records
        ]

    def _ensure_tags(self, names: Iterable[str]) -> dict[str, tuple[int, str]]:
        """This owner's tags for these names, created where new: case-folded name ->
        (tag id, the spelling kept)."""
        Tag = self._models.Tag
        keys = {name.casefold(): name for name in names}
        if not keys:
            return {}
        Tag.insert_many(
            [{"user": self.user, "name": name, "name_key": key} for key, name in keys.items()]
        ).on_conflict_ignore().execute()
        return {
            key: (int(tag_id), name)
            for tag_id, key, name in Tag.select(Tag.id, Tag.name_key, Tag.name)
            .where((Tag.user == self.user) & Tag.name_key.in_(list(keys)))
            .tuples()
        }

    @_operation
    def update(
        self,
        task_id: str,
        *,
        expected_version: int,
        title: str | None = None,
        description: str | None = None,
        due: Due | None = KEEP,
        priority: Priority | None = None,
        tags: Sequence[str] | None = None,
    ) -> TaskRecord:
        """Change any of title, description, due date (None clears it), priority and
        tags, if the task is still at ``expected_version``.

        A stale version raises ConflictError naming what changed; nothing is overwritten.
        Saving without a real change returns the task untouched and logs nothing.
        """
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = clean_title(title)
        if description is not None:
            changes["description"] = clean_description(description)
        if due is not KEEP:
            changes["due"] = _checked_due(due)
        if priority is not None:
            changes["priority"] = Priority(priority)
        if tags is not None:
            changes["tags"] = _checked_tags(tags)
        with self._backend.write():
            current = self._current(task_id)
            self._check_version(current, expected_version)
            return self._apply(current, EventKind.EDITED, changes)

    @_operation
    def set_completed(
        self, task_id: str, completed: bool, *, expected_version: int | None = None
    ) -> TaskRecord:
        with self._backend.write():
            current = self._current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            return self._apply(current, EventKind.TOGGLED, {"completed": bool(completed)})

    @_operation
    def toggle(self, task_id: str, *, expected_version: int | None = None) -> TaskRecord:
        """Flip done/open. With ``expected_version``, refuse if someone else changed it first."""
        with self._backend.write():
            current = self._current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            return self._apply(current, EventKind.TOGGLED, {"completed": not current.completed})

    @_operation
    def delete(self, task_id: str, *, expected_version: int | None = None) -> TaskRecord:
        """Delete the task (undoable); returns it as it was."""
        Task = self._models.Task
        with self._backend.write():
            current = self._current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            now = self._clock()
            Task.delete().where((Task.id == current.id) & (Task.user == self.user)).execute()
            self._ensure_user(now)
            self._log(EventKind.DELETED, current.id, now, before=current, after=None)
        return current

    @_operation
    def move(self, task_id: str, steps: int, query: TaskQuery = TaskQuery()) -> TaskRecord:
        """Move a task one place down (steps > 0) or up in the owner's own order, past
        the next task that ``query`` shows (tasks it hides keep their places).

        Only this task's position changes (between its new neighbours), so the move is
        one logged, undoable change. Returns the task as it is now.
        """
        shown = dataclasses.replace(query, sort=Sort.MANUAL)
        with self._backend.write():
            current = self._current(task_id)
            position = self._position_past(current, shown, steps)
            if position is None:
                return _normalised(current)  # already first or last
            return self._apply(current, EventKind.EDITED, {"position": position})

    def _position_past(self, task: TaskRecord, shown: TaskQuery, steps: int) -> float | None:
        if steps > 0:
            following = self.list_tasks(shown, limit=2, after=task)
            if not following:
                return None
            if len(following) == 1:
                return following[0].position + 1.0
            low, high = following[0].position, following[1].position
        else:
            preceding = self.list_tasks(shown, limit=2, before=task)
            if not preceding:
                return None
            if len(preceding) == 1:
                return preceding[0].position - 1.0
            low, high = preceding[0].position, preceding[1].position
        middle = (low + high) / 2
        if low < middle < high:
            return middle
        # Floating point has run out between these two: space every position out again
        # (order kept) and try once more. Rare: it takes dozens of moves into one gap.
        self._renumber_positions()
        return self._position_past(self._current(task.id), shown, steps)

    def _renumber_positions(self) -> None:
        Task = self._models.Task
        ids = [
            task_id
            for (task_id,) in Task.select(Task.id)
            .where(Task.user == self.user)
            .order_by(Task.position, Task.id)
            .tuples()
        ]
        for number, task_id in enumerate(ids, start=1):
            Task.update(position=float(number)).where(Task.id == task_id).execute()

    @_operation
    def undo(self) -> UndoResult:
        """Revert this owner's most recent change not yet undone. Repeat to walk further back.

        A change that cannot be undone (its task changed since, its id is now another
        task's, it would put back what validation refuses, it cannot be read) raises
        UndoBlockedError and changes nothing; ``skip_undo`` passes over it.
        """
        with self._backend.write():
            undone = self._next_to_undo()
            task, event = self._revert(undone)
        return UndoResult(undone=undone, event=event, task=task)

    @_operation
    def skip_undo(self) -> UndoResult:
        """Pass over this owner's most recent change not yet undone, without undoing it, so
        that the next undo reaches the change before it: the way past a change that
        cannot be undone. The skip is logged (an event naming the change, that changes no
        task), so it lasts; it is itself not undone."""
        Task = self._models.Task
        with self._backend.write():
            undone = self._next_to_undo()
            now = self._clock()
            self._ensure_user(now)
            event_id = self._models.TaskEvent.insert(
                task_id=undone.task_id,
                user=self.user,
                kind=undone.kind.value,  # the schema's kinds are fixed; the marker says "skip"
                at=now,
                before=None,
                after={SKIP_MARKER: True},
                reverts=undone.id,
            ).execute()
            row = Task.get_or_none((Task.id == undone.task_id) & (Task.user == self.user))
            task = self._records([row])[0] if row is not None else None
        event = EventRecord(
            id=int(event_id),
            task_id=undone.task_id,
            user_id=self.user,
            kind=undone.kind,
            at=_utc(now),
            before=None,
            after=None,
            reverts_event_id=undone.id,
            skipped=True,
        )
        return UndoResult(undone=undone, event=event, task=task, skipped=True)

    def _next_to_undo(self) -> EventRecord:
        """The owner's most recent change that no undo (or skip) has answered yet."""
        TaskEvent = self._models.TaskEvent
        Reverting = TaskEvent.alias()
        already_undone = Reverting.select(Reverting.id).where(Reverting.reverts == TaskEvent.id)
        row = (
            TaskEvent.select()
            .where(
                (TaskEvent.user == self.user)
                & TaskEvent.reverts.is_null()
                & ~peewee.fn.EXISTS(already_undone)
            )
            .order_by(TaskEvent.id.desc())
            .first()
        )
        if row is None:
            raise NothingToUndoError("Nothing to undo.")
        return _event(row)

    # -- internals -------------------------------------------------------------------------

    def _get_row(self, task_id: str) -> Any:
        Task = self._models.Task
        row = Task.get_or_none((Task.id == task_id) & (Task.user == self.user))
        if row is None:
            raise NotFoundError(f"No task with id {task_id} (it may have been deleted).")
        return row

    def _current(self, task_id: str) -> TaskRecord:
        """The task as it is now, tags included (NotFoundError if it is not this owner's)."""
        return self._records([self._get_row(task_id)])[0]

    def _records(self, rows: Iterable[Any]) -> list[TaskRecord]:
        """Records for task rows, their tags read in one query for all of them."""
        records = [_record(row) for row in rows]
        if not records:
            return records
        tags = self._tags_of([record.id for record in records])
        return [
            dataclasses.replace(record, tags=tags[record.id]) if record.id in tags else record
            for record in records
        ]

    def _tags_of(self, task_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        Tag, TaskTag = self._models.Tag, self._models.TaskTag
        found: dict[str, list[str]] = {}
        for start in range(0, len(task_ids), 500):
            batch = task_ids[start : start + 500]
            rows = (
                TaskTag.select(TaskTag.task, Tag.name)
                .join(Tag, on=(TaskTag.tag == Tag.id))
                .where(TaskTag.task.in_(batch))
                .tuples()
            )
            for task_id, name in rows:
                found.setdefault(task_id, []).append(name)
        return {task_id: tuple(sorted(names, key=str.casefold)) for task_id, names in found.items()}

    def _set_tags(self, task_id: str, names: Sequence[str]) -> None:
        """Link the task to exactly these tags, creating the owner's new ones.

        A tag's name keeps its first spelling; matching ignores case.
        """
        TaskTag = self._models.TaskTag
        TaskTag.delete().where(TaskTag.task == task_id).execute()
        tag_ids = self._ensure_tags(names)
        if tag_ids:
            TaskTag.insert_many(
                [{"task": task_id, "tag": tag_id} for tag_id, _ in tag_ids.values()]
            ).execute()

    def _canonical_tags(self, names: Sequence[str]) -> tuple[str, ...]:
        """The names as this owner's tags spell them (the first spelling wins), in the
        order records show them: alphabetical, ignoring case."""
        if not names:
            return ()
        Tag = self._models.Tag
        keys = {name.casefold(): name for name in names}
        known = dict(
            Tag.select(Tag.name_key, Tag.name)
            .where((Tag.user == self.user) & Tag.name_key.in_(list(keys)))
            .tuples()
        )
        return tuple(sorted((known.get(key, name) for key, name in keys.items()), key=str.casefold))

    def _next_position(self) -> float:
        """After the owner's last task in their own order."""
        Task = self._models.Task
        last = Task.select(peewee.fn.MAX(Task.position)).where(Task.user == self.user).scalar()
        return float(last or 0) + 1.0

    def _imported_positions(self, tasks: Sequence[ImportedTask]) -> Callable[[ImportedTask], float]:
        """Where each imported task goes in the owner's own order.

        A file that carries positions (our JSON) keeps its order, and into an owner
        with no tasks its very numbers, so an export imported into an empty database
        exports again the same. Into a list that already has tasks, the file's tasks
        follow them, spaced as in the file. A task without a position goes last.

        Numbers that would land past MAX_PLACED_POSITION (a file of ±10^15) are placed
        by their order alone, one apart: what is stored stays far inside what a file
        may hold, so that every export of it imports again.
        """
        Task = self._models.Task
        start = self._next_position()
        given = [task.position for task in tasks if task.position is not None]
        shift = 0.0
        if given and Task.select().where(Task.user == self.user).exists():
            shift = start - min(given)
        if given and max(abs(min(given) + shift), abs(max(given) + shift)) > MAX_PLACED_POSITION:
            ranks = {value: start + n for n, value in enumerate(sorted(set(given)))}
            given, shift = list(ranks.values()), 0.0
        else:
            ranks = {}
        following = max(start, max(given) + shift + 1.0) if given else start
        counter = itertools.count()

        def position_of(task: ImportedTask) -> float:
            if task.position is not None:
                return ranks[task.position] if ranks else task.position + shift
            return following + next(counter)

        return position_of

    def _counters(self) -> TaskCounts:
        """Open and done tasks from the trigger-kept counters: one row each, at any size."""
        TaskCount = self._models.TaskCount
        rows = TaskCount.select(TaskCount.completed, TaskCount.n).where(TaskCount.user == self.user)
        by_status = {bool(row.completed): int(row.n) for row in rows}
        return TaskCounts(open=by_status.get(False, 0), done=by_status.get(True, 0))

    def _next_seq(self) -> int:
        """The next search-index number (inside a write transaction, so it is ours)."""
        Task = self._models.Task
        return int(Task.select(peewee.fn.MAX(Task.seq)).scalar() or 0) + 1

    def _filtered(self, query: TaskQuery, *, counting: bool = False) -> Any:
        Task = self._models.Task
        hits = self._backend.search_candidates(query.terms) if query.terms else None
        if hits is None:
            select = Task.select().where(Task.user == self.user)
        elif counting or hits.count <= FEW_SEARCH_HITS:
            # Walk the index hits, not every task of the owner: the owner test must not
            # draw the planner to the owner's index.
            select = Task.select().where(
                Task.seq.in_(hits.query) & (self._backend.unindexed(Task.user) == self.user)
            )
        else:
            # Many hits: walking the list's own index in order finds a page of them at
            # once, where walking the hits would mean sorting them all first.
            select = Task.select().where((Task.user == self.user) & Task.seq.in_(hits.query))
        if query.status is Status.OPEN:
            select = select.where(Task.completed == False)  # noqa: E712 (peewee expression)
        elif query.status is Status.DONE:
            select = select.where(Task.completed == True)  # noqa: E712
        if query.due_until is not None:
            day_after = query.due_until + timedelta(days=1)
            select = select.where(self._due_order() < day_after.isoformat())
        if query.tag is not None:
            Tag, TaskTag = self._models.Tag, self._models.TaskTag
            key = query.tag.casefold()
            named = Tag.name_key.startswith(key) if query.tag_prefix else Tag.name_key == key
            tagged = (
                TaskTag.select(TaskTag.task)
                .join(Tag, on=(TaskTag.tag == Tag.id))
                .where((Tag.user == self.user) & named)
            )
            select = select.where(Task.id.in_(tagged))
        for term in query.terms:
            if term.isascii():
                # The database's own case-insensitive LIKE: no per-row Python call.
                title, description = Task.title, Task.description
            else:
                title = self._backend.casefold(Task.title)
                description = self._backend.casefold(Task.description)
            select = select.where(title.contains(term) | description.contains(term))
        return select

    def _sort_keys(self, sort: Sort) -> list[tuple[Any, bool]]:
        """Columns of an order, each with whether it runs descending. Ties end on the id.

        The due and priority orders are written exactly as migration 5's indexes are, so
        that SQLite walks those indexes (an expression only matches itself, literally).
        """
        Task = self._models.Task
        if sort is Sort.MANUAL:
            return [(Task.position, False), (Task.id, False)]
        if sort is Sort.DUE:
            return [(self._due_order(), False), (Task.position, False), (Task.id, False)]
        if sort is Sort.PRIORITY:
            urgency = peewee.Expression(peewee.SQL("3"), "-", Task.priority)
            return [
                (urgency, False),
                (self._due_order(), False),
                (Task.position, False),
                (Task.id, False),
            ]
        if sort is Sort.UPDATED:
            return [(Task.updated_at, True), (Task.id, True)]
        if sort is Sort.TITLE:
            return [(Task.title_key, False), (Task.id, False)]
        if sort is Sort.STATUS:
            return [(Task.completed, False), (Task.created_at, False), (Task.id, False)]
        return [(Task.created_at, False), (Task.id, False)]

    def _due_order(self) -> Any:
        """When a task falls due, as text that sorts in time order (see migration 5):

            COALESCE(CASE WHEN length(due) = 10 THEN due || ' 24:00' ELSE due END, '~')

        An all-day key reads as the end of its day, after that day's times; undated
        tasks ('~') come after every date. The literals are SQL, not parameters: an
        index on an expression serves only a query with the same expression, and a
        bound parameter is not the same expression as the literal in the index.
        """
        due = self._models.Task.due
        all_day = peewee.fn.length(due) == peewee.SQL("10")
        end_of_day = due.concat(peewee.SQL(f"'{ALL_DAY_SUFFIX}'"))
        moment = peewee.Case(None, [(all_day, end_of_day)], due)
        return peewee.fn.COALESCE(moment, peewee.SQL(f"'{NO_DUE}'"))

    def _sort_values(self, sort: Sort, record: TaskRecord) -> list[Any]:
        if record.unreadable:
            # Its placeholders are not where the row sorts: page on from what is stored.
            Task = self._models.Task
            columns = [column for column, _ in self._sort_keys(sort)]
            select = Task.select(*columns).where(Task.id == record.id)
            stored = self._backend.db.execute(select).fetchone()
            if stored is not None:
                return list(stored)
        due = record.due.order_key if record.due else NO_DUE
        if sort is Sort.MANUAL:
            return [record.position, record.id]
        if sort is Sort.DUE:
            return [due, record.position, record.id]
        if sort is Sort.PRIORITY:
            return [3 - int(record.priority), due, record.position, record.id]
        if sort is Sort.UPDATED:
            return [format_timestamp(record.updated_at), record.id]
        if sort is Sort.TITLE:
            return [title_key(record.title), record.id]
        if sort is Sort.STATUS:
            return [int(record.completed), format_timestamp(record.created_at), record.id]
        return [format_timestamp(record.created_at), record.id]

    def _check_version(self, current: TaskRecord, expected_version: int) -> None:
        if current.version == expected_version:
            return
        seen = self._snapshot_at(current.id, expected_version)
        changed = (
            [name for name in EDITABLE_FIELDS if getattr(seen, name) != getattr(current, name)]
            if seen is not None
            else []
        )
        what = " and ".join(changed) if changed else "it"
        raise ConflictError(
            f"“{current.title}” was changed elsewhere ({what}) since you opened it; "
            "nothing was overwritten.",
            current=_normalised(current),
            changed_fields=changed,
        )

    def _snapshot_at(self, task_id: str, version: int) -> TaskSnapshot | None:
        TaskEvent = self._models.TaskEvent
        for row in (
            TaskEvent.select()
            .where((TaskEvent.task_id == task_id) & (TaskEvent.user == self.user))
            .order_by(TaskEvent.id.desc())
        ):
            event = _event(row)
            if event.after is not None and event.after.version == version:
                return event.after
        return None

    def _apply(self, current: TaskRecord, kind: EventKind, changes: dict[str, Any]) -> TaskRecord:
        """Write ``changes`` to the task with a new version and log ``kind``; no-op if equal."""
        _refuse_unreadable(current, "changed")
        if "tags" in changes:
            changes["tags"] = self._canonical_tags(changes["tags"])
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return _normalised(current)
        now = self._clock()
        updated = _replace(current, **changes, updated_at=now, version=current.version + 1)
        self._write_fields(current, updated)
        self._ensure_user(now)
        self._log(kind, current.id, now, before=current, after=updated)
        return _normalised(updated)

    def _write_fields(self, current: TaskRecord, updated: TaskRecord) -> None:
        Task = self._models.Task
        rows = (
            Task.update(
                title=updated.title,
                title_key=title_key(updated.title),
                description=updated.description,
                completed=updated.completed,
                updated_at=updated.updated_at,
                version=updated.version,
                due=updated.due.key if updated.due else None,
                priority=int(updated.priority),
                position=updated.position,
            )
            .where(
                (Task.id == current.id)
                & (Task.user == self.user)
                & (Task.version == current.version)
            )
            .execute()
        )
        if rows != 1:  # unreachable inside our write lock, but never overwrite silently
            raise ConflictError(
                f"“{current.title}” was changed elsewhere; nothing was overwritten.",
                current=None,
            )
        if updated.tags != current.tags:
            self._set_tags(current.id, updated.tags)

    def _revert(self, undone: EventRecord) -> tuple[TaskRecord | None, EventRecord]:
        Task = self._models.Task
        now = self._clock()
        row = Task.get_or_none((Task.id == undone.task_id) & (Task.user == self.user))
        current = self._records([row])[0] if row is not None else None

        def blocked(why: str) -> UndoBlockedError:
            return _undo_blocked(undone, why, current)

        if undone.unreadable:
            raise blocked(f"that change cannot be read ({undone.unreadable})")
        conflict = blocked("the task is no longer as that change left it")
        if undone.kind in (EventKind.CREATED, EventKind.RESTORED):
            if current is None:
                raise conflict
            Task.delete().where(Task.id == current.id).execute()
            event = self._log(
                EventKind.DELETED, current.id, now, before=current, after=None, reverts=undone.id
            )
            return None, event
        if undone.kind is EventKind.DELETED:
            if current is not None or undone.before is None:
                raise conflict
            holder = Task.get_or_none(Task.id == undone.task_id)
            if holder is not None:  # another owner's task took the id (ids are unique here)
                raise blocked("its id is now another task's here, so it cannot come back")
            problem = _restore_problem(undone.before, None)
            if problem is not None:
                raise blocked(problem)
            restored = _from_snapshot(undone.task_id, self.user, undone.before)
            restored = _replace(
                restored,
                version=restored.version + 1,
                tags=self._canonical_tags(restored.tags),
                position=restored.position
                if undone.before.position is not None
                else self._next_position(),
            )
            self._insert(restored)
            event = self._log(
                EventKind.RESTORED, restored.id, now, before=None, after=restored, reverts=undone.id
            )
            return _normalised(restored), event
        # An edit or a toggle: put back only the fields that change touched.
        if current is None or undone.before is None:
            raise conflict
        if current.unreadable:
            raise blocked(f"the task cannot be read now ({current.unreadable})")
        fields = undone.changed_fields
        problem = _restore_problem(undone.before, fields)
        if problem is not None:
            raise blocked(problem)
        restored = _replace(
            current,
            **{name: getattr(undone.before, name) for name in fields},
            updated_at=undone.before.updated_at,
            version=current.version + 1,
        )
        self._write_fields(current, restored)
        event = self._log(
            undone.kind, current.id, now, before=current, after=restored, reverts=undone.id
        )
        return _normalised(restored), event

    def _insert(self, record: TaskRecord) -> None:
        self._models.Task.insert(
            id=record.id,
            user=record.user_id,
            title=record.title,
            title_key=title_key(record.title),
            description=record.description,
            completed=record.completed,
            created_at=record.created_at,
            updated_at=record.updated_at,
            version=record.version,
            seq=self._next_seq(),
            due=record.due.key if record.due else None,
            priority=int(record.priority),
            position=record.position,
        ).execute()
        if record.tags:
            self._set_tags(record.id, record.tags)

    def _ensure_user(self, now: datetime) -> None:
        User = self._models.User
        User.insert(id=self.user, created_at=now).on_conflict_ignore().execute()

    def _log(
        self,
        kind: EventKind,
        task_id: str,
        at: datetime,
        *,
        before: TaskRecord | None,
        after: TaskRecord | None,
        reverts: int | None = None,
    ) -> EventRecord:
        TaskEvent = self._models.TaskEvent
        event_id = TaskEvent.insert(
            task_id=task_id,
            user=self.user,
            kind=kind.value,
            at=at,
            before=_snapshot_json(before),
            after=_snapshot_json(after),
            reverts=reverts,
        ).execute()
        return EventRecord(
            id=int(event_id),
            task_id=task_id,
            user_id=self.user,
            kind=kind,
            at=_utc(at),
            before=_snapshot(before),
            after=_snapshot(after),
            reverts_event_id=reverts,
        )

    def iter_all(self, batch: int = 1000) -> Iterator[TaskRecord]:
        """Every task of this owner in creation order, fetched a page at a time."""
        after: TaskRecord | None = None
        while True:
            page = self.list_tasks(TaskQuery(), limit=batch, after=after)
            yield from page
            if len(page) < batch:
                return
            after = page[-1]

    # -- the command line: ids by prefix, whole histories, imports --------------------------

    @_operation
    def unique_prefix_length(self, minimum: int = 8) -> int:
        """How many leading characters tell every task of this owner apart (at least
        ``minimum``): the width the command line shows ids at, as git abbreviates hashes."""
        Task = self._models.Task
        ids = sorted(
            task_id for (task_id,) in Task.select(Task.id).where(Task.user == self.user).tuples()
        )
        longest = minimum
        for left, right in itertools.pairwise(ids):
            shared = _shared_prefix(left, right)
            longest = max(longest, min(shared + 1, len(right)))
        return longest

    @_operation
    def pending_migrations(self) -> list[str]:
        """The schema steps an open with migration would apply, as '0002 sort_indexes'."""
        version = migrations.read_state(self._backend).version
        return [f"{step.VERSION:04d} {step.NAME}" for step in STEPS[version:]]

    @_operation
    def _refuse_unreadable_rows(self) -> None:
        """UnreadableTaskError for the owner's first task that does not read, before an
        export writes a byte: only the columns that can fail are read (not the texts)."""
        Task = self._models.Task
        columns = (
            Task.id,
            Task.completed,
            Task.created_at,
            Task.updated_at,
            Task.version,
            Task.due,
            Task.priority,
            Task.position,
        )
        rows = Task.select(*columns).where(Task.user == self.user).tuples()
        for task_id, completed, created, updated, version, due, priority, position in rows:
            record = _task_record(
                task_id, self.user, "", "", completed, created, updated, version, due,
                priority, position,
            )  # fmt: skip
            _refuse_unreadable(record, "exported")

    def export_tasks(
        self, *, events: bool = False, batch: int = 1000
    ) -> Iterator[tuple[TaskRecord, list[EventRecord] | None]]:
        """Every task in creation order, with its history if asked, a page at a time.

        All pages come from one read snapshot, so an export shows the tasks exactly
        as they were when it began, however long it takes and whoever writes meanwhile.

        A task that cannot be read refuses the export (UnreadableTaskError), raised by
        this call itself, before a caller has written anything: a file that silently
        lacks a task, or holds placeholders for what could not be read, is worse than none.
        """
        self._refuse_unreadable_rows()
        return self._export_pages(events=events, batch=batch)

    def _export_pages(
        self, *, events: bool, batch: int
    ) -> Iterator[tuple[TaskRecord, list[EventRecord] | None]]:
        with self._backend.session(), self._backend.read_snapshot():
            after: TaskRecord | None = None
            while True:
                page = self.list_tasks(TaskQuery(), limit=batch, after=after)
                logs = self.histories(task.id for task in page) if events else {}
                for task in page:
                    _refuse_unreadable(task, "exported")  # one that changed since the check
                    if events:
                        _refuse_unreadable_history(task, logs.get(task.id, []))
                    yield task, logs.get(task.id) if events else None
                if len(page) < batch:
                    return
                after = page[-1]

    @_operation
    def resolve_any_id(self, prefix: str) -> str:
        """The one id, of a live or a deleted task, that starts with ``prefix``.

        For what still makes sense of a deleted task (its history): a deleted task is
        found through its events, and a candidate list shows it as it was last seen.
        """
        Task, TaskEvent = self._models.Task, self._models.TaskEvent
        given = _given_id(prefix)
        # The same matching as resolve_id: exact, then by its start; case only for UUIDs.
        live = Task.select(Task.id).where((Task.user == self.user) & Task.id.startswith(given))
        logged = (
            TaskEvent.select(TaskEvent.task_id)
            .where((TaskEvent.user == self.user) & TaskEvent.task_id.startswith(given))
            .distinct()
        )
        for candidate in dict.fromkeys((given, given.lower())):
            if candidate != given and not UUID_TEXT.fullmatch(candidate):
                continue
            if (
                live.where(Task.id == candidate).exists()
                or logged.where(TaskEvent.task_id == candidate).exists()
            ):
                return candidate
        every = itertools.chain(
            (task_id for (task_id,) in live.tuples()),
            (task_id for (task_id,) in logged.tuples()),
        )
        found = sorted(_ids_named(given, every))
        if not found:
            raise NotFoundError(f"No task, live or deleted, with an id starting {given!r}.")
        if len(found) == 1:
            return found[0]
        candidates = [self._last_seen(task_id) for task_id in found[:10]]
        listed = ", ".join(f"{c.id[:12]} ({c.title[:30]})" for c in candidates)
        how_many = "more than 10" if len(found) > 10 else str(len(found))
        raise AmbiguousIdError(
            f"The id {given!r} matches {how_many} tasks: {listed}. Give more characters.",
            candidates,
        )

    @_operation
    def histories(self, task_ids: Iterable[str]) -> dict[str, list[EventRecord]]:
        """Each given task's history (oldest first), in a few queries for many tasks."""
        TaskEvent = self._models.TaskEvent
        wanted = list(dict.fromkeys(task_ids))
        found: dict[str, list[EventRecord]] = {task_id: [] for task_id in wanted}
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            rows = (
                TaskEvent.select()
                .where(
                    (TaskEvent.user == self.user)
                    & TaskEvent.task_id.in_(wanted[start : start + 500])
                )
                .order_by(TaskEvent.id)
            )
            for row in rows:
                found[row.task_id].append(_event(row))
        return found

    @_operation
    def import_tasks(
        self, tasks: Sequence[ImportedTask], *, dry_run: bool = False
    ) -> ImportOutcome:
        """Add, update or leave each task of a validated file, all in one transaction.

        A task whose id is new here is added with its own timestamps, version and
        history (or a 'created' event when the file brings none). One already here
        with the same title, description and done state is left alone. One that
        differs is updated (an undoable 'edited' or 'toggled' event) only if the file
        says it changed after ours did; otherwise ours is kept, so re-importing an
        old file never reverts work done since. A dry run does all of it, then rolls
        it back.

        A new task takes the file's id only if that is a UUID that nobody here uses or
        ever used: not another owner's task, and not one any owner's history still
        names (a deleted task an undo may bring back). Any other id is replaced by a
        stable substitute, reported in ``reassigned``, so a second import of the same
        file finds the same tasks again. The file's id of a task this owner has is
        always the same task: an id adopted from the earlier service stays as it is.
        """
        try:
            with self._backend.write():
                outcome = self._import(tasks, dry_run=dry_run)
                if dry_run:
                    raise _RollBack(outcome)
        except _RollBack as rolled_back:
            return rolled_back.outcome
        return outcome

    def _import(self, tasks: Sequence[ImportedTask], *, dry_run: bool) -> ImportOutcome:
        repeated = [task_id for task_id, n in Counter(t.id for t in tasks).items() if n > 1]
        if repeated:
            raise ValidationError(
                "id", f"The id {repeated[0]} appears twice; nothing was imported."
            )
        now = self._clock()
        found = self._any_owners_tasks([task.id for task in tasks])
        reasons = self._ids_not_taken(tasks, found)
        reassigned = self._substitute_ids(sorted(reasons))
        if reassigned:
            tasks = [
                dataclasses.replace(task, id=reassigned.get(task.id, task.id)) for task in tasks
            ]
            _refuse_merged_ids(tasks)
            found.update(self._any_owners_tasks(list(reassigned.values())))
        existing = {task_id: task for task_id, task in found.items() if task.user_id == self.user}
        added: list[tuple[TaskRecord, ImportedTask]] = []
        updated: list[tuple[TaskRecord, ImportedTask]] = []
        unchanged: list[TaskRecord] = []
        kept_newer: list[TaskRecord] = []
        unreadable: list[TaskRecord] = []
        for task in tasks:
            current = existing.get(task.id)
            if current is not None and current.unreadable:
                unreadable.append(current)  # nothing to compare with: left as it is
            elif current is None:
                created = (task.created_at or task.updated_at or now).astimezone(UTC)
                record = TaskRecord(
                    id=task.id,
                    title=task.title,
                    description=task.description,
                    completed=task.completed,
                    created_at=created,
                    updated_at=task.updated_at.astimezone(UTC) if task.updated_at else created,
                    user_id=self.user,
                    version=task.version,
                    due=task.due,
                    priority=task.priority,
                    tags=task.tags,
                )
                # Already UTC to the microsecond (as read from the file, or the clock's
                # now): the same values a read back gives, without a format-and-parse.
                added.append((record, task))
            elif all(
                _same(getattr(current, name), getattr(task, name)) for name in IMPORTED_FIELDS
            ):
                unchanged.append(current)
            elif task.updated_at is None or task.updated_at <= current.updated_at:
                kept_newer.append(current)
            else:
                updated.append((current, task))
        if added or updated:
            self._ensure_user(now)
        written = self._insert_imported(added, now)
        changed = [self._apply_imported(current, task, now) for current, task in updated]
        return ImportOutcome(
            added=tuple(written),
            updated=tuple(changed),
            unchanged=tuple(unchanged),
            kept_newer=tuple(kept_newer),
            reassigned=reassigned,
            dry_run=dry_run,
            reassigned_reasons=reasons,
            unreadable=tuple(unreadable),
        )

    def _ids_not_taken(
        self, tasks: Sequence[ImportedTask], found: dict[str, TaskRecord]
    ) -> dict[str, str]:
        """The file's ids a new task may not have here, each with the reason (see
        import_tasks); ``found`` is the live tasks with the file's ids, any owner's."""
        reasons: dict[str, str] = {}
        unknown: list[str] = []
        for task in tasks:
            holder = found.get(task.id)
            if holder is not None:
                if holder.user_id != self.user:
                    reasons[task.id] = REASON_OTHER_OWNER
            elif not UUID_TEXT.fullmatch(task.id):
                reasons[task.id] = REASON_NOT_UUID
            else:
                unknown.append(task.id)
        for task_id in self._logged_ids(unknown):
            reasons[task_id] = REASON_IN_HISTORY
        return reasons

    def _logged_ids(self, task_ids: Sequence[str]) -> set[str]:
        """Those of these ids that any owner's history names (the (task_id, id) index)."""
        TaskEvent = self._models.TaskEvent
        logged: set[str] = set()
        statements: dict[int, str] = {}  # built once per batch size: peewee's cost is per id
        for start in range(0, len(task_ids), IMPORT_LOOKUP_BATCH):
            batch = list(task_ids[start : start + IMPORT_LOOKUP_BATCH])
            sql = statements.get(len(batch))
            if sql is None:
                select = TaskEvent.select(TaskEvent.task_id).where(TaskEvent.task_id.in_(batch))
                sql = statements[len(batch)] = select.distinct().sql()[0]
            rows = self._backend.db.execute_sql(sql, batch).fetchall()
            logged.update(task_id for (task_id,) in rows)
        return logged

    def _any_owners_tasks(self, task_ids: Sequence[str]) -> dict[str, TaskRecord]:
        """The tasks with these ids, whoever owns them (ids are unique in the database).

        Looked up by the primary key alone: with the owner in the condition SQLite
        may prefer an owner index and scan every task of the owner for each batch.
        Rows come as tuples, since building a model object per row costs more than
        the lookup itself at 100,000 rows.
        """
        Task = self._models.Task
        columns = (
            Task.id,
            Task.user,
            Task.title,
            Task.description,
            Task.completed,
            Task.created_at,
            Task.updated_at,
            Task.version,
            Task.due,
            Task.priority,
            Task.position,
        )
        found: dict[str, TaskRecord] = {}
        for start in range(0, len(task_ids), IMPORT_LOOKUP_BATCH):
            batch = task_ids[start : start + IMPORT_LOOKUP_BATCH]
            select = Task.select(*columns).where(Task.id.in_(batch)).tuples()
            for row in select:  # the columns in _task_record's order
                found[row[0]] = _task_record(*row)
        tags = self._tags_of(list(found))
        return {
            task_id: dataclasses.replace(task, tags=tags.get(task_id, ()))
            for task_id, task in found.items()
        }

    def _substitute_ids(self, taken: Sequence[str]) -> dict[str, str]:
        """For ids a new task may not take as they are, the ids to use instead.

        The substitute is a UUID5 of this owner and the original id: the same on every
        import, so a second import of the same file still finds its tasks. One that is
        itself taken (another owner's, or named by a history without being this owner's
        task) is replaced the same way in turn, a few times at most.
        """
        substitutes: dict[str, str] = {}
        pending = {task_id: task_id for task_id in taken}  # original id -> last candidate
        for _ in range(SUBSTITUTE_TRIES):
            if not pending:
                return substitutes
            candidates = {
                original: str(uuid.uuid5(REASSIGNED_ID_NAMESPACE, f"{self.user}\n{last}"))
                for original, last in pending.items()
            }
            live = self._any_owners_tasks(list(candidates.values()))
            logged = self._logged_ids([c for c in candidates.values() if c not in live])
            pending = {}
            for original, candidate in candidates.items():
                holder = live.get(candidate)
                if (holder is None and candidate not in logged) or (
                    holder is not None and holder.user_id == self.user
                ):
                    substitutes[original] = candidate  # free, or the task an import made
                else:
                    pending[original] = candidate
        if pending:
            raise ConflictError(
                "Some imported ids are taken here and so are their substitutes; "
                "nothing was imported.",
                current=None,
            )
        return substitutes

    def _insert_imported(
        self, added: Sequence[tuple[TaskRecord, ImportedTask]], now: datetime
    ) -> list[TaskRecord]:
        """Write new tasks and their histories through executemany (see the guide: per-row
        query building costs several times the insert itself at 100,000 rows), a batch at
        a time, so that the rows being built never cost more than one batch's memory.

        Events get explicit ids so that an undo in the file can name the event it
        reverts. Histories from the file take the first ids, merged by time (each task's
        own order kept), then a 'created' event, now, for each task that brought none.
        """
        if not added:
            return []
        Task, TaskEvent = self._models.Task, self._models.TaskEvent
        task_fields = list(Task._meta.sorted_fields)
        event_fields = list(TaskEvent._meta.sorted_fields)
        task_sql, _ = Task.insert({field: None for field in task_fields}).sql()
        event_sql, _ = TaskEvent.insert({field: None for field in event_fields}).sql()
        link_sql, _ = self._models.TaskTag.insert(task="", tag=0).sql()
        written: list[TaskRecord] = []
        histories: list[list[dict[str, Any]]] = []
        logged_at = format_timestamp(now)
        next_seq = self._next_seq()
        position_of = self._imported_positions([task for _, task in added])
        tag_ids = self._ensure_tags({t for record, _ in added for t in record.tags})
        first_event = int(TaskEvent.select(peewee.fn.MAX(TaskEvent.id)).scalar() or 0) + 1
        history_length = sum(len(task.events or ()) for _, task in added)
        next_created = first_event + history_length
        cursor = self._backend.db.cursor()
        for start in range(0, len(added), IMPORT_WRITE_BATCH):
            task_rows: list[list[Any]] = []
            event_rows: list[list[Any]] = []
            links: list[tuple[str, int]] = []
            for record, task in added[start : start + IMPORT_WRITE_BATCH]:
                # Each timestamp is formatted once, for the row and for its 'created' event.
                created, updated = (
                    format_timestamp(record.created_at),
                    format_timestamp(record.updated_at),
                )
                next_position = position_of(task)
                due = record.due.key if record.due else None
                tags = sorted((tag_ids[t.casefold()][1] for t in record.tags), key=str.casefold)
                links.extend((record.id, tag_ids[t.casefold()][0]) for t in record.tags)
                written.append(_replace(record, position=next_position, tags=tuple(tags)))
                columns = {
                    "seq": next_seq,
                    "due": due,
                    "priority": int(record.priority),
                    "position": next_position,
                    "id": record.id,
                    "user": self.user,
                    "title": record.title,
                    "title_key": title_key(record.title),
                    "description": record.description,
                    "completed": record.completed,
                    "created_at": created,
                    "updated_at": updated,
                    "version": record.version,
                }
                next_seq += 1
                task_rows.append([field.db_value(columns[field.name]) for field in task_fields])
                if task.events is not None:
                    histories.append(_history_of(record.id, task))
                    continue
                snapshot = {
                    "title": record.title,
                    "description": record.description,
                    "completed": record.completed,
                    "created_at": created,
                    "updated_at": updated,
                    "version": record.version,
                    "due": due,
                    "priority": int(record.priority),
                    "tags": tags,
                    "position": next_position,
                }
                row = {
                    "id": next_created,
                    "task_id": record.id,
                    "user": self.user,
                    "kind": EventKind.CREATED.value,
                    "at": logged_at,
                    "before": None,
                    "after": snapshot,
                    "reverts": None,
                }
                next_created += 1
                event_rows.append([field.db_value(row[field.name]) for field in event_fields])
            cursor.executemany(task_sql, task_rows)
            if event_rows:
                cursor.executemany(event_sql, event_rows)
            if links:
                cursor.executemany(link_sql, links)
        if histories:
            rows = self._history_rows(histories, first_event)
            cursor.executemany(
                event_sql,
                [[field.db_value(row[field.name]) for field in event_fields] for row in rows],
            )
        self._backend.explicit_ids_written("task_events")
        return written

    def _history_rows(
        self, histories: list[list[dict[str, Any]]], first_id: int
    ) -> list[dict[str, Any]]:
        """The histories' events as rows, merged by time, numbered from ``first_id``; an
        undo in a history names the event it reverts by its place in that history."""
        rows: list[dict[str, Any]] = []
        ids_by_position: dict[tuple[str, int], int] = {}
        for event_id, event in enumerate(heapq.merge(*histories, key=lambda e: e["at"]), first_id):
            ids_by_position[(event["task_id"], event["position"])] = event_id
            reverts = event["reverts"]
            rows.append(
                {
                    "id": event_id,
                    "task_id": event["task_id"],
                    "user": self.user,
                    "kind": event["kind"].value,
                    "at": event["at"],
                    "before": event["before"],
                    "after": event["after"],
                    "reverts": None
                    if reverts is None
                    else ids_by_position[(event["task_id"], reverts)],
                }
            )
        return rows

    def _apply_imported(self, current: TaskRecord, task: ImportedTask, now: datetime) -> TaskRecord:
        """Bring one task to the file's newer content, logged like an edit from the app."""
        changes = {name: getattr(task, name) for name in IMPORTED_FIELDS}
        changes["tags"] = self._canonical_tags(changes["tags"])
        assert task.updated_at is not None  # only a file that says when it changed updates
        updated = _replace(
            current, **changes, updated_at=task.updated_at, version=current.version + 1
        )
        self._write_fields(current, updated)
        only_done_state = all(
            getattr(current, name) == getattr(updated, name) for name in ("title", "description")
        )
        kind = EventKind.TOGGLED if only_done_state else EventKind.EDITED
        self._log(kind, current.id, now, before=current, after=updated)
        return _normalised(updated)

    def _last_seen(self, task_id: str) -> TaskRecord:
        """The task as it is, or for a deleted one as its history last shows it."""
        Task, TaskEvent = self._models.Task, self._models.TaskEvent
        row = Task.get_or_none((Task.id == task_id) & (Task.user == self.user))
        if row is not None:
            return self._records([row])[0]
        logged = (
            TaskEvent.select()
            .where((TaskEvent.task_id == task_id) & (TaskEvent.user == self.user))
            .order_by(TaskEvent.id.desc())
        )
        for row in logged:  # the newest that holds a state (a skipped undo holds none)
            event = _event(row)
            snapshot = event.before or event.after
            if snapshot is not None:
                return _from_snapshot(task_id, self.user, snapshot)
        raise NotFoundError(f"No task with id {task_id}.")


# -- conversions between rows, records and the log's JSON -------------------------------------


def _utc(moment: datetime) -> datetime:
    # Round-trip through the stored format, so a record compares equal to its re-read self.
    return parse_timestamp(format_timestamp(moment))


def _record(row: Any) -> TaskRecord:
    return _task_record(
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
    )


def _task_record(
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


def _given_id(prefix: str) -> str:
    given = prefix.strip()
    if not given:
        raise ValidationError("id", "Give a task id (or the start of one).")
    return given


def _ids_named(given: str, ids: Iterable[str], limit: int = 11) -> list[str]:
    """Those of ``ids`` that ``given`` names as their start, at most ``limit`` of them,
    without repeats. The database's LIKE found them ignoring case (for ASCII, or for all
    of Unicode on PostgreSQL); here case counts, except for UUID text typed in capitals."""
    lowered = given.lower() if _HEX_TEXT.fullmatch(given) else None
    found: dict[str, None] = {}
    for task_id in ids:
        if task_id.startswith(given) or (
            lowered is not None and task_id.startswith(lowered) and UUID_TEXT.fullmatch(task_id)
        ):
            found[task_id] = None
            if len(found) >= limit:
                break
    return list(found)


def _undo_blocked(undone: EventRecord, why: str, current: TaskRecord | None) -> UndoBlockedError:
    # The title named is the task's own (or its id): a refused earlier title may hold the
    # very control characters that are the reason.
    name = f"“{current.title}”" if current is not None else undone.task_id
    return UndoBlockedError(
        f"Cannot undo the change “{undone.summary}” of {name}: {why}. "
        "Skipping it ('taskflow undo --skip', or U in the app) lets the next undo reach "
        "the change before it.",
        event_id=undone.id,
        task_id=undone.task_id,
        current=current,
    )


def _restore_problem(snapshot: TaskSnapshot, fields: Sequence[str] | None) -> str | None:
    """Why putting back these fields of a logged state (all of it: None) would store what
    validation refuses, or None. An undo never restores what a new task could not hold:
    a title with a terminal escape that came in through an imported history, say."""
    names = set(EDITABLE_FIELDS if fields is None else fields)
    if snapshot.unreadable:
        return f"the task could not be read when that change was made ({snapshot.unreadable})"
    try:
        if "title" in names:
            clean_title(snapshot.title)
        if "description" in names:
            clean_description(snapshot.description)
        if "tags" in names:
            _checked_tags(snapshot.tags)
        if "due" in names:
            _checked_due(snapshot.due)
    except ValidationError as error:
        return f"it would put back a {error.field} that is refused ({error.message.rstrip('.')})"
    if "position" in names and snapshot.position is not None:
        problem = number_problem(snapshot.position, largest=MAX_POSITION)
        if problem is not None:
            return f"it would put back a position that {problem}"
    stamps = (
        [snapshot.updated_at] if fields is not None else [snapshot.created_at, snapshot.updated_at]
    )
    for moment in stamps:
        if moment_problem(moment) is not None:
            return f"it would put back a time ({moment.isoformat()}) outside what TaskFlow keeps"
    return None


def _history_of(task_id: str, task: ImportedTask) -> list[dict[str, Any]]:
    """A file's history of one task, as the log keeps it, each event with its place."""
    return [
        {
            "task_id": task_id,
            "kind": event.kind,
            "at": event.at,
            "before": _snapshot_data(event.before),
            "after": _snapshot_data(event.after),
            "reverts": event.reverts,
            "position": position,
        }
        for position, event in enumerate(task.events or ())
    ]


def _refuse_merged_ids(tasks: Sequence[ImportedTask]) -> None:
    """Two tasks of a file that the substitutes make one (a file holding both an id and
    the substitute an earlier import gave it): refused, as a repeated id is."""
    seen: dict[str, str] = {}
    for task in tasks:
        earlier = seen.setdefault(task.id, task.where)
        if earlier != task.where:
            raise ValidationError(
                "id",
                f"{task.where} and {earlier} are the same task here ({task.id}); "
                "nothing was imported.",
            )


def _refuse_unreadable(task: TaskRecord, what: str) -> None:
    if task.unreadable:
        raise UnreadableTaskError(
            f"The task {task.id} cannot be read ({task.unreadable}), so it cannot be {what}; "
            f"it can be shown and deleted ('taskflow rm {task.id}').",
            task_id=task.id,
        )


def _refuse_unreadable_history(task: TaskRecord, events: Sequence[EventRecord]) -> None:
    for event in events:
        if event.unreadable:
            raise UnreadableTaskError(
                f"The history of task {task.id} holds a change that cannot be read "
                f"({event.unreadable}), so it cannot be exported with --events; "
                "export without --events.",
                task_id=task.id,
            )


def _checked_due(due: Due | None) -> Due | None:
    if due is not None and not isinstance(due, Due):
        raise ValidationError("due", "A due date must be a day, with an optional time.")
    problem = day_problem(due.day) if due is not None else None
    if problem is not None:
        raise ValidationError("due", f"The due date {due.day.isoformat()} {problem}.")
    return due


def _checked_tags(tags: Sequence[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = tags.split()
    try:
        return clean_tags(tags)
    except ValueError as error:
        raise ValidationError("tags", str(error)) from None


def _normalised(record: TaskRecord) -> TaskRecord:
    return _replace(record, created_at=_utc(record.created_at), updated_at=_utc(record.updated_at))


def _replace(record: TaskRecord, **changes: Any) -> TaskRecord:
    values = {**record.__dict__, **changes}
    return TaskRecord(**values)


def _snapshot(record: TaskRecord | None) -> TaskSnapshot | None:
    if record is None:
        return None
    return TaskSnapshot(
        title=record.title,
        description=record.description,
        completed=record.completed,
        created_at=_utc(record.created_at),
        updated_at=_utc(record.updated_at),
        version=record.version,
        due=record.due,
        priority=record.priority,
        tags=record.tags,
        position=record.position,
    )


def _snapshot_json(record: TaskRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    data = {
        "title": record.title,
        "description": record.description,
        "completed": record.completed,
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
        "version": record.version,
        "due": record.due.key if record.due else None,
        "priority": int(record.priority),
        "tags": list(record.tags),
        "position": record.position,
    }
    if record.unreadable:
        # Deleting an unreadable task logs its placeholders: marked, so no undo restores them.
        data["unreadable"] = record.unreadable
    return data


def _snapshot_data(snapshot: TaskSnapshot | None) -> dict[str, Any] | None:
    """A snapshot as the log stores it (see _snapshot_json)."""
    if snapshot is None:
        return None
    return {
        "title": snapshot.title,
        "description": snapshot.description,
        "completed": snapshot.completed,
        "created_at": format_timestamp(snapshot.created_at),
        "updated_at": format_timestamp(snapshot.updated_at),
        "version": snapshot.version,
        "due": snapshot.due.key if snapshot.due else None,
        "priority": int(snapshot.priority),
        "tags": list(snapshot.tags),
        "position": snapshot.position,
    }


def _json_text(data: dict[str, Any] | None) -> str | None:
    """The event log's JSON exactly as JsonField writes it (for rows written in bulk)."""
    return None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


def _snapshot_from_json(data: dict[str, Any] | None) -> TaskSnapshot | None:
    """A logged state; TypeError, ValueError or KeyError if it does not read as one."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("not a logged state")
    if not isinstance(data["title"], str) or not isinstance(data["description"], str):
        raise TypeError("title and description must be text")
    return TaskSnapshot(
        title=data["title"],
        description=data["description"],
        completed=bool(data["completed"]),
        created_at=_logged_moment(data["created_at"]),
        updated_at=_logged_moment(data["updated_at"]),
        version=int(data["version"]),
        # Events logged before schema v4 have none of these.
        due=Due.from_key(data["due"]) if data.get("due") else None,
        priority=Priority(int(data.get("priority") or 0)),
        tags=tuple(data.get("tags") or ()),
        position=None if data.get("position") is None else float(data["position"]),
        unreadable=str(data.get("unreadable") or ""),
    )


def _logged_moment(text: Any) -> datetime:
    moment = parse_timestamp(text)
    if moment_problem(moment) is not None:
        raise ValueError(f"{text!r} is outside the times TaskFlow keeps")
    return moment


def _from_snapshot(task_id: str, user: str, snapshot: TaskSnapshot) -> TaskRecord:
    return TaskRecord(
        id=task_id,
        title=snapshot.title,
        description=snapshot.description,
        completed=snapshot.completed,
        created_at=snapshot.created_at,
        updated_at=snapshot.updated_at,
        user_id=user,
        version=snapshot.version,
        due=snapshot.due,
        priority=snapshot.priority,
        tags=snapshot.tags,
        position=snapshot.position if snapshot.position is not None else 0.0,
    )


def _event(row: Any) -> EventRecord:
    """The record of one logged change; one that cannot be read (a time outside what can
    be shown, a state that is not JSON) becomes an unreadable event, never an error."""
    kind = EventKind(row.kind)  # the schema allows no other
    if isinstance(row.after, dict) and row.after.get(SKIP_MARKER) is True:
        return EventRecord(
            id=int(row.id),
            task_id=row.task_id,
            user_id=row.user_id,
            kind=kind,
            at=_kept_moment(row.at) or UNREADABLE_MOMENT,
            before=None,
            after=None,
            reverts_event_id=row.reverts_event_id,
            skipped=True,
        )
    try:
        at = _kept_moment(row.at)
        if at is None:
            raise ValueError(f"at {_raw(row.at)}")
        return EventRecord(
            id=int(row.id),
            task_id=row.task_id,
            user_id=row.user_id,
            kind=kind,
            at=at,
            before=_snapshot_from_json(row.before),
            after=_snapshot_from_json(row.after),
            reverts_event_id=row.reverts_event_id,
        )
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        return EventRecord(
            id=int(row.id),
            task_id=row.task_id,
            user_id=row.user_id,
            kind=kind,
            at=_kept_moment(row.at) or UNREADABLE_MOMENT,
            before=None,
            after=None,
            reverts_event_id=row.reverts_event_id,
            unreadable=_unreadable_reason(error),
        )


def _unreadable_reason(error: BaseException) -> str:
    detail = str(error)[:80]
    if isinstance(error, KeyError):
        return f"the logged state lacks {detail}"
    return (
        f"the logged change does not read ({detail})"
        if detail
        else "the logged change does not read"
    )


def _same(ours: Any, theirs: Any) -> bool:
    """Equal as an import compares: tags ignoring case and order."""
    if isinstance(ours, tuple) and isinstance(theirs, tuple):
        return sorted(t.casefold() for t in ours) == sorted(t.casefold() for t in theirs)
    return bool(ours == theirs)


def _shared_prefix(left: str, right: str) -> int:
    """How many leading characters two texts have in common."""
    for position, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return position
    return min(len(left), len(right))


def _beyond(order: list[tuple[Any, bool]], values: list[Any], direction: int) -> Any:
    """The keyset condition: rows after (direction 1) or before (-1) these values in this order.

    Written as a range on the first sort key, refined by a row-value comparison of
    the rest: SQLite turns the range into an index seek even when the first key is
    an expression (the due and priority orders), which a row-value comparison over
    all the keys would not.
    """
    columns = [column for column, _ in order]
    # Every order here runs all its columns the same way.
    later = direction > 0 if not order[0][1] else direction < 0
    first, bound = columns[0], values[0]
    if len(columns) == 1:
        return first > bound if later else first < bound
    rest, rest_bound = peewee.Tuple(*columns[1:]), peewee.Tuple(*values[1:])
    if later:
        return (first >= bound) & ((first > bound) | ((first == bound) & (rest > rest_bound)))
    return (first <= bound) & ((first < bound) | ((first == bound) & (rest < rest_bound)))
