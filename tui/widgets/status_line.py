"""The two lines over the task list: the views with their counts, and the status line.

Both are styled in tui/app.tcss (ViewsBar, StatusLine). Each is given the width of the
screen: what fits depends on it, and a widget's own size may not yet be the new one
when the screen hears of a resize.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from store import TaskCounts, TaskQuery
from tui.formatting import literal, single_line
from tui.list_state import ListState, ViewKind

PADDING = 2  # the bars' padding, left and right (app.tcss)


class ViewsBar(Static):
    """'1 All 7   2 Today 2 ...': the four views, the active one highlighted."""

    def show(
        self,
        counts: Mapping[ViewKind, int],
        active: ViewKind,
        width: int,
        keys: Mapping[ViewKind, str] | None = None,
    ) -> None:
        self.update(views_text(counts, active, width, keys))


class StatusLine(Static):
    """Counts, then the search, sort and done filter of the list."""

    def show(
        self,
        counts: TaskCounts | None,
        state: ListState,
        query: TaskQuery,
        matches: int,
        width: int,
    ) -> None:
        self.update(status_text(counts, state, query, matches, width))


def status_text(
    counts: TaskCounts | None, state: ListState, query: TaskQuery, matches: int, width: int
) -> Text:
    """Parts that do not fit the width are left out whole (the least needed first),
    never cut in the middle. ``matches``: the rows the list has for ``query``."""
    if counts is not None:
        first = Text(f"{counts.open} open · {counts.done} done", style="bold")
    else:
        first = Text("loading…")
    # (part, how much it is needed: the lowest goes first when space runs out)
    parts: list[tuple[Text, int]] = [(first, 9)]
    if state.kind is ViewKind.ALL:
        parts.append((Text("done hidden" if state.hide_done else "done shown"), 1))
    parts.append((Text(f"sort: {query.sort.label}"), 2))
    if query.tag is not None:
        parts.append((Text.assemble("tag #", literal(query.tag)), 4))
    if query.search or query.tag:
        found = Text()
        if query.search:
            found.append_text(Text.assemble("search “", literal(single_line(query.search)), "”: "))
        found.append(f"{matches} match{'es' if matches != 1 else ''}")
        parts.append((found, 5))
    room = max(width - PADDING, 10)
    while len(parts) > 1 and _joined_width(parts) > room:
        dropped = min(parts[1:], key=lambda part: part[1])
        parts.remove(dropped)
        if dropped[1] == 5:  # the search: its count alone, if that fits
            short = Text(dropped[0].plain.rsplit(": ", 1)[-1])
            if _joined_width([*parts, (short, 5)]) <= room:
                parts.append((short, 5))
                break
    status = Text(no_wrap=True, overflow="ellipsis")
    status.append_text(parts[0][0])
    for number, (part, _) in enumerate(parts[1:]):
        status.append("   " if number == 0 else " · ")
        status.append_text(part)
    return status


def views_text(
    counts: Mapping[ViewKind, int],
    active: ViewKind,
    width: int,
    keys: Mapping[ViewKind, str] | None = None,
) -> Text:
    """On a narrow terminal tighter, with Upcoming as Upc, so that all four views and
    their counts still show. ``keys``: each view's key, where [keys] remapped it."""
    room = max(width - PADDING, 10)
    for tight, gap in ((False, " "), (True, "  "), (True, " ")):
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, kind in enumerate(ViewKind):
            count = counts.get(kind)
            name = "Upc" if tight and kind is ViewKind.UPCOMING else kind.label
            key = (keys or {}).get(kind, kind.key)
            label = f"{key} {name}" + (f" {count}" if count is not None else "")
            alarm = kind is ViewKind.TODAY and bool(count)
            style = "bold reverse" if kind is active else ("bold" if alarm else "")
            if number:
                text.append(gap)
            text.append(label if tight else f" {label} ", style=style)
        if text.cell_len <= room:
            break
    return text


def _joined_width(parts: Sequence[tuple[Text, int]]) -> int:
    return sum(part.cell_len for part, _ in parts) + 3 * (len(parts) - 1)
