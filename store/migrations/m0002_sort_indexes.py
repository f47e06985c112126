"""Schema v2: an index for every order and filter the list can ask for.

The list must cost one screenful at any size, so each (filter, sort) pair walks an
index from the row it starts at. Sorting by title needs a stored sort key (the
case-folded title): an expression index on a Python function would make the file
unwritable for any tool without that function, such as the sqlite3 shell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 2
NAME = "sort keys and indexes for every list order"

INDEXES = """
CREATE INDEX tasks_user_completed_updated ON tasks (user_id, completed, updated_at, id);
CREATE INDEX tasks_user_title ON tasks (user_id, title_key, id);
CREATE INDEX tasks_user_completed_title ON tasks (user_id, completed, title_key, id)
"""


def up(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        # Server databases are new with this release: this runs on empty tables, and
        # the store writes every key itself (Python's casefold).
        ctx.statements(
            "ALTER TABLE tasks ADD COLUMN title_key TEXT NOT NULL DEFAULT ''",
            "UPDATE tasks SET title_key = lower(title)",
            *(line.strip() for line in INDEXES.strip().split(";")),
        )
        return
    ctx.execute("ALTER TABLE tasks ADD COLUMN title_key TEXT NOT NULL DEFAULT ''")
    # tf_casefold is the store's own Unicode case folding, registered on every
    # connection; the key must equal what the store writes for new titles.
    ctx.execute("UPDATE tasks SET title_key = tf_casefold(title)")
    ctx.script(INDEXES)


def down(ctx: MigrationContext) -> None:
    ctx.script(
        """
        DROP INDEX tasks_user_completed_updated;
        DROP INDEX tasks_user_title;
        DROP INDEX tasks_user_completed_title;
        ALTER TABLE tasks DROP COLUMN title_key
        """
    )
