"""App-wide messages: the app posts them to every screen on the stack."""

from __future__ import annotations

from textual.message import Message

from store import ChangeSet, TaskRecord


class TaskUpdated(Message):
    """A task was created, changed or restored, here or elsewhere."""

    def __init__(self, task: TaskRecord, *, select: bool = False) -> None:
        super().__init__()
        self.task = task
        self.select = select  # move the list's cursor to it (after an add or an undo)


class TaskRemoved(Message):
    """A task was deleted (or its creation undone), here or elsewhere."""

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id


class TasksChanged(Message):
    """Another connection (a second window, the CLI) committed changes to the file."""

    def __init__(self, changes: ChangeSet) -> None:
        super().__init__()
        self.changes = changes
