"""Every setting of the config file: its name, what it accepts, its default and its use.

Pure Python, as the command line needs it (``config show``, the list's defaults) and a
scripted command must not load the app's libraries. What the app alone can check (a
clash between two remapped keys on one screen) is checked where the screens are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

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
    "sync_now": "sync with your CalDAV task lists now",
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
NAMED_KEYS = frozenset(
    {
        "space", "enter", "escape", "tab", "backspace", "delete", "insert", "home", "end",
        "pageup", "pagedown", "up", "down", "left", "right",
    }
    | {f"f{number}" for number in range(1, 25)}
)  # fmt: skip
# Textual's names for some characters, shorter than their Unicode names (its
# KEY_NAME_REPLACEMENTS): "/" is "slash", as a binding spells it.
_CHARACTER_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
# The modifiers a terminal sends. Alt and a letter or digit is left out: it reaches
# TaskFlow as Escape then the key (see tui/app.py, _escape_then_key).
_MODIFIERS = ("ctrl", "shift", "alt")
_KEY_HELP = (
    'use a character ("t", "?"), a name ("space", "enter", "escape", "f2", "pagedown") '
    'or ctrl+ and one of those ("ctrl+t")'
)


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


def a_theme(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in THEMES:
        return value.lower()
    raise BadValue(
        "is not one of TaskFlow's themes (the palette's Theme lists them all: "
        "'textual-dark', 'textual-light', 'nord', 'gruvbox', 'dracula', …)"
    )


def a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise BadValue("must be true or false")


def a_database(value: Any) -> Any:
    text = some_text(value)
    if "$" in text and not text.startswith(("postgresql://", "postgres://")):
        # Written as is, "$HOME/tasks.db" would make a folder called $HOME.
        raise BadValue(
            "names a $VARIABLE, which TaskFlow does not expand: write the path (~ works)"
        )
    return text


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
    """One key ("t"), several in one string ("t,space") or a list (["t", "space"]), each
    written as Textual names the key it will receive ("?" is "question_mark")."""
    if isinstance(value, str):
        keys = [","] if value.strip() == "," else [key.strip() for key in value.split(",")]
    elif isinstance(value, list) and all(isinstance(each, str) for each in value):
        keys = [key.strip() if key.strip() else key for key in value]
    else:
        raise BadValue('must be a key ("t"), or a list of keys (["t", "space"])')
    if not keys or any(not key for key in keys):
        raise BadValue("names an empty key")
    return tuple(dict.fromkeys(key_name(key) for key in keys))


def key_name(written: str) -> str:
    """The key ``written`` names, as Textual spells it: modifiers and named keys in
    lower case ("Ctrl+T" is "ctrl+t", "Enter" is "enter"), a symbol by its name ("?"
    is "question_mark"), shift and a letter as the capital ("shift+t" is "T", which is
    what a terminal sends). BadValue for anything no terminal would send."""
    parts = written.split("+") if len(written) > 1 else [written]
    if len(parts) > 2 and parts[-2:] == ["", ""]:  # "ctrl++": the plus key
        parts = [*parts[:-2], "+"]
    *modifiers, base = parts
    modifiers = [modifier.strip().lower() for modifier in modifiers]
    unknown = [modifier for modifier in modifiers if modifier not in _MODIFIERS]
    if unknown or not base or len(set(modifiers)) != len(modifiers):
        raise BadValue(f"has {written!r}, which is not a key: {_KEY_HELP}")
    base = _base_name(written, base)
    if "shift" in modifiers and len(base) == 1 and base.isalpha():
        modifiers.remove("shift")
        base = base.upper()
    if "ctrl" in modifiers and len(base) == 1 and base.isalpha():
        base = base.lower()  # a terminal sends ctrl and a letter without its case
    if "alt" in modifiers and len(base) == 1 and base.isalnum():
        raise BadValue(
            f"has {written!r}: a terminal sends alt and a letter or digit as Escape then "
            "the key, so TaskFlow never sees it; use ctrl+ or another key"
        )
    ordered = [modifier for modifier in _MODIFIERS if modifier in modifiers]
    return "+".join([*ordered, base])


def _base_name(written: str, base: str) -> str:
    import unicodedata  # here: most keys are letters, and most files remap none

    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            raise BadValue(f"has {written!r}, which is not a key: {_KEY_HELP}")
        if base.isalnum():
            return base
        try:
            name = unicodedata.name(base).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            raise BadValue(f"has {written!r}, which is not a key: {_KEY_HELP}") from None
        return _CHARACTER_NAMES.get(name, name)
    lowered = base.lower()
    if lowered in NAMED_KEYS or lowered in _CHARACTER_NAMES.values():
        return lowered
    # A symbol's name, as Textual spells it ("question_mark"): only for a character that
    # is not a letter or digit (Textual calls "t" "t", never "latin_small_letter_t").
    try:
        character = unicodedata.lookup(lowered.replace("_", " "))
    except KeyError:
        character = ""
    if (
        len(character) == 1
        and not character.isalnum()
        and _base_name(written, character) == lowered
    ):
        return lowered
    raise BadValue(f"has {written!r}, which is not a key: {_KEY_HELP}")


class Setting(NamedTuple):
    """One setting of the file: ``name`` is its dotted path ("list.view")."""

    name: str
    default: Any
    check: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("theme", DEFAULT_THEME, a_theme, "the app's colours (the palette's Theme)"),
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
        a_database,
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
