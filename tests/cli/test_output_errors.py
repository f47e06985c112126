"""Output that cannot be written (issue 13, item 15), with real processes.

Standard output full (/dev/full) or closed (`>&-`): one line on stderr, never a
traceback, and exit status 74. A command that changed something says that the change
was saved, so that a script retrying on failure does not make it twice; the change
is in the database exactly once. A broken pipe still ends quietly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.cli.helpers import REPO
from tui.cli import EXIT_OK

EXIT_OUTPUT = 74  # the README's exit status for output that could not be written


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str


def full(args: list[str], cwd: Path) -> Outcome:
    """Standard output is /dev/full: every write fails with ENOSPC."""
    with open("/dev/full", "wb") as device:
        return _run(args, cwd, stdout=device.fileno())


def closed(args: list[str], cwd: Path) -> Outcome:
    """Standard output is closed, as `taskflow ... >&-` starts it.

    This child runs on the real clock even when CI runs the suite under faketime:
    libfaketime opens its shared-memory clock at load, gets the lowest free
    descriptor, 1, and the command's output then lands in that segment: the child
    sees no closed output, and every later process sharing the segment reads a
    garbled clock (psycopg's connect deadline overflows). Nothing here depends on
    the date.
    """
    real_clock = {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }
    return _run(args, cwd, stdout=subprocess.DEVNULL, before=lambda: os.close(1), env=real_clock)


def _run(
    args: list[str],
    cwd: Path,
    *,
    stdout: int,
    before: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    completed = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=before,
        env={**(os.environ if env is None else env), "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    return Outcome(completed.returncode, completed.stderr.decode("utf-8"))


WAYS = {"full": full, "closed": closed}


def assert_saved_but_not_shown(outcome: Outcome) -> None:
    assert outcome.code == EXIT_OUTPUT, outcome.err
    lines = outcome.err.splitlines()
    assert len(lines) == 1, outcome.err
    assert lines[0].startswith("taskflow: ")
    assert "saved" in lines[0] or "made" in lines[0] or "written to" in lines[0]
    assert "could not be written" in lines[0]
    assert "do not run the command again" in lines[0]


def assert_not_shown(outcome: Outcome) -> None:
    assert outcome.code == EXIT_OUTPUT, outcome.err
    lines = outcome.err.splitlines()
    assert len(lines) == 1, outcome.err
    assert lines[0].startswith("taskflow: Could not write the output: ")
    assert "saved" not in lines[0]


@pytest.fixture
def base(location: str) -> list[str]:
    return ["--db", location, "--user", "alice"]


def titles(store: TaskStore) -> list[str]:
    return sorted(task.title for task in store.list_tasks())


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_add_says_the_task_was_saved_and_it_is_there_once(
    alice: TaskStore, base: list[str], tmp_path: Path, way: str, json_output: bool
) -> None:
    extra = ["--json"] if json_output else []
    outcome = WAYS[way]([*base, "add", "Pay rent", *extra], tmp_path)
    assert_saved_but_not_shown(outcome)
    assert "new task" in outcome.err
    assert titles(alice) == ["Pay rent"]


def _edit(store: TaskStore) -> list[str]:
    return ["edit", store.create("old title").id, "--title", "new title"]


def _done(store: TaskStore) -> list[str]:
    return ["done", store.create("to do").id]


def _undone(store: TaskStore) -> list[str]:
    task = store.create("done already")
    store.toggle(task.id)
    return ["undone", task.id]


def _rm(store: TaskStore) -> list[str]:
    return ["rm", store.create("to delete").id]


def _undo(store: TaskStore) -> list[str]:
    store.create("to be undone")
    return ["undo"]


CHANGES: dict[str, tuple[Callable[[TaskStore], list[str]], Callable[[TaskStore], bool]]] = {
    "edit": (_edit, lambda s: titles(s) == ["new title"]),
    "done": (_done, lambda s: [t.completed for t in s.list_tasks()] == [True]),
    "undone": (_undone, lambda s: [t.completed for t in s.list_tasks()] == [False]),
    "rm": (_rm, lambda s: titles(s) == []),
    "undo": (_undo, lambda s: titles(s) == []),
}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("command", CHANGES)
def test_a_change_is_saved_once_and_said_to_be(
    alice: TaskStore, base: list[str], tmp_path: Path, way: str, command: str
) -> None:
    prepare, changed = CHANGES[command]
    args = prepare(alice)
    outcome = WAYS[way]([*base, *args], tmp_path)
    assert_saved_but_not_shown(outcome)
    assert changed(alice)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_import_says_it_was_saved_and_a_dry_run_that_nothing_was(
    alice: TaskStore, base: list[str], tmp_path: Path, way: str, json_output: bool
) -> None:
    file = tmp_path / "tasks.txt"
    file.write_text("first imported\nsecond imported\n")
    extra = ["--json"] if json_output else []
    dry = WAYS[way]([*base, "import", str(file), "--dry-run", *extra], tmp_path)
    assert_not_shown(dry)
    assert titles(alice) == []
    real = WAYS[way]([*base, "import", str(file), *extra], tmp_path)
    assert_saved_but_not_shown(real)
    assert titles(alice) == ["first imported", "second imported"]


@pytest.mark.parametrize("way", WAYS)
def test_read_commands_and_export_to_stdout_say_what_failed(
    alice: TaskStore, base: list[str], tmp_path: Path, way: str
) -> None:
    for n in range(300):  # more than a buffer's worth, so a write fails before the end
        alice.create(f"task number {n} " + "x" * 40)
    for args in (["list"], ["list", "--json"], ["show", alice.list_tasks()[0].id], ["export"]):
        assert_not_shown(WAYS[way]([*base, *args], tmp_path))


@pytest.mark.parametrize("way", WAYS)
def test_export_to_a_file_says_the_file_was_written(
    alice: TaskStore, base: list[str], tmp_path: Path, way: str
) -> None:
    alice.create("x")
    target = tmp_path / "tasks.json"
    outcome = WAYS[way]([*base, "export", "-o", str(target)], tmp_path)
    assert_saved_but_not_shown(outcome)
    assert json.loads(target.read_text())["tasks"][0]["title"] == "x"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_db_backup_and_migrate_say_what_was_done(
    db_path: Path, tmp_path: Path, way: str, json_output: bool
) -> None:
    with open_store(db_path, user="alice") as store:
        store.create("x")
    base = ["--db", str(db_path), "--user", "alice"]
    extra = ["--json"] if json_output else []
    target = tmp_path / f"copy-{way}.db"
    backup = WAYS[way]([*base, "db", "backup", str(target), *extra], tmp_path)
    assert_saved_but_not_shown(backup)
    assert "backup was made" in backup.err
    with open_store(target, user="alice") as copy:
        assert titles(copy) == ["x"]
    migrate = WAYS[way]([*base, "db", "migrate", *extra], tmp_path)
    assert_saved_but_not_shown(migrate)


def test_a_broken_pipe_still_ends_quietly(
    alice: TaskStore, base: list[str], tmp_path: Path
) -> None:
    for n in range(3000):
        alice.create(f"task {n}")
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the first write gets EPIPE
    try:
        outcome = _run([*base, "list", "--all"], tmp_path, stdout=writer)
    finally:
        os.close(writer)
    assert outcome.err == ""
    assert outcome.code not in (EXIT_OK, EXIT_OUTPUT)
