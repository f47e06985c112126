"""The real app in a real terminal: tmux runs ``python -m tui`` and types into it.

Keys are sent the way a terminal delivers them: ``type_burst`` writes its whole text
in one write (``tmux send-keys -l``), as a paste or a slow SSH link does, so that
the app reads several keys at once. Each test waits for what the screen shows, never
for a fixed time, and checks the database afterwards.

tmux is part of CI's machine (.ci/run installs it when missing); without it these
tests fail under CI=true and are skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the real-terminal tests, but tmux is not installed")
        pytest.skip("tmux is not installed: the real-terminal tests need it")
    # A short folder: a tmux socket path must fit in 108 bytes.
    folder = Path(f"/tmp/tf-{uuid.uuid4().hex[:10]}")
    folder.mkdir()
    shell = Terminal(folder)
    try:
        yield shell
    finally:
        shell.close()
        shutil.rmtree(folder, ignore_errors=True)
