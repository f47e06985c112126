"""Schema v1: owners, tasks with a version counter, and the event log.

Also adopts the database of the earlier TaskFlow service (a bare ``tasks`` table
with no owner and no version): its rows keep their ids and timestamps and are
given to the user who opens the file. ``down`` turns the file back into that
legacy shape, so rolling back to 0 and forward again loses no task (owners,
versions, history and sub-second timestamps are what version 0 cannot hold).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 1
NAME = "initial schema"

LEGACY_COLUMNS = frozenset({"id", "title", "description", "completed", "created_at", "updated_at"})

SCHEMA = """
CREATE TABLE users (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    created_at TEXT NOT NULL
);
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX tasks_user_completed ON tasks (user_id, completed, created_at, id);
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);
CREATE TABLE task_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL
        CHECK (kind IN ('created', 'edited', 'toggled', 'deleted', 'restored')),
    at TEXT NOT NULL,
    before TEXT,
    after TEXT,
    reverts_event_id INTEGER UNIQUE REFERENCES task_events (id) ON DELETE RESTRICT,
    CHECK (before IS NOT NULL OR after IS NOT NULL)
);
CREATE INDEX task_events_task ON task_events (task_id, id);
CREATE INDEX task_events_user ON task_events (user_id, id)
"""
# Every query is scoped to one owner, so "completed" is indexed behind user_id: the
# (user_id, completed, created_at, id) index serves the open/done filters in order.


def _timestamp(column: str, fallback: str) -> str:
    # The old service wrote SQLite's 'YYYY-MM-DD HH:MM:SS' (UTC); strftime also
    # accepts ISO forms with 'T' or a zone and normalises them to UTC.
    return f"COALESCE(strftime('%Y-%m-%d %H:%M:%S', {column}) || '.000000', {fallback})"


POSTGRES_SCHEMA = (
    """CREATE TABLE users (
        id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
        created_at TEXT NOT NULL)""",
    """CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        completed BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1))""",
    "CREATE INDEX tasks_user_completed ON tasks (user_id, completed, created_at, id)",
    "CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id)",
    "CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id)",
    """CREATE TABLE task_events (
        id BIGSERIAL PRIMARY KEY,
        task_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
        kind TEXT NOT NULL
            CHECK (kind IN ('created', 'edited', 'toggled', 'deleted', 'restored')),
        at TEXT NOT NULL,
        "before" TEXT,
        "after" TEXT,
        reverts_event_id BIGINT UNIQUE REFERENCES task_events (id) ON DELETE RESTRICT,
        CHECK ("before" IS NOT NULL OR "after" IS NOT NULL))""",
    "CREATE INDEX task_events_task ON task_events (task_id, id)",
    "CREATE INDEX task_events_user ON task_events (user_id, id)",
)


def up(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        # A server database starts empty: there is no earlier service's table to adopt.
        ctx.statements(*POSTGRES_SCHEMA)
        return
    legacy = "tasks" in ctx.tables()
    if legacy:
        ctx.execute("ALTER TABLE tasks RENAME TO legacy_tasks")
        ctx.execute("DROP INDEX IF EXISTS idx_tasks_completed")
    ctx.script(SCHEMA)
    if not legacy:
        return
    ctx.execute("INSERT INTO users (id, created_at) VALUES (?, ?)", (ctx.user, ctx.now))
    created = _timestamp("created_at", "?")
    ctx.execute(
        f"""
        INSERT INTO tasks (id, user_id, title, description, completed,
                           created_at, updated_at, version)
        SELECT id, ?, title, COALESCE(description, ''),
               CASE WHEN completed THEN 1 ELSE 0 END,
               {created},
               {_timestamp("updated_at", created)},
               1
        FROM legacy_tasks
        """,
        (ctx.user, ctx.now, ctx.now),
    )
    ctx.execute("DROP TABLE legacy_tasks")


def down(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        # Version 0 of a server database is an empty one. There is no backup here (that
        # is the operator's), so a database that holds tasks is not emptied.
        if ctx.execute("SELECT 1 FROM tasks LIMIT 1").fetchone():
            raise RuntimeError("the database holds tasks; version 0 would drop them")
        ctx.statements("DROP TABLE task_events", "DROP TABLE tasks", "DROP TABLE users")
        return
    ctx.script(
        """
        CREATE TABLE legacy_tasks (
          id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT,
          completed INTEGER DEFAULT 0,
          created_at TEXT DEFAULT (datetime('now')), updated_at TEXT DEFAULT (datetime('now')));
        INSERT INTO legacy_tasks (id, title, description, completed, created_at, updated_at)
          SELECT id, title, description, completed,
                 substr(created_at, 1, 19), substr(updated_at, 1, 19)
          FROM tasks;
        DROP TABLE task_events;
        DROP TABLE tasks;
        DROP TABLE users;
        ALTER TABLE legacy_tasks RENAME TO tasks;
        CREATE INDEX idx_tasks_completed ON tasks(completed)
        """
    )
