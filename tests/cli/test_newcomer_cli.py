"""What a newcomer to the command line trips over (issue 12), each checked as they met it:
a mistyped --db, the bare command without a terminal, the help's own examples, several
ids at once, list's header and count, history's values, a CSV `notes` column."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import pytest

from store import (
    DB_ENV_VAR,
    Due,
    EventKind,
    NewTask,
    Priority,
    Status,
    TaskQuery,
    TaskRecord,
    TaskStore,
    open_store,
)
from tests.cli.helpers import CLI, REPO, Result
from tests.helpers import FrozenClock
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

TIMEOUT = 30  # seconds a real process gets before the test calls it hung


@pytest.fixture
def cli_clock(clock: FrozenClock) -> FrozenClock:
    """Every in-process command here runs on the frozen clock that ``clock`` (and, through
    it, the ``store`` fixture) shares: no outcome depends on the day the suite runs."""
    return clock


@pytest.fixture
def taskflow(
    capsys: pytest.CaptureFixture[str], cli_clock: Callable[[], datetime]
) -> Callable[..., Result]:
    """``taskflow ARGS`` in this process, exactly as given: no --db or --user added."""

    def run(*args: str) -> Result:
        code = main(list(args), clock=cli_clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def every_task(store: TaskStore) -> list[TaskRecord]:
    return store.list_tasks(TaskQuery(status=Status.ALL))


def event_kinds(store: TaskStore, task: TaskRecord) -> list[EventKind]:
    return [event.kind for event in store.history(task.id)]


def one_line_failure(result: Result, code: int = EXIT_FAILURE) -> str:
    assert result.code == code, result
    assert result.out == ""
    assert len(result.error_lines) == 1, result.err
    assert result.err.startswith("taskflow: ")
    return result.err


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# -- a mistyped --db or $TASKFLOW_DB_PATH on a read command -------------------------------

READ_COMMANDS = [
    ["list"],
    ["list", "--all", "--json"],
    ["show", "3f2a"],
    ["history", "3f2a"],
    ["export"],
    ["export", "-o", "out.json"],
    ["db", "check"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("given", ["--db", "env", "sqlite-url"])
@pytest.mark.parametrize("missing", ["file", "folder"])
def test_a_read_command_on_a_missing_path_fails_in_one_line_and_creates_nothing(
    taskflow: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    given: str,
    missing: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = files_under(tmp_path)
    path = tmp_path / ("tasks-typo.db" if missing == "file" else "typo/tasks.db")
    if given == "env":
        monkeypatch.setenv(DB_ENV_VAR, str(path))
        result = taskflow(*command)
    else:
        db = f"sqlite:///{path}" if given == "sqlite-url" else str(path)
        result = taskflow("--db", db, *command)
    error = one_line_failure(result)
    assert str(path) in error
    assert (f"${DB_ENV_VAR}" if given == "env" else "--db") in error
    assert files_under(tmp_path) == before  # no file, no folder, no -wal, no -shm, no out.json


@pytest.mark.parametrize("given", ["--db", "env"])
def test_status_of_a_missing_path_still_says_so_and_creates_nothing(
    taskflow: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    path = tmp_path / "typo" / "tasks.db"
    argv = ["--db", str(path)] if given == "--db" else []
    if given == "env":
        monkeypatch.setenv(DB_ENV_VAR, str(path))
    for json_too in ([], ["--json"]):
        result = taskflow(*argv, "db", "status", *json_too)
        assert result.code == EXIT_OK, result.err
    assert "does not exist yet" in taskflow(*argv, "db", "status").out
    assert json.loads(taskflow(*argv, "db", "status", "--json").out)["exists"] is False
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("given", ["--db", "env"])
def test_write_commands_on_a_new_explicit_path_still_create_it(
    taskflow: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: FrozenClock,
    given: str,
) -> None:
    added, imported = tmp_path / "new" / "added.db", tmp_path / "new" / "imported.db"
    source = tmp_path / "tasks.csv"
    source.write_text("title\nFrom a file\n")

    def on(path: Path, *command: str) -> Result:
        if given == "env":
            monkeypatch.setenv(DB_ENV_VAR, str(path))
            return taskflow("--user", "alice", *command)
        return taskflow("--db", str(path), "--user", "alice", *command)

    assert on(added, "add", "First task").code == EXIT_OK
    assert on(imported, "import", str(source)).code == EXIT_OK
    for path, title in ((added, "First task"), (imported, "From a file")):
        with open_store(path, user="alice", clock=clock) as store:
            assert [task.title for task in every_task(store)] == [title]
        assert title in on(path, "list").out


def test_the_default_location_still_just_works_on_first_use(
    taskflow: Callable[..., Result],
) -> None:
    # XDG_DATA_HOME is the test's own folder (tests/conftest.py): nothing there yet.
    result = taskflow("--user", "alice", "list")
    assert (result.code, result.out, result.err) == (EXIT_OK, "No open tasks.\n", "")
    assert taskflow("--user", "alice", "add", "Hello").code == EXIT_OK
    assert "Hello" in taskflow("--user", "alice", "list").out


# -- the bare command without a terminal --------------------------------------------------


def run_the_bare_command(
    tmp_path: Path, *, stdin_terminal: bool, stdout_terminal: bool
) -> tuple[int, str, str]:
    """``taskflow --db PATH`` as a real process, with stdin and stdout each a terminal
    (a pseudo-terminal) or not (/dev/null, a pipe). Killed after TIMEOUT seconds."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
    environment["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "--db", str(tmp_path / "tasks.db")],
            cwd=tmp_path,
            stdin=follower if stdin_terminal else subprocess.DEVNULL,
            stdout=follower if stdout_terminal else subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"the bare command was still running after {TIMEOUT} s: it hung")
        if stdout_terminal:
            out = b""
            while select.select([leader], [], [], 0)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        os.close(follower)
        os.close(leader)
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("stdin_terminal", "stdout_terminal"),
    [(False, False), (True, False), (False, True)],
    ids=["stdin-devnull-stdout-pipe", "stdout-pipe", "stdin-devnull"],
)
def test_the_bare_command_without_a_terminal_says_so_and_opens_nothing(
    tmp_path: Path, stdin_terminal: bool, stdout_terminal: bool
) -> None:
    code, out, err = run_the_bare_command(
        tmp_path, stdin_terminal=stdin_terminal, stdout_terminal=stdout_terminal
    )
    assert code == EXIT_USAGE, err
    assert "\x1b" not in out  # nothing of the app was drawn
    assert err.count("\n") == 1 and err.startswith("taskflow: "), err
    assert "needs a terminal" in err and "taskflow --help" in err
    assert not (tmp_path / "tasks.db").exists()  # no database opened, none created
    assert not (tmp_path / "xdg-data").exists()


# -- add --help's examples do what they say --------------------------------------------------


def test_the_multi_line_description_examples_in_add_help_store_two_lines(
    taskflow: Callable[..., Result], tmp_path: Path
) -> None:
    help_text = taskflow("add", "--help").out
    examples = [
        line.strip()
        for line in help_text.splitlines()
        if "taskflow add" in line and "intro" in line and "numbers" in line
    ]
    assert examples, help_text
    for number, example in enumerate(examples):
        db = tmp_path / f"example-{number}.db"
        # Run as a user would paste it into bash, taskflow being this tree's command.
        script = f'taskflow() {{ "$PYTHON" -m tui --db "$DB" --user alice "$@"; }}\n{example}\n'
        environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHON": sys.executable}
        completed = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env={**environment, "DB": str(db)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert completed.returncode == 0, (example, completed.stderr)
        with open_store(db, user="alice") as store:
            (task,) = every_task(store)
        assert task.description == "- intro\n- numbers", example


# -- done, undone and rm with several ids ---------------------------------------------------


def three_tasks(store: TaskStore) -> list[TaskRecord]:
    return [store.create(title) for title in ("First", "Second", "Third")]


def test_done_takes_several_ids_as_one_undoable_change(cli: CLI, store: TaskStore) -> None:
    first, second, third = three_tasks(store)
    result = cli("done", first.id[:8], second.id[:8], third.id[:8])
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Marked done {task.id[:8]}  {task.title}" for task in (first, second, third)
    ]
    assert [task.completed for task in every_task(store)] == [True, True, True]
    for task in (first, second, third):
        assert event_kinds(store, task) == [EventKind.CREATED, EventKind.TOGGLED]
    undone = cli("undo", "--json")  # all three at once
    assert undone.code == EXIT_OK, undone.err
    assert [task.completed for task in every_task(store)] == [False, False, False]
    reply = json.loads(undone.out)
    assert reply["undone"]["task_id"] == third.id
    assert [other["undone"]["task_id"] for other in reply["together"]] == [second.id, first.id]
    assert [other["task"]["completed"] for other in reply["together"]] == [False, False]
    assert cli("undo").code == EXIT_OK  # the change before: the third task's creation
    assert [task.title for task in every_task(store)] == ["First", "Second"]


def test_undone_and_rm_take_several_ids(cli: CLI, store: TaskStore) -> None:
    first, second, third = three_tasks(store)
    for task in (first, second):
        store.toggle(task.id)
    assert cli("undone", first.id[:8], second.id[:8]).code == EXIT_OK
    assert [task.completed for task in every_task(store)] == [False, False, False]
    removed = cli("rm", first.id[:8], third.id[:8])
    assert removed.code == EXIT_OK, removed.err
    assert [task.title for task in every_task(store)] == ["Second"]
    assert f"Deleted {first.id[:8]}  First" in removed.out
    assert f"Deleted {third.id[:8]}  Third" in removed.out
    assert "'taskflow undo' brings all 2 back." in removed.out
    undone = cli("undo")
    assert undone.code == EXIT_OK  # both deletions, one command's change
    assert undone.out == "Restored “Third” and 1 more change made with it.\n"
    assert [task.title for task in every_task(store)] == ["First", "Second", "Third"]
    assert cli("undo").code == EXIT_OK  # the undone, both again
    assert [task.completed for task in every_task(store)] == [True, True, False]


def state(store: TaskStore) -> list[tuple[str, bool, int]]:
    return [(task.id, task.completed, task.version) for task in every_task(store)]


@pytest.mark.parametrize("command", ["done", "undone", "rm"])
@pytest.mark.parametrize("bad", ["unknown", "ambiguous", "deleted"])
def test_one_bad_id_among_several_changes_nothing(
    cli: CLI, store: TaskStore, command: str, bad: str
) -> None:
    first, second, _ = three_tasks(store)
    if command == "undone":
        for task in (first, second):
            store.toggle(task.id)
    twins = ["5eed0000-aaaa-4000-8000-000000000001", "5eed0000-bbbb-4000-8000-000000000002"]
    store.create_many([NewTask("Twin A", id=twins[0]), NewTask("Twin B", id=twins[1])])
    gone = store.create("Gone")
    store.delete(gone.id)
    bad_id = {"unknown": "0000dead", "ambiguous": "5eed", "deleted": gone.id[:8]}[bad]
    before = state(store)
    events = {task.id: len(store.history(task.id)) for task in every_task(store)}

    # The bad id comes last: everything before it would have been written already.
    error = one_line_failure(cli(command, first.id[:8], second.id[:8], bad_id))
    assert bad_id in error
    assert state(store) == before
    assert {task.id: len(store.history(task.id)) for task in every_task(store)} == events


def test_json_is_one_task_for_one_id_and_an_array_for_several(cli: CLI, store: TaskStore) -> None:
    first, second, third = three_tasks(store)
    one = json.loads(cli("done", first.id[:8], "--json").out)
    assert isinstance(one, dict) and one["id"] == first.id and one["completed"] is True
    several = json.loads(cli("done", third.id[:8], second.id[:8], "--json").out)
    assert [task["id"] for task in several] == [third.id, second.id]  # in the order given
    assert all(task["completed"] for task in several)
    reopened = json.loads(cli("undone", first.id[:8], second.id[:8], "--json").out)
    assert [task["completed"] for task in reopened] == [False, False]
    removed = json.loads(cli("rm", first.id[:8], third.id[:8], "--json").out)
    assert [task["title"] for task in removed] == ["First", "Third"]  # as they were
    assert isinstance(json.loads(cli("rm", second.id[:8], "--json").out), dict)


def test_a_task_named_twice_is_changed_once(cli: CLI, store: TaskStore) -> None:
    first, second, _ = three_tasks(store)
    result = cli("done", first.id[:8], second.id[:8], first.id, first.id[:10].upper())
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Marked done {first.id[:8]}  First",
        f"Marked done {second.id[:8]}  Second",
    ]
    assert event_kinds(store, first) == [EventKind.CREATED, EventKind.TOGGLED]
    twice = json.loads(cli("rm", first.id[:8], first.id[:8], "--json").out)
    assert [task["id"] for task in twice] == [first.id]  # several ids given: an array
    assert cli("undo").code == EXIT_OK
    assert store.get(first.id).title == "First"  # one deletion, one undo brings it back


# -- list: a header and a count on a terminal only -------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def on_a_fake_terminal(
    monkeypatch: pytest.MonkeyPatch, location: str, clock: FrozenClock, *args: str
) -> str:
    screen = FakeTerminal()
    with monkeypatch.context() as patch:
        patch.setenv("NO_COLOR", "1")
        patch.setenv("COLUMNS", "200")
        patch.setattr(sys, "stdout", screen)
        code = main(["--db", location, "--user", "alice", *args], clock=clock)
    assert code == EXIT_OK
    return screen.getvalue()


def planned_tasks(store: TaskStore) -> None:
    store.create("Pay rent", due=Due(date(2026, 11, 21)), priority=Priority.HIGH, tags=["home"])
    store.create("Buy oat milk", tags=["shop"])
    done = store.create("File taxes", tags=["home"])
    store.toggle(done.id)


def test_list_on_a_terminal_has_a_header_and_a_count(
    monkeypatch: pytest.MonkeyPatch, location: str, clock: FrozenClock, store: TaskStore
) -> None:
    planned_tasks(store)
    lines = on_a_fake_terminal(monkeypatch, location, clock, "list").splitlines()
    header, *rows, count = lines
    assert header.split() == ["Id", "Pri", "Due", "Created", "Title"]
    assert len(rows) == 2 and count == "2 open tasks."
    # The names stand over their columns.
    assert header.index("Title") == rows[0].index("Pay rent") == rows[1].index("Buy oat milk")
    assert header.index("Created") == rows[0].index("2026-11-20")
    assert header.index("Due") + len("Due") == rows[0].index("tomorrow") + len("tomorrow")


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["--all"], "3 tasks."),
        (["--done"], "1 done task."),
        (["--tag", "home"], "1 open task tagged #home."),
        (["--all", "--tag", "home", "-s", "rent"], "1 task tagged #home matching 'rent'."),
        (["--today"], "No open tasks due today or overdue."),
        (["--upcoming"], "1 open task due in the next 7 days or overdue."),
    ],
)
def test_the_count_says_what_the_filters_kept(
    monkeypatch: pytest.MonkeyPatch,
    location: str,
    clock: FrozenClock,
    store: TaskStore,
    args: list[str],
    count: str,
) -> None:
    planned_tasks(store)
    lines = on_a_fake_terminal(monkeypatch, location, clock, "list", *args).splitlines()
    assert lines[-1] == count


def test_list_in_a_pipe_or_as_json_has_rows_only(
    cli: CLI, monkeypatch: pytest.MonkeyPatch, location: str, clock: FrozenClock, store: TaskStore
) -> None:
    planned_tasks(store)
    piped = cli("list", "--all").out.splitlines()  # captured: not a terminal
    assert len(piped) == 3 and not any(line.startswith("Id ") for line in piped)
    assert not any("tasks." in line for line in piped)
    on_terminal = on_a_fake_terminal(monkeypatch, location, clock, "list", "--all", "--json")
    assert len(json.loads(on_terminal)) == 3


def run_on_a_real_terminal(args: list[str], cwd: Path) -> str:
    """Run with stdout on a pseudo-terminal (as at a shell) and return what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "120"},
    )
    os.close(follower)
    chunks: list[bytes] = []
    while select.select([leader], [], [], TIMEOUT)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=TIMEOUT) == 0, process.stderr and process.stderr.read()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_list_on_a_real_terminal_and_in_a_real_pipe(tmp_path: Path) -> None:
    db = tmp_path / "tasks.db"
    with open_store(db, user="alice") as store:  # the real clock: no dates asserted below
        store.create("Water the plants")
        store.create("Call mum")
    args = ["--db", str(db), "--user", "alice", "list"]
    header, *rows, count = run_on_a_real_terminal(args, tmp_path).splitlines()
    assert header.split() == ["Id", "Created", "Title"]
    assert [row.split("  ")[-1] for row in rows] == ["Water the plants", "Call mum"]
    assert count == "2 open tasks."
    assert json.loads(run_on_a_real_terminal([*args, "--json"], tmp_path))[0]["title"] == (
        "Water the plants"
    )
    piped = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=TIMEOUT,
        check=False,
    )
    assert [line.split("  ")[-1] for line in piped.stdout.splitlines()] == [
        "Water the plants",
        "Call mum",
    ]


# -- history names the values that changed ---------------------------------------------------


def test_history_names_each_value_that_changed(cli: CLI, store: TaskStore) -> None:
    task = store.create("A", priority=Priority.LOW, tags=["home"])
    task = store.update(
        task.id,
        expected_version=task.version,
        title="B",
        due=Due(date(2026, 11, 27)),
        priority=Priority.HIGH,
        tags=["work"],
    )
    task = store.update(
        task.id,
        expected_version=task.version,
        description="first line\nsecond line",
        due=Due(date(2027, 1, 4), time(9, 30)),
    )
    store.toggle(task.id)
    result = cli("history", task.id[:8])
    assert result.code == EXIT_OK, result.err
    _, created, edited, described, toggled = result.out.splitlines()
    assert created.endswith("“A”")
    assert edited.endswith(
        "title “A” → “B”; due none → Fri 27 Nov; priority low → high; tags +work -home"
    )
    assert described.endswith(
        "description none → “first line second line”; due Fri 27 Nov → Mon 4 Jan 2027 09:30"
    )
    assert toggled.endswith("“B”")


def test_history_values_are_shown_not_obeyed(cli: CLI, store: TaskStore) -> None:
    task = store.create("plain")
    store.update(task.id, expected_version=task.version, title="evil\u202eexe.txt #x")
    shown = cli("history", task.id[:8]).out
    assert "\u202e" not in shown
    assert "title “plain” → “evil<U+202E>exe.txt #x”" in shown


# -- a CSV notes column is the description ---------------------------------------------------


@pytest.mark.parametrize("column", ["notes", "note", "Notes"])
def test_a_csv_notes_column_is_read_as_the_description(
    cli: CLI, store: TaskStore, tmp_path: Path, column: str
) -> None:
    path = tmp_path / "from-another-tool.csv"
    path.write_text(f'title,{column}\nBuy milk,"oat, not soy"\n')
    result = cli("import", str(path))
    assert result.code == EXIT_OK
    assert result.err == ""  # not an ignored column
    (task,) = every_task(store)
    assert (task.title, task.description) == ("Buy milk", "oat, not soy")


def test_a_csv_with_both_description_and_notes_is_refused_naming_both(
    cli: CLI, store: TaskStore, tmp_path: Path
) -> None:
    path = tmp_path / "both.csv"
    path.write_text("title,description,notes\nBuy milk,a,b\n")
    error = one_line_failure(cli("import", str(path)))
    assert "'description' and 'notes'" in error
    assert every_task(store) == []
