"""Backups count only when sound, never push a sound one out, and their leftovers go.

A backup is a copy made with SQLite's online backup API; a copy of a damaged database
is damaged too. It is checked (quick_check, on a connection of its own) before it takes
a place among the newest five, so a damaged database cannot rotate the good backups
away. What a killed backup leaves (a hidden ``*.partial`` copy and its journals) is
removed by the next rotation, unless the backup that wrote it is still running.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import store.migrate as runner
from store import LATEST_VERSION, NotADatabaseError, TaskStore, open_store
from tests.helpers import FrozenClock, file_digest

pytestmark = pytest.mark.sqlite_only

TASKS = 30
# Bytes 8192-11191: most of the third page, which holds a b-tree every file has.
DAMAGE_AT, DAMAGE_LENGTH = 8192, 3000


def integrity(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "; ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        connection.close()


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would."""
    with path.open("r+b") as handle:
        handle.seek(DAMAGE_AT)
        handle.write(random.Random(13).randbytes(DAMAGE_LENGTH))


def with_good_backups(path: Path, clock: FrozenClock, *, version: int = LATEST_VERSION) -> None:
    """A file of 30 tasks at ``version``, with KEEP_BACKUPS sound backups beside it."""
    with open_store(path, user="alice", clock=clock) as store:
        for number in range(TASKS):
            store.create(f"task {number}", "a few words of notes " * 4)
        if version != LATEST_VERSION:
            store.migrate(to=version)
        for _ in range(runner.KEEP_BACKUPS):
            clock.advance(seconds=1)
            store.backup()
    assert len(runner.list_backups(path)) == runner.KEEP_BACKUPS


def backups_and_digests(path: Path) -> dict[str, str]:
    return {backup.name: file_digest(backup) for backup in runner.list_backups(path)}


@pytest.fixture
def damaged(db_path: Path, clock: FrozenClock) -> Path:
    with_good_backups(db_path, clock)
    damage(db_path)
    assert integrity(db_path) != "ok"  # the damage is real
    return db_path


def test_five_backups_of_a_damaged_file_are_refused_and_the_good_ones_stay(
    damaged: Path, clock: FrozenClock
) -> None:
    before = backups_and_digests(damaged)
    for _ in range(5):
        clock.advance(seconds=1)
        with (
            open_store(damaged, user="alice", clock=clock) as store,
            pytest.raises(NotADatabaseError, match="is damaged") as caught,
        ):
            store.backup()
        assert "\n" not in str(caught.value)
        assert "No backup was made" in str(caught.value)
    assert backups_and_digests(damaged) == before
    assert all(integrity(backup) == "ok" for backup in runner.list_backups(damaged))
    assert not [p for p in damaged.parent.iterdir() if p.name.endswith(".partial")]


def test_a_backup_to_a_path_of_a_damaged_file_is_refused_and_leaves_no_file(
    damaged: Path, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    target.parent.mkdir()
    with open_store(damaged, user="alice") as store, pytest.raises(NotADatabaseError):
        store.backup(target)
    assert list(target.parent.iterdir()) == []


def test_a_migration_of_a_damaged_file_makes_no_backup_and_changes_nothing(
    db_path: Path, clock: FrozenClock
) -> None:
    with_good_backups(db_path, clock, version=LATEST_VERSION - 1)
    damage(db_path)
    before = backups_and_digests(db_path), file_digest(db_path)
    clock.advance(seconds=1)
    with pytest.raises(NotADatabaseError, match="is damaged") as caught:
        open_store(db_path, user="alice", clock=clock)
    assert "\n" not in str(caught.value)
    assert (backups_and_digests(db_path), file_digest(db_path)) == before


@pytest.fixture
def running_process() -> Iterator[int]:
    """The id of a process that is alive for the whole test."""
    child = subprocess.Popen(["sleep", "600"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


def finished_process() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_rotation_removes_what_killed_backups_left_and_nothing_else(
    store: TaskStore, db_path: Path, clock: FrozenClock, running_process: int
) -> None:
    store.create("kept")
    kept_backup = store.backup()
    folder = db_path.parent
    stamp = "20260101T000000000000Z-v5"
    dead = finished_process()
    leftovers = [
        # Named before process ids were in the name (the older form).
        f".tasks.db.backup-{stamp}.0a1b2c3d.partial",
        f".tasks.db.backup-{stamp}.0a1b2c3d.partial-journal",
        # Of a backup whose process is gone: the copy, and the journals of its check.
        f".tasks.db.backup-{stamp}.{dead}-0123abcd.partial",
        f".tasks.db.backup-{stamp}.{dead}-0123abcd.partial-wal",
        f".tasks.db.backup-{stamp}.{dead}-0123abcd.partial-shm",
        # A journal whose partial copy is already gone.
        f".tasks.db.backup-{stamp}.{dead}-4567cdef.partial-journal",
        # Journals of a backup that the rotation (of an older TaskFlow) removed.
        "tasks.db.backup-20250101T000000000000Z-v4-wal",
        "tasks.db.backup-20250101T000000000000Z-v4-shm",
    ]
    in_progress = [
        f".tasks.db.backup-{stamp}.{running_process}-89abcdef.partial",
        f".tasks.db.backup-{stamp}.{running_process}-89abcdef.partial-journal",
    ]
    # Someone has the kept backup open: its journal may be hot, and is not a backup.
    journal_of_a_backup = kept_backup.name + "-journal"
    for name in [*leftovers, *in_progress, journal_of_a_backup]:
        (folder / name).write_bytes(b"x" * 4096)
    assert len(runner.list_backups(db_path)) == 1

    clock.advance(seconds=1)
    made = store.backup()

    names = {path.name for path in folder.iterdir()}
    assert not names & set(leftovers)
    assert names >= {*in_progress, journal_of_a_backup, kept_backup.name, made.name}
    assert runner.list_backups(db_path) == [kept_backup, made]


def test_journals_beside_a_backup_do_not_push_a_backup_out(
    store: TaskStore, db_path: Path, clock: FrozenClock
) -> None:
    store.create("kept")
    first = store.backup()
    for suffix in ("-wal", "-shm"):  # someone has the first backup open
        first.with_name(first.name + suffix).write_bytes(b"")
    for _ in range(runner.KEEP_BACKUPS - 1):
        clock.advance(seconds=1)
        store.backup()
    backups = runner.list_backups(db_path)
    assert len(backups) == runner.KEEP_BACKUPS and backups[0] == first
    assert first.exists() and first.with_name(first.name + "-wal").exists()


def test_a_backup_leaving_the_rotation_takes_its_journals_with_it(
    store: TaskStore, db_path: Path, clock: FrozenClock
) -> None:
    store.create("kept")
    first = store.backup()
    for suffix in ("-wal", "-shm"):
        first.with_name(first.name + suffix).write_bytes(b"")
    for _ in range(runner.KEEP_BACKUPS):
        clock.advance(seconds=1)
        store.backup()
    assert not [path for path in db_path.parent.iterdir() if path.name.startswith(first.name)]
    assert len(runner.list_backups(db_path)) == runner.KEEP_BACKUPS
