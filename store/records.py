"""Plain frozen records: all the UI and the command line ever get from the store."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from store.planning import PATH_SEPARATOR, Due, Priority
from store.recurrence import Repeat


class Status(StrEnum):
    """Which tasks a list shows."""

    OPEN = "open"
    DONE = "done"
    ALL = "all"


class Sort(StrEnum):
    """Orders a list can be shown in. None of them touches what is stored."""

    MANUAL = "manual"  # the user's own order (J/K), which no other sort changes
    CREATED = "created"  # oldest first: the order tasks were added in
    UPDATED = "updated"  # most recently changed first
    TITLE = "title"  # alphabetical, ignoring case
    STATUS = "status"  # open before done, then by creation
    DUE = "due"  # soonest due first, undated last
    PRIORITY = "priority"  # highest first, then by due date

    @property
    def label(self) -> str:
        return _SORT_LABELS[self]


_SORT_LABELS = {
    Sort.MANUAL: "my order",
    Sort.DUE: "due date",
    Sort.PRIORITY: "priority",
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
    due: Due | None = None  # a local day, maybe with a time
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()  # in alphabetical order, ignoring case
    position: float = 0.0  # the user's own order
    project_id: str | None = None  # its project (ProjectRecord.id), or None: the Inbox
    parent_id: str | None = None  # the task it is a subtask of (in the same project)
    blocked_by: tuple[str, ...] = ()  # the ids of the tasks it waits for, sorted
    # Its repeat rule (the open occurrence of a series carries it; completing it makes
    # the next), the series it belongs to and its number there (1 for the first).
    repeat: Repeat | None = None
    series_id: str | None = None
    occurrence: int | None = None
    # Whether one of those is still open, as the task was read (not a field of its own:
    # completing the blocker unblocks it).
    blocked: bool = field(default=False, compare=False)
    # Why the stored row cannot be read (a time outside what can be shown, a value
    # no field can hold), or "" for a sound one. An unreadable task is still listed,
    # with its id and the reason, so that one bad row never hides the others; its
    # unreadable fields hold placeholders (UNREADABLE_MOMENT, 0, None) and it can be
    # shown and deleted, not changed.
    unreadable: str = ""


# What an unreadable time reads as: a placeholder, never shown as the task's time.
UNREADABLE_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NewTask:
    """A task to create in bulk; what is left out is filled in as for a new task."""

    title: str
    description: str = ""
    completed: bool = False
    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    due: Due | None = None
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskSnapshot:
    """A task's editable state at one moment, as kept in the event log."""

    title: str
    description: str
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int
    due: Due | None = None
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()
    position: float | None = None  # None in events logged before positions existed
    project_id: str | None = None  # None too in events logged before projects existed
    parent_id: str | None = None
    blocked_by: tuple[str, ...] = ()
    repeat: Repeat | None = None
    series_id: str | None = None
    occurrence: int | None = None
    # Set when the task could not be read as it was logged (see TaskRecord.unreadable):
    # such a state is kept in the history but never restored.
    unreadable: str = ""


# What an edit, a conflict or an undo compares: every field a user can change.
EDITABLE_FIELDS = (
    "title",
    "description",
    "completed",
    "due",
    "priority",
    "tags",
    "position",
    "project_id",
    "parent_id",
    "blocked_by",
    "repeat",
    "series_id",
    "occurrence",
)


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
    # Why the logged row cannot be read (before and after are then None), or "".
    unreadable: str = ""
    # An undo passed over this change without undoing it ('taskflow undo --skip'):
    # this event records that, and changes no task. reverts_event_id names the change.
    skipped: bool = False
    # The change of several tasks this event is part of (the id of its first event),
    # undone together; None for a change of this task alone.
    change_id: int | None = None
    # A project's own change (created, renamed or moved, deleted): task_id is then the
    # project's id, ``project`` its name, and before and after are None (no task state).
    subject: str = "task"
    project: str = ""

    @property
    def changed_fields(self) -> tuple[str, ...]:
        if self.before is None or self.after is None:
            return ()
        before, after = self.before, self.after
        return tuple(
            name
            for name in EDITABLE_FIELDS
            if getattr(before, name) != getattr(after, name)
            # an old event without a position did not change it
            and not (name == "position" and None in (before.position, after.position))
        )

    @property
    def summary(self) -> str:
        """A short human sentence: 'marked done', 'renamed', 'deleted (undo)'."""
        if self.skipped:
            return "undo skipped"
        if self.unreadable:
            return f"{self.kind.value} (cannot be read: {self.unreadable})"
        text = _event_summary(self)
        return f"{text} (undo)" if self.reverts_event_id is not None else text


def _event_summary(event: EventRecord) -> str:
    if event.subject == "project":
        return _PROJECT_SUMMARY.get(event.kind, "project changed")
    if event.kind is EventKind.CREATED:
        return "created"
    if event.kind is EventKind.DELETED:
        return "deleted"
    if event.kind is EventKind.RESTORED:
        return "restored"
    if event.kind is EventKind.TOGGLED:
        return "marked done" if event.after and event.after.completed else "marked open"
    changed = event.changed_fields
    if "position" in changed and ({"parent_id", "project_id"} & set(changed)):
        # A new place is what going under another task or into a project means.
        changed = tuple(name for name in changed if name != "position")
    if {"series_id", "occurrence"} & set(changed):
        # A task's place in a series changes with its repeat: the repeat says it.
        changed = tuple(name for name in changed if name not in ("series_id", "occurrence"))
        if "repeat" not in changed:
            changed = (*changed, "repeat")
    if len(changed) == 1:
        return _ONE_CHANGE.get(changed[0], f"{changed[0]} changed")
    if changed:
        names = [_FIELD_NAMES.get(name, name) for name in changed]
        return "edited " + ", ".join(names[:-1]) + " and " + names[-1]
    return "edited"


_ONE_CHANGE = {
    "title": "title changed",
    "description": "description changed",
    "due": "due date changed",
    "priority": "priority changed",
    "tags": "tags changed",
    "position": "moved",
    "project_id": "moved to another project",
    "parent_id": "parent task changed",
    "blocked_by": "blocked-by changed",
    "repeat": "repeat changed",
}
_FIELD_NAMES = {
    "due": "due date",
    "position": "place",
    "project_id": "project",
    "parent_id": "parent task",
    "blocked_by": "blocked by",
    "repeat": "repeat",
}


@dataclass(frozen=True)
class TaskQuery:
    """What a list shows: a status filter, a case-insensitive search, an order.

    ``matches`` and ``sort_key`` state in Python exactly what the store's queries
    state in SQL, so a window can place one changed task without asking again.
    """

    status: Status = Status.ALL
    search: str = ""
    sort: Sort = Sort.CREATED
    due_until: date | None = None  # only tasks due on or before this day (Today, Upcoming)
    tag: str | None = None  # only tasks with this tag (any case)
    # With tag_prefix, tasks with a tag that starts with ``tag``: the app's "#wo"
    # finds #work and #workshop, as a search finds a word by its start.
    tag_prefix: bool = False
    # Only tasks in these projects (ids; None among them: the Inbox, tasks in none).
    # TaskStore.project_scope gives a project with every project under it.
    projects: frozenset[str | None] | None = None
    # Only tasks no open task blocks (list --ready).
    ready: bool = False
    # The tree in my order, folded. Without ``collapse_all``: every task but those
    # under a task in ``collapsed``. With it: the top-level tasks, and those under a
    # task in ``expanded`` that is shown itself.
    collapsed: frozenset[str] = frozenset()
    collapse_all: bool = False
    expanded: frozenset[str] = frozenset()

    @property
    def folded(self) -> bool:
        return self.collapse_all or bool(self.collapsed)

    @property
    def terms(self) -> list[str]:
        """Search words; a task matches when each is in its title or description.

        Case is ignored: for a plain-ASCII word as SQL's LIKE ignores it (A-Z only,
        which lets the database answer without calling back into Python); for any
        other word by full Unicode case folding ("ÉTÉ" finds "été").
        """
        return self.search.casefold().split()

    def matches(self, task: TaskRecord) -> bool:
        if self.status is Status.OPEN and task.completed:
            return False
        if self.status is Status.DONE and not task.completed:
            return False
        if self.due_until is not None and (task.due is None or task.due.day > self.due_until):
            return False
        if self.tag is not None and not self._tag_matches(task.tags):
            return False
        if self.projects is not None and task.project_id not in self.projects:
            return False
        if self.ready and task.blocked:
            return False
        # The parent alone is known here: a task deeper under a folded one is judged
        # by its parent, which the list does not show either, so it is never placed.
        if self.collapse_all and task.parent_id is not None and task.parent_id not in self.expanded:
            return False
        if not self.collapse_all and task.parent_id in self.collapsed:
            return False
        return all(
            _contains(task.title, term) or _contains(task.description, term) for term in self.terms
        )

    def _tag_matches(self, tags: tuple[str, ...]) -> bool:
        wanted = (self.tag or "").casefold()
        if self.tag_prefix:
            return any(tag.casefold().startswith(wanted) for tag in tags)
        return wanted in {tag.casefold() for tag in tags}

    def sort_key(self, task: TaskRecord) -> tuple[Any, ...]:
        due = task.due.order_key if task.due is not None else NO_DUE
        if self.sort is Sort.MANUAL:
            return (task.position, task.id)
        if self.sort is Sort.DUE:
            return (due, task.position, task.id)
        if self.sort is Sort.PRIORITY:
            return (3 - int(task.priority), due, task.position, task.id)
        if self.sort is Sort.UPDATED:
            return (_Descending(task.updated_at), _Descending(task.id))
        if self.sort is Sort.TITLE:
            return (title_key(task.title), task.id)
        if self.sort is Sort.STATUS:
            return (task.completed, task.created_at, task.id)
        return (task.created_at, task.id)


# What a task without a due date sorts as: after every 'YYYY-...' key.
NO_DUE = "~"


def title_key(title: str) -> str:
    """What titles sort by: case-folded, so "apple" and "Banana" sort as people expect."""
    return title.casefold()


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _contains(text: str, term: str) -> bool:
    if term.isascii():
        return term in text.translate(_ASCII_LOWER)
    return term in text.casefold()


@functools.total_ordering
class _Descending:
    """Wraps a value so that it sorts in reverse."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return bool(self.value > other.value)

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True)
class FutureOccurrence:
    """A date a series will fall due on that is not a task yet (Upcoming shows it): it
    becomes one when the occurrence before it is done."""

    task: TaskRecord  # the series' open occurrence, which it follows
    due: Due
    number: int  # its place among the series' coming dates shown (1: the first)


@dataclass(frozen=True)
class TaskCounts:
    open: int
    done: int

    @property
    def total(self) -> int:
        return self.open + self.done


@dataclass(frozen=True)
class TreeContext:
    """Where a listed task sits: what a list needs to draw it as part of the tree, or
    to give it a breadcrumb where it is shown flat."""

    parent_ids: tuple[str, ...] = ()  # the tasks above it, the top-level one first
    parent_titles: tuple[str, ...] = ()
    project: str | None = None  # its project's path ('Work/Q4'); None: the Inbox
    subtasks: TaskCounts | None = None  # those directly under it; None: it has none

    @property
    def depth(self) -> int:
        return len(self.parent_ids)


@dataclass(frozen=True)
class UndoResult:
    """What an undo did, for the notification and for updating the screen."""

    undone: EventRecord  # the change that was reverted (or skipped)
    event: EventRecord  # the new event recording the undo (or the skip)
    task: TaskRecord | None  # the task as it is now; None when the undo removed it
    skipped: bool = False  # passed over without undoing it (TaskStore.skip_undo)
    # The rest of a change of several tasks, undone (or skipped) with it, newest first.
    together: tuple[UndoResult, ...] = ()

    @property
    def task_id(self) -> str:
        return self.undone.task_id

    @property
    def message(self) -> str:
        title = _title_of(self.undone)
        completion = self._completion_of_a_series()
        if completion is not None and not self.skipped:
            return (
                f"Marked open again “{_title_of(completion.undone)}”; its next occurrence "
                "was removed"
            )
        if self.skipped:
            more = f" and {len(self.together)} made with it" if self.together else ""
            return f"Skipped the change “{title}” ({self.undone.summary}){more} without undoing it"
        if self.undone.subject == "project":
            verb = _PROJECT_UNDO[self.undone.kind]
        else:
            verb = {
                EventKind.CREATED: "Removed the newly added task",
                EventKind.DELETED: "Restored",
                EventKind.RESTORED: "Deleted again",
                EventKind.TOGGLED: "Marked open again"
                if self.task is not None and not self.task.completed
                else "Marked done again",
                EventKind.EDITED: "Reverted the edit of",
            }[self.undone.kind]
        text = f"{verb} “{title}”"
        if self.together:
            others = len(self.together)
            text += f" and {others} more change{'s' if others > 1 else ''} made with it"
        return text

    @property
    def each(self) -> tuple[UndoResult, ...]:
        """This result and those undone with it: one per task event reverted."""
        return (self, *self.together)

    def _completion_of_a_series(self) -> UndoResult | None:
        """The completion undone, when this undid a repeating task's completion together
        with the next occurrence it made (and the subtasks marked and copied with it)."""
        handed_on = [
            each
            for each in self.each
            if each.undone.kind is EventKind.TOGGLED
            and each.undone.before is not None
            and each.undone.before.repeat is not None
            and each.undone.after is not None
            and each.undone.after.completed
        ]
        made = any(each.undone.kind is EventKind.CREATED for each in self.each)
        rest = {each.undone.kind for each in self.each if each not in handed_on}
        if len(handed_on) == 1 and made and rest <= {EventKind.CREATED, EventKind.TOGGLED}:
            return handed_on[0]
        return None


_PROJECT_SUMMARY = {
    EventKind.CREATED: "project created",
    EventKind.DELETED: "project deleted",
    EventKind.RESTORED: "project restored",
    EventKind.EDITED: "project renamed or moved",
}
_PROJECT_UNDO = {
    EventKind.CREATED: "Removed the new project",
    EventKind.DELETED: "Restored the project",
    EventKind.RESTORED: "Deleted again the project",
    EventKind.EDITED: "Reverted the rename or move of the project",
    EventKind.TOGGLED: "Reverted the project",  # a project is never toggled
}


def _title_of(event: EventRecord) -> str:
    if event.subject == "project":
        return event.project or event.task_id
    snapshot = event.after or event.before
    return snapshot.title if snapshot is not None else event.task_id


@dataclass(frozen=True)
class ProjectRecord:
    """One project of an owner's tree, as ``TaskStore.projects`` lists it."""

    id: str
    name: str  # as first spelled; unique among its siblings, ignoring case
    parent_id: str | None  # None: a top-level project
    path: str  # its names from the top, joined by '/': 'Work/Q4'
    depth: int  # 0 for a top-level project
    position: float  # its place among its siblings
    version: int
    # Tasks in it or in any project under it, as choosing it lists them.
    open: int = 0
    done: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.path.split(PATH_SEPARATOR))


@dataclass(frozen=True)
class ProjectRemoval:
    """What deleting a project did: with ``moved``, its tasks and projects went up a
    level; otherwise they were deleted with it."""

    project: ProjectRecord
    tasks: int  # moved up, or deleted
    projects: int  # the projects directly in it moved up, or every one under it deleted
    moved: bool = False


@dataclass(frozen=True)
class ChangeSet:
    """Tasks changed by anyone since a given event: what a running app must refresh."""

    last_event_id: int
    task_ids: frozenset[str] = field(default_factory=frozenset)
    too_many: bool = False  # so many that reloading the visible list is cheaper
    projects: bool = False  # a project was made, renamed, moved or deleted


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
