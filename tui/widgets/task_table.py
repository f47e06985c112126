"""The task table: a line-API list that draws only the rows on screen.

The screen tells it what to show (``show``) and which single rows changed
(``upsert``, ``remove``); the table asks its row source for rows by position.
Drawing goes through ``render_line``, one screen line at a time, so the cost of a
repaint is one screenful whatever the number of tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import TaskQuery, TaskRecord
from tui.formatting import relative_time, single_line, visible

MARKER_WIDTH = 3  # "[x]"
UPDATED_WIDTH = 9  # "yesterday"
NOTES_WIDTH = 1
GAP = 2
NARROW = 50  # below this width the "updated" column gives its room to the title


class TaskRows:
    """The rows the table shows, in order, with an index by task id.

    Holds the current list in memory; the scale work swaps in a paged source
    with the same methods.
    """

    def __init__(self, records: Sequence[TaskRecord] = ()) -> None:
        self._records: list[TaskRecord] = list(records)
        self._index: dict[str, int] = {}
        self._reindex()

    def _reindex(self) -> None:
        self._index = {record.id: number for number, record in enumerate(self._records)}

    def __len__(self) -> int:
        return len(self._records)

    def row(self, index: int) -> TaskRecord | None:
        return self._records[index] if 0 <= index < len(self._records) else None

    def index_of(self, task_id: str) -> int | None:
        return self._index.get(task_id)

    def replace(self, index: int, record: TaskRecord) -> None:
        self._records[index] = record

    def insert(self, index: int, record: TaskRecord) -> None:
        self._records.insert(index, record)
        self._reindex()

    def pop(self, index: int) -> TaskRecord:
        record = self._records.pop(index)
        self._reindex()
        return record

    def position_for(self, record: TaskRecord, query: TaskQuery) -> int:
        """Where ``record`` belongs in the list under ``query``'s sort."""
        key = query.sort_key(record)
        for number, existing in enumerate(self._records):
            if query.sort_key(existing) > key:
                return number
        return len(self._records)


@dataclass(frozen=True)
class Columns:
    marker: int
    title: int
    notes: int
    updated: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        updated = UPDATED_WIDTH if width >= NARROW else 0
        fixed = 1 + MARKER_WIDTH + GAP + NOTES_WIDTH + 1 + (GAP + updated if updated else 0) + 1
        return cls(MARKER_WIDTH, max(width - fixed, 4), NOTES_WIDTH, updated)


class TaskTable(ScrollView, can_focus=True):
    """Shows tasks one per line with a cursor; posts what the user asks for."""

    COMPONENT_CLASSES = {
        "task-table--header",
        "task-table--cursor",
        "task-table--cursor-blurred",
        "task-table--done",
        "task-table--marker-done",
        "task-table--muted",
    }

    BINDINGS = [
        Binding("down,j", "cursor_down", "Next task", show=False),
        Binding("up,k", "cursor_up", "Previous task", show=False),
        Binding("home,g", "first", "First task", show=False),
        Binding("end,G", "last", "Last task", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to another task (or to none)."""

        def __init__(self, task: TaskRecord | None) -> None:
            super().__init__()
            self.task = task

    class ToggleRequested(Message):
        """The done marker of a row was clicked."""

        def __init__(self, task: TaskRecord) -> None:
            super().__init__()
            self.task = task

    class OpenRequested(Message):
        """A row was double-clicked."""

        def __init__(self, task: TaskRecord) -> None:
            super().__init__()
            self.task = task

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self.rows = TaskRows()
        self._now = clock()
        self._highlighted_id: str | None = None

    # -- what the screen asks for ------------------------------------------------------------

    @property
    def current(self) -> TaskRecord | None:
        return self.rows.row(self.cursor)

    @property
    def body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def show(self, records: Sequence[TaskRecord], keep: str | None = None) -> None:
        """Replace every row; keep the cursor on task ``keep`` if it is still listed."""
        previous = self.cursor
        self.rows = TaskRows(records)
        self._now = self._clock()
        target = self.rows.index_of(keep) if keep else None
        if target is None:
            target = min(previous, len(self.rows) - 1)
        self._resize_virtual()
        self._move_cursor(max(target, 0), force_message=True)
        self.refresh()

    def upsert(self, record: TaskRecord, query: TaskQuery) -> None:
        """Show one changed or new task: in place, at its sorted place, or not at all."""
        index = self.rows.index_of(record.id)
        if not query.matches(record):
            if index is not None:
                self.remove(record.id)
            return
        self._now = self._clock()
        if index is not None:
            self.rows.replace(index, record)
            self._refresh_row(index)
            if index == self.cursor:
                self.post_message(self.Highlighted(record))
            return
        position = self.rows.position_for(record, query)
        current_id = self._highlighted_id
        self.rows.insert(position, record)
        self._resize_virtual()
        # Rows added above the cursor must not push the cursor off its task.
        keep = self.rows.index_of(current_id) if current_id else None
        self._move_cursor(keep if keep is not None else self.cursor, force_message=keep is None)
        self.refresh()

    def remove(self, task_id: str) -> None:
        """Drop one row; the cursor stays on its task, or moves to the neighbour."""
        index = self.rows.index_of(task_id)
        if index is None:
            return
        self.rows.pop(index)
        self._resize_virtual()
        keep = self.rows.index_of(self._highlighted_id) if self._highlighted_id else None
        target = keep if keep is not None else min(index, len(self.rows) - 1)
        self._move_cursor(max(target, 0), force_message=True)
        self.refresh()

    def select_task(self, task_id: str) -> bool:
        index = self.rows.index_of(task_id)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    def tick(self) -> None:
        """Re-read the clock so relative times ('5m ago') stay true."""
        self._now = self._clock()
        self.refresh()

    # -- cursor --------------------------------------------------------------------------------

    def _move_cursor(self, index: int, *, force_message: bool = False) -> None:
        count = len(self.rows)
        index = min(max(index, 0), max(count - 1, 0))
        old = self.cursor
        self.cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        record = self.rows.row(index)
        new_id = record.id if record else None
        if force_message or new_id != self._highlighted_id or old != index:
            self._highlighted_id = new_id
            self.post_message(self.Highlighted(record))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.body_height:
            self.scroll_to(y=self.cursor - self.body_height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self._move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self._move_cursor(self.cursor + self.body_height)

    def action_page_up(self) -> None:
        self._move_cursor(self.cursor - self.body_height)

    # -- mouse ---------------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return None
        index = round(self.scroll_y) + offset.y - 1
        return index if 0 <= index < len(self.rows) else None

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is None:
            return
        event.stop()
        self._move_cursor(index)
        record = self.rows.row(index)
        if record is None:
            return
        offset = event.get_content_offset(self)
        if offset is not None and offset.x <= MARKER_WIDTH + 1 and event.chain == 1:
            self.post_message(self.ToggleRequested(record))
        elif event.chain >= 2:
            self.post_message(self.OpenRequested(record))

    # -- drawing ---------------------------------------------------------------------------------

    def _resize_virtual(self) -> None:
        # One line of header, then one line a task; nothing scrolls sideways.
        self.virtual_size = Size(0, len(self.rows) + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    def _refresh_row(self, index: int) -> None:
        line = index - round(self.scroll_y) + 1
        if 1 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._header_line(width)
        index = round(self.scroll_y) + y - 1
        record = self.rows.row(index)
        if record is None:
            return Strip.blank(width, base)
        return self._task_line(record, index, width, base)

    def _header_line(self, width: int) -> Strip:
        columns = Columns.for_width(width)
        style = self.get_component_rich_style("task-table--header")
        text = Text(" " + " " * columns.marker + " " * GAP, style=style, end="")
        text.append("Task".ljust(columns.title + 1 + columns.notes))
        if columns.updated:
            text.append(" " * GAP + "Updated".rjust(columns.updated))
        return self._to_strip(text, width, style)

    def _task_line(self, record: TaskRecord, index: int, width: int, base: Style) -> Strip:
        columns = Columns.for_width(width)
        is_cursor = index == self.cursor
        row_style = base
        if record.completed:
            row_style = row_style + self.get_component_rich_style("task-table--done")
        if is_cursor:
            row_style = row_style + self.get_component_rich_style(
                "task-table--cursor" if self.has_focus else "task-table--cursor-blurred"
            )
        muted = self.get_component_rich_style("task-table--muted", partial=True)

        marker_style = (
            self.get_component_rich_style("task-table--marker-done", partial=True)
            if record.completed
            else Style()
        )
        text = Text(" ", end="")
        text.append("[x]" if record.completed else "[ ]", style=marker_style)
        text.append(" " * GAP)
        title = Text(visible(single_line(record.title)), no_wrap=True, end="")
        title.truncate(columns.title, overflow="ellipsis", pad=True)
        text.append_text(title)
        text.append(" ")
        text.append("≡" if record.description else " ", style=muted)
        if columns.updated:
            updated = relative_time(record.updated_at, self._now)
            text.append(" " * GAP)
            text.append(updated.rjust(columns.updated), style=muted)
        return self._to_strip(text, width, row_style)

    def _to_strip(self, text: Text, width: int, style: Style) -> Strip:
        text.stylize_before(style)
        text.truncate(width, overflow="crop", pad=True)
        segments = list(text.render(self.app.console))
        strip = Strip(segments, width).adjust_cell_length(width, style)
        return strip.simplify() if segments else Strip([Segment(" " * width, style)], width)
