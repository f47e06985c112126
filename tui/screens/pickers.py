"""Pickers: type a few letters, choose with the arrows and Enter, Escape to leave.

The project picker matches project paths fuzzily (the letters in order, anywhere)
and offers to make the project typed when there is none by that path. The task
picker searches the owner's open tasks as the user types, in a thread worker; the
parent picker is a task picker that also offers "no parent".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from store import (
    PATH_SEPARATOR,
    Sort,
    Status,
    StoreError,
    TaskQuery,
    TaskRecord,
    TaskStore,
    split_project_path,
)
from tui.formatting import BREADCRUMB, literal, single_line
from tui.rebinding import KeysAsRemapped
from tui.services import TaskFlowServices

INBOX = ""  # what the project picker returns for "no project"
NO_PARENT = ""  # what the parent picker returns for "at the top level"
SHOWN_CHOICES = 30
SEARCH_DEBOUNCE_SECONDS = 0.1


def fuzzy_rank(wanted: str, candidate: str) -> tuple[int, int, int] | None:
    """How well ``candidate`` matches the letters typed (lower is better), or None if
    they are not all in it in order. A match as one piece beats scattered letters,
    and one at the start of a level ('q4' in 'Work/Q4') beats one inside a word."""
    wanted, text = wanted.casefold(), candidate.casefold()
    if not wanted:
        return (0, 0, len(text))
    at = text.find(wanted)
    if at >= 0:
        starts_a_level = at == 0 or text[at - 1] in f"{PATH_SEPARATOR} "
        return (0 if starts_a_level else 1, at, len(text))
    position = -1
    for letter in wanted:
        position = text.find(letter, position + 1)
        if position < 0:
            return None
    return (2, position, len(text))


class PickerScreen(KeysAsRemapped, ModalScreen[str | None]):
    """A search box over a list of choices; returns the chosen one's id, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog_cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="picker_next"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="picker_previous"),
    ]
    TITLE_TEXT = ""
    PLACEHOLDER = ""

    def __init__(self, heading: Text) -> None:
        super().__init__()
        self._heading = heading

    @property
    def taskflow(self) -> TaskFlowServices:
        return cast(TaskFlowServices, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self._heading, id="picker-heading")
            yield Input(placeholder=self.PLACEHOLDER, id="picker-search", select_on_focus=False)
            yield OptionList(id="picker-choices")
            yield Static(id="picker-note")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # At once: letters typed right after the key that opened the picker land here.
        self.set_focus(self.query_one("#picker-search", Input), scroll_visible=False)

    @property
    def choices(self) -> OptionList:
        return self.query_one("#picker-choices", OptionList)

    def show_choices(self, options: Sequence[Option], note: str = "") -> None:
        choices = self.choices
        choices.clear_options()
        choices.add_options(options)
        if options:
            choices.highlighted = 0
        shown_note = self.query_one("#picker-note", Static)
        shown_note.update(Text(note, style="dim"))
        shown_note.display = bool(note)  # no blank line under the choices

    def action_cursor(self, step: int) -> None:
        choices = self.choices
        if choices.option_count:
            current = choices.highlighted if choices.highlighted is not None else -step
            choices.highlighted = (current + step) % choices.option_count

    @on(Input.Submitted, "#picker-search")
    def _submitted(self) -> None:
        choices = self.choices
        if choices.highlighted is not None and choices.option_count:
            self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class ProjectsRead(Message):
    paths: list[str]


class ProjectPickerScreen(PickerScreen):
    """Where to move a task: a project by its path, the Inbox, or a new project.

    Returns the path ('Work/Q4'), INBOX for no project, or None when left."""

    PLACEHOLDER = "Type a project…  e.g. work/q4, or a new path"

    def __init__(self, task: TaskRecord, current_path: str | None) -> None:
        heading = Text.assemble(
            "Move “", literal(single_line(task.title)), "” to a project", style="bold"
        )
        super().__init__(heading)
        self._current = current_path
        self._paths: list[str] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.show_choices([], "Reading the projects…")
        self._read_projects()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _read_projects(self) -> None:
        try:
            paths = sorted(self.taskflow.store.project_paths().values(), key=str.casefold)
        except StoreError as error:
            self.app.call_from_thread(self.taskflow.say, f"The projects cannot be read: {error}")
            paths = []
        self.post_message(ProjectsRead(paths))

    def on_projects_read(self, message: ProjectsRead) -> None:
        self._paths = message.paths
        self._refresh_choices()

    @on(Input.Changed, "#picker-search")
    def _typed(self) -> None:
        if self._paths is not None:
            self._refresh_choices()

    def _refresh_choices(self) -> None:
        typed = self.query_one("#picker-search", Input).value.strip()
        paths = self._paths or []
        ranked = sorted(
            (rank, path) for path in paths if (rank := fuzzy_rank(typed, path)) is not None
        )
        options = [
            Option(marked_current(path, path == self._current), id=path)
            for _, path in ranked[:SHOWN_CHOICES]
        ]
        if not typed or fuzzy_rank(typed, "Inbox") is not None:
            inbox = Option(marked_current("Inbox (no project)", self._current is None), id=INBOX)
            options.insert(0 if not typed else len(options), inbox)
        # Last: Enter on "q4" means the Work/Q4 there is, not a new top-level "q4".
        new_path = _new_path(typed, paths)
        if new_path is not None:
            options.append(Option(Text.assemble("New project “", new_path, "”"), id=new_path))
        note = "" if options else f"Nothing matches: {_path_problem(typed)}"
        self.show_choices(options, note)


def _new_path(typed: str, paths: Sequence[str]) -> str | None:
    """The path typed, tidied, if it names a project that does not exist yet."""
    if not typed:
        return None
    try:
        names = split_project_path(typed)
    except ValueError:
        return None
    path = PATH_SEPARATOR.join(names)
    if path.casefold() in {existing.casefold() for existing in paths}:
        return None
    return path


def _path_problem(typed: str) -> str:
    try:
        split_project_path(typed)
    except ValueError as error:
        return str(error)
    return "type a path to make a new project."


def marked_current(label: str | Text, current: bool) -> Text:
    """A choice's label, with "(where it is)" after the one the task (or project) is at."""
    text = Text(label) if isinstance(label, str) else label
    if current:
        text.append("  (where it is)", style="dim")
    return text


@dataclass
class TasksFound(Message):
    typed: str
    tasks: list[TaskRecord]


class TaskPickerScreen(PickerScreen):
    """A task the chosen one waits for (or no longer waits for): searched as typed.

    Returns the chosen task's id, or None when left."""

    PLACEHOLDER = "Search open tasks by title or notes…"

    def __init__(self, task: TaskRecord, heading: Text | None = None) -> None:
        if heading is None:
            heading = Text.assemble(
                "“", literal(single_line(task.title)), "” is blocked by…", style="bold"
            )
        super().__init__(heading)
        self._waiting = task
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.show_choices([], "Searching…")
        self._search("")

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        typed = event.value
        self._timer = self.set_timer(SEARCH_DEBOUNCE_SECONDS, lambda: self._search(typed))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _search(self, typed: str) -> None:
        try:
            found = self.find(self.taskflow.store, typed)
        except StoreError as error:
            self.app.call_from_thread(self.taskflow.say, f"The tasks cannot be read: {error}")
            found = []
        if not get_current_worker().is_cancelled:
            self.post_message(TasksFound(typed, found))

    def find(self, store: TaskStore, typed: str) -> list[TaskRecord]:
        """The tasks matching what is typed (in the worker's thread)."""
        query = TaskQuery(search=typed, status=Status.OPEN, sort=Sort.MANUAL)
        return store.list_tasks(query, limit=SHOWN_CHOICES + 1)

    def on_tasks_found(self, message: TasksFound) -> None:
        # Not overridden below: Textual would call the handler of every class.
        self.show_choices(*self.options_for(message))

    def options_for(self, message: TasksFound) -> tuple[list[Option], str]:
        """The choices for the tasks found, and the note under them."""
        blockers = set(self._waiting.blocked_by)
        options = [
            Option(_task_choice(task, task.id in blockers), id=task.id)
            for task in message.tasks
            if task.id != self._waiting.id
        ][:SHOWN_CHOICES]
        note = "" if options else "No open task matches."
        if blockers:
            note = (note + "  " if note else "") + "Choosing a task marked ✓ unblocks it."
        return options, note


class ParentPickerScreen(TaskPickerScreen):
    """The task the chosen one goes under, or the top level: searched as typed.

    The task's own subtasks are listed, marked, rather than hidden: choosing one
    says why it cannot be (the store refuses a cycle). Returns the chosen task's id,
    NO_PARENT for the top level, or None when left."""

    TOP_LEVEL = "No parent (top level)"

    def __init__(self, task: TaskRecord) -> None:
        heading = Text.assemble("Put “", literal(single_line(task.title)), "” under…", style="bold")
        super().__init__(task, heading)
        # Read with the first search, in the worker: where each task is, and what is
        # under this one. Set before the message that first reads them is posted.
        self._paths: dict[str, str] = {}
        self._below: frozenset[str] | None = None

    def find(self, store: TaskStore, typed: str) -> list[TaskRecord]:
        if self._below is None:
            self._paths = store.project_paths()
            self._below = frozenset(t.id for t in store.subtasks(self._waiting.id, deep=True))
        return super().find(store, typed)

    def options_for(self, message: TasksFound) -> tuple[list[Option], str]:
        task, below = self._waiting, self._below or frozenset()
        options = [
            Option(_parent_choice(found, self._paths, task.parent_id, below), id=found.id)
            for found in message.tasks
            if found.id != task.id
        ][:SHOWN_CHOICES]
        typed = message.typed.strip()
        if not typed or fuzzy_rank(typed, self.TOP_LEVEL) is not None:
            top = Option(marked_current(self.TOP_LEVEL, task.parent_id is None), id=NO_PARENT)
            options.insert(0 if not typed else len(options), top)
        note = "" if options else "No open task matches."
        if options and any(found.project_id != task.project_id for found in message.tasks):
            note = "A task in another project takes this one (and its subtasks) there."
        return options, note


def _task_choice(task: TaskRecord, blocks_it: bool) -> Text:
    text = Text("✓ " if blocks_it else "  ")
    text.append_text(literal(single_line(task.title)))
    return text


def _parent_choice(
    task: TaskRecord, paths: dict[str, str], current: str | None, below: frozenset[str]
) -> Text:
    """A possible parent: its title, its project, and whether it is the parent now
    or one of the task's own subtasks."""
    text = literal(single_line(task.title))
    if task.project_id and task.project_id in paths:
        text.append("  ")
        text.append_text(
            literal(paths[task.project_id].replace(PATH_SEPARATOR, BREADCRUMB), style="dim")
        )
    if task.id == current:
        text.append("  (where it is)", style="dim")
    elif task.id in below:
        text.append("  (one of its subtasks)", style="dim")
    return text
