"""Schema v4: due dates, priorities, tags, and a manual order.

* ``tasks.due``: 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM', a local calendar day and maybe
  a time, so text order is time order and "due on or before" is an index range.
  Lists sort by ``coalesce(due, '~')`` ('~' sorts after every digit: tasks without a
  due date come last), an expression with built-in functions only, so the indexes
  on it work in any SQLite tool.
* ``tasks.priority``: 0 none, 1 low, 2 medium, 3 high. Lists sort by ``3 - priority``
  so that every column of an order runs the same way (what keyset paging needs).
* ``tasks.position``: the user's own order (J/K); starts as the creation order.
* ``tags`` (one per owner and case-folded name, first spelling kept) and
  ``task_tags`` links with real foreign keys: deleting a task removes its links.

``down`` drops all of it: version 3 has no place for these fields, but every task
and its history stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 4
NAME = "due dates, priorities, tags and manual order"

DUE_ORDER = "coalesce(due, '~')"
PRIORITY_ORDER = "(3 - priority)"

UP = f"""
ALTER TABLE tasks ADD COLUMN due TEXT
    CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*');
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0
    CHECK (priority BETWEEN 0 AND 3);
ALTER TABLE tasks ADD COLUMN position REAL NOT NULL DEFAULT 0;
UPDATE tasks SET position = coalesce(seq, rowid);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    name_key TEXT NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE TABLE task_tags (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX task_tags_tag ON task_tags (tag_id, task_id);
CREATE INDEX tasks_user_position ON tasks (user_id, position, id);
CREATE INDEX tasks_user_completed_position ON tasks (user_id, completed, position, id);
CREATE INDEX tasks_user_due ON tasks (user_id, {DUE_ORDER}, position, id);
CREATE INDEX tasks_user_completed_due ON tasks (user_id, completed, {DUE_ORDER}, position, id);
CREATE INDEX tasks_user_priority ON tasks (user_id, {PRIORITY_ORDER}, {DUE_ORDER}, position, id);
CREATE INDEX tasks_user_completed_priority
    ON tasks (user_id, completed, {PRIORITY_ORDER}, {DUE_ORDER}, position, id)
"""

DOWN = """
DROP INDEX tasks_user_completed_priority;
DROP INDEX tasks_user_priority;
DROP INDEX tasks_user_completed_due;
DROP INDEX tasks_user_due;
DROP INDEX tasks_user_completed_position;
DROP INDEX tasks_user_position;
DROP TABLE task_tags;
DROP TABLE tags;
ALTER TABLE tasks DROP COLUMN position;
ALTER TABLE tasks DROP COLUMN priority;
ALTER TABLE tasks DROP COLUMN due
"""


POSTGRES_UP = (
    """ALTER TABLE tasks ADD COLUMN due TEXT
        CHECK (due IS NULL OR due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}')""",
    "ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 "
    "CHECK (priority BETWEEN 0 AND 3)",
    "ALTER TABLE tasks ADD COLUMN position DOUBLE PRECISION NOT NULL DEFAULT 0",
    "UPDATE tasks SET position = coalesce(seq, 0)",
    """CREATE TABLE tags (
        id SERIAL PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        name_key TEXT NOT NULL,
        UNIQUE (user_id, name_key))""",
    """CREATE TABLE task_tags (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        PRIMARY KEY (task_id, tag_id))""",
    "CREATE INDEX task_tags_tag ON task_tags (tag_id, task_id)",
    "CREATE INDEX tasks_user_position ON tasks (user_id, position, id)",
    "CREATE INDEX tasks_user_completed_position ON tasks (user_id, completed, position, id)",
    f"CREATE INDEX tasks_user_due ON tasks (user_id, ({DUE_ORDER}), position, id)",
    f"CREATE INDEX tasks_user_completed_due ON tasks "
    f"(user_id, completed, ({DUE_ORDER}), position, id)",
    f"CREATE INDEX tasks_user_priority ON tasks "
    f"(user_id, {PRIORITY_ORDER}, ({DUE_ORDER}), position, id)",
    f"CREATE INDEX tasks_user_completed_priority ON tasks "
    f"(user_id, completed, {PRIORITY_ORDER}, ({DUE_ORDER}), position, id)",
)


# How many of each thing ``down`` drops, over every owner's tasks, and how many owners
# lose something. The manual order is lost where it differs from the order ``up`` gives
# back (a task's place among its owner's tasks by search number, seq).
LOSS_QUERY = """
WITH ranked AS (
    SELECT user_id, due, priority,
           row_number() OVER (PARTITION BY user_id ORDER BY position, id) AS placed,
           row_number() OVER (PARTITION BY user_id ORDER BY seq, id) AS restored
    FROM tasks
), touched AS (
    SELECT user_id FROM ranked
        WHERE due IS NOT NULL OR priority <> 0 OR placed <> restored
    UNION
    SELECT user_id FROM tags
)
SELECT (SELECT count(*) FROM ranked WHERE due IS NOT NULL),
       (SELECT count(*) FROM ranked WHERE priority <> 0),
       (SELECT count(*) FROM tags),
       (SELECT count(*) FROM task_tags),
       (SELECT count(*) FROM ranked WHERE placed <> restored),
       (SELECT count(*) FROM touched)
"""
LOSS_NOUNS = (
    ("due date", "due dates"),
    ("priority", "priorities"),
    ("tag", "tags"),
    ("tag link", "tag links"),
    ("task's place in the manual order", "tasks' places in the manual order"),
)


def lost_by_down(ctx: MigrationContext) -> tuple[tuple[tuple[int, str, str], ...], int]:
    """((count, singular, plural), ...) of what ``down`` drops, and the owners affected."""
    *counts, owners = ctx.execute(LOSS_QUERY).fetchone()
    return (
        tuple((int(n), one, many) for n, (one, many) in zip(counts, LOSS_NOUNS, strict=True)),
        int(owners),
    )


def up(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        ctx.statements(*POSTGRES_UP)
        return
    ctx.script(UP)


def down(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        ctx.statements(
            *(line.strip() for line in DOWN.strip().split(";") if "DROP INDEX" in line),
            "DROP TABLE task_tags",
            "DROP TABLE tags",
            "ALTER TABLE tasks DROP COLUMN position",
            "ALTER TABLE tasks DROP COLUMN priority",
            "ALTER TABLE tasks DROP COLUMN due",
        )
        return
    ctx.script(DOWN)
