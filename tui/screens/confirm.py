"""A yes/no question in a modal: y confirms, n or Escape declines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Static

from store import StoreError, TaskRecord
from tui.formatting import literal, single_line
from tui.rebinding import KeysAsRemapped
from tui.services import TaskFlowServices, services_of


class ConfirmScreen(KeysAsRemapped, ModalScreen[bool]):
    """Asks before something destructive. Returns True only on an explicit yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog_yes"),
        Binding("n", "answer(False)", "No", id="dialog_no"),
        Binding("escape", "answer(False)", "Cancel", id="dialog_cancel"),
    ]

    def __init__(self, question: Text | str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        # A plain str is shown literally too: questions often quote user text.
        self._question = question if isinstance(question, Text) else Text(question)
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._question, id="question")
            with Horizontal(id="buttons"):
                key_of = services_of(self).key_of
                yield Button(
                    f"{self._yes} ({key_of('dialog_yes', short=True)})", variant="error", id="yes"
                )
                yield Button(
                    f"{self._no} ({key_of('dialog_no', short=True)})", variant="primary", id="no"
                )
        # A dialog's own keys, over the footer of the screen beneath.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # The safe answer is the default; focused at once, for an Enter typed ahead.
        self.set_focus(self.query_one("#no", Button), scroll_visible=False)

    def ask(self, question: Text) -> None:
        """Say more than the question first asked (what a worker found out since)."""
        self._question = question  # what compose shows, if it has not run yet
        for shown in self.query("#question").results(Static):
            shown.update(question)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def confirm_delete(
    screen: Screen[Any], task: TaskRecord, delete: Callable[[TaskRecord], None]
) -> None:
    """Ask, then delete: shared by the list and the detail screen. The question says
    how many subtasks go with the task, once a worker has counted them."""

    def question(subtasks: int) -> Text:
        more = f" and its {subtasks} subtask{'s' if subtasks != 1 else ''}" if subtasks else ""
        return Text.assemble(
            "Delete “",
            literal(single_line(task.title)),
            f"”{more}?\n\n",
            (f"You can undo this with {services_of(screen).key_of('undo')}.", "dim"),
        )

    def answered(yes: bool | None) -> None:
        if yes:
            delete(task)

    dialog = ConfirmScreen(question(0), yes="Delete", no="Keep")
    screen.app.push_screen(dialog, answered)
    store = cast(TaskFlowServices, screen.app).store

    def count_subtasks() -> None:
        try:
            below = len(store.subtasks(task.id, deep=True))
        except StoreError:
            return  # the delete itself reports what is wrong
        if below:
            screen.app.call_from_thread(dialog.ask, question(below))

    screen.run_worker(count_subtasks, thread=True, exit_on_error=False)
