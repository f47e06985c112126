"""What the store asks of a database backend, whichever database it is.

``SqliteBackend`` (store.database) and ``PostgresBackend`` (store.postgres) both
implement ``Backend``; the rest of the store (TaskStore, the migration runner, the
migrations) speaks only to this Protocol, so that neither backend needs the other
and psycopg is imported only when a server is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import peewee

from store.errors import StoreError


@dataclass(frozen=True)
class SearchHits:
    """Candidates from the search index: a subquery of tasks.seq, and how many."""

    query: peewee.Node
    count: int


@dataclass(frozen=True)
class ConnectionSettings:
    journal_mode: str
    foreign_keys: bool
    synchronous: int
    busy_timeout_ms: int


class Cursor(Protocol):
    """A DB-API cursor (sqlite3's or psycopg's), as far as the store reads one.

    Rows are ``Any``: their shape is the SQL's that was run, which no type can follow.
    """

    @property
    def description(self) -> Sequence[Sequence[Any]] | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any: ...


def cursor(db: peewee.Database) -> Cursor:
    """``db.cursor()``, typed: for ``executemany`` on the bulk paths."""
    # peewee's stub leaves cursor unannotated, as execute_sql below.
    opened: Cursor = db.cursor()  # type: ignore[no-untyped-call]
    return opened


def execute_sql(db: peewee.Database, sql: str, params: Sequence[object] | None = None) -> Cursor:
    """``db.execute_sql``, typed: run one statement of the database's own dialect."""
    # peewee's stub leaves execute_sql unannotated (an untyped call, to mypy --strict).
    cursor: Cursor = db.execute_sql(sql, params)  # type: ignore[no-untyped-call]
    return cursor


class Backend(Protocol):
    """One open database: its connections, transactions, and what differs by dialect."""

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql': the SQL the migrations speak to it."""
        ...

    @property
    def db(self) -> peewee.Database:
        """The peewee database the models are bound to."""
        ...

    @property
    def path(self) -> Path | None:
        """The database file; None for a server's or an in-memory database."""
        ...

    @property
    def read_only(self) -> bool: ...

    @property
    def read_only_reason(self) -> str | None: ...

    def describe(self) -> str:
        """The database as messages name it (a path, or a server without its password)."""
        ...

    # -- sessions and transactions -------------------------------------------------------

    def session(self) -> AbstractContextManager[None]:
        """Store work on this thread's connection; errors leave as StoreError subclasses."""
        ...

    def write(self) -> AbstractContextManager[object]:
        """A write transaction (ReadOnlyError if the database is open read-only)."""
        ...

    def read_snapshot(self) -> AbstractContextManager[object]:
        """A read transaction: one consistent view for a long read, writers carrying on."""
        ...

    def migration_transaction(self) -> AbstractContextManager[None]:
        """A transaction for schema changes, one migrating client at a time."""
        ...

    def explicit_ids_written(self, table: str, column: str = "id") -> None:
        """Rows went into ``table`` with ids of their own: keep generated ids past them."""
        ...

    def check_schema_owner(self, change: str) -> None:
        """OwnerRequiredError unless this connection may make ``change`` to the schema."""
        ...

    def close(self) -> None:
        """Close this thread's connection; safe to call more than once."""
        ...

    # -- introspection -------------------------------------------------------------------

    def tables(self) -> set[str]: ...

    def columns(self, table: str) -> set[str]: ...

    def indexes(self, table: str) -> set[str]: ...

    def settings(self) -> ConnectionSettings: ...

    def expected_journal_mode(self) -> str: ...

    def quick_check(self) -> str:
        """'ok' when the database is sound, else what is wrong."""
        ...

    def integrity_check(self) -> str: ...

    # -- what differs by dialect ---------------------------------------------------------

    def enable_wal(self) -> None: ...

    def search_candidates(self, terms: list[str]) -> SearchHits | None:
        """Tasks that may contain every term, from a search index; None without one."""
        ...

    def bulk_insert_work(self, new_rows: int, first_seq: int) -> AbstractContextManager[None]:
        """Around writing ``new_rows`` new tasks, numbered from ``first_seq``: where the
        database can, their index work is done once as the block ends (store.deferred),
        still inside the caller's transaction."""
        ...

    def unindexed(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        """``expression`` as the database may not answer from an index."""
        ...

    def casefold(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        """``expression`` with its case folded, as the database can."""
        ...

    def schema_changed(self) -> None:
        """Forget what was learnt about the schema (after a migration)."""
        ...

    def data_version(self) -> int:
        """A number that changes when another connection commits."""
        ...

    # -- backups -------------------------------------------------------------------------

    def backup_refusal(self) -> StoreError | None:
        """Why TaskFlow makes no backup of this database, or None when it makes them."""
        ...

    def backup_to(self, target: Path) -> None:
        """A complete, checked copy of the live database at ``target``."""
        ...
