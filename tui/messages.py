"""App-wide messages: the app posts them to every screen on the stack.

Sent by the app, not by a widget: their ``control`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from textual.app import App
from textual.message import Message
from textual.worker import Worker, WorkerState

from store import ChangeSet, StoreError, TaskRecord


class _OnTheApp(Protocol):
    """What the mixin needs of the app or screen it is mixed into."""

    @property
    def app(self) -> App[object]: ...


class ReportsWorkerErrors:
    """Mixin for the app and screens: a worker that fails is told to the user, not lost.

    Workers run with exit_on_error=False, so without this an error would vanish.
    """

    def on_worker_state_changed(self: _OnTheApp, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        app = self.app
        if isinstance(error, StoreError):
            message = str(error)
        else:
            message = f"Something went wrong: {type(error).__name__}: {error}"
            app.log.error(message)
        app.notify(message, title="Error", severity="error", markup=False, timeout=8)


@dataclass
class TaskUpdated(Message):
    """A task was created, changed or restored, here or elsewhere."""

    task: TaskRecord
    select: bool = field(default=False, kw_only=True)
    """Move the list's cursor to it (after an add or an undo)."""


@dataclass
class TaskRemoved(Message):
    """A task was deleted (or its creation undone), here or elsewhere."""

    task_id: str


@dataclass
class TasksChanged(Message):
    """Another connection (a second window, the CLI) committed changes to the file."""

    changes: ChangeSet
