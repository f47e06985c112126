"""Importing a validated file: each task added, updated or left as it is, in one go.

The merge decides per task (new here, the same, changed later in the file or here);
ids a new task may not take as they are get stable substitutes; new tasks and the
histories they bring go through the bulk path (store.bulk).

Repeating tasks: a file says a task's repeat and its place in a series as far as its
format can (ImportedTask.carries); the rest is the task's own here. Series ids are ids
of a database, as task ids are: another owner's series here gets a stable substitute,
and an occurrence whose number in its series another task has here gets the next free
number, each reported, so that the unique index on (series_id, occurrence) always
holds. An import never makes an occurrence: the file says which exist.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import peewee

from store.backend import Backend, execute_sql
from store.bulk import BulkInsert, Stamps, spelled
from store.conversions import json_text, normalised, record_columns, replaced
from store.errors import ConflictError, ValidationError
from store.fields import snapshot_data
from store.models import Models, format_timestamp
from store.planning import Due, local_now
from store.records import EDITABLE_FIELDS, EventKind, TaskRecord, TaskSnapshot
from store.recurrence import Repeat, start_due
from store.rows import OwnerRows
from store.transfer import ALL_SERIES, ALL_STRUCTURE, ImportedTask, ImportOutcome
from store.validation import MAX_PLACED_POSITION, UUID_TEXT

# Ids looked up per query by an import: well under SQLite's oldest parameter limit (999).
IMPORT_LOOKUP_BATCH = 900
# Substitute ids for imported tasks whose id another owner already uses here.
REASSIGNED_ID_NAMESPACE = uuid.UUID("0c8e5f7a-2b6d-4e19-8f3a-5d7c9b1e4a60")
# Fields an import compares and writes: position is this database's own business, and
# a task's project is placed by the project paths a file names (store.transfer).
IMPORTED_FIELDS = tuple(
    name
    for name in EDITABLE_FIELDS
    if name not in ("position", "project_id", "parent_id", "blocked_by")
)
# A substitute id that is itself taken gets a substitute of its own, this many times.
SUBSTITUTE_TRIES = 5
# Why an import did not take an id as it was (ImportOutcome.reassigned_reasons).
REASON_OTHER_OWNER = "is another owner's id here"
REASON_IN_HISTORY = "is the id of a deleted task whose history is kept here"
REASON_NOT_UUID = "is not a UUID"


class Importer:
    """One owner's import: see TaskStore.import_tasks for what it does with a file."""

    def __init__(
        self,
        backend: Backend,
        models: Models,
        rows: OwnerRows,
        clock: Callable[[], datetime],
        project_at: Callable[[str], str],
    ) -> None:
        self._project_at = project_at  # a project path's id, the project made if new
        self._backend = backend
        self._models = models
        self._rows = rows
        self._user = rows.user
        self._clock = clock

    def run(
        self, tasks: Sequence[ImportedTask], *, projects: Sequence[str] = (), dry_run: bool
    ) -> ImportOutcome:
        """The whole import in one write transaction; a dry run rolls it back. The
        file's ``projects`` are made first, in their order (those there are kept)."""
        try:
            with self._backend.write():
                if projects:
                    self._rows.ensure_user(self._clock())
                for path in projects:
                    self._project_at(path)
                outcome = self._import(tasks, dry_run=dry_run)
                self._keep_objects(tasks, outcome)
                if dry_run:
                    raise _RollBack(outcome)
        except _RollBack as rolled_back:
            return rolled_back.outcome
        return outcome

    def _keep_objects(self, tasks: Sequence[ImportedTask], outcome: ImportOutcome) -> None:
        """Keep each iCalendar task's calendar object beside it (see store/ical.py), as of
        the task's version now; not for a task whose own newer state was kept."""
        carried = [task for task in tasks if task.ical is not None]
        if not carried:
            return
        from store.ical import sequence_of

        TaskIcal = self._models.TaskIcal
        taken = (*outcome.added, *outcome.updated, *outcome.unchanged)
        versions = {record.id: record.version for record in taken}
        ids = [outcome.reassigned.get(task.id, task.id) for task in carried]
        kept: dict[str, tuple[str, int]] = {}
        for start in range(0, len(ids), IMPORT_LOOKUP_BATCH):
            batch = ids[start : start + IMPORT_LOOKUP_BATCH]
            query = TaskIcal.select().where(TaskIcal.task_id.in_(batch))
            kept.update((row.task_id, (row.object, row.at_version)) for row in query)
        rows = []
        for task_id, task in zip(ids, carried, strict=True):
            version = versions.get(task_id)
            if version is None or kept.get(task_id) == (task.ical, version):
                continue
            assert task.ical is not None
            rows.append(
                {
                    "task_id": task_id,
                    "user_id": self._user,
                    "uid": task.id,
                    "object": task.ical,
                    "sequence": sequence_of(task.ical),
                    "at_version": version,
                }
            )
        updated = [TaskIcal.uid, TaskIcal.object, TaskIcal.sequence, TaskIcal.at_version]
        rows_per_insert = IMPORT_LOOKUP_BATCH // 6  # six values a row, under every limit
        for start in range(0, len(rows), rows_per_insert):
            TaskIcal.insert_many(rows[start : start + rows_per_insert]).on_conflict(
                conflict_target=[TaskIcal.task_id], preserve=updated
            ).execute()

    def _import(self, tasks: Sequence[ImportedTask], *, dry_run: bool) -> ImportOutcome:
        repeated = [task_id for task_id, n in Counter(t.id for t in tasks).items() if n > 1]
        if repeated:
            raise ValidationError(
                "id", f"The id {repeated[0]} appears twice; nothing was imported."
            )
        now = self._clock()
        self._rule_dropped: list[str] = []
        self._left_out: dict[str, str] = {}
        found = self._any_owners_tasks([task.id for task in tasks])
        reasons = self._ids_not_taken(tasks, found)
        reassigned = self._substitute_ids(sorted(reasons))
        if reassigned:
            tasks = [
                dataclasses.replace(task, id=reassigned.get(task.id, task.id)) for task in tasks
            ]
            _refuse_merged_ids(tasks)
            found.update(self._any_owners_tasks(list(reassigned.values())))
        existing = {task_id: task for task_id, task in found.items() if task.user_id == self._user}
        series_here = self._series_here(tasks, reassigned)
        today = local_now(now).date()
        tasks = [self._settled(task, existing.get(task.id), today, series_here) for task in tasks]
        tasks, renumbered = self._free_places(tasks, existing)
        if self._left_out:
            tasks = self._without_left_out(tasks, reassigned)
        structured = any(task.carries & ALL_STRUCTURE for task in tasks)
        if structured:
            self._rows.ensure_user(now)
        structure = self._structure_of(tasks, reassigned) if structured else {}
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
                    user_id=self._user,
                    version=task.version,
                    due=task.due,
                    priority=task.priority,
                    tags=task.tags,
                    repeat=task.repeat,
                    series_id=task.series_id,
                    occurrence=task.occurrence,
                    **structure.get(task.id, {}),
                )
                # Already UTC to the microsecond (as read from the file, or the clock's
                # now): the same values a read back gives, without a format-and-parse.
                added.append((record, task))
            elif all(
                _same(getattr(current, name), getattr(task, name)) for name in IMPORTED_FIELDS
            ) and all(
                getattr(current, name) == value
                for name, value in structure.get(task.id, {}).items()
            ):
                unchanged.append(current)
            elif task.updated_at is None or task.updated_at <= current.updated_at:
                kept_newer.append(current)
            else:
                updated.append((current, task))
        added, updated = self._one_open_carrier(added, updated)
        if added or updated:
            self._rows.ensure_user(now)
        written = self._insert_imported(_parents_first(added), now, series_here)
        for record in written:
            if record.blocked_by:  # every task of the file is in by now: blockers exist
                self._rows.set_blocks(record.id, record.blocked_by)
        changed = [
            self._apply_imported(current, task, now, structure.get(task.id, {}))
            for current, task in updated
        ]
        return ImportOutcome(
            added=tuple(written),
            updated=tuple(changed),
            unchanged=tuple(unchanged),
            kept_newer=tuple(kept_newer),
            reassigned=reassigned,
            dry_run=dry_run,
            reassigned_reasons=reasons,
            unreadable=tuple(unreadable),
            reassigned_series=series_here,
            renumbered=renumbered,
            rule_dropped=tuple(self._rule_dropped),
            left_out=dict(self._left_out),
        )

    def _series_here(
        self, tasks: Sequence[ImportedTask], reassigned: dict[str, str]
    ) -> dict[str, str]:
        """The series ids the file names that are not taken as they are, each with the id
        used instead: a task id of the file given a substitute (a series' id is its first
        task's) takes that substitute; another owner's series here a stable one of its
        own (a UUID5 of this owner and the id, as for task ids)."""
        named = sorted({t.series_id for t in tasks if "series_id" in t.carries and t.series_id})
        here = {series_id: reassigned[series_id] for series_id in named if series_id in reassigned}
        Task = self._models.Task
        others = [series_id for series_id in named if series_id not in here]
        for start in range(0, len(others), IMPORT_LOOKUP_BATCH):
            batch = others[start : start + IMPORT_LOOKUP_BATCH]
            rows: Any = (
                Task.select(Task.series_id)
                .where(Task.series_id.in_(batch) & (Task.user != self._user))
                .distinct()
                .tuples()
            )
            for (series_id,) in rows:
                here[series_id] = str(
                    uuid.uuid5(REASSIGNED_ID_NAMESPACE, f"{self._user}\n{series_id}")
                )
        return here

    def _settled(
        self,
        task: ImportedTask,
        current: TaskRecord | None,
        today: date,
        series_here: dict[str, str],
    ) -> ImportedTask:
        """The task's repeat, series and occurrence as the import compares and writes
        them: the file's where it says them (its series ids as they are here), otherwise
        as the task has them here (none for a new one). A repeat the file gives without
        its start keeps the one here when the rule is the same, else counts from the
        due date; a repeat without a due date falls due as giving the task that rule here
        would make it (its due if that fits the rule, else the rule's first day from
        today). A task the file completes repeats no more, as completing it here does."""
        if current is not None and current.unreadable:
            return task  # left as it is (see _import)
        if current is None and not task.carries & ALL_SERIES:
            return task  # new, and the file says nothing of repeats: none (and no copy)
        repeat = current.repeat if current is not None else None
        series_id = current.series_id if current is not None else None
        occurrence = current.occurrence if current is not None else None
        due = task.due
        if "series_id" in task.carries:
            series_id = series_here.get(task.series_id or "", task.series_id)
            occurrence = task.occurrence
        if "repeat" in task.carries:
            repeat = task.repeat
            if repeat is not None and not task.repeat_start_given:
                repeat, due = _started(task, repeat, current, today)
            if repeat is not None and series_id is None:
                in_one = current is not None and current.series_id is not None
                series_id = current.series_id if in_one and current else task.id
                occurrence = (current.occurrence if in_one and current else None) or 1
        if task.completed:
            repeat = None  # done, it repeats no more: a next occurrence carries the rule
        if (repeat, series_id, occurrence, due) == (
            task.repeat,
            task.series_id,
            task.occurrence,
            task.due,
        ):
            return task
        return dataclasses.replace(
            task, repeat=repeat, series_id=series_id, occurrence=occurrence, due=due
        )

    def _free_places(
        self, tasks: Sequence[ImportedTask], existing: dict[str, TaskRecord]
    ) -> tuple[list[ImportedTask], dict[str, tuple[int, int]]]:
        """The tasks, each with a place in its series no other task has (here, or earlier
        in the file): one that another task holds keeps the number it has here, if it is
        in that series already, else takes the series' next free number. Returns the
        tasks and, for those moved, (the file's number, the number used)."""
        series_ids = {t.series_id for t in tasks if t.series_id is not None}
        if not series_ids:
            return list(tasks), {}
        holders = self._places_held(sorted(series_ids))
        top: dict[str, int] = {}
        for series_id, number in holders:
            top[series_id] = max(top.get(series_id, 0), number)
        for task in tasks:
            if task.series_id is not None and task.occurrence is not None:
                top[task.series_id] = max(top.get(task.series_id, 0), task.occurrence)
        claimed: set[tuple[str, int]] = set()

        def free(place: tuple[str, int], task_id: str) -> bool:
            return holders.get(place, task_id) == task_id and place not in claimed

        settled: list[ImportedTask] = []
        renumbered: dict[str, tuple[int, int]] = {}
        for task in tasks:
            if task.series_id is None or task.occurrence is None:
                settled.append(task)
                continue
            series_id, number = task.series_id, task.occurrence
            holder = holders.get((series_id, number))
            taken = holder is not None and holder != task.id
            if taken and existing.get(task.id) is None and not task.completed:
                # Another task here is this open occurrence (both sides completed the one
                # before it): a second would be a duplicate. Left out, reported.
                self._left_out[task.id] = (
                    f"occurrence {number} of its series is another task here ({holder})"
                )
                continue
            if not free((series_id, number), task.id):
                current = existing.get(task.id)
                kept = (
                    current.occurrence
                    if current is not None and current.series_id == series_id
                    else None
                )
                if kept is not None and free((series_id, kept), task.id):
                    number = kept
                else:
                    top[series_id] += 1
                    number = top[series_id]
                renumbered[task.id] = (task.occurrence, number)
                task = dataclasses.replace(task, occurrence=number)
            claimed.add((series_id, number))
            settled.append(task)
        return settled, renumbered

    def _without_left_out(
        self, tasks: Sequence[ImportedTask], reassigned: dict[str, str]
    ) -> list[ImportedTask]:
        """The tasks but those left out (see _free_places) and the subtasks under them,
        which go with them; blocks on them are dropped."""
        gone = set(self._left_out)

        def here(task_id: str | None) -> str | None:
            return reassigned.get(task_id, task_id) if task_id else None

        grew = True
        while grew:
            below = [t.id for t in tasks if t.id not in gone and here(t.parent_id) in gone]
            for task_id in below:
                self._left_out[task_id] = "its parent task was left out with it"
            gone.update(below)
            grew = bool(below)
        return [
            dataclasses.replace(
                task, blocked_by=tuple(b for b in task.blocked_by if here(b) not in gone)
            )
            for task in tasks
            if task.id not in gone
        ]

    def _one_open_carrier(
        self,
        added: list[tuple[TaskRecord, ImportedTask]],
        updated: list[tuple[TaskRecord, ImportedTask]],
    ) -> tuple[list[tuple[TaskRecord, ImportedTask]], list[tuple[TaskRecord, ImportedTask]]]:
        """At most one open task of a series carries its rule (the unique index of
        migration 7): the one here stays the series' open occurrence unless the file
        completes it; an open occurrence of the file beside it comes in without the
        rule, reported in ``_rule_dropped``. The rule of one the file completes is
        cleared before anything is written, so that its successor may take it."""

        def carries(task: ImportedTask) -> bool:
            return task.repeat is not None and not task.completed and task.series_id is not None

        wanted = sorted({t.series_id for _, t in (*added, *updated) if carries(t) and t.series_id})
        if not wanted:
            return added, updated
        here = self._open_carriers(wanted)
        leaving = {c.id for c, t in updated if c.id in here.values() and not carries(t)}
        holder = {series: task_id for series, task_id in here.items() if task_id not in leaving}

        def kept(task: ImportedTask) -> ImportedTask:
            if not carries(task) or task.series_id is None:
                return task
            if holder.setdefault(task.series_id, task.id) == task.id:
                return task
            self._rule_dropped.append(task.id)
            return dataclasses.replace(task, repeat=None)

        updated = [(current, kept(task)) for current, task in updated]  # here first
        added = [
            (replaced(record, repeat=task.repeat), task)
            for record, task in ((record, kept(task)) for record, task in added)
        ]
        if leaving:
            Task = self._models.Task
            Task.update(repeat=None).where(Task.id.in_(sorted(leaving))).execute()
        return added, updated

    def _open_carriers(self, series_ids: Sequence[str]) -> dict[str, str]:
        """The open task that carries each of these series' rule here, by series."""
        Task = self._models.Task
        found: dict[str, str] = {}
        for start in range(0, len(series_ids), IMPORT_LOOKUP_BATCH):
            batch = list(series_ids[start : start + IMPORT_LOOKUP_BATCH])
            rows: Any = (
                Task.select(Task.series_id, Task.id)
                .where(
                    Task.series_id.in_(batch)
                    & Task.repeat.is_null(False)
                    & (Task.completed == False)  # noqa: E712
                )
                .tuples()
            )
            found.update((series_id, task_id) for series_id, task_id in rows)
        return found

    def _places_held(self, series_ids: Sequence[str]) -> dict[tuple[str, int], str]:
        """Which task holds each place of these series here, whoever owns it."""
        Task = self._models.Task
        held: dict[tuple[str, int], str] = {}
        if not Task.select().exists():
            return held
        for start in range(0, len(series_ids), IMPORT_LOOKUP_BATCH):
            batch = list(series_ids[start : start + IMPORT_LOOKUP_BATCH])
            rows: Any = (
                Task.select(Task.series_id, Task.occurrence, Task.id)
                .where(Task.series_id.in_(batch))
                .tuples()
            )
            for series_id, number, task_id in rows:
                if number is not None:
                    held[(series_id, int(number))] = task_id
        return held

    def _structure_of(
        self, tasks: Sequence[ImportedTask], reassigned: dict[str, str]
    ) -> dict[str, dict[str, Any]]:
        """For each task whose file says where it is: its project's id here (the
        projects made where new) and the ids here of the tasks that block it."""
        project_ids: dict[str, str] = {}
        # In the file's order: a level's first spelling in the file is the one kept.
        for path in dict.fromkeys(
            t.project for t in tasks if "project_id" in t.carries and t.project
        ):
            project_ids[path] = self._project_at(path)
        placed = {
            task.id: {
                "project_id": project_ids[task.project] if task.project else None,
                "blocked_by": tuple(sorted(reassigned.get(b, b) for b in task.blocked_by)),
                "parent_id": reassigned.get(task.parent_id, task.parent_id)
                if task.parent_id
                else None,
            }
            for task in tasks
            if task.carries & ALL_STRUCTURE
        }
        # A subtask is in its parent's project, whatever the file says of it.
        for task_id, where in placed.items():
            parent, seen = where["parent_id"], {task_id}
            while parent is not None and parent in placed and parent not in seen:
                seen.add(parent)
                where["project_id"] = placed[parent]["project_id"]
                parent = placed[parent]["parent_id"]
            if parent is not None and parent in seen:  # parents in a ring: this one leaves
                where["parent_id"] = None
        carried = {task.id: task.carries for task in tasks}
        return {
            task_id: {name: value for name, value in where.items() if name in carried[task_id]}
            for task_id, where in placed.items()
        }

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
                if holder.user_id != self._user:
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
            rows = execute_sql(self._backend.db, sql, batch).fetchall()
            logged.update(task_id for (task_id,) in rows)
        return logged

    def _any_owners_tasks(self, task_ids: Sequence[str]) -> dict[str, TaskRecord]:
        """The tasks with these ids, whoever owns them (ids are unique in the database).

        Looked up by the primary key alone: with the owner in the condition SQLite
        may prefer an owner index and scan every task of the owner for each batch.
        Rows come as tuples, since building a model object per row costs more than
        the lookup itself at 100,000 rows (OwnerRows.fetched_records).
        """
        Task = self._models.Task
        if not task_ids or not Task.select().exists():
            return {}  # an import into a new database: nothing to look up
        found: dict[str, TaskRecord] = {}
        statements: dict[int, str] = {}  # built once per batch size: peewee's cost is per id
        for start in range(0, len(task_ids), IMPORT_LOOKUP_BATCH):
            batch = list(task_ids[start : start + IMPORT_LOOKUP_BATCH])
            sql = statements.get(len(batch))
            if sql is None:
                select = Task.select(*record_columns(Task)).where(Task.id.in_(batch))
                sql = statements[len(batch)] = select.sql()[0]
            found.update((task.id, task) for task in self._rows.fetched_records(sql, batch))
        tags = self._rows.tags_of(list(found))
        blocks = self._rows.blocks_of(list(found))
        return {
            task_id: dataclasses.replace(
                task,
                tags=tags.get(task_id, ()),
                blocked_by=blocks[task_id][0] if task_id in blocks else (),
            )
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
                original: str(uuid.uuid5(REASSIGNED_ID_NAMESPACE, f"{self._user}\n{last}"))
                for original, last in pending.items()
            }
            live = self._any_owners_tasks(list(candidates.values()))
            logged = self._logged_ids([c for c in candidates.values() if c not in live])
            pending = {}
            for original, candidate in candidates.items():
                holder = live.get(candidate)
                if (holder is None and candidate not in logged) or (
                    holder is not None and holder.user_id == self._user
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
        self,
        added: Sequence[tuple[TaskRecord, ImportedTask]],
        now: datetime,
        series_here: dict[str, str],
    ) -> list[TaskRecord]:
        """Write new tasks and their histories through the bulk path (see store.bulk).

        Events get explicit ids so that an undo in the file can name the event it
        reverts. Histories from the file take the first ids, merged by time (each task's
        own order kept), then a 'created' event, now, for each task that brought none.
        """
        if not added:
            return []
        TaskEvent = self._models.TaskEvent
        position_of = self._imported_positions([task for _, task in added])
        tag_ids = self._rows.ensure_tags({t for record, _ in added for t in record.tags})
        written = [
            replaced(record, position=position_of(task), tags=spelled(record.tags, tag_ids))
            for record, task in added
        ]
        first_event = int(TaskEvent.select(peewee.fn.MAX(TaskEvent.id)).scalar() or 0) + 1
        histories = [
            _history_of(record.id, task, series_here)
            for record, task in added
            if task.events is not None
        ]
        history_length = sum(len(history) for history in histories)
        bulk = BulkInsert(self._backend, self._models, self._user)
        bulk.tasks(
            written,
            first_seq=self._rows.next_seq(),
            tag_ids=tag_ids,
            logged_at=now,
            stamp=Stamps(),
            first_event_id=first_event + history_length,
            with_history={record.id for record, task in added if task.events is not None},
        )
        if histories:
            bulk.events(self._history_rows(histories, first_event))
        self._backend.explicit_ids_written("task_events")
        return written

    def _history_rows(
        self, histories: list[list[dict[str, Any]]], first_id: int
    ) -> list[tuple[Any, ...]]:
        """The histories' events as rows (see bulk.EVENT_COLUMNS), merged by time,
        numbered from ``first_id``; an undo in a history names the event it reverts by
        its place in that history."""
        rows: list[tuple[Any, ...]] = []
        ids_by_position: dict[tuple[str, int], int] = {}
        for event_id, event in enumerate(heapq.merge(*histories, key=lambda e: e["at"]), first_id):
            ids_by_position[(event["task_id"], event["position"])] = event_id
            reverts = event["reverts"]
            rows.append(
                (
                    event_id,
                    event["task_id"],
                    self._user,
                    event["kind"].value,
                    format_timestamp(event["at"]),
                    event["before"],
                    event["after"],
                    None if reverts is None else ids_by_position[(event["task_id"], reverts)],
                )
            )
        return rows

    def _apply_imported(
        self, current: TaskRecord, task: ImportedTask, now: datetime, structure: dict[str, Any]
    ) -> TaskRecord:
        """Bring one task to the file's newer content, logged like an edit from the app."""
        changes = {name: getattr(task, name) for name in IMPORTED_FIELDS}
        changes.update(structure)
        if "project_id" in structure and structure["project_id"] != current.project_id:
            changes["parent_id"] = None  # a subtask is in its parent's project
        changes["tags"] = self._rows.canonical_tags(changes["tags"])
        assert task.updated_at is not None  # only a file that says when it changed updates
        updated = replaced(
            current, **changes, updated_at=task.updated_at, version=current.version + 1
        )
        self._rows.write_fields(current, updated)
        changed = {
            name for name in EDITABLE_FIELDS if getattr(current, name) != getattr(updated, name)
        }
        # Done elsewhere, and so repeating no more: a completion, as it is here.
        handed_on = updated.completed and updated.repeat is None and "completed" in changed
        only_done_state = changed <= ({"completed", "repeat"} if handed_on else {"completed"})
        kind = EventKind.TOGGLED if only_done_state else EventKind.EDITED
        self._rows.log(kind, current.id, now, before=current, after=updated)
        return normalised(updated)

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
        start = self._rows.next_position()
        given = [task.position for task in tasks if task.position is not None]
        shift = 0.0
        if given and Task.select().where(Task.user == self._user).exists():
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


class _RollBack(Exception):
    """Raised inside a write transaction to undo it (a dry run), carrying the result."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__("dry run")
        self.outcome = outcome


def _started(
    task: ImportedTask, repeat: Repeat, current: TaskRecord | None, today: date
) -> tuple[Repeat, Due]:
    """A repeat the file gives without its start, and the due that goes with it (see
    Importer._settled)."""
    same = (
        current is not None
        and current.repeat is not None
        and (current.repeat.rule, current.repeat.mode) == (repeat.rule, repeat.mode)
    )
    due = task.due
    if due is None:
        if same and current is not None and current.due is not None:
            return current.repeat or repeat, current.due
        try:
            due = start_due(repeat, current.due if current is not None else None, today, None)
        except ValueError as error:
            raise ValidationError(
                "repeat", f"{task.where} “{task.title}”: {error} Nothing was imported."
            ) from None
    start = current.repeat.start if same and current is not None and current.repeat else due.day
    return dataclasses.replace(repeat, start=start), due


def _history_of(
    task_id: str, task: ImportedTask, series_here: dict[str, str]
) -> list[dict[str, Any]]:
    """A file's history of one task, as the log keeps it, each event with its place
    (its states' series ids as they are here)."""
    return [
        {
            "task_id": task_id,
            "kind": event.kind,
            "at": event.at,
            "before": _state_text(_in_series_here(event.before, series_here)),
            "after": _state_text(_in_series_here(event.after, series_here)),
            "reverts": event.reverts,
            "position": position,
        }
        for position, event in enumerate(task.events or ())
    ]


def _in_series_here(
    snapshot: TaskSnapshot | None, series_here: dict[str, str]
) -> TaskSnapshot | None:
    if snapshot is None or snapshot.series_id not in series_here:
        return snapshot
    return dataclasses.replace(snapshot, series_id=series_here[snapshot.series_id])


def _state_text(snapshot: TaskSnapshot | None) -> str | None:
    """A state of a file's history as the log's JSON text."""
    return None if snapshot is None else json_text(snapshot_data(snapshot))


def _parents_first(
    added: list[tuple[TaskRecord, ImportedTask]],
) -> list[tuple[TaskRecord, ImportedTask]]:
    """The new tasks with each parent before its subtasks (its row must be there first),
    otherwise in the file's order."""
    if not any(record.parent_id for record, _ in added):
        return added
    by_id = {record.id: (record, task) for record, task in added}
    ordered: list[tuple[TaskRecord, ImportedTask]] = []
    placed: set[str] = set()
    for record, _ in added:
        chain = []
        current: str | None = record.id
        while current is not None and current in by_id and current not in placed:
            chain.append(current)
            placed.add(current)
            current = by_id[current][0].parent_id
        ordered.extend(by_id[task_id] for task_id in reversed(chain))
    return ordered


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


def _same(ours: Any, theirs: Any) -> bool:
    """Equal as an import compares: tags ignoring case and order."""
    if isinstance(ours, tuple) and isinstance(theirs, tuple):
        return sorted(t.casefold() for t in ours) == sorted(t.casefold() for t in theirs)
    return bool(ours == theirs)
