"""Plain frozen records: all the UI and the command line ever get from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """Which tasks a list shows."""

    OPEN = "open"
    DONE = "done"
    ALL = "all"


class Sort(StrEnum):
    """Orders a list can be shown in. None of them touches what is stored."""

    CREATED = "created"  # oldest first: the order tasks were added in
    UPDATED = "updated"  # most recently changed first
    TITLE = "title"  # alphabetical, ignoring case
    STATUS = "status"  # open before done, then by creation

    @property
    def label(self) -> str:
        return _SORT_LABELS[self]


_SORT_LABELS = {
    Sort.CREATED: "created",
    Sort.UPDATED: "recently updated",
    Sort.TITLE: "title",
    Sort.STATUS: "open first",
}


class EventKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    TOGGLED = "toggled"
    DELETED = "deleted"
    RESTORED = "restored"


@dataclass(frozen=True)
class TaskRecord:
    id: str
    title: str
    description: str
    completed: bool
    created_at: datetime  # aware, UTC
    updated_at: datetime  # aware, UTC
    user_id: str
    version: int


@dataclass(frozen=True)
class TaskSnapshot:
    """A task's editable state at one moment, as kept in the event log."""

    title: str
    description: str
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class EventRecord:
    """One change in a task's history."""

    id: int
    task_id: str
    user_id: str
    kind: EventKind
    at: datetime
    before: TaskSnapshot | None
    after: TaskSnapshot | None
    reverts_event_id: int | None = None

    @property
    def changed_fields(self) -> tuple[str, ...]:
        if self.before is None or self.after is None:
            return ()
        return tuple(
            name
            for name in ("title", "description", "completed")
            if getattr(self.before, name) != getattr(self.after, name)
        )

    @property
    def summary(self) -> str:
        """A short human sentence: 'marked done', 'renamed', 'deleted (undo)'."""
        text = _event_summary(self)
        return f"{text} (undo)" if self.reverts_event_id is not None else text


def _event_summary(event: EventRecord) -> str:
    if event.kind is EventKind.CREATED:
        return "created"
    if event.kind is EventKind.DELETED:
        return "deleted"
    if event.kind is EventKind.RESTORED:
        return "restored"
    if event.kind is EventKind.TOGGLED:
        return "marked done" if event.after and event.after.completed else "marked open"
    changed = event.changed_fields
    if changed == ("title",):
        return "title changed"
    if changed == ("description",):
        return "description changed"
    if changed:
        return "edited " + " and ".join(changed)
    return "edited"


@dataclass(frozen=True)
class TaskQuery:
    """What a list shows: a status filter, a case-insensitive search, an order."""

    status: Status = Status.ALL
    search: str = ""
    sort: Sort = Sort.CREATED


@dataclass(frozen=True)
class TaskCounts:
    open: int
    done: int

    @property
    def total(self) -> int:
        return self.open + self.done


@dataclass(frozen=True)
class UndoResult:
    """What an undo did, for the notification and for updating the screen."""

    undone: EventRecord  # the change that was reverted
    event: EventRecord  # the new event recording the undo
    task: TaskRecord | None  # the task as it is now; None when the undo removed it

    @property
    def task_id(self) -> str:
        return self.undone.task_id

    @property
    def message(self) -> str:
        title = _title_of(self.undone)
        verb = {
            EventKind.CREATED: "Removed the newly added task",
            EventKind.DELETED: "Restored",
            EventKind.RESTORED: "Deleted again",
            EventKind.TOGGLED: "Marked open again"
            if self.task is not None and not self.task.completed
            else "Marked done again",
            EventKind.EDITED: "Reverted the edit of",
        }[self.undone.kind]
        return f"{verb} “{title}”"


def _title_of(event: EventRecord) -> str:
    snapshot = event.after or event.before
    return snapshot.title if snapshot is not None else event.task_id


@dataclass(frozen=True)
class ChangeSet:
    """Tasks changed by anyone since a given event: what a running app must refresh."""

    last_event_id: int
    task_ids: frozenset[str] = field(default_factory=frozenset)
    too_many: bool = False  # so many that reloading the visible list is cheaper


@dataclass(frozen=True)
class MigrationReport:
    """What opening the database did to its schema."""

    from_version: int
    to_version: int
    applied: tuple[str, ...] = ()
    backup: Path | None = None
    adopted_legacy: bool = False

    @property
    def changed(self) -> bool:
        return self.from_version != self.to_version


@dataclass(frozen=True)
class HealthReport:
    journal_mode: str
    foreign_keys: bool
    schema_version: int
    latest_version: int
    quick_check: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems
