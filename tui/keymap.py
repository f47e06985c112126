"""The config file's [keys] made into Textual's keymap, after a check Textual does not
make: that no remapped key lands on a key another action has where both are live (the
list's keys and the table's, the list's and the sidebar's, a dialog's).

Textual resolves such a clash on each key press, silently, in favour of the focused
widget; a key the user chose that never fires is worse than one line at start. So a
remap that clashes is not applied, and the user is told which two actions met.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from tui.settings import Settings
from tui.settings.catalogue import NAMED_KEYS
from tui.settings.loading import shown_path

BindingClass = type[DOMNode]


@dataclass(frozen=True)
class KeyClash:
    key: str
    remapped: str  # the binding id the config file moved onto ``key``
    other: str  # the binding id that already has it there, or what of Textual's does
    where: str  # "the task list"
    both_remapped: bool  # the file moved ``other`` there too

    def describe(self, settings: Settings) -> str:
        line = settings.line_of_key(self.remapped)
        place = shown_path(settings.path or Path("config.toml"))
        if line:
            place += f", line {line}"
        kept = "both keep their" if self.both_remapped else f"{self.remapped} keeps its"
        return (
            f"{place}: keys.{self.remapped}: {self.key!r} is already taken on {self.where} "
            f"by {self.other}; {kept} default keys"
        )


@cache
def _scopes() -> tuple[tuple[str, tuple[BindingClass, ...]], ...]:
    """Where keys are live together: a screen with the widget that may have the focus."""
    from textual.widgets import Input, OptionList, TextArea

    from tui.screens.confirm import ConfirmScreen
    from tui.screens.conflict import ConflictScreen
    from tui.screens.help import HelpScreen
    from tui.screens.pickers import PickerScreen
    from tui.screens.project_actions import DeleteProjectScreen, ProjectNameScreen
    from tui.screens.task_detail import TaskDetailScreen
    from tui.screens.task_edit import TaskEditScreen
    from tui.screens.task_list import TaskListScreen
    from tui.widgets.project_sidebar import ProjectSidebar
    from tui.widgets.task_table import TaskTable

    return (
        ("the task list", (TaskListScreen, TaskTable)),
        ("the projects sidebar", (TaskListScreen, ProjectSidebar, OptionList)),
        ("a task's page", (TaskDetailScreen,)),
        ("the editor", (TaskEditScreen, Input, TextArea)),
        ("a question", (ConfirmScreen,)),
        ("the edit conflict", (ConflictScreen,)),
        ("the help", (HelpScreen,)),
        ("a picker", (PickerScreen, Input)),
        ("the project name", (ProjectNameScreen, Input)),
        ("the project delete question", (DeleteProjectScreen,)),
    )


def taskflow_bindings(classes: Iterable[BindingClass]) -> list[Binding]:
    """The bindings TaskFlow's own classes declare (not Textual's), bases included."""
    found: list[Binding] = []
    for cls in classes:
        for base in cls.__mro__:
            if base.__module__.startswith("tui."):
                found += [b for b in base.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


def default_key(binding_id: str) -> str:
    """The first key TaskFlow binds ``binding_id`` to ("" if it binds none)."""
    return _default_keys().get(binding_id, "")


@cache
def _default_keys() -> dict[str, str]:
    found: dict[str, str] = {}
    for _, classes in _scopes():
        for binding in taskflow_bindings(classes):
            if binding.id:
                found.setdefault(binding.id, binding.key.split(",")[0])
    return found


def live_keys(binding: Binding, keymap: Mapping[str, str]) -> tuple[str, ...]:
    """The keys ``binding`` answers to under ``keymap`` (already normalized)."""
    keys = keymap.get(binding.id or "") or binding.key
    return tuple(key.strip() for key in keys.split(","))


# Keys Textual itself answers wherever TaskFlow is: a remap onto one never fires.
_TEXTUAL_KEYS = {
    "ctrl+p": "the command palette",
    "ctrl+q": "quit",
    "ctrl+c": "copy",
    "tab": "the next field",
    "shift+tab": "the field before",
}
_TEXT_FIELDS = ("Input", "TextArea")


def textual_keys(classes: Iterable[BindingClass]) -> dict[str, str]:
    """What Textual's own classes in a scope answer to: the app's keys, a field's or a
    list's own keys, and in a text field every character (it is typed)."""
    found = dict(_TEXTUAL_KEYS)
    for cls in classes:
        for base in cls.__mro__:
            if base.__module__.startswith("tui."):
                continue
            for binding in base.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    what = (binding.description or binding.action).replace("_", " ")
                    for key in binding.key.split(","):
                        found.setdefault(key.strip(), f"the {base.__name__}'s {what}")
    return found


def _typed(key: str, classes: Iterable[BindingClass]) -> bool:
    """A key that types a character into a text field of the scope."""
    fields = any(cls.__name__ in _TEXT_FIELDS for cls in classes)
    return fields and "+" not in key and (key == "space" or key not in NAMED_KEYS)


def find_clashes(keymap: Mapping[str, str]) -> list[KeyClash]:
    """Each remapped key that meets another action's key where both are live (or one of
    Textual's own, or typing into a field), unless the two shared it already by default
    (the sidebar's d and the list's d: the focused one has it, by design). One clash a
    pair, in the first place found."""
    clashes: list[KeyClash] = []
    seen: set[frozenset[str]] = set()
    for where, classes in _scopes():
        bindings = taskflow_bindings(classes)
        reserved = textual_keys(classes)
        now, before = _holders(bindings, keymap), _holders(bindings, {})
        for key, ids in now.items():
            others = set(ids)
            if key in reserved:
                others.add(reserved[key])
            if _typed(key, classes):
                others.add("typing in the fields")
            for remapped in sorted(ids & set(keymap)):
                for other in sorted(others - {remapped}):
                    pair = frozenset({remapped, other})
                    known = before.get(key, set()) | ({reserved[key]} if key in reserved else set())
                    if (pair <= known and key in _default_keys_of(remapped)) or pair in seen:
                        continue
                    seen.add(pair)
                    clashes.append(KeyClash(key, remapped, other, where, other in keymap))
    return clashes


def _holders(bindings: list[Binding], keymap: Mapping[str, str]) -> dict[str, set[str]]:
    """Which binding ids answer to each key."""
    holders: dict[str, set[str]] = {}
    for binding in bindings:
        for key in live_keys(binding, keymap):
            holders.setdefault(key, set()).add(binding.id or binding.action)
    return holders


def _default_keys_of(binding_id: str) -> set[str]:
    return {
        key.strip()
        for _, classes in _scopes()
        for binding in taskflow_bindings(classes)
        if binding.id == binding_id
        for key in binding.key.split(",")
    }


def settle_keymap(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """The keymap to give Textual, and a line for each remap left out for a clash."""
    keymap = dict(settings.keymap)
    said: list[str] = []
    while True:
        clashes = find_clashes(keymap)
        if not clashes:
            return keymap, said
        for clash in clashes:
            if clash.remapped in keymap:
                said.append(clash.describe(settings))
            keymap.pop(clash.remapped, None)
            if clash.other in settings.keymap:
                keymap.pop(clash.other, None)
