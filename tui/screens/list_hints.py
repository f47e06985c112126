"""What the task list says about what it does not show: the hint in place of an empty
list, and the note on a task just saved where the view hides it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from store import Status, TaskCounts, TaskQuery, TaskRecord
from tui.formatting import literal, single_line
from tui.list_state import ListState, ViewKind


def empty_list_hint(
    counts: TaskCounts,
    state: ListState,
    query: TaskQuery,
    *,
    read_only: bool,
    key_of: Callable[[str], str],
) -> Text | None:
    """Why the loaded list ``query`` is empty, and what to press; None: nothing to say.
    ``counts``: those of the project the list is narrowed to, if it is. ``key_of``
    names an action's key as the user has it (the config file's [keys])."""
    if counts.total == 0 and state.place is not None:
        where = "the Inbox" if state.place.is_inbox else f"“{state.place.path}”"
        return Text.assemble(
            (f"Nothing in {where} yet.\n\n", "bold"),
            "Press ",
            (key_of("add"), "bold reverse"),
            " to add a task here, ",
            (key_of("projects"), "bold reverse"),
            " to choose another project.",
        )
    if counts.total == 0:
        if read_only:
            return Text("No tasks here, and this database is read-only.")
        return Text.assemble(
            ("No tasks yet.\n\n", "bold"),
            "Press ",
            (key_of("add"), "bold reverse"),
            " to add your first task, ",
            (key_of("help"), "bold reverse"),
            " to see every key.",
        )
    if query.search or query.tag:
        return Text.assemble(
            "No task matches “",
            literal(single_line(state.search_text)),
            "”.\n\nPress ",
            (key_of("clear_search"), "bold reverse"),
            " to clear the search.",
        )
    if state.kind is ViewKind.TODAY:
        return Text.assemble(
            ("Nothing due today.", "bold"),
            "\n\nAdd a due date with words: ",
            (key_of("add"), "bold reverse"),
            " then “Call mum tomorrow 5pm”.",
        )
    if state.kind is ViewKind.UPCOMING:
        return Text.assemble(
            ("Nothing due in the next seven days.", "bold"),
            "\n\nPress ",
            (key_of("view_all"), "bold reverse"),
            " for all tasks.",
        )
    if state.kind is ViewKind.DONE:
        return Text("Nothing done yet.")
    if query.status is Status.OPEN:
        done = counts.done
        return Text.assemble(
            ("All done!", "bold"),
            f" {done} completed task{'s are' if done != 1 else ' is'} hidden; press ",
            (key_of("hide_done"), "bold reverse"),
            " to show them.",
        )
    return None


def hidden_note(
    state: ListState, query: TaskQuery, task: TaskRecord, key_of: Callable[[str], str]
) -> str:
    """Why a task just saved is not in the list ``query``, or '' if it is shown."""
    if query.matches(task):
        return ""
    place = state.place
    if place is not None and task.project_id not in place.scope:
        where = "the Inbox" if place.is_inbox else f"“{place.path}”"
        return f" — not shown: it is not in {where} ({key_of('projects')} chooses another project)"
    if query.terms or query.tag:
        return f" — not shown: the search hides it ({key_of('clear_search')} clears it)"
    if state.kind is ViewKind.ALL:
        return f" — not shown while done tasks are hidden ({key_of('hide_done')} shows them)"
    return f" — not shown in {state.kind.label} ({key_of('view_all')} shows all)"
