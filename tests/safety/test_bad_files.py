"""Bad files: the app and the command line refuse or degrade with one line, and the file's
bytes are the same afterwards.

For each kind of bad file, ``taskflow --db FILE`` (the app, run headless through the
real entry point and driven by a script that tries to change a task and add one) and
the sub-commands either end with exit status 1 and one line ``taskflow: ...`` on
stderr, or open and degrade (read-only, or busy) saying so in one line. The file is
hashed before and after, and nothing may appear beside a file that was refused.
Read-only cases run as an unprivileged user, since root ignores file permissions.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from store import LATEST_VERSION, open_store
from tests.helpers import NOBODY_GID, NOBODY_UID, file_digest, run_unprivileged, shared_tmpdir
from tests.safety.apps import Launch, launch, run_cli
from tests.safety.processes import REPO, Child
from tests.tui.helpers import settle
from tui.screens.task_edit import TaskEditScreen

USER = "alice"
# Sub-commands that read, write, or look at the file without migrating it.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("list", "--all"),
    ("add", "a new task"),
    ("export",),
    ("db", "status"),
    ("db", "check"),
)


async def try_to_change_things(pilot: Pilot[Any]) -> None:
    """What a user would do first: mark the first task done, then add a task."""
    await pilot.press("g", "space")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    if isinstance(pilot.app.screen, TaskEditScreen):
        pilot.app.screen.query_one("#title").value = "typed while it was bad"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)


def a_database(path: Path, titles: tuple[str, ...] = ("kept safe", "also kept")) -> None:
    with open_store(path, user=USER) as store:
        for title in titles:
            store.create(title)


def truncated(path: Path) -> None:
    with open_store(path, user=USER) as store:
        for number in range(300):
            store.create(f"task {number}", "padding " * 30)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def from_a_newer_taskflow(path: Path) -> None:
    a_database(path)
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', '2031-01-01')",
        (LATEST_VERSION + 1,),
    )
    raw.commit()
    raw.close()


def sqlite_file(
    path: Path, script: str, rows: tuple[tuple[str, tuple[Any, ...]], ...] = ()
) -> None:
    """A file made by plain sqlite3, as another program (or the earlier service) would."""
    connection = sqlite3.connect(path)
    connection.executescript(script)
    for sql, values in rows:
        connection.execute(sql, values)
    connection.commit()
    connection.close()


# The earlier service's table, but with nothing NOT NULL (as a hand-made or older one may be).
LEGACY_LOOSE = """
CREATE TABLE tasks (
  id TEXT PRIMARY KEY, title TEXT, description TEXT, completed INTEGER DEFAULT 0,
  created_at TEXT DEFAULT (datetime('now')), updated_at TEXT DEFAULT (datetime('now')));
"""
TASKFLOW_VERSIONS = (
    "CREATE TABLE schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
)
LEGACY_INSERT = (
    "INSERT INTO tasks (id, title, description, completed, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
A_DAY = "2024-03-01 08:15:00"


def versions_of_another_program(path: Path) -> None:
    """Flyway-style versions in a text column: int() of them crashed every command."""
    sqlite_file(
        path,
        "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);"
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);",
        (("INSERT INTO schema_migrations VALUES (?)", ("V1__init",)),),
    )


def rails_versions(path: Path) -> None:
    """Rails' table: digits in text, which read as a version from a 'newer TaskFlow'."""
    sqlite_file(
        path,
        "CREATE TABLE schema_migrations (version VARCHAR NOT NULL PRIMARY KEY);"
        "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT);",
        (("INSERT INTO schema_migrations VALUES (?)", ("20240101120000",)),),
    )


def legacy_with_a_null_title(path: Path) -> None:
    sqlite_file(
        path,
        LEGACY_LOOSE,
        (
            (LEGACY_INSERT, ("t-1", "fine", None, 0, A_DAY, A_DAY)),
            (LEGACY_INSERT, ("t-2", None, "no title", 0, A_DAY, A_DAY)),
        ),
    )


def legacy_with_completed_yes(path: Path) -> None:
    sqlite_file(path, LEGACY_LOOSE, ((LEGACY_INSERT, ("t-1", "done?", None, "yes", A_DAY, A_DAY)),))


def legacy_with_more_columns(path: Path) -> None:
    sqlite_file(
        path,
        LEGACY_LOOSE + "ALTER TABLE tasks ADD COLUMN project_id INTEGER;"
        "ALTER TABLE tasks ADD COLUMN secret TEXT;",
        (
            (
                "INSERT INTO tasks (id, title, completed, project_id, secret) "
                "VALUES ('t-1', 'kept', 0, 7, 'hunter2')",
                (),
            ),
        ),
    )


def empty_versions_beside_another_tasks_table(path: Path) -> None:
    sqlite_file(
        path,
        TASKFLOW_VERSIONS + "CREATE TABLE tasks (id INTEGER PRIMARY KEY, name TEXT, done INT);",
        (("INSERT INTO tasks (name, done) VALUES ('other', 1)", ()),),
    )


def taken_down_to_0_by_an_earlier_taskflow(path: Path) -> None:
    """What `taskflow db migrate --to 0` left: the legacy table beside an empty version
    table, every owner's tasks together with no owner recorded."""
    sqlite_file(
        path,
        LEGACY_LOOSE + TASKFLOW_VERSIONS,
        (
            (LEGACY_INSERT, ("a-1", "alice's", None, 0, A_DAY, A_DAY)),
            (LEGACY_INSERT, ("b-1", "bob's", None, 1, A_DAY, A_DAY)),
        ),
    )


@dataclass(frozen=True)
class Refused:
    make: Callable[[Path], None]
    message: str


REFUSED = {
    "folder": Refused(lambda p: p.mkdir(), "is a folder"),
    "empty file": Refused(lambda p: p.write_bytes(b""), "empty file"),
    "random bytes": Refused(lambda p: p.write_bytes(os.urandom(64 * 1024)), "not a SQLite"),
    "truncated database": Refused(truncated, "truncated or corrupt"),
    "text file": Refused(lambda p: p.write_text("milk\neggs\n[bold]bread[/]\n"), "not a SQLite"),
    "database from a newer TaskFlow": Refused(from_a_newer_taskflow, "newer TaskFlow"),
    "another program's schema_migrations": Refused(versions_of_another_program, "another program"),
    "Rails' schema_migrations": Refused(rails_versions, "another program"),
    "legacy table with a NULL title": Refused(legacy_with_a_null_title, "1 task with no title"),
    "legacy table with completed 'yes'": Refused(
        legacy_with_completed_yes, "completed neither 0 nor 1"
    ),
    "legacy table with more columns": Refused(legacy_with_more_columns, "project_id, secret"),
    "empty schema_migrations beside another tasks table": Refused(
        empty_versions_beside_another_tasks_table, "another program"
    ),
    "file an earlier TaskFlow took down to 0": Refused(
        taken_down_to_0_by_an_earlier_taskflow, "taken down to schema version 0"
    ),
}


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's bytes (a folder: its listing) and what lies beside it."""
    content = repr(sorted(os.listdir(path))) if path.is_dir() else file_digest(path)
    return content, sorted(os.listdir(path.parent))


def one_line_failure(code: int, out: str, err: str, fragment: str) -> list[str]:
    problems = []
    if code != 1:
        problems.append(f"exit status {code}, expected 1")
    if out:
        problems.append(f"printed {out!r} on stdout")
    if err.count("\n") != 1 or not err.startswith("taskflow: ") or "Traceback" in err:
        problems.append(f"stderr is not one line: {err!r}")
    if fragment not in err:
        problems.append(f"stderr does not say {fragment!r}: {err!r}")
    return problems


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_refused_file_ends_every_command_with_one_line_and_is_left_alone(
    tmp_path: Path, case: str
) -> None:
    path = tmp_path / "tasks.db"
    REFUSED[case].make(path)
    message = REFUSED[case].message
    before = fingerprint(path)

    app = launch(path, try_to_change_things)
    problems = [f"app: {p}" for p in one_line_failure(app.code, "", app.stderr, message)]
    if app.started:
        problems.append("the app started on a file it should have refused")
    for command in COMMANDS:
        code, out, err = run_cli(path, *command)
        problems += [f"{' '.join(command)}: {p}" for p in one_line_failure(code, out, err, message)]

    assert problems == []
    assert fingerprint(path) == before


# -- not a file at all: a FIFO, a device ---------------------------------------------------

# Against a hang only (a FIFO used to block every command for good); nothing is timed.
HANG_SECONDS = 60
APP_IN_A_CHILD = """
import json, sys
from pathlib import Path
from tests.safety.apps import launch
from tests.safety.test_bad_files import try_to_change_things
seen = launch(Path(sys.argv[1]), try_to_change_things)
print(json.dumps({"code": seen.code, "stderr": seen.stderr, "started": seen.started}))
"""


def run_in_a_child(*args: str) -> tuple[int, str, str] | None:
    """``python ARGS`` with the tree under test first on the path; None if it hung."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    environment.pop("PYTHONWARNINGS", None)
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return done.returncode, done.stdout, done.stderr


def test_a_fifo_as_the_database_is_refused_by_the_app_and_every_command(tmp_path: Path) -> None:
    fifo = tmp_path / "tasks.db"
    os.mkfifo(fifo)
    app = run_in_a_child("-c", APP_IN_A_CHILD, str(fifo))
    assert app is not None, "the app hung on a FIFO"
    assert app[0] == 0, app[2]
    seen = json.loads(app[1])
    assert one_line_failure(seen["code"], "", seen["stderr"], "named pipe (FIFO)") == []
    assert not seen["started"]
    for command in (*COMMANDS, ("db", "migrate"), ("db", "backup")):
        result = run_in_a_child("-m", "tui", "--db", str(fifo), "--user", USER, *command)
        assert result is not None, f"{' '.join(command)} hung on a FIFO"
        assert one_line_failure(*result, "is a named pipe (FIFO), not a database file") == []
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["tasks.db"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_as_the_database_is_refused_in_one_line(device: str) -> None:
    for command in (("list",), ("add", "x")):
        code, out, err = run_cli(Path(device), *command)
        assert one_line_failure(code, out, err, "is a character device") == [], command


def test_a_fifo_where_sqlite_keeps_its_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tasks.db"
    a_database(path)
    os.mkfifo(f"{path}-wal")
    before = fingerprint(path)
    code, out, err = run_cli(path, "list")
    assert one_line_failure(code, out, err, "-wal beside it is a named pipe") == []
    assert fingerprint(path) == before


def test_importing_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    path = tmp_path / "tasks.db"
    a_database(path)
    fifo = tmp_path / "tasks.json"
    os.mkfifo(fifo)
    before = fingerprint(path)
    result = run_in_a_child("-m", "tui", "--db", str(path), "--user", USER, "import", str(fifo))
    assert result is not None, "import hung on a FIFO"
    assert one_line_failure(*result, "it is a named pipe (FIFO), not a regular file") == []
    assert fingerprint(path) == before


# -- read-only: run as an unprivileged user ------------------------------------------------


def read_only_session(path: str) -> dict[str, Any]:
    """In the unprivileged child: launch the app and run each command, report plainly."""
    app = launch(Path(path), try_to_change_things)
    commands = {" ".join(command): run_cli(Path(path), *command) for command in COMMANDS}
    return {"app": app, "commands": commands}


def check_read_only(result: dict[str, Any], reason: str) -> list[str]:
    app: Launch = result["app"]
    problems = []
    if app.code != 0 or app.stderr:
        problems.append(f"app ended with {app.code}: {app.stderr!r}")
    warnings = [text for severity, text in app.messages if severity == "warning"]
    if not any("read-only" in text and reason in text for text in warnings):
        problems.append(f"the app did not say it opened read-only ({reason}): {app.messages}")
    if any("\n" in text for _, text in app.messages):
        problems.append(f"a message of more than one line: {app.messages}")
    if app.rows != [("kept safe", False), ("also kept", False)]:
        problems.append(f"the app shows {app.rows}")
    for command, (code, out, err) in result["commands"].items():
        if command == "add a new task":
            problems += [f"{command}: {p}" for p in one_line_failure(code, out, err, "read-only")]
        elif code != 0 or err:
            problems.append(f"{command}: exit {code}, {err!r} (reading must work)")
    return problems


def control_run_as_root(folder: Path) -> None:
    """The same session on a writable file, first: it must not be read-only (so what the
    unprivileged run shows comes from the permissions), and it loads every module the
    session needs, which the unprivileged child could not read from root's Python."""
    path = folder / "control.db"
    a_database(path)
    result = read_only_session(str(path))
    app: Launch = result["app"]
    assert (app.code, app.stderr) == (0, "")
    assert not any("read-only" in text for _, text in app.messages), app.messages
    assert ("typed while it was bad", False) in app.rows and ("kept safe", True) in app.rows
    assert result["commands"]["add a new task"][0] == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_a_read_only_file_opens_read_only_everywhere_and_is_left_alone() -> None:
    folder = shared_tmpdir()
    control_run_as_root(folder)
    path = folder / "tasks.db"
    a_database(path)
    os.chown(folder, NOBODY_UID, NOBODY_GID)  # the folder is theirs; the file is not
    path.chmod(0o644)
    before = file_digest(path)
    result = run_unprivileged(lambda: read_only_session(str(path)))
    assert check_read_only(result, "the file is read-only") == []
    assert file_digest(path) == before


def test_a_file_in_a_read_only_folder_opens_read_only_everywhere_and_is_left_alone() -> None:
    folder = shared_tmpdir()
    control_run_as_root(folder)
    path = folder / "tasks.db"
    a_database(path)
    os.chown(path, NOBODY_UID, NOBODY_GID)  # the file is theirs; the folder is not
    folder.chmod(0o555)
    before = file_digest(path), sorted(os.listdir(folder))
    try:
        result = run_unprivileged(lambda: read_only_session(str(path)))
    finally:
        folder.chmod(0o755)
    assert check_read_only(result, "is read-only") == []
    assert (file_digest(path), sorted(os.listdir(folder))) == before


# -- locked by another program ------------------------------------------------------------


@pytest.fixture
def locked(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A database that another process holds in an exclusive transaction."""
    path = tmp_path / "tasks.db"
    a_database(path)
    before = file_digest(path)
    locker = Child("locker", str(path), request.param)
    assert locker.wait_for("holding")
    yield path
    locker.send("release")
    assert locker.wait_for("released")
    assert locker.finish()[0] == 0
    assert file_digest(path) == before


@pytest.mark.parametrize("locked", ["exclusive"], indirect=True)
def test_a_file_in_another_programs_write_transaction_can_be_read_not_changed(
    locked: Path,
) -> None:
    """WAL lets readers in beside a writer: the app opens and shows the tasks; a change
    waits for the busy timeout, then fails with one line, and the screen shows the
    task as it is stored, not as the failed change would have left it."""
    app = launch(locked, try_to_change_things)
    assert (app.code, app.stderr) == (0, "")
    assert app.rows == [("kept safe", False), ("also kept", False)]
    busy = [text for severity, text in app.messages if severity == "error"]
    assert busy and all("is busy" in text and "\n" not in text for text in busy), app.messages
    assert any("is busy" in text for text in app.form_errors), app.form_errors
    code, out, err = run_cli(locked, "list", "--all")
    assert (code, err) == (0, "") and "kept safe" in out
    assert one_line_failure(*run_cli(locked, "add", "a new task"), "is busy") == []


@pytest.mark.parametrize("locked", ["exclusive-lock"], indirect=True)
def test_a_file_locked_against_readers_too_ends_with_one_line(locked: Path) -> None:
    app = launch(locked, try_to_change_things)
    assert one_line_failure(app.code, "", app.stderr, "is busy") == []
    assert not app.started
    for command in (("list", "--all"), ("add", "a new task")):
        assert one_line_failure(*run_cli(locked, *command), "is busy") == [], command
