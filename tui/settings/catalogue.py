"""Every setting of the config file: its name, what it accepts, its default and its use.

Pure Python, as the command line needs it (``config show``, the list's defaults) and a
scripted command must not load the app's libraries. What the app alone can check (a
clash between two remapped keys on one screen) is checked where the screens are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from store import Sort

# Textual 8.2.8's built-in themes (textual.theme.BUILTIN_THEMES): listed here so that a
# command can check a config without importing Textual; a test keeps the two equal.
THEMES = (
    "textual-dark",
    "textual-light",
    "nord",
    "gruvbox",
    "catppuccin-mocha",
    "catppuccin-macchiato",
    "catppuccin-frappe",
    "catppuccin-latte",
    "dracula",
    "tokyo-night",
    "monokai",
    "flexoki",
    "solarized-light",
    "solarized-dark",
    "rose-pine",
    "rose-pine-moon",
    "rose-pine-dawn",
    "atom-one-dark",
    "atom-one-light",
    "ansi-dark",
    "ansi-light",
)
DEFAULT_THEME = "textual-dark"

VIEWS = ("all", "today", "upcoming", "done")
REMEMBER = "remember"  # the list as it was left, kept by TaskFlow in [state]
SORTS = tuple(sort.value for sort in Sort)
# What `taskflow list` shows besides the [ ] mark and the title, in this order.
LIST_COLUMNS = ("id", "priority", "due", "created", "tags")

# Every key binding's id, what [keys] remaps, and what it does (README: "Keys").
# Screens declare their bindings with these ids; a test keeps the two in step.
BINDING_IDS: dict[str, str] = {
    # The task list (and, where they mean the same there, a task's page)
    "add": "add a task",
    "toggle_done": "mark the task done, or open again",
    "edit": "edit the task",
    "open": "open the task's page",
    "delete": "delete the task (asks first; undoable)",
    "undo": "undo the last change",
    "skip_undo": "pass over a change undo cannot revert",
    "skip_occurrence": "skip a repeating task to its next date",
    "search": "search titles and notes",
    "clear_search": "clear the search",
    "help": "show the keys",
    "hide_done": "hide or show done tasks",
    "quit": "quit TaskFlow",
    "projects": "show the projects sidebar, or go to it",
    "new_project": "make a project",
    "sort": "the next sort",
    "sort_back": "the sort before",
    "view_all": "the All view",
    "view_today": "the Today view",
    "view_upcoming": "the Upcoming view",
    "view_done": "the Done view",
    "move_down": "move the task down in your own order",
    "move_up": "move the task up in your own order",
    "move_to_project": "move the task to a project",
    "add_subtask": "add a subtask",
    "indent": "make the task a subtask of the one above",
    "outdent": "make a subtask a task of its own again",
    "blocked_by": "choose the tasks that block it",
    "change_parent": "choose its parent task",
    "fold": "fold or unfold the task's subtasks",
    "fold_all": "fold or unfold every task",
    # Moving in the list
    "cursor_down": "the next task",
    "cursor_up": "the task before",
    "first": "the first task",
    "last": "the last task",
    "page_down": "a page down",
    "page_up": "a page up",
    "fold_or_parent": "fold the subtasks, or go up to the parent",
    "unfold": "unfold the subtasks",
    # The projects sidebar
    "sidebar_down": "the next entry",
    "sidebar_up": "the entry before",
    "sidebar_leave": "give the keys back to the list",
    "rename_project": "rename the project",
    "move_project": "move the project under another",
    "delete_project": "delete the project (asks first)",
    # A task's page
    "back": "back to the list",
    # The editor
    "save": "save the task",
    "cancel_edit": "leave the editor (asks if something changed)",
    "save_from_title": "save, with the cursor in a one-line field",
    "line_feed": "Enter as a terminal may send it (a new line in the notes)",
    "editor_help": "show the editor's keys",
    # Dialogs
    "dialog_yes": "answer yes",
    "dialog_no": "answer no",
    "dialog_cancel": "close the dialog without a change",
    "conflict_mine": "keep my edit over the other window's",
    "conflict_theirs": "take the other window's change",
    "conflict_keep_editing": "go back to the editor",
    "delete_project_move": "move what the project holds up a level",
    "delete_project_all": "delete what the project holds too",
    "picker_next": "the next choice",
    "picker_previous": "the choice before",
    "close_help": "close the help",
}

# Names Textual gives keys that are not one character (its Keys enum, lower case).
_NAMED_KEYS = frozenset(
    {
        "space", "enter", "escape", "tab", "backspace", "delete", "insert", "home", "end",
        "pageup", "pagedown", "up", "down", "left", "right", "minus", "plus",
    }
    | {f"f{number}" for number in range(1, 25)}
)  # fmt: skip
_MODIFIERS = ("ctrl", "shift", "alt", "super", "meta", "hyper")


class BadValue(ValueError):
    """A value a setting does not accept; its text says what would be."""


def one_of(*choices: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value.lower() in choices:
            return value.lower()
        raise BadValue(f"must be one of {', '.join(repr(choice) for choice in choices)}")

    return check


def a_boolean_or_remember(value: Any) -> Any:
    if isinstance(value, bool) or value == REMEMBER:
        return value
    raise BadValue(f"must be true, false or {REMEMBER!r}")


def a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise BadValue("must be true or false")


def some_text(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    raise BadValue("must be a non-empty string")


def list_columns(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        raise BadValue(f"must be a list of column names from {', '.join(LIST_COLUMNS)}")
    unknown = [each for each in value if each not in LIST_COLUMNS]
    if unknown:
        raise BadValue(
            f"has no column {unknown[0]!r} (columns: {', '.join(LIST_COLUMNS)}; "
            "the title is always shown)"
        )
    if len(set(value)) != len(value):
        raise BadValue("names a column twice")
    return tuple(value)


def key_list(value: Any) -> tuple[str, ...]:
    """One key ("t"), several in one string ("t,space") or a list (["t", "space"])."""
    if isinstance(value, str):
        keys = [key.strip() for key in value.split(",")]
    elif isinstance(value, list) and all(isinstance(each, str) for each in value):
        keys = [key.strip() for key in value]
    else:
        raise BadValue('must be a key ("t"), or a list of keys (["t", "space"])')
    if not keys or any(not key for key in keys):
        raise BadValue("names an empty key")
    for key in keys:
        if not is_key_name(key):
            raise BadValue(
                f'has {key!r}, which is not a key: use a character ("t", "?"), a name '
                '("space", "enter", "escape", "f2", "pagedown") or a modifier ("ctrl+t")'
            )
    return tuple(dict.fromkeys(keys))


def is_key_name(key: str) -> bool:
    """A key as Textual names it: a character, a named key, or modifiers and either."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if any(modifier.lower() not in _MODIFIERS for modifier in modifiers) or not base:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    if base.lower() in _NAMED_KEYS:
        return True
    # A character's name, as Textual spells it: "question_mark", "greater_than_sign".
    try:
        unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return base == base.lower()


@dataclass(frozen=True)
class Setting:
    """One setting of the file: ``name`` is its dotted path ("list.view")."""

    name: str
    default: Any
    check: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("theme", DEFAULT_THEME, one_of(*THEMES), "the app's colours (the palette's Theme)"),
    Setting(
        "week_start",
        "monday",
        one_of("monday", "sunday"),
        'the first day of a week: "next week", "end of week" and Upcoming',
    ),
    Setting("time_format", "24h", one_of("24h", "12h"), "times of day: 17:30 or 5:30pm"),
    Setting(
        "dates",
        "relative",
        one_of("relative", "absolute"),
        'due dates in lists: "tomorrow", "in 12d" or "Dec 19"',
    ),
    Setting(
        "database",
        None,
        some_text,
        "the database (a path or postgresql:// URL), below --db and $TASKFLOW_DB_PATH",
    ),
    Setting("user", None, some_text, "whose tasks, below --user and $TASKFLOW_USER"),
    Setting("list.view", "all", one_of(*VIEWS, REMEMBER), "the view the app starts on"),
    Setting("list.sort", "manual", one_of(*SORTS, REMEMBER), "the app's sort of All and Done"),
    Setting(
        "list.hide_done", False, a_boolean_or_remember, "hide done tasks in All when it starts"
    ),
    Setting(
        "cli.list_sort",
        "created",
        one_of(*SORTS),
        "taskflow list's order without --sort (due with --today, --upcoming, --overdue)",
    ),
    Setting(
        "cli.list_columns",
        LIST_COLUMNS,
        list_columns,
        "taskflow list's columns, besides the [ ] mark and the title",
    ),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}
# Written by TaskFlow where [list] says "remember": the list as it was left.
STATE_SETTINGS: tuple[Setting, ...] = (
    Setting("state.view", "all", one_of(*VIEWS), "the view the app was left on"),
    Setting("state.sort", "manual", one_of(*SORTS), "the sort it was left with"),
    Setting("state.hide_done", False, a_boolean, "whether done tasks were hidden"),
)
