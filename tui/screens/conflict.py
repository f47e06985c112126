"""The task changed elsewhere while it was edited, and both sides changed some field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from store import Due, EditMerge, Priority, Repeat
from tui.formatting import literal, single_line
from tui.rebinding import KeysAsRemapped
from tui.services import services_of

FIELD_LABELS = {
    "title": "title",
    "description": "notes",
    "due": "due date",
    "priority": "priority",
    "tags": "tags",
    "repeat": "repeat",
    "completed": "done state",
}


def field_names(names: Iterable[str]) -> str:
    """'due date and priority', 'title, notes and tags'."""
    words = [FIELD_LABELS.get(name, name) for name in names]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


class ConflictScreen(KeysAsRemapped, ModalScreen[str | None]):
    """Shows only the fields both sides changed, side by side; returns "mine", "theirs"
    (for those fields: everything else is merged as it is) or None to keep editing."""

    BINDINGS = [
        Binding(
            "m",
            "choose('mine')",
            "Use mine",
            tooltip="Save my values for these fields",
            id="conflict_mine",
        ),
        Binding(
            "t",
            "choose('theirs')",
            "Use theirs",
            tooltip="Keep their values for these",
            id="conflict_theirs",
        ),
        Binding(
            "escape",
            "choose('')",
            "Keep editing",
            tooltip="Back to the editor",
            id="conflict_keep_editing",
        ),
    ]

    def __init__(self, merge: EditMerge, today: date) -> None:
        super().__init__()
        self.merge = merge
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            both = field_names(clash.name for clash in self.merge.clashes)
            yield Static(
                Text(
                    f"This task was changed elsewhere while you edited it, and you both "
                    f"changed its {both}.",
                    style="bold",
                ),
                id="question",
            )
            yield Static(self._clashes(), id="differences")
            yield Static(self._merged_note(), id="merged-note")
            with Horizontal(id="buttons"):
                key_of = services_of(self).key_of
                yield Button(f"Use theirs ({key_of('conflict_theirs', short=True)})", id="theirs")
                yield Button(
                    f"Use mine ({key_of('conflict_mine', short=True)})",
                    variant="warning",
                    id="mine",
                )
                yield Button(
                    f"Keep editing ({key_of('conflict_keep_editing', short=True)})",
                    variant="primary",
                    id="keep",
                )
        yield Footer(compact=True, show_command_palette=False)

    def _clashes(self) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        table.add_column("", style="dim", no_wrap=True)
        table.add_column("Theirs (saved)")
        table.add_column("Yours (not saved)")
        for clash in self.merge.clashes:
            table.add_row(
                FIELD_LABELS.get(clash.name, clash.name),
                self._shown(clash.name, clash.theirs),
                self._shown(clash.name, clash.mine),
            )
        return table

    def _merged_note(self) -> Text:
        """What is merged without asking, so that nothing changes unseen."""
        parts = []
        if self.merge.theirs_only:
            parts.append(f"Kept from theirs: {field_names(self.merge.theirs_only)}.")
        if self.merge.mine_only:
            parts.append(f"Saved from yours: {field_names(self.merge.mine_only)}.")
        return Text("  ".join(parts), style="dim")

    def _shown(self, name: str, value: Any) -> Text:
        if name == "due":
            return (
                Text(value.long(self.today, style=services_of(self).settings.date_style))
                if isinstance(value, Due)
                else _none()
            )
        if name == "priority":
            priority = Priority(value)
            return Text(f"{priority.marks} {priority.label}".strip()) if priority else _none()
        if name == "tags":
            return literal(" ".join(f"#{tag}" for tag in value)) if value else _none()
        if name == "completed":
            return Text("done" if value else "open")
        if name == "repeat":
            return Text(f"↻ {value.text}") if isinstance(value, Repeat) else _none()
        return _preview(str(value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "keep" else event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)


def _none() -> Text:
    return Text("none", style="dim")


def _preview(text: str, limit: int = 120) -> Text:
    flat = single_line(text)
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    preview = literal(flat)
    preview.no_wrap = False
    return preview if flat else Text("(empty)", style="dim")
