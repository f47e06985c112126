"""Add or edit a task: title and Markdown notes, saved with ctrl+s, never overwriting blindly.

The Project field moves the task (with its subtasks) when saved: empty is the Inbox,
a path that does not exist yet is made in the same change. A project named in the
title (``+Work``) wins over the field, as the title's due words win over the Due
field; the preview says so. The parent is shown in the heading; it and what blocks
the task are changed from the task's page (P, b).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from store import (
    PATH_SEPARATOR,
    ChangeSet,
    ConflictError,
    DateStyle,
    Due,
    EditMerge,
    NotFoundError,
    Priority,
    QuickAdd,
    Repeat,
    RepeatPhrase,
    StoreError,
    TaskRecord,
    TaskStore,
    ValidationError,
    clean_description,
    clean_tags,
    clean_title,
    dates_ahead,
    describe,
    local_now,
    merge_edit,
    parse_due,
    parse_quick_add,
    parse_repeat,
    prepare_rules,
    quick_add_text,
    same_value,
    split_project_path,
    start_due,
)
from tui.formatting import day_words, literal, single_line
from tui.messages import TasksChanged
from tui.rebinding import KeysAsRemapped
from tui.screens.confirm import ConfirmScreen
from tui.screens.conflict import ConflictScreen, field_names
from tui.services import TaskFlowServices
from tui.text import visible
from tui.widgets.project_suggester import ProjectSuggester

# What the form edits; a task's done state is changed elsewhere (space on the list).
# The project is not among them: it is saved only when changed (see ProjectTarget).
FORM_FIELDS = ("title", "description", "due", "priority", "tags")


@dataclass(frozen=True)
class ProjectTarget:
    """Where saving puts the task: a project's path, or the Inbox (None)."""

    path: str | None
    from_title: bool = False  # named by the title's +Work, over the Project field


class ProjectPathError(ValueError):
    """What is typed in the Project field cannot be a path."""


class RepeatTextError(ValueError):
    """What is typed in the Repeat field cannot be read as a rule."""


@dataclass(frozen=True)
class RepeatTarget:
    """A repeat saving gives the task: a rule read from words, or none (``phrase``
    None: it stops repeating)."""

    phrase: RepeatPhrase | None
    from_title: bool = False  # the title's "every ..." words, over the Repeat field


@dataclass(frozen=True)
class Understood:
    """What saving the form would store, as read from the title's words and the fields."""

    title: str
    due: Due | None
    priority: Priority
    tags: tuple[str, ...]
    target: ProjectTarget | None  # None: where it is
    repeat: RepeatTarget | None  # None: as it is

    @property
    def new_repeat(self) -> Repeat | None:
        """The repeat to save when ``repeat`` is not None: counted from the due day."""
        phrase = self.repeat.phrase if self.repeat is not None else None
        if phrase is None:
            return None
        return phrase.repeat(self.due.day if self.due is not None else None)


@dataclass(frozen=True)
class _Saved:
    task: TaskRecord
    moved: frozenset[str]  # the task and its subtasks, if it went to another project
    new_project: bool
    path: str | None = None  # the project's path as the store spells it, if one was named


class TaskEditScreen(KeysAsRemapped, Screen[TaskRecord | None]):
    """Edits ``task``, or creates a new task when it is None. Returns the saved task."""

    HELP_TITLE = "Keys while editing"
    # Keys the fields themselves handle (Textual's Input and TextArea), as they work here.
    FIELD_HELP = (
        ("tab / shift+tab", "Next / previous field, from the notes too; nothing is selected"),
        ("enter", "In a one-line field: save. In the notes: a new line"),
        ("→ / end", "The end of the field; in Project, take the path suggested"),
    )

    BINDINGS = [
        # Not a priority binding: a priority key jumps the queue of keys the focused
        # field has yet to handle, so a fast typist's (or a paste's) last letters
        # would be missing from what is saved.
        Binding("ctrl+s", "save", "Save", id="save"),
        # Not a priority binding either: an open Priority dropdown takes Escape first
        # (and closes), rather than the whole editor.
        Binding("escape", "cancel", "Cancel", id="cancel_edit"),
        Binding("enter", "save", "Save (in the title)", show=False, id="save_from_title"),
        # Enter typed before the app has the terminal arrives as a line feed (the
        # terminal was still turning Return into one): it means Enter all the same.
        Binding("ctrl+j", "line_feed", "Save (in the title)", show=False, id="line_feed"),
        Binding("f1", "help", "Keys", tooltip="Every key of the editor", id="editor_help"),
    ]

    def __init__(
        self,
        task: TaskRecord | None,
        *,
        parent: TaskRecord | None = None,
        project: str | None = None,
    ) -> None:
        """``parent``: a new task is made under it (and in its project). ``project``: the
        path a new task goes into unless the Project field is changed (the project the
        list shows, say)."""
        super().__init__()
        self.base = task  # the version the user started from
        self.parent_task = parent if task is None else None  # a new task made under this one
        # The Project field of a new task (not a subtask) starts with this.
        self._new_in = (project or "") if task is None and parent is None else None
        self._saving = False
        self._saving_values: dict[str, Any] = {}
        self._merge_note = ""  # what a merge kept of a change made elsewhere, to say so
        # The saved title the title field was filled with, and how it shows it.
        self._shown_title = ("", "")
        # The saved notes the notes field was filled with, and how it shows them.
        self._shown_notes = ("", "")
        # The projects there are (paths, casefolded), read in a worker: until then the
        # preview cannot say whether +Work names a new one.
        self._known_projects: frozenset[str] | None = None
        # The path the Project field was filled with ("" for the Inbox), once read: what
        # the field holds is a move only when it differs from this.
        self._project_filled: str | None = self._new_in
        self._parent_title: str | None = None  # of the task being edited, once read
        self._saving_project: ProjectTarget | None = None  # None: where it is
        # The rule the Repeat field was filled with, in words: saved untouched, the
        # task keeps its rule as it is (the words are not read again).
        self._shown_repeat = describe(task.repeat) if task is not None and task.repeat else ""

    @property
    def taskflow(self) -> TaskFlowServices:
        return cast(TaskFlowServices, self.app)

    @property
    def _week_start(self) -> int:
        """Monday or Sunday (the config file's), for "next week" and "end of week"."""
        return self.taskflow.settings.week_start

    @property
    def _date_style(self) -> DateStyle:
        return self.taskflow.settings.date_style

    def _due_text(self, due: Due) -> str:
        """A due date as the Due field shows it: 2026-12-08, 2026-12-08 17:00 or, with
        12-hour times, 2026-12-08 5pm (each of which the field reads back as it was)."""
        if due.at is None:
            return due.day.isoformat()
        return f"{due.day.isoformat()} {self._date_style.time(due.at)}"

    @property
    def is_new(self) -> bool:
        return self.base is None

    def _heading(self) -> Text:
        """New task / Edit task, with the parent when it is a subtask ("Edit subtask of
        Launch"), and the title being edited."""
        parent = self.parent_task.title if self.parent_task is not None else self._parent_title
        if parent is not None:
            heading = Text("New subtask of " if self.is_new else "Edit subtask of ", style="bold")
            heading.append_text(literal(single_line(parent), style="bold"))
        else:
            heading = Text("New task" if self.is_new else "Edit task", style="bold")
        if self.base is not None:
            heading.append("  ")
            heading.append_text(literal(single_line(self.base.title), style="dim"))
        return heading

    def compose(self) -> ComposeResult:
        with Vertical(id="editor"):
            yield Static(self._heading(), id="edit-heading")
            yield Label("Title", classes="field-label")
            if self.base is not None:
                self._remember_filled(self.base)
            yield Input(
                value=self._shown_title[1],
                placeholder="What needs doing?  e.g. Pay rent tomorrow 9am !high #home",
                id="title",
                select_on_focus=False,
            )
            yield Static(id="preview")
            yield Static(id="title-error", classes="field-error hidden")
            base = self.base
            with Horizontal(id="planning"):
                with Vertical(classes="planning-field"):
                    yield Label("Due", classes="field-label")
                    yield Input(
                        value=self._due_text(base.due) if base and base.due else "",
                        placeholder="e.g. fri 5pm",
                        id="due",
                        select_on_focus=False,
                    )
                with Vertical(classes="planning-field"):
                    yield Label("Priority", classes="field-label")
                    yield Select(
                        [(priority.label, priority) for priority in Priority],
                        value=base.priority if base else Priority.NONE,
                        allow_blank=False,
                        id="priority",
                    )
                with Vertical(classes="planning-field"):
                    yield Label("Tags", classes="field-label")
                    yield Input(
                        value=" ".join(base.tags) if base else "",
                        placeholder="e.g. home bills",
                        id="tags",
                        select_on_focus=False,
                    )
                with Vertical(classes="planning-field", id="project-field"):
                    yield Label("Project", classes="field-label")
                    # Filled once the paths are read (_places_read). A new subtask is in
                    # its parent's project: shown, not changed here.
                    yield Input(
                        self._new_in or "",
                        placeholder="Inbox",
                        id="project",
                        select_on_focus=False,
                        suggester=ProjectSuggester(self.taskflow.store),
                        disabled=self.parent_task is not None,
                    )
                with Vertical(classes="planning-field", id="repeat-field"):
                    yield Label("Repeat", classes="field-label")
                    yield Input(
                        self._shown_repeat,
                        placeholder="e.g. every mon",
                        id="repeat",
                        select_on_focus=False,
                    )
            yield Static(id="due-error", classes="field-error hidden")
            yield Static(id="tags-error", classes="field-error hidden")
            yield Static(id="project-error", classes="field-error hidden")
            yield Static(id="repeat-error", classes="field-error hidden")
            yield Label("Notes (Markdown, optional)", classes="field-label")
            yield TextArea(
                self._shown_notes[1],
                id="description",
                soft_wrap=True,
                tab_behavior="focus",
            )
            yield Static(id="description-error", classes="field-error hidden")
            yield Static(id="form-error", classes="field-error hidden")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # At once, not after a refresh: keys typed right after `a` or `e` are held for
        # this screen (tui/typeahead.py) and go to whatever has focus when it is ready.
        self.set_focus(self.query_one("#title", Input), scroll_visible=False)
        self._update_preview()
        if self.base is not None:
            self._warn_of_hidden_characters(self.base)
        self._read_places()

    @work(thread=True, exit_on_error=False)
    def _read_places(self) -> None:
        """The project paths there are, the path of the task's project (or its new
        parent's), and the title of the task it is a subtask of."""
        store = self.taskflow.store
        prepare_rules()  # here, off the screen's thread: the preview evaluates rules
        placed = self.parent_task or self.base
        try:
            paths = store.project_paths()
            parent_id = self.base.parent_id if self.base is not None else None
            parents = store.get_many([parent_id]) if parent_id is not None else []
        except StoreError:
            return  # the preview just does not say "new project"; the field stays empty
        filled = paths.get(placed.project_id, "") if placed and placed.project_id else ""
        if self._new_in is not None:
            filled = self._new_in
        known = frozenset(path.casefold() for path in paths.values())
        parent_title = parents[0].title if parents else None
        self.app.call_from_thread(self._places_read, known, filled, parent_title)

    def _places_read(self, known: frozenset[str], filled: str, parent_title: str | None) -> None:
        self._known_projects = known
        self._parent_title = parent_title
        if not self.is_mounted:
            return
        self._project_filled = filled
        field = self.query_one("#project", Input)
        if not field.value:  # not if something was typed in it meanwhile
            field.value = filled
        if parent_title is not None:
            self.query_one("#edit-heading", Static).update(self._heading())
        self._update_preview()

    def _warn_of_hidden_characters(self, task: TaskRecord) -> None:
        """Text from before validation (an old file, imported history) may hold control
        characters. The fields never hold them raw (a terminal would obey them): they
        show symbols, and saving keeps the symbols."""
        if (self._shown_title[0], self._shown_notes[0]) != (task.title, task.description):
            self._show_error(
                "form",
                "This task holds control characters, shown here as symbols (␛); saving "
                "stores the symbols instead.",
            )
        elif self._shown_title[1] != task.title and visible(task.title) != task.title:
            self._show_error(
                "form",
                "The title holds characters shown as codes (<U+202E>): saved as they are, "
                "unless you edit the title, which then keeps the codes as text.",
            )

    @property
    def ready_for_keys(self) -> bool:
        # While a save is on its way, what is typed next is meant for the screen that
        # comes after this one (the list, or the next New task): it waits.
        return not self._saving

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "repeat":
            # What it said of the words before: gone with them (the preview says the rest).
            self.query_one("#repeat-error", Static).add_class("hidden")
        self._update_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._update_preview()

    def _update_preview(self) -> None:
        """What saving would store, read live from the title's words and the fields,
        and whether that due time has already passed."""
        preview = self.query_one("#preview", Static)
        now = local_now(self.taskflow.clock())  # one reading for the words and the check
        try:
            understood = self._understood(now)
        except ValueError as error:
            preview.update(Text(f"  {error}", style="italic"))
            return
        title, due, priority, tags, target = (
            understood.title,
            understood.due,
            understood.priority,
            understood.tags,
            understood.target,
        )
        text = Text("→ ")
        text.append_text(literal(single_line(title) or "(no title yet)", style="bold"))
        if due is not None:
            text.append(f"  · due {due.long(now.date(), style=self._date_style)}", style="")
            if due.is_overdue(now):
                text.append(", already past", style="bold")
            if self._due_field_overruled(due, now):
                text.append(" (from the title, not the Due field)", style="italic")
        if priority is not Priority.NONE:
            text.append("  · ")
            text.append(f"{priority.marks} {priority.label}", style="bold")
        if tags:
            text.append("  · ")
            text.append_text(literal(" ".join(f"#{tag}" for tag in tags)))
        if target is not None:
            self._describe_move(text, target)
        # Two lines, each cut to the width rather than wrapped, so that the second (the
        # rule and its dates) stays on screen however narrow the terminal is.
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.append("\n")
        text.append_text(self._repeat_preview(understood))
        preview.update(text)

    def _repeat_preview(self, understood: Understood) -> Text:
        """The preview's second line: the rule in words and its next three dates, when
        the task repeats (or what stopping means); else how the title's words work."""
        chosen = understood.repeat
        if chosen is not None and chosen.phrase is None:
            return Text("↻ stops repeating: this task stays, no next one follows", style="bold")
        repeat = (
            understood.new_repeat
            if chosen is not None
            else (self.base.repeat if self.base is not None else None)
        )
        if repeat is None or understood.due is None:
            return Text(
                "Words like fri 9am, !high, #tag, every mon fill the fields; "
                '\\word or "words" stay as typed.',
                style="dim",
            )
        text = Text.assemble(
            ("↻ " + describe(repeat, understood.due.at, style=self._date_style), "bold")
        )
        coming = dates_ahead(repeat, understood.due, 3)
        if coming:
            text.append("  · then " + ", ".join(day_words(due, with_time=False) for due in coming))
        else:
            text.append("  · its last one", style="italic")
        field = self.query_one("#repeat", Input).value.strip()
        if chosen is not None and chosen.from_title and field and field != self._shown_repeat:
            text.append(" (from the title)", style="italic")
        return text

    def _describe_move(self, text: Text, target: ProjectTarget) -> None:
        """' · in Work/Q4 (new project)', or ' · to the Inbox', and what else it means."""
        if target.path is None:
            text.append("  · to the Inbox")
        else:
            text.append("  · in ")
            text.append_text(literal(target.path, style="bold"))
            known = self._known_projects
            if known is not None and target.path.casefold() not in known:
                text.append(" (new project)", style="italic")
        field = self.query_one("#project", Input).value.strip()
        if target.from_title and field and not _same_path(field, target.path or ""):
            text.append(" (from the title, not the field)", style="italic")
        if (
            self._parent_title is not None
            and not self.is_new
            and not _same_path(target.path or "", self._project_filled or "")
        ):
            # The store takes a subtask out from under its parent to another project.
            text.append(", no longer a subtask", style="italic")

    def _due_field_overruled(self, due: Due, now: datetime) -> bool:
        """Whether the Due field holds another date than the one the title's words set:
        the title wins, and the field would otherwise look as if it counted."""
        field = self.query_one("#due", Input).value
        if not field.strip():
            return False
        try:
            return parse_due(field, now, week_start=self._week_start) != due
        except ValueError:
            return False  # the field's own error is shown when saving

    @property
    def _today(self) -> date:
        return local_now(self.taskflow.clock()).date()

    def _understood(self, now: datetime | None = None) -> Understood:
        """What saving would store (see Understood); ValueError if the due date, a tag,
        the project path or the repeat cannot be read. Words are read at ``now`` (local
        time; default: the app's clock), which says what "today" and a bare "at 1" mean."""
        if now is None:
            now = local_now(self.taskflow.clock())
        saved_title, as_typed = self._shown_title
        if self.base is not None and self.title_value == as_typed:
            # Untouched: the title it was filled with, exactly (no words read again).
            quick = QuickAdd(title=saved_title)
        else:
            quick = parse_quick_add(self.title_value, now, week_start=self._week_start)
        due_field = self.query_one("#due", Input).value
        repeat = self._repeat_target(quick, now)
        due = quick.due
        if due is None:
            due = parse_due(due_field, now, week_start=self._week_start)
        phrase = repeat.phrase if repeat is not None else None
        if phrase is not None and quick.due is None and not self._due_typed(due_field):
            due = self._due_of_rule(phrase, now)
        # allow_blank=False: the field always holds one of the priorities.
        selected = cast(Priority, self.query_one("#priority", Select).value)
        priority = quick.priority if quick.priority is not None else Priority(selected)
        field_tags = self.query_one("#tags", Input).value.replace(",", " ").split()
        tags = clean_tags([*field_tags, *quick.tags])
        target = self._project_target(quick.project)
        return Understood(quick.title, due, priority, tags, target, repeat)

    def _repeat_target(self, quick: QuickAdd, now: datetime) -> RepeatTarget | None:
        """The repeat saving gives the task: the title's "every ..." words first, else
        the Repeat field if it no longer holds what it was filled with; None to leave
        the task's repeat as it is."""
        if quick.repeat is not None:
            return RepeatTarget(quick.repeat, from_title=True)
        typed = self.query_one("#repeat", Input).value.strip()
        if typed == self._shown_repeat.strip():
            return None  # as filled (a new task: no repeat)
        if not typed:
            return RepeatTarget(None)  # cleared: it stops repeating
        try:
            return RepeatTarget(parse_repeat(typed, now, week_start=self._week_start))
        except ValueError as error:
            raise RepeatTextError(str(error)) from None

    def _due_typed(self, field: str) -> bool:
        """Whether the Due field holds a date the user typed (not what it was filled with)."""
        filled = self._due_text(self.base.due) if self.base is not None and self.base.due else ""
        return field.strip() != filled and bool(field.strip())

    def _due_of_rule(self, phrase: RepeatPhrase, now: datetime) -> Due:
        """The due a new rule gives: its first date for a task without one; else the
        task's own due if the rule has that day, else the rule's first day from today
        (as the store decides it), at the phrase's time of day if it says one."""
        current = self.base.due if self.base is not None else None
        if current is None:
            return phrase.first
        due = start_due(phrase.repeat(current.day), current, now.date(), now=now.time())
        return Due(due.day, phrase.at) if phrase.at is not None else due

    def _project_target(self, from_title: str | None) -> ProjectTarget | None:
        """Where saving puts the task: the title's +Work first, else the Project field
        if it no longer holds what it was filled with; None to leave it where it is."""
        if from_title is not None:
            return ProjectTarget(from_title, from_title=True)
        field = self.query_one("#project", Input)
        typed = field.value.strip()
        if field.disabled:
            return None  # a new subtask: in its parent's project
        if self.is_new and not typed:
            return None  # a new task is made in the Inbox
        if not self.is_new and _same_path(typed, self._project_filled or ""):
            return None  # as filled; or, before the paths are read, left empty
        if not typed:
            return ProjectTarget(None)
        try:
            names = split_project_path(typed)
        except ValueError as error:
            raise ProjectPathError(str(error)) from None
        return ProjectTarget(PATH_SEPARATOR.join(names))

    def action_line_feed(self) -> None:
        """A line feed: a new line in the notes, and in a one-line field, Enter."""
        focused = self.focused
        if isinstance(focused, TextArea):
            focused.insert("\n")
        elif isinstance(focused, Input):
            self.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in any one-line field saves: adding a task is "a", type, Enter.
        event.stop()
        self.action_save()

    # -- values -------------------------------------------------------------------------------

    @property
    def title_value(self) -> str:
        return self.query_one("#title", Input).value

    @property
    def description_value(self) -> str:
        return self.query_one("#description", TextArea).text

    def _title_as_typed(self, task: TaskRecord) -> str:
        """The saved title as the title field shows it: the words quick add would take
        as a date, a tag or a priority carry a backslash (``Buy \\#1 fan mug``), so
        that editing one word never turns the others into a due date or tags."""
        now = local_now(self.taskflow.clock())
        return quick_add_text(visible(task.title), now, week_start=self._week_start)

    def _remember_filled(self, task: TaskRecord) -> None:
        """What the title and notes fields are filled with for ``task``: shown safe
        (never a raw control character) and, for the title, with quick add's words
        protected; and what saving them untouched keeps: the task's own text when the
        store takes it as it is, else what was shown."""
        title, notes = visible(task.title), visible(task.description, keep_lines=True)
        self._shown_title = (_kept(task.title, title, clean_title), self._title_as_typed(task))
        self._shown_notes = (_kept(task.description, notes, clean_description), notes)

    def _set_values(self, task: TaskRecord) -> None:
        self._remember_filled(task)
        self.query_one("#title", Input).value = self._shown_title[1]
        self.query_one("#description", TextArea).text = self._shown_notes[1]
        self.query_one("#due", Input).value = self._due_text(task.due) if task.due else ""
        self.query_one("#priority", Select).value = task.priority
        self.query_one("#tags", Input).value = " ".join(task.tags)
        self._shown_repeat = describe(task.repeat) if task.repeat else ""
        self.query_one("#repeat", Input).value = self._shown_repeat

    def _mine(self) -> dict[str, Any]:
        """The form's values, field by field, as saving would store them (ValueError if
        the due date or a tag cannot be read)."""
        understood = self._understood()
        mine: dict[str, Any] = {
            "title": understood.title,
            "description": self._notes_to_save(),
            "due": understood.due,
            "priority": understood.priority,
            "tags": understood.tags,
        }
        if understood.repeat is not None:
            mine["repeat"] = understood.new_repeat  # only when it changes
        return mine

    def _notes_to_save(self) -> str:
        notes = self.description_value
        return self._shown_notes[0] if notes == self._shown_notes[1] else notes

    @property
    def dirty(self) -> bool:
        if self.base is None:
            fields = (
                self.query_one("#due", Input).value,
                self.query_one("#tags", Input).value,
                self.query_one("#repeat", Input).value,
            )
            project = self.query_one("#project", Input).value
            return bool(
                self.title_value.strip()
                or self.description_value.strip()
                or any(f.strip() for f in fields)
                or self.query_one("#priority", Select).value != Priority.NONE
                or not _same_path(project.strip(), self._project_filled or "")
            )
        try:
            mine = self._mine()
            if self._understood().target is not None:
                return True  # it would move
        except ValueError:
            return True
        # Against what saving the fields untouched would keep.
        base = replace(self.base, title=self._shown_title[0], description=self._shown_notes[0])
        return any(not same_value(name, value, getattr(base, name)) for name, value in mine.items())

    # -- saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        if self.taskflow.store.read_only:
            self._show_error("form", "This database is read-only; the task cannot be saved.")
            return
        self._clear_errors()
        try:
            mine = self._mine()
        except ValueError as error:
            if isinstance(error, ProjectPathError):
                field = "project"
            elif isinstance(error, RepeatTextError):
                field = "repeat"
            else:
                field = "tags" if "tag" in str(error).lower() else "due"
            self._show_error(field, str(error))
            self.set_focus(self.query_one(f"#{field}"), scroll_visible=False)
            return
        self._saving_project = self._understood().target
        self._save(mine)

    def _save(self, mine: dict[str, Any]) -> None:
        self._saving = True
        self._saving_values = mine
        base = self.base
        target = self._saving_project
        parent = self.parent_task

        def save(store: TaskStore) -> _Saved:
            # The task, where it goes and a project that is new: one change, one undo.
            with store.one_change():
                placed = dict(mine)
                made, path = False, None
                if target is not None and target.path is None:
                    placed["project_id"] = None
                elif target is not None and target.path is not None:
                    project, made = store.ensure_project(target.path)
                    placed["project_id"], path = project.id, project.path
                if base is None:
                    if parent is not None:
                        placed["parent_id"] = parent.id
                    return _Saved(store.create(**placed), frozenset(), made, path)
                saved = store.update(base.id, expected_version=base.version, **placed)
            moved: frozenset[str] = frozenset()
            if saved.project_id != base.project_id:
                below = store.subtasks(saved.id, deep=True)
                moved = frozenset({saved.id, *(task.id for task in below)})
            return _Saved(saved, moved, made, path)

        self.taskflow.run_write(save, self._saved, self._failed)

    def _saved(self, saved: _Saved) -> None:
        self._saving = False
        services = self.taskflow
        if saved.moved:
            # Its subtasks went with it: the list reads them again, with their new place
            # (last_event_id is not read by the screens; the app keeps its own).
            changes = ChangeSet(last_event_id=0, task_ids=saved.moved, projects=True)
            services.broadcast(lambda: TasksChanged(changes))
        note = self._place_note(saved) + self._repeat_note(saved.task) + self._merge_note
        services.task_saved(saved.task, created=self.is_new, note=note)
        self.dismiss(saved.task)

    def _repeat_note(self, task: TaskRecord) -> str:
        """' · repeats every Monday' when saving gave the task a rule, ' · repeats no
        more' when it stopped one."""
        if "repeat" not in self._saving_values:
            return ""
        if task.repeat is None:
            return " · repeats no more" if self.base is not None else ""
        return f" · repeats {describe(task.repeat)}"

    def _place_note(self, saved: _Saved) -> str:
        """' under “Launch”' for a new subtask, ' in “Work/Q4” (new project)' or ' in
        the Inbox' for a task saved into another place."""
        if self.parent_task is not None:
            return f" under “{_short(self.parent_task.title)}”"
        target = self._saving_project
        if target is None or (self.base is not None and not saved.moved):
            return ""
        if saved.path is None:
            return " in the Inbox" if self.base is not None else ""
        return f" in “{saved.path}”" + (" (new project)" if saved.new_project else "")

    def _failed(self, error: StoreError) -> None:
        self._saving = False
        self._merge_note = ""  # the next save says what it merged, if anything
        if isinstance(error, ValidationError):
            shown = ("title", "description", "due", "tags", "project", "repeat")
            # A subtask's project is its parent's: said under the Project field.
            field = "project" if error.field == "parent" else error.field
            field = field if field in shown else "form"
            self._show_error(field, str(error))
            widget = self.query_one(f"#{field}") if field in shown else None
            if widget is not None:
                # A new subtask's Project field is fixed: its +Work is in the title.
                focus = self.query_one("#title") if widget.disabled else widget
                self.set_focus(focus, scroll_visible=False)
        elif isinstance(error, ConflictError):
            self._resolve_conflict(error, self._saving_values)
        elif isinstance(error, NotFoundError) and self.base is not None:
            # Deleted in another window or from the command line meanwhile: the edit
            # is not lost; saving again keeps it as a new task (u elsewhere undoes the
            # delete instead).
            self.base = None
            self._show_error(
                "form",
                "This task was deleted elsewhere while you edited it. ctrl+s saves your "
                "version as a new task; Escape drops it.",
            )
        else:
            self._show_error("form", str(error))

    def _show_error(self, field: str, message: str) -> None:
        widget = self.query_one(f"#{field}-error", Static)
        widget.update(Text("⚠ " + message))
        widget.remove_class("hidden")

    def _clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            widget.add_class("hidden")

    def _resolve_conflict(self, error: ConflictError, mine: dict[str, Any]) -> None:
        """Someone changed the task since this editor opened it: keep what only they
        changed, apply what only I changed, and ask only about fields we both changed."""
        theirs, base = error.current, self.base
        if theirs is None or base is None:
            self._show_error("form", str(error))
            return
        merge = merge_edit(base, mine, theirs)
        if not merge.clashes:
            self._save_merged(merge, "mine")
            return

        def chosen(choice: str | None) -> None:
            if choice in ("mine", "theirs"):
                self._save_merged(merge, choice)
            else:  # keep editing; saving again asks again
                self._show_error("form", str(error))

        self.app.push_screen(ConflictScreen(merge, self._today), chosen)

    def _save_merged(self, merge: EditMerge, clashes_to: str) -> None:
        """Save the merge against their version; the form shows what is saved, so that
        a further conflict (a third writer) merges from here."""
        theirs = merge.theirs
        merged = replace(theirs, **merge.changes(clashes_to=clashes_to))
        kept = field_names(merge.theirs_only)
        self._merge_note = f"; the {kept} changed elsewhere kept" if kept else ""
        self.base = theirs
        self._set_values(merged)
        saving = {name: getattr(merged, name) for name in FORM_FIELDS}
        if "repeat" in self._saving_values and merged.repeat != theirs.repeat:
            saving["repeat"] = merged.repeat
        self._save(saving)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    # -- leaving ------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your changes?", yes="Discard", no="Keep editing"), answered
        )

    def confirm_quit(self) -> None:
        """ctrl+q while editing: as Escape, ask before the changes are thrown away."""
        if not self.dirty:
            self.taskflow.quit_when_written()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.taskflow.quit_when_written()

        self.app.push_screen(
            ConfirmScreen(
                "Quit TaskFlow and discard your changes to this task?",
                yes="Discard and quit",
                no="Keep editing",
            ),
            answered,
        )


def _same_path(typed: str, path: str) -> bool:
    """Whether ``typed`` names the project at ``path`` ("work / q4" is "Work/Q4"; ""
    is the Inbox), as the store finds a project: its levels, ignoring case."""
    try:
        names = split_project_path(typed) if typed else ()
    except ValueError:
        return False
    return PATH_SEPARATOR.join(names).casefold() == path.casefold()


def _short(title: str, limit: int = 40) -> str:
    flat = visible(single_line(title))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _kept(original: str, shown: str, clean: Callable[[str], str]) -> str:
    """``original`` if the store takes it as it is (bidi marks are fine, control
    characters are not), else the safe ``shown`` form."""
    try:
        clean(original)
    except ValidationError:
        return shown
    return original
