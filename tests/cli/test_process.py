"""`taskflow` as a separate process: exit codes, stderr, help, colour, imports, pipes."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from store import NewTask, open_store
from tests.cli.helpers import REPO, run_process

COMMANDS = ["add", "list", "show", "edit", "done", "undone", "rm", "undo", "history"]
COMMANDS += ["export", "import", "db"]
DB_COMMANDS = ["status", "migrate", "check", "backup"]


def test_a_session_through_the_installed_script(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    added = run_process(
        "--db", db, "--user", "alice", "add", "From a shell", script=True, cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert added.stderr == ""
    task_id = added.stdout.split()[1]
    listed = run_process("list", "--json", "--db", db, "--user", "alice", script=True, cwd=tmp_path)
    assert [task["id"] for task in json.loads(listed.stdout)] == [task_id]
    done = run_process("--db", db, "--user", "alice", "done", task_id[:6], cwd=tmp_path)
    assert done.returncode == 0
    with open_store(Path(db), user="alice") as store:
        assert store.get(task_id).completed


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nosuch"], 2, "invalid choice: 'nosuch'"),
        (["add"], 2, "the following arguments are required: TITLE"),
        (["list", "--all", "--done"], 2, "not allowed with argument"),
        (["db"], 2, "the following arguments are required: DB_COMMAND"),
        # On a --db path with no file: the commands that need tasks there say so.
        (["done", "0123"], 1, "There is no database at"),
        (["show", "0123"], 1, "There is no database at"),
        (["add", "   "], 1, "A task needs a title."),
        (["undo"], 1, "There is no database at"),
        (["import", "missing.json"], 1, "Cannot read missing.json: no such file or directory."),
    ],
)
def test_failures_are_one_line_on_stderr_with_the_right_exit_code(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = run_process("--db", str(tmp_path / "tasks.db"), *args, cwd=tmp_path)
    assert result.returncode == code
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("taskflow: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_version(tmp_path: Path) -> None:
    result = run_process("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("taskflow ")
    assert result.stdout.split()[1][0].isdigit()


def test_help_lists_every_command_and_the_environment(tmp_path: Path) -> None:
    result = run_process("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"\n    {command} " in result.stdout, command
    for words in ("TASKFLOW_DB_PATH", "TASKFLOW_USER", "NO_COLOR", "Exit status", "--db", "--user"):
        assert words in result.stdout


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c != "db"] + [f"db {c}" for c in DB_COMMANDS]
)
def test_each_command_has_complete_help(tmp_path: Path, command: str) -> None:
    result = run_process(*command.split(), "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: taskflow {command} ")
    assert "--db PATH" in result.stdout and "--user NAME" in result.stdout
    # every option and argument in the usage line is explained below it
    usage = result.stdout.split("\n\n", 1)[0]
    for token in usage.replace("[", " ").replace("]", " ").replace("|", " ").split():
        if token.startswith("--"):
            assert f"  {token}" in result.stdout or f", {token}" in result.stdout, token


def test_sub_commands_never_import_textual_or_rich(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    script = (
        "import sys\n"
        "from tui.cli import main\n"
        f"db = {db!r}\n"
        "for argv in (['add', 'x'], ['list'], ['list', '--json'], ['show', '0'], ['export'],\n"
        "             ['db', 'status'], ['history', '0']):\n"
        "    main(['--db', db, '--user', 'alice', *argv])\n"
        "heavy = sorted({name.split('.')[0] for name in sys.modules} & {'textual', 'rich'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    assert "HEAVY []" in result.stderr, result.stderr


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run with stdout on a pseudo-terminal, as a user at a shell would."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", **env},
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8")


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    with open_store(Path(db), user="alice") as store:
        task = store.create("Coloured")
        store.create("Plain")
        store.toggle(task.id)
    args = ["--db", db, "--user", "alice", "list", "--all"]
    on_terminal = run_on_a_terminal(args, tmp_path, {})
    assert f"\x1b[33m{task.id[:8]}" in on_terminal
    assert "\x1b[32m[x]\x1b[0m" in on_terminal
    without = run_on_a_terminal(args, tmp_path, {"NO_COLOR": "1"})
    assert "\x1b[" not in without
    assert "Coloured" in without and "Plain" in without
    piped = run_process(*args, cwd=tmp_path)
    assert "\x1b[" not in piped.stdout
    forced = run_process(*args, cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[33m" in forced.stdout


def test_long_titles_are_cut_to_the_terminal_but_not_in_a_pipe(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    title = "wide 日本語 " + "word " * 60
    with open_store(Path(db), user="alice") as store:
        store.create(title.strip())
    args = ["--db", db, "--user", "alice", "list"]
    # a pseudo-terminal starts at 0x0 here; COLUMNS is what get_terminal_size falls back to
    on_terminal = run_on_a_terminal(args, tmp_path, {"NO_COLOR": "1", "COLUMNS": "60"})
    line = on_terminal.splitlines()[1]  # under the header line
    assert line.endswith("…")
    piped = run_process(*args, cwd=tmp_path)
    assert piped.stdout.rstrip("\n").endswith(title.strip())


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "tasks.db"
    with open_store(db, user="alice") as store:
        store.create_many([NewTask(f"task {n}") for n in range(5000)])
    command = (
        f"{sys.executable} -m tui --db {db} --user alice list --all | head -n 1; "
        f"{sys.executable} -m tui --db {db} --user alice export | head -c 10"
    )
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    first_line, exported = result.stdout.split("\n", 1)
    assert "  [ ]  " in first_line and "  task " in first_line
    assert exported == '{\n  "forma'
    assert result.stderr == ""  # no traceback, no "Exception ignored" from Python
