"""Importing a validated file: each task added, updated or left as it is, in one go.

The merge decides per task (new here, the same, changed later in the file or here);
ids a new task may not take as they are get stable substitutes; new tasks and the
histories they bring go through the bulk path (store.bulk).
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import peewee

from store.backend import Backend, execute_sql
from store.bulk import BulkInsert, Stamps, spelled
from store.conversions import json_text, normalised, record_columns, replaced
from store.errors import ConflictError, ValidationError
from store.fields import snapshot_data
from store.models import Models, format_timestamp
from store.records import EDITABLE_FIELDS, EventKind, TaskRecord, TaskSnapshot
from store.rows import OwnerRows
from store.transfer import ImportedTask, ImportOutcome
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
        existing = {task_id: task for task_id, task in found.items() if task.user_id == self._user}
        structured = any(task.carries for task in tasks)
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
        if added or updated:
            self._rows.ensure_user(now)
        written = self._insert_imported(_parents_first(added), now)
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
        )

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
            if task.carries
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
        self, added: Sequence[tuple[TaskRecord, ImportedTask]], now: datetime
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
            _history_of(record.id, task) for record, task in added if task.events is not None
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
        only_done_state = all(
            getattr(current, name) == getattr(updated, name)
            for name in EDITABLE_FIELDS
            if name != "completed"
        )
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


def _history_of(task_id: str, task: ImportedTask) -> list[dict[str, Any]]:
    """A file's history of one task, as the log keeps it, each event with its place."""
    return [
        {
            "task_id": task_id,
            "kind": event.kind,
            "at": event.at,
            "before": _state_text(event.before),
            "after": _state_text(event.after),
            "reverts": event.reverts,
            "position": position,
        }
        for position, event in enumerate(task.events or ())
    ]


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
