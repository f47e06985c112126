"""The home screen: the owner's tasks in a table, driven from the keyboard."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from store import (
    ProjectRecord,
    Sort,
    StoreError,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    local_now,
)
from tui.formatting import day_words, home_relative, short_title
from tui.list_state import ListState, ProjectPlace, ViewKind
from tui.messages import TaskRemoved, TasksChanged, TaskUpdated
from tui.screens.list_hints import empty_list_hint, hidden_note
from tui.screens.list_loading import (
    WINDOW,
    CountsLoaded,
    ListLoaded,
    RowsFetched,
    RowsLoaded,
    SidebarLoaded,
    TaskPlaced,
    place,
    read_again,
    read_counts,
    read_list,
    read_rows,
    read_sidebar,
)
from tui.screens.list_sidebar import (
    SIDEBAR_MIN_WIDTH,
    SIDEBAR_WIDTH,
    place_in,
    place_title,
    project_action,
)
from tui.screens.structure_keys import (
    ADD_SUBTASK,
    BLOCKED_BY,
    CHANGE_PARENT,
    MOVE_TO_PROJECT,
    STRUCTURE_KEY_ACTIONS,
    StructureChange,
    add_subtask,
    change_parent,
    mark_blocked_by,
    move_to_project,
)
from tui.screens.task_keys import (
    DELETE_BINDINGS,
    SKIP_OCCURRENCE,
    TOGGLE_DONE,
    TOGGLE_DONE_BINDINGS,
    TaskKeysScreen,
    undo_binding,
)
from tui.text import visible
from tui.widgets.project_sidebar import ProjectSidebar
from tui.widgets.status_line import StatusLine, ViewsBar
from tui.widgets.tag_suggester import TagSuggester
from tui.widgets.task_table import TaskTable

VIEWS = Binding.Group("Views and my order")
TREE = Binding.Group("Structure")  # short: the Footer at 100 columns has room for this
SEARCH_DEBOUNCE_SECONDS = 0.12
SIDEBAR_SETTLE_SECONDS = 0.3  # after the last task change, the sidebar's counts
SidebarRead = Literal["now", "soon", "no"]
# Changes to where a task is: the list shows them once it has read them again.
STRUCTURE_ACTIONS = frozenset({"indent", "outdent"}) | STRUCTURE_KEY_ACTIONS
# Besides the shared ones (task_keys.SHARED_EDITING_ACTIONS).
EDITING_ACTIONS = frozenset({"add", "edit", "skip_undo", "move_down", "move_up"}) | (
    STRUCTURE_ACTIONS
)
NEEDS_A_TASK = {
    TOGGLE_DONE,
    "edit",
    "delete",
    "open",
    "move_down",
    "move_up",
    "fold",
    "skip_occurrence",
} | (STRUCTURE_ACTIONS)


# The longest keys typed after a save wait for the saved task to reach the cursor.
CURSOR_WAIT_SECONDS = 1.0


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
        Binding("a", "add", "Add", tooltip="Add a task", id="add"),
        *TOGGLE_DONE_BINDINGS,
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Edit the title, notes, due date, priority, tags and project",
            id="edit",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            show=False,
            tooltip="Open the task: notes and history",
            id="open",
        ),
        *DELETE_BINDINGS,
        undo_binding("Undo the last change (repeat to go back)"),
        SKIP_OCCURRENCE,
        Binding(
            "U",
            "skip_undo",
            "Skip undo",
            show=False,
            tooltip="Pass over a change undo cannot revert, to reach the one before",
            id="skip_undo",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            tooltip="Search titles and notes",
            id="search",
        ),
        Binding(
            "question_mark", "help", "Keys", key_display="?", tooltip="Show this help", id="help"
        ),
        Binding("h", "hide_done", "Hide done", tooltip="Hide done tasks", id="hide_done"),
        Binding("h", "show_done", "Show done", tooltip="Show done tasks again", id="hide_done"),
        Binding("q", "quit", "Quit", tooltip="Quit TaskFlow", id="quit"),
        Binding(
            "R",
            "sync_now",
            "Sync",
            show=False,
            tooltip="Sync with your CalDAV task lists now",
            id="sync_now",
        ),
        Binding(
            "n",
            "new_project",
            "New project",
            show=False,
            tooltip="Make a project (inside the one the list shows)",
            group=VIEWS,
            id="new_project",
        ),
        Binding(
            "p",
            "sidebar",
            "Projects",
            tooltip="Go to the sidebar of projects and views; again there hides it",
            group=VIEWS,
            id="projects",
        ),
        Binding(
            "s",
            "cycle_sort(1)",
            "Sort",
            show=False,
            tooltip="Sort: my order, created, updated, title, open first, due, priority",
            id="sort",
        ),
        Binding(
            "S",
            "cycle_sort(-1)",
            "Sort back",
            show=False,
            tooltip="The sort before",
            id="sort_back",
        ),
        Binding(
            "1", "view('all')", "All", show=False, tooltip="All tasks", group=VIEWS, id="view_all"
        ),
        Binding(
            "2",
            "view('today')",
            "Today",
            show=False,
            tooltip="Due today, and overdue",
            group=VIEWS,
            id="view_today",
        ),
        Binding(
            "3",
            "view('upcoming')",
            "Upcoming",
            show=False,
            tooltip="Due in the next 7 days, by day",
            group=VIEWS,
            id="view_upcoming",
        ),
        Binding(
            "4",
            "view('done')",
            "Done",
            show=False,
            tooltip="Done tasks",
            group=VIEWS,
            id="view_done",
        ),
        Binding(
            "J",
            "move_down",
            "Move down",
            show=False,
            tooltip="Move down in my order",
            group=VIEWS,
            id="move_down",
        ),
        Binding(
            "K",
            "move_up",
            "Move up",
            show=False,
            tooltip="Move up in my order",
            group=VIEWS,
            id="move_up",
        ),
        Binding(
            "escape", "clear_search", "Clear search", tooltip="Clear the search", id="clear_search"
        ),
        MOVE_TO_PROJECT,
        ADD_SUBTASK,
        Binding(
            "greater_than_sign",
            "indent",
            "Indent",
            key_display=">",
            tooltip="Put the task under the one above it (my order)",
            group=TREE,
            id="indent",
        ),
        Binding(
            "less_than_sign",
            "outdent",
            "Outdent",
            key_display="<",
            tooltip="Take a subtask one level up (my order)",
            group=TREE,
            id="outdent",
        ),
        BLOCKED_BY,
        CHANGE_PARENT,
        Binding(
            "z",
            "fold",
            "Fold",
            show=False,
            tooltip="Hide or show the task's subtasks (also Left and Right)",
            group=TREE,
            id="fold",
        ),
        Binding(
            "Z",
            "fold_all",
            "Fold all",
            show=False,
            tooltip="Fold every task, or unfold them all",
            group=TREE,
            id="fold_all",
        ),
    ]

    # No repaint of its own: the watcher redraws what the change affects. Watched even
    # when set to an equal state: the query it gives may differ, after midnight.
    state: reactive[ListState] = reactive(ListState, repaint=False, init=False, always_update=True)

    def __init__(self, start: ListState | None = None) -> None:
        super().__init__()
        # The view, sort and hide-done the config file starts the list with.
        self.set_reactive(TaskListScreen.state, start or ListState())
        # The view, sort and hide-done last handed to the app to remember.
        self._kept = (self.state.kind.value, self.state.sort.value, self.state.hide_done)
        self.view_counts: dict[ViewKind, int] = {}
        # What `state` adds up to on the day it was last worked out (_query_now).
        self.view = TaskQuery(sort=Sort.MANUAL)
        self.shown: TaskQuery | None = None  # the query whose results the table shows
        self.counts: TaskCounts | None = None
        self._search_timer: Timer | None = None
        self._checked_at: datetime | None = None  # when _tick last looked at due times
        self._had_task = False
        self._bindings_stale = False
        # The task the cursor was last sent to by a placing (see on_task_placed).
        self._placing_for_cursor: str | None = None
        # A task just saved that the cursor is to go to, and since when: keys typed
        # meanwhile wait for it (ready_for_keys), at most CURSOR_WAIT_SECONDS.
        self._cursor_expected: tuple[str, float] | None = None
        # Since when the sidebar's cursor is on its way to a project just made or
        # renamed: keys wait for it too, so that "n, a name, Enter, Enter" opens it.
        self._sidebar_cursor_expected: float | None = None
        # The sidebar as the user set it with p; None: shown when the screen is wide.
        self._sidebar_wanted: bool | None = None
        self._counts_after_list = False  # the next list shown reads the counts again
        self._sidebar_timer: Timer | None = None

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="title-bar")
        with Horizontal(id="list-body"):
            yield ProjectSidebar(id="sidebar")
            with Vertical(id="list-main"):
                yield ViewsBar(id="views-bar")
                yield StatusLine(id="status-bar")
                # Disabled while hidden, so that nothing can give it the keys unseen.
                yield Input(
                    placeholder="Search titles and notes…  #tag narrows to a tag",
                    id="search",
                    classes="hidden",
                    disabled=True,
                    suggester=TagSuggester(self.taskflow.store),
                )
                yield TaskTable(
                    self.taskflow.clock, date_style=self.taskflow.settings.date_style, id="tasks"
                )
                yield Static(id="empty-hint", classes="hidden")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def sidebar(self) -> ProjectSidebar:
        return self.query_one(ProjectSidebar)

    def on_mount(self) -> None:
        self.view = self._query_now()
        self.table.is_folded = lambda task_id: self.state.is_folded(task_id)
        self._place_sidebar()
        self.set_focus(self.table, scroll_visible=False)
        self.load()  # the counts follow once the list is on screen: the list comes first
        self.set_interval(30, self._tick, name="relative-times")

    def _tick(self) -> None:
        self.table.tick()
        if self.view.due_until is not None and self._query_now() != self.view:
            # Midnight passed: Today and Upcoming now mean other days.
            self._set_query(self._query_now())
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

    @property
    def view_kind(self) -> ViewKind:
        return self.state.kind

    @property
    def user_sort(self) -> Sort:
        return self.state.sort

    def _query_now(self) -> TaskQuery:
        """The query of the list's state, today: the one place it is worked out."""
        return self.state.query(self.today)

    def watch_state(self) -> None:
        self._set_query(self._query_now())
        self.query_one("#title-bar", Static).update(self._title_text())
        self.sidebar.mark(self.view_kind, self.state.place)
        state = self.state
        kept = (state.kind.value, state.sort.value, state.hide_done)
        if kept != self._kept:  # a search or a fold is not what "remember" keeps
            self._kept = kept
            self.taskflow.remember_list(*kept)

    def show_title(self) -> None:
        """Draw the title bar again (the sync's state changed, or its minutes passed)."""
        for bar in self.query("#title-bar").results(Static):  # none yet before compose
            bar.update(self._title_text())

    def action_sync_now(self) -> None:
        app = self.taskflow
        if not app.sync_enabled:
            app.say("No sync account is set up: taskflow sync setup URL --username NAME")
            return
        app.sync_now()

    def _title_text(self) -> Text:
        store = self.taskflow.store
        # The owner's name and the path are user text too: shown, never obeyed.
        text = Text.assemble(("TaskFlow", "bold"), "  ")
        if self.state.place is not None:
            text.append_text(place_title(self.state.place))  # where the list is
            text.append("  ")
        text.append_text(Text.assemble((visible(store.user), "italic"), "  "))
        text.append(visible(home_relative(store.describe())), style="dim")
        if store.read_only:
            text.append("  ")
            text.append(" READ-ONLY ", style="bold reverse")
        words = self.taskflow.sync_words()
        if words:
            failed = words.startswith(("sync failed", "offline"))
            text.append("  ")
            text.append(visible(words), style="bold" if failed else "dim")
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
        week_start = self.taskflow.settings.week_start
        loaded = read_list(self.taskflow.store, query, keep, cursor, now, week_start)
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    def load_counts(self, *, sidebar: SidebarRead = "soon") -> None:
        """The counts of the views (in the project the list is narrowed to), and the
        sidebar's, when it is shown or a project is chosen (whose tree may change):
        "now", "soon" (once changes pause: see _sidebar_soon) or "no"."""
        place = self.state.place
        self._load_counts(
            ListState(ViewKind.TODAY, place=place).query(self.today),
            ListState(ViewKind.UPCOMING, place=place).query(self.today),
            place.scope if place is not None else None,
        )
        if sidebar == "no" or not (self.sidebar.display or place is not None):
            return
        if sidebar == "now":
            self._load_sidebar()
        else:
            self._sidebar_soon()

    def _sidebar_soon(self) -> None:
        """The sidebar's counts once the changes pause: reading them takes 60 ms at
        100,000 tasks, and a run of toggles should not each wait behind one."""
        if self._sidebar_timer is not None:
            self._sidebar_timer.stop()
        self._sidebar_timer = self.set_timer(SIDEBAR_SETTLE_SECONDS, self._load_sidebar)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _load_counts(
        self, today: TaskQuery, upcoming: TaskQuery, scope: frozenset[str | None] | None
    ) -> None:
        loaded = read_counts(self.taskflow.store, today, upcoming, scope)
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def _load_sidebar(self) -> None:
        # Its own worker: a tree's counts read every task (60 ms at 100,000), and the
        # views' counts must not wait for them.
        loaded = read_sidebar(self.taskflow.store)
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @on(TaskTable.RowsNeeded, "#tasks")
    def _rows_needed(self, message: TaskTable.RowsNeeded) -> None:
        self._fetch_rows(self.view, message)

    @work(thread=True, group="rows", exit_on_error=False)
    def _fetch_rows(self, query: TaskQuery, needed: TaskTable.RowsNeeded) -> None:
        self.post_message(read_rows(self.taskflow.store, query, needed))

    def _place(self, generation: int, query: TaskQuery, task: TaskRecord, select: bool) -> None:
        if select:
            self._placing_for_cursor = task.id
        self._place_in_worker(generation, query, task, select)

    @work(thread=True, group="rows", exit_on_error=False)
    def _place_in_worker(
        self, generation: int, query: TaskQuery, task: TaskRecord, select: bool
    ) -> None:
        self.post_message(place(self.taskflow.store, generation, query, task, select))

    @work(thread=True, group="rows", exit_on_error=False)
    def _refetch(self, task_ids: frozenset[str]) -> None:
        self.post_message(read_again(self.taskflow.store, task_ids))

    def on_list_loaded(self, message: ListLoaded) -> None:
        if message.query != self.view:
            return  # a newer search or filter has been asked for since
        self.shown = message.query
        table = self.table
        table.reset(
            message.total,
            message.start,
            message.records,
            message.cursor,
            message.groups,
            contexts=message.contexts,
            tree=self.state.shows_tree,
            within=chosen.path if (chosen := self.state.place) and not chosen.is_inbox else None,
        )
        table.add_rows(table.generation, 0, message.head)
        table.add_rows(table.generation, message.tail_start, message.tail)
        if self._bindings_stale:
            self._bindings_stale = False
            self.call_after_refresh(self.refresh_bindings)
        if self.counts is None or self._counts_after_list:
            # The list first: its counts would compete with it for the one thread.
            self._counts_after_list = False
            self.call_after_refresh(
                self.load_counts, sidebar="now" if self.counts is None else "no"
            )
        self._update_status()

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        self.table.add_rows(message.generation, message.start, message.records, message.contexts)

    def expect_cursor_on(self, task_id: str) -> None:
        """A task is being saved: the next keys wait until the cursor is on it, so
        that "a, a title, Enter, Space" marks that task done, whatever the list showed."""
        self._cursor_expected = (task_id, time.monotonic())

    @property
    def ready_for_keys(self) -> bool:
        """False while a task just saved is on its way under the cursor, or the
        sidebar's cursor on its way to a project just made (see tui/typeahead.py), for
        at most CURSOR_WAIT_SECONDS each: a key is never held for long."""
        now = time.monotonic()
        expected = self._cursor_expected
        if expected is not None and now - expected[1] > CURSOR_WAIT_SECONDS:
            self._cursor_expected = None
        since = self._sidebar_cursor_expected
        if since is not None and (
            not self.sidebar.cursor_pending or now - since > CURSOR_WAIT_SECONDS
        ):
            self._sidebar_cursor_expected = None
        return self._cursor_expected is None and self._sidebar_cursor_expected is None

    def _cursor_arrived(self, task_id: str) -> None:
        if self._cursor_expected is not None and self._cursor_expected[0] == task_id:
            self._cursor_expected = None

    def on_task_placed(self, message: TaskPlaced) -> None:
        # Placings run side by side and may come back in any order: the cursor goes to
        # the task it was sent to last (an undo of several tasks selects the newest).
        select = message.select and message.task.id == self._placing_for_cursor
        if select:
            self._placing_for_cursor = None
            self._cursor_arrived(message.task.id)
        if message.generation != self.table.generation:
            if select:
                # A re-read (another window's change seen meanwhile) overtook it, keeping
                # the cursor where it was: read again around the task it was sent to.
                self.load(keep=message.task.id)
            return
        if message.position is None:
            return
        self.table.contexts.update(message.contexts)
        index = self.table.rows.index_of(message.task.id)
        if index is not None:  # it arrived with a page meanwhile
            self.table.replace_at(index, message.task)
            if select:
                self.table.select_index(index)
        else:
            self.table.insert_at(message.position, message.task, select=select)
        self._update_status()

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        had_done = self.counts is not None and self.counts.done > 0  # as check_action saw it
        self.counts = message.counts
        self.view_counts = message.views
        self._update_status()
        if had_done != (message.counts.done > 0):
            self.refresh_bindings()  # h is offered only while something is done

    def on_rows_fetched(self, message: RowsFetched) -> None:
        table = self.table
        unplaced = [t for t in message.missing if table.rows.index_of(t) is None]
        self._recheck_blocked(message.found)
        for task in message.found:
            if table.rows.index_of(task.id) is None and self.view.matches(task):
                unplaced.append(task.id)
            else:
                self.show_change(task)
        for task_id in message.missing:
            self.hide(task_id)
        table.place_rows(message.contexts)
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
            shown = table.rows.row(index) if index is not None else None
            same_day = shown is not None and _day_of(shown) == _day_of(task)
            # A new rule changes the coming dates drawn under the days: read them again.
            same_rule = shown is not None and shown.repeat == task.repeat
            if index is not None and same_day and same_rule and self.view.matches(task):
                table.replace_at(index, task)
                if select:
                    table.select_index(index)
            else:
                self.load(keep=task.id if select else None)
            return
        if index is None:
            if self.view.matches(task):
                self._place(table.generation, self.view, task, select)
            return
        shown = table.rows.row(index)
        if self.view.sort is Sort.MANUAL and shown is not None and _moved_in_tree(shown, task):
            # Somewhere else in my order (an undo of a move), maybe with its subtasks:
            # where they all go is the store's to say.
            self.load(keep=task.id if select else None)
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
        # Always: a toggle here has already drawn the row as done (see toggle_done).
        self._recheck_blocked([message.task], shown_as_it_was=False)
        self.show_change(message.task, select=message.select)
        if self._placing_for_cursor != message.task.id:
            # Drawn, selected or left out already: nothing on its way for keys to await.
            self._cursor_arrived(message.task.id)
        self._recount_parent(message.task.parent_id)
        self.load_counts()
        self._update_status()

    def _recheck_blocked(
        self, changed: Sequence[TaskRecord], *, shown_as_it_was: bool = True
    ) -> None:
        """Tasks done or opened again: the rows they block are read again, so that
        "blocked" comes and goes with their blocker. ``shown_as_it_was``: the rows
        still show ``changed`` as they were, so only a change of done state counts."""
        rows = self.table.rows
        flipped = set()
        for task in changed:
            index = rows.index_of(task.id)
            shown = rows.row(index) if index is not None else None
            if not shown_as_it_was or shown is None or shown.completed != task.completed:
                flipped.add(task.id)
        waiting = {row.id for row in rows.loaded() if flipped.intersection(row.blocked_by)}
        if waiting:
            self._refetch(frozenset(waiting))

    def _recount_parent(self, parent_id: str | None) -> None:
        """A subtask changed, came or went: its parent's progress is read again."""
        if parent_id is not None and self.table.rows.index_of(parent_id) is not None:
            self._refetch(frozenset({parent_id}))

    def on_task_removed(self, message: TaskRemoved) -> None:
        index = self.table.rows.index_of(message.task_id)
        gone = self.table.rows.row(index) if index is not None else None
        if gone is not None:
            self._recount_parent(gone.parent_id)
        if not self.hide(message.task_id):
            self.load()  # not loaded here, but it may have been in the list: re-count
        self.load_counts()
        self._update_status()

    def on_tasks_changed(self, message: TasksChanged) -> None:
        if message.changes.too_many or message.changes.projects:
            # A project renamed, moved or deleted elsewhere: paths on rows, the
            # sidebar and the chosen project's scope may all have changed.
            self.load()
            self.load_counts(sidebar="now" if message.changes.projects else "soon")
        else:
            self._refetch(message.changes.task_ids)

    @on(TaskTable.FutureClicked, "#tasks")
    def _future_clicked(self, message: TaskTable.FutureClicked) -> None:
        # Not a task yet: nothing to select, mark done or edit. Said, so that the click
        # is not taken for one that went unnoticed.
        future = message.future
        when = day_words(future.due, style=self.taskflow.settings.date_style)
        self.taskflow.say(
            f"“{short_title(future.task.title)}” on {when} is a coming "
            "date of a repeating task, not a task yet: it becomes one when the one before "
            f"it is done ({self.taskflow.key_of('skip_occurrence')} on that one skips to the "
            "next date)."
        )

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

    @on(TaskTable.FoldRequested, "#tasks")
    def _fold_requested(self, message: TaskTable.FoldRequested) -> None:
        task, context = message.task, self.table.contexts.get(message.task.id)
        if not self.state.shows_tree:
            return
        has_subtasks = context is not None and context.subtasks is not None
        if has_subtasks and self.state.is_folded(task.id) != message.folded:
            self._refold(self.state.with_fold(task.id, message.folded), task.id)
        elif message.folded and context is not None and context.parent_ids:
            # Left on a subtask (or on a folded task): up to its parent, as in a file tree.
            parent = context.parent_ids[-1]
            if not self.table.select_task(parent):
                self.load(keep=parent)

    @on(TaskTable.OpenRequested, "#tasks")
    def _open_requested(self, message: TaskTable.OpenRequested) -> None:
        self.action_open()

    def hidden_note(self, task: TaskRecord) -> str:
        """Why a task just saved is not in the list, or '' if it is shown."""
        return hidden_note(self.state, self.view, task, self.taskflow.key_of)

    # -- status line and hints ---------------------------------------------------------------

    def _update_status(self) -> None:
        sidebar = self.sidebar
        beside = (sidebar.outer_size.width or SIDEBAR_WIDTH) if sidebar.display else 0
        width = self.size.width - beside
        keys = {kind: self.taskflow.key_of(f"view_{kind.value}") for kind in ViewKind}
        self.query_one(ViewsBar).show(self.view_counts, self.view_kind, width, keys)
        rows = len(self.table.rows)
        self.query_one(StatusLine).show(self.counts, self.state, self.view, rows, width)
        self._update_hint()

    def on_resize(self) -> None:
        self._place_sidebar()
        self._update_status()  # what fits on the status line depends on the width

    # -- the sidebar ---------------------------------------------------------------------------

    def _place_sidebar(self) -> None:
        wanted = self._sidebar_wanted
        shown = wanted if wanted is not None else self.size.width >= SIDEBAR_MIN_WIDTH
        sidebar = self.sidebar
        if shown == sidebar.display:
            return
        if not shown and self.focused is sidebar:
            self.set_focus(self.table, scroll_visible=False)
        sidebar.display = shown
        if shown:
            self._load_sidebar()  # what it lists may have changed while it was hidden

    def action_sidebar(self) -> None:
        """p goes to the sidebar (showing it if hidden); p there hides it."""
        sidebar = self.sidebar
        if sidebar.display and self.focused is not sidebar:
            self.set_focus(sidebar, scroll_visible=False)
            return
        self._sidebar_wanted = not sidebar.display
        self._place_sidebar()
        if sidebar.display:
            self.set_focus(sidebar, scroll_visible=False)

    def on_sidebar_loaded(self, message: SidebarLoaded) -> None:
        contents = message.contents
        place = self.state.place
        self.sidebar.show(contents, self.view_kind, place)
        if place is not None and not place.is_inbox:
            moved = place_in(contents, place)
            if moved != place:  # renamed, moved, given sub-projects or deleted
                self.state = replace(self.state, place=moved)

    def _sidebar_done(self) -> None:
        """Back to the list after choosing; a sidebar opened on a narrow screen goes."""
        if self.size.width < SIDEBAR_MIN_WIDTH:
            self._sidebar_wanted = None
            self._place_sidebar()
        self.set_focus(self.table, scroll_visible=False)

    def on_project_sidebar_view_chosen(self, message: ProjectSidebar.ViewChosen) -> None:
        self._counts_after_list = self.state.place is not None  # views' counts change
        self.state = replace(self.state, kind=message.view, place=None)
        self._sidebar_done()

    def on_project_sidebar_place_chosen(self, message: ProjectSidebar.PlaceChosen) -> None:
        self._go_to(message.place)
        self._sidebar_done()

    def _go_to(self, place: ProjectPlace | None) -> None:
        if place != self.state.place:
            # The tree is as it was (only the list moved): its counts, read once the
            # list is shown (on_list_loaded).
            self._counts_after_list = True
            self.state = replace(self.state, place=place)

    def on_project_sidebar_left(self, message: ProjectSidebar.Left) -> None:
        self._sidebar_done()

    def action_new_project(self) -> None:
        """n on the list: as n in the sidebar, inside the project the list shows."""
        place = self.state.place
        inside = None
        if place is not None and place.project_id is not None:
            inside = self.sidebar.project(place.project_id)
        self._project_action("new", inside)

    def on_project_sidebar_action_asked(self, message: ProjectSidebar.ActionAsked) -> None:
        self._project_action(message.action, message.project)

    def _project_action(self, action: str, project: ProjectRecord | None) -> None:
        if self.taskflow.store.read_only:
            self.taskflow.say("This database is read-only; projects cannot be changed.")
            return

        def changed(project: ProjectRecord | None) -> None:
            if project is not None:
                self.sidebar.cursor_to_project(project.id)  # made, renamed or moved
                if self.sidebar.display:  # hidden, it is not listed until it is shown
                    self._sidebar_cursor_expected = time.monotonic()
            self.load()
            self.load_counts(sidebar="now")  # the tree changed: the user is looking at it

        project_action(self, action, project, self.sidebar.contents, changed)

    def _update_hint(self) -> None:
        hint = self.query_one("#empty-hint", Static)
        table = self.table
        message: Text | None = None
        if self.shown is not None and len(table.rows) == 0 and self.counts is not None:
            read_only = self.taskflow.store.read_only
            message = empty_list_hint(
                self.counts,
                self.state,
                self.view,
                read_only=read_only,
                key_of=self.taskflow.key_of,
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
            return self.view_kind is ViewKind.ALL and not self.state.hide_done and some_done
        if action == "show_done":
            return self.view_kind is ViewKind.ALL and self.state.hide_done
        if action == "clear_search":
            # In the footer only while there is a search to clear.
            search = self.query_one("#search", Input)
            return bool(self.state.search_text) or not search.has_class("hidden")
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
            if optimistic.completed:
                optimistic = replace(optimistic, repeat=None)  # the next one carries it
            self.show_change(optimistic)
            self.taskflow.toggle_task(task)

    def action_add(self) -> None:
        from tui.screens.task_edit import TaskEditScreen

        # Narrowed to a project, a new task starts in it (the Project field says so).
        place = self.state.place
        project = place.path if place is not None and not place.is_inbox else None
        self.app.push_screen(TaskEditScreen(None, project=project))

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
        if search.has_class("hidden") and not self.state.search_text:
            return
        search.value = ""
        self._show_search_box(False)
        self.state = replace(self.state, search_text="")

    def action_hide_done(self) -> None:
        self.state = replace(self.state, hide_done=True)
        self.taskflow.say(f"Done tasks hidden · {self.taskflow.key_of('hide_done')} shows them")

    def action_show_done(self) -> None:
        self.state = replace(self.state, hide_done=False)
        self.taskflow.say("Showing done tasks")

    def action_cycle_sort(self, step: int = 1) -> None:
        self.state = self.state.sorted_by_next(step)
        self.taskflow.say(f"Sorted by {self.state.sort.label}")

    def action_view(self, name: str) -> None:
        kind = ViewKind(name)
        if kind is not self.view_kind:
            self.state = replace(self.state, kind=kind)

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
                f"Press {self.taskflow.key_of('sort')} until the sort is “my order”."
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

    # -- the tree: folds, subtasks, projects and blocks ------------------------------------

    def _refused_outside_the_tree(self, what: str) -> bool:
        if self.state.shows_tree:
            return False
        self.taskflow.say(
            f"{what} in the tree: All or Done sorted by my order, without a search "
            "(press 1, then s until the sort is “my order”)."
        )
        return True

    def _refold(self, state: ListState, keep: str | None) -> None:
        """Show the list folded as ``state`` says, the cursor on task ``keep``."""
        self.set_reactive(TaskListScreen.state, state)
        self.view = self._query_now()
        self._update_status()
        self._load(self.view, keep, self.table.cursor)

    def action_fold(self) -> None:
        task = self.table.current
        if task is None or self._refused_outside_the_tree("Subtasks fold"):
            return
        context = self.table.contexts.get(task.id)
        if context is not None and context.subtasks is not None:
            folded = not self.state.is_folded(task.id)
            self._refold(self.state.with_fold(task.id, folded), task.id)
        elif context is not None and context.parent_ids:
            parent = context.parent_ids[-1]  # a subtask: its parent folds, over it
            self._refold(self.state.with_fold(parent, True), parent)
        else:
            self.taskflow.say(f"“{short_title(task.title)}” has no subtasks to fold.")

    def action_fold_all(self) -> None:
        if self._refused_outside_the_tree("Subtasks fold"):
            return
        task = self.table.current
        folding = not self.state.any_folded
        keep = task.id if task is not None else None
        context = self.table.contexts.get(keep) if keep is not None else None
        if folding and context is not None and context.parent_ids:
            keep = context.parent_ids[0]  # its top-level task stays in sight
        self._refold(self.state.with_all_folded(folding), keep)
        self.taskflow.say("Every task folded · Z unfolds" if folding else "Every task unfolded")

    def _unfolded(self, task_id: str) -> None:
        """Make sure the subtasks of ``task_id`` show (one was just put under it)."""
        if self.state.is_folded(task_id):
            self.set_reactive(TaskListScreen.state, self.state.with_fold(task_id, False))
            self.view = self._query_now()

    def _restructured(self, task: TaskRecord, said: str) -> None:
        """A change to where tasks are: the list is read again around the task."""
        if task.parent_id is not None:
            self._unfolded(task.parent_id)
        self.load(keep=task.id)
        self.load_counts()
        self.taskflow.say(f"{said} · {self.taskflow.key_of('undo')} undoes")

    def _write_failed(self, error: StoreError) -> None:
        self.taskflow.say(str(error))
        self.load()  # what the store holds now, whatever the list thought

    def action_add_subtask(self) -> None:
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return
        if self.state.shows_tree and self.state.is_folded(task.id):
            # Unfolded now, so the new subtask is placed among its shown siblings.
            self._refold(self.state.with_fold(task.id, False), task.id)
        add_subtask(self, task)

    def _task_to_restructure(self, verb: str) -> TaskRecord | None:
        """The cursor's task, if ``verb`` (e.g. "Tasks indent") can move it here."""
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return None
        return None if self._refused_outside_the_tree(verb) else task

    def action_indent(self) -> None:
        task = self._task_to_restructure("Tasks indent")
        if task is None:
            return
        query = self.view

        def done(indented: TaskRecord) -> None:
            rows = self.table.rows
            index = rows.index_of(indented.parent_id or "")
            parent = rows.row(index) if index is not None else None
            under = f"“{short_title(parent.title)}”" if parent is not None else "the task above"
            self._restructured(indented, f"“{short_title(indented.title)}” is now under {under}")

        self.taskflow.run_write(
            lambda store: store.indent(task.id, expected_version=task.version, query=query),
            done,
            self._write_failed,
        )

    def action_outdent(self) -> None:
        task = self._task_to_restructure("Tasks outdent")
        if task is None:
            return
        self.taskflow.run_write(
            lambda store: store.outdent(task.id, expected_version=task.version),
            lambda moved: self._restructured(
                moved, f"“{short_title(moved.title)}” moved up a level"
            ),
            self._write_failed,
        )

    def action_move_to_project(self) -> None:
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return
        context = self.table.contexts.get(task.id)
        current = context.project if context is not None else None
        move_to_project(self, task, current, self._structure_changed, self._write_failed)

    def action_blocked_by(self) -> None:
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return
        mark_blocked_by(self, task, self._block_changed, self._write_failed)

    def action_change_parent(self) -> None:
        task = self.table.current
        if task is None or self._refused_as_unreadable(task):
            return
        change_parent(self, task, self._structure_changed, self._write_failed)

    def _structure_changed(self, change: StructureChange) -> None:
        self._restructured(change.task, change.said)

    def _block_changed(self, change: StructureChange) -> None:
        self.show_change(change.task)
        self.taskflow.say(f"{change.said} · {self.taskflow.key_of('undo')} undoes")

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    async def action_quit(self) -> None:
        await self.taskflow.action_quit()

    def _set_query(self, query: TaskQuery) -> None:
        if query == self.view:
            return
        new_search = (query.search, query.tag) != (self.view.search, self.view.tag)
        new_place = query.projects != self.view.projects
        self.view = query
        # Which keys apply is settled once the new list is on screen: rebuilding the
        # footer first would hold the app's thread while the list is still loading.
        self._bindings_stale = True
        self._update_status()
        # The cursor keeps its task if the new list has it. If not: after a new search
        # the first match is what the user wants to see; after a filter or sort change
        # (h hiding the done task under the cursor), the nearest task still shown.
        # Another project in the sidebar: its list from the top, as a new list is.
        fallback = 0 if new_search or new_place else self.table.cursor
        if new_place:
            current = self.table.current
            keep = current.id if current is not None and query.matches(current) else None
        else:
            keep = self._nearest_shown(query)
        self._load(self.view, keep, fallback)

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
        self.state = replace(self.state, search_text=text)

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
            # Set without the watcher: the list is loaded below, around the task.
            widened = replace(self.state, search_text="", hide_done=False, kind=ViewKind.ALL)
            self.set_reactive(TaskListScreen.state, widened)
            self.view = self._query_now()
            self.refresh_bindings()
            self._update_status()
        self._load(self.view, task.id, self.table.cursor)


def _moved_in_tree(shown: TaskRecord, task: TaskRecord) -> bool:
    return (shown.position, shown.parent_id) != (task.position, task.parent_id)


def _day_of(task: TaskRecord | None) -> date | None:
    return task.due.day if task is not None and task.due is not None else None
