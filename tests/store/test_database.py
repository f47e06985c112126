"""Opening, closing and checking the database file: the store's guarantees about the file."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from store import (
    LATEST_VERSION,
    HealthCheckError,
    LocationError,
    NotADatabaseError,
    PermissionDeniedError,
    ReadOnlyError,
    TaskStore,
    UnsupportedDatabaseURL,
    open_store,
)
from tests.helpers import file_digest, run_unprivileged, shared_tmpdir

EXPECTED_TABLES = {"users", "tasks", "task_events", "schema_migrations"}
EXPECTED_INDEXES = {
    "tasks": {"tasks_user_completed", "tasks_user_created", "tasks_user_updated"},
    "task_events": {"task_events_task", "task_events_user"},
}


def test_opens_an_in_memory_database() -> None:
    with open_store(":memory:", user="alice") as store:
        assert store.path is None
        created = store.create("Remember the milk")
        assert store.get(created.id).title == "Remember the milk"
        assert store.health().ok


def test_in_memory_database_is_shared_by_worker_threads() -> None:
    # A thread worker in the app must see the same in-memory database as the main thread.
    with open_store(":memory:", user="alice") as store:
        store.create("made on the main thread")
        seen: list[str] = []
        worker = threading.Thread(target=lambda: seen.extend(t.title for t in store.list_tasks()))
        worker.start()
        worker.join()
        assert seen == ["made on the main thread"]


def test_creates_the_file_at_the_given_path_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "tasks.db"
    with open_store(path, user="alice") as store:
        store.create("first")
    assert path.is_file()
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


@pytest.mark.sqlite_only
def test_wal_is_on_after_open(store: TaskStore, db_path: Path) -> None:
    assert store.health().journal_mode == "wal"
    # WAL is a property of the file: a connection that is not ours sees it too.
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_foreign_keys_are_on_on_every_connection_including_another_thread(
    store: TaskStore,
) -> None:
    assert store.health().foreign_keys
    from_thread: list[bool] = []
    thread = threading.Thread(target=lambda: from_thread.append(store.health().foreign_keys))
    thread.start()
    thread.join()
    assert from_thread == [True]


@pytest.mark.sqlite_only
def test_connection_settings_busy_timeout_and_synchronous(store: TaskStore) -> None:
    settings = store._backend.settings()
    assert settings.busy_timeout_ms >= 2000
    assert settings.synchronous == 2  # FULL: a commit the UI reported survives a power cut


@pytest.mark.sqlite_only
def test_all_tables_and_indexes_exist_after_open(store: TaskStore, db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables.issuperset(EXPECTED_TABLES)
    for table, indexes in EXPECTED_INDEXES.items():
        found = {row[1] for row in raw.execute(f"PRAGMA index_list({table})")}
        assert indexes <= found, f"{table} lacks {indexes - found}"
    raw.close()


def test_close_is_clean_and_idempotent(db_path: Path) -> None:
    store = open_store(db_path, user="alice")
    store.create("one")
    store.close()
    store.close()
    # Clean: the last connection closed, so SQLite checkpointed and removed the WAL.
    assert not Path(str(db_path) + "-wal").exists()
    with open_store(db_path, user="alice") as reopened:
        assert [t.title for t in reopened.list_tasks()] == ["one"]


def test_invalid_path_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LocationError, match="is a folder"):
        open_store(tmp_path, user="alice")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LocationError, match="is a file, not a folder"):
        open_store(blocker / "tasks.db", user="alice")


def test_unsupported_url_scheme_is_refused() -> None:
    with pytest.raises(UnsupportedDatabaseURL, match="Unsupported database URL"):
        open_store("mysql://localhost/tasks", user="alice")


def test_sqlite_url_opens_the_file(tmp_path: Path) -> None:
    target = tmp_path / "via-url.db"
    with open_store(f"sqlite:///{target}", user="alice") as store:
        store.create("x")
    assert target.exists()


def test_health_check_passes_on_a_good_file(store: TaskStore) -> None:
    report = store.check_health()
    assert report.ok
    assert report.quick_check == "ok"
    assert report.schema_version == LATEST_VERSION


def test_health_check_fails_on_a_bad_file(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        for number in range(400):
            store.create(f"task {number}", "words " * 40)
    # Scribble over the middle of the file, leaving the header and schema page intact.
    size = db_path.stat().st_size
    with db_path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(4096))
    with open_store(db_path, user="alice") as store:
        report = store.health()
        assert not report.ok
        assert any("quick_check" in problem for problem in report.problems)
        with pytest.raises(HealthCheckError, match=r"Health check of .* failed"):
            store.check_health()


@pytest.mark.sqlite_only
def test_health_check_fails_when_foreign_keys_are_off(store: TaskStore) -> None:
    with store._backend.session():
        store._backend.db.execute_sql("PRAGMA foreign_keys = OFF")
        with pytest.raises(HealthCheckError, match="foreign keys are not enforced"):
            store.check_health()


def _create_many(path: str, owner: str, count: int) -> None:
    with open_store(path, user=owner) as store:
        for number in range(count):
            task = store.create(f"{owner} {number}")
            store.toggle(task.id)


def test_concurrent_threads_write_without_database_is_locked(store: TaskStore) -> None:
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for number in range(60):
                task = store.create(f"{name} {number}")
                store.toggle(task.id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"thread{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.counts().done == 240


def test_concurrent_processes_write_without_database_is_locked(db_path: Path) -> None:
    open_store(db_path, user="alice").close()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_create_many, args=(str(db_path), "alice", 80)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    with open_store(db_path, user="alice") as store:
        assert store.counts().done == 240


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"hello, these are my notes\n", "not a SQLite database"),
        (os.urandom(8192), "not a SQLite database"),
    ],
    ids=["empty", "text", "random-bytes"],
)
def test_non_database_files_are_refused_unchanged(
    db_path: Path, content: bytes, message: str
) -> None:
    db_path.write_bytes(content)
    before = file_digest(db_path)
    with pytest.raises(NotADatabaseError, match=message):
        open_store(db_path, user="alice")
    assert file_digest(db_path) == before


def test_truncated_database_is_refused_unchanged(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        for number in range(300):
            store.create(f"task {number}", "padding " * 30)
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 2])
    before = file_digest(db_path)
    with pytest.raises(NotADatabaseError, match="truncated"):
        open_store(db_path, user="alice")
    assert file_digest(db_path) == before


HOLD_THE_FILE = """
import sys
from store import open_store
store = open_store(sys.argv[1], user="bob")
store.create("written by another program")
print("holding", flush=True)
sys.stdin.readline()
store.close()
"""


def test_a_wal_deleted_by_another_program_while_opening_is_no_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program's last connection checkpoints and deletes the -wal when it closes,
    which may happen while this one looks at the file before opening it (the benchmark
    once met it: "No such file or directory: ...db-wal", as a traceback)."""
    with open_store(db_path, user="alice") as store:
        store.create("mine")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FILE, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert holder.stdout is not None and holder.stdin is not None
    commands = holder.stdin
    wal = str(db_path) + "-wal"
    real_stat = os.stat

    def stat_then_the_other_program_quits(
        target: str | os.PathLike[str], *args: Any, **kwargs: Any
    ) -> os.stat_result:
        result = real_stat(target, *args, **kwargs)
        if os.fspath(target) == wal and holder.poll() is None:
            commands.write("quit\n")
            commands.flush()
            assert holder.wait(30) == 0
            assert not os.path.lexists(wal)  # it took itself for the last user, as it was
        return result

    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(os, "stat", stat_then_the_other_program_quits)
        with open_store(db_path, user="alice") as store:
            assert [task.title for task in store.list_tasks()] == ["mine"]
            assert store.health().ok
        monkeypatch.undo()
        assert holder.returncode == 0  # the -wal was looked at, and went away meanwhile
    finally:
        holder.kill()
        holder.wait()
    with open_store(db_path, user="bob") as store:
        assert [task.title for task in store.list_tasks()] == ["written by another program"]


def test_a_file_moved_away_while_opening_gets_a_one_line_message(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(db_path, user="alice") as store:
        store.create("mine")
    moved = db_path.with_name("moved.db")
    real_stat = os.stat

    def moved_after_its_header_was_read(
        target: str | os.PathLike[str], *args: Any, **kwargs: Any
    ) -> os.stat_result:
        if os.fspath(target) == str(db_path) + "-wal" and db_path.exists():
            db_path.rename(moved)
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(os, "stat", moved_after_its_header_was_read)
    with pytest.raises(LocationError, match=r"^Cannot read .*tasks\.db: no such file"):
        open_store(db_path, user="alice")
    monkeypatch.undo()
    with open_store(moved, user="alice") as store:
        assert [task.title for task in store.list_tasks()] == ["mine"]


def test_sqlite_file_of_another_program_is_refused_unchanged(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    raw.execute("INSERT INTO photos (path) VALUES ('cat.jpg')")
    raw.commit()
    raw.close()
    before = file_digest(db_path)
    with pytest.raises(NotADatabaseError, match="another program"):
        open_store(db_path, user="alice")
    assert file_digest(db_path) == before


def _read_only_session(path: str) -> dict[str, object]:
    store = open_store(path, user="alice")
    titles = [task.title for task in store.list_tasks()]
    try:
        store.create("should not be saved")
        outcome = "saved"
    except ReadOnlyError as error:
        outcome = str(error)
    result = {"read_only": store.read_only, "titles": titles, "outcome": outcome}
    store.close()
    return result


def test_read_only_file_opens_read_only_and_says_so() -> None:
    folder = shared_tmpdir()
    path = folder / "tasks.db"
    with open_store(path, user="alice") as store:
        store.create("kept safe")
    path.chmod(0o444)
    before = file_digest(path)
    result = run_unprivileged(lambda: _read_only_session(str(path)))
    assert result["read_only"] is True
    assert result["titles"] == ["kept safe"]
    assert "read-only" in str(result["outcome"])
    assert file_digest(path) == before


def test_file_in_read_only_folder_opens_read_only() -> None:
    folder = shared_tmpdir()
    path = folder / "tasks.db"
    with open_store(path, user="alice") as store:
        store.create("kept safe")
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)  # the file itself stays writable for that user
    folder.chmod(0o555)
    before = file_digest(path)
    try:
        result = run_unprivileged(lambda: _read_only_session(str(path)))
    finally:
        folder.chmod(0o755)
    assert result["read_only"] is True
    assert result["titles"] == ["kept safe"]
    assert "read-only" in str(result["outcome"])
    assert file_digest(path) == before


def test_unreadable_file_gives_permission_denied() -> None:
    folder = shared_tmpdir()
    path = folder / "tasks.db"
    open_store(path, user="alice").close()
    path.chmod(0o600)

    def attempt() -> str:
        try:
            open_store(str(path), user="alice")
        except PermissionDeniedError as error:
            return str(error)
        return "opened"

    assert "Permission denied" in run_unprivileged(attempt)


def test_folder_that_cannot_be_created_gives_a_clear_error() -> None:
    folder = shared_tmpdir()
    folder.chmod(0o555)

    def attempt() -> str:
        try:
            open_store(str(folder / "new" / "tasks.db"), user="alice")
        except LocationError as error:
            return str(error)
        return "opened"

    try:
        assert "Cannot create the folder" in run_unprivileged(attempt)
    finally:
        folder.chmod(0o755)


def test_importing_store_does_not_import_textual() -> None:
    code = "import sys, store; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"
