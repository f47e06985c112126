"""Where tasks go in the owner's own order ("my order") so that it reads as the tree.

My order is one sequence of positions. A task's subtasks come right after it, each
followed by its own, before the task's next sibling: a pre-order walk of the tree.
Then the app's tree is simply the list in my order, paged from the index like any
other list, with no query that reads every row. TaskStore keeps that layout when a
task is made under a parent, moves under another, or is moved with J and K; what
this module gives it is the positions for a block of tasks between two neighbours.

Always inside the caller's session (and write transaction). Reads only.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

import peewee

from store.models import Models, tuples
from store.structure import TaskLinks


class TreeOrder:
    """Positions in one owner's order for subtrees that move."""

    def __init__(self, models: Models, links: TaskLinks, user: str) -> None:
        self._models = models
        self._links = links
        self.user = user

    def preorder(self, task_id: str) -> list[str]:
        """The task and its subtree as my order shows it: each task, then its
        subtasks (in their order), each followed by its own."""
        Task = self._models.Task
        below: dict[str, list[str]] = {}
        level = [task_id]
        seen = {task_id}
        while level:
            rows = tuples(
                Task.select(Task.parent_id, Task.id)
                .where((Task.user == self.user) & Task.parent_id.in_(level[:500]))
                .order_by(Task.position, Task.id)
            )
            level = level[500:]
            for parent, child in rows:
                if child not in seen:
                    seen.add(child)
                    below.setdefault(parent, []).append(child)
                    level.append(child)
        ordered: list[str] = []
        stack = [task_id]
        while stack:
            current = stack.pop()
            ordered.append(current)
            stack.extend(reversed(below.get(current, [])))
        return ordered

    def last_position(self, task_ids: Sequence[str], moving: Collection[str]) -> float | None:
        """The latest position among these tasks, those in ``moving`` left out."""
        Task = self._models.Task
        kept = [task_id for task_id in task_ids if task_id not in moving]
        last: float | None = None
        for start in range(0, len(kept), 500):
            found = (
                Task.select(peewee.fn.MAX(Task.position))
                .where((Task.user == self.user) & Task.id.in_(kept[start : start + 500]))
                .scalar()
            )
            if found is not None and (last is None or found > last):
                last = float(found)
        return last

    def after(self, position: float, moving: Collection[str], count: int) -> list[float] | None:
        """``count`` positions right after ``position``, before the next task that does
        not move; None when floating point has no room left there."""
        Task = self._models.Task
        following = (
            Task.select(Task.id, Task.position)
            .where((Task.user == self.user) & (Task.position > position))
            .order_by(Task.position, Task.id)
            .limit(len(moving) + 1)
        )
        high = next((float(p) for task_id, p in tuples(following) if task_id not in moving), None)
        return _spread(position, high, count)

    def before(self, position: float, moving: Collection[str], count: int) -> list[float] | None:
        """``count`` positions right before ``position``, after the task before it that
        does not move; None when floating point has no room left there."""
        Task = self._models.Task
        preceding = (
            Task.select(Task.id, Task.position)
            .where((Task.user == self.user) & (Task.position < position))
            .order_by(Task.position.desc(), Task.id.desc())
            .limit(len(moving) + 1)
        )
        low = next((float(p) for task_id, p in tuples(preceding) if task_id not in moving), None)
        if low is None:
            return [position - count + n for n in range(count)]
        return _spread(low, position, count)

    def end_of_subtree(self, task_id: str, moving: Collection[str]) -> float:
        """The position of the last task of ``task_id``'s subtree that does not move."""
        last = self.last_position(self._links.subtree(task_id), moving)
        if last is None:
            raise LookupError(task_id)  # the subtree's root never moves with the block
        return last


def _spread(low: float, high: float | None, count: int) -> list[float] | None:
    """``count`` increasing positions strictly between ``low`` and ``high`` (None: no end)."""
    if high is None:
        return [low + 1.0 + n for n in range(count)]
    step = (high - low) / (count + 1)
    positions = [low + step * (n + 1) for n in range(count)]
    bounds = [low, *positions, high]
    if all(a < b for a, b in itertools.pairwise(bounds)):
        return positions
    return None
