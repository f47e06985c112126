"""The home screen: the owner's tasks in a table, driven from the keyboard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from store import (
    Sort,
    Status,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    day_heading,
    local_now,
)
from tui.formatting import home_relative, literal, single_line, visible
from tui.messages import TaskRemoved, TasksChanged, TaskUpdated
from tui.screens.task_keys import (
    DELETE_BINDINGS,
    TOGGLE_DONE,
    TOGGLE_DONE_BINDINGS,
    TaskKeysScreen,
    undo_binding,
)
from tui.widgets.tag_suggester import TagSuggester
from tui.widgets.task_table import KEEP_EDGES as EDGE
from tui.widgets.task_table import Group, TaskTable

if TYPE_CHECKING:
    pass

SORT_CYCLE = (
    Sort.MANUAL,
    Sort.CREATED,
    Sort.UPDATED,
    Sort.TITLE,
    Sort.STATUS,
    Sort.DUE,
    Sort.PRIORITY,
)
UPCOMING_DAYS = 7  # today and the six days after it
VIEWS = Binding.Group("Views and my order")


class ViewKind(StrEnum):
    """The four views, on keys 1 to 4."""

    ALL = "all"
    TODAY = "today"
    UPCOMING = "upcoming"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def key(self) -> str:
        return str(list(ViewKind).index(self) + 1)

    @property
    def by_due_date(self) -> bool:
        """Today and Upcoming are always in due order, under a heading per day."""
        return self in (ViewKind.TODAY, ViewKind.UPCOMING)


SEARCH_DEBOUNCE_SECONDS = 0.12
WINDOW = 150  # rows fetched with a new list: a screenful and more, around the cursor
# Besides the shared ones (task_keys.SHARED_EDITING_ACTIONS).
EDITING_ACTIONS = frozenset({"add", "edit", "skip_undo", "move_down", "move_up"})
NEEDS_A_TASK = {TOGGLE_DONE, "edit", "delete", "open", "move_down", "move_up"}


class TaskListScreen(TaskKeysScreen):
    """Every task of the owner, filtered, searched and sorted without touching the store's order."""

    HELP_TITLE = "Keys on the task list"
    # When the screen comes back (a dialog or the editor closed), the list has the keys:
    # Textual's default would give them to the first focusable widget, the search box,
    # even while it is hidden, and `a` would then search for "a".
    AUTO_FOCUS = "#tasks"
    MOUSE_HELP = (
        ("click", "Select a task"),
        ("click [ ]", "Mark done, or open again"),
        ("double-click", "Open the task"),
    )

    # In the order of the footer, which shows what fits: the most needed first.
    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a task"),
        *TOGGLE_DONE_BINDINGS,
        Binding("e", "edit", "Edit", tooltip="Edit the title, notes, due date, priority and tags"),
        Binding("enter", "open", "Open", show=False, tooltip="Open the task: notes and history"),
        *DELETE_BINDINGS,
        undo_binding("Undo the last change (repeat to go back)"),
        Binding(
            "U",
            "skip_undo",
            "Skip undo",
            show=False,
            tooltip="Pass over a change undo cannot revert, to reach the one before",
        ),
        Binding("slash", "search", "Search", key_display="/", tooltip="Search titles and notes"),
        Binding("question_mark", "help", "Keys", key_display="?", tooltip="Show this help"),
        Binding("h", "hide_done", "Hide done", tooltip="Hide done tasks"),
        Binding("h", "show_done", "Show done", tooltip="Show done tasks again"),
        Binding("q", "quit", "Quit", tooltip="Quit TaskFlow"),
        Binding(
            "s",
            "cycle_sort(1)",
            "Sort",
            show=False,
            tooltip="Sort: my order, created, updated, title, open first, due, priority",
        ),
        Binding("S", "cycle_sort(-1)", "Sort back", show=False, tooltip="The sort before"),
        Binding("1", "view('all')", "All", show=False, tooltip="All tasks", group=VIEWS),
        Binding(
            "2",
            "view('today')",
            "Today",
            show=False,
            tooltip="Due today, and overdue",
            group=VIEWS,
        ),
        Binding(
            "3",
            "view('upcoming')",
            "Upcoming",
            show=False,
            tooltip="Due in the next 7 days, by day",
            group=VIEWS,
        ),
        Binding("4", "view('done')", "Done", show=False, tooltip="Done tasks", group=VIEWS),
        Binding(
            "J", "move_down", "Move down", show=False, tooltip="Move down in my order", group=VIEWS
        ),
        Binding("K", "move_up", "Move up", show=False, tooltip="Move up in my order", group=VIEWS),
        Binding("escape", "clear_search", "Clear search", tooltip="Clear the search"),
    ]

    # What the workers below post back to the app's thread.

    @dataclass
    class ListLoaded(Message):
        """A list's length and its first window of rows, around where the cursor goes."""

        query: TaskQuery
        total: int
        start: int
        records: Sequence[TaskRecord]
        cursor: int
        head: Sequence[TaskRecord] = ()
        tail_start: int = 0
        tail: Sequence[TaskRecord] = ()
        groups: Sequence[Group] | None = None

    @dataclass
    class RowsLoaded(Message):
        """Rows the table asked for (RowsNeeded)."""

        generation: int
        start: int
        records: Sequence[TaskRecord]

    @dataclass
    class TaskPlaced(Message):
        """Where a task that is not loaded belongs in the list (None: it does not)."""

        generation: int
        task: TaskRecord
        position: int | None
        select: bool

    @dataclass
    class CountsLoaded(Message):
        counts: TaskCounts
        views: dict[ViewKind, int]

    @dataclass
    class RowsFetched(Message):
        found: Sequence[TaskRecord]
        missing: frozenset[str]

    def __init__(self) -> None:
        super().__init__()
        self.view_kind = ViewKind.ALL
        self.user_sort = Sort.MANUAL  # the order of All and Done; Today/Upcoming go by due
        self.hide_done = False
        self.search_text = ""
        self.view_counts: dict[ViewKind, int] = {}
        self.view = TaskQuery(sort=Sort.MANUAL)
        self.shown: TaskQuery | None = None  # the query whose results the table shows
        self.counts: TaskCounts | None = None
        self._search_timer: Timer | None = None
        self._checked_at: datetime | None = None  # when _tick last looked at due times
        self._had_task = False
        self._bindings_stale = False

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="title-bar")
        yield Static(id="views-bar")
        yield Static(id="status-bar")
        # Disabled while hidden, so that nothing can give it the keys unseen.
        yield Input(
            placeholder="Search titles and notes…  #tag narrows to a tag",
            id="search",
            classes="hidden",
            disabled=True,
            suggester=TagSuggester(self.taskflow.store),
        )
        yield TaskTable(self.taskflow.clock, id="tasks")
        yield Static(id="empty-hint", classes="hidden")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.view = self._compose_query()
        self.set_focus(self.table, scroll_visible=False)
        self.load()  # the counts follow once the list is on screen: the list comes first
        self.set_interval(30, self._tick, name="relative-times")

    def _tick(self) -> None:
        self.table.tick()
        if self.view.due_until is not None and self._compose_query() != self.view:
            # Midnight passed: Today and Upcoming now mean other days.
            self._set_query(self._compose_query())
            self.load_counts()
        elif self.view_kind.by_due_date and self._passed_a_due_time():
            self.load()  # a time today has passed: its task moves under "Overdue"

    def _passed_a_due_time(self) -> bool:
        """Whether a shown task's time today fell due since the list was last read."""
        now = local_now(self.taskflow.clock())
        since, self._checked_at = self._checked_at, now
        if since is None or since.date() != now.date():
            return False
        # Overdue from the minute after its time (as Due.is_overdue says): it turned
        # overdue in between if it was not at the last look and is now.
        before = since.time().replace(second=0, microsecond=0)
        after = now.time().replace(second=0, microsecond=0)
        return any(
            task.due is not None
            and task.due.day == now.date()
            and task.due.at is not None
            and before <= task.due.at < after
            for task in self.table.rows.loaded()
        )

    @property
    def today(self) -> date:
        return local_now(self.taskflow.clock()).date()

    def _compose_query(self) -> TaskQuery:
        """The query the current view, sort, filter and search add up to."""
        return self._query_for(self.view_kind, self.search_text)

    def _query_for(self, kind: ViewKind, search_text: str) -> TaskQuery:
        words = search_text.split()
        tags = [word[1:] for word in words if word.startswith("#") and len(word) > 1]
        search = " ".join(word for word in words if not (word.startswith("#") and len(word) > 1))
        # "#wo" finds #work and #workshop: a tag is found by its start, as a word is.
        query = TaskQuery(search=search, tag=tags[0] if tags else None, tag_prefix=True)
        if kind is ViewKind.TODAY:
            return replace(query, status=Status.OPEN, sort=Sort.DUE, due_until=self.today)
        if kind is ViewKind.UPCOMING:
            until = self.today + timedelta(days=UPCOMING_DAYS - 1)
            return replace(query, status=Status.OPEN, sort=Sort.DUE, due_until=until)
        if kind is ViewKind.DONE:
            return replace(query, status=Status.DONE, sort=self.user_sort)
        status = Status.OPEN if self.hide_done else Status.ALL
        return replace(query, status=status, sort=self.user_sort)

    def _title_text(self) -> Text:
        store = self.taskflow.store
        # The owner's name and the path are user text too: shown, never obeyed.
        text = Text.assemble(("TaskFlow", "bold"), "  ", (visible(store.user), "italic"), "  ")
        text.append(visible(home_relative(store.describe())), style="dim")
        if store.read_only:
            text.append("  ")
            text.append(" READ-ONLY ", style="bold reverse")
        return text

    # -- loading ---------------------------------------------------------------------------

    def load(self, keep: str | None = None) -> None:
        """Fetch the list's length and the window around task ``keep`` (default: the
        cursor's task), or around the cursor's row if that task is not listed."""
        current = self.table.current
        self._load(self.view, keep or (current.id if current else None), self.table.cursor)

    def _load(self, query: TaskQuery, keep: str | None, cursor: int) -> None:
        # The moment is read here, on the app's thread: the worker must not call the clock.
        now = local_now(self.taskflow.clock())
        self._checked_at = now  # what the list shows is true as of now (see _tick)
        self._load_in_worker(query, keep, cursor, now)

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load_in_worker(
        self, query: TaskQuery, keep: str | None, cursor: int, now: datetime
    ) -> None:
        store = self.taskflow.store
        total, position = store.locate(query, keep)
        cursor = min(position if position is not None else cursor, max(total - 1, 0))
        start = max(cursor - WINDOW // 2, 0)
        records = store.list_tasks(query, limit=WINDOW, offset=start) if total else []
        # The first and last rows too (G, g, End, Home), fetched from each end of the
        # index: cheap at any size, and those keys then never wait.
        head = store.list_tasks(query, limit=EDGE) if start > 0 and not query.terms else []
        tail_start = max(total - EDGE, 0)
        # Not for a search, whose results are read once and often abandoned as the user
        # types on: G there may wait one page fetch.
        far = start + WINDOW < total and not query.terms and query.due_until is None
        tail = store.list_tasks(query, limit=EDGE, from_end=True) if far else []
        groups = self._day_groups(query, now) if query.due_until is not None else None
        if not get_current_worker().is_cancelled:
            self.post_message(
                self.ListLoaded(
                    query,
                    total,
                    start,
                    records,
                    cursor,
                    head=head,
                    tail_start=tail_start,
                    tail=tail,
                    groups=groups,
                )
            )

    def _day_groups(self, query: TaskQuery, now: datetime) -> list[Group]:
        """Headings for a view in due order: one for everything overdue (today's times
        already past too, as the rows' marks say), then one a day (``now`` local)."""
        groups = []
        for day, count in self.taskflow.store.count_by_due_day(query, now=now):
            if day is None:
                groups.append(Group("Overdue", count, alarming=True))
            else:
                groups.append(Group(day_heading(day, now.date()), count))
        return groups  # the table leaves out the empty ones

    def load_counts(self) -> None:
        self._load_counts(
            self._query_for(ViewKind.TODAY, ""), self._query_for(ViewKind.UPCOMING, "")
        )

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _load_counts(self, today: TaskQuery, upcoming: TaskQuery) -> None:
        store = self.taskflow.store
        counts = store.counts()
        views = {
            ViewKind.ALL: counts.total,
            ViewKind.TODAY: store.count(today),
            ViewKind.UPCOMING: store.count(upcoming),
            ViewKind.DONE: counts.done,
        }
        if not get_current_worker().is_cancelled:
            self.post_message(self.CountsLoaded(counts, views))

    @on(TaskTable.RowsNeeded, "#tasks")
    def _rows_needed(self, message: TaskTable.RowsNeeded) -> None:
        self._fetch_rows(self.view, message)

    @work(thread=True, group="rows", exit_on_error=False)
    def _fetch_rows(self, query: TaskQuery, needed: TaskTable.RowsNeeded) -> None:
        store = self.taskflow.store
        if needed.after is not None:
            records = store.list_tasks(query, limit=needed.count, after=needed.after)
        elif needed.before is not None:
            records = store.list_tasks(query, limit=needed.count, before=needed.before)
        else:
            records = store.list_tasks(query, limit=needed.count, offset=needed.start)
        self.post_message(self.RowsLoaded(needed.generation, needed.start, records))

    @work(thread=True, group="rows", exit_on_error=False)
    def _place(self, generation: int, query: TaskQuery, task: TaskRecord, select: bool) -> None:
        position = self.taskflow.store.position_of(task.id, query)
        self.post_message(self.TaskPlaced(generation, task, position, select))

    @work(thread=True, group="rows", exit_on_error=False)
    def _refetch(self, task_ids: frozenset[str]) -> None:
        found = self.taskflow.store.get_many(task_ids)
        missing = task_ids - {task.id for task in found}
        self.post_message(self.RowsFetched(found, missing))

    def on_task_list_screen_list_loaded(self, message: ListLoaded) -> None:
        if message.query != self.view:
            return  # a newer search or filter has been asked for since
        self.shown = message.query
        table = self.table
        table.reset(message.total, message.start, message.records, message.cursor, message.groups)
        table.add_rows(table.generation, 0, message.head)
        table.add_rows(table.generation, message.tail_start, message.tail)
        if self._bindings_stale:
            self._bindings_stale = False
            self.call_after_refresh(self.refresh_bindings)
        if self.counts is None:
            self.call_after_refresh(self.load_counts)
        self._update_status()

    def on_task_list_screen_rows_loaded(self, message: RowsLoaded) -> None:
        self.table.add_rows(message.generation, message.start, message.records)

    def on_task_list_screen_task_placed(self, message: TaskPlaced) -> None:
        if message.generation != self.table.generation or message.position is None:
            return
        index = self.table.rows.index_of(message.task.id)
        if index is not None:  # it arrived with a page meanwhile
            self.table.replace_at(index, message.task)
            if message.select:
                self.table.select_index(index)
        else:
            self.table.insert_at(message.position, message.task, select=message.select)
        self._update_status()

    def on_task_list_screen_counts_loaded(self, message: CountsLoaded) -> None:
        had_done = self.counts is not None and self.counts.done > 0  # as check_action saw it
        self.counts = message.counts
        self.view_counts = message.views
        self._update_status()
        if had_done != (message.counts.done > 0):
            self.refresh_bindings()  # h is offered only while something is done

    def on_task_list_screen_rows_fetched(self, message: RowsFetched) -> None:
        table = self.table
        unplaced = [t for t in message.missing if table.rows.index_of(t) is None]
        for task in message.found:
            if table.rows.index_of(task.id) is None and self.view.matches(task):
                unplaced.append(task.id)
            else:
                self.show_change(task)
        for task_id in message.missing:
            self.hide(task_id)
        if unplaced:
            # Changed elsewhere and not loaded here: where they went (or which rows
            # moved up) is unknown, so re-read the window on screen, keeping the cursor.
            self.load()
        self.load_counts()
        self._update_status()

    # -- changes, from here or elsewhere -------------------------------------------------------

    def show_change(self, task: TaskRecord, *, select: bool = False) -> None:
        """One task changed: repaint its row, drop it, or place it, as the view says."""
        table = self.table
        index = table.rows.index_of(task.id)
        if self.view_kind.by_due_date:
            # Rows sit under day headings here: only a change that leaves the task under
            # the same heading can be drawn in place; otherwise re-read the window.
            same_day = index is not None and _day_of(table.rows.row(index)) == _day_of(task)
            if same_day and self.view.matches(task):
                table.replace_at(index, task)  # type: ignore[arg-type]
                if select:
                    table.select_index(index)  # type: ignore[arg-type]
            else:
                self.load(keep=task.id if select else None)
            return
        if index is None:
            if self.view.matches(task):
                self._place(table.generation, self.view, task, select)
            return
        if self.view.matches(task):
            table.replace_at(index, task)
            if select:
                table.select_index(index)
        else:
            table.remove_at(index)

    def hide(self, task_id: str) -> bool:
        index = self.table.rows.index_of(task_id)
        if index is None:
            return False
        if self.view_kind.by_due_date:
            self.load()  # a heading's count changes, or a heading goes
            return True
        self.table.remove_at(index)
        return True

    def on_task_updated(self, message: TaskUpdated) -> None:
        self.show_change(message.task, select=message.select)
        self.load_counts()
        self._update_status()

    def on_task_removed(self, message: TaskRemoved) -> None:
        if not self.hide(message.task_id):
            self.load()  # not loaded here, but it may have been in the list: re-count
        self.load_counts()
        self._update_status()

    def on_tasks_changed(self, message: TasksChanged) -> None:
        if message.changes.too_many:
            self.load()
            self.load_counts()
        else:
            self._refetch(message.changes.task_ids)

    @on(TaskTable.Highlighted, "#tasks")
    def _highlighted(self, message: TaskTable.Highlighted) -> None:
        # Only whether there is a task under the cursor changes which keys apply;
        # rebuilding the footer on every cursor move would cost more than the move.
        has_task = message.task is not None
        if has_task != self._had_task:
            self._had_task = has_task
            self.refresh_bindings()

    @on(TaskTable.ToggleRequested, "#tasks")
    def _toggle_requested(self, message: TaskTable.ToggleRequested) -> None:
        if self.check_action(TOGGLE_DONE, ()):
            self.taskflow.toggle_task(message.task)

    @on(TaskTable.OpenRequested, "#tasks")
    def _open_requested(self, message: TaskTable.OpenRequested) -> None:
        self.action_open()

    def hidden_note(self, task: TaskRecord) -> str:
        """Why a task just saved is not in the list, or '' if it is shown."""
        if self.view.matches(task):
            return ""
        if self.view.terms or self.view.tag:
            return " — not shown: the search hides it (Escape clears it)"
        if self.view_kind is ViewKind.ALL:
            return " — not shown while done tasks are hidden (h shows them)"
        return f" — not shown in {self.view_kind.label} (1 shows all)"

    # -- status line and hints ---------------------------------------------------------------

    def _update_status(self) -> None:
        self.query_one("#views-bar", Static).update(self._views_text())
        self.query_one("#status-bar", Static).update(self._status_text())
        self._update_hint()

    def on_resize(self) -> None:
        self._update_status()  # what fits on the status line depends on the width

    def _status_text(self) -> Text:
        """Counts, then the search, sort and done filter: parts that do not fit the
        width are left out whole (the least needed first), never cut in the middle."""
        if self.counts is not None:
            counts = Text(f"{self.counts.open} open · {self.counts.done} done", style="bold")
        else:
            counts = Text("loading…")
        # (part, how much it is needed: the lowest goes first when space runs out)
        parts: list[tuple[Text, int]] = [(counts, 9)]
        if self.view_kind is ViewKind.ALL:
            parts.append((Text("done hidden" if self.hide_done else "done shown"), 1))
        parts.append((Text(f"sort: {self.view.sort.label}"), 2))
        if self.view.tag is not None:
            parts.append((Text.assemble("tag #", literal(self.view.tag)), 4))
        if self.view.search or self.view.tag:
            shown = len(self.table.rows)
            found = Text()
            if self.view.search:
                found.append_text(
                    Text.assemble("search “", literal(single_line(self.view.search)), "”: ")
                )
            found.append(f"{shown} match{'es' if shown != 1 else ''}")
            parts.append((found, 5))
        room = max(self.size.width - 2, 10)  # the bar's padding
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

    def _views_text(self) -> Text:
        """'1 All 7   2 Today 2 ...'; on a narrow terminal tighter, with Upcoming as
        Upc, so that all four views and their counts still show."""
        room = max(self.size.width - 2, 10)
        for tight, gap in ((False, " "), (True, "  "), (True, " ")):
            text = Text(no_wrap=True, overflow="ellipsis")
            for number, kind in enumerate(ViewKind):
                count = self.view_counts.get(kind)
                name = "Upc" if tight and kind is ViewKind.UPCOMING else kind.label
                label = f"{kind.key} {name}" + (f" {count}" if count is not None else "")
                active = kind is self.view_kind
                alarm = kind is ViewKind.TODAY and bool(count)
                style = "bold reverse" if active else ("bold" if alarm else "")
                if number:
                    text.append(gap)
                text.append(label if tight else f" {label} ", style=style)
            if text.cell_len <= room:
                break
        return text

    def _update_hint(self) -> None:
        hint = self.query_one("#empty-hint", Static)
        table = self.table
        message: Text | None = None
        if self.shown is not None and len(table.rows) == 0 and self.counts is not None:
            if self.counts.total == 0:
                message = Text.assemble(
                    ("No tasks yet.\n\n", "bold"),
                    "Press ",
                    ("a", "bold reverse"),
                    " to add your first task, ",
                    ("?", "bold reverse"),
                    " to see every key.",
                )
                if self.taskflow.store.read_only:
                    message = Text("No tasks here, and this database is read-only.")
            elif self.view.search or self.view.tag:
                message = Text.assemble(
                    "No task matches “",
                    literal(single_line(self.search_text)),
                    "”.\n\nPress ",
                    ("Escape", "bold reverse"),
                    " to clear the search.",
                )
            elif self.view_kind is ViewKind.TODAY:
                message = Text.assemble(
                    ("Nothing due today.", "bold"),
                    "\n\nAdd a due date with words: ",
                    ("a", "bold reverse"),
                    " then “Call mum tomorrow 5pm”.",
                )
            elif self.view_kind is ViewKind.UPCOMING:
                message = Text.assemble(
                    ("Nothing due in the next seven days.", "bold"),
                    "\n\nPress ",
                    ("1", "bold reverse"),
                    " for all tasks.",
                )
            elif self.view_kind is ViewKind.DONE:
                message = Text("Nothing done yet.")
            elif self.view.status is Status.OPEN:
                done = self.counts.done
                message = Text.assemble(
                    ("All done!", "bold"),
                    f" {done} completed task{'s are' if done != 1 else ' is'} hidden; press ",
                    ("h", "bold reverse"),
                    " to show them.",
                )
        hint.set_class(message is None, "hidden")
        table.set_class(message is not None, "hidden")
        if message is not None:
            hint.update(message)
            # Blurred before it is hidden: Textual moves the focus of a widget that
            # disappears to a sibling, the search box, which would then take `a`.
            # With nothing focused, keys go to this screen's bindings.
            if self.focused is table:
                self.set_focus(None)
        elif self.focused is None:
            self.set_focus(table, scroll_visible=False)

    # -- which keys apply now ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hide_done":
            # Not offered while there is nothing done to hide (or not known yet).
            some_done = self.counts is not None and self.counts.done > 0
            return self.view_kind is ViewKind.ALL and not self.hide_done and some_done
        if action == "show_done":
            return self.view_kind is ViewKind.ALL and self.hide_done
        if action == "clear_search":
            # In the footer only while there is a search to clear.
            search = self.query_one("#search", Input)
            return bool(self.search_text) or not search.has_class("hidden")
        if action == "cycle_sort" and self.view_kind.by_due_date:
            return None  # these views are in due order by definition
        if self.refused_while_read_only(action, EDITING_ACTIONS):
            return None  # shown greyed out: the database is read-only
        # Not offered at all without a task under the cursor: they would do nothing.
        return not (action in NEEDS_A_TASK and self.table.current is None)

    def _refused_as_unreadable(self, task: TaskRecord) -> bool:
        """A task whose stored row cannot be read can be opened and deleted, nothing
        else: say so rather than do nothing."""
        if not task.unreadable:
            return False
        self.taskflow.say(
            f"This task cannot be read ({task.unreadable}); it can be opened (Enter) or "
            "deleted (d), not changed."
        )
        return True

    # -- actions -----------------------------------------------------------------------------

    def keyed_task(self) -> TaskRecord | None:
        return self.table.current

    def toggle_done(self, task: TaskRecord) -> None:
        if not self._refused_as_unreadable(task):
            # Show the new state at once; the store's answer replaces it a moment later.
            optimistic = replace(task, completed=not task.completed)
            self.show_change(optimistic)
            self.taskflow.toggle_task(task)

    def action_add(self) -> None:
        from tui.screens.task_edit import TaskEditScreen

        self.app.push_screen(TaskEditScreen(None))

    def action_edit(self) -> None:
        from tui.screens.task_edit import TaskEditScreen

        task = self.table.current
        if task is not None and not self._refused_as_unreadable(task):
            self.app.push_screen(TaskEditScreen(task))

    def action_open(self) -> None:
        from tui.screens.task_detail import TaskDetailScreen

        task = self.table.current
        if task is not None:
            self.app.push_screen(TaskDetailScreen(task))

    def action_skip_undo(self) -> None:
        self.taskflow.skip_undo()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        self._show_search_box(True)
        # At once, not after a refresh: the keys typed right after `/` (a paste, a
        # fast typist) are already on their way and must land in the box.
        self.set_focus(search, scroll_visible=False)

    def _show_search_box(self, shown: bool) -> None:
        search = self.query_one("#search", Input)
        search.disabled = not shown
        search.set_class(not shown, "hidden")
        self.refresh_bindings()  # Escape clears the search only while there is one
        if not shown and self.focused is not self.table:
            self.set_focus(self.table, scroll_visible=False)

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("hidden") and not self.search_text:
            return
        search.value = ""
        self._show_search_box(False)
        self.search_text = ""
        self._set_query(self._compose_query())

    def action_hide_done(self) -> None:
        self.hide_done = True
        self._set_query(self._compose_query())
        self.taskflow.say("Done tasks hidden · h shows them")

    def action_show_done(self) -> None:
        self.hide_done = False
        self._set_query(self._compose_query())
        self.taskflow.say("Showing done tasks")

    def action_cycle_sort(self, step: int = 1) -> None:
        following = SORT_CYCLE[(SORT_CYCLE.index(self.user_sort) + step) % len(SORT_CYCLE)]
        self.user_sort = following
        self._set_query(self._compose_query())
        self.taskflow.say(f"Sorted by {following.label}")

    def action_view(self, name: str) -> None:
        kind = ViewKind(name)
        if kind is self.view_kind:
            return
        self.view_kind = kind
        self._set_query(self._compose_query())

    def action_move_down(self) -> None:
        self._move(1)

    def action_move_up(self) -> None:
        self._move(-1)

    def _move(self, steps: int) -> None:
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return
        if self.view_kind.by_due_date:
            self.taskflow.say(
                f"{self.view_kind.label} is in due order: J and K move tasks in All or Done, "
                "sorted by my order."
            )
            return
        if self.view.sort is not Sort.MANUAL:
            self.taskflow.say(
                f"J and K move tasks in my order; this list is sorted by {self.view.sort.label}. "
                "Press s until the sort is “my order”."
            )
            return
        index, query = self.table.cursor, self.view
        target = index + steps
        if not 0 <= target < len(self.table.rows):
            return
        # Drawn at once; the store places it between its new neighbours.
        self.table.remove_at(index)
        self.table.insert_at(target, task, select=True)
        self.taskflow.move_task(task, steps, query)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    async def action_quit(self) -> None:
        await self.taskflow.action_quit()

    def _set_query(self, query: TaskQuery) -> None:
        if query == self.view:
            return
        new_search = (query.search, query.tag) != (self.view.search, self.view.tag)
        self.view = query
        # Which keys apply is settled once the new list is on screen: rebuilding the
        # footer first would hold the app's thread while the list is still loading.
        self._bindings_stale = True
        self._update_status()
        # The cursor keeps its task if the new list has it. If not: after a new search
        # the first match is what the user wants to see; after a filter or sort change
        # (h hiding the done task under the cursor), the nearest task still shown.
        fallback = 0 if new_search else self.table.cursor
        self._load(self.view, self._nearest_shown(query), fallback)

    def _nearest_shown(self, query: TaskQuery) -> str | None:
        """The cursor's task if ``query`` shows it, else the nearest loaded one that it
        shows: the next one down first (where the eye goes), then up."""
        table = self.table
        current = table.current
        if current is None or query.matches(current):
            return current.id if current else None
        # Only the rows loaded around the cursor: beyond them the store would have to
        # be asked, and the same place in the list is as good a guess.
        for distance in range(1, min(len(table.rows), WINDOW)):
            for index in (table.cursor + distance, table.cursor - distance):
                task = table.rows.row(index) if 0 <= index < len(table.rows) else None
                if task is not None and query.matches(task):
                    return task.id
        return None

    # -- search box --------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(
            SEARCH_DEBOUNCE_SECONDS, lambda: self._search_for(event.value)
        )

    def _search_for(self, text: str) -> None:
        self.search_text = text
        self._set_query(self._compose_query())

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_for(event.value)
        if not event.value.strip():
            self._show_search_box(False)
        self.set_focus(self.table, scroll_visible=False)

    # -- jump and palette ------------------------------------------------------------------------

    def jump_to(self, task: TaskRecord) -> None:
        """Put the cursor on ``task``, widening the view if the filter or search hides it."""
        self.set_focus(self.table, scroll_visible=False)
        if self.table.select_task(task.id):
            return
        if not self.view.matches(task):
            search = self.query_one("#search", Input)
            search.value = ""
            self._show_search_box(False)
            self.search_text, self.hide_done, self.view_kind = "", False, ViewKind.ALL
            self.view = self._compose_query()
            self.refresh_bindings()
            self._update_status()
        self._load(self.view, task.id, self.table.cursor)

    def palette_commands(self) -> Iterable[SystemCommand]:
        entries = [
            ("Add a task", "New task (a)", "add"),
            ("Toggle done", "Mark the selected task done or open (space)", TOGGLE_DONE),
            ("Edit task", "Edit the selected task (e)", "edit"),
            ("Open task", "Show the selected task's details and history (enter)", "open"),
            ("Delete task", "Delete the selected task, after asking (d)", "delete"),
            ("Undo", "Undo the last change (u)", "undo"),
            ("Search", "Search titles and notes (/)", "search"),
            ("Hide done tasks", "Show open tasks only (h)", "hide_done"),
            ("Show done tasks", "Show done tasks too (h)", "show_done"),
            (
                "Cycle sort",
                "My order, created, updated, title, open first, due, priority (s)",
                "cycle_sort",
            ),
            ("Move task down", "Down one place in my order (J)", "move_down"),
            ("Move task up", "Up one place in my order (K)", "move_up"),
            ("Show keys", "Every key on this screen (?)", "help"),
        ]
        for title, help_text, action in entries:
            if self.check_action(action, ()):
                yield SystemCommand(title, help_text, self._runner(action))
        for kind in ViewKind:
            if kind is not self.view_kind:
                yield SystemCommand(
                    f"View: {kind.label}",
                    f"{_VIEW_HELP[kind]} ({kind.key})",
                    self._runner(f"view('{kind.value}')"),
                )

    def _runner(self, action: str) -> object:
        async def run() -> None:
            await self.run_action(action)

        return run


_VIEW_HELP = {
    ViewKind.ALL: "Every task",
    ViewKind.TODAY: "Due today, and overdue",
    ViewKind.UPCOMING: f"Due in the next {UPCOMING_DAYS} days, by day, overdue first",
    ViewKind.DONE: "Done tasks",
}


def _joined_width(parts: Sequence[tuple[Text, int]]) -> int:
    return sum(part.cell_len for part, _ in parts) + 3 * (len(parts) - 1)


def _day_of(task: TaskRecord | None) -> date | None:
    return task.due.day if task is not None and task.due is not None else None
