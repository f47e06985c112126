"""The keys that change where a task is, shared by the task list and a task's page:
move it to a project, mark what blocks it, put it under another task, add a subtask.

Each flow opens its picker, writes what was chosen through ``run_write`` (one change,
so one ``u`` takes it back), and hands the screen a ``StructureChange`` saying what
changed. The screen then redraws in its own way: the list reads its window again,
a task's page reads the task again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from store import ChangeSet, StoreError, TaskRecord, TaskStore
from tui.formatting import short_title
from tui.messages import TasksChanged
from tui.services import TaskFlowServices, services_of

# Short: the list's Footer at 100 columns has room for this.
STRUCTURE = Binding.Group("Structure")

MOVE_TO_PROJECT = Binding(
    "m",
    "move_to_project",
    "Project",
    tooltip="Move the task to a project (or a new one), with its subtasks",
    group=STRUCTURE,
    id="move_to_project",
)
ADD_SUBTASK = Binding(
    "A",
    "add_subtask",
    "Subtask",
    tooltip="Add a subtask of the task",
    group=STRUCTURE,
    id="add_subtask",
)
BLOCKED_BY = Binding(
    "b",
    "blocked_by",
    "Blocked by",
    show=False,
    tooltip="Mark a task this one waits for, or no longer waits for",
    group=STRUCTURE,
    id="blocked_by",
)
CHANGE_PARENT = Binding(
    "P",
    "change_parent",
    "Parent",
    show=False,
    tooltip="Put the task (with its subtasks) under another task, or at the top level",
    group=STRUCTURE,
    id="change_parent",
)
# The actions above: each writes, so each is refused while the database is read-only.
STRUCTURE_KEY_ACTIONS = frozenset(
    binding.action for binding in (MOVE_TO_PROJECT, ADD_SUBTASK, BLOCKED_BY, CHANGE_PARENT)
)

AnyScreen = Screen[Any]
Failed = Callable[[StoreError], None]


@dataclass(frozen=True)
class StructureChange:
    """What one of the flows changed."""

    task: TaskRecord  # as it is now
    said: str  # what changed, in a line (the screen adds "u undoes")
    moved: frozenset[str]  # every task whose place changed: it, and its subtasks that went along
    projects_changed: bool = False  # a project was made, or tasks went to another one


def _with_subtree(store: TaskStore, task: TaskRecord) -> frozenset[str]:
    return frozenset({task.id, *(below.id for below in store.subtasks(task.id, deep=True))})


def announce(services: TaskFlowServices, change: StructureChange) -> None:
    """Tell every screen which tasks moved, as if another window had moved them: each
    reads those tasks again with where they now are (a TaskUpdated for the one task
    would leave its subtasks' breadcrumbs and a project's counts as they were)."""
    changes = ChangeSet(
        last_event_id=0,  # not read by the screens; the app keeps its own
        task_ids=change.moved,
        projects=change.projects_changed,
    )
    services.broadcast(lambda: TasksChanged(changes))


def move_to_project(
    screen: AnyScreen,
    task: TaskRecord,
    current_path: str | None,
    done: Callable[[StructureChange], None],
    failed: Failed,
) -> None:
    """Pick a project (or the Inbox, or a new path) and move the task there with its
    subtasks; a project that is new is made in the same change."""
    from tui.screens.pickers import INBOX, ProjectPickerScreen

    services = services_of(screen)

    def chosen(path: str | None) -> None:
        if path is None or path == (current_path or INBOX):
            return

        def move(store: TaskStore) -> StructureChange:
            with store.one_change():
                made, project_id, where = False, None, "the Inbox"
                if path != INBOX:
                    project, made = store.ensure_project(path)
                    project_id = project.id
                    where = f"“{project.path}”{' (new project)' if made else ''}"
                moved = store.update(task.id, expected_version=task.version, project_id=project_id)
            return StructureChange(
                moved,
                f"“{short_title(moved.title)}” moved to {where}",
                _with_subtree(store, moved),
                projects_changed=True,
            )

        services.run_write(move, done, failed)

    screen.app.push_screen(ProjectPickerScreen(task, current_path), chosen)


def mark_blocked_by(
    screen: AnyScreen,
    task: TaskRecord,
    done: Callable[[StructureChange], None],
    failed: Failed,
) -> None:
    """Pick a task: the task now waits for it, or (if it did) no longer does."""
    from tui.screens.pickers import TaskPickerScreen

    services = services_of(screen)

    def chosen(blocker_id: str | None) -> None:
        if blocker_id is None:
            return
        unblocking = blocker_id in task.blocked_by
        blockers = set(task.blocked_by) ^ {blocker_id}

        def block(store: TaskStore) -> StructureChange:
            blocker = store.get(blocker_id)
            changed = store.update(
                task.id, expected_version=task.version, blocked_by=sorted(blockers)
            )
            how = "no longer blocked by" if unblocking else "blocked by"
            said = f"“{short_title(changed.title)}” is {how} “{short_title(blocker.title)}”"
            return StructureChange(changed, said, frozenset({changed.id}))

        services.run_write(block, done, failed)

    screen.app.push_screen(TaskPickerScreen(task), chosen)


def change_parent(
    screen: AnyScreen,
    task: TaskRecord,
    done: Callable[[StructureChange], None],
    failed: Failed,
) -> None:
    """Pick a task to put this one under (its subtasks go with it), or the top level.
    The store refuses a parent under the task itself and one too deep; a parent in
    another project takes the task, and its subtasks, into that project."""
    from tui.screens.pickers import NO_PARENT, ParentPickerScreen

    services = services_of(screen)

    def chosen(parent_id: str | None) -> None:
        if parent_id is None or parent_id == (task.parent_id or NO_PARENT):
            return

        def place(store: TaskStore) -> StructureChange:
            new_parent = store.get(parent_id) if parent_id != NO_PARENT else None
            placed = store.update(
                task.id,
                expected_version=task.version,
                parent_id=new_parent.id if new_parent is not None else None,
            )
            title = short_title(placed.title)
            if new_parent is None:
                said = f"“{title}” is now at the top level"
            else:
                said = f"“{title}” is now under “{short_title(new_parent.title)}”"
            other_project = placed.project_id != task.project_id
            if other_project:
                path = store.project_paths().get(placed.project_id or "")
                said += f", in “{path}”" if path else ", in the Inbox"
            return StructureChange(
                placed, said, _with_subtree(store, placed), projects_changed=other_project
            )

        services.run_write(place, done, failed)

    screen.app.push_screen(ParentPickerScreen(task), chosen)


def add_subtask(screen: AnyScreen, parent: TaskRecord) -> None:
    """The editor for a new task under ``parent`` (saving says so, and u undoes it)."""
    from tui.screens.task_edit import TaskEditScreen

    screen.app.push_screen(TaskEditScreen(None, parent=parent))
