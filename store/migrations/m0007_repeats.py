"""Schema v7: repeating tasks.

* ``tasks.repeat``: the task's repeat, as JSON ``{"rule": "FREQ=WEEKLY;BYDAY=MO",
  "mode": "schedule" | "completion", "start": "YYYY-MM-DD"}`` (store/recurrence.py),
  or null. The open occurrence of a series carries it; completing it makes the next.
* ``tasks.series_id``: the series a task belongs to (the id of its first task), or
  null; ``tasks.occurrence``: its number in the series, from 1. The unique index on
  the two is the last word on "never a duplicate": however two writers race, one
  occurrence has at most one next.
* At most one open task of a series carries its rule: a unique partial index on
  the series of open tasks that repeat (what stops an import or a sync bringing a
  second open occurrence of one series). A partial index on (owner, completed) of the
  tasks that repeat: what Upcoming reads to show the dates a series will fall on,
  without reading every task.

``down`` keeps every task, each as a plain task; the rules and the series links have
no place in version 6 and are dropped (``lost_by_down`` counts them first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 7
NAME = "repeating tasks"

_UP = (
    "ALTER TABLE tasks ADD COLUMN repeat TEXT",
    "ALTER TABLE tasks ADD COLUMN series_id TEXT",
    "ALTER TABLE tasks ADD COLUMN occurrence INTEGER CHECK (occurrence IS NULL OR occurrence >= 1)",
    "CREATE UNIQUE INDEX tasks_series ON tasks (series_id, occurrence) WHERE series_id IS NOT NULL",
)
# How each dialect says "open": the store's query states exactly this (a partial index
# serves a query only where its WHERE clause is written the same way).
OPEN = {"sqlite": "completed = 0", "postgresql": "NOT completed"}
_REPEATING = (
    "CREATE INDEX tasks_repeating ON tasks (user_id, completed) WHERE repeat IS NOT NULL",
    "CREATE UNIQUE INDEX tasks_series_open ON tasks (series_id) "
    "WHERE repeat IS NOT NULL AND {open}",
)

_DOWN = (
    "DROP INDEX tasks_series_open",
    "DROP INDEX tasks_repeating",
    "DROP INDEX tasks_series",
    "ALTER TABLE tasks DROP COLUMN occurrence",
    "ALTER TABLE tasks DROP COLUMN series_id",
    "ALTER TABLE tasks DROP COLUMN repeat",
)

LOSS_QUERY = """
SELECT (SELECT count(*) FROM tasks WHERE repeat IS NOT NULL),
       (SELECT count(*) FROM tasks WHERE series_id IS NOT NULL AND repeat IS NULL),
       (SELECT count(DISTINCT user_id) FROM tasks WHERE series_id IS NOT NULL)
"""
LOSS_NOUNS = (
    ("repeat rule", "repeat rules"),
    ("task's place in a series (a past or stopped occurrence)",
     "tasks' places in a series (past or stopped occurrences)"),
)  # fmt: skip


def up(ctx: MigrationContext) -> None:
    ctx.statements(*_UP, *(sql.format(open=OPEN[ctx.dialect]) for sql in _REPEATING))


def down(ctx: MigrationContext) -> None:
    ctx.statements(*_DOWN)


def lost_by_down(ctx: MigrationContext) -> tuple[tuple[tuple[int, str, str], ...], int]:
    """((count, singular, plural), ...) of what ``down`` drops, and the owners affected."""
    *counts, owners = ctx.execute(LOSS_QUERY).fetchone()
    entries = tuple((int(n), one, many) for n, (one, many) in zip(counts, LOSS_NOUNS, strict=True))
    return entries, int(owners)
