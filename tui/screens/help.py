"""The keys of the screen the user came from, built from its real bindings."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from tui.rebinding import KeysAsRemapped

KeyRow = tuple[str, str, bool]  # keys ("j / down"), description, enabled
# Whatever the screen returns when dismissed: only its keys are read here.
AnyScreen = Screen[Any]
SECTION_ORDER = ("On this screen", "Moving around")


class HelpScreen(KeysAsRemapped, ModalScreen[None]):
    """Every key TaskFlow binds on the calling screen and its focused widget, grouped."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="close_help"),
    ]

    def __init__(self, for_screen: AnyScreen) -> None:
        super().__init__()
        self._sections = key_sections(for_screen)
        self._title = getattr(for_screen, "HELP_TITLE", "Keys")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(Text(self._title, style="bold"), id="help-title")
            yield Static(self._layout(), id="help-keys")
            yield Static(Text("Escape or ? closes this help."), id="help-footer")
        yield Footer(compact=True, show_command_palette=False)

    def _layout(self) -> Table:
        columns = Table.grid(padding=(0, 4), expand=True)
        panels = []
        # Headings after the first share the second column, one under the other.
        grouped: list[list[tuple[str, list[KeyRow]]]] = [[], []]
        for number, section in enumerate(self._sections.items()):
            grouped[min(number, 1)].append(section)
        for column in grouped:
            if not column:
                continue
            panels.append(Group(*(self._section(heading, rows) for heading, rows in column)))
        for ratio in (3, 2)[: len(panels)]:
            columns.add_column(vertical="top", ratio=ratio)
        columns.add_row(*panels)
        return columns

    @staticmethod
    def _section(heading: str, rows: list[KeyRow]) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description, enabled in rows:
            table.add_row(keys, Text(description, style="" if enabled else "dim"))
        return Group(Text(heading, style="underline"), table, Text(""))

    def action_close(self) -> None:
        self.dismiss(None)


def key_sections(screen: AnyScreen) -> dict[str, list[KeyRow]]:
    """Bindings declared by TaskFlow's own screens and widgets (not Textual's internals),
    one row per action, plus the app-wide keys."""
    app = screen.app
    sections: dict[str, dict[tuple[str, str], list[str]]] = {}
    enabled: dict[tuple[str, str], bool] = {}
    active_bindings = list(screen.active_bindings.values())
    for active in [*active_bindings, *_left_out(screen, active_bindings)]:
        binding, node = active.binding, active.node
        if not binding.description or not _declared_by_taskflow(node, binding.action):
            continue
        if binding.group is not None:
            heading = binding.group.description
        else:
            heading = "Moving around" if node is not screen else "On this screen"
        slot = (binding.action, binding.tooltip or binding.description)
        keys = sections.setdefault(heading, {}).setdefault(slot, [])
        keys.append(binding.key_display or app.get_key_display(binding))
        enabled[slot] = enabled.get(slot, False) or active.enabled
    result = {
        heading: [
            (" / ".join(dict.fromkeys(keys)), slot[1], enabled[slot]) for slot, keys in rows.items()
        ]
        for heading, rows in sorted(sections.items(), key=lambda item: _section_rank(item[0]))
    }
    result.setdefault("On this screen", []).extend(
        [("^p", "Command palette: actions, jump to a task", True), ("^q", "Quit", True)]
    )
    fields = getattr(screen, "FIELD_HELP", ())
    if fields:
        result["In the fields"] = [(keys, description, True) for keys, description in fields]
    mouse = getattr(screen, "MOUSE_HELP", ())
    if mouse:
        result["Mouse"] = [(what, description, True) for what, description in mouse]
    return result


def _left_out(screen: AnyScreen, shown: list[ActiveBinding]) -> list[ActiveBinding]:
    """The screen's own keys that do not apply right now (the footer leaves them out:
    there is no task to edit, no search to clear): listed too, greyed, since this is
    every key of the screen. A key another of its actions has now (``h`` hides or
    shows done tasks) is not listed twice."""
    keys = {active.binding.key for active in shown}
    actions = {active.binding.action for active in shown}
    # As the config file's [keys] remapped them (Textual applies its keymap only to the
    # bindings it looks up for a key press, not to a class's list).
    keymap: dict[str, str] = getattr(screen.app, "keymap", {})
    left_out: list[ActiveBinding] = []
    for declared in type(screen).BINDINGS:
        if not isinstance(declared, Binding):
            continue
        remapped = keymap.get(declared.id or "")
        for binding in (
            [declared.with_key(key, key_display=None) for key in remapped.split(",")]
            if remapped
            else [declared]
        ):
            if binding.key in keys:
                continue
            if binding.action not in actions:
                left_out.append(ActiveBinding(screen, binding, False, binding.tooltip))
            keys.add(binding.key)  # one row a key: h's second meaning is not listed too
    return left_out


def _declared_by_taskflow(node: DOMNode, action: str) -> bool:
    """True when one of TaskFlow's own classes (not Textual's) binds ``action``."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.action == action:
                return True
    return False


def _section_rank(heading: str) -> int:
    return SECTION_ORDER.index(heading) if heading in SECTION_ORDER else len(SECTION_ORDER)
