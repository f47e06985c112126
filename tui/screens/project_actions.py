"""Making, renaming, moving and deleting projects from the sidebar: the dialogs that
ask, and the store writes they start. Each write is one undoable change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Static
from textual.widgets.option_list import Option

from store import (
    PATH_SEPARATOR,
    ProjectRecord,
    ProjectRemoval,
    StoreError,
    TaskStore,
    clean_project_name,
    split_project_path,
)
from tui.formatting import BREADCRUMB, literal
from tui.rebinding import KeysAsRemapped
from tui.screens.pickers import SHOWN_CHOICES, PickerScreen, fuzzy_rank, marked_current
from tui.services import TaskFlowServices, services_of

TOP_LEVEL = "(top level)"  # the parent picker's choice of no parent project


def shown_path(path: str) -> Text:
    """'Work/Q4' as the screen writes a place: Work > Q4 (BREADCRUMB's angle)."""
    return literal(path.replace(PATH_SEPARATOR, BREADCRUMB))


class ProjectNameScreen(KeysAsRemapped, ModalScreen[str | None]):
    """One line to type a project's name (or a path, for a new one). Returns it, or
    None when left with Escape. A name ``check`` refuses (ValueError) keeps the dialog
    open, with what was typed and the reason under it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog_cancel")]

    def __init__(
        self,
        heading: Text,
        check: Callable[[str], object],
        value: str = "",
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self._heading = heading
        self._check = check
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._heading, id="question")
            yield Input(
                self._value,
                placeholder=self._placeholder,
                id="project-name",
                select_on_focus=False,
            )
            yield Static(id="project-name-error", classes="field-error hidden")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # At once: letters typed right after the key land here.
        self.set_focus(self.query_one("#project-name", Input), scroll_visible=False)

    @on(Input.Submitted, "#project-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            self.dismiss(None)  # nothing typed: as Escape
            return
        try:
            self._check(typed)
        except ValueError as error:
            shown = self.query_one("#project-name-error", Static)
            shown.update(Text(f"⚠ {error}"))
            shown.remove_class("hidden")
            return
        self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)


MOVE_UP, DELETE_ALL = "move", "delete"


class DeleteProjectScreen(KeysAsRemapped, ModalScreen[str | None]):
    """Deleting a project that holds something: what it holds goes up a level (the
    default), or goes with it. Returns MOVE_UP, DELETE_ALL, or None when left."""

    BINDINGS = [
        Binding("m", "answer('move')", "Move them up", id="delete_project_move"),
        Binding("D", "answer('delete')", "Delete them too", id="delete_project_all"),
        Binding("escape", "answer('')", "Cancel", id="dialog_cancel"),
    ]

    def __init__(self, project: ProjectRecord, projects: Sequence[ProjectRecord]) -> None:
        super().__init__()
        self._project = project
        self._projects = projects

    def compose(self) -> ComposeResult:
        project, projects = self._project, self._projects
        inside = [p for p in projects if p.parent_id == project.id]
        parent = next((p for p in projects if p.id == project.parent_id), None)
        in_them = sum(p.open + p.done for p in inside)
        own = project.open + project.done - in_them
        held = [_count(own, "task")] if own else []
        if inside:
            held.append(f"{_count(len(inside), 'project')} (with {_count(in_them, 'task')})")
        if parent is not None:
            up = Text.assemble("Moving them up puts them in “", shown_path(parent.path), "”.")
        else:
            up = Text("Moving them up puts its tasks in the Inbox, its projects at the top.")
        question = Text.assemble(
            "Delete the project “",
            shown_path(project.path),
            f"”? It holds {' and '.join(held)}.\n",
            up,
            "\n\n",
            (f"You can undo this with {services_of(self).key_of('undo')}.", "dim"),
        )
        with Vertical(id="dialog", classes="wide"):
            yield Static(question, id="question")
            with Horizontal(id="buttons"):
                key_of = services_of(self).key_of
                move, delete = (key_of(f"delete_project_{x}", short=True) for x in ("move", "all"))
                yield Button(f"Move them up ({move})", variant="primary", id="move")
                yield Button(f"Delete them too ({delete})", variant="error", id="delete")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#move", Button), scroll_visible=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' if number != 1 else ''}"


class ParentProjectPickerScreen(PickerScreen):
    """Where a project goes: under another project, or at the top. Returns the new
    parent's id, TOP_LEVEL, or None when left. The project itself and those under it
    are not offered."""

    PLACEHOLDER = "Type a project…  e.g. work/q4"

    def __init__(self, project: ProjectRecord, projects: Sequence[ProjectRecord]) -> None:
        heading = Text.assemble("Move “", shown_path(project.path), "” under…", style="bold")
        super().__init__(heading)
        inside = project.path + PATH_SEPARATOR
        self._project = project
        self._targets = [
            p for p in projects if p.id != project.id and not p.path.startswith(inside)
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self._refresh_choices()

    @on(Input.Changed, "#picker-search")
    def _typed(self) -> None:
        self._refresh_choices()

    def _refresh_choices(self) -> None:
        typed = self.query_one("#picker-search", Input).value.strip()
        ranked = sorted(
            (rank, p.path, p.id)
            for p in self._targets
            if (rank := fuzzy_rank(typed, p.path)) is not None
        )
        options = [
            Option(
                marked_current(shown_path(path), project_id == self._project.parent_id), project_id
            )
            for _, path, project_id in ranked[:SHOWN_CHOICES]
        ]
        if fuzzy_rank(typed, "top level") is not None:
            top = Option(
                marked_current(Text(TOP_LEVEL), self._project.parent_id is None), TOP_LEVEL
            )
            options.insert(0, top)
        self.show_choices(options, "" if options else "No project matches.")


# -- the writes ---------------------------------------------------------------------------


def new_project(
    screen: Screen[Any], under: ProjectRecord | None, done: Callable[[ProjectRecord], None]
) -> None:
    """Ask for a name and make the project, under ``under`` or at the top."""
    app = services_of(screen)
    where = Text.assemble(" under “", shown_path(under.path), "”") if under else Text(" at the top")
    heading = Text.assemble(("New project", "bold"), where)

    def named(name: str | None) -> None:
        if name is None:
            return
        path = f"{under.path}{PATH_SEPARATOR}{name}" if under else name

        def made(project: ProjectRecord) -> None:
            app.say(f"Project “{project.path}” made · {app.key_of('undo')} undoes")
            done(project)

        app.run_write(lambda store: store.create_project(path), made, _said(app))

    def check(name: str) -> None:
        split_project_path(f"{under.path}{PATH_SEPARATOR}{name}" if under else name)

    screen.app.push_screen(
        ProjectNameScreen(heading, check, placeholder="A name, e.g. Launch (Enter makes it)"),
        named,
    )


def rename_project(
    screen: Screen[Any], project: ProjectRecord, done: Callable[[ProjectRecord], None]
) -> None:
    app = services_of(screen)
    heading = Text.assemble(("Rename “", "bold"), shown_path(project.path), ("”", "bold"))

    def named(name: str | None) -> None:
        if name is None or name == project.name:
            return

        def renamed(changed: ProjectRecord) -> None:
            app.say(
                f"Project “{project.path}” is now “{changed.path}” · {app.key_of('undo')} undoes"
            )
            done(changed)

        app.run_write(lambda store: store.rename_project(project.id, name), renamed, _said(app))

    screen.app.push_screen(ProjectNameScreen(heading, clean_project_name, project.name), named)


def move_project(
    screen: Screen[Any],
    project: ProjectRecord,
    projects: Sequence[ProjectRecord],
    done: Callable[[ProjectRecord], None],
) -> None:
    app = services_of(screen)

    def chosen(parent_id: str | None) -> None:
        if parent_id is None:
            return
        new_parent = None if parent_id == TOP_LEVEL else parent_id
        if new_parent == project.parent_id:
            return

        def moved(changed: ProjectRecord) -> None:
            app.say(
                f"Project “{project.path}” is now “{changed.path}” · {app.key_of('undo')} undoes"
            )
            done(changed)

        app.run_write(lambda store: store.move_project(project.id, new_parent), moved, _said(app))

    screen.app.push_screen(ParentProjectPickerScreen(project, projects), chosen)


def delete_project(
    screen: Screen[Any],
    project: ProjectRecord,
    projects: Sequence[ProjectRecord],
    done: Callable[[ProjectRemoval], None],
) -> None:
    """Delete the project; one that holds tasks or projects asks what becomes of them."""
    app = services_of(screen)
    parent = next((p for p in projects if p.id == project.parent_id), None)
    holds_projects = any(p.parent_id == project.id for p in projects)

    def delete(with_tasks: bool) -> None:
        def deleted(removal: ProjectRemoval) -> None:
            app.say(_removal_note(removal, parent) + f" · {app.key_of('undo')} undoes")
            done(removal)

        def job(store: TaskStore) -> ProjectRemoval:
            return store.delete_project(project.id, with_tasks=with_tasks)

        app.run_write(job, deleted, _said(app))

    if project.open + project.done == 0 and not holds_projects:
        delete(False)  # nothing in it to ask about; undo brings it back
        return

    def answered(answer: str | None) -> None:
        if answer is not None:
            delete(answer == DELETE_ALL)

    screen.app.push_screen(DeleteProjectScreen(project, projects), answered)


def _removal_note(removal: ProjectRemoval, parent: ProjectRecord | None) -> str:
    what = f"Project “{removal.project.path}” deleted"
    tasks, projects = _count(removal.tasks, "task"), _count(removal.projects, "project")
    if not removal.moved:
        held = [part for n, part in ((removal.tasks, tasks), (removal.projects, projects)) if n]
        return f"{what} with its {' and '.join(held)}" if held else what
    moved = []
    if removal.tasks:
        moved.append(f"its {tasks} moved to {f'“{parent.path}”' if parent else 'the Inbox'}")
    if removal.projects:
        where = f"under “{parent.path}”" if parent else "to the top level"
        moved.append(f"its {projects} moved {where}")
    return f"{what}; {' and '.join(moved)}" if moved else what


def _said(app: TaskFlowServices) -> Callable[[StoreError], None]:
    return lambda error: app.say(str(error))
