"""TaskStore: every read and change of one owner's tasks, each change logged and undoable.

The store's face: each operation here, the work behind it next door.

    query.py        what a TaskQuery lists, in which order, a keyset page at a time
    rows.py         one owner's rows: records read, one task written, a change logged
    projects.py     one owner's project tree: paths, project rows, their changes undone
    fields.py       the field table: a task as record, row and logged state
    conversions.py  rows and logged changes read back (unreadable ones too)
    bulk.py         many new tasks at once (create_many and imports)
    importing.py    an import's merge: add, update or leave each task of a file
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import peewee

from store import migrate as migrations
from store.backend import Backend, execute_sql
from store.clock import utc_now
from store.conversions import (
    SKIP_MARKER,
    event_of,
    normalised,
    replaced,
    task_record,
)
from store.errors import (
    AmbiguousIdError,
    ConflictError,
    HealthCheckError,
    NotFoundError,
    NothingToUndoError,
    StoreError,
    UndoBlockedError,
    UnreadableTaskError,
    ValidationError,
)
from store.fields import as_stored, record_from_snapshot
from store.migrations import LATEST_VERSION, STEPS
from store.models import define_models, tuples
from store.planning import MAX_PROJECT_DEPTH, Due, Priority, clean_tags, local_now
from store.projects import ProjectRows, project_name, project_names
from store.query import TaskQueries
from store.records import (
    EDITABLE_FIELDS,
    ChangeSet,
    EventKind,
    EventRecord,
    FutureOccurrence,
    HealthReport,
    MigrationReport,
    NewTask,
    ProjectRecord,
    ProjectRemoval,
    Sort,
    Status,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    TaskSnapshot,
    TreeContext,
    UndoResult,
)
from store.recurrence import Repeat, start_due
from store.rows import OwnerRows
from store.series import SeriesRows, future_dates, next_occurrence_due, shifted, skipped_due
from store.structure import MAX_SUBTASK_DEPTH, TaskLinks
from store.tree_order import TreeOrder
from store.validation import (
    MAX_POSITION,
    UUID_TEXT,
    clean_description,
    clean_title,
    day_problem,
    moment_problem,
    number_problem,
)

if TYPE_CHECKING:
    from store.ical import StoredObject
    from store.migrate import DataLoss
    from store.sync_rows import SyncRows
    from store.transfer import ImportedTask, ImportOutcome

P = ParamSpec("P")
R = TypeVar("R")

# Past this many changed tasks a running app reloads what it shows instead of row by row.
CHANGESET_LIMIT = 500
# What an id typed in any case may be the start of: UUID text (hex digits and dashes).
_HEX_TEXT = re.compile(r"[0-9a-fA-F-]+")


class _Keep:
    """The default of an optional field in update(): leave it as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def new_task_id() -> str:
    """A random UUID for a new task (a module function so tests can make ids repeatable)."""
    return str(uuid.uuid4())


def _operation(
    method: Callable[Concatenate[TaskStore, P], R],
) -> Callable[Concatenate[TaskStore, P], R]:
    """Run a store method in a database session: connection ready, errors translated."""

    @functools.wraps(method)
    def wrapper(self: TaskStore, /, *args: P.args, **kwargs: P.kwargs) -> R:
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
        self._rows = OwnerRows(backend, self._models, user)
        self._queries = TaskQueries(backend, self._models, user)
        self._projects = ProjectRows(self._models, self._rows, clock)
        self._links = TaskLinks(self._models, user)
        self._order = TreeOrder(self._models, self._links, user)
        self._series = SeriesRows(self._models, user)
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
    def pending_migrations(self) -> list[str]:
        """The schema steps an open with migration would apply, as '0002 sort_indexes'."""
        version = migrations.read_state(self._backend).version
        return [f"{step.VERSION:04d} {step.NAME}" for step in STEPS[version:]]

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

    @contextlib.contextmanager
    def one_change(self) -> Iterator[None]:
        """Several changes as one: kept together or not at all (as all_or_nothing), and
        taken back together by one undo, or passed over by one skip.

            with store.one_change():
                for task in chosen:
                    store.delete(task.id, expected_version=task.version)
        """
        with self._backend.session(), self._backend.write(), self._rows.one_change():
            yield

    # -- reading ---------------------------------------------------------------------------

    @_operation
    def get(self, task_id: str) -> TaskRecord:
        return self._rows.current(task_id)

    @_operation
    def get_many(self, task_ids: Iterable[str]) -> list[TaskRecord]:
        """Those of the given tasks that exist and belong to this owner (any order)."""
        Task = self._models.Task
        wanted = list(dict.fromkeys(task_ids))
        found: list[TaskRecord] = []
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            batch = wanted[start : start + 500]
            select = Task.select().where((Task.user == self.user) & Task.id.in_(batch))
            found.extend(self._rows.selected_records(select))
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
                return self._rows.records([row])[0]
        starting = Task.select(Task.id).where((Task.user == self.user) & Task.id.startswith(given))
        found = _ids_named(given, (task_id for (task_id,) in tuples(starting)))
        if not found:
            raise NotFoundError(f"No task with an id starting {given!r}.")
        if len(found) > 1:
            rows = Task.select().where((Task.user == self.user) & Task.id.in_(found[:10]))
            candidates = sorted(self._rows.records(rows), key=lambda c: (c.created_at, c.id))
            listed = ", ".join(f"{c.id[:12]} ({c.title[:30]})" for c in candidates)
            how_many = "more than 10" if len(found) > 10 else str(len(found))
            raise AmbiguousIdError(
                f"The id {given!r} matches {how_many} tasks: {listed}. Give more characters.",
                candidates,
            )
        return self._rows.current(found[0])

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
            .where(
                (TaskEvent.user == self.user)
                & (TaskEvent.subject == "task")
                & TaskEvent.task_id.startswith(given)
            )
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
            (task_id for (task_id,) in tuples(live)),
            (task_id for (task_id,) in tuples(logged)),
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
    def unique_prefix_length(self, minimum: int = 8) -> int:
        """How many leading characters tell every task of this owner apart (at least
        ``minimum``): the width the command line shows ids at, as git abbreviates hashes."""
        Task = self._models.Task
        # The driver's rows as they come: peewee's row iteration would cost more than
        # the comparison itself for a list of 10,000.
        sql, params = Task.select(Task.id).where(Task.user == self.user).sql()
        ids = sorted(task_id for (task_id,) in execute_sql(self._backend.db, sql, params))
        longest = minimum
        for left, right in itertools.pairwise(ids):
            shared = _shared_prefix(left, right)
            longest = max(longest, min(shared + 1, len(right)))
        return longest

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
        select, backwards = self._queries.page(
            query, limit=limit, offset=offset, after=after, before=before, from_end=from_end
        )
        records = self._rows.selected_records(select)
        return records[::-1] if backwards else records

    def iter_all(self, batch: int = 1000) -> Iterator[TaskRecord]:
        """Every task of this owner in creation order, fetched a page at a time."""
        after: TaskRecord | None = None
        while True:
            page = self.list_tasks(TaskQuery(), limit=batch, after=after)
            yield from page
            if len(page) < batch:
                return
            after = page[-1]

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
        task = self._rows.records([row])[0]
        if not query.matches(task):
            return None
        earlier = self._queries.earlier(query.sort, task)
        return self._queries.count(query, where=earlier)

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
        task = self._rows.records([row])[0] if row is not None else None
        if task is None or not query.matches(task):
            return self.count(query), None
        if not query.terms:
            return self.count(query), self.position_of(task.id, query)
        earlier = self._queries.earlier(query.sort, task)
        Task = self._models.Task
        total, before = (
            self._queries.filtered(query, counting=True)
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
        plain = query.due_until is None and query.tag is None and query.projects is None
        plain = plain and not query.ready and not query.folded
        if plain and not query.terms:
            counts = self._rows.counters()
            return {Status.OPEN: counts.open, Status.DONE: counts.done}.get(
                query.status, counts.total
            )
        return self._queries.count(query)

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
        order = self._queries.due_order()
        # The due order compares as text: the moment as a key, and a bare day as the
        # start of that day (it sorts before all of the day's keys, its end included).
        moment = Due(today, now.time().replace(second=0, microsecond=0)).order_key
        bounds = [moment, *((d + timedelta(days=1)).isoformat() for d in days)]
        # The view without its own "due until" bound: each read below states one range
        # of due dates, the shape SQLite matches to the (owner, status, due) index;
        # with two bounds it may walk the (owner, due) one and read every row.
        view = self._queries.filtered(dataclasses.replace(query, due_until=None), counting=True)
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
        return [name for (name,) in tuples(names)]

    @_operation
    def counts(self, search: str = "") -> TaskCounts:
        """Open and done tasks of this owner (matching ``search`` if given)."""
        if not TaskQuery(search=search).terms:
            return self._rows.counters()
        Task = self._models.Task
        select = (
            self._queries.filtered(TaskQuery(status=Status.ALL, search=search))
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
            .where(
                (TaskEvent.task_id == task_id)
                & (TaskEvent.user == self.user)
                & (TaskEvent.subject == "task")
            )
            .order_by(TaskEvent.id)
        )
        if not rows:
            self._rows.get_row(task_id)  # NotFoundError unless it is an adopted task with no log
        return [event_of(row) for row in rows]

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
                    & (TaskEvent.subject == "task")
                    & TaskEvent.task_id.in_(wanted[start : start + 500])
                )
                .order_by(TaskEvent.id)
            )
            for row in rows:
                found[row.task_id].append(event_of(row))
        return found

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
            tuples(
                TaskEvent.select(TaskEvent.id, TaskEvent.task_id, TaskEvent.user, TaskEvent.subject)
                .where(TaskEvent.id > event_id)
                .order_by(TaskEvent.id)
                .limit(CHANGESET_LIMIT + 1)
            )
        )
        if not rows:
            return ChangeSet(last_event_id=event_id)
        if len(rows) > CHANGESET_LIMIT:
            return ChangeSet(last_event_id=self.last_event_id(), too_many=True)
        mine = [(task_id, subject) for _, task_id, user, subject in rows if user == self.user]
        return ChangeSet(
            last_event_id=rows[-1][0],
            task_ids=frozenset(task_id for task_id, subject in mine if subject == "task"),
            projects=any(subject == "project" for _, subject in mine),
        )

    def _last_seen(self, task_id: str) -> TaskRecord:
        """The task as it is, or for a deleted one as its history last shows it."""
        Task, TaskEvent = self._models.Task, self._models.TaskEvent
        row = Task.get_or_none((Task.id == task_id) & (Task.user == self.user))
        if row is not None:
            return self._rows.records([row])[0]
        logged = (
            TaskEvent.select()
            .where(
                (TaskEvent.task_id == task_id)
                & (TaskEvent.user == self.user)
                & (TaskEvent.subject == "task")
            )
            .order_by(TaskEvent.id.desc())
        )
        for event_row in logged:  # the newest that holds a state (a skipped undo holds none)
            event = event_of(event_row)
            snapshot = event.before or event.after
            if snapshot is not None:
                return record_from_snapshot(task_id, self.user, snapshot)
        raise NotFoundError(f"No task with id {task_id}.")

    # -- changing one task (or many, each logged on its own) -------------------------------

    @_operation
    def create(
        self,
        title: str,
        description: str = "",
        *,
        due: Due | None = None,
        priority: Priority = Priority.NONE,
        tags: Sequence[str] = (),
        project_id: str | None = None,
        parent_id: str | None = None,
        blocked_by: Sequence[str] = (),
        repeat: Repeat | None = None,
    ) -> TaskRecord:
        """A new task, last in the owner's order. A subtask (``parent_id``) goes into
        its parent's project, last under it (after the parent's other subtasks and
        theirs); ``blocked_by`` names the tasks it waits for.

        With ``repeat`` it is the first occurrence of a series: due on ``due``, or on the
        rule's first day from today when no due is given; the rule counts from there."""
        title = clean_title(title)
        description = clean_description(description)
        now = self._clock()
        if repeat is not None:
            due = self._repeat_due(repeat, None, _checked_due(due))
            repeat = dataclasses.replace(repeat, start=due.day)
        task_id = new_task_id()
        record = TaskRecord(
            id=task_id,
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
            project_id=project_id,
            repeat=repeat,
            series_id=task_id if repeat is not None else None,
            occurrence=1 if repeat is not None else None,
        )
        with self._backend.write():
            if parent_id is not None:
                parent = self._rows.current(parent_id)  # NotFoundError if not this owner's
                if project_id is not None and project_id != parent.project_id:
                    raise ValidationError("parent", "A subtask is in its parent task's project.")
                if len(self._links.ancestors(parent.id)) + 2 > MAX_SUBTASK_DEPTH:
                    raise ValidationError("parent", _TOO_DEEP)
                project_id = parent.project_id
            if project_id is not None:
                self._projects.get_row(project_id)  # NotFoundError if it is not this owner's
            self._rows.ensure_user(now)
            if parent_id is None:
                position = self._rows.next_position()
            else:
                position = self._slots(
                    lambda: self._order.after(
                        self._order.end_of_subtree(parent_id, ()), (), count=1
                    )
                )[0]
            record = replaced(
                record,
                position=position,
                tags=self._rows.canonical_tags(record.tags),
                project_id=project_id,
                parent_id=parent_id,
                blocked_by=self._checked_blockers(None, blocked_by),
            )
            self._rows.insert(record)
            self._rows.log(EventKind.CREATED, record.id, now, before=None, after=record)
        return normalised(record)

    @_operation
    def create_many(self, tasks: Iterable[NewTask]) -> list[TaskRecord]:
        """Create many tasks in one transaction, each with its 'created' event.

        All are validated first: one bad task refuses the whole batch, naming it,
        and nothing is written. Given ids and timestamps are kept (imports); the
        rest are filled in as ``create`` would. The rows take the bulk path that
        imports take too (store.bulk): the driver's executemany.
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
        from store.bulk import BulkInsert, Stamps, spelled  # only for many tasks at once

        stamps = Stamps()
        with self._backend.write():
            self._rows.ensure_user(now)
            first_seq, first_position = self._rows.next_seq(), self._rows.next_position()
            tag_ids = self._rows.ensure_tags({t for r in records for t in r.tags})
            records = [
                replaced(r, position=first_position + n, tags=spelled(r.tags, tag_ids))
                for n, r in enumerate(records)
            ]
            BulkInsert(self._backend, self._models, self.user).tasks(
                records, first_seq=first_seq, tag_ids=tag_ids, logged_at=now, stamp=stamps
            )
        read_back = stamps.read_back()
        return [
            replaced(r, created_at=read_back[r.created_at], updated_at=read_back[r.updated_at])
            for r in records
        ]

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
        project_id: str | None = KEEP,
        parent_id: str | None = KEEP,
        blocked_by: Sequence[str] | None = None,
        repeat: Repeat | None = KEEP,
    ) -> TaskRecord:
        """Change any of title, description, due date (None clears it), priority, tags,
        project (None: the Inbox), parent task (None: none), the tasks it is blocked
        by and its repeat (None stops it: the task stays, no occurrence follows), if
        the task is still at ``expected_version``.

        A new repeat rule applies from this task on: it keeps its due date if that is
        one of the rule's days, else moves to the rule's first day from today (unless
        ``due`` is given too), and the rule counts from there.

        Its subtasks go where it goes: to another project, or with it under a new
        parent (which takes it into the parent's project). A subtask moved to another
        project leaves its parent. A parent under the task itself, or deeper than
        MAX_SUBTASK_DEPTH levels, and blocks that wait on each other, are refused.

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
        if project_id is not KEEP:
            changes["project_id"] = project_id
        with self._backend.write(), self._rows.one_change():
            if project_id not in (KEEP, None):
                self._projects.get_row(project_id)  # NotFoundError if it is not this owner's
            current = self._rows.current(task_id)
            self._check_version(current, expected_version)
            if blocked_by is not None:
                changes["blocked_by"] = self._checked_blockers(current.id, blocked_by)
            if repeat is not KEEP:
                changes.update(self._repeat_changes(current, repeat, changes))
            elif "due" in changes and changes["due"] is None and current.repeat is not None:
                raise ValidationError("due", _REPEAT_NEEDS_DUE)
            # A parent named again with another project is refused, not dropped.
            placing = parent_id is not KEEP and (
                parent_id != current.parent_id or (parent_id is not None and project_id is not KEEP)
            )
            if placing:
                changes.update(self._placed_under(current, parent_id, changes))
            elif "project_id" in changes and current.parent_id is not None:
                parent = self._rows.current(current.parent_id)
                if parent.project_id != changes["project_id"]:
                    changes["parent_id"] = None  # a subtask is in its parent's project
            positions: dict[str, float] = {}
            if changes.get("parent_id", current.parent_id) != current.parent_id:
                positions = self._placed_in_order(current, changes["parent_id"])
                changes["position"] = positions[current.id]
            updated = self._apply(current, EventKind.EDITED, changes)
            moved_project = updated.project_id != current.project_id
            if moved_project or positions:
                for below in self._rows.current_many(self._links.subtree(current.id)[1:]):
                    follows: dict[str, Any] = {"project_id": updated.project_id}
                    if below.id in positions:
                        follows["position"] = positions[below.id]
                    self._apply(below, EventKind.EDITED, follows)
            if "blocked_by" in changes:
                # Whether it is blocked now depends on its blockers' rows: read it back.
                return self._rows.current(updated.id)
            return updated

    def _placed_in_order(self, current: TaskRecord, parent_id: str | None) -> dict[str, float]:
        """New positions for ``current`` and its subtree, going under ``parent_id``.

        Under a new parent it goes last among that parent's subtasks. Up to one of its
        own ancestors (outdent), or to the top, it goes right after the branch it left,
        so that it stays where the eye has it rather than jumping to the branch's end.
        """
        block = self._order.preorder(current.id)
        ancestors = self._links.ancestors(current.id)
        if parent_id is None or parent_id in ancestors:
            upto = ancestors.index(parent_id) if parent_id is not None else len(ancestors)
            anchor = ancestors[upto - 1]  # the ancestor directly under the new parent
        else:
            anchor = parent_id
        moving = set(block)
        positions = self._slots(
            lambda: self._order.after(
                self._order.end_of_subtree(anchor, moving), moving, count=len(block)
            )
        )
        return dict(zip(block, positions, strict=True))

    def _slots(self, find: Callable[[], list[float] | None]) -> list[float]:
        """Positions ``find`` works out; if floating point has run out where it looks,
        every position is spaced out again (order kept) and it looks once more."""
        found = find()
        if found is None:
            self._renumber_positions()
            found = find()
        if found is None:
            raise StoreError("The tasks' order could not be spaced out; nothing was changed.")
        return found

    @_operation
    def indent(self, task_id: str, *, expected_version: int, query: TaskQuery) -> TaskRecord:
        """Put the task under the task above it at its level, in ``query``'s tree (my
        order): last among that task's subtasks. Its own subtasks go with it."""
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            self._check_version(current, expected_version)
            above = self._sibling(current, query, -1)
            if above is None:
                raise ValidationError(
                    "parent", "There is no task above this one at its level to put it under."
                )
            return self.update(task_id, expected_version=expected_version, parent_id=above.id)

    @_operation
    def outdent(self, task_id: str, *, expected_version: int) -> TaskRecord:
        """Take a subtask one level up: it follows its former parent's branch."""
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            self._check_version(current, expected_version)
            if current.parent_id is None:
                raise ValidationError("parent", "This task is already at the top level.")
            parent = self._rows.current(current.parent_id)
            return self.update(
                task_id, expected_version=expected_version, parent_id=parent.parent_id
            )

    def _sibling(self, current: TaskRecord, query: TaskQuery, steps: int) -> TaskRecord | None:
        """The next (steps > 0) or previous task with the same parent that ``query``
        shows, in my order."""
        Task = self._models.Task
        shown = dataclasses.replace(query, sort=Sort.MANUAL)
        select, _ = self._queries.page(
            shown,
            limit=1,
            offset=0,
            after=current if steps > 0 else None,
            before=current if steps < 0 else None,
            from_end=False,
        )
        same_parent = (
            Task.parent_id.is_null()
            if current.parent_id is None
            else Task.parent_id == current.parent_id
        )
        found = self._rows.selected_records(select.where(same_parent))
        return found[0] if found else None

    def _placed_under(
        self, current: TaskRecord, parent_id: str | None, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """The changes that put ``current`` under ``parent_id`` (None: at the top)."""
        if parent_id is None:
            return {"parent_id": None}
        parent = self._rows.current(parent_id)  # NotFoundError if not this owner's
        if parent.id in self._links.subtree(current.id):
            raise ValidationError(
                "parent", "A task cannot go under itself or under one of its subtasks."
            )
        if len(self._links.ancestors(parent.id)) + 1 + self._links.levels(current.id) > (
            MAX_SUBTASK_DEPTH
        ):
            raise ValidationError("parent", _TOO_DEEP)
        if changes.get("project_id", parent.project_id) != parent.project_id:
            raise ValidationError("parent", "A subtask is in its parent task's project.")
        return {"parent_id": parent.id, "project_id": parent.project_id}

    def _checked_blockers(self, task_id: str | None, blockers: Sequence[str]) -> tuple[str, ...]:
        """The ids, each an existing task of the owner's, none the task itself, and
        none waiting (through other blocks) on it; sorted, each once."""
        wanted = tuple(sorted(set(blockers)))
        if not wanted:
            return ()
        if task_id is not None and task_id in wanted:
            raise ValidationError("blocked_by", "A task cannot be blocked by itself.")
        found = {task.id for task in self._rows.current_many(wanted)}
        missing = [blocker for blocker in wanted if blocker not in found]
        if missing:
            raise NotFoundError(f"No task with id {missing[0]} (it may have been deleted).")
        if task_id is not None and self._links.would_cycle(task_id, wanted):
            raise ValidationError(
                "blocked_by",
                "That block would make the tasks wait on each other: one of them already "
                "waits, through its blockers, on this task.",
            )
        return wanted

    @_operation
    def subtasks(self, task_id: str, *, deep: bool = False) -> list[TaskRecord]:
        """The tasks directly under this one, in the owner's order; with ``deep``,
        every task under it, each level after the one above it."""
        below = self._links.subtree(task_id)[1:] if deep else self._links.children([task_id])
        return self._rows.current_many(below)

    @_operation
    def subtask_counts(self, task_ids: Sequence[str]) -> dict[str, TaskCounts]:
        """Open and done subtasks directly under each of these tasks that has any."""
        return self._links.subtask_counts(list(task_ids))

    @_operation
    def tree_context(self, tasks: Sequence[TaskRecord]) -> dict[str, TreeContext]:
        """For each of these tasks (a page of a list): the tasks above it, its project's
        path and its subtasks counted. A few queries for the whole page."""
        above = self._links.lineage(
            [task.parent_id for task in tasks if task.parent_id is not None]
        )
        counts = self._links.subtask_counts([task.id for task in tasks])
        # Every path from one read of the owner's projects: a page may hold a hundred
        # projects, and each path read alone walks up its levels one query at a time.
        wanted = {task.project_id for task in tasks if task.project_id}
        paths = {p.id: p.path for p in self._projects.tree() if p.id in wanted} if wanted else {}
        contexts: dict[str, TreeContext] = {}
        for task in tasks:
            ids: list[str] = []
            titles: list[str] = []
            parent = task.parent_id
            while parent is not None and parent in above and len(ids) < MAX_SUBTASK_DEPTH:
                ids.append(parent)
                parent, title = above[parent]
                titles.append(title)
            contexts[task.id] = TreeContext(
                parent_ids=tuple(reversed(ids)),
                parent_titles=tuple(reversed(titles)),
                project=paths.get(task.project_id) if task.project_id else None,
                subtasks=counts.get(task.id),
            )
        return contexts

    @_operation
    def ancestors(self, task_id: str) -> list[TaskRecord]:
        """The task's parent, then its parent's, up to a top-level task."""
        return self._rows.current_many(self._links.ancestors(task_id))

    @_operation
    def set_completed(
        self,
        task_id: str,
        completed: bool,
        *,
        expected_version: int | None = None,
        with_subtasks: bool = False,
    ) -> TaskRecord:
        """Mark the task done or open; ``with_subtasks``, every task under it too, as
        one change. Completing a repeating task makes its next occurrence in the same
        change (see ``_completed``)."""
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            updated = self._completed(current, bool(completed))
            if with_subtasks:
                # Each as if marked alone: a repeating one hands its rule on.
                for below in self._rows.current_many(self._links.subtree(task_id)[1:]):
                    self._completed(below, bool(completed))
            return updated

    @_operation
    def toggle(self, task_id: str, *, expected_version: int | None = None) -> TaskRecord:
        """Flip done/open. With ``expected_version``, refuse if someone else changed it first."""
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            return self._completed(current, not current.completed)

    def _completed(self, current: TaskRecord, completed: bool) -> TaskRecord:
        """Mark the task done or open. A repeating task marked done hands its repeat on
        to the next occurrence, made here (new id; same title, notes, tags, project,
        priority and parent; its subtasks copied, open; due by the rule) unless the
        rule has ended or that occurrence exists already: a second completion of the
        same occurrence, racing or later, never makes a second one. Its own subtasks
        still open are done with it (their copies are the next one's). The caller's
        one change holds it all, so one undo removes the next and opens this one again;
        so does opening it again while the next is as it was made (see _reopened)."""
        if not completed and current.completed and current.series_id is not None:
            return self._reopened(current)
        if not completed or current.completed or current.repeat is None:
            return self._apply(current, EventKind.TOGGLED, {"completed": completed})
        now = self._clock()
        series_id = current.series_id or current.id
        number = current.occurrence or 1
        updated = self._apply(current, EventKind.TOGGLED, _done_handing_on(current))
        if not self._series.has_occurrence(series_id, number + 1):
            due = next_occurrence_due(current, local_now(now).date())
            if due is not None:
                below = self._rows.current_many(self._links.subtree(current.id)[1:])
                for sub in below:  # done first: a repeating one hands its rule to its copy
                    if not sub.completed:
                        self._apply(sub, EventKind.TOGGLED, _done_handing_on(sub))
                self._make_next(current, due, series_id, number + 1, now, below)
        return updated

    def _copied_series(self, sub: TaskRecord) -> dict[str, Any]:
        """A copied subtask's place in a series: a repeating one (open when its parent
        was done) goes on as its series' next occurrence; any other is in none."""
        if sub.repeat is None or sub.completed:
            return {"repeat": None, "series_id": None, "occurrence": None}
        series_id, number = sub.series_id or sub.id, (sub.occurrence or 1) + 1
        if self._series.has_occurrence(series_id, number):
            return {"repeat": None, "series_id": None, "occurrence": None}
        return {"repeat": sub.repeat, "series_id": series_id, "occurrence": number}

    def _reopened(self, done: TaskRecord) -> TaskRecord:
        """Open a done occurrence again. If the occurrence its completion made is still
        exactly as made (each task of it has no change but its creation, in that same
        change, and none blocks another task), that one goes, this one takes the repeat
        back and its subtasks that completion marked done open again: marking done and
        open again leaves the series as it was. Otherwise (the next one was worked on)
        this one opens as a plain task, and the series goes on from the next."""
        following = self.next_in_series(done)
        completion = self._completion_change(done.id)
        if following is None or following.repeat is None or completion is None:
            return self._apply(done, EventKind.TOGGLED, {"completed": False})
        made = self._links.subtree(following.id)
        logged = self.histories(made)
        untouched = not self._links.blocked_by_them(made) and all(
            len(events) == 1
            and events[0].kind is EventKind.CREATED
            and events[0].change_id == completion
            for events in logged.values()
        )
        if not untouched:
            return self._apply(done, EventKind.TOGGLED, {"completed": False})
        self._delete_tasks([following.id], self._clock())
        below = self._links.subtree(done.id)[1:]
        marked = self.histories(below)
        for sub in self._rows.current_many(below):
            last = marked[sub.id][-1] if marked[sub.id] else None
            if sub.completed and last is not None and last.change_id == completion:
                # As it was: open, with the rule it had handed to its copy, if any.
                had = last.before.repeat if last.before is not None else None
                self._apply(sub, EventKind.TOGGLED, {"completed": False, "repeat": had})
        return self._apply(
            done, EventKind.TOGGLED, {"completed": False, "repeat": following.repeat}
        )

    def _completion_change(self, task_id: str) -> int | None:
        """The change the task's latest completion was part of (the id of its first
        event), when it was one of several events (a next occurrence made with it)."""
        TaskEvent = self._models.TaskEvent
        rows = (
            TaskEvent.select()
            .where(
                (TaskEvent.task_id == task_id)
                & (TaskEvent.user == self.user)
                & (TaskEvent.subject == "task")
                & (TaskEvent.kind == EventKind.TOGGLED.value)
            )
            .order_by(TaskEvent.id.desc())
            .limit(1)
        )
        for row in rows:
            event = event_of(row)
            if event.after is not None and event.after.completed and not event.skipped:
                return event.change_id
        return None

    def _make_next(
        self,
        done: TaskRecord,
        due: Due,
        series_id: str,
        number: int,
        now: datetime,
        below: Sequence[TaskRecord],
    ) -> TaskRecord:
        """The occurrence after ``done``, right after it in my order, with copies of its
        subtasks (``below``, as they were before it was done: open, their due dates moved
        as far as its own moved; one that repeats goes on in its copy)."""
        block = self._order.preorder(done.id)
        by_id = {sub.id: sub for sub in below}
        below = [by_id[task_id] for task_id in block[1:] if task_id in by_id]
        new_ids = {old: new_task_id() for old in block}
        positions = self._slots(
            lambda: self._order.after(self._order.end_of_subtree(done.id, ()), (), len(block))
        )
        days = (due.day - done.due.day).days if done.due is not None else 0
        made = [
            _fresh_copy(
                done, new_ids[done.id], now, positions[0], due=due, series_id=series_id,
                occurrence=number,
            )
        ]  # fmt: skip
        for position, sub in zip(positions[1:], below, strict=True):
            parent = new_ids.get(sub.parent_id or "", sub.parent_id)
            made.append(
                _fresh_copy(
                    sub, new_ids[sub.id], now, position, due=shifted(sub.due, days),
                    parent_id=parent, **self._copied_series(sub),
                )
            )  # fmt: skip
        for record in made:
            self._rows.insert(record)
            self._rows.log(EventKind.CREATED, record.id, now, before=None, after=record)
        return normalised(made[0])

    @_operation
    def delete(self, task_id: str, *, expected_version: int | None = None) -> TaskRecord:
        """Delete the task and every task under it, as one undoable change; returns the
        task as it was. Tasks it blocked are no longer blocked by it (undo puts that back)."""
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            self._delete_tasks([current.id], self._clock())
        return current

    def _delete_tasks(self, task_ids: Sequence[str], now: datetime) -> int:
        """Delete these tasks with their subtrees; how many went. First each block on
        them goes, logged as an edit of the blocked task; then the tasks, the deepest
        first (a parent is referred to until its subtasks are gone). Undo, newest first,
        brings the tasks back from the top down, then the blocks, when all are there."""
        doomed = list(dict.fromkeys(sub for top in task_ids for sub in self._links.subtree(top)))
        gone = set(doomed)
        for blocked in self._rows.current_many(list(self._links.blocked_by_them(doomed))):
            kept = tuple(blocker for blocker in blocked.blocked_by if blocker not in gone)
            self._apply(blocked, EventKind.EDITED, {"blocked_by": kept})
        records = {task.id: task for task in self._rows.current_many(doomed)}

        def depth(task_id: str) -> int:
            levels, parent = 0, records[task_id].parent_id
            while parent in gone and levels <= len(gone):
                levels, parent = levels + 1, records[parent].parent_id
            return levels

        for task_id in sorted(doomed, key=depth, reverse=True):
            self._delete_row(records[task_id], now)
        return len(doomed)

    def _delete_row(self, current: TaskRecord, now: datetime) -> None:
        Task, TaskBlock = self._models.Task, self._models.TaskBlock
        if current.blocked_by:  # its own blocks: kept in its logged state, for undo
            TaskBlock.delete().where(TaskBlock.task_id == current.id).execute()
        Task.delete().where((Task.id == current.id) & (Task.user == self.user)).execute()
        self._rows.ensure_user(now)
        self._rows.log(EventKind.DELETED, current.id, now, before=current, after=None)

    @_operation
    def move(self, task_id: str, steps: int, query: TaskQuery = TaskQuery()) -> TaskRecord:
        """Move a task one place down (steps > 0) or up in the owner's own order, past
        the next task at its level that ``query`` shows (tasks it hides keep their
        places). Its subtasks move with it, and it passes the other task's too.

        One undoable change. Returns the task as it is now.
        """
        with self._backend.write(), self._rows.one_change():
            current = self._rows.current(task_id)
            other = self._sibling(current, query, steps)
            if other is None:
                return normalised(current)  # already first or last at its level
            block = self._order.preorder(current.id)
            moving = set(block)

            def place() -> list[float] | None:
                if steps > 0:
                    end = self._order.end_of_subtree(other.id, moving)
                    return self._order.after(end, moving, count=len(block))
                return self._order.before(
                    self._rows.current(other.id).position, moving, count=len(block)
                )

            positions = dict(zip(block, self._slots(place), strict=True))
            moved = {
                record.id: self._apply(record, EventKind.EDITED, {"position": positions[record.id]})
                for record in self._rows.current_many(block)
            }
            return moved[current.id]

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
            current=normalised(current),
            changed_fields=changed,
        )

    def _snapshot_at(self, task_id: str, version: int) -> TaskSnapshot | None:
        TaskEvent = self._models.TaskEvent
        for row in (
            TaskEvent.select()
            .where(
                (TaskEvent.task_id == task_id)
                & (TaskEvent.user == self.user)
                & (TaskEvent.subject == "task")
            )
            .order_by(TaskEvent.id.desc())
        ):
            event = event_of(row)
            if event.after is not None and event.after.version == version:
                return event.after
        return None

    def _apply(self, current: TaskRecord, kind: EventKind, changes: dict[str, Any]) -> TaskRecord:
        """Write ``changes`` to the task with a new version and log ``kind``; no-op if equal."""
        _refuse_unreadable(current, "changed")
        if "tags" in changes:
            changes["tags"] = self._rows.canonical_tags(changes["tags"])
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return normalised(current)
        now = self._clock()
        updated = replaced(current, **changes, updated_at=now, version=current.version + 1)
        self._rows.write_fields(current, updated)
        self._rows.ensure_user(now)
        self._rows.log(kind, current.id, now, before=current, after=updated)
        return normalised(updated)

    def _renumber_positions(self) -> None:
        Task = self._models.Task
        ids = [
            task_id
            for (task_id,) in tuples(
                Task.select(Task.id).where(Task.user == self.user).order_by(Task.position, Task.id)
            )
        ]
        for number, task_id in enumerate(ids, start=1):
            Task.update(position=float(number)).where(Task.id == task_id).execute()

    # -- repeating tasks -------------------------------------------------------------------

    def _today(self) -> date:
        return local_now(self._clock()).date()

    def _repeat_due(self, repeat: Repeat, current: Due | None, given: Due | None) -> Due:
        """The due a task takes with this repeat (see recurrence.start_due), checked."""
        try:
            now = local_now(self._clock())
            due = start_due(repeat, current, now.date(), given, now=now.time())
        except ValueError as error:
            raise ValidationError("repeat", str(error)) from None
        checked = _checked_due(due)
        assert checked is not None
        return checked

    def _repeat_changes(
        self, current: TaskRecord, repeat: Repeat | None, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """What giving the task this repeat (None: stopping it) changes besides."""
        if repeat is None:
            return {"repeat": None}
        if not isinstance(repeat, Repeat):
            raise ValidationError("repeat", "A repeat must be a rule with its mode.")
        if current.completed:
            raise ValidationError(
                "repeat", "A done task does not repeat: open it again first, then give it a rule."
            )
        given = changes.get("due", KEEP)
        if given == current.due:
            given = KEEP  # an editor sends every field: the same due is no new one
        if given is None:
            raise ValidationError("due", _REPEAT_NEEDS_DUE)
        same_rule = current.repeat is not None and (current.repeat.rule, current.repeat.mode) == (
            repeat.rule,
            repeat.mode,
        )
        if same_rule:
            return {}  # the rule it has: its due (if given) moves, the rule's start stays
        due = self._repeat_due(repeat, current.due, None if given is KEEP else given)
        found: dict[str, Any] = {"repeat": dataclasses.replace(repeat, start=due.day), "due": due}
        if current.series_id is None:
            found.update(series_id=current.id, occurrence=1)
        elif self._series.has_occurrence(current.series_id, (current.occurrence or 1) + 1):
            # A past occurrence opened again and given a rule: its series goes on from
            # the next one, so this starts a series of its own.
            found.update(series_id=new_task_id(), occurrence=1)
        return found

    @_operation
    def skip_occurrence(self, task_id: str, *, expected_version: int | None = None) -> TaskRecord:
        """Move a repeating task on to its next date without completing it: the rule's
        next day after its due (on schedule), or counted from its due or today, the
        later (after completion).
        One undoable change; refused when the rule has no date after this one."""
        with self._backend.write():
            current = self._rows.current(task_id)
            if expected_version is not None:
                self._check_version(current, expected_version)
            if current.repeat is None:
                raise ValidationError(
                    "repeat", f"“{current.title}” does not repeat: no date to skip to."
                )
            if current.completed:
                raise ValidationError(
                    "repeat", f"“{current.title}” is done: there is nothing to skip."
                )
            due = skipped_due(current, self._today())
            if due is None:
                raise ValidationError(
                    "repeat",
                    f"“{current.title}” is the last of its series (its rule ends there): "
                    "nothing follows to skip to. Complete it, or stop its repeat.",
                )
            return self._apply(current, EventKind.EDITED, {"due": due})

    @_operation
    def series(
        self, task_id: str, *, last: int | None = None, before_it: bool = False
    ) -> list[TaskRecord]:
        """Every task of the task's series, first occurrence first; with ``before_it``
        only those numbered before it; with ``last`` the last ones only (the task alone
        when it belongs to none)."""
        task = self._rows.current(task_id)
        if task.series_id is None:
            return [] if before_it else [task]
        before = (task.occurrence or 1) if before_it else None
        return self._rows.current_many(self._series.members(task.series_id, last, before))

    @_operation
    def series_counts(self, task_id: str) -> tuple[int, int]:
        """How many tasks the task's series has, and how many of them were done before
        it (by their numbers): (1, 0) for a task in none."""
        task = self._rows.current(task_id)
        if task.series_id is None:
            return 1, 0
        return self._series.counts(task.series_id, task.occurrence or 1)

    @_operation
    def next_in_series(self, task: TaskRecord) -> TaskRecord | None:
        """The occurrence right after ``task`` in its series, if there is one now (what
        completing it made)."""
        series_id = task.series_id or task.id
        number = (task.occurrence or 1) + 1
        Task = self._models.Task
        rows = Task.select().where(
            (Task.user == self.user) & (Task.series_id == series_id) & (Task.occurrence == number)
        )
        found = self._rows.records(rows)
        return found[0] if found else None

    @_operation
    def future_occurrences(self, query: TaskQuery, until: date) -> list[FutureOccurrence]:
        """The dates up to ``until`` that the series among ``query``'s open tasks will
        fall due on after their open occurrence (not tasks yet: each becomes one when
        the one before is done), soonest first. On schedule only: a rule counted from
        each completion has no date known before the one before is done."""
        open_query = dataclasses.replace(query, status=Status.OPEN, due_until=None)
        select = self._series.open_repeating(self._queries.filtered(open_query))
        # Unordered: an order by position would take the planner to the (owner, done,
        # position) index and every open task; future_dates puts them in order.
        tasks = self._rows.selected_records(select)
        since = max(self._today() - timedelta(days=1), date.min)
        return future_dates([task for task in tasks if open_query.matches(task)], since, until)

    # -- projects --------------------------------------------------------------------------

    @_operation
    def projects(self) -> list[ProjectRecord]:
        """The owner's projects, depth first and siblings in their order, each with the
        open and done tasks in it and in the projects under it."""
        return self._projects.tree(counted=True)

    @_operation
    def project_paths(self) -> dict[str, str]:
        """Each project's path by its id: 'Work/Q4' for a task's ``project_id``."""
        return {project.id: project.path for project in self._projects.tree()}

    @_operation
    def inbox_counts(self) -> TaskCounts:
        """Open and done tasks in no project."""
        opened, done = self._projects.inbox_counts()
        return TaskCounts(open=opened, done=done)

    @_operation
    def project(self, path: str) -> ProjectRecord:
        """The project at ``path`` ('Work/Q4', any case); NotFoundError if there is none."""
        return self._projects.find(path)

    @_operation
    def project_by_id(self, project_id: str) -> ProjectRecord:
        return self._projects.record(self._projects.get_row(project_id))

    @_operation
    def project_scope(self, project_id: str) -> frozenset[str]:
        """The project and every project under it: a TaskQuery's ``projects`` for it."""
        self._projects.get_row(project_id)
        return self._projects.scope(project_id)

    @_operation
    def create_project(self, path: str, *, exist_ok: bool = False) -> ProjectRecord:
        """Make the project at ``path`` and any level above it that is missing, as one
        change. One that exists is refused, unless ``exist_ok`` (then returned as it is)."""
        names = project_names(path)
        with self._backend.write(), self._rows.one_change():
            row, made = self._projects.ensure(names, new_task_id)
            if not made and not exist_ok:
                raise ValidationError(
                    "project", f"There is already a project {self._projects.record(row).path}."
                )
            return self._projects.record(row)

    @_operation
    def ensure_project(self, path: str) -> tuple[ProjectRecord, bool]:
        """The project at ``path``, made (with any level above it that is missing, as
        one change) if there is none yet; and whether it was made. What quick add's
        +Work/Q4 and ``--project`` ask for."""
        names = project_names(path)
        with self._backend.write(), self._rows.one_change():
            row, made = self._projects.ensure(names, new_task_id)
            return self._projects.record(row), made

    @_operation
    def rename_project(self, project_id: str, name: str) -> ProjectRecord:
        """Give the project a new name (its tasks and sub-projects stay with it)."""
        name = project_name(name)
        with self._backend.write():
            row = self._projects.get_row(project_id)
            if name == row.name:
                return self._projects.record(row)
            return self._projects.record(self._projects.change(row, name=name))

    @_operation
    def move_project(self, project_id: str, parent_id: str | None) -> ProjectRecord:
        """Put the project (with all it holds) under ``parent_id``, or at the top (None),
        after the projects already there."""
        with self._backend.write():
            row = self._projects.get_row(project_id)
            if parent_id == row.parent_id:
                return self._projects.record(row)
            if parent_id is not None:
                self._projects.get_row(parent_id)
                if parent_id in self._projects.scope(project_id):
                    raise ValidationError(
                        "project", "A project cannot go under itself or a project inside it."
                    )
            new_depth = 0 if parent_id is None else self.project_by_id(parent_id).depth + 1
            own_depth = self._projects.record(row).depth
            levels = 1 + max(p.depth for p in self._subtree(project_id)) - own_depth
            if new_depth + levels > MAX_PROJECT_DEPTH:
                raise ValidationError(
                    "project", f"Projects go at most {MAX_PROJECT_DEPTH} levels deep."
                )
            return self._projects.record(self._projects.change(row, parent_id=parent_id))

    def _subtree(self, project_id: str) -> list[ProjectRecord]:
        return self._projects_in(self._projects.scope(project_id))

    @_operation
    def delete_project(self, project_id: str, *, with_tasks: bool = False) -> ProjectRemoval:
        """Delete the project, as one undoable change. Its tasks and the projects in it
        move up to its parent (or to the Inbox and the top) unless ``with_tasks``: then
        they are deleted, and every project under it, with every task of those."""
        Task = self._models.Task
        with self._backend.write(), self._rows.one_change():
            row = self._projects.get_row(project_id)
            project = self._projects.record(row)
            if with_tasks:
                scope = self._projects.scope(project_id)
                doomed = self._projects_in(scope)
                tasks = self._rows.records(
                    Task.select().where((Task.user == self.user) & Task.project_id.in_(list(scope)))
                )
                self._delete_tasks([task.id for task in tasks], self._clock())
                for gone in reversed(doomed):  # the deepest first: none is still a parent
                    self._projects.delete(self._projects.get_row(gone.id))
                return ProjectRemoval(project, tasks=len(tasks), projects=len(doomed) - 1)
            parent = row.parent_id
            inside = self._projects.children(project_id)
            for child in inside:
                self._projects.change(child, parent_id=parent)
            tasks = self._rows.records(
                Task.select().where((Task.user == self.user) & (Task.project_id == project_id))
            )
            for task in tasks:
                self._apply(task, EventKind.EDITED, {"project_id": parent})
            self._projects.delete(self._projects.get_row(project_id))
            return ProjectRemoval(project, tasks=len(tasks), projects=len(inside), moved=True)

    def _links_problem(
        self,
        task_id: str,
        snapshot: TaskSnapshot,
        fields: Sequence[str] | None,
        current: TaskRecord | None,
    ) -> str | None:
        """Why putting back these fields (all: None) would point at what is gone: the
        task's project, its parent task, a task that blocked it; or None."""
        names = set(EDITABLE_FIELDS if fields is None else fields)
        if "project_id" in names and snapshot.project_id is not None:
            Project = self._models.Project
            there = Project.get_or_none(
                (Project.id == snapshot.project_id) & (Project.user == self.user)
            )
            if there is None:
                return "the project it was in is gone"
        if "parent_id" in names and snapshot.parent_id is not None:
            found = self._rows.current_many([snapshot.parent_id])
            if not found:
                return "its parent task is gone"
            if fields is not None:
                if snapshot.parent_id in self._links.subtree(task_id):
                    return "its parent task is now under it"
                levels = len(self._links.ancestors(snapshot.parent_id)) + 1
                if levels + self._links.levels(task_id) > MAX_SUBTASK_DEPTH:
                    return f"it would put subtasks more than {MAX_SUBTASK_DEPTH} levels deep"
                here = current.project_id if current is not None else None
                project = snapshot.project_id if "project_id" in names else here
                if found[0].project_id != project:
                    return "its parent task is in another project now"
        if "blocked_by" in names and snapshot.blocked_by:
            there_now = self._rows.current_many(snapshot.blocked_by)
            if len(there_now) < len(snapshot.blocked_by):
                return "a task that blocked it is gone"
            if fields is not None and self._links.would_cycle(task_id, snapshot.blocked_by):
                return "the tasks it was blocked by now wait on it"
        return self._series_problem(task_id, snapshot, names, current)

    def _series_problem(
        self,
        task_id: str,
        snapshot: TaskSnapshot,
        names: set[str],
        current: TaskRecord | None,
    ) -> str | None:
        """Why putting back these fields would give the task a place in its series that
        another task has now, or a second open occurrence carrying the series' rule."""

        def after(name: str) -> Any:
            kept = current is not None and name not in names
            return getattr(current, name) if kept else getattr(snapshot, name)

        series_id, number = after("series_id"), after("occurrence")
        if series_id is None:
            return None
        Task = self._models.Task
        others = Task.select(Task.id).where((Task.series_id == series_id) & (Task.id != task_id))
        if number is not None and others.where(Task.occurrence == number).exists():
            return "its place in its series is another task's now"
        carrying = after("repeat") is not None and not after("completed")
        open_carriers = others.where(
            Task.repeat.is_null(False) & (Task.completed == False)  # noqa: E712
        )
        if carrying and open_carriers.exists():
            return "its series has another open occurrence, which carries the rule now"
        return None

    def _projects_in(self, scope: frozenset[str]) -> list[ProjectRecord]:
        return [p for p in self._projects.tree() if p.id in scope]

    # -- undo ------------------------------------------------------------------------------

    @_operation
    def undo(self) -> UndoResult:
        """Revert this owner's most recent change not yet undone. Repeat to walk further back.

        A change of several tasks (one_change) is reverted whole, newest event first: the
        result names the newest and holds the rest in ``together``. A change that cannot
        be undone (its task changed since, its id is now another task's, it would put
        back what validation refuses, it cannot be read), or any part of one that cannot,
        raises UndoBlockedError and changes nothing; ``skip_undo`` passes over it.
        """
        with self._backend.write():
            events = self._change_of(self._next_to_undo())
            results: list[UndoResult] = []
            with self._rows.one_change():  # the undo of a change of several is one too
                for undone in events:
                    task, event = self._revert(undone)
                    results.append(UndoResult(undone=undone, event=event, task=task))
        return dataclasses.replace(results[0], together=tuple(results[1:]))

    @_operation
    def skip_undo(self) -> UndoResult:
        """Pass over this owner's most recent change not yet undone, without undoing it, so
        that the next undo reaches the change before it: the way past a change that
        cannot be undone. The skip is logged (an event naming the change, that changes no
        task), so it lasts; it is itself not undone."""
        with self._backend.write():
            events = self._change_of(self._next_to_undo())
            now = self._clock()
            self._rows.ensure_user(now)
            with self._rows.one_change():
                results = [self._skip(undone, now) for undone in events]
        return dataclasses.replace(results[0], together=tuple(results[1:]))

    def _skip(self, undone: EventRecord, now: datetime) -> UndoResult:
        Task = self._models.Task
        event_id, change_id = self._rows.log_row(
            subject=undone.subject,
            task_id=undone.task_id,
            kind=undone.kind.value,  # the schema's kinds are fixed; the marker says "skip"
            at=now,
            before=None,
            after={SKIP_MARKER: True},
            reverts=undone.id,
        )
        row = Task.get_or_none((Task.id == undone.task_id) & (Task.user == self.user))
        is_task = row is not None and undone.subject == "task"
        task = self._rows.records([row])[0] if is_task else None
        event = EventRecord(
            id=event_id,
            task_id=undone.task_id,
            user_id=self.user,
            kind=undone.kind,
            at=as_stored(now),
            before=None,
            after=None,
            reverts_event_id=undone.id,
            skipped=True,
            change_id=change_id,
            subject=undone.subject,
            project=undone.project,
        )
        return UndoResult(undone=undone, event=event, task=task, skipped=True)

    def _unanswered(self) -> Any:
        """This owner's changes that no undo (or skip) has answered yet, as a condition."""
        TaskEvent = self._models.TaskEvent
        Reverting = TaskEvent.alias()
        already_undone = Reverting.select(Reverting.id).where(Reverting.reverts == TaskEvent.id)
        return (
            (TaskEvent.user == self.user)
            & TaskEvent.reverts.is_null()
            & ~peewee.fn.EXISTS(already_undone)
        )

    def _next_to_undo(self) -> EventRecord:
        """The owner's most recent change that no undo (or skip) has answered yet."""
        TaskEvent = self._models.TaskEvent
        row = TaskEvent.select().where(self._unanswered()).order_by(TaskEvent.id.desc()).first()
        if row is None:
            raise NothingToUndoError("Nothing to undo.")
        return event_of(row)

    def _change_of(self, latest: EventRecord) -> list[EventRecord]:
        """The change ``latest`` is part of, as the events an undo takes back, newest
        first: ``latest`` alone, or every event of its change of several not yet undone."""
        if latest.change_id is None:
            return [latest]
        TaskEvent = self._models.TaskEvent
        rows = (
            TaskEvent.select()
            .where(self._unanswered() & (TaskEvent.change_id == latest.change_id))
            .order_by(TaskEvent.id.desc())
        )
        return [event_of(row) for row in rows]

    def _revert(self, undone: EventRecord) -> tuple[TaskRecord | None, EventRecord]:
        if undone.subject == "project" and not undone.unreadable:
            return None, self._projects.revert(undone)
        Task = self._models.Task
        now = self._clock()
        row = Task.get_or_none((Task.id == undone.task_id) & (Task.user == self.user))
        current = self._rows.records([row])[0] if row is not None else None

        def blocked(why: str) -> UndoBlockedError:
            return _undo_blocked(undone, why, current)

        if undone.unreadable:
            raise blocked(f"that change cannot be read ({undone.unreadable})")
        conflict = blocked("the task is no longer as that change left it")
        if undone.kind in (EventKind.CREATED, EventKind.RESTORED):
            if current is None:
                raise conflict
            if self._links.children([current.id]):
                raise blocked("it has subtasks now (deleting it would take them along)")
            if self._links.blocked_by_them([current.id]):
                raise blocked("other tasks are blocked by it now")
            if current.blocked_by:
                self._rows.set_blocks(current.id, ())  # kept in the state the undo logs
            Task.delete().where(Task.id == current.id).execute()
            event = self._rows.log(
                EventKind.DELETED, current.id, now, before=current, after=None, reverts=undone.id
            )
            return None, event
        if undone.kind is EventKind.DELETED:
            if current is not None or undone.before is None:
                raise conflict
            holder = Task.get_or_none(Task.id == undone.task_id)
            if holder is not None:  # another owner's task took the id (ids are unique here)
                raise blocked("its id is now another task's here, so it cannot come back")
            problem = _restore_problem(undone.before, None) or self._links_problem(
                undone.task_id, undone.before, None, current
            )
            if problem is not None:
                raise blocked(problem)
            restored = record_from_snapshot(undone.task_id, self.user, undone.before)
            restored = replaced(
                restored,
                version=restored.version + 1,
                tags=self._rows.canonical_tags(restored.tags),
                position=restored.position
                if undone.before.position is not None
                else self._rows.next_position(),
            )
            self._rows.insert(restored)
            event = self._rows.log(
                EventKind.RESTORED, restored.id, now, before=None, after=restored, reverts=undone.id
            )
            return normalised(restored), event
        # An edit or a toggle: put back only the fields that change touched.
        if current is None or undone.before is None:
            raise conflict
        if current.unreadable:
            raise blocked(f"the task cannot be read now ({current.unreadable})")
        fields = undone.changed_fields
        problem = _restore_problem(undone.before, fields) or self._links_problem(
            undone.task_id, undone.before, fields, current
        )
        if problem is not None:
            raise blocked(problem)
        restored = replaced(
            current,
            **{name: getattr(undone.before, name) for name in fields},
            updated_at=undone.before.updated_at,
            version=current.version + 1,
        )
        self._rows.write_fields(current, restored)
        event = self._rows.log(
            undone.kind, current.id, now, before=current, after=restored, reverts=undone.id
        )
        return normalised(restored), event

    # -- files: export (here) and import (store/importing.py) ------------------------------

    def sync_rows(self) -> SyncRows:
        """The sync's own rows (accounts, lists, items), for store/syncing.py."""
        from store.sync_rows import SyncRows

        return SyncRows(self._backend, self._models, self.user)

    @_operation
    def keep_ical_object(self, task_id: str, uid: str, text: str, at_version: int) -> None:
        """Keep ``text`` as the task's calendar object, as of its version ``at_version``:
        what it was last read as or written as (the base of a sync's merge)."""
        from store.ical import sequence_of

        TaskIcal = self._models.TaskIcal
        row = {
            "task_id": task_id,
            "user_id": self.user,
            "uid": uid,
            "object": text,
            "sequence": sequence_of(text),
            "at_version": at_version,
        }
        preserved = [TaskIcal.uid, TaskIcal.object, TaskIcal.sequence, TaskIcal.at_version]
        with self._backend.write():
            TaskIcal.insert(row).on_conflict(
                conflict_target=[TaskIcal.task_id], preserve=preserved
            ).execute()

    @_operation
    def forget_ical_object(self, task_id: str) -> None:
        """The task no longer has a calendar object of its own (its VTODO went on to
        the next occurrence of its series)."""
        TaskIcal = self._models.TaskIcal
        with self._backend.write():
            TaskIcal.delete().where(
                (TaskIcal.task_id == task_id) & (TaskIcal.user_id == self.user)
            ).execute()

    @_operation
    def ical_objects(self) -> dict[str, StoredObject]:
        """The calendar objects kept beside this owner's tasks read from iCalendar (see
        store/ical.py), by task id: what an iCalendar export writes them from."""
        from store.ical import StoredObject

        TaskIcal = self._models.TaskIcal
        query = TaskIcal.select().where(TaskIcal.user_id == self.user)
        return {
            row.task_id: StoredObject(row.object, row.uid, row.sequence, row.at_version)
            for row in query
        }

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
        # The rows as the driver gives them, the times read by the field's own reader:
        # peewee's converters per value would cost more than the check itself.
        sql, params = Task.select(*columns).where(Task.user == self.user).sql()
        read_time = Task.created_at.python_value
        rows = execute_sql(self._backend.db, sql, params).fetchall()
        for task_id, completed, created, updated, version, due, priority, position in rows:
            record = task_record(
                task_id, self.user, "", "", completed, read_time(created), read_time(updated),
                version, due, priority, position,
            )  # fmt: skip
            _refuse_unreadable(record, "exported")

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
    def import_tasks(
        self,
        tasks: Sequence[ImportedTask],
        *,
        projects: Sequence[str] = (),
        dry_run: bool = False,
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
        from store.importing import Importer  # only an import pays for its merge

        def project_at(path: str) -> str:
            row, _ = self._projects.ensure(project_names(path), new_task_id)
            return str(row.id)

        importer = Importer(self._backend, self._models, self._rows, self._clock, project_at)
        return importer.run(tasks, projects=projects, dry_run=dry_run)


# -- conversions between rows, records and the log's JSON -------------------------------------


def _done_handing_on(task: TaskRecord) -> dict[str, Any]:
    """The changes that mark a task done: and one that repeats hands its rule on (it
    keeps its place in its series, with the number it has)."""
    if task.repeat is None:
        return {"completed": True}
    series_id, number = task.series_id or task.id, task.occurrence or 1
    return {"completed": True, "repeat": None, "series_id": series_id, "occurrence": number}


def _fresh_copy(
    record: TaskRecord, task_id: str, now: datetime, position: float, **changes: Any
) -> TaskRecord:
    """A new, open task made from ``record`` (a next occurrence, or a copy of one of its
    subtasks): its own id, times, version and place; blocks not carried over."""
    return replaced(
        record,
        id=task_id,
        completed=False,
        created_at=now,
        updated_at=now,
        version=1,
        position=position,
        blocked_by=(),
        blocked=False,
        **changes,
    )


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


_TOO_DEEP = f"Subtasks go at most {MAX_SUBTASK_DEPTH} levels deep."
_REPEAT_NEEDS_DUE = (
    "A repeating task needs a due date: stop its repeat first (--no-repeat), then clear it."
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
    if due is None:
        return None
    if not isinstance(due, Due):
        raise ValidationError("due", "A due date must be a day, with an optional time.")
    problem = day_problem(due.day)
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


def _shared_prefix(left: str, right: str) -> int:
    """How many leading characters two texts have in common."""
    for position, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return position
    return min(len(left), len(right))
