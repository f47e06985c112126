"""Command palette: jump to a task by its title, and the task list's actions.

The app's other actions reach the palette through ``TaskFlowApp.get_system_commands``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.content import Content

from store import TaskQuery, TaskRecord
from tui.formatting import single_line
from tui.list_state import UPCOMING_DAYS, ViewKind
from tui.screens.task_keys import TOGGLE_DONE
from tui.services import TaskFlowServices
from tui.text import visible

if TYPE_CHECKING:
    from tui.screens.task_list import TaskListScreen

MAX_HITS = 20


class TaskJumpProvider(Provider):
    """Finds tasks whose title or notes contain what was typed."""

    async def search(self, query: str) -> Hits:
        app = cast(TaskFlowServices, self.app)
        words = query.strip()
        if not words:
            return
        # The store answers in a thread: a palette keystroke never waits on the disk.
        tasks = await asyncio.to_thread(
            app.store.list_tasks, TaskQuery(search=words), limit=MAX_HITS
        )
        matcher = self.matcher(words)
        for task in tasks:
            title = visible(single_line(task.title))
            score = matcher.match(title)
            yield Hit(
                score=max(score, 0.1),  # a match in the notes still counts, a little
                match_display=_highlight(title, words),
                command=partial(self._jump, task),
                text=title,
                help="Go to this task" + (" (done)" if task.completed else ""),
            )

    def _jump(self, task: TaskRecord) -> None:
        from tui.screens.task_list import TaskListScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, TaskListScreen):
                screen.jump_to(task)
                return


def _highlight(title: str, words: str) -> Content:
    """The title as literal text (never markup) with the searched words underlined."""
    content = Content(title)
    folded = title.casefold()
    for word in words.casefold().split():
        start = folded.find(word)
        # casefold can change lengths ("ß" -> "ss"); only highlight when positions agree.
        if start >= 0 and len(folded) == len(title):
            content = content.stylize("bold underline", start, start + len(word))
    return content


# (title, help, action, binding id) for the list's actions; each is offered while its
# key would be, and says its key as the config file's [keys] may have remapped it.
LIST_ACTIONS = (
    ("Add a task", "New task", "add", "add"),
    ("Toggle done", "Mark the selected task done or open", TOGGLE_DONE, "toggle_done"),
    ("Edit task", "Edit the selected task", "edit", "edit"),
    ("Open task", "Show the selected task's details and history", "open", "open"),
    ("Delete task", "Delete the selected task, after asking", "delete", "delete"),
    ("Undo", "Undo the last change", "undo", "undo"),
    ("Search", "Search titles and notes", "search", "search"),
    ("Hide done tasks", "Show open tasks only", "hide_done", "hide_done"),
    ("Show done tasks", "Show done tasks too", "show_done", "hide_done"),
    (
        "Cycle sort",
        "My order, created, updated, title, open first, due, priority",
        "cycle_sort",
        "sort",
    ),
    (
        "Skip to the next date",
        "A repeating task: move it on without marking this one done",
        "skip_occurrence",
        "skip_occurrence",
    ),
    ("Move task down", "Down one place in my order", "move_down", "move_down"),
    ("Move task up", "Up one place in my order", "move_up", "move_up"),
    ("Show keys", "Every key on this screen", "help", "help"),
)
VIEW_HELP = {
    ViewKind.ALL: "Every task",
    ViewKind.TODAY: "Due today, and overdue",
    ViewKind.UPCOMING: f"Due in the next {UPCOMING_DAYS} days, by day, overdue first",
    ViewKind.DONE: "Done tasks",
}


def list_commands(screen: TaskListScreen) -> Iterable[SystemCommand]:
    """The list's actions that apply now, then the views it is not showing."""
    for title, help_text, action, binding_id in LIST_ACTIONS:
        if action == "skip_occurrence" and not _repeats(screen.keyed_task()):
            continue  # offered only for a task it can skip
        if screen.check_action(action, ()):
            yield SystemCommand(
                title, f"{help_text}{key_hint(screen, binding_id)}", _runner(screen, action)
            )
    for kind in ViewKind:
        if kind is not screen.view_kind:
            yield SystemCommand(
                f"View: {kind.label}",
                f"{VIEW_HELP[kind]}{key_hint(screen, f'view_{kind.value}')}",
                _runner(screen, f"view('{kind.value}')"),
            )


def key_hint(screen: TaskListScreen, binding_id: str) -> str:
    """' (a)': the first key of the screen's binding with that id, as remapped."""
    keymap: dict[str, str] = getattr(screen.app, "keymap", {})
    for binding in type(screen).BINDINGS:
        if isinstance(binding, Binding) and binding.id == binding_id:
            key = (keymap.get(binding_id) or binding.key).split(",")[0]
            display = binding.key_display if key == binding.key else None
            return f" ({display or screen.app.get_key_display(binding.with_key(key))})"
    return ""


def _repeats(task: TaskRecord | None) -> bool:
    return task is not None and task.repeat is not None and not task.completed


def _runner(screen: TaskListScreen, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.run_action(action)

    return run
