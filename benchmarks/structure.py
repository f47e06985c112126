"""The benchmark's tasks with the structure people give them (issue 16): 200 projects
three levels deep, 30% of the tasks in subtrees up to four deep, 5% blocked.

Written through the store's import, the bulk path a TaskFlow JSON file takes, so the
tree, the blocks and the projects are exactly what the app would have made. The
tasks come in my order as a pre-order walk (each subtask right after its parent's
earlier subtasks), which is the order the app keeps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.words import USER
from store import NewTask, open_store
from store.transfer import ImportedTask

# 8 at the top, 4 under each, 5 under each of those: 8 + 32 + 160 = 200 projects.
PROJECT_FAN_OUT = (8, 4, 5)
IN_SUBTREES = 0.30  # the share of tasks that have a parent or a subtask
BLOCKED = 0.05
MAX_DEPTH = 4  # a subtree's levels, its top task included
IN_INBOX = 0.2  # the share of tasks (and of subtrees) in no project
CARRIES = frozenset({"project_id", "parent_id", "blocked_by"})


@dataclass(frozen=True)
class Shape:
    """What a structured database holds, counted after it was made."""

    projects: int
    tasks: int
    in_subtrees: int
    deepest: int
    blocked: int


def project_paths() -> list[str]:
    tops, middles, leaves = PROJECT_FAN_OUT
    paths: list[str] = []
    for top in range(tops):
        paths.append(f"Area {top}")
        for middle in range(middles):
            paths.append(f"Area {top}/Goal {middle}")
            paths.extend(f"Area {top}/Goal {middle}/Step {leaf}" for leaf in range(leaves))
    return paths


def _subtree(rng: random.Random, size: int) -> list[int | None]:
    """The parent (an index among them) of each of ``size`` tasks in pre-order: each
    goes under a task on the path back from the one before, so the walk stays one."""
    parents: list[int | None] = [None]
    path = [0]  # the index of the last task at each depth
    for index in range(1, size):
        depth = rng.randint(1, min(len(path), MAX_DEPTH - 1))
        del path[depth:]
        parents.append(path[depth - 1])
        path.append(index)
    return parents


def structured_tasks(tasks: list[NewTask], seed: int = 5) -> list[ImportedTask]:
    """``tasks`` (flat, in the order they should have) with projects, parents and
    blocks, ready for ``TaskStore.import_tasks``."""
    rng = random.Random(seed)
    paths = project_paths()
    placed: list[ImportedTask] = []
    in_subtrees = 0
    while len(placed) < len(tasks):
        left = len(tasks) - len(placed)
        project = None if rng.random() < IN_INBOX else rng.choice(paths)
        size = 1
        if in_subtrees < IN_SUBTREES * (len(placed) + 1) and left >= 2:
            size = min(rng.randint(2, 9), left)
            in_subtrees += size
        first = len(placed)
        for parent in _subtree(rng, size):
            parent_id = placed[first + parent].id if parent is not None else None
            placed.append(_imported(tasks[len(placed)], len(placed), project, parent_id))
    # A blocker made before the task it blocks: no cycle can form.
    for index in rng.sample(range(1, len(placed)), round(BLOCKED * len(placed))):
        blocker = placed[rng.randrange(index)].id
        placed[index] = replace(placed[index], blocked_by=(blocker,))
    return placed


def _imported(new: NewTask, number: int, project: str | None, parent: str | None) -> ImportedTask:
    assert new.id is not None
    return ImportedTask(
        id=new.id,
        title=new.title,
        description=new.description,
        completed=new.completed,
        created_at=new.created_at,
        updated_at=new.updated_at or new.created_at,
        where=f"task {number + 1}",
        due=new.due,
        priority=new.priority,
        tags=new.tags,
        position=float(number + 1),
        carries=CARRIES,
        project=project,
        parent_id=parent,
    )


def make_structured_database(path: Path, tasks: list[NewTask]) -> Shape:
    """A new database at ``path`` holding ``tasks`` with the structure above."""
    with open_store(path, user=USER) as store:
        store.import_tasks(structured_tasks(tasks), projects=project_paths())
        listed = store.list_tasks(limit=None)
        by_id = {task.id: task for task in listed}

        def depth(task_id: str) -> int:
            levels, parent = 1, by_id[task_id].parent_id
            while parent is not None:
                levels, parent = levels + 1, by_id[parent].parent_id
            return levels

        parents = {task.parent_id for task in listed if task.parent_id is not None}
        return Shape(
            projects=len(store.projects()),
            tasks=len(listed),
            in_subtrees=sum(1 for t in listed if t.parent_id is not None or t.id in parents),
            deepest=max((depth(t.id) for t in listed), default=0),
            blocked=sum(1 for task in listed if task.blocked_by),
        )
