"""One owner's task tree and blocks: a task's subtree and ancestors, how deep it goes,
whether a parent or a blocker would close a cycle, and subtasks counted.

What TaskStore's structural operations build on; always inside a session (and for a
write, inside the caller's write transaction). Reads only: the rows are written, and
each change logged, by OwnerRows through TaskStore.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee

from store.models import Models, tuples
from store.records import TaskCounts

# How deep subtasks go (a task, its subtask, theirs, ...): deeper is a list nobody reads.
MAX_SUBTASK_DEPTH = 8
_BATCH = 500  # ids per IN list, under SQLite's parameter limit


class TaskLinks:
    """The parent links and blocks between one owner's tasks."""

    def __init__(self, models: Models, user: str) -> None:
        self._models = models
        self.user = user

    def children(self, parent_ids: Sequence[str]) -> list[str]:
        """The ids of the tasks directly under these, in the owner's order."""
        Task = self._models.Task
        found: list[str] = []
        for start in range(0, len(parent_ids), _BATCH):
            batch = list(parent_ids[start : start + _BATCH])
            found.extend(
                task_id
                for (task_id,) in tuples(
                    Task.select(Task.id)
                    .where((Task.user == self.user) & Task.parent_id.in_(batch))
                    .order_by(Task.position, Task.id)
                )
            )
        return found

    def subtree(self, task_id: str) -> list[str]:
        """The task and every task under it, each level after the one above it."""
        ordered = [task_id]
        level = [task_id]
        while level:
            level = [child for child in self.children(level) if child not in ordered]
            ordered.extend(level)
        return ordered

    def levels(self, task_id: str) -> int:
        """How many levels the task's subtree spans: 1 for a task without subtasks."""
        count, level = 0, [task_id]
        while level and count <= MAX_SUBTASK_DEPTH:
            count += 1
            level = self.children(level)
        return count

    def ancestors(self, task_id: str) -> list[str]:
        """The task's parent, its parent's, ... up to a top-level task."""
        Task = self._models.Task
        found: list[str] = []
        current: str | None = task_id
        while current is not None and len(found) <= MAX_SUBTASK_DEPTH:
            current = (
                Task.select(Task.parent_id)
                .where((Task.id == current) & (Task.user == self.user))
                .scalar()
            )
            if current is not None:
                found.append(current)
        return found

    def lineage(self, task_ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
        """The parent and title of these tasks and of every task above them: a query
        a level, however many tasks are asked about."""
        Task = self._models.Task
        found: dict[str, tuple[str | None, str]] = {}
        wanted = list(dict.fromkeys(task_ids))
        for _ in range(MAX_SUBTASK_DEPTH + 1):
            if not wanted:
                break
            for start in range(0, len(wanted), _BATCH):
                # The owner is checked on the rows, not in the WHERE: with it there,
                # SQLite scans the owner's index over every task rather than look up
                # the few ids by the key (80 ms against 1 at 100,000 tasks).
                for task_id, owner, parent, title in tuples(
                    Task.select(Task.id, Task.user, Task.parent_id, Task.title).where(
                        Task.id.in_(wanted[start : start + _BATCH])
                    )
                ):
                    if owner == self.user:
                        found[task_id] = (parent, title)
            wanted = list(
                dict.fromkeys(
                    parent
                    for parent, _title in found.values()
                    if parent is not None and parent not in found
                )
            )
        return found

    def blocked_by_them(self, blocker_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each task blocked by one of these, with which of them block it."""
        TaskBlock = self._models.TaskBlock
        wanted = list(blocker_ids)
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), _BATCH):
            for task_id, blocker in tuples(
                TaskBlock.select(TaskBlock.task_id, TaskBlock.blocker_id).where(
                    TaskBlock.blocker_id.in_(wanted[start : start + _BATCH])
                )
            ):
                found.setdefault(task_id, []).append(blocker)
        return found

    def would_cycle(self, task_id: str, blockers: Iterable[str]) -> bool:
        """Whether ``task_id`` blocked by these would wait on itself: one of them waits,
        through the blocks there are, on ``task_id``."""
        TaskBlock = self._models.TaskBlock
        seen: set[str] = set()
        frontier = [blocker for blocker in blockers]
        while frontier:
            if task_id in frontier:
                return True
            seen.update(frontier)
            frontier = [
                blocker
                for (blocker,) in tuples(
                    TaskBlock.select(TaskBlock.blocker_id).where(
                        TaskBlock.task_id.in_(frontier[:_BATCH])
                    )
                )
                if blocker not in seen
            ] + frontier[_BATCH:]
        return False

    def subtask_counts(self, task_ids: Sequence[str]) -> dict[str, TaskCounts]:
        """Open and done subtasks directly under each of these tasks that has any."""
        Task = self._models.Task
        counts: dict[str, list[int]] = {}
        counted = Task.select(Task.parent_id, Task.user, Task.completed, peewee.fn.COUNT(Task.id))
        if len(task_ids) > _BATCH:
            # Many tasks (a whole list): every parent's count in one query, walking the
            # subtasks alone (the parent index), then only those asked for kept.
            selects = [counted.where((Task.user == self.user) & Task.parent_id.is_null(False))]
            wanted: set[str] | None = set(task_ids)
        else:
            # By the parent index alone, the owner checked on the groups: with the owner
            # in the WHERE, SQLite walks the owner's every task instead.
            selects = [counted.where(Task.parent_id.in_(list(task_ids)))]
            wanted = None
        for select in selects:
            grouped = select.group_by(Task.parent_id, Task.user, Task.completed)
            for parent, owner, completed, n in tuples(grouped):
                if owner == self.user and (wanted is None or parent in wanted):
                    counts.setdefault(parent, [0, 0])[1 if completed else 0] += int(n)
        return {key: TaskCounts(open=value[0], done=value[1]) for key, value in counts.items()}
