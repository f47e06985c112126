"""taskflow db status | migrate | check | backup, through ``main``, the file checked after."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest

import store.migrate as runner
from store import LATEST_VERSION, TaskStore, open_store
from tests.cli.helpers import CLI
from tests.helpers import FrozenClock, file_digest
from tests.store.test_backups import damage, integrity, with_good_backups
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def schema_version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])
    finally:
        connection.close()


# -- status --------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_status_of_a_missing_database_creates_nothing(cli: CLI, db_path: Path) -> None:
    result = cli("db", "status")
    assert result.code == EXIT_OK
    assert str(db_path) in result.out
    assert "does not exist yet" in result.out
    assert not db_path.exists()
    report = json.loads(cli("db", "status", "--json").out)
    assert report["exists"] is False
    assert report["schema_version"] is None
    assert not db_path.exists()


@pytest.mark.sqlite_only
def test_status_reports_path_versions_sizes_backups_and_counts(
    cli: CLI, alice: TaskStore, db_path: Path
) -> None:
    alice.create("one")
    done = alice.create("two")
    alice.toggle(done.id)
    backup = alice.backup()
    report = json.loads(cli("db", "status", "--json").out)
    assert report["path"] == str(db_path)
    assert report["source"] == "--db"
    assert report["exists"] is True
    assert report["schema_version"] == LATEST_VERSION == report["latest_version"]
    assert report["pending_migrations"] == []
    assert report["journal_mode"] == "wal"
    assert report["sizes"]["database"] == db_path.stat().st_size
    assert report["backups"] == [{"path": str(backup), "size": backup.stat().st_size}]
    assert report["user"] == "alice"
    assert report["tasks"] == {"open": 1, "done": 1}

    human = cli("db", "status")
    assert human.code == EXIT_OK
    assert f"Database:     {db_path} (from --db)" in human.out
    assert f"Schema:       version {LATEST_VERSION}" in human.out
    assert "Pending:      none" in human.out
    assert "Journal mode: wal" in human.out
    assert "Tasks:        1 open, 1 done" in human.out
    assert str(backup) in human.out


@pytest.mark.sqlite_only
def test_status_reports_pending_migrations_without_applying_them(
    cli: CLI, alice: TaskStore, db_path: Path
) -> None:
    alice.create("kept")
    alice.migrate(to=1)
    alice.close()
    report = json.loads(cli("db", "status", "--json").out)
    assert report["schema_version"] == 1
    pending = report["pending_migrations"]
    assert [step[:5] for step in pending] == [f"{n:04d} " for n in range(2, LATEST_VERSION + 1)]
    assert pending[0] == "0002 sort keys and indexes for every list order"
    assert report["tasks"] is None  # counting needs the current schema
    assert schema_version(db_path) == 1


# -- migrate -------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_migrate_down_and_up_again_keeps_the_tasks(cli: CLI, db_path: Path) -> None:
    cli("add", "survives migrations")
    down = cli("db", "migrate", "--to", "1")
    assert down.code == EXIT_OK
    assert f"from schema version {LATEST_VERSION} to 1" in down.out
    assert "Backup of the previous version:" in down.out
    assert schema_version(db_path) == 1

    up = json.loads(cli("db", "migrate", "--json").out)
    assert up["from_version"] == 1 and up["to_version"] == LATEST_VERSION
    assert len(up["applied"]) == LATEST_VERSION - 1
    assert up["applied"][0] == "0002 sort keys and indexes for every list order (up)"
    assert Path(up["backup"]).exists()
    assert schema_version(db_path) == LATEST_VERSION
    again = cli("db", "migrate")
    assert again.out == f"Already at schema version {LATEST_VERSION}; nothing to do.\n"
    with open_store(db_path, user="alice") as store:
        assert [t.title for t in store.list_tasks()] == ["survives migrations"]


@pytest.mark.sqlite_only
def test_migrate_to_a_version_that_does_not_exist_fails(cli: CLI, db_path: Path) -> None:
    cli("add", "x")
    result = cli("db", "migrate", "--to", "99")
    assert result.code == EXIT_FAILURE
    assert "There is no schema version 99" in result.err
    assert schema_version(db_path) == LATEST_VERSION
    assert cli("db", "migrate", "--to", "two").code == EXIT_USAGE


@pytest.mark.sqlite_only
def test_other_commands_bring_an_old_schema_up_to_date(cli: CLI, db_path: Path) -> None:
    cli("add", "x")
    cli("db", "migrate", "--to", "1")
    assert cli("list").code == EXIT_OK
    assert schema_version(db_path) == LATEST_VERSION


# -- check ---------------------------------------------------------------------------------------


def test_check_of_a_sound_database(cli: CLI, alice: TaskStore) -> None:
    alice.create("fine")
    result = cli("db", "check")
    assert result.code == EXIT_OK
    assert result.err == ""
    assert re.search(r"^  Integrity: +ok +ok$", result.out, re.MULTILINE)
    report = json.loads(cli("db", "check", "--json").out)
    assert report["ok"] is True
    assert report["integrity_check"] == "ok"
    assert report["problems"] == []


@pytest.mark.sqlite_only
def test_check_finds_what_only_the_full_integrity_check_sees(
    cli: CLI, alice: TaskStore, db_path: Path
) -> None:
    task = alice.create("indexed")
    alice.toggle(task.id)  # updated_at now differs from created_at
    alice.close()
    # Point an index's definition at another column: rows and index no longer agree.
    # SQLite's quick_check does not notice; integrity_check does.
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA writable_schema=ON")
    connection.execute(
        "UPDATE sqlite_master SET sql = replace(sql, '(user_id, created_at, id)', "
        "'(user_id, updated_at, id)') WHERE name = 'tasks_user_created'"
    )
    connection.commit()
    connection.close()

    result = cli("db", "check")
    assert result.code == EXIT_FAILURE
    assert re.search(r"^  Quick check: +ok +ok$", result.out, re.MULTILINE)
    assert re.search(
        r"^  Integrity: +PROBLEM +row 1 missing from index tasks_user_created$",
        result.out,
        re.MULTILINE,
    )
    assert len(result.error_lines) == 1
    assert "found problems" in result.err and "tasks_user_created" in result.err
    report = json.loads(cli("db", "check", "--json").out)
    assert report["ok"] is False
    assert report["quick_check"] == "ok"
    assert "tasks_user_created" in report["integrity_check"]


@pytest.mark.sqlite_only
def test_check_reports_an_old_schema_without_migrating(
    cli: CLI, alice: TaskStore, db_path: Path
) -> None:
    alice.create("x")
    alice.migrate(to=1)
    alice.close()
    result = cli("db", "check")
    assert result.code == EXIT_FAILURE
    assert f"schema version is 1, expected {LATEST_VERSION}" in result.err
    assert schema_version(db_path) == 1


@pytest.mark.sqlite_only
def test_check_of_a_file_that_is_not_a_database(cli: CLI, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    result = cli("db", "check", db=junk)
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1


# -- backup --------------------------------------------------------------------------------------


def backed_up_titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT title FROM tasks ORDER BY title")]
    finally:
        connection.close()


@pytest.mark.sqlite_only
def test_backup_beside_the_database(cli: CLI, alice: TaskStore, db_path: Path) -> None:
    alice.create("precious")
    result = json.loads(cli("db", "backup", "--json").out)
    made = Path(result["backup"])
    assert made.parent == db_path.parent
    assert made.name.startswith("tasks.db.backup-")
    assert backed_up_titles(made) == ["precious"]
    assert result["size"] == made.stat().st_size


@pytest.mark.sqlite_only
def test_backup_to_a_path_and_into_a_folder(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    alice.create("precious")
    target = tmp_path / "copy.db"
    result = cli("db", "backup", str(target))
    assert result.code == EXIT_OK
    assert str(target) in result.out
    assert backed_up_titles(target) == ["precious"]

    folder = tmp_path / "backups"
    folder.mkdir()
    assert cli("db", "backup", str(folder)).code == EXIT_OK
    (made,) = folder.iterdir()
    assert backed_up_titles(made) == ["precious"]


@pytest.mark.sqlite_only
def test_backup_never_overwrites_and_names_a_missing_folder(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("precious")
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"do not touch")
    result = cli("db", "backup", str(existing))
    assert result.code == EXIT_FAILURE
    assert "already exists" in result.err
    assert existing.read_bytes() == b"do not touch"

    missing = cli("db", "backup", str(tmp_path / "no" / "such" / "copy.db"))
    assert missing.code == EXIT_FAILURE
    assert "There is no folder" in missing.err
    assert len(missing.error_lines) == 1


@pytest.mark.sqlite_only
def test_backup_of_a_live_database_with_an_open_write_transaction(
    cli: CLI, alice: TaskStore, db_path: Path, tmp_path: Path
) -> None:
    """Another connection is in the middle of a write: the backup is still consistent
    (it holds the last committed state) and the writer is not disturbed."""
    alice.create("committed")
    writer = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO tasks (id, user_id, title, title_key, description, completed, "
        "created_at, updated_at, version) VALUES ('w', 'alice', 'uncommitted', "
        "'uncommitted', '', 0, '2026-11-20 09:30:00.000000', '2026-11-20 09:30:00.000000', 1)"
    )
    target = tmp_path / "live.db"
    finished = threading.Event()
    outcome: list[int] = []

    def back_up() -> None:
        outcome.append(cli("db", "backup", str(target)).code)
        finished.set()

    worker = threading.Thread(target=back_up)
    worker.start()
    assert finished.wait(timeout=20), "backup blocked by a writer"
    worker.join()
    writer.execute("COMMIT")
    writer.close()
    assert outcome == [EXIT_OK]
    assert backed_up_titles(target) == ["committed"]
    assert sorted(t.title for t in alice.list_tasks()) == ["committed", "uncommitted"]


@pytest.mark.sqlite_only
def test_backups_of_a_damaged_file_fail_in_one_line_and_keep_the_good_ones(
    cli: CLI, db_path: Path, clock: FrozenClock
) -> None:
    """The review's case: 30 tasks, 5 good backups, bytes 8192-11191 overwritten, then five
    `db backup` runs. Each used to succeed and rotate a good backup out for a damaged one."""
    with_good_backups(db_path, clock)
    damage(db_path)
    good = {path: file_digest(path) for path in runner.list_backups(db_path)}
    for _ in range(5):
        clock.advance(seconds=1)
        result = cli("db", "backup")
        assert result.code == EXIT_FAILURE
        assert result.out == ""
        assert len(result.error_lines) == 1
        assert "is damaged" in result.err and "No backup was made" in result.err
    assert {path: file_digest(path) for path in runner.list_backups(db_path)} == good
    assert all(integrity(path) == "ok" for path in good)


@pytest.mark.sqlite_only
def test_backup_of_an_in_memory_database_says_there_is_no_file(cli: CLI) -> None:
    result = cli("db", "backup", db=Path(":memory:"))
    assert result.code == EXIT_FAILURE
    assert "in-memory" in result.err


@pytest.mark.parametrize("argv", [["db"], ["db", "nosuch"], ["db", "backup", "a", "b"]])
def test_db_usage_errors(cli: CLI, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.code == EXIT_USAGE
    assert len(result.error_lines) == 1
    assert result.err.startswith("taskflow: ")
