"""Helpers for tests: a frozen clock, a second process, an unprivileged user, a write
behind the store's back."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from store import TaskRecord, TaskStore

NOBODY_UID = 65534
NOBODY_GID = 65534

LEGACY_DDL = """
CREATE TABLE tasks (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT,
  completed INTEGER DEFAULT 0,
  created_at TEXT DEFAULT (datetime('now')), updated_at TEXT DEFAULT (datetime('now')));
CREATE INDEX idx_tasks_completed ON tasks(completed);
"""


def make_plan_tree(store: TaskStore) -> dict[str, TaskRecord]:
    """Launch > (Draft > Review, Ship), then Loose, by title. Made in an order that is
    not the tree's: the subtasks are added after Loose."""
    launch = store.create("Launch")
    loose = store.create("Loose")
    draft = store.create("Draft", parent_id=launch.id)
    ship = store.create("Ship", parent_id=launch.id)
    review = store.create("Review", parent_id=draft.id)
    return {t.title: t for t in (launch, loose, draft, ship, review)}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_tmpdir() -> Path:
    """A folder an unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="taskflow-test-", dir="/tmp"))
    folder.chmod(0o755)
    return folder


def run_unprivileged(function: Callable[[], Any]) -> Any:
    """Run ``function`` in a forked child as an ordinary user, returning its result.

    Root ignores file permissions, so read-only and permission-denied behaviour can
    only be observed as someone else. Exceptions in the child are re-raised here.
    """
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe(duplex=False)

    def child() -> None:
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY_GID)
                os.setuid(NOBODY_UID)
            child_end.send(("ok", function()))
        except BaseException as error:  # sent back, re-raised in the parent
            child_end.send(("error", (type(error), str(error), traceback.format_exc())))
        finally:
            child_end.close()

    process = context.Process(target=child)
    process.start()
    status, payload = parent_end.recv()
    process.join(timeout=30)
    if status == "error":
        kind, message, trace = payload
        raise AssertionError(f"unprivileged child raised {kind.__name__}: {message}\n{trace}")
    return payload


def make_legacy_database(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """A database of the earlier TaskFlow service, made with its own DDL."""
    connection = sqlite3.connect(path)
    connection.executescript(LEGACY_DDL)
    connection.executemany(
        "INSERT INTO tasks (id, title, description, completed, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()


class FrozenClock:
    """A clock that only moves when a test says so (each read advances a microsecond
    by default, so that events keep a strict order, as they would in real time)."""

    def __init__(self, start: datetime, tick: timedelta = timedelta(microseconds=1)) -> None:
        self.now = start
        self.tick = tick

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.tick
        return current

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


FROZEN_START = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def tamper(store: TaskStore, sql: str, *params: Any) -> None:
    """Write behind the store's back, as an older TaskFlow (or another program) did:
    ``?`` placeholders, whichever backend the store is on."""
    db = store._backend.db
    with store._backend.session():
        db.execute_sql(sql.replace("?", db.param), params)


def rows_of(store: TaskStore, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """What the database holds, read past the store's API: ``?`` placeholders, whichever
    backend the store is on."""
    db = store._backend.db
    with store._backend.session():
        return [tuple(row) for row in db.execute_sql(sql.replace("?", db.param), params)]
