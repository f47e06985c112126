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
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.terminal.helpers import Terminal


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
