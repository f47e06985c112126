"""The keys the task list and a task's page share: done, delete, undo, and when they apply.

The bindings are spliced into each screen's own BINDINGS rather than declared on the
base class: Textual lists a base class's bindings first, and the footer shows them in
that order, so each screen keeps its own order of keys.
"""

from __future__ import annotations

from typing import cast

from textual.binding import Binding
from textual.screen import Screen

from store import TaskRecord
from tui.messages import ReportsWorkerErrors
from tui.rebinding import KeysAsRemapped
from tui.screens.confirm import confirm_delete
from tui.services import TaskFlowServices

# Not `toggle`: that name is Textual's own DOMNode.action_toggle(attribute_name).
TOGGLE_DONE = "toggle_done"

TOGGLE_DONE_BINDINGS = (
    Binding(
        "space",
        TOGGLE_DONE,
        "Done",
        key_display="space",
        tooltip="Mark done, or open again",
        id="toggle_done",
    ),
    Binding(
        "x", TOGGLE_DONE, "Done", show=False, tooltip="Mark done, or open again", id="toggle_done"
    ),
)
DELETE_BINDINGS = (
    Binding("d", "delete", "Delete", tooltip="Delete the task (asks first; undoable)", id="delete"),
    Binding(
        "delete",
        "delete",
        "Delete",
        show=False,
        tooltip="Delete the task (asks first; undoable)",
        id="delete",
    ),
)


SKIP_OCCURRENCE = Binding(
    "N",
    "skip_occurrence",
    "Skip to next",
    show=False,
    tooltip="A repeating task: skip to its next date without marking this one done",
    id="skip_occurrence",
)


def undo_binding(tooltip: str = "Undo the last change") -> Binding:
    """u; the list says more, since there undo can be repeated through the log."""
    return Binding("u", "undo", "Undo", tooltip=tooltip, id="undo")


# Refused while the database is read-only (shown greyed out).
SHARED_EDITING_ACTIONS = frozenset({TOGGLE_DONE, "delete", "undo", "skip_occurrence"})


class TaskKeysScreen(KeysAsRemapped, ReportsWorkerErrors, Screen[None]):
    """A screen whose keys act on one task: the one under the cursor, or the one shown."""

    @property
    def taskflow(self) -> TaskFlowServices:
        return cast(TaskFlowServices, self.app)

    def keyed_task(self) -> TaskRecord | None:
        """The task the shared keys act on, if there is one."""
        raise NotImplementedError

    def refused_while_read_only(self, action: str, editing: frozenset[str]) -> bool:
        """Whether ``action`` (one of ``editing``, or a shared one) would write to a
        database that is read-only."""
        return (action in editing or action in SHARED_EDITING_ACTIONS) and (
            self.taskflow.store.read_only
        )

    def toggle_done(self, task: TaskRecord) -> None:
        self.taskflow.toggle_task(task)

    def action_toggle_done(self) -> None:
        task = self.keyed_task()
        if task is not None:
            self.toggle_done(task)

    def action_delete(self) -> None:
        task = self.keyed_task()
        if task is not None:
            confirm_delete(self, task, self.taskflow.delete_task)

    def action_undo(self) -> None:
        self.taskflow.undo()

    def action_skip_occurrence(self) -> None:
        task = self.keyed_task()
        if task is not None:
            self.taskflow.skip_occurrence(task)
