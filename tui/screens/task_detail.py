"""One task in full: title, status, where it is (project, parent, subtasks, blockers),
notes as Markdown, times, owner and history; and the keys that change where it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlparse

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Markdown, Static

from store import (
    DateStyle,
    Due,
    EventRecord,
    NotFoundError,
    RepeatMode,
    StoreError,
    TaskRecord,
    dates_ahead,
    describe,
    local_now,
)
from tui.formatting import BREADCRUMB, day_words, literal, local_time, relative_time, single_line
from tui.messages import TaskRemoved, TasksChanged, TaskUpdated
from tui.screens.structure_keys import (
    ADD_SUBTASK,
    BLOCKED_BY,
    CHANGE_PARENT,
    MOVE_TO_PROJECT,
    STRUCTURE_KEY_ACTIONS,
    StructureChange,
    add_subtask,
    announce,
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

SAFE_LINK_SCHEMES = {"http", "https", "mailto"}
SERIES_SHOWN = 5  # past occurrences a repeating task's page lists, newest first
# Besides the shared ones (task_keys.SHARED_EDITING_ACTIONS): refused while read-only,
# and for a task whose row cannot be read.
EDITING_ACTIONS = frozenset({"edit"}) | STRUCTURE_KEY_ACTIONS


class TaskDetailScreen(TaskKeysScreen):
    """Reflects changes to its task as they happen, here or in another window."""

    HELP_TITLE = "Keys on a task's page"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the list", id="back"),
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Edit the title, notes, due date, priority, tags and project",
            id="edit",
        ),
        *TOGGLE_DONE_BINDINGS,
        *DELETE_BINDINGS,
        undo_binding(),
        Binding(
            "question_mark", "help", "Keys", key_display="?", tooltip="Show this help", id="help"
        ),
        # In the Footer while the task repeats (see check_action).
        replace(SKIP_OCCURRENCE, show=True),
        # Out of the Footer (it has room for the keys above only, at 80 columns): listed
        # under "Structure" in the ? help.
        *(
            replace(binding, show=False)
            for binding in (MOVE_TO_PROJECT, ADD_SUBTASK, BLOCKED_BY, CHANGE_PARENT)
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The task, its history and where it is, read again by reload()."""

        record: TaskRecord
        history: Sequence[EventRecord]
        place: Place

    def __init__(self, task: TaskRecord) -> None:
        super().__init__()
        self.record = task
        self.history: Sequence[EventRecord] = ()
        self.place: Place | None = None  # read by the first reload()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="detail-title")
            yield Static(id="detail-meta")
            yield Static(Text("Notes", style="bold"), classes="section-heading")
            yield Markdown(id="detail-notes", open_links=False)
            yield Static(Text("History", style="bold"), classes="section-heading")
            yield Static(id="detail-history")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show()
        self.reload()

    @work(thread=True, exclusive=True, group="detail-load", exit_on_error=False)
    def reload(self) -> None:
        store = self.taskflow.store
        try:
            task = store.get(self.record.id)
            history = store.history(self.record.id)
            paths = store.project_paths()
            place = Place(
                project=paths.get(task.project_id) if task.project_id else None,
                parent=next(iter(store.get_many([task.parent_id])), None)
                if task.parent_id
                else None,
                subtasks=tuple(store.subtasks(task.id)),
                blockers=tuple(store.get_many(task.blocked_by)),
                # Its last few, not the years behind a daily series.
                series=tuple(store.series(task.id, last=SERIES_SHOWN + 1))
                if task.series_id
                else (),
                done_before=store.series_counts(task.id)[1] if task.series_id else 0,
                # Evaluating the rule imports its library: here, in the worker.
                coming=tuple(dates_ahead(task.repeat, task.due, 3))
                if task.repeat is not None and task.due is not None
                else (),
            )
        except NotFoundError:
            self.app.call_from_thread(self._deleted_elsewhere)
            return
        self.post_message(self.Loaded(task, history, place))

    def on_task_detail_screen_loaded(self, message: Loaded) -> None:
        self.record = message.record
        self.history = message.history
        self.place = message.place
        self._show()

    def _gone(self) -> None:
        if self.is_current or self in self.app.screen_stack:
            self.dismiss(None)

    def _deleted_elsewhere(self) -> None:
        """Another window or the command line deleted the task: say so, as the editor
        does, rather than close without a word."""
        if self in self.app.screen_stack:
            self.taskflow.say(
                f"“{single_line(self.record.title)}” was deleted in another window "
                "or from the command line."
            )
        self._gone()

    # -- keeping up with changes --------------------------------------------------------------

    def on_task_updated(self, message: TaskUpdated) -> None:
        task = message.task
        if task.id == self.record.id:
            self.record = task
            self._show()
            self.reload()  # the history grew
        elif task.parent_id == self.record.id or task.id in self._related():
            self.reload()  # a subtask added (A) or put back by an undo, a blocker done

    def on_task_removed(self, message: TaskRemoved) -> None:
        if message.task_id == self.record.id:
            self._gone()
        elif message.task_id in self._related():
            self.reload()  # a subtask or blocker deleted, or its creation undone

    def _related(self) -> frozenset[str]:
        """The tasks this page shows besides its own: parent, subtasks, blockers."""
        place = self.place
        if place is None:
            return frozenset()
        shown = [*place.subtasks, *place.blockers]
        if place.parent is not None:
            shown.append(place.parent)
        return frozenset(task.id for task in shown)

    def on_tasks_changed(self, message: TasksChanged) -> None:
        changes = message.changes
        # A project renamed or moved (here or elsewhere) changes the path this page shows.
        if changes.too_many or changes.projects or self.record.id in changes.task_ids:
            self.reload()

    # -- drawing ------------------------------------------------------------------------------

    def _show(self) -> None:
        task = self.record
        title = literal(task.title, style="bold")
        title.no_wrap = False  # shown whole here, however long
        if task.completed:
            title.stylize("strike")
        self.query_one("#detail-title", Static).update(title)

        meta = Table.grid(padding=(0, 2))
        meta.add_column(style="dim", no_wrap=True)
        meta.add_column()
        now = self.taskflow.clock()
        status = Text("✔ done", style="bold green") if task.completed else Text("○ open")
        meta.add_row("Status", status)
        if task.unreadable:
            # What the store could not read stands in as placeholders: say so.
            problem = Text(f"cannot be read: {visible(task.unreadable)}", style="bold red")
            meta.add_row("Problem", problem)
        today = local_now(now).date()
        if task.due is not None:
            overdue = not task.completed and task.due.is_overdue(local_now(now))
            meta.add_row(
                "Due",
                Text(
                    task.due.long(today, style=self.taskflow.settings.date_style),
                    style="bold red" if overdue else "",
                ),
            )
        else:
            meta.add_row("Due", Text("no due date", style="dim"))
        meta.add_row(
            "Priority",
            Text(f"{task.priority.marks} {task.priority.label}".strip())
            if task.priority
            else Text("none", style="dim"),
        )
        meta.add_row(
            "Tags",
            literal(" ".join(f"#{tag}" for tag in task.tags))
            if task.tags
            else Text("none", style="dim"),
        )
        if self.place is not None:
            self._place_rows(meta, self.place)
            self._repeat_rows(meta, task, self.place)
        for label, moment in (("Created", task.created_at), ("Updated", task.updated_at)):
            when = f"{local_time(moment, self.taskflow.settings.date_style)} · " + relative_time(
                moment, now
            )
            meta.add_row(label, "?" if task.unreadable else when)
        meta.add_row("Owner", literal(task.user_id))
        meta.add_row("Id", Text(task.id, style="dim"))
        self.query_one("#detail-meta", Static).update(meta)

        notes = visible(task.description, keep_lines=True)
        self.query_one("#detail-notes", Markdown).update(notes or "*No notes.*")
        self.query_one("#detail-history", Static).update(self._history_table(now))

    def _place_rows(self, meta: Table, place: Place) -> None:
        """Project, parent, subtasks (a checklist) and blockers: those it has."""
        project = literal(place.project.replace("/", BREADCRUMB)) if place.project else None
        meta.add_row("Project", project or Text("Inbox (no project)", style="dim"))
        if place.parent is not None:
            meta.add_row("Subtask of", literal(single_line(place.parent.title)))
        if place.subtasks:
            done = sum(1 for sub in place.subtasks if sub.completed)
            checklist = Text()
            checklist.append(f"{done}/{len(place.subtasks)} done", style="bold")
            for sub in place.subtasks:
                checklist.append("\n✔ " if sub.completed else "\n○ ")
                checklist.append_text(literal(single_line(sub.title)))
            meta.add_row("Subtasks", checklist)
        if place.blockers:
            waits = Text()
            for number, blocker in enumerate(place.blockers):
                waits.append("\n" if number else "")
                waits.append("✔ " if blocker.completed else "○ ")
                waits.append_text(literal(single_line(blocker.title)))
            label = (
                "Blocked by" if any(not b.completed for b in place.blockers) else "Was blocked by"
            )
            meta.add_row(label, waits)

    def _repeat_rows(self, meta: Table, task: TaskRecord, place: Place) -> None:
        """The rule in words, its mode, the next dates, and the series' past occurrences:
        for a task that repeats or belongs to a series."""
        others = [each for each in place.series if each.id != task.id]
        style = self.taskflow.settings.date_style
        if task.repeat is not None:
            at = task.due.at if task.due is not None else None
            rule = Text.assemble((f"↻ {describe(task.repeat, at, style=style)}", "bold"))
            if task.repeat.mode is RepeatMode.COMPLETION:
                rule.append("\ncounted from the day it is done", style="dim")
                lead = "then, if done on its date: "
            else:
                rule.append("\non schedule: each date follows the one before", style="dim")
                lead = "next: "
            if place.coming:
                dates = ", ".join(day_words(due, with_time=False) for due in place.coming)
                rule.append(f"\n{lead}{dates}")
            else:
                rule.append("\nits rule ends with this one", style="dim")
            meta.add_row("Repeats", rule)
        elif task.series_id is not None:
            still_open = [each for each in others if not each.completed and each.repeat]
            if still_open:
                words = f"a past occurrence; the open one is due {_due_of(still_open[-1], style)}"
            else:
                words = "no longer: its series was stopped or has ended"
            meta.add_row("Repeats", Text(words, style="dim"))
        past = [
            each
            for each in others
            if each.completed and (each.occurrence or 1) < (task.occurrence or 1)
        ][-SERIES_SHOWN:]
        if past:
            listed = Text(f"{place.done_before} done before")
            for each in past[::-1]:
                listed.append(f"\n✔ {_due_of(each, style)}")
            if place.done_before > len(past):
                listed.append(f"\n… and {place.done_before - len(past)} more", style="dim")
            meta.add_row("Series", listed)

    def _history_table(self, now: object) -> Table | Text:
        if not self.history:
            return Text("No recorded changes (adopted from an earlier TaskFlow).", style="dim")
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        for event in reversed(self.history):
            table.add_row(local_time(event.at, self.taskflow.settings.date_style), _describe(event))
        return table

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # Notes are user text: open web links, never file: or other schemes.
        if urlparse(event.href).scheme.lower() in SAFE_LINK_SCHEMES:
            self.app.open_url(event.href)
        else:
            self.taskflow.say(f"Not opening {event.href}: only web and mail links open.")

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refused_while_read_only(action, EDITING_ACTIONS):
            return None
        if (action in EDITING_ACTIONS or action == TOGGLE_DONE) and self.record.unreadable:
            return None  # a row that cannot be read can be looked at and deleted only
        if action == "skip_occurrence":
            return self.record.repeat is not None and not self.record.completed
        return True

    def keyed_task(self) -> TaskRecord:
        return self.record

    def action_back(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        from tui.screens.task_edit import TaskEditScreen

        self.app.push_screen(TaskEditScreen(self.record))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    # -- where it is --------------------------------------------------------------------------

    def action_move_to_project(self) -> None:
        project = self.place.project if self.place is not None else None
        move_to_project(self, self.record, project, self._restructured, self._write_failed)

    def action_blocked_by(self) -> None:
        mark_blocked_by(self, self.record, self._restructured, self._write_failed)

    def action_change_parent(self) -> None:
        change_parent(self, self.record, self._restructured, self._write_failed)

    def action_add_subtask(self) -> None:
        add_subtask(self, self.record)

    def _restructured(self, change: StructureChange) -> None:
        # The list under this page, and this page (its task is among those that moved),
        # read the moved tasks again.
        self.record = change.task
        announce(self.taskflow, change)
        self.taskflow.say(f"{change.said} · {self.taskflow.key_of('undo')} undoes")

    def _write_failed(self, error: StoreError) -> None:
        # The store's own words: why the task cannot go under one of its subtasks, or
        # that it changed elsewhere meanwhile (then what it holds now is shown).
        self.taskflow.say(str(error))
        self.reload()


@dataclass(frozen=True)
class Place:
    """Where a task is: its project's path (None: the Inbox), its parent, the tasks
    directly under it, and the tasks it is blocked by."""

    project: str | None
    parent: TaskRecord | None
    subtasks: tuple[TaskRecord, ...]
    blockers: tuple[TaskRecord, ...]
    # Its series, first occurrence first (empty: it belongs to none), and the dates
    # after its own that its rule gives (empty: it does not repeat, or the rule ends).
    series: tuple[TaskRecord, ...] = ()
    coming: tuple[Due, ...] = ()
    done_before: int = 0  # of its series, done with a number below its own


def _due_of(task: TaskRecord, style: DateStyle) -> str:
    return day_words(task.due, style=style) if task.due is not None else "(no due date)"


def _describe(event: EventRecord) -> Text:
    text = Text(event.summary)
    if event.before and event.after and "title" in event.changed_fields:
        text.append(": “")
        text.append_text(literal(event.before.title))
        text.append("” → “")
        text.append_text(literal(event.after.title))
        text.append("”")
    return text
