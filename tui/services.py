"""What the screens and the palette ask of the app, as a Protocol.

They name this rather than the app class: ``tui.app`` imports the screens, so a
screen importing ``tui.app`` back (even for its type) would close a cycle. The app
is checked against it where it is defined (``tui/app.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from textual.message import Message
from textual.screen import Screen

from store import StoreError, TaskQuery, TaskRecord, TaskStore
from tui.settings import Settings

T = TypeVar("T")


class TaskFlowServices(Protocol):
    store: TaskStore
    clock: Callable[[], datetime]
    settings: Settings
    keymap: dict[str, str]  # the config file's [keys], as applied
    sync_enabled: bool  # a CalDAV account is set up: the app syncs in the background

    def remember_list(self, view: str, sort: str, hide_done: bool) -> None: ...

    def key_of(self, binding_id: str, *, short: bool = False) -> str: ...

    def say(self, message: str) -> None: ...

    def sync_now(self) -> None: ...

    def sync_words(self) -> str: ...

    def broadcast(self, make_message: Callable[[], Message]) -> None: ...

    def run_write(
        self,
        job: Callable[[TaskStore], T],
        done: Callable[[T], None],
        failed: Callable[[StoreError], None] | None = None,
    ) -> None: ...

    def toggle_task(self, task: TaskRecord) -> None: ...

    def skip_occurrence(self, task: TaskRecord) -> None: ...

    def delete_task(self, task: TaskRecord) -> None: ...

    def move_task(self, task: TaskRecord, steps: int, shown: TaskQuery) -> None: ...

    def undo(self) -> None: ...

    def skip_undo(self) -> None: ...

    def task_saved(self, task: TaskRecord, *, created: bool, note: str = "") -> None: ...

    def quit_when_written(self) -> None: ...

    async def action_quit(self) -> None: ...


def services_of(screen: Screen[Any]) -> TaskFlowServices:
    """The app behind ``screen``, as the screens may ask it (see the module's note)."""
    return cast(TaskFlowServices, screen.app)
