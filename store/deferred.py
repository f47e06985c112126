"""Many new tasks into a SQLite file, with the per-row index work done once at the end.

Each task row written keeps a dozen indexes and the search index up to date, row by
row: at 10,000 new tasks that is four fifths of an import's database time (the search
trigger alone feeds FTS5 one document at a time). When the new rows are at least as
many as those already there, it is cheaper to drop the plain indexes and the search
trigger, write the rows, then build the indexes again and give the search index every
new row in one statement.

Nothing of that reaches past the commit: the drops, the rows and the rebuilds are one
savepoint inside the caller's write transaction. A failure anywhere (a constraint, a
full disk, a kill) undoes all of it, so the schema is never seen without an index.
Unique indexes and the primary keys stay in place: they are constraints, and a
duplicate must be refused at the row that brings it. The counters' trigger stays too:
without the other indexes it costs little.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from store.backend import execute_sql

# Fewer new rows than this take the row-by-row path: rebuilding costs more than it saves.
DEFER_FROM = 1000
# The search index's insert trigger (migration 3), and what it does for each new row,
# for all rows from a given seq on. A step that changes the one changes the other;
# tests/store/test_deferred_indexing.py searches what a big write brought in.
SEARCH_INSERT_TRIGGER = "task_search_insert"
SEARCH_FILL_FROM = """INSERT INTO task_search (rowid, title, description)
    SELECT seq, title, description FROM tasks WHERE seq >= ?"""

_PLAIN_INDEXES = """
SELECT name, sql FROM sqlite_master
WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL
ORDER BY name
"""


@contextlib.contextmanager
def deferred_index_work(db: peewee.Database, *, new_rows: int, first_seq: int) -> Iterator[None]:
    """Write ``new_rows`` tasks (numbered in the search index from ``first_seq``) inside
    this block; with enough of them, their index work is done once, as it ends."""
    if new_rows < DEFER_FROM:
        yield
        return
    (existing,) = execute_sql(db, "SELECT count(*) FROM tasks").fetchone()
    if new_rows < existing:
        yield
        return
    with db.atomic():  # a savepoint: an error undoes the drops with the rows
        indexes = [
            (name, sql)
            for name, sql in execute_sql(db, _PLAIN_INDEXES).fetchall()
            if not _unique(sql)
        ]
        trigger = execute_sql(
            db,
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (SEARCH_INSERT_TRIGGER,),
        ).fetchone()
        for name, _ in indexes:
            execute_sql(db, f'DROP INDEX "{name}"')
        if trigger is not None:
            execute_sql(db, f'DROP TRIGGER "{SEARCH_INSERT_TRIGGER}"')
        yield
        for _, sql in indexes:
            execute_sql(db, sql)
        if trigger is not None:
            execute_sql(db, SEARCH_FILL_FROM, (first_seq,))
            execute_sql(db, trigger[0])


def _unique(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE UNIQUE")
