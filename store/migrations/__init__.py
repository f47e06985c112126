"""Numbered schema steps, applied in order by ``store.migrate``.

Each step is a module with ``VERSION``, ``NAME``, ``up(ctx)`` and ``down(ctx)``.
Steps may speak SQL of their dialect (``ctx.dialect``); nothing else in the
store may. Add a step by writing the next module and listing it in ``STEPS``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from store.backend import Backend, Cursor, execute_sql
from store.migrations import (
    m0001_initial,
    m0002_sort_indexes,
    m0003_search_and_counts,
    m0004_planning,
    m0005_due_moment,
    m0006_structure,
    m0007_repeats,
    m0008_ical,
    m0009_sync,
)


@dataclass(frozen=True)
class MigrationContext:
    """What a step may use: the connection, the owner for adopted rows, and 'now'."""

    backend: Backend
    user: str
    now: str  # a formatted UTC timestamp, the same for every row a step writes

    @property
    def dialect(self) -> str:
        return self.backend.dialect

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement; write parameters as ``?`` in every dialect."""
        if params and self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return execute_sql(self.backend.db, sql, tuple(params))

    def statements(self, *statements: str) -> None:
        """Run statements one by one (for PostgreSQL, whose function bodies hold ';')."""
        for statement in statements:
            self.execute(statement)

    def script(self, statements: str) -> None:
        """Run several ';'-separated statements, trigger bodies included.

        SQLite's own parser (complete_statement) decides where each one ends.
        """
        pending = ""
        for line in statements.strip().splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                self.execute(pending.strip().rstrip(";"))
                pending = ""
        if pending.strip():
            self.execute(pending.strip().rstrip(";"))

    def tables(self) -> set[str]:
        return self.backend.tables()

    def columns(self, table: str) -> set[str]:
        return self.backend.columns(table)


STEPS: tuple[ModuleType, ...] = (
    m0001_initial,
    m0002_sort_indexes,
    m0003_search_and_counts,
    m0004_planning,
    m0005_due_moment,
    m0006_structure,
    m0007_repeats,
    m0008_ical,
    m0009_sync,
)
LATEST_VERSION: int = STEPS[-1].VERSION

assert [step.VERSION for step in STEPS] == list(range(1, len(STEPS) + 1)), "steps must be 1..N"
