"""Schema v1: owners, tasks with a version counter, and the event log.

Also adopts the database of the earlier TaskFlow service (a bare ``tasks`` table
with no owner and no version): its rows keep their ids and timestamps and are
given to the user who opens the file, if every row fits (``adoption_problems``).
``down`` turns the file back into that legacy shape, but the runner no longer
goes there (store.migrate.LOWEST_VERSION): version 0 cannot hold owners, so a file
taken down would come back as the tasks of whoever opened it next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import ValidationError
from store.validation import clean_description, clean_title

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


def _timestamp_unfit(column: str) -> str:
    # Read back in every time zone: years 1900 to 9998 (a day either side of 9999-12-31
    # and of year 1 overflows Python's datetime in some zone). NULL becomes 'now' (below).
    normal = f"strftime('%Y-%m-%d %H:%M:%S', {column})"
    return (
        f"{column} IS NOT NULL AND (typeof({column}) <> 'text' OR {normal} IS NULL "
        f"OR {normal} NOT BETWEEN '1900-01-01 00:00:00' AND '9998-12-31 23:59:59')"
    )


# (column, SQL that is true of a row whose value does not fit, what is wrong, in words)
_UNFIT_VALUES = (
    ("id", "id IS NULL OR typeof(id) <> 'text' OR id = ''", "no id, or one that is not text"),
    ("title", "title IS NULL OR typeof(title) <> 'text'", "no title, or one that is not text"),
    (
        "description",
        "description IS NOT NULL AND typeof(description) <> 'text'",
        "a description that is not text",
    ),
    (
        "completed",
        "completed IS NOT NULL AND NOT (typeof(completed) = 'integer' AND completed IN (0, 1))",
        "completed neither 0 nor 1",
    ),
    ("created_at", _timestamp_unfit("created_at"), "a created_at that is not a time from 1900 on"),
    ("updated_at", _timestamp_unfit("updated_at"), "an updated_at that is not a time from 1900 on"),
)


def adoption_problems(ctx: MigrationContext) -> list[str]:
    """What in the earlier service's table ``up`` could not adopt as it is, in words; empty
    when every row fits. Adopting the rest and dropping or bending these (a NULL title, a
    completed of 'yes' read as open) would change the user's tasks without a word."""
    problems = []
    for column, unfit, what in _UNFIT_VALUES:
        (count,) = ctx.execute(f"SELECT count(*) FROM tasks WHERE {unfit}").fetchone()
        if count:
            task_id, value = ctx.execute(
                f"SELECT id, {column} FROM tasks WHERE {unfit} LIMIT 1"
            ).fetchone()
            problems.append(
                f"{_tasks(count)} with {what} (the first: {_which(task_id)}, "
                f"{column} {_shown(value)})"
            )
    duplicate = ctx.execute(
        "SELECT id, count(*) FROM tasks WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1"
    ).fetchone()
    if duplicate:
        problems.append(f"the id {_shown(duplicate[0])} is used by {duplicate[1]} tasks")
    return problems + _text_problems(ctx)


def _text_problems(ctx: MigrationContext) -> list[str]:
    """Titles and descriptions the store would refuse from a user (blank, control
    characters, too long): the same rules, so that no adopted text is one a user could
    not have typed."""
    counts: dict[str, int] = {}
    first: dict[str, tuple[object, str]] = {}  # field: (task id, the store's message)
    rows = ctx.execute(
        "SELECT id, title, description FROM tasks "
        "WHERE typeof(title) = 'text' AND (description IS NULL OR typeof(description) = 'text')"
    )
    for task_id, title, description in rows:
        for field, check, value in (
            ("title", clean_title, title),
            ("description", clean_description, description),
        ):
            try:
                check(value)
            except ValidationError as error:
                counts[field] = counts.get(field, 0) + 1
                first.setdefault(field, (task_id, error.message))
    return [
        f"{_tasks(counts[field])} with a {field} TaskFlow refuses (the first: "
        f"{_which(task_id)}: {message.rstrip('.')})"
        for field, (task_id, message) in first.items()
    ]


def _tasks(count: int) -> str:
    return "1 task" if count == 1 else f"{count:,} tasks"


def _which(task_id: object) -> str:
    return f"task {_shown(task_id)}" if task_id not in (None, "") else "a task with no id"


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
