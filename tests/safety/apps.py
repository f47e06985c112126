"""Headless TaskFlow windows for the torture tests, and ears on what they tell the user."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from store import TaskStore
from tests.tui.helpers import settle, table_of
from tui.app import TaskFlowApp, make_app
from tui.cli import main as taskflow
from tui.screens.confirm import ConfirmScreen
from tui.screens.conflict import ConflictScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

THEME = "textual-dark"
SIZE = (100, 30)


def window(store: TaskStore) -> TaskFlowApp:
    """The app as the command line builds it, headless-friendly: no animations, fast polling."""
    return make_app(store, theme=THEME, animations=False, poll_seconds=0.1)


class Heard:
    """Everything an app tells its user: notifications, and errors shown in the editor."""

    def __init__(self, app: TaskFlowApp) -> None:
        self.messages: list[tuple[str, str]] = []  # (severity, text)
        notify = app.notify

        def listening(message: str, *args: Any, **kwargs: Any) -> None:
            self.messages.append((str(kwargs.get("severity", "information")), str(message)))
            notify(message, *args, **kwargs)

        app.notify = listening  # type: ignore[method-assign]
        self.app = app

    def form_errors(self) -> list[str]:
        """Errors the editor shows under its fields (not notifications)."""
        found = []
        for screen in self.app.screen_stack:
            if isinstance(screen, TaskEditScreen):
                for widget in screen.query(".field-error"):
                    if widget.display and not widget.has_class("hidden"):
                        # The text as given, not as wrapped on screen.
                        found.append(str(widget.content).strip())  # type: ignore[attr-defined]
        return found

    @property
    def errors(self) -> list[str]:
        return [text for severity, text in self.messages if severity == "error"]


class Acknowledged:
    """Every result the store handed back to the app: what the user was told is saved."""

    METHODS = ("create", "update", "set_completed", "toggle", "delete", "undo")

    def __init__(self, store: TaskStore) -> None:
        self.results: list[tuple[str, Any]] = []
        # The version each edit was based on (the editor's), with what it saved.
        self.edits: list[tuple[int, Any]] = []
        self._lock = threading.Lock()
        for name in self.METHODS:
            setattr(store, name, self._recording(name, getattr(store, name)))

    def _recording(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            with self._lock:
                self.results.append((name, result))
                if name == "update":
                    self.edits.append((kwargs["expected_version"], result))
            return result

        return recorded


async def back_to_the_list(pilot: Pilot[Any]) -> None:
    """Leave whatever editor or dialog is open the way a user would, keeping nothing."""
    app = pilot.app
    for _ in range(10):
        screen = app.screen
        if isinstance(screen, TaskListScreen):
            return
        if isinstance(screen, ConflictScreen):
            await pilot.press("t")  # theirs, for the fields both changed
        elif isinstance(screen, ConfirmScreen):
            await pilot.press("y")
        else:
            await pilot.press("escape")
        await settle(pilot)
    raise AssertionError(f"stuck on {app.screen!r}")


def run_cli(database: Path, *args: str, user: str = "alice") -> tuple[int, str, str]:
    """``taskflow --db DATABASE --user USER ARGS`` in this process: status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = taskflow(["--db", str(database), "--user", user, *args])
    return code, out.getvalue(), err.getvalue()


Script = Callable[[Pilot[Any]], Awaitable[None]]


@dataclass
class Launch:
    """What one run of ``taskflow --db PATH`` (the app, headless) did and showed."""

    code: int
    stderr: str
    messages: list[tuple[str, str]] = field(default_factory=list)  # (severity, text)
    form_errors: list[str] = field(default_factory=list)
    rows: list[tuple[str, bool]] = field(default_factory=list)  # (title, done) at the end
    started: bool = False


def launch(database: Path, script: Script, *, user: str = "alice") -> Launch:
    """``taskflow --db DATABASE`` through the real entry point (``tui.cli.main``, then
    ``run_app``), with the app run headless and driven by ``script`` instead of a person.
    The app quits once the script is done, as after ``q``."""
    seen = Launch(code=-1, stderr="")

    def headless_run(app: TaskFlowApp, *args: Any, **kwargs: Any) -> Any:
        seen.started = True
        heard = Heard(app)

        async def drive(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await script(pilot)
            await settle(pilot)
            seen.form_errors = heard.form_errors()
            await back_to_the_list(pilot)
            table = table_of(app)
            rows = [table.rows.row(i) for i in range(len(table.rows))]
            seen.rows = [(row.title, row.completed) for row in rows if row is not None]
            await app.action_quit()

        try:
            return App.run(app, headless=True, size=SIZE, auto_pilot=drive)
        finally:
            seen.messages = heard.messages

    err = io.StringIO()
    with contextlib.redirect_stderr(err), _replaced(TaskFlowApp, "run", headless_run):
        seen.code = taskflow(["--db", str(database), "--user", user])
    seen.stderr = err.getvalue()
    return seen


@contextlib.contextmanager
def _replaced(owner: type, name: str, value: Any) -> Iterator[None]:
    original = owner.__dict__.get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
