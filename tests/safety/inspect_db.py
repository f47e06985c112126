"""Looking at a database file from outside the store, as a crash left it.

Everything here reads through a plain sqlite3 connection, so that a bug in the
store cannot hide itself from the check. Opening the file is what recovers it
after a crash (SQLite replays or discards the WAL), exactly as the next launch would.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TaskState = tuple[str, str, bool, int]  # title, description, completed, version


@contextlib.contextmanager
def connected(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(target, uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def tables(connection: sqlite3.Connection) -> set[str]:
    return {
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def schema_version(connection: sqlite3.Connection) -> int:
    """The version the file records (0 for a file of the earlier service)."""
    if "schema_migrations" not in tables(connection):
        return 0
    (version,) = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(version or 0)


def schema(connection: sqlite3.Connection) -> set[tuple[str, str, str]]:
    """Every table, index, trigger and view with its SQL: what a version consists of."""
    return {
        (kind, name, " ".join((sql or "").split()))
        for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master")
    }


def task_count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM tasks").fetchone()[0])


def task_states(connection: sqlite3.Connection, user: str) -> dict[str, TaskState]:
    rows = connection.execute(
        "SELECT id, title, description, completed, version FROM tasks WHERE user_id = ?", (user,)
    )
    return {
        task_id: (title, description or "", bool(completed), int(version))
        for task_id, title, description, completed, version in rows
    }


def consistency_problems(connection: sqlite3.Connection, user: str) -> list[str]:
    """What must hold together in a current-schema file, whatever moment it was cut at:
    each task row and its last logged event agree, the trigger-kept counters match the
    rows, the search index has one entry per task, and every foreign key resolves."""
    problems: list[str] = []
    foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    if foreign:
        problems.append(f"foreign_key_check: {foreign[:3]}")

    last_after: dict[str, Any] = {}
    for task_id, after in connection.execute(
        "SELECT task_id, after FROM task_events WHERE user_id = ? ORDER BY id", (user,)
    ):
        last_after[task_id] = json.loads(after) if after else None
    disagreeing = []
    for task_id, (title, description, completed, version) in task_states(connection, user).items():
        if task_id not in last_after and version == 1:
            continue  # adopted from the earlier service's file, which kept no history
        logged = last_after.get(task_id)
        found = (
            None
            if logged is None
            else (logged["title"], logged["description"], logged["completed"], logged["version"])
        )
        if found != (title, description, completed, version):
            disagreeing.append(f"task {task_id} is {title!r} v{version} but its log says {found}")
    if disagreeing:
        problems.append(f"{len(disagreeing)} task(s) disagree with their log: {disagreeing[:3]}")

    names = tables(connection)
    if "task_counts" in names:
        counted = {
            (owner, bool(done)): n
            for owner, done, n in connection.execute(
                "SELECT user_id, completed, count(*) FROM tasks GROUP BY user_id, completed"
            )
        }
        kept = {
            (owner, bool(done)): n
            for owner, done, n in connection.execute(
                "SELECT user_id, completed, n FROM task_counts WHERE n != 0"
            )
        }
        if counted != kept:
            problems.append(f"task_counts {kept} but the rows count {counted}")
    if "task_search" in names:
        # FTS5's own structural check (raises if the index is damaged); it writes
        # nothing, but as an INSERT it opens a transaction, closed again here.
        connection.execute("INSERT INTO task_search (task_search) VALUES ('integrity-check')")
        connection.rollback()
        (indexed,) = connection.execute("SELECT count(*) FROM task_search").fetchone()
        (searchable,) = connection.execute(
            "SELECT count(*) FROM tasks WHERE seq IS NOT NULL"
        ).fetchone()
        if indexed != searchable:
            problems.append(f"search index holds {indexed} entries for {searchable} tasks")
    return problems
