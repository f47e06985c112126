"""One owner's task rows: reading them as records, writing one, logging a change.

What the store's operations (tasks.py) and an import's merge (importing.py) build on;
always inside a session, and for a write inside the caller's write transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import peewee

from store.backend import Backend, execute_sql
from store.conversions import logged_state, record_columns, record_of, task_record
from store.errors import ConflictError, NotFoundError
from store.fields import FIXED_COLUMNS, as_stored, snapshot_of, task_row
from store.models import Models, tuples
from store.records import EventKind, EventRecord, TaskCounts, TaskRecord

# Tags are read by a list of ids up to this many tasks (under SQLite's parameter limit).
TAGS_BY_ID = 500


class _Change:
    """A change of several tasks being logged: its first event, and how many so far."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.events = 0


class OwnerRows:
    """The rows of one owner's tasks, their tags and their log."""

    def __init__(self, backend: Backend, models: Models, user: str) -> None:
        self._backend = backend
        self._models = models
        self.user = user
        # Per thread: the app's workers share this object, and a change one of them is
        # logging is no other's.
        self._changes = threading.local()

    @contextlib.contextmanager
    def one_change(self) -> Iterator[None]:
        """Every event logged inside, on this thread, is part of one change (see
        TaskStore.one_change); inside another, the outer one holds. Call it inside the
        write transaction."""
        if getattr(self._changes, "open", None) is not None:
            yield
            return
        self._changes.open = _Change()
        try:
            yield
        finally:
            self._changes.open = None

    def get_row(self, task_id: str) -> Any:
        """The owner's task row (NotFoundError if there is none)."""
        Task = self._models.Task
        row = Task.get_or_none((Task.id == task_id) & (Task.user == self.user))
        if row is None:
            raise NotFoundError(f"No task with id {task_id} (it may have been deleted).")
        return row

    def current(self, task_id: str) -> TaskRecord:
        """The task as it is now, tags included (NotFoundError if it is not this owner's)."""
        return self.records([self.get_row(task_id)])[0]

    def current_many(self, task_ids: Sequence[str]) -> list[TaskRecord]:
        """The owner's tasks with these ids, in the order given (those there are)."""
        Task = self._models.Task
        found: dict[str, TaskRecord] = {}
        for start in range(0, len(task_ids), TAGS_BY_ID):
            batch = list(task_ids[start : start + TAGS_BY_ID])
            rows = Task.select().where((Task.user == self.user) & Task.id.in_(batch))
            found.update((record.id, record) for record in self.records(rows))
        return [found[task_id] for task_id in task_ids if task_id in found]

    def records(self, rows: Iterable[Any]) -> list[TaskRecord]:
        """Records for task rows, their tags read in one query for all of them."""
        return self._tagged([record_of(row) for row in rows])

    def selected_records(self, select: Any) -> list[TaskRecord]:
        """Records for the task rows a SELECT of tasks finds, in its order.

        Its SQL is run as it is and every row fetched at once: a model object per row,
        or peewee's converters per value, cost several times the record itself, which
        a list of 10,000 tasks notices. Only the two times need reading from text."""
        Task = self._models.Task
        sql, params = select.columns(*record_columns(Task)).sql()
        records = self.fetched_records(sql, params)
        if len(records) <= TAGS_BY_ID:
            return self._tagged(records)
        # Many rows: their tags by the same SELECT as a subquery, not thousands of ids.
        return self._tagged(
            records, self._tags_where(self._models.TaskTag.task.in_(select.columns(Task.id)))
        )

    def fetched_records(self, sql: str, params: Any) -> list[TaskRecord]:
        """Records (tags not yet read) for a statement selecting record_columns, every
        row fetched at once from the driver; only the two times need reading from text."""
        read_time = self._models.Task.created_at.python_value
        rows = execute_sql(self._backend.db, sql, params).fetchall()
        return [
            task_record(i, u, title, notes, done, read_time(made), read_time(changed), *rest)
            for i, u, title, notes, done, made, changed, *rest in rows
        ]

    def _tagged(
        self, records: list[TaskRecord], tags: dict[str, tuple[str, ...]] | None = None
    ) -> list[TaskRecord]:
        if not records:
            return records
        if tags is None:
            tags = self.tags_of([record.id for record in records])
        blocks = self.blocks_of([record.id for record in records])
        none: tuple[tuple[str, ...], bool] = ((), False)
        return [
            dataclasses.replace(
                record,
                tags=tags.get(record.id, ()),
                blocked_by=blocks.get(record.id, none)[0],
                blocked=blocks.get(record.id, none)[1],
            )
            if record.id in tags or record.id in blocks
            else record
            for record in records
        ]

    def blocks_of(self, task_ids: Sequence[str]) -> dict[str, tuple[tuple[str, ...], bool]]:
        """The blockers of each of these tasks that has any, sorted, and whether one of
        them is still open."""
        TaskBlock, Task = self._models.TaskBlock, self._models.Task
        found: dict[str, list[str]] = {}
        waiting: set[str] = set()
        select = TaskBlock.select(TaskBlock.task_id, TaskBlock.blocker_id, Task.completed).join(
            Task, on=(Task.id == TaskBlock.blocker_id)
        )
        if len(task_ids) > TAGS_BY_ID:
            # Many tasks (a whole list): every block of the owner's in one query, rather
            # than a query per 500 ids; most owners have few blocks or none.
            statements = [select.where(Task.user == self.user).sql()]
            wanted: set[str] | None = set(task_ids)
        else:
            statements = [select.where(TaskBlock.task_id.in_(list(task_ids))).sql()]
            wanted = None
        for sql, params in statements:
            rows = execute_sql(self._backend.db, sql, params).fetchall()
            for task_id, blocker, completed in rows:
                if wanted is not None and task_id not in wanted:
                    continue
                found.setdefault(task_id, []).append(blocker)
                if not completed:
                    waiting.add(task_id)
        return {task_id: (tuple(sorted(ids)), task_id in waiting) for task_id, ids in found.items()}

    def set_blocks(self, task_id: str, blockers: Sequence[str]) -> None:
        """The task is blocked by exactly these tasks."""
        TaskBlock = self._models.TaskBlock
        TaskBlock.delete().where(TaskBlock.task_id == task_id).execute()
        if blockers:
            TaskBlock.insert_many(
                [{"task_id": task_id, "blocker_id": blocker} for blocker in blockers]
            ).execute()

    def tags_of(self, task_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for start in range(0, len(task_ids), TAGS_BY_ID):
            batch = task_ids[start : start + TAGS_BY_ID]
            found.update(self._tags_where(self._models.TaskTag.task.in_(batch)))
        return found

    def _tags_where(self, condition: Any) -> dict[str, tuple[str, ...]]:
        """The tags of the tasks the condition on task_tags picks, alphabetical (any case)."""
        Tag, TaskTag = self._models.Tag, self._models.TaskTag
        found: dict[str, list[str]] = {}
        sql, params = (
            TaskTag.select(TaskTag.task, Tag.name)
            .join(Tag, on=(TaskTag.tag == Tag.id))
            .where(condition)
            .sql()
        )
        # The driver's rows as they are (two texts each): see selected_records.
        for task_id, name in execute_sql(self._backend.db, sql, params).fetchall():
            found.setdefault(task_id, []).append(name)
        return {task_id: tuple(sorted(names, key=str.casefold)) for task_id, names in found.items()}

    def set_tags(self, task_id: str, names: Sequence[str]) -> None:
        """Link the task to exactly these tags, creating the owner's new ones.

        A tag's name keeps its first spelling; matching ignores case.
        """
        TaskTag = self._models.TaskTag
        TaskTag.delete().where(TaskTag.task == task_id).execute()
        tag_ids = self.ensure_tags(names)
        if tag_ids:
            TaskTag.insert_many(
                [{"task": task_id, "tag": tag_id} for tag_id, _ in tag_ids.values()]
            ).execute()

    def canonical_tags(self, names: Sequence[str]) -> tuple[str, ...]:
        """The names as this owner's tags spell them (the first spelling wins), in the
        order records show them: alphabetical, ignoring case."""
        if not names:
            return ()
        Tag = self._models.Tag
        keys = {name.casefold(): name for name in names}
        known: dict[str, str] = dict(
            tuples(
                Tag.select(Tag.name_key, Tag.name).where(
                    (Tag.user == self.user) & Tag.name_key.in_(list(keys))
                )
            )
        )
        return tuple(sorted((known.get(key, name) for key, name in keys.items()), key=str.casefold))

    def ensure_tags(self, names: Iterable[str]) -> dict[str, tuple[int, str]]:
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
            for tag_id, key, name in tuples(
                Tag.select(Tag.id, Tag.name_key, Tag.name).where(
                    (Tag.user == self.user) & Tag.name_key.in_(list(keys))
                )
            )
        }

    def next_position(self) -> float:
        """After the owner's last task in their own order."""
        Task = self._models.Task
        last = Task.select(peewee.fn.MAX(Task.position)).where(Task.user == self.user).scalar()
        return float(last or 0) + 1.0

    def next_seq(self) -> int:
        """The next search-index number (inside a write transaction, so it is ours)."""
        Task = self._models.Task
        return int(Task.select(peewee.fn.MAX(Task.seq)).scalar() or 0) + 1

    def insert(self, record: TaskRecord) -> None:
        """One new task (or one an undo brings back), its tags linked."""
        self._models.Task.insert(**task_row(record, seq=self.next_seq())).execute()
        if record.tags:
            self.set_tags(record.id, record.tags)
        if record.blocked_by:
            self.set_blocks(record.id, record.blocked_by)

    def write_fields(self, current: TaskRecord, updated: TaskRecord) -> None:
        """Store ``updated`` over the row ``current`` was read from, if it still is."""
        Task = self._models.Task
        row = task_row(updated, seq=None)
        changed = {name: value for name, value in row.items() if name not in FIXED_COLUMNS}
        rows = (
            Task.update(**changed)
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
            self.set_tags(current.id, updated.tags)
        if updated.blocked_by != current.blocked_by:
            self.set_blocks(current.id, updated.blocked_by)

    def ensure_user(self, now: datetime) -> None:
        """The owner's row, made on their first change."""
        User = self._models.User
        User.insert(id=self.user, created_at=now).on_conflict_ignore().execute()

    def log(
        self,
        kind: EventKind,
        task_id: str,
        at: datetime,
        *,
        before: TaskRecord | None,
        after: TaskRecord | None,
        reverts: int | None = None,
    ) -> EventRecord:
        """Log one change of a task (its state before and after), and return it as read."""
        event_id, change_id = self.log_row(
            task_id=task_id,
            kind=kind.value,
            at=at,
            before=logged_state(before),
            after=logged_state(after),
            reverts=reverts,
        )
        return EventRecord(
            id=event_id,
            task_id=task_id,
            user_id=self.user,
            kind=kind,
            at=as_stored(at),
            before=None if before is None else snapshot_of(before),
            after=None if after is None else snapshot_of(after),
            reverts_event_id=reverts,
            change_id=change_id,
        )

    def log_row(self, **values: Any) -> tuple[int, int | None]:
        """Insert one event row of this owner; its id, and the change of several tasks it
        is part of (None alone). Inside one_change the second event makes it a change
        of several: the first is marked then, so that a change of one stays unmarked."""
        TaskEvent = self._models.TaskEvent
        change: _Change | None = getattr(self._changes, "open", None)
        change_id = change.first if change is not None else None
        event_id = int(TaskEvent.insert(user=self.user, change_id=change_id, **values).execute())
        if change is None:
            return event_id, None
        change.events += 1
        if change.first is None:
            change.first = event_id
            return event_id, None
        if change.events == 2:
            TaskEvent.update(change_id=change.first).where(TaskEvent.id == change.first).execute()
        return event_id, change.first

    def counters(self) -> TaskCounts:
        """Open and done tasks from the trigger-kept counters: one row each, at any size."""
        TaskCount = self._models.TaskCount
        rows = TaskCount.select(TaskCount.completed, TaskCount.n).where(TaskCount.user == self.user)
        by_status = {bool(row.completed): int(row.n) for row in rows}
        return TaskCounts(open=by_status.get(False, 0), done=by_status.get(True, 0))
