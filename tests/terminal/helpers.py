"""A real terminal for the tests: one tmux session running TaskFlow, typed into."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

WAIT_SECONDS = 20.0  # a generous bound for a loaded CI machine; tests wait for text, not time


class Terminal:
    """One tmux session, on a server of its own, running TaskFlow on one database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = str(folder / "tmux.sock")
        self.session = f"taskflow-{uuid.uuid4().hex[:8]}"
        self.database = folder / "tasks.db"
        self.started = False

    def tmux(self, *args: str) -> str:
        completed = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=True
        )
        return completed.stdout

    def start(self, *extra: str, size: tuple[int, int] = (100, 30)) -> None:
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        environment = {
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TZ": os.environ.get("TZ", "UTC"),
        }
        command = [sys.executable, "-m", "tui", "--db", str(self.database), "--user", "alice"]
        shell = " ".join(f"{k}={_quote(v)}" for k, v in environment.items())
        shell += " " + " ".join(_quote(part) for part in [*command, *extra])
        columns, rows = size
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(columns),
            "-y",
            str(rows),
            "env -i " + shell,
        )
        self.started = True

    def record_output(self, path: Path) -> None:
        """Every byte the app writes to the terminal from now on, appended to ``path``."""
        self.tmux("pipe-pane", "-o", "-t", self.session, f"cat >> {_quote(str(path))}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, seconds: float = WAIT_SECONDS) -> str:
        deadline = time.monotonic() + seconds
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{shown}")

    def wait_until_gone(self, text: str, seconds: float = WAIT_SECONDS) -> str:
        deadline = time.monotonic() + seconds
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text not in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} stayed on screen:\n{shown}")

    def type_burst(self, text: str) -> None:
        """All of ``text`` in one write to the terminal, as a paste delivers it."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def press(self, *keys: str) -> None:
        """Named keys (Enter, Escape, C-q, ...), one write each."""
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)

    def running(self) -> bool:
        try:
            panes = self.tmux("list-panes", "-t", self.session, "-F", "#{pane_dead}")
        except subprocess.CalledProcessError:
            return False
        return panes.strip() == "0"

    def wait_for_exit(self, seconds: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.running():
                return
            time.sleep(0.05)
        raise AssertionError(f"the app did not quit; the screen:\n{self.screen()}")

    def close(self) -> None:
        if self.started:
            subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
