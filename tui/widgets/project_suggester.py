"""Completes the project path being typed in the editor's Project field."""

from __future__ import annotations

import asyncio

from textual.suggester import Suggester

from store import StoreError, TaskStore


class ProjectSuggester(Suggester):
    """Suggests the rest of an existing project's path ("wo" → "work/Q4" when that is
    the first path starting so); → (or End) takes it, as in any Textual input."""

    def __init__(self, store: TaskStore) -> None:
        # Not cached: projects are made, renamed and deleted, here and in other windows.
        super().__init__(use_cache=False, case_sensitive=True)
        self._store = store

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.strip()
        if not typed or value != value.lstrip():
            return None
        try:
            # In a thread: a keystroke never waits on the disk.
            paths = await asyncio.to_thread(self._store.project_paths)
        except StoreError:
            return None
        wanted = typed.casefold()
        # In path order: "Work" before "Work/Q4", so → takes one level at a time.
        for path in sorted(paths.values(), key=str.casefold):
            if path.casefold().startswith(wanted) and len(path) > len(typed):
                return typed + path[len(typed) :]  # what was typed keeps its case
        return None
