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

from store import PATH_SEPARATOR, ProjectRecord, ProjectRemoval, StoreError, TaskStore
from tui.formatting import BREADCRUMB, literal
from tui.screens.pickers import SHOWN_CHOICES, PickerScreen, fuzzy_rank
from tui.services import TaskFlowServices

TOP_LEVEL = "(top level)"  # the parent picker's choice of no parent project


def shown_path(path: str) -> Text:
    """'Work/Q4' as the screen writes a place: Work > Q4 (BREADCRUMB's angle)."""
    return literal(path.replace(PATH_SEPARATOR, BREADCRUMB))


class ProjectNameScreen(ModalScreen[str | None]):
    """One line to type a project's name (or a path, for a new one). Returns it, or
    None when left with Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: Text, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._heading = heading
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
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # At once: letters typed right after the key land here.
        self.set_focus(self.query_one("#project-name", Input), scroll_visible=False)

    @on(Input.Submitted, "#project-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


MOVE_UP, DELETE_ALL = "move", "delete"


class DeleteProjectScreen(ModalScreen[str | None]):
    """Deleting a project that holds something: its tasks go up a level (the default),
    or go with it. Returns MOVE_UP, DELETE_ALL, or None when left."""

    BINDINGS = [
        Binding("m", "answer('move')", "Move them up"),
        Binding("D", "answer('delete')", "Delete them too"),
        Binding("escape", "answer('')", "Cancel"),
    ]

    def __init__(self, project: ProjectRecord, up_to: str) -> None:
        super().__init__()
        self._project = project
        self._up_to = up_to

    def compose(self) -> ComposeResult:
        project = self._project
        tasks = project.open + project.done
        held = f"{tasks} task{'s' if tasks != 1 else ''}"
        question = Text.assemble(
            "Delete the project “",
            shown_path(project.path),
            f"”? It holds {held}, with those in the projects under it.\n\n",
            ("You can undo this with u.", "dim"),
        )
        with Vertical(id="dialog", classes="wide"):
            yield Static(question, id="question")
            with Horizontal(id="buttons"):
                yield Button(f"Move them to {self._up_to} (m)", variant="primary", id="move")
                yield Button("Delete them too (D)", variant="error", id="delete")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#move", Button), scroll_visible=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)


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
            Option(_marked(shown_path(path), project_id == self._project.parent_id), project_id)
            for _, path, project_id in ranked[:SHOWN_CHOICES]
        ]
        if fuzzy_rank(typed, "top level") is not None:
            top = Option(_marked(Text(TOP_LEVEL), self._project.parent_id is None), TOP_LEVEL)
            options.insert(0, top)
        self.show_choices(options, "" if options else "No project matches.")


def _marked(label: Text, current: bool) -> Text:
    if current:
        label.append("  (where it is)", style="dim")
    return label


# -- the writes ---------------------------------------------------------------------------


def new_project(
    screen: Screen[Any], under: ProjectRecord | None, done: Callable[[ProjectRecord], None]
) -> None:
    """Ask for a name and make the project, under ``under`` or at the top."""
    app: TaskFlowServices = screen.app  # type: ignore[assignment]
    where = Text.assemble(" under “", shown_path(under.path), "”") if under else Text(" at the top")
    heading = Text.assemble(("New project", "bold"), where)

    def named(name: str | None) -> None:
        if name is None:
            return
        path = f"{under.path}{PATH_SEPARATOR}{name}" if under else name

        def made(project: ProjectRecord) -> None:
            app.say(f"Project “{project.path}” made · u undoes")
            done(project)

        app.run_write(lambda store: store.create_project(path), made, _said(app))

    screen.app.push_screen(
        ProjectNameScreen(heading, placeholder="A name, e.g. Launch (Enter makes it)"), named
    )


def rename_project(
    screen: Screen[Any], project: ProjectRecord, done: Callable[[ProjectRecord], None]
) -> None:
    app: TaskFlowServices = screen.app  # type: ignore[assignment]
    heading = Text.assemble(("Rename “", "bold"), shown_path(project.path), ("”", "bold"))

    def named(name: str | None) -> None:
        if name is None or name == project.name:
            return

        def renamed(changed: ProjectRecord) -> None:
            app.say(f"Project “{project.path}” is now “{changed.path}” · u undoes")
            done(changed)

        app.run_write(lambda store: store.rename_project(project.id, name), renamed, _said(app))

    screen.app.push_screen(ProjectNameScreen(heading, value=project.name), named)


def move_project(
    screen: Screen[Any],
    project: ProjectRecord,
    projects: Sequence[ProjectRecord],
    done: Callable[[ProjectRecord], None],
) -> None:
    app: TaskFlowServices = screen.app  # type: ignore[assignment]

    def chosen(parent_id: str | None) -> None:
        if parent_id is None:
            return
        new_parent = None if parent_id == TOP_LEVEL else parent_id
        if new_parent == project.parent_id:
            return

        def moved(changed: ProjectRecord) -> None:
            app.say(f"Project “{project.path}” is now “{changed.path}” · u undoes")
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
    app: TaskFlowServices = screen.app  # type: ignore[assignment]
    parent = next((p for p in projects if p.id == project.parent_id), None)
    up_to = f"“{parent.path}”" if parent is not None else "the Inbox"
    holds_projects = any(p.parent_id == project.id for p in projects)

    def delete(with_tasks: bool) -> None:
        def deleted(removal: ProjectRemoval) -> None:
            app.say(_removal_note(removal, up_to) + " · u undoes")
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

    screen.app.push_screen(DeleteProjectScreen(project, up_to), answered)


def _removal_note(removal: ProjectRemoval, up_to: str) -> str:
    what = f"Project “{removal.project.path}” deleted"
    tasks = f"{removal.tasks} task{'s' if removal.tasks != 1 else ''}"
    if removal.moved and (removal.tasks or removal.projects):
        return f"{what}; its {tasks} moved to {up_to}"
    if removal.tasks:
        return f"{what} with its {tasks}"
    return what


def _said(app: TaskFlowServices) -> Callable[[StoreError], None]:
    return lambda error: app.say(str(error))
