"""Completes the #tag being typed in the search box from the owner's tags."""

from __future__ import annotations

import asyncio

from textual.suggester import Suggester

from store import StoreError, TaskStore


class TagSuggester(Suggester):
    """Suggests the rest of a ``#tag`` at the end of what is typed ("#wo" → "#work");
    → (or End) takes it, as in any Textual input."""

    def __init__(self, store: TaskStore) -> None:
        # Not cached: tags come and go as tasks change, here and in other windows.
        super().__init__(use_cache=False, case_sensitive=True)
        self._store = store

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ")
        if not last.startswith("#") or len(last) < 2:
            return None
        typed = last[1:]
        try:
            # In a thread: a keystroke never waits on the disk.
            names = await asyncio.to_thread(self._store.tag_names, typed, limit=1)
        except StoreError:
            return None
        if not names or names[0].casefold() == typed.casefold():
            return None
        completed = f"#{typed}{names[0][len(typed) :]}"  # what was typed keeps its case
        return f"{head} {completed}" if head else completed
