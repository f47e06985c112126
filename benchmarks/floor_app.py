"""The floor: the smallest Textual app that shows one line of text and a Footer.

    python benchmarks/floor_app.py      # q quits

What `taskflow` costs to launch above this is TaskFlow's own; this much is
Python's and Textual's. The peers section times both in a real terminal.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

# What the benchmark waits for on the terminal.
LINE = "The floor: one line of text and a footer."


class FloorApp(App[None]):
    # One binding, so that the Footer has something to show, as TaskFlow's does.
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(LINE)
        yield Footer()


if __name__ == "__main__":
    FloorApp().run()
