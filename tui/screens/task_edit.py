"""Add or edit a task: title and Markdown notes, saved with ctrl+s, never overwriting blindly."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from store import (
    ConflictError,
    Due,
    Priority,
    StoreError,
    TaskRecord,
    ValidationError,
    clean_tags,
    local_now,
    parse_due,
    parse_quick_add,
)
from tui.formatting import literal, single_line

if TYPE_CHECKING:
    from tui.app import TaskFlowApp


class TaskEditScreen(Screen[TaskRecord | None]):
    """Edits ``task``, or creates a new task when it is None. Returns the saved task."""

    HELP_TITLE = "Keys while editing"

    BINDINGS = [
        # Not a priority binding: a priority key jumps the queue of keys the focused
        # field has yet to handle, so a fast typist's (or a paste's) last letters
        # would be missing from what is saved.
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("enter", "save", "Save (in the title)", show=False),
    ]

    def __init__(self, task: TaskRecord | None) -> None:
        super().__init__()
        self.base = task  # the version the user started from
        self._saving = False

    @property
    def taskflow(self) -> TaskFlowApp:
        return cast("TaskFlowApp", self.app)

    @property
    def is_new(self) -> bool:
        return self.base is None

    def compose(self) -> ComposeResult:
        heading = Text("New task" if self.is_new else "Edit task", style="bold")
        if self.base is not None:
            heading.append("  ")
            heading.append_text(literal(single_line(self.base.title), style="dim"))
        with Vertical(id="editor"):
            yield Static(heading, id="edit-heading")
            yield Label("Title", classes="field-label")
            yield Input(
                value=self.base.title if self.base else "",
                placeholder="What needs doing?  e.g. Pay rent tomorrow 9am !high #home",
                id="title",
            )
            yield Static(id="preview")
            yield Static(id="title-error", classes="field-error hidden")
            base = self.base
            with Horizontal(id="planning"):
                with Vertical(classes="planning-field"):
                    yield Label("Due", classes="field-label")
                    yield Input(
                        value=base.due.key if base and base.due else "",
                        placeholder="e.g. fri 5pm",
                        id="due",
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
                    )
            yield Static(id="due-error", classes="field-error hidden")
            yield Static(id="tags-error", classes="field-error hidden")
            yield Label("Notes (Markdown, optional)", classes="field-label")
            yield TextArea(
                self.base.description if self.base else "",
                id="description",
                soft_wrap=True,
                tab_behavior="focus",
            )
            yield Static(id="description-error", classes="field-error hidden")
            yield Static(id="form-error", classes="field-error hidden")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._update_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._update_preview()

    def _update_preview(self) -> None:
        """What saving would store, read live from the title's words and the fields."""
        preview = self.query_one("#preview", Static)
        try:
            understood = self._understood()
        except ValueError as error:
            preview.update(Text(f"  {error}", style="dim italic"))
            return
        title, due, priority, tags = understood
        text = Text("→ ", style="dim")
        text.append_text(literal(single_line(title) or "(no title yet)", style="bold"))
        if due is not None:
            text.append(f"  · due {due.long(self._today)}", style="")
        if priority is not Priority.NONE:
            text.append("  · ")
            text.append(f"{priority.marks} {priority.label}", style="bold")
        if tags:
            text.append("  · ")
            text.append_text(literal(" ".join(f"#{tag}" for tag in tags)))
        text.append("\n")
        text.append(
            'Words like tomorrow 9am, !high or #tag fill the fields; \\word or "words" stay '
            "in the title.",
            style="dim",
        )
        preview.update(text)

    @property
    def _today(self) -> date:
        return local_now(self.taskflow.clock()).date()

    def _understood(self) -> tuple[str, Due | None, Priority, tuple[str, ...]]:
        """(title, due, priority, tags) as they would be saved; ValueError if the due
        date or a tag cannot be read."""
        quick = parse_quick_add(self.title_value, self._today)
        due = quick.due
        if due is None:
            due = parse_due(self.query_one("#due", Input).value, self._today)
        selected = self.query_one("#priority", Select).value
        priority = quick.priority if quick.priority is not None else Priority(selected)
        field_tags = self.query_one("#tags", Input).value.replace(",", " ").split()
        tags = clean_tags([*field_tags, *quick.tags])
        return quick.title, due, priority, tags

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

    def _set_values(self, task: TaskRecord) -> None:
        self.query_one("#title", Input).value = task.title
        self.query_one("#description", TextArea).text = task.description
        self.query_one("#due", Input).value = task.due.key if task.due else ""
        self.query_one("#priority", Select).value = task.priority
        self.query_one("#tags", Input).value = " ".join(task.tags)

    @property
    def dirty(self) -> bool:
        fields = (
            self.query_one("#due", Input).value,
            self.query_one("#tags", Input).value,
        )
        if self.base is None:
            return bool(
                self.title_value.strip()
                or self.description_value.strip()
                or any(f.strip() for f in fields)
                or self.query_one("#priority", Select).value != Priority.NONE
            )
        try:
            title, due, priority, tags = self._understood()
        except ValueError:
            return True
        base = self.base
        return (
            title.strip() != base.title
            or self.description_value.rstrip() != base.description
            or (due, priority) != (base.due, base.priority)
            or {t.casefold() for t in tags} != {t.casefold() for t in base.tags}
        )

    # -- saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        if self.taskflow.store.read_only:
            self._show_error("form", "This database is read-only; the task cannot be saved.")
            return
        self._clear_errors()
        try:
            title, due, priority, tags = self._understood()
        except ValueError as error:
            field = "tags" if "tag" in str(error).lower() else "due"
            self._show_error(field, str(error))
            self.query_one(f"#{field}").focus()
            return
        self._saving = True
        description = self.description_value
        base = self.base
        if base is None:
            self.taskflow.run_write(
                lambda store: store.create(
                    title, description, due=due, priority=priority, tags=tags
                ),
                self._saved,
                self._failed,
            )
        else:
            self.taskflow.run_write(
                lambda store: store.update(
                    base.id,
                    expected_version=base.version,
                    title=title,
                    description=description,
                    due=due,
                    priority=priority,
                    tags=tags,
                ),
                self._saved,
                self._failed,
            )

    def _saved(self, task: TaskRecord) -> None:
        self._saving = False
        self.taskflow.task_saved(task, created=self.is_new)
        self.dismiss(task)

    def _failed(self, error: StoreError) -> None:
        self._saving = False
        if isinstance(error, ValidationError):
            shown = ("title", "description", "due", "tags")
            field = error.field if error.field in shown else "form"
            self._show_error(field, str(error))
            if field in shown:
                self.query_one(f"#{field}").focus()
        elif isinstance(error, ConflictError):
            self._resolve_conflict(error)
        else:
            self._show_error("form", str(error))

    def _show_error(self, field: str, message: str) -> None:
        widget = self.query_one(f"#{field}-error", Static)
        widget.update(Text("⚠ " + message))
        widget.remove_class("hidden")

    def _clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            widget.add_class("hidden")

    def _resolve_conflict(self, error: ConflictError) -> None:
        theirs = error.current
        if theirs is None:
            self._show_error("form", str(error))
            return

        def chosen(choice: str | None) -> None:
            if choice == "reload":
                self.base = theirs
                self._set_values(theirs)
                self.taskflow.say("Loaded the other version; your changes were dropped.")
            elif choice == "overwrite":
                self.base = theirs
                self.action_save()
            else:  # keep editing; saving again asks again
                self._show_error("form", str(error))

        mine = (self.title_value, self.description_value)
        self.app.push_screen(ConflictScreen(theirs, mine, error.changed_fields), chosen)

    # -- leaving ------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from tui.screens.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your changes?", yes="Discard", no="Keep editing"), answered
        )


class ConflictScreen(ModalScreen[str | None]):
    """The task changed elsewhere while it was being edited: reload theirs or overwrite?"""

    BINDINGS = [
        Binding("r", "choose('reload')", "Reload theirs"),
        Binding("o", "choose('overwrite')", "Overwrite with mine"),
        Binding("escape", "choose('')", "Keep editing"),
    ]

    def __init__(
        self, theirs: TaskRecord, mine: tuple[str, str], changed_fields: tuple[str, ...]
    ) -> None:
        super().__init__()
        self.theirs = theirs
        self.mine = mine
        self.changed_fields = changed_fields

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Static(
                Text("This task was changed elsewhere while you edited it.", style="bold"),
                id="question",
            )
            yield Static(self._differences(), id="differences")
            with Horizontal(id="buttons"):
                yield Button("Reload theirs (r)", id="reload")
                yield Button("Overwrite with mine (o)", variant="warning", id="overwrite")
                yield Button("Keep editing (esc)", variant="primary", id="keep")

    def _differences(self) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        table.add_column("", style="dim", no_wrap=True)
        table.add_column("Theirs (saved)")
        table.add_column("Yours (not saved)")
        title, description = self.mine
        rows = {
            "title": (self.theirs.title, title),
            "description": (self.theirs.description, description),
        }
        for name, (theirs, yours) in rows.items():
            table.add_row(name, _preview(theirs), _preview(yours))
        if "completed" in self.changed_fields:
            state = "done" if self.theirs.completed else "open"
            table.add_row("status", Text(f"now {state}"), Text("(kept)"))
        return table

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "keep" else event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)


def _preview(text: str, limit: int = 120) -> Text:
    flat = single_line(text)
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    preview = literal(flat)
    preview.no_wrap = False
    return preview if flat else Text("(empty)", style="dim")
