"""Command palette: jump to a task by its title.

The app's other actions reach the palette through ``TaskFlowApp.get_system_commands``.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Provider
from textual.content import Content

from store import TaskQuery, TaskRecord
from tui.formatting import single_line, visible

if TYPE_CHECKING:
    from tui.app import TaskFlowApp

MAX_HITS = 20


class TaskJumpProvider(Provider):
    """Finds tasks whose title or notes contain what was typed."""

    async def search(self, query: str) -> Hits:
        app = cast("TaskFlowApp", self.app)
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

        app = cast("TaskFlowApp", self.app)
        for screen in reversed(app.screen_stack):
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
