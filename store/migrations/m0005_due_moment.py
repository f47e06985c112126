"""Schema v5: the due order is the moment a task falls due.

Version 4 sorted by the stored key, ``coalesce(due, '~')``: 'YYYY-MM-DD' for a day
without a time sorts before 'YYYY-MM-DD HH:MM' of the same day. A task due some
day (without a time) is due by the end of that day, though, so it belongs after
that day's timed tasks: 09:00 < 18:00 < all day. Only then is "overdue" (every
earlier day, and today's times already past) one range at the head of the due
order, which the Today and Upcoming headings count as one index range.

The new order reads an all-day key as '... 24:00', which sorts after every time of
its day and before the next day:

    COALESCE(CASE WHEN length(due) = 10 THEN due || ' 24:00' ELSE due END, '~')

Built-in functions only, so the indexes work in any SQLite tool. The store writes
exactly this expression in its queries (``TaskQueries.due_order`` in store/query.py): SQLite uses an
expression index only for the same expression. The stored values do not change,
so both directions only swap indexes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 5
NAME = "due order by the moment a task falls due"

# What version 4's indexes sort by, and what this version's sort by.
OLD_DUE_ORDER = "coalesce(due, '~')"
DUE_ORDER = "COALESCE(CASE WHEN length(due) = 10 THEN due || ' 24:00' ELSE due END, '~')"
PRIORITY_ORDER = "(3 - priority)"

# (version 4's name, this version's name, columns before the due order): each of
# version 4's indexes on the due order, and the one that replaces it.
_INDEXES = (
    ("tasks_user_due", "tasks_user_due_moment", "user_id"),
    ("tasks_user_completed_due", "tasks_user_completed_due_moment", "user_id, completed"),
    ("tasks_user_priority", "tasks_user_priority_moment", f"user_id, {PRIORITY_ORDER}"),
    (
        "tasks_user_completed_priority",
        "tasks_user_completed_priority_moment",
        f"user_id, completed, {PRIORITY_ORDER}",
    ),
)


def _create(ctx: MigrationContext, name: str, leading: str, due_order: str) -> str:
    # PostgreSQL wants an expression in an index's column list in parentheses; SQLite
    # keeps the text as written, so it gets version 4's own spelling: a file taken
    # down to version 4 then has the very schema that version 4 creates.
    if ctx.dialect == "postgresql":
        due_order = f"({due_order})"
    return f"CREATE INDEX {name} ON tasks ({leading}, {due_order}, position, id)"


def up(ctx: MigrationContext) -> None:
    for old, new, leading in _INDEXES:
        ctx.execute(f"DROP INDEX {old}")
        ctx.execute(_create(ctx, new, leading, DUE_ORDER))


def down(ctx: MigrationContext) -> None:
    for old, new, leading in _INDEXES:
        ctx.execute(f"DROP INDEX {new}")
        ctx.execute(_create(ctx, old, leading, OLD_DUE_ORDER))
