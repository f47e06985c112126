"""TaskFlowApp and make_app(): the one factory the command line and every test use."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from store import (
    ChangeSet,
    Due,
    NothingToUndoError,
    ServerUnavailableError,
    Sort,
    StoreError,
    TaskQuery,
    TaskRecord,
    TaskStore,
    UndoResult,
    local_now,
    utc_now,
)
from tui.background_sync import (
    SYNC_AFTER_CHANGE_SECONDS,
    SYNC_EVERY_SECONDS,
    SyncOutcome,
    has_accounts,
    run_sync,
    status_words,
)
from tui.commands import TaskJumpProvider, list_commands
from tui.formatting import day_words, single_line
from tui.keymap import default_key, settle_keymap
from tui.list_state import ListState, ViewKind
from tui.messages import ReportsWorkerErrors, TaskRemoved, TasksChanged, TaskUpdated
from tui.services import TaskFlowServices
from tui.settings import DEFAULTS, Settings
from tui.settings.catalogue import REMEMBER
from tui.settings.writing import NotWritten, write_settings
from tui.text import visible
from tui.typeahead import TypeAhead

T = TypeVar("T")

# The config file's problems said at start, at most (the rest: `taskflow config show`).
MAX_CONFIG_LINES_SAID = 5
# Often enough that another window's change shows within a second; PRAGMA
# data_version costs microseconds and takes no lock (on a server: one indexed read).
CHANGE_POLL_SECONDS = 0.4
# Quitting waits for writes still on their way, however long; past this it says so.
SAY_SAVING_AFTER_SECONDS = 0.5


class WriteQueue:
    """Hands out turns so that writes reach the store in the order the user asked for them.

    Each write runs in its own thread worker (so nothing blocks the screen, and
    workers finish for tests to wait on) but waits for its ticket to come up.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._issued = 0
        self._serving = 0

    def ticket(self) -> int:
        with self._condition:
            ticket = self._issued
            self._issued += 1
            return ticket

    @contextmanager
    def turn(self, ticket: int) -> Any:
        with self._condition:
            self._condition.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._condition:
                self._serving += 1
                self._condition.notify_all()

    @property
    def pending(self) -> int:
        with self._condition:
            return self._issued - self._serving


class TaskFlowApp(ReportsWorkerErrors, App[int]):
    """A keyboard-driven task manager over one TaskStore."""

    CSS_PATH = "app.tcss"
    TITLE = "TaskFlow"
    # A class on the screen by its width, for the layout of small terminals (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    COMMANDS = App.COMMANDS | {TaskJumpProvider}

    def __init__(
        self,
        store: TaskStore,
        *,
        settings: Settings = DEFAULTS,
        clock: Callable[[], datetime] = utc_now,
        theme: str | None = None,
        animations: bool = True,
        poll_seconds: float = CHANGE_POLL_SECONDS,
        sync_delay: float = SYNC_AFTER_CHANGE_SECONDS,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.clock = clock
        self._settings_lock = threading.Lock()
        self._settings_write = threading.Lock()
        self._settings_pending: dict[str, Any] = {}
        self._settings_writes = 0  # writes of the config file on their way
        self._settings_ready = False  # set on mount: the theme set here is not a choice
        self._said_not_kept = False
        self.theme = theme or settings["theme"]
        # [keys], less any remap that would meet another action's key (said at start).
        # Applied by each screen and widget as it is built (tui/rebinding.py), not by
        # Textual's set_keymap, which would move remapped keys to the Footer's end.
        self.keymap, self._key_clashes = settle_keymap(settings)
        if not animations:
            self.animation_level = "none"
        self._poll_seconds = poll_seconds
        self._writes = WriteQueue()
        self._data_version: int | None = None
        self._last_event_id: int | None = None
        # On a server: the connection is down and the user has been told so.
        self._server_lost = False
        self._last_said: Notification | None = None
        # CalDAV sync in the background (tui/background_sync.py), when an account is set up.
        self.sync_enabled = False
        self.sync_outcome: SyncOutcome | None = None
        self._syncing = False
        self._sync_again = False  # asked for while one was running: once more after it
        self._sync_timer: Timer | None = None
        self._sync_delay = sync_delay  # after a change, before it is pushed
        self.typeahead = TypeAhead(
            super().on_event,
            current_screen=lambda: self.screen,
            focused=lambda: self.focused,
            start_timer=lambda delay, then: self.set_timer(delay, then),
        )

    async def on_event(self, event: events.Event) -> None:
        # Keys and pastes from the terminal wait while the screen on top is not ready
        # for them (see tui/typeahead.py); everything else goes on as Textual does it.
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            for key in _escape_then_key(event):
                await self.typeahead.receive(key)
            return
        await super().on_event(event)

    # -- start-up --------------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.task_list import TaskListScreen

        self._start_watching()
        self.push_screen(TaskListScreen(self.start_state()))
        self._start_sync()
        self._announce_migration()
        self._announce_config_problems()
        self._settings_ready = True

    def _announce_migration(self) -> None:
        report = self.store.migration
        if self.store.read_only:
            self.notify(
                f"Opened read-only: {self.store.read_only_reason}. Changes are disabled.",
                title="Read-only",
                severity="warning",
                markup=False,
                timeout=8,
            )
        if not report.changed:
            return
        if report.from_version == 0 and report.backup is None and not report.adopted_legacy:
            self.notify(f"New database created at {self.store.describe()}.", markup=False)
            return
        what = (
            "Adopted the earlier TaskFlow service's database"
            if report.adopted_legacy
            else f"Database upgraded from schema v{report.from_version} to v{report.to_version}"
        )
        backup = f"; backup saved as {report.backup}" if report.backup else ""
        self.notify(what + backup + ".", title="Database", markup=False, timeout=10)

    def _announce_config_problems(self) -> None:
        lines = [str(problem) for problem in self.settings.problems] + self._key_clashes
        if len(lines) > MAX_CONFIG_LINES_SAID:
            # A toast taller than a small terminal would hide its own first lines.
            more = len(lines) - MAX_CONFIG_LINES_SAID + 1
            lines[MAX_CONFIG_LINES_SAID - 1 :] = [f"…and {more} more: 'taskflow config show'"]
        if lines:
            self.notify(
                "\n".join(lines),
                title="Config file",
                severity="warning",
                markup=False,
                timeout=12,
            )

    # -- settings the user changes in the app -------------------------------------------------

    def start_state(self) -> ListState:
        """The list as the config file says to start it: its settings, or as it was left."""
        settings = self.settings

        def chosen(name: str) -> Any:
            value = settings[f"list.{name}"]
            return settings[f"state.{name}"] if value == REMEMBER else value

        return ListState(
            kind=ViewKind(chosen("view")), sort=Sort(chosen("sort")), hide_done=chosen("hide_done")
        )

    def remember_list(self, view: str, sort: str, hide_done: bool) -> None:
        """Keep the list's view, sort and hide-done in the file, where it says "remember"."""
        left = {"view": view, "sort": sort, "hide_done": hide_done}
        changes = {
            f"state.{name}": value
            for name, value in left.items()
            if self.settings[f"list.{name}"] == REMEMBER
        }
        if changes:
            self._save_settings(changes)

    def key_of(self, binding_id: str, *, short: bool = False) -> str:
        """The key a message names for an action ("u undoes"), as [keys] may have it;
        ``short``: as the Footer draws it ("esc", for a button), not in words ("Escape")."""
        key = (self.keymap.get(binding_id) or default_key(binding_id)).split(",")[0]
        words = None if short else _KEY_WORDS.get(key)
        return words or self.get_key_display(Binding(key, ""))

    def watch_theme(self, theme: str) -> None:
        if self._settings_ready:
            self._save_settings({"theme": theme})

    def _save_settings(self, changes: dict[str, Any]) -> None:
        if self.settings.path is None:
            return  # an app built without a file (the tests' default) keeps nothing
        with self._settings_lock:
            self._settings_pending.update(changes)
            self._settings_writes += 1
        self.run_worker(self._write_settings, thread=True, group="settings", exit_on_error=False)

    def _write_settings(self) -> None:
        """One write at a time, each with the newest values: two quick changes never
        leave the older one in the file."""
        path = self.settings.path
        assert path is not None
        try:
            with self._settings_write:
                with self._settings_lock:
                    changes, self._settings_pending = self._settings_pending, {}
                if changes:
                    write_settings(path, changes)
        except NotWritten as error:
            self._call_back(self._settings_not_written, str(error))
        finally:
            with self._settings_lock:
                self._settings_writes -= 1

    def _settings_not_written(self, why: str) -> None:
        if self._said_not_kept:
            return  # once a session: each change of view would say it again
        self._said_not_kept = True
        self.notify(
            f"Your choice holds until you quit, but is not kept: {why}.",
            title="Config file",
            severity="warning",
            markup=False,
            timeout=8,
        )

    # -- other windows and the command line --------------------------------------------------

    def _start_watching(self) -> None:
        # The baseline is taken here, before the first list is read, so that no change
        # can fall between what the list shows and what the watch looks for. Both are
        # single-row reads (a pragma, the log's last key), cheap enough for this thread.
        try:
            self._data_version = self.store.data_version()
            self._last_event_id = self.store.last_event_id()
        except StoreError as error:
            self.report_error(error)
        if self.store.on_server:
            self._watch_server()
        else:
            self.set_interval(self._poll_seconds, self._poll_for_changes, name="watch-changes")

    def _poll_for_changes(self) -> None:
        # On this thread: SQLite's data_version only compares within one connection.
        try:
            version = self.store.data_version()
        except StoreError:
            return  # a busy or vanished file: the next tick tries again
        self._seen_version(version)

    def _seen_version(self, version: int) -> None:
        if self._data_version is None or self._last_event_id is None:
            self._start_baseline(version)
            return
        if version != self._data_version:
            self._data_version = version
            self._fetch_changes(self._last_event_id)

    @work(thread=True, exclusive=True, group="watch-server", exit_on_error=False)
    def _watch_server(self) -> None:
        """The poll for a server, in a thread of its own: a server that has gone away
        can take seconds to time out, and the screen must not wait for it."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                version = self._server_version()
            except ServerUnavailableError as error:
                self._call_back(self._server_unreachable, error)
            except StoreError:
                pass  # busy: the next round tries again
            else:
                self._call_back(self._server_answered, version)
            time.sleep(self._poll_seconds)

    def _server_version(self) -> int:
        try:
            return self.store.data_version()
        except ServerUnavailableError:
            # A connection cut in mid-query (a restart, an idle timeout) says only that
            # this one is gone. A second try on a new one says whether the server is:
            # a blip is not reported, and a server that is down is named as such.
            return self.store.data_version()

    def _server_unreachable(self, error: StoreError) -> None:
        if not self._server_lost:
            self._server_lost = True
            self.notify(
                f"{error} Retrying; changes cannot be saved until it is back.",
                title="Connection lost",
                severity="error",
                markup=False,
                timeout=10,
            )

    def _server_answered(self, version: int) -> None:
        if self._server_lost:
            self._server_lost = False
            # What others changed meanwhile is in the log after _last_event_id: the
            # version check below fetches it.
            self.notify(f"Reconnected to {self.store.describe()}.", markup=False, timeout=4)
        self._seen_version(version)

    def _start_baseline(self, version: int) -> None:
        """A baseline that could not be read at start (a busy file): take it now."""
        try:
            self._last_event_id = self.store.last_event_id()
        except StoreError:
            return
        self._data_version = version

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _fetch_changes(self, since: int) -> None:
        changes = self.store.changes_since(since)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._apply_changes, changes)

    def _apply_changes(self, changes: ChangeSet) -> None:
        self._last_event_id = max(self._last_event_id or 0, changes.last_event_id)
        if changes.task_ids or changes.too_many or changes.projects:
            self.broadcast(lambda: TasksChanged(changes))

    def broadcast(self, make_message: Callable[[], Message]) -> None:
        """Post a message to every screen on the stack (a message is delivered once,
        so each screen gets its own)."""
        for screen in self.screen_stack:
            screen.post_message(make_message())

    # -- writing -------------------------------------------------------------------------

    def run_write(
        self,
        job: Callable[[TaskStore], T],
        done: Callable[[T], None],
        failed: Callable[[StoreError], None] | None = None,
    ) -> None:
        """Run ``job`` against the store in a thread, in order; call back on the main thread."""
        ticket = self._writes.ticket()

        def in_thread() -> None:
            with self._writes.turn(ticket):
                try:
                    result = job(self.store)
                except StoreError as error:
                    self._call_back(failed or self.report_error, error)
                    return
                self._call_back(done, result)
                self._call_back(lambda _: self.sync_soon(), None)

        self.run_worker(in_thread, thread=True, group="write", exit_on_error=False)

    def _call_back(self, callback: Callable[[Any], None], value: Any) -> None:
        # RuntimeError: the app closed first; the write itself is committed.
        with suppress(RuntimeError):
            self.call_from_thread(callback, value)

    def report_error(self, error: StoreError) -> None:
        self.notify(str(error), title="Not saved", severity="error", markup=False, timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # Every toast may quote user text: none may carry a control character (an
        # imported title with an OSC 52 sequence would write to the clipboard).
        super().notify(
            visible(message, keep_lines=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def say(self, message: str) -> None:
        """A short confirmation of what just happened; user text is never markup.

        Each replaces the one before, so that six quick toggles leave one toast on
        screen, not a column of them over the list.
        """
        if self._last_said is not None:
            # Textual has no public call to withdraw one notification.
            self._unnotify(self._last_said, refresh=False)
        said = Notification(visible(message, keep_lines=True), "", "information", 3)
        self._last_said = said
        self.post_message(Notify(said))

    # -- the actions every screen offers ------------------------------------------------------

    def toggle_task(self, task: TaskRecord) -> None:
        desired = not task.completed
        repeats = desired and task.repeat is not None
        reopening = not desired and task.series_id is not None

        def job(store: TaskStore) -> tuple[TaskRecord, int, list[TaskRecord], list[str]]:
            # Opening a done occurrence again may take back the next one it made.
            after_it = store.next_in_series(task) if reopening else None
            made_then = (
                [after_it.id, *(t.id for t in store.subtasks(after_it.id, deep=True))]
                if after_it is not None
                else []
            )
            updated = store.set_completed(task.id, desired)
            present = {t.id for t in store.get_many(made_then)}
            removed = [task_id for task_id in made_then if task_id not in present]
            counted = store.subtask_counts([task.id]).get(task.id)
            # Done with subtasks still open (or open again with some done): say so.
            other = (counted.open if desired else counted.done) if counted else 0
            # A repeating task done: the next occurrence the store made with it, and the
            # copies of its subtasks, for the screens to show.
            following = store.next_in_series(updated) if repeats else None
            made = [following, *store.subtasks(following.id, deep=True)] if following else []
            if removed:  # its own subtasks, done with it, are open again: shown so
                made = store.subtasks(task.id, deep=True)
            return updated, other, made, removed

        def done(result: tuple[TaskRecord, int, list[TaskRecord], list[str]]) -> None:
            updated, other, made, removed = result
            self.broadcast(lambda: TaskUpdated(updated))
            for each in made:
                self.broadcast(functools.partial(TaskUpdated, each))
            for gone in removed:
                self.broadcast(functools.partial(TaskRemoved, gone))
            state = "done" if updated.completed else "open"
            note = ""
            if other:
                word = "open" if updated.completed else "done"
                note = f" · {other} subtask{'s' if other != 1 else ''} still {word}"
            if repeats and made and made[0].due is not None:
                note += f" · next: {self._due_words(made[0].due)}"
            elif repeats and updated.completed:
                note += " · its series ends here"
            if removed:
                note += " · it repeats again: the next occurrence it made was removed"
            self.say(
                f"Marked “{_short(updated.title)}” {state}{note} · {self.key_of('undo')} undoes"
            )

        def failed(error: StoreError) -> None:
            # The list already shows the new state (it is drawn before the write): have
            # every screen read the task again, so none shows a change that was not saved.
            unsaved = ChangeSet(
                last_event_id=self._last_event_id or 0, task_ids=frozenset({task.id})
            )
            self.broadcast(lambda: TasksChanged(unsaved))
            self.report_error(error)

        self.run_write(job, done, failed)

    def skip_occurrence(self, task: TaskRecord) -> None:
        """Move a repeating task on to its next date without marking it done."""
        if task.repeat is None:
            if task.series_id is not None and task.completed:
                self.say(
                    f"“{_short(task.title)}” is a done occurrence of a repeating task: "
                    f"{self.key_of('skip_occurrence')} on its open occurrence skips that one."
                )
            else:
                self.say(f"“{_short(task.title)}” does not repeat: there is no date to skip to.")
            return

        def done(skipped: TaskRecord) -> None:
            self.broadcast(lambda: TaskUpdated(skipped))
            when = self._due_words(skipped.due) if skipped.due is not None else "its next date"
            self.say(f"Skipped “{_short(skipped.title)}” to {when} · {self.key_of('undo')} undoes")

        def failed(error: StoreError) -> None:
            # The rule's end, or a change elsewhere: said, as any refusal of a key is.
            self.say(str(error))

        self.run_write(
            lambda store: store.skip_occurrence(task.id, expected_version=task.version),
            done,
            failed,
        )

    def _due_words(self, due: Due) -> str:
        """A due date for a note: 'Mon 30 Nov', with the year when it is another year's,
        and what to do when it is already past."""
        now = local_now(self.clock())
        text = day_words(due, style=self.settings.date_style)
        if due.day.year != now.year:
            text += f" {due.day.year}"
        skip = self.key_of("skip_occurrence")
        return text + (f" (already overdue: {skip} skips on)" if due.is_overdue(now) else "")

    def delete_task(self, task: TaskRecord) -> None:
        def job(store: TaskStore) -> tuple[TaskRecord, list[TaskRecord]]:
            below = store.subtasks(task.id, deep=True)  # they go with it
            return store.delete(task.id), below

        def done(deleted: tuple[TaskRecord, list[TaskRecord]]) -> None:
            top, below = deleted
            for gone in (top, *below):
                self.broadcast(functools.partial(TaskRemoved, gone.id))
            more = f" and {len(below)} subtask{'s' if len(below) != 1 else ''}" if below else ""
            self.say(f"Deleted “{_short(top.title)}”{more} · {self.key_of('undo')} undoes")

        self.run_write(job, done)

    def move_task(self, task: TaskRecord, steps: int, shown: TaskQuery) -> None:
        def done(moved: TaskRecord) -> None:
            self.broadcast(lambda: TaskUpdated(moved))
            where = "down" if steps > 0 else "up"
            self.say(f"Moved “{_short(moved.title)}” {where} · {self.key_of('undo')} undoes")

        self.run_write(lambda store: store.move(task.id, steps, shown), done)

    def undo(self) -> None:
        def done(result: UndoResult) -> None:
            # The newest last, so that the cursor lands on the task the message names.
            for each in reversed(result.each):
                self.broadcast(functools.partial(_undone_message, each))
            self.say(f"{result.message} · {self.key_of('undo')} undoes the change before")

        def failed(error: StoreError) -> None:
            if isinstance(error, NothingToUndoError):
                self.say("Nothing to undo.")
            else:
                self.report_error(error)

        self.run_write(lambda store: store.undo(), done, failed)

    def skip_undo(self) -> None:
        """Pass over the change undo cannot revert, so that the next undo reaches the
        one before it (the change itself stays as it is)."""

        def done(result: UndoResult) -> None:
            self.say(f"{result.message} · {self.key_of('undo')} undoes the change before")

        def failed(error: StoreError) -> None:
            if isinstance(error, NothingToUndoError):
                self.say("Nothing to skip.")
            else:
                self.report_error(error)

        self.run_write(lambda store: store.skip_undo(), done, failed)

    def task_saved(self, task: TaskRecord, *, created: bool, note: str = "") -> None:
        from tui.screens.task_list import TaskListScreen

        for screen in self.screen_stack:
            if isinstance(screen, TaskListScreen):
                # Before the editor closes: a key typed next is meant for this task.
                screen.expect_cursor_on(task.id)
        self.broadcast(lambda: TaskUpdated(task, select=True))
        verb = "Added" if created else "Saved"
        hidden = self._where_hidden(task)
        self.say(f"{verb} “{_short(task.title)}”{note}{hidden} · {self.key_of('undo')} undoes")

    def _where_hidden(self, task: TaskRecord) -> str:
        """' — not shown in Done' when the list's view or search hides the task."""
        from tui.screens.task_list import TaskListScreen

        for screen in self.screen_stack:
            if isinstance(screen, TaskListScreen):
                return screen.hidden_note(task)
        return ""

    # -- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """ctrl+q anywhere, q on the list: ask first if an edit would be lost, and quit
        only once every write already asked for has reached the database."""
        from tui.screens.task_edit import TaskEditScreen

        if isinstance(self.screen, TaskEditScreen):
            self.screen.confirm_quit()
            return
        if any(isinstance(screen, TaskEditScreen) for screen in self.screen_stack):
            self.bell()  # a dialog over the editor: answer it first
            return
        self.quit_when_written()

    def quit_when_written(self) -> None:
        """Quit once no write is on its way, however long that takes. Waited for in a
        worker: the screen keeps drawing (and says why it has not quit yet)."""
        self.run_worker(self._quit_when_written(), group="quit", exclusive=True)

    async def _quit_when_written(self) -> None:
        told = False
        waited = 0.0
        while self._writes.pending or self._settings_writes:
            if waited >= SAY_SAVING_AFTER_SECONDS and not told:
                told = True
                # Up until the app quits, however long the write takes.
                self.notify("Saving your last change before quitting…", markup=False, timeout=3600)
            await asyncio.sleep(0.05)
            waited += 0.05
        self.exit(0)

    # -- CalDAV sync in the background ------------------------------------------------------

    def _start_sync(self) -> None:
        """On launch, every few minutes, a few seconds after a change, and on demand:
        in a thread worker, so that no key ever waits for the network."""
        if self.store.read_only or not has_accounts(self.store):
            return
        self.sync_enabled = True
        self.sync_now()
        self.set_interval(SYNC_EVERY_SECONDS, self.sync_now, name="sync-every")
        self.set_interval(30, self._show_sync_state, name="sync-words")  # "2 min ago"

    def sync_now(self) -> None:
        if not self.sync_enabled:
            return
        if self._syncing:
            self._sync_again = True
            return
        self._syncing = True
        self._show_sync_state()
        self.run_worker(self._sync_in_thread, thread=True, group="sync", exit_on_error=False)

    def sync_soon(self) -> None:
        """A change was saved: it is pushed once the changes pause."""
        if not self.sync_enabled:
            return
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync_timer = self.set_timer(self._sync_delay, self.sync_now)

    def _sync_in_thread(self) -> None:
        self._call_back(self._synced, run_sync(self.store, self.clock))

    def _synced(self, outcome: SyncOutcome) -> None:
        self._syncing = False
        if outcome.busy:  # `taskflow sync` was at it: what it did is seen; once more soon
            self._show_sync_state()
            self.sync_soon()
            return
        self.sync_outcome = outcome
        self._show_sync_state()
        if outcome.conflicts:
            shown = list(outcome.conflicts[:MAX_CONFIG_LINES_SAID])
            self.notify("\n".join(shown), title="Sync", severity="warning", markup=False)
        if self._sync_again:
            self._sync_again = False
            self.sync_now()

    def sync_words(self) -> str:
        """The title bar's word on sync ('synced 2 min ago'), or '' with no account."""
        if not self.sync_enabled:
            return ""
        return status_words(self.sync_outcome, running=self._syncing, now=self.clock())

    def _show_sync_state(self) -> None:
        for screen in self.screen_stack:
            show_title = getattr(screen, "show_title", None)
            if show_title is not None:
                show_title()

    # -- command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.screens.task_list import TaskListScreen

        list_screen = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, TaskListScreen)), None
        )
        if list_screen is not None:
            yield from list_commands(list_screen)
        # Of Textual's own entries only these mean something here: its "Keys" panel
        # describes widgets, not TaskFlow, and maximizing a widget has no use.
        if self.sync_enabled:
            yield SystemCommand(
                "Sync now", f"Sync with your CalDAV task lists ({self.key_of('sync_now')})",
                self.sync_now,
            )  # fmt: skip
        yield SystemCommand("Theme", "Change the colours", self.action_change_theme)
        yield SystemCommand("Quit", "Quit TaskFlow (ctrl+q)", self.action_quit)


# Keys a sentence names by their word, rather than as the Footer draws them.
_KEY_WORDS = {"escape": "Escape", "enter": "Enter"}


def _escape_then_key(event: events.Key | events.Paste) -> list[events.Key | events.Paste]:
    """Escape and the key after it, read in one go (a paste, a slow link), reach a
    terminal app as Alt+key: that is how terminals send Alt. TaskFlow binds no Alt
    key, so Alt and a letter or digit is taken for what was typed: Escape, then it.
    (Escape before a symbol never gets here: Textual drops that Escape itself.)"""
    if not isinstance(event, events.Key) or not event.key.startswith("alt+"):
        return [event]
    character = event.character or ""
    if len(character) != 1 or not character.isalnum():
        return [event]
    return [events.Key("escape", "\x1b"), events.Key(character, character)]


def _short(title: str, limit: int = 40) -> str:
    title = visible(single_line(title))
    return title if len(title) <= limit else title[: limit - 1] + "…"


if TYPE_CHECKING:
    # The screens see the app only as TaskFlowServices: mypy checks it keeps that promise.
    _SERVICES: type[TaskFlowServices] = TaskFlowApp


def make_app(
    store: TaskStore,
    *,
    settings: Settings = DEFAULTS,
    clock: Callable[[], datetime] = utc_now,
    theme: str | None = None,
    animations: bool = True,
    poll_seconds: float = CHANGE_POLL_SECONDS,
    sync_delay: float = SYNC_AFTER_CHANGE_SECONDS,
) -> TaskFlowApp:
    """Build the app around an open store and the config file's settings (none: the
    defaults, and nothing written). The command line and every test come through here.
    ``theme`` wins over the settings' (the tests fix it)."""
    return TaskFlowApp(
        store,
        settings=settings,
        clock=clock,
        theme=theme,
        animations=animations,
        poll_seconds=poll_seconds,
        sync_delay=sync_delay,
    )


def _undone_message(result: UndoResult) -> Message:
    """What the screens are told of one task an undo changed: removed, or as it is now."""
    if result.task is None:
        return TaskRemoved(result.task_id)
    return TaskUpdated(result.task, select=True)
