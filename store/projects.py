"""One owner's project tree: paths read and checked, project rows written and logged,
and a project's logged change taken back.

What TaskStore's project operations build on; always inside a session, and for a write
inside the caller's write transaction. A project's change is logged in the tasks' log
(subject 'project', its id in task_id), so that undo walks both in the order they were
made. Its logged state is the project's row: name, parent, place, version, times.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

import peewee

from store.errors import NotFoundError, UndoBlockedError, ValidationError
from store.fields import as_stored
from store.models import Models, format_timestamp, parse_timestamp, tuples
from store.planning import PATH_SEPARATOR, clean_project_name, split_project_path
from store.records import EventKind, EventRecord, ProjectRecord
from store.rows import OwnerRows

PROJECT = "project"  # the log's subject for a project's own change


def project_names(path: str) -> tuple[str, ...]:
    """The names of a path such as 'Work/Q4' (spaces around each trimmed), checked."""
    try:
        return split_project_path(path)
    except ValueError as error:
        raise ValidationError("project", str(error)) from None


def project_name(name: str) -> str:
    """One project's name, trimmed; ValidationError if it cannot be one."""
    try:
        return clean_project_name(name)
    except ValueError as error:
        raise ValidationError("project", str(error)) from None


class ProjectRows:
    """The rows of one owner's projects and their logged changes."""

    def __init__(self, models: Models, rows: OwnerRows, clock: Callable[[], datetime]) -> None:
        self._models = models
        self._rows = rows
        self._clock = clock
        self.user = rows.user

    # -- reading ---------------------------------------------------------------------------

    def tree(self, *, counted: bool = False) -> list[ProjectRecord]:
        """Every project of the owner, depth first, siblings in their order; with
        ``counted``, each with the open and done tasks in it and under it."""
        Project = self._models.Project
        rows = list(
            tuples(
                Project.select(
                    Project.id, Project.parent_id, Project.name, Project.position, Project.version
                ).where(Project.user == self.user)
            )
        )
        children: dict[str | None, list[Any]] = {}
        for row in rows:
            children.setdefault(row[1], []).append(row)
        for siblings in children.values():
            siblings.sort(key=lambda row: (row[3], row[2].casefold(), row[0]))
        own = self._own_counts() if counted else {}
        ordered: list[ProjectRecord] = []

        def walk(parent: str | None, prefix: str, depth: int) -> tuple[int, int]:
            total_open = total_done = 0
            for project_id, parent_id, name, position, version in children.get(parent, ()):
                path = prefix + name
                at = len(ordered)
                made = ProjectRecord(project_id, name, parent_id, path, depth, position, version)
                ordered.append(made)  # before those under it: depth first
                sub_open, sub_done = walk(project_id, path + PATH_SEPARATOR, depth + 1)
                opened, done = own.get(project_id, (0, 0))
                ordered[at] = dataclasses.replace(
                    made, open=opened + sub_open, done=done + sub_done
                )
                total_open += opened + sub_open
                total_done += done + sub_done
            return total_open, total_done

        walk(None, "", 0)
        return ordered

    def _own_counts(self) -> dict[str | None, tuple[int, int]]:
        Task = self._models.Task
        counts: dict[str | None, list[int]] = {}
        for project_id, completed, n in tuples(
            Task.select(Task.project_id, Task.completed, peewee.fn.COUNT(Task.id))
            .where(Task.user == self.user)
            .group_by(Task.project_id, Task.completed)
        ):
            counts.setdefault(project_id, [0, 0])[1 if completed else 0] += int(n)
        return {key: (value[0], value[1]) for key, value in counts.items()}

    def inbox_counts(self) -> tuple[int, int]:
        """Open and done tasks in no project."""
        return self._own_counts().get(None, (0, 0))

    def find(self, path: str) -> ProjectRecord:
        """The project at ``path`` (any case); NotFoundError naming the first level missing."""
        names = project_names(path)
        found = self.walk(names)
        if len(found) < len(names):
            missing = PATH_SEPARATOR.join(names[: len(found) + 1])
            raise NotFoundError(f"No project {missing} (taskflow projects lists them).")
        return self.record(found[-1])

    def walk(self, names: tuple[str, ...]) -> list[Any]:
        """The rows along ``names`` from the top, as far as they exist."""
        Project = self._models.Project
        found: list[Any] = []
        parent: str | None = None
        for name in names:
            row = Project.get_or_none(
                (Project.user == self.user)
                & _under(Project, parent)
                & (Project.name_key == name.casefold())
            )
            if row is None:
                break
            found.append(row)
            parent = row.id
        return found

    def get_row(self, project_id: str) -> Any:
        Project = self._models.Project
        row = Project.get_or_none((Project.id == project_id) & (Project.user == self.user))
        if row is None:
            raise NotFoundError(f"No project with id {project_id} (it may have been deleted).")
        return row

    def record(self, row: Any) -> ProjectRecord:
        names = [row.name]
        parent = row.parent_id
        while parent is not None:
            above = self.get_row(parent)
            names.append(above.name)
            parent = above.parent_id
        path = PATH_SEPARATOR.join(reversed(names))
        return ProjectRecord(
            row.id, row.name, row.parent_id, path, len(names) - 1, row.position, row.version
        )

    def path_of(self, project_id: str | None) -> str | None:
        return None if project_id is None else self.record(self.get_row(project_id)).path

    def scope(self, project_id: str) -> frozenset[str]:
        """The project and every project under it."""
        Project = self._models.Project
        scope = {project_id}
        frontier = [project_id]
        while frontier:
            below = [
                child
                for (child,) in tuples(
                    Project.select(Project.id).where(
                        (Project.user == self.user) & Project.parent_id.in_(frontier)
                    )
                )
            ]
            frontier = [child for child in below if child not in scope]
            scope.update(frontier)
        return frozenset(scope)

    def children(self, project_id: str) -> list[Any]:
        Project = self._models.Project
        return list(
            Project.select()
            .where((Project.user == self.user) & (Project.parent_id == project_id))
            .order_by(Project.position, Project.id)
        )

    # -- writing ---------------------------------------------------------------------------

    def ensure(self, names: tuple[str, ...], new_id: Callable[[], str]) -> tuple[Any, bool]:
        """The row at ``names``, its missing levels created (and logged); whether the
        last one is new."""
        found = self.walk(names)
        row = found[-1] if found else None
        for name in names[len(found) :]:
            row = self._insert(new_id(), name, row.id if row is not None else None)
        return row, len(found) < len(names)

    def _insert(self, project_id: str, name: str, parent_id: str | None) -> Any:
        now = self._clock()
        self._rows.ensure_user(now)
        state = {
            "name": name,
            "parent_id": parent_id,
            "position": self._last_position(parent_id) + 1.0,
            "version": 1,
            "created_at": format_timestamp(now),
            "updated_at": format_timestamp(now),
        }
        self._write_new(project_id, state)
        self._log(EventKind.CREATED, project_id, now, None, state)
        return self.get_row(project_id)

    def _write_new(self, project_id: str, state: dict[str, Any]) -> None:
        self._models.Project.insert(
            id=project_id,
            user=self.user,
            parent_id=state["parent_id"],
            name=state["name"],
            name_key=state["name"].casefold(),
            position=state["position"],
            created_at=parse_timestamp(state["created_at"]),
            updated_at=parse_timestamp(state["updated_at"]),
            version=state["version"],
        ).execute()

    def change(self, row: Any, **changes: Any) -> Any:
        """Rename or re-parent (and re-place) the project; logged as one edit."""
        before = _state(row)
        now = self._clock()
        after = {**before, **changes, "version": row.version + 1}
        after["updated_at"] = format_timestamp(now)
        if after["parent_id"] != before["parent_id"] and "position" not in changes:
            after["position"] = self._last_position(after["parent_id"]) + 1.0
        self._check_free(after["name"], after["parent_id"], row.id)
        self._write_over(row.id, after)
        self._log(EventKind.EDITED, row.id, now, before, after)
        return self.get_row(row.id)

    def _last_position(self, parent_id: str | None) -> float:
        Project = self._models.Project
        last = (
            Project.select(peewee.fn.MAX(Project.position))
            .where((Project.user == self.user) & _under(Project, parent_id))
            .scalar()
        )
        return float(last or 0)

    def _check_free(self, name: str, parent_id: str | None, own_id: str | None) -> None:
        """ValidationError if a sibling under ``parent_id`` already has that name."""
        Project = self._models.Project
        clash = Project.get_or_none(
            (Project.user == self.user)
            & _under(Project, parent_id)
            & (Project.name_key == name.casefold())
            & (Project.id != (own_id or ""))
        )
        if clash is not None:
            where = self.path_of(parent_id)
            place = f"in {where}" if where else "at the top"
            raise ValidationError("project", f"There is already a project {clash.name} {place}.")

    def _write_over(self, project_id: str, state: dict[str, Any]) -> None:
        Project = self._models.Project
        Project.update(
            parent_id=state["parent_id"],
            name=state["name"],
            name_key=state["name"].casefold(),
            position=state["position"],
            updated_at=parse_timestamp(state["updated_at"]),
            version=state["version"],
        ).where((Project.id == project_id) & (Project.user == self.user)).execute()

    def delete(self, row: Any) -> None:
        """Delete the (by now empty) project; logged, so that undo brings it back."""
        Project = self._models.Project
        now = self._clock()
        Project.delete().where((Project.id == row.id) & (Project.user == self.user)).execute()
        self._rows.ensure_user(now)
        self._log(EventKind.DELETED, row.id, now, _state(row), None)

    def _log(
        self,
        kind: EventKind,
        project_id: str,
        at: datetime,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        reverts: int | None = None,
    ) -> tuple[int, int | None]:
        return self._rows.log_row(
            subject=PROJECT,
            task_id=project_id,
            kind=kind.value,
            at=at,
            before=before,
            after=after,
            reverts=reverts,
        )

    # -- undo ------------------------------------------------------------------------------

    def revert(self, undone: EventRecord) -> EventRecord:
        """Take back one logged change of a project (UndoBlockedError if it cannot be)."""
        TaskEvent = self._models.TaskEvent
        event_row = TaskEvent.get_by_id(undone.id)
        before, after = event_row.before, event_row.after
        Project = self._models.Project
        row = Project.get_or_none((Project.id == undone.task_id) & (Project.user == self.user))
        now = self._clock()

        def blocked(why: str) -> UndoBlockedError:
            return UndoBlockedError(
                f"Cannot undo the change “{undone.summary}” of project “{undone.project}”: "
                f"{why}. Skipping it ('taskflow undo --skip', or U in the app) lets the next "
                "undo reach the change before it.",
                event_id=undone.id,
                task_id=undone.task_id,
            )

        changed_since = blocked("it has changed since")
        if undone.kind in (EventKind.CREATED, EventKind.RESTORED):
            if row is None:
                raise changed_since
            if self.children(row.id) or self._holds_tasks(row.id):
                raise blocked("it holds tasks or projects now")
            Project.delete().where(Project.id == row.id).execute()
            logged = self._log(EventKind.DELETED, row.id, now, _state(row), None, undone.id)
            return self._event(logged, EventKind.DELETED, undone, now)
        if undone.kind is EventKind.DELETED:
            if row is not None or before is None:
                raise changed_since
            if Project.get_or_none(Project.id == undone.task_id) is not None:
                raise blocked("its id is now another project's")
            parent = before["parent_id"]
            if parent is not None and Project.get_or_none(Project.id == parent) is None:
                raise blocked("the project it was in is gone")
            try:
                self._check_free(before["name"], parent, None)
            except ValidationError as error:
                raise blocked(str(error).rstrip(".").lower()) from None
            state = {**before, "version": before["version"] + 1}
            self._write_new(undone.task_id, state)
            logged = self._log(EventKind.RESTORED, undone.task_id, now, None, state, undone.id)
            return self._event(logged, EventKind.RESTORED, undone, now)
        # A rename or a move: put back what that change touched, as a task's edit does.
        if row is None or before is None or after is None:
            raise changed_since
        touched = {key for key in ("name", "parent_id") if before[key] != after[key]}
        if "parent_id" in touched:
            touched.add("position")
        parent = before["parent_id"] if "parent_id" in touched else row.parent_id
        if parent is not None and (
            Project.get_or_none(Project.id == parent) is None or parent in self.scope(row.id)
        ):
            raise blocked("the project it was in is gone, or now under it")
        current = _state(row)
        restored = {
            **current,
            **{key: before[key] for key in touched},
            "version": row.version + 1,
            "updated_at": format_timestamp(now),
        }
        try:
            self._check_free(restored["name"], parent, row.id)
        except ValidationError as error:
            raise blocked(str(error).rstrip(".").lower()) from None
        self._write_over(row.id, restored)
        logged = self._log(EventKind.EDITED, row.id, now, current, restored, undone.id)
        return self._event(logged, EventKind.EDITED, undone, now)

    def _holds_tasks(self, project_id: str) -> bool:
        Task = self._models.Task
        return Task.select(Task.id).where(Task.project_id == project_id).exists()

    def _event(
        self, logged: tuple[int, int | None], kind: EventKind, undone: EventRecord, at: datetime
    ) -> EventRecord:
        event_id, change_id = logged
        return EventRecord(
            id=event_id,
            change_id=change_id,
            task_id=undone.task_id,
            user_id=self.user,
            kind=kind,
            at=as_stored(at),
            before=None,
            after=None,
            reverts_event_id=undone.id,
            subject=PROJECT,
            project=undone.project,
        )


def _under(Project: Any, parent_id: str | None) -> Any:
    """The condition for the projects directly under ``parent_id`` (None: the top)."""
    return Project.parent_id.is_null() if parent_id is None else Project.parent_id == parent_id


def _state(row: Any) -> dict[str, Any]:
    """A project row as its logged change keeps it."""
    return {
        "name": row.name,
        "parent_id": row.parent_id,
        "position": float(row.position),
        "version": int(row.version),
        "created_at": format_timestamp(row.created_at),
        "updated_at": format_timestamp(row.updated_at),
    }
