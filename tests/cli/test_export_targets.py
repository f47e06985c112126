"""Where `export -o` may write, and what reaches a terminal (issue 13, items 1, 2 and 8).

`-o` writes only to a regular file or a new path (atomically), writes a symlink's
target (the link stays), streams to FIFOs, character devices and open descriptors,
and refuses in one line, with nothing written, anything else: the database and its
own files by any path, folders, sockets, block devices, dangling links, hard-linked
files, links planted in shared folders. An export to a terminal shows user text, it
never sends it raw; files and pipes get the exact bytes.

Nothing here touches the machine's own /dev/null or /dev/stdout: the devices are made
in the test's folder (or are a pseudo-terminal), and "/dev/stdout" is a link of the
test's own to /proc/self/fd/1, so that an export that wrongly replaced them harms
nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.cli.helpers import CLI, REPO
from tests.helpers import NOBODY_GID, NOBODY_UID
from tui.cli import EXIT_FAILURE, EXIT_OK

# Text an older database, or a history restored by undo, may hold: an OSC 52 clipboard
# write, an OSC 8 link, a C1 CSI colour, a right-to-left override, DEL.
HOSTILE = (
    "pay \x1b]52;c;aGVsbG8=\x07 \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ "
    "\x9b31mred \u202eevil\x7f"
)
RAW_BYTES = (b"\x1b", "\x9b".encode(), "\u202e".encode(), b"\x7f")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("taskflow: ")
    return lines[0]


def needs_root() -> None:
    """Giving a file to another user (and back) needs root; CI runs as root."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must run this as root: it gives files to another user")
        pytest.skip("needs root: it gives files to another user")


# -- 1. the database and its own files, whatever the path -------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A closed SQLite database with two tasks (closed: its main file then holds it all)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "tasks.db"
    with open_store(path, user="alice") as store:
        store.create("first")
        store.create("second")
    return path


def titles(path: Path) -> list[str]:
    with open_store(path, user="alice") as store:
        return sorted(task.title for task in store.list_tasks())


def _symlinked_db(tmp: Path, db: Path) -> tuple[str, str]:
    link = tmp / "link.db"
    link.symlink_to(db)
    return str(link), str(db)  # opened by the link, written by its real name


def _link_to_db(tmp: Path, db: Path) -> tuple[str, str]:
    link = tmp / "tasks.json"
    link.symlink_to(db)
    return str(db), str(link)


def _through_a_linked_folder(tmp: Path, db: Path) -> tuple[str, str]:
    alias = tmp / "alias"
    alias.symlink_to(db.parent, target_is_directory=True)
    return str(db), str(alias / db.name)


def _another_spelling(tmp: Path, db: Path) -> tuple[str, str]:
    (db.parent / "sub").mkdir()
    return str(db), f"{db.parent}/sub/.././/{db.name}"


def _hard_link(tmp: Path, db: Path) -> tuple[str, str]:
    other = tmp / "copy.json"
    os.link(db, other)
    return str(db), str(other)


def _link_to_a_backup(tmp: Path, db: Path) -> tuple[str, str]:
    with open_store(db, user="alice") as store:
        backup = store.backup(db.with_name(db.name + ".backup-20260101T000000000000Z-v5"))
    link = tmp / "old.json"
    link.symlink_to(backup)
    return str(db), str(link)


WAYS_TO_THE_DATABASE: dict[str, Callable[[Path, Path], tuple[str, str]]] = {
    "opened through a symlink, written by its real name": _symlinked_db,
    "a symlink to the database": _link_to_db,
    "through a symlinked folder": _through_a_linked_folder,
    "another spelling of the path": _another_spelling,
    "a hard link to the database": _hard_link,
    "a symlink to one of its backups": _link_to_a_backup,
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("way", WAYS_TO_THE_DATABASE)
def test_export_never_writes_over_the_database(
    cli: CLI, database: Path, tmp_path: Path, way: str
) -> None:
    db, output = WAYS_TO_THE_DATABASE[way](tmp_path, database)
    files = {p: digest(p) for p in database.parent.iterdir() if p.is_file()}
    result = cli("export", "-o", output, db=db)
    assert result.code == EXIT_FAILURE
    assert "database" in one_line(result.err) or "hard link" in result.err
    assert {p: digest(p) for p in database.parent.iterdir() if p.is_file()} == files
    assert titles(database) == ["first", "second"]
    assert leftovers(database.parent) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_export_never_writes_over_the_wal_or_shm_of_a_database_in_use(
    cli: CLI, database: Path, tmp_path: Path, suffix: str
) -> None:
    # Another program has the database open, so its -wal and -shm exist.
    holder = sqlite3.connect(database)
    try:
        holder.execute("SELECT count(*) FROM tasks").fetchone()
        companion = database.with_name(database.name + suffix)
        assert companion.exists()
        before = digest(companion)
        link = tmp_path / "tasks.json"
        link.symlink_to(companion)
        result = cli("export", "-o", str(link), db=database)
        assert result.code == EXIT_FAILURE
        assert "database" in one_line(result.err)
        assert digest(companion) == before
    finally:
        holder.close()
    assert titles(database) == ["first", "second"]


@pytest.mark.sqlite_only
def test_export_to_a_descriptor_open_on_the_database_is_refused(cli: CLI, database: Path) -> None:
    before = digest(database)
    descriptor = os.open(database, os.O_RDWR)
    try:
        result = cli("export", "-o", f"/dev/fd/{descriptor}", db=database)
    finally:
        os.close(descriptor)
    assert result.code == EXIT_FAILURE
    assert "database" in one_line(result.err)
    assert digest(database) == before


# -- 2. what -o may write to ---------------------------------------------------------------------


def test_a_symlink_is_written_through_and_stays_a_link(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("x")
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "tasks.json"
    link.symlink_to(target.name)  # relative, as ln -s usually makes them
    result = cli("export", "-o", str(link))
    assert result.code == EXIT_OK, result.err
    assert link.is_symlink() and os.readlink(link) == target.name
    assert json.loads(target.read_text())["tasks"][0]["title"] == "x"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_is_refused(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    link = tmp_path / "tasks.json"
    link.symlink_to(tmp_path / "nowhere.json")
    result = cli("export", "-o", str(link))
    assert result.code == EXIT_FAILURE
    assert "does not exist" in one_line(result.err)
    assert link.is_symlink() and not (tmp_path / "nowhere.json").exists()


def test_a_file_with_other_hard_links_is_refused_and_kept(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("x")
    first = tmp_path / "tasks.json"
    first.write_text("shared")
    second = tmp_path / "also.json"
    os.link(first, second)
    result = cli("export", "-o", str(first))
    assert result.code == EXIT_FAILURE
    assert "hard link" in one_line(result.err)
    assert first.read_text() == second.read_text() == "shared"
    assert first.stat().st_ino == second.stat().st_ino and first.stat().st_nlink == 2
    assert leftovers(tmp_path) == []


def test_replacing_another_users_file_keeps_its_owner_group_and_mode(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    needs_root()
    alice.create("x")
    target = tmp_path / "theirs.json"
    target.write_text("theirs")
    os.chown(target, NOBODY_UID, NOBODY_GID)
    target.chmod(0o604)
    result = cli("export", "-o", str(target))
    assert result.code == EXIT_OK, result.err
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (
        NOBODY_UID,
        NOBODY_GID,
        0o604,
    )
    assert json.loads(target.read_text())["tasks"][0]["title"] == "x"


def test_a_link_another_user_planted_in_a_shared_sticky_folder_is_not_followed(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    needs_root()
    alice.create("x")
    mine = tmp_path / "precious.txt"
    mine.write_text("mine")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp
    planted = shared / "tasks.json"
    planted.symlink_to(mine)
    os.lchown(planted, NOBODY_UID, NOBODY_GID)
    result = cli("export", "-o", str(planted))
    assert result.code == EXIT_FAILURE
    assert "another user" in one_line(result.err)
    assert mine.read_text() == "mine"
    assert planted.is_symlink()


def test_a_fifo_is_streamed_to_and_stays_a_fifo(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    alice.create("through the pipe")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reader is open first (without waiting), so the export's open does not wait.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = cli("export", "-o", str(fifo))
        received = b""
        with pytest.raises(BlockingIOError):
            while chunk := os.read(reader, 65536):
                received += chunk
            raise BlockingIOError  # end of the data: the writer closed
    finally:
        os.close(reader)
    assert result.code == EXIT_OK, result.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received)["tasks"][0]["title"] == "through the pipe"
    assert leftovers(tmp_path) == []


def make_device(path: Path, kind: int, major: int, minor: int) -> None:
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except PermissionError:
        if os.environ.get("CI"):  # CI runs as root: it must be able to
            pytest.fail("CI must run the device cases, but making a device node was refused")
        pytest.skip("this machine does not let the test make a device node")


def test_a_character_device_is_streamed_to_and_stays_a_device(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    needs_root()
    alice.create("x")
    null = tmp_path / "null"
    make_device(null, stat.S_IFCHR, 1, 3)  # the same device as /dev/null
    result = cli("export", "-o", str(null))
    assert result.code == EXIT_OK, result.err
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert os.stat(null).st_rdev == os.makedev(1, 3)
    assert leftovers(tmp_path) == []


def read_leader(leader: int, chunks: list[bytes]) -> None:
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            return
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the last writer closed the terminal
            return
        if not chunk:
            return
        chunks.append(chunk)


def test_a_terminal_given_as_o_gets_user_text_escaped(cli: CLI, hostile_task: str) -> None:
    leader, follower = pty.openpty()
    terminal = os.ttyname(follower)
    chunks: list[bytes] = []
    reading = threading.Thread(target=read_leader, args=(leader, chunks))
    reading.start()
    try:
        result = cli("export", "-f", "csv", "-o", terminal)
        still_a_terminal = stat.S_ISCHR(os.stat(terminal).st_mode) and os.isatty(follower)
    finally:
        os.close(follower)
        reading.join(timeout=60)
        os.close(leader)
    assert result.code == EXIT_OK, result.err
    shown = b"".join(chunks)
    assert not any(raw in shown for raw in RAW_BYTES), shown
    assert "␛]52;c;aGVsbG8=␇".encode() in shown
    assert still_a_terminal


@pytest.mark.parametrize("kind", ["socket", "block device"])
def test_sockets_and_block_devices_are_refused(
    cli: CLI, alice: TaskStore, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "there"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    else:
        needs_root()
        make_device(path, stat.S_IFBLK, 7, 0)  # a loop device's node, never opened
    before = path.lstat()
    result = cli("export", "-o", str(path))
    assert result.code == EXIT_FAILURE
    assert kind in one_line(result.err)
    after = path.lstat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


# -- 2. an open descriptor: /dev/stdout ------------------------------------------------------------


def export_process(
    args: list[str], cwd: Path, *, stdout: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )


@pytest.mark.sqlite_only
def test_o_dev_stdout_writes_where_the_shell_pointed_it(database: Path, tmp_path: Path) -> None:
    # /dev/stdout is a link to /proc/self/fd/1: this one is the test's own.
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    args = ["--db", str(database), "--user", "alice", "export", "-o", str(stdout)]

    piped = export_process(args, tmp_path)
    assert piped.returncode == EXIT_OK, piped.stderr
    assert len(json.loads(piped.stdout)["tasks"]) == 2  # the data alone: no message in it
    assert b"Exported 2 tasks" in piped.stderr

    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier line\n")
    with log.open("ab") as appending:  # `>> log.txt`
        appended = export_process(args, tmp_path, stdout=appending.fileno())
    assert appended.returncode == EXIT_OK, appended.stderr
    earlier, rest = log.read_bytes().split(b"\n", 1)
    assert earlier == b"earlier line"
    assert len(json.loads(rest)["tasks"]) == 2
    assert stdout.is_symlink()


# -- 8. an export to a terminal shows user text; files and pipes get it exactly --------------------


def put_raw_text(location: str, task_id: str, text: str) -> None:
    """Text the store's validation would refuse today, as an older database holds it."""
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as server:
            server.execute(
                "UPDATE tasks SET title = %s, description = %s WHERE id = %s",
                (text, text, task_id),
            )
        return
    connection = sqlite3.connect(location)
    try:
        connection.execute(
            "UPDATE tasks SET title = ?, description = ? WHERE id = ?", (text, text, task_id)
        )
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def hostile_task(alice: TaskStore, location: str) -> str:
    task = alice.create("placeholder")
    put_raw_text(location, task.id, HOSTILE)
    return task.id


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes]:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"},
    )
    os.close(follower)
    chunks: list[bytes] = []
    read_leader(leader, chunks)
    process.wait(timeout=60)
    os.close(leader)
    return process.returncode, b"".join(chunks)


@pytest.mark.parametrize("fmt", ["json", "csv", "todotxt"])
def test_an_export_to_a_terminal_never_sends_control_characters(
    hostile_task: str, location: str, tmp_path: Path, fmt: str
) -> None:
    args = ["--db", location, "--user", "alice", "export", "-f", fmt]
    code, shown = on_a_terminal(args, tmp_path)
    assert code == EXIT_OK, shown
    assert not any(raw in shown for raw in RAW_BYTES), shown
    text = shown.decode("utf-8").replace("\r\n", "\n")  # the terminal's own line ends
    if fmt == "json":
        # Escaped the JSON way: still the same document, the same title.
        assert json.loads(text)["tasks"][0]["title"] == HOSTILE
    else:
        assert "pay ␛]52;c;aGVsbG8=␇" in text and "<U+202E>evil␡" in text

    piped = export_process(args, tmp_path)  # a pipe: the exact bytes, for a round trip
    assert piped.returncode == EXIT_OK
    assert b"\x1b]52;c;aGVsbG8=\x07" in piped.stdout or fmt == "json"
    if fmt == "json":
        assert json.loads(piped.stdout)["tasks"][0]["title"] == HOSTILE
        assert "\u202e".encode() in piped.stdout  # UTF-8 as it is, not \u escaped


def test_an_export_file_keeps_the_exact_text(cli: CLI, hostile_task: str, tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    assert HOSTILE.encode() in path.read_bytes()


@pytest.mark.parametrize("command", [["list", "--json"], ["show", "--json"]])
def test_json_output_to_a_terminal_escapes_what_json_leaves_raw(
    hostile_task: str, location: str, tmp_path: Path, command: list[str]
) -> None:
    extra = [hostile_task] if command[0] == "show" else []
    args = ["--db", location, "--user", "alice", command[0], *extra, *command[1:]]
    code, shown = on_a_terminal(args, tmp_path)
    assert code == EXIT_OK, shown
    assert not any(raw in shown for raw in RAW_BYTES), shown
    value = json.loads(shown.decode("utf-8").replace("\r\n", "\n"))
    assert (value[0] if isinstance(value, list) else value)["title"] == HOSTILE
