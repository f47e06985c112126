"""The task table: a line-API list that holds and draws only what is on screen.

The table knows how many tasks the list has and keeps a window of rows around
what is visible. When the user scrolls to rows it does not have, it asks for
them (``RowsNeeded``, with neighbouring rows as keyset anchors) and draws
placeholders until they arrive. The screen tells it which single rows changed
(``replace_at``, ``insert_at``, ``remove_at``). Drawing goes through
``render_line``, one screen line at a time, so neither memory nor a repaint
grows with the number of tasks.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
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

from store import DateStyle, FutureOccurrence, TaskRecord, TreeContext, due_label, local_now
from tui.formatting import fit_breadcrumb, relative_time, single_line
from tui.rebinding import KeysAsRemapped
from tui.text import visible

MARKER_WIDTH = 3  # "[x]"
PRIORITY_WIDTH = 3  # "!!!"
UPDATED_WIDTH = 9  # "yesterday"
TAGS_WIDTH = 12  # at 72 to 100 columns; wider tables give the tags more room
TAGS_MAX_WIDTH = 30
MIN_TITLE_WIDTH = 32  # what the Tags column leaves the title when it grows to fit tags
DUE_WIDTH = 10  # "2d overdue"
NOTES_WIDTH = 1
GAP = 2
FETCH_MARGIN = 50  # rows loaded beyond each edge of the screen, so scrolling rarely waits
FETCH_CHUNK = 100  # rows asked for at once
KEEP_AROUND = 300  # rows kept beyond each edge of the screen; the rest are forgotten
KEEP_EDGES = 60  # rows always kept at each end of the list (g and G answer at once)
INDENT = "  "  # a level of subtasks
REPEATS = "↻"  # after the title of a task that repeats, and before a future occurrence's


NO_PLACE = TreeContext()  # a task at the top, in no project, without subtasks


class TaskRows:
    """A window onto one list: its length, and the rows fetched so far, by position."""

    def __init__(self, total: int = 0, start: int = 0, records: Sequence[TaskRecord] = ()) -> None:
        self.total = total
        self._rows: dict[int, TaskRecord] = {}
        self._index: dict[str, int] = {}
        self.put(start, records)

    def __len__(self) -> int:
        return self.total

    @property
    def cached(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> TaskRecord | None:
        return self._rows.get(index)

    def loaded(self) -> Iterable[TaskRecord]:
        """The rows fetched so far (a window, whatever the list's length)."""
        return self._rows.values()

    def index_of(self, task_id: str) -> int | None:
        return self._index.get(task_id)

    def put(self, start: int, records: Sequence[TaskRecord]) -> None:
        for offset, record in enumerate(records):
            index = start + offset
            if index >= self.total:
                break
            self.replace(index, record)

    def replace(self, index: int, record: TaskRecord) -> None:
        previous = self._rows.get(index)
        if previous is not None:
            self._index.pop(previous.id, None)
        elsewhere = self._index.get(record.id)
        if elsewhere is not None and elsewhere != index:
            del self._rows[elsewhere]  # a stale copy from before the list changed
        self._rows[index] = record
        self._index[record.id] = index

    def insert(self, index: int, record: TaskRecord) -> None:
        self._shift(index, 1)
        self.total += 1
        self.replace(index, record)

    def pop(self, index: int) -> None:
        record = self._rows.pop(index, None)
        if record is not None:
            self._index.pop(record.id, None)
        self._shift(index + 1, -1)
        self.total = max(self.total - 1, 0)

    def _shift(self, start: int, by: int) -> None:
        moved = {i + by if i >= start else i: r for i, r in self._rows.items()}
        self._rows = moved
        self._index = {record.id: i for i, record in moved.items()}

    def gaps(self, first: int, last: int, chunk: int) -> list[tuple[int, int]]:
        """Ranges [start, stop) within [first, last) not fetched yet, at most ``chunk`` long."""
        found: list[tuple[int, int]] = []
        index = max(first, 0)
        last = min(last, self.total)
        while index < last:
            if index in self._rows:
                index += 1
                continue
            stop = index
            while stop < last and stop not in self._rows and stop - index < chunk:
                stop += 1
            found.append((index, stop))
            index = stop
        return found

    def keep_only(self, first: int, last: int, also: int, edges: int = 0) -> None:
        """Forget rows outside [first, last), but for row ``also`` (the cursor's) and the
        first and last ``edges`` rows: memory stays a window, whatever the list's length."""
        tail = self.total - edges
        self._rows = {
            i: r
            for i, r in self._rows.items()
            if first <= i < last or i == also or i < edges or i >= tail
        }
        self._index = {record.id: i for i, record in self._rows.items()}


@dataclass(frozen=True)
class Columns:
    """Column widths for a table width: the title takes what the others leave.

    Everything fits at 80 columns; below that the least needed columns give way
    first: Updated (below 78 columns), then Tags (below 72), then Due (below 36).
    Above 100 columns the tags get half of what is left over, up to 30 columns.
    A column is there whole or not at all: no value is ever cut in the middle.
    """

    marker: int
    priority: int
    title: int
    notes: int
    tags: int
    due: int
    updated: int

    @classmethod
    def for_width(cls, width: int, tags_wanted: int = 0, due_width: int = DUE_WIDTH) -> Columns:
        """``tags_wanted``: the widest tags of the rows at hand, which the Tags column
        grows to (up to 30) while the title keeps at least 32 columns."""
        updated = UPDATED_WIDTH if width >= 78 else 0
        tags = TAGS_WIDTH if width >= 72 else 0
        if width > 100:
            tags = min(TAGS_WIDTH + (width - 100) // 2, TAGS_MAX_WIDTH)
        due = due_width if width >= 36 else 0
        fixed = 1 + MARKER_WIDTH + 1 + PRIORITY_WIDTH + 1 + NOTES_WIDTH + 1
        fixed += sum(GAP + w for w in (tags, due, updated) if w)
        if tags and tags_wanted > tags:
            spare = max(width - fixed - MIN_TITLE_WIDTH, 0)
            grown = min(tags_wanted, TAGS_MAX_WIDTH, tags + spare)
            fixed += grown - tags
            tags = grown
        return cls(
            MARKER_WIDTH, PRIORITY_WIDTH, max(width - fixed, 4), NOTES_WIDTH, tags, due, updated
        )


@dataclass(frozen=True)
class Group:
    """A heading over a run of rows (the days of the Upcoming view), and after them the
    dates that day on which series will fall due, dimmed: not tasks yet, so no row
    (the cursor passes them by)."""

    label: str
    count: int
    alarming: bool = False  # overdue: drawn as a warning
    future: tuple[FutureOccurrence, ...] = ()


class Lines:
    """Which table line shows which row, heading or future occurrence (lines below the
    column header)."""

    def __init__(self, total: int, groups: Sequence[Group] | None = None) -> None:
        self.total = total
        self.groups = [g for g in groups or () if g.count > 0 or g.future]
        # For each group: its heading's line and its first row's index.
        self._heading_lines: list[int] = []
        self._first_rows: list[int] = []
        row = line = 0
        for group in self.groups:
            self._heading_lines.append(line)
            self._first_rows.append(row)
            row += group.count
            line += 1 + group.count + len(group.future)
        self.future_lines = sum(len(group.future) for group in self.groups)
        self.height = line if self.groups else total

    def _group_of(self, row: int) -> int:
        # Groups with no rows of their own start at the row the next one starts at: the
        # last group starting at or before ``row`` is the one that holds it.
        return max(bisect.bisect_right(self._first_rows, row) - 1, 0)

    def line_of(self, row: int) -> int:
        if not self.groups:
            return row
        number = self._group_of(row)
        return self._heading_lines[number] + 1 + row - self._first_rows[number]

    def _place(self, line: int) -> tuple[int, int] | None:
        """(the group, the line's offset below its heading) of a line, if in a group."""
        number = bisect.bisect_right(self._heading_lines, line) - 1
        return None if number < 0 else (number, line - self._heading_lines[number])

    def at(self, line: int) -> tuple[int | None, Group | None]:
        """(row index, None) for a task line, (None, group) for a heading, else (None, None)."""
        if not self.groups:
            return (line, None) if 0 <= line < self.total else (None, None)
        place = self._place(line)
        if place is None:
            return None, None
        number, offset = place
        group = self.groups[number]
        if offset == 0:
            return None, group
        if offset <= group.count:
            return self._first_rows[number] + offset - 1, None
        return None, None

    def end_of(self, row: int) -> int:
        """The last line that goes with row ``row``: its own, or the last of the coming
        dates drawn after it before the next row (for the last row, the last line)."""
        line = self.line_of(row)
        if not self.groups:
            return line
        if row + 1 >= self.total:
            return max(self.height - 1, line)
        end = self.line_of(row + 1) - 1
        if self.at(end)[1] is not None:
            end -= 1  # the next row's heading goes with it
        return max(end, line)

    def future_at(self, line: int) -> FutureOccurrence | None:
        """The future occurrence a line shows, if it shows one."""
        place = self._place(line) if self.groups else None
        if place is None:
            return None
        number, offset = place
        group = self.groups[number]
        index = offset - 1 - group.count
        return group.future[index] if 0 <= index < len(group.future) else None

    def shifted(self, row: int, by: int) -> Lines:
        """The same headings after one row was inserted (by=1) or removed (by=-1) at ``row``."""
        if not self.groups:
            return Lines(self.total + by)
        number = self._group_of(row)
        groups = list(self.groups)
        groups[number] = dataclasses.replace(groups[number], count=groups[number].count + by)
        return Lines(self.total + by, groups)


def fit_tags(tags: Sequence[str], width: int) -> str:
    """As many whole tags as fit in ``width`` cells, then "+N" for the rest: a tag is
    never cut in the middle (only one too long for the column on its own is)."""
    names = [f"#{visible(tag)}" for tag in tags]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = " ".join(names[:shown]) + (f" +{rest}" if rest else "")
        if cell_len(text) <= width or shown == 1:
            return text if cell_len(text) <= width or not rest else f"+{len(names)}"
    return ""


@dataclass
class TableMessage(Message):
    """A message a table sends about itself. It carries the table as ``control``, so
    that a screen can tell its tables apart: ``@on(TaskTable.Highlighted, "#tasks")``."""

    table: TaskTable

    @property
    def control(self) -> TaskTable:
        return self.table


class TaskTable(KeysAsRemapped, ScrollView, can_focus=True):
    """Shows tasks one per line with a cursor; posts what the user asks for."""

    COMPONENT_CLASSES = {
        "task-table--header",
        "task-table--cursor",
        "task-table--cursor-blurred",
        "task-table--done",
        "task-table--marker-done",
        "task-table--muted",
        "task-table--heading",
        "task-table--heading-alarm",
        "task-table--overdue",
        "task-table--priority",
        "task-table--tags",
        "task-table--future",
    }

    BINDINGS = [
        Binding("down,j", "cursor_down", "Next task", show=False, id="cursor_down"),
        Binding("up,k", "cursor_up", "Previous task", show=False, id="cursor_up"),
        Binding("home,g", "first", "First task", show=False, id="first"),
        Binding("end,G", "last", "Last task", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding(
            "left",
            "fold(True)",
            "Fold the subtasks, or go up to the parent",
            show=False,
            id="fold_or_parent",
        ),
        Binding("right", "fold(False)", "Unfold the subtasks", show=False, id="unfold"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(TableMessage):
        """The cursor moved to another task (or to a row still loading, or to none)."""

        task: TaskRecord | None

    @dataclass
    class ToggleRequested(TableMessage):
        """The done marker of a row was clicked."""

        task: TaskRecord

    @dataclass
    class OpenRequested(TableMessage):
        """A row was double-clicked."""

        task: TaskRecord

    @dataclass
    class FutureClicked(TableMessage):
        """A future occurrence was clicked: not a task yet, nothing to select."""

        future: FutureOccurrence

    @dataclass
    class FoldRequested(TableMessage):
        """Left or Right on a row: hide (``folded``) or show what is under it."""

        task: TaskRecord
        folded: bool

    @dataclass
    class RowsNeeded(TableMessage):
        """Rows [start, start + count) are about to be seen and are not loaded.

        ``after`` / ``before`` are the loaded rows just outside the range, when
        there are any: the store can then fetch by keyset from them.
        """

        generation: int
        start: int
        count: int
        after: TaskRecord | None
        before: TaskRecord | None

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        date_style: DateStyle | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self.date_style = date_style or DateStyle()  # the config file's time_format, dates
        self.rows = TaskRows()
        self.lines = Lines(0)
        self.generation = 0  # bumped by reset(): rows asked for earlier are then stale
        self._requested: set[tuple[int, int]] = set()
        self._now = clock()
        self._highlighted_id: str | None = None
        # The widest tags of the rows loaded for this list: the Tags column grows to
        # fit them (never shrinks while the list is shown, so the columns stay put).
        self._tags_wanted = 0
        # Where each loaded task sits in the tree (its parents, project, progress).
        self.contexts: dict[str, TreeContext] = {}
        self.shows_tree = False  # the list is the tree (my order): subtasks drawn indented
        self.within: str | None = None  # the project the list is narrowed to (its path)
        self.is_folded: Callable[[str], bool] = lambda task_id: False

    # -- what the screen asks for ------------------------------------------------------------

    @property
    def current(self) -> TaskRecord | None:
        return self.rows.row(self.cursor)

    @property
    def body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def reset(
        self,
        total: int,
        start: int,
        records: Sequence[TaskRecord],
        cursor: int,
        groups: Sequence[Group] | None = None,
        *,
        contexts: dict[str, TreeContext] | None = None,
        tree: bool = False,
        within: str | None = None,
    ) -> None:
        """Show a new list: its length, the rows around ``cursor``, the cursor itself,
        headings over runs of rows if ``groups`` says so (their counts add up to
        ``total``), and whether it is the tree (``contexts`` place its rows).
        ``within``: the path of the project the list is narrowed to, if any."""
        self.generation += 1
        self.within = within
        self._requested.clear()
        self.rows = TaskRows(total, start, records)
        self.contexts = dict(contexts or {})
        self.shows_tree = tree
        self._tags_wanted = 0
        self._want_tags_of(records)
        self.lines = Lines(total, groups)
        self._now = self._clock()
        self._resize_virtual()
        self._move_cursor(max(cursor, 0), force_message=True)
        self.refresh()
        self._ask_for_missing_rows()

    def add_rows(
        self,
        generation: int,
        start: int,
        records: Sequence[TaskRecord],
        contexts: dict[str, TreeContext] | None = None,
    ) -> None:
        """Rows the screen fetched after a RowsNeeded; ignored if the list changed since."""
        self._requested = {r for r in self._requested if r[0] != start}
        if generation != self.generation:
            return
        self.rows.put(start, records)
        self.contexts.update(contexts or {})
        self._want_tags_of(records)
        top = round(self.scroll_y)
        self.rows.keep_only(
            top - KEEP_AROUND,
            top + self.body_height + KEEP_AROUND,
            also=self.cursor,
            edges=KEEP_EDGES,
        )
        if len(self.contexts) > 2 * self.rows.cached:
            self.contexts = {
                task_id: context
                for task_id, context in self.contexts.items()
                if self.rows.index_of(task_id) is not None
            }
        if start <= self.cursor < start + len(records):
            self._announce_cursor(force=True)
        self.refresh()

    def replace_at(self, index: int, record: TaskRecord) -> None:
        """One row changed in place (a toggle, an edit): repaint that line only."""
        self.rows.replace(index, record)
        self._now = self._clock()
        if self._want_tags_of([record]):
            self.refresh()  # the columns moved: every line, not only this one
        self._refresh_row(index)
        if index == self.cursor:
            self._announce_cursor(force=True)

    def insert_at(self, index: int, record: TaskRecord, *, select: bool = False) -> None:
        """A task joined the list at ``index``; the cursor keeps its task unless ``select``."""
        index = min(max(index, 0), len(self.rows))
        self.rows.insert(index, record)
        self._want_tags_of([record])
        self.lines = self.lines.shifted(index, 1)
        self._resize_virtual()
        if select:
            self._move_cursor(index)
        elif index <= self.cursor and len(self.rows) > 1:
            self._move_cursor(self.cursor + 1)  # the same task, one row further down
        else:
            self._move_cursor(self.cursor)
        self.refresh()

    def remove_at(self, index: int) -> None:
        """A task left the list; the cursor stays on its task, or moves to the neighbour."""
        self.rows.pop(index)
        self.lines = self.lines.shifted(index, -1)
        self._resize_virtual()
        target = self.cursor - 1 if index < self.cursor else self.cursor
        self._move_cursor(min(target, len(self.rows) - 1), force_message=True)
        self.refresh()

    def place_rows(self, contexts: dict[str, TreeContext]) -> None:
        """New places for loaded rows (a parent's progress after a subtask changed)."""
        self.contexts.update(contexts)
        for task_id in contexts:
            index = self.rows.index_of(task_id)
            if index is not None:
                self._refresh_row(index)

    def _want_tags_of(self, records: Sequence[TaskRecord]) -> bool:
        """Widen the Tags column for these rows' tags; True if it grew."""
        widest = max(
            (cell_len(" ".join(f"#{visible(t)}" for t in r.tags)) for r in records), default=0
        )
        if widest <= self._tags_wanted:
            return False
        self._tags_wanted = widest
        return True

    def select_task(self, task_id: str) -> bool:
        index = self.rows.index_of(task_id)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    def select_index(self, index: int) -> None:
        self._move_cursor(index)

    def tick(self) -> None:
        """Re-read the clock so relative times ('5m ago', 'tomorrow') stay true."""
        self._now = self._clock()
        self.refresh()

    @property
    def _local_now(self) -> datetime:
        return local_now(self._now)

    # -- cursor and loading ----------------------------------------------------------------------

    def _move_cursor(self, index: int, *, force_message: bool = False) -> None:
        count = len(self.rows)
        index = min(max(index, 0), max(count - 1, 0))
        old = self.cursor
        self.cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        self._ask_for_missing_rows()
        self._announce_cursor(force=force_message or old != index)

    def _announce_cursor(self, *, force: bool = False) -> None:
        record = self.rows.row(self.cursor)
        new_id = record.id if record else None
        if force or new_id != self._highlighted_id:
            self._highlighted_id = new_id
            self.post_message(self.Highlighted(self, record))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        line = self.lines.line_of(self.cursor)
        heading = line - 1 if line > 0 and self.lines.at(line - 1)[1] is not None else line
        if heading < top:
            # Show a group's heading with its first row, so the user sees which day it is.
            self.scroll_to(y=heading, animate=False, immediate=True)
            return
        # The coming dates drawn after the row come into view with it (as far as the
        # screen allows): the cursor never lands on them, so it would never bring them.
        end = min(self.lines.end_of(self.cursor), line + self.body_height - 1)
        if end >= top + self.body_height:
            self.scroll_to(y=end - self.body_height + 1, animate=False, immediate=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ask_for_missing_rows()

    def _ask_for_missing_rows(self) -> None:
        """Ask for the rows of the visible page and a page either side that are not loaded."""
        if not self.rows.total:
            return
        top_row = self._first_row_from(round(self.scroll_y))
        top = min(top_row, max(self.cursor, 0))
        first = top - FETCH_MARGIN
        last = max(top_row, self.cursor) + self.body_height + FETCH_MARGIN
        for start, stop in self.rows.gaps(first, last, FETCH_CHUNK):
            if any(s <= start < e for s, e in self._requested):
                continue
            self._requested.add((start, stop))
            self.post_message(
                self.RowsNeeded(
                    self,
                    self.generation,
                    start,
                    stop - start,
                    after=self.rows.row(start - 1),
                    before=self.rows.row(stop),
                )
            )

    def _first_row_from(self, line: int) -> int:
        """The first row shown on or after ``line``."""
        for offset in range(len(self.lines.groups) + self.lines.future_lines + 2):
            row, _ = self.lines.at(line + offset)
            if row is not None:
                return row
        return max(min(line, self.rows.total - 1), 0)

    def action_fold(self, folded: bool) -> None:
        task = self.current
        if task is not None:
            self.post_message(self.FoldRequested(self, task, folded))

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

    def _line_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return None
        return round(self.scroll_y) + offset.y - 1

    def _row_at(self, event: events.MouseEvent) -> int | None:
        line = self._line_at(event)
        return None if line is None else self.lines.at(line)[0]

    def on_click(self, event: events.Click) -> None:
        line = self._line_at(event)
        future = self.lines.future_at(line) if line is not None else None
        if future is not None:
            event.stop()
            self.post_message(self.FutureClicked(self, future))
            return
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
            self.post_message(self.ToggleRequested(self, record))
        elif event.chain >= 2:
            self.post_message(self.OpenRequested(self, record))

    # -- drawing ---------------------------------------------------------------------------------

    def _resize_virtual(self) -> None:
        # One line of header, then a line a task or heading; nothing scrolls sideways.
        self.virtual_size = Size(0, self.lines.height + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    def _refresh_row(self, index: int) -> None:
        line = self.lines.line_of(index) - round(self.scroll_y) + 1
        if 1 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        # The width beside the scrollbar, when there is one: drawn wider, the last
        # column would be cut by it ("tmrw 09:0").
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header_line(width)
        line = round(self.scroll_y) + y - 1
        index, group = self.lines.at(line)
        if group is not None:
            return self._heading_line(group, width)
        future = self.lines.future_at(line)
        if future is not None:
            return self._future_line(future, width, base)
        if index is None:
            return Strip.blank(width, base)
        record = self.rows.row(index)
        if record is None:
            return self._loading_line(index, width, base)
        return self._task_line(record, index, width, base)

    def _header_line(self, width: int) -> Strip:
        columns = Columns.for_width(width, self._tags_wanted, self.date_style.label_width)
        style = self.get_component_rich_style("task-table--header")
        lead = 1 + columns.marker + 1 + columns.priority + 1
        text = Text(" " * lead, style=style, end="")
        text.append("Task".ljust(columns.title + 1 + columns.notes))
        for title, size, right in (
            ("Tags", columns.tags, False),
            ("Due", columns.due, True),
            ("Updated", columns.updated, True),
        ):
            if size:
                text.append(" " * GAP + (title.rjust(size) if right else title.ljust(size)))
        return self._to_strip(text, width, style)

    def _heading_line(self, group: Group, width: int) -> Strip:
        style = self.get_component_rich_style(
            "task-table--heading-alarm" if group.alarming else "task-table--heading"
        )
        text = Text(f" {group.label}", end="")
        if group.count or not group.future:  # a day of coming dates alone has no tasks
            text.append(f"  {group.count}")
        return self._to_strip(text, width, style)

    def _future_line(self, future: FutureOccurrence, width: int, base: Style) -> Strip:
        """A date a series will fall due on, dimmed, where its task's row would be: no
        marker (there is nothing to mark done yet), the title after the repeat sign."""
        columns = Columns.for_width(width, self._tags_wanted, self.date_style.label_width)
        style = self.get_component_rich_style("task-table--future", partial=True)
        text = Text(" " * (1 + columns.marker + 1 + columns.priority + 1), end="")
        title = Text(f"{REPEATS} {visible(single_line(future.task.title))}", end="")
        title.truncate(columns.title + 1 + columns.notes, overflow="ellipsis", pad=True)
        text.append_text(title)
        if columns.tags:
            tags = Text(fit_tags(future.task.tags, columns.tags), no_wrap=True, end="")
            tags.truncate(columns.tags, overflow="ellipsis", pad=True)
            text.append(" " * GAP)
            text.append_text(tags)
        if columns.due:
            label = due_label(future.due, self._local_now, style=self.date_style)
            text.append(" " * GAP + label[: columns.due].rjust(columns.due))
        if columns.updated:
            text.append(" " * GAP + "not yet".rjust(columns.updated))
        return self._to_strip(text, width, base + style)

    def _task_line(self, record: TaskRecord, index: int, width: int, base: Style) -> Strip:
        columns = Columns.for_width(width, self._tags_wanted, self.date_style.label_width)
        is_cursor = index == self.cursor
        row_style = base
        if record.completed:
            row_style = row_style + self.get_component_rich_style("task-table--done")
        if is_cursor:
            row_style = row_style + self.get_component_rich_style(
                "task-table--cursor" if self.has_focus else "task-table--cursor-blurred"
            )

        def part(component: str) -> Style:
            # On the cursor's row the cursor's own colours win: a column colour there
            # (tags, due) could be unreadable on the cursor's background.
            if is_cursor:
                return Style()
            return self.get_component_rich_style(component, partial=True)

        muted = part("task-table--muted")
        marker_style = part("task-table--marker-done") if record.completed else Style()
        text = Text(" ", end="")
        # A row the store could not read whole: marked, and its reason in the title.
        marker = "[?]" if record.unreadable else "[x]" if record.completed else "[ ]"
        text.append(marker, style=marker_style)
        text.append(" ")
        text.append(
            record.priority.marks.ljust(columns.priority),
            style=part("task-table--priority"),
        )
        text.append(" ")
        shown = visible(single_line(record.title))
        if record.unreadable:
            shown += f"  (cannot be read: {visible(record.unreadable)})"
        text.append_text(self._title_cell(record, index, shown, columns.title, muted))
        text.append(" ")
        text.append("≡" if record.description else " ", style=muted)
        if columns.tags:
            tags = Text(
                fit_tags(record.tags, columns.tags),
                style=part("task-table--tags"),
                no_wrap=True,
                end="",
            )
            tags.truncate(columns.tags, overflow="ellipsis", pad=True)
            text.append(" " * GAP)
            text.append_text(tags)
        if columns.due:
            text.append(" " * GAP)
            if record.due is None:
                text.append(" " * columns.due)
            else:
                overdue = not record.completed and record.due.is_overdue(self._local_now)
                style = part("task-table--overdue" if overdue else "task-table--muted")
                label = due_label(record.due, self._local_now, style=self.date_style)
                text.append(label[: columns.due].rjust(columns.due), style=style)
        if columns.updated:
            updated = "?" if record.unreadable else relative_time(record.updated_at, self._now)
            text.append(" " * GAP)
            text.append(updated.rjust(columns.updated), style=muted)
        return self._to_strip(text, width, row_style)

    def _project_levels(self, path: str | None) -> list[str]:
        """The levels of a project path a row's breadcrumb shows: below the project the
        list is narrowed to, which the header already names."""
        if path is None or path == self.within:
            return []
        if self.within and path.startswith(self.within + "/"):
            path = path[len(self.within) + 1 :]
        return path.split("/")

    def _title_cell(
        self, record: TaskRecord, index: int, title: str, width: int, muted: Style
    ) -> Text:
        """The title, with its place: indented under its parent in the tree, or after a
        dimmed breadcrumb (project and parents) where the list is flat; a parent's
        progress (done/total) after it."""
        context = self.contexts.get(record.id, NO_PLACE)
        counts = context.subtasks
        lead = ""
        crumbs: list[str] = []
        if self.shows_tree:
            if context.depth or counts is not None:
                lead = INDENT * context.depth
                if counts is not None:
                    lead += "▸ " if self.is_folded(record.id) else "▾ "
                else:
                    lead += INDENT
            if context.depth and not self._parent_above(index, context):
                crumbs = list(context.parent_titles)  # the parent is not the row above
            elif not context.depth:
                crumbs = self._project_levels(context.project)  # a subtask is in its parent's
        else:
            crumbs.extend(self._project_levels(context.project))
            crumbs.extend(context.parent_titles)
        tail = f"  {counts.done}/{counts.total}" if counts is not None else ""
        if record.blocked and not record.completed:
            tail += "  blocked"
        if record.repeat is not None:
            tail += f"  {REPEATS}"
        cell = Text(lead, no_wrap=True, end="")
        room = max(width - cell_len(lead) - cell_len(tail), 1)
        if crumbs:
            levels = [visible(single_line(c)) for c in crumbs]
            # The breadcrumb gives way to the title: it has what the title leaves, but
            # never more than half the room from a long title.
            budget = room - min(cell_len(title), room // 2)
            crumb = Text(fit_breadcrumb(levels, budget), style=muted, no_wrap=True, end="")
            cell.append_text(crumb)
            room = max(room - crumb.cell_len, 1)
        name = Text(title, no_wrap=True, end="")
        name.truncate(room, overflow="ellipsis")
        cell.append_text(name)
        cell.append(tail, style=muted)
        cell.truncate(width, overflow="ellipsis", pad=True)
        return cell

    def _parent_above(self, index: int, context: TreeContext) -> bool:
        """Whether the row above is the task's parent or under it (the tree shows where
        it belongs); true too when that row is not loaded yet."""
        above = self.rows.row(index - 1) if index > 0 else None
        if index == 0:
            return False
        if above is None:
            return True
        parent = context.parent_ids[-1]
        return above.id == parent or parent in self.contexts.get(above.id, NO_PLACE).parent_ids

    def _loading_line(self, index: int, width: int, base: Style) -> Strip:
        style = base
        if index == self.cursor:
            style = style + self.get_component_rich_style("task-table--cursor-blurred")
        text = Text(
            " " * (1 + MARKER_WIDTH + GAP) + "…",
            style=self.get_component_rich_style("task-table--muted", partial=True),
            end="",
        )
        return self._to_strip(text, width, style)

    def _to_strip(self, text: Text, width: int, style: Style) -> Strip:
        # Padded first, so that the line's style reaches its end: unstyled padding would
        # show the terminal's own background (a dark band after a heading, on a light theme).
        text.truncate(width, overflow="crop", pad=True)
        text.stylize_before(style)
        segments = list(text.render(self.app.console))
        strip = Strip(segments, width).adjust_cell_length(width, style)
        return strip.simplify() if segments else Strip([Segment(" " * width, style)], width)
