"""What the task list reads from the store, in its thread workers, and the messages
that bring it back to the app's thread.

Every function here runs in a worker: it asks the store and returns plain records;
none touches a widget or calls the clock (the moment is read on the app's thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from textual.message import Message

from store import (
    FutureOccurrence,
    Status,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    TaskStore,
    TreeContext,
    day_heading,
)
from tui.list_state import ViewKind
from tui.widgets.project_sidebar import SidebarContents
from tui.widgets.task_table import KEEP_EDGES as EDGE
from tui.widgets.task_table import Group, TaskTable

WINDOW = 150  # rows fetched with a new list: a screenful and more, around the cursor


@dataclass
class ListLoaded(Message):
    """A list's length and its first window of rows, around where the cursor goes."""

    query: TaskQuery
    total: int
    start: int
    records: Sequence[TaskRecord]
    cursor: int
    head: Sequence[TaskRecord] = ()
    tail_start: int = 0
    tail: Sequence[TaskRecord] = ()
    groups: Sequence[Group] | None = None
    contexts: dict[str, TreeContext] = field(default_factory=dict)


@dataclass
class RowsLoaded(Message):
    """Rows the table asked for (RowsNeeded)."""

    generation: int
    start: int
    records: Sequence[TaskRecord]
    contexts: dict[str, TreeContext] = field(default_factory=dict)


@dataclass
class TaskPlaced(Message):
    """Where a task that is not loaded belongs in the list (None: it does not)."""

    generation: int
    task: TaskRecord
    position: int | None
    select: bool
    contexts: dict[str, TreeContext] = field(default_factory=dict)


@dataclass
class CountsLoaded(Message):
    """The owner's counts, and the length of each view."""

    counts: TaskCounts
    views: dict[ViewKind, int]


@dataclass
class RowsFetched(Message):
    """Tasks changed elsewhere, read again: those found, and the ids that are gone."""

    found: Sequence[TaskRecord]
    missing: frozenset[str]
    contexts: dict[str, TreeContext] = field(default_factory=dict)


def read_list(
    store: TaskStore,
    query: TaskQuery,
    keep: str | None,
    cursor: int,
    now: datetime,
    week_start: int | None = None,
) -> ListLoaded:
    """The list's length and the window around task ``keep``, or around row ``cursor``
    if that task is not listed; ``now`` (local) places the day headings, and
    ``week_start`` marks where the next week begins among them."""
    total, position = store.locate(query, keep)
    cursor = min(position if position is not None else cursor, max(total - 1, 0))
    start = max(cursor - WINDOW // 2, 0)
    records = store.list_tasks(query, limit=WINDOW, offset=start) if total else []
    # The first and last rows too (G, g, End, Home), fetched from each end of the
    # index: cheap at any size, and those keys then never wait.
    head = store.list_tasks(query, limit=EDGE) if start > 0 and not query.terms else []
    tail_start = max(total - EDGE, 0)
    # Not for a search, whose results are read once and often abandoned as the user
    # types on: G there may wait one page fetch.
    far = start + WINDOW < total and not query.terms and query.due_until is None
    tail = store.list_tasks(query, limit=EDGE, from_end=True) if far else []
    groups = day_groups(store, query, now, week_start) if query.due_until is not None else None
    return ListLoaded(
        query,
        total,
        start,
        records,
        cursor,
        head=head,
        tail_start=tail_start,
        tail=tail,
        groups=groups,
        contexts=store.tree_context([*records, *head, *tail]),
    )


def day_groups(
    store: TaskStore, query: TaskQuery, now: datetime, week_start: int | None = None
) -> list[Group]:
    """Headings for a view in due order: one for everything overdue (today's times
    already past too, as the rows' marks say), then one a day (``now`` local), each
    day with the dates series will fall due on then (not tasks yet: shown dimmed)."""
    today = now.date()
    future: dict[date, list[FutureOccurrence]] = {}
    if query.due_until is not None:
        for coming in store.future_occurrences(query, query.due_until):
            if coming.due.day >= today:  # dates a late series has missed are not shown
                future.setdefault(coming.due.day, []).append(coming)
    groups = []
    for day, count in store.count_by_due_day(query, now=now):
        if day is None:
            groups.append(Group("Overdue", count, alarming=True))
        else:
            coming_then = tuple(future.get(day, ()))
            heading = day_heading(day, today, week_start=week_start)
            groups.append(Group(heading, count, future=coming_then))
    return groups  # the table leaves out the empty ones


def read_counts(
    store: TaskStore,
    today: TaskQuery,
    upcoming: TaskQuery,
    scope: frozenset[str | None] | None = None,
) -> CountsLoaded:
    """The owner's counts, or those of the projects in ``scope`` (the chosen one)."""
    if scope is None:
        counts = store.counts()
    else:
        counts = TaskCounts(
            open=store.count(TaskQuery(status=Status.OPEN, projects=scope)),
            done=store.count(TaskQuery(status=Status.DONE, projects=scope)),
        )
    views = {
        ViewKind.ALL: counts.total,
        ViewKind.TODAY: store.count(today),
        ViewKind.UPCOMING: store.count(upcoming),
        ViewKind.DONE: counts.done,
    }
    return CountsLoaded(counts, views)


@dataclass
class SidebarLoaded(Message):
    contents: SidebarContents


def read_sidebar(store: TaskStore) -> SidebarLoaded:
    projects = store.projects()
    # The Inbox is what the top-level projects leave: one pass over the tasks, not two.
    total = store.counts()
    in_projects = [p for p in projects if p.depth == 0]
    inbox = TaskCounts(
        open=total.open - sum(p.open for p in in_projects),
        done=total.done - sum(p.done for p in in_projects),
    )
    return SidebarLoaded(SidebarContents(projects, inbox))


def read_rows(store: TaskStore, query: TaskQuery, needed: TaskTable.RowsNeeded) -> RowsLoaded:
    """The rows the table asked for: by keyset from a loaded neighbour when it has one."""
    if needed.after is not None:
        records = store.list_tasks(query, limit=needed.count, after=needed.after)
    elif needed.before is not None:
        records = store.list_tasks(query, limit=needed.count, before=needed.before)
    else:
        records = store.list_tasks(query, limit=needed.count, offset=needed.start)
    return RowsLoaded(needed.generation, needed.start, records, store.tree_context(records))


def place(
    store: TaskStore, generation: int, query: TaskQuery, task: TaskRecord, select: bool
) -> TaskPlaced:
    position = store.position_of(task.id, query)
    return TaskPlaced(generation, task, position, select, store.tree_context([task]))


def read_again(store: TaskStore, task_ids: frozenset[str]) -> RowsFetched:
    found = store.get_many(task_ids)
    missing = task_ids - {task.id for task in found}
    return RowsFetched(found, missing, store.tree_context(found))
