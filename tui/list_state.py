"""What the user chose to see on the task list: a view, a sort, a filter and a search.

One frozen value: the list screen holds it in a reactive, and a change to it is a new
value (dataclasses.replace), so that the query is worked out in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from store import Sort, Status, TaskQuery

SORT_CYCLE = (
    Sort.MANUAL,
    Sort.CREATED,
    Sort.UPDATED,
    Sort.TITLE,
    Sort.STATUS,
    Sort.DUE,
    Sort.PRIORITY,
)
UPCOMING_DAYS = 7  # today and the six days after it


class ViewKind(StrEnum):
    """The four views, on keys 1 to 4."""

    ALL = "all"
    TODAY = "today"
    UPCOMING = "upcoming"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def key(self) -> str:
        return str(list(ViewKind).index(self) + 1)

    @property
    def by_due_date(self) -> bool:
        """Today and Upcoming are always in due order, under a heading per day."""
        return self in (ViewKind.TODAY, ViewKind.UPCOMING)


@dataclass(frozen=True)
class ProjectPlace:
    """A project chosen in the sidebar, or the Inbox: the list narrows to its tasks."""

    path: str  # 'Work/Q4'; "" for the Inbox
    # The project and every one under it, as the sidebar's tree had them when it was
    # chosen (a TaskQuery's ``projects``); {None} for the Inbox.
    scope: frozenset[str | None]
    project_id: str | None = None  # None: the Inbox

    @property
    def is_inbox(self) -> bool:
        return self.project_id is None


@dataclass(frozen=True)
class ListState:
    """The list's view, as the user set it with the keys."""

    kind: ViewKind = ViewKind.ALL
    place: ProjectPlace | None = None  # None: every project and the Inbox
    sort: Sort = Sort.MANUAL  # the order of All and Done; Today/Upcoming go by due
    hide_done: bool = False  # in All only
    search_text: str = ""  # as typed: words, and #tag
    # The tree's folds (see TaskQuery): collapse_all folds every task but those
    # in ``expanded``; without it, those in ``collapsed`` are folded.
    collapse_all: bool = False
    collapsed: frozenset[str] = frozenset()
    expanded: frozenset[str] = frozenset()

    @property
    def shows_tree(self) -> bool:
        """My order in All or Done, without a search: the list is the task tree, with
        subtasks under their parents. Otherwise tasks are shown flat."""
        return (
            self.kind in (ViewKind.ALL, ViewKind.DONE)
            and self.sort is Sort.MANUAL
            and not self.search_text.strip()
        )

    @property
    def any_folded(self) -> bool:
        return self.collapse_all or bool(self.collapsed)

    def is_folded(self, task_id: str) -> bool:
        if self.collapse_all:
            return task_id not in self.expanded
        return task_id in self.collapsed

    def with_fold(self, task_id: str, folded: bool) -> ListState:
        """The state with this task's subtasks hidden (``folded``) or shown."""
        if self.collapse_all:
            expanded = self.expanded - {task_id} if folded else self.expanded | {task_id}
            return replace(self, expanded=expanded)
        collapsed = self.collapsed | {task_id} if folded else self.collapsed - {task_id}
        return replace(self, collapsed=collapsed)

    def with_all_folded(self, folded: bool) -> ListState:
        return replace(self, collapse_all=folded, collapsed=frozenset(), expanded=frozenset())

    def sorted_by_next(self, step: int) -> ListState:
        """The state with the sort ``step`` places on in SORT_CYCLE (back if negative)."""
        following = SORT_CYCLE[(SORT_CYCLE.index(self.sort) + step) % len(SORT_CYCLE)]
        return replace(self, sort=following)

    def query(self, today: date) -> TaskQuery:
        """The query the view, sort, filter and search add up to on ``today`` (the
        user's local date: Today and Upcoming mean other days after midnight)."""
        words = self.search_text.split()
        tags = [word[1:] for word in words if word.startswith("#") and len(word) > 1]
        search = " ".join(word for word in words if not (word.startswith("#") and len(word) > 1))
        # "#wo" finds #work and #workshop: a tag is found by its start, as a word is.
        query = TaskQuery(
            search=search,
            tag=tags[0] if tags else None,
            tag_prefix=True,
            projects=self.place.scope if self.place is not None else None,
        )
        if self.kind is ViewKind.TODAY:
            return replace(query, status=Status.OPEN, sort=Sort.DUE, due_until=today)
        if self.kind is ViewKind.UPCOMING:
            until = today + timedelta(days=UPCOMING_DAYS - 1)
            return replace(query, status=Status.OPEN, sort=Sort.DUE, due_until=until)
        if self.shows_tree:
            query = replace(
                query,
                collapse_all=self.collapse_all,
                collapsed=frozenset() if self.collapse_all else self.collapsed,
                expanded=self.expanded if self.collapse_all else frozenset(),
            )
        if self.kind is ViewKind.DONE:
            return replace(query, status=Status.DONE, sort=self.sort)
        status = Status.OPEN if self.hide_done else Status.ALL
        return replace(query, status=status, sort=self.sort)
