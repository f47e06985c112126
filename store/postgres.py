"""The PostgreSQL backend: the same store over a team's shared server.

Mirrors store.database.SqliteBackend: sessions, write transactions, migration
transactions (under an advisory lock, so two clients starting at once do not
both migrate), error translation and change detection. The driver (psycopg 3)
is an optional extra; asking for a server without it says which one to install.

Passwords never leave ServerAddress: every message names the server by
ServerAddress.display(), and driver messages are not echoed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from store.backend import ConnectionSettings, SearchHits, execute_sql
from store.config import DatabaseLocation, ServerAddress
from store.driverless import bind_psycopg
from store.errors import (
    BusyError,
    OwnerRequiredError,
    ReadOnlyError,
    ServerUnavailableError,
    StoreError,
)

CONNECT_TIMEOUT_SECONDS = 5
# Any fixed number: every TaskFlow client takes this lock to migrate a database.
MIGRATION_LOCK_KEY = 7_240_193_117
WRITE_LOCK_KEY = 7_240_193_118
EXTRA_HINT = "pip install 'taskflow[postgres]'"

if TYPE_CHECKING:

    class _PooledDatabase(peewee.PostgresqlDatabase):
        """playhouse.pool.PooledPostgresqlDatabase, as far as this module uses it:
        playhouse ships no type hints (peewee's own stub covers peewee alone)."""

        def manual_close(self) -> object: ...

        def close_all(self) -> None: ...


class PostgresBackend:
    """One PostgreSQL database, reached by a pool of connections shared by threads."""

    dialect = "postgresql"

    def __init__(self, location: DatabaseLocation, *, read_only: bool = False) -> None:
        assert location.server is not None
        self.location = location
        self.server: ServerAddress = location.server
        self.read_only = read_only
        self.read_only_reason: str | None = "opened read-only on request" if read_only else None
        self._depth = threading.local()  # sessions open on this thread
        self.db = self._open()

    @property
    def path(self) -> Path | None:
        return None  # nothing on this machine to back up or hold open

    def describe(self) -> str:
        return self.server.display()

    def _open(self) -> _PooledDatabase:
        try:
            bind_psycopg()

            # playhouse ships no type hints: _PooledDatabase says what is used of it.
            from playhouse.pool import PooledPostgresqlDatabase  # type: ignore[import-untyped]
        except ImportError:
            raise StoreError(
                f"{self.describe()} is a PostgreSQL database, and TaskFlow's PostgreSQL "
                f"support is not installed: {EXTRA_HINT}"
            ) from None
        server = self.server
        db: _PooledDatabase = PooledPostgresqlDatabase(
            server.database,
            host=server.host,
            port=server.port,
            user=server.user,
            password=server.password,
            application_name="taskflow",
            # A connection a thread worker returns is reused by the next one.
            max_connections=16,
            stale_timeout=300,
            prefer_psycopg3=True,
            **{"connect_timeout": CONNECT_TIMEOUT_SECONDS, **dict(server.settings)},
        )
        with self._translated():
            db.connect(reuse_if_open=True)
            execute_sql(db, "SELECT 1").fetchone()
        return db

    # -- sessions and transactions -------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Run store work on this thread's connection, back to the pool afterwards.

        A pooled connection may have been dropped by the server while it sat idle (a
        restart, a network cut, an idle timeout); psycopg only finds out on the next
        statement. So a connection taken from the pool is pinged first and, if dead,
        replaced: the user's action then runs on a live one instead of failing. A
        connection cut in the middle of an action is reported (see translate), and
        the next action reconnects.
        """
        if getattr(self._depth, "value", 0):
            yield  # nested: the outer session owns the connection
            return
        with self._translated():
            self._connect_live()
            self._depth.value = 1
            try:
                yield
            finally:
                self._depth.value = 0
                if not self.db.in_transaction():
                    self.db.close()

    def _connect_live(self) -> None:
        self.db.connect(reuse_if_open=True)
        try:
            execute_sql(self.db, "SELECT 1").fetchone()
        except peewee.PeeweeException:
            self.db.manual_close()  # discard it: back in the pool it would fail again
            self.db.connect()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction, one at a time across every client, as on SQLite.

        The store numbers tasks (search and manual order) from the highest number so
        far and checks versions before writing: holding the write lock for the
        transaction keeps two clients from taking the same number or both winning.
        """
        if self.read_only:
            raise ReadOnlyError(
                f"{self.describe()} is open read-only ({self.read_only_reason}); "
                "changes cannot be saved."
            )
        with self.db.atomic():
            execute_sql(self.db, "SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            yield

    def explicit_ids_written(self, table: str, column: str = "id") -> None:
        """Rows went in with ids of their own (an import's history): move the table's
        id sequence past them, so the next generated id is free."""
        execute_sql(
            self.db,
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
            f"(SELECT coalesce(max({column}), 1) FROM {table}))",
        )

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """One consistent view for a long read (an export), writers carrying on."""
        with self.db.atomic():
            execute_sql(self.db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield

    @contextlib.contextmanager
    def migration_transaction(self) -> Iterator[None]:
        """A transaction holding the migration lock: a second client starting at the same
        moment waits here, then finds the schema already current."""
        with self.db.atomic():
            execute_sql(self.db, "SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            yield

    def check_schema_owner(self, change: str) -> None:
        """A step down drops what every TaskFlow user of the database wrote, and nothing
        backs a server up before it: only the role that owns the database or TaskFlow's
        tables (or a member of it, or a superuser) may make it, not any TaskFlow user."""
        row = execute_sql(
            self.db,
            """
            SELECT current_user, pg_get_userbyid(d.datdba),
                   r.rolsuper OR pg_has_role(current_user, d.datdba, 'USAGE')
                   OR coalesce((SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE'))
                                FROM pg_class AS c
                                WHERE c.oid IN (to_regclass('tasks'),
                                                to_regclass('schema_migrations'))), false)
            FROM pg_database AS d, pg_roles AS r
            WHERE d.datname = current_database() AND r.rolname = current_user
            """,
        ).fetchone()
        if row is not None and row[2]:
            return
        role, owner = (row[0], row[1]) if row is not None else ("unknown", "unknown")
        raise OwnerRequiredError(
            f"{change} on {self.describe()} needs the role that owns the database or "
            f"TaskFlow's tables (the database's owner is {owner}); this connection's role "
            f"is {role}. Nothing was changed."
        )

    def close(self) -> None:
        with contextlib.suppress(peewee.PeeweeException, Exception):
            if not self.db.is_closed():
                self.db.close()
            self.db.close_all()

    # -- introspection -------------------------------------------------------------------

    def tables(self) -> set[str]:
        return set(self.db.get_tables())

    def columns(self, table: str) -> set[str]:
        return {column.name for column in self.db.get_columns(table)}

    def indexes(self, table: str) -> set[str]:
        return {index.name for index in self.db.get_indexes(table)}

    def settings(self) -> ConnectionSettings:
        # Journal mode and foreign keys are SQLite's switches; PostgreSQL always logs
        # ahead and always enforces foreign keys.
        return ConnectionSettings(
            journal_mode="postgresql", foreign_keys=True, synchronous=2, busy_timeout_ms=0
        )

    def expected_journal_mode(self) -> str:
        return "postgresql"

    def quick_check(self) -> str:
        return self._check()

    def integrity_check(self) -> str:
        return self._check()

    def _check(self) -> str:
        """The server answers and the tables read; PostgreSQL checks its own pages."""
        try:
            execute_sql(self.db, "SELECT count(*) FROM schema_migrations").fetchone()
        except peewee.PeeweeException as error:
            return f"cannot be checked: {type(error).__name__}"
        return "ok"

    # -- what the store asks of a backend ---------------------------------------------------

    def enable_wal(self) -> None:
        """Nothing to switch: PostgreSQL always writes ahead."""

    def search_candidates(self, terms: list[str]) -> SearchHits | None:
        return None  # searches read the rows (ILIKE): no trigram index without superuser

    def bulk_insert_work(self, new_rows: int, first_seq: int) -> AbstractContextManager[None]:
        """Nothing put off: a server's index work is not this process's to reorder."""
        return contextlib.nullcontext()

    def unindexed(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        return expression

    def schema_changed(self) -> None:
        """Nothing cached about the schema."""

    def casefold(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        return peewee.fn.LOWER(expression)

    def data_version(self) -> int:
        """A cheap change counter: the newest entry of the event log, which every change
        writes (an index lookup, whatever the size), polled by a running app."""
        with self.session():
            row = execute_sql(self.db, "SELECT coalesce(max(id), 0) FROM task_events").fetchone()
            return int(row[0])

    def backup_refusal(self) -> StoreError:
        """Why TaskFlow makes no backup of a server's database."""
        return StoreError(
            f"{self.describe()} is on a server: backing it up is the operator's job "
            "(pg_dump); TaskFlow does not copy it."
        )

    def backup_to(self, target: Path) -> None:
        raise self.backup_refusal()

    # -- errors ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as error:
            if _is_driver_error(error):
                raise self.translate(error) from None
            raise

    def translate(self, error: BaseException) -> StoreError:
        """A user's message for a driver error; the driver's own text is not repeated, as
        it can carry connection details."""
        text = str(error).lower()
        where = self.describe()
        server = f"{self.server.host}:{self.server.port}"
        if "password authentication failed" in text or "no password supplied" in text:
            return ServerUnavailableError(
                f"The PostgreSQL server at {server} refused the login of user "
                f"{self.server.user or '(none)'}: wrong or missing password."
            )
        if "does not exist" in text and "database" in text:
            return ServerUnavailableError(
                f"There is no database {self.server.database!r} on the PostgreSQL server "
                f"at {server}."
            )
        if "role" in text and "does not exist" in text:
            return ServerUnavailableError(
                f"The PostgreSQL server at {server} has no user {self.server.user!r}."
            )
        if any(
            phrase in text
            for phrase in (
                "connection refused",
                "could not connect",
                "timeout expired",
                "name or service not known",
                "could not translate host",
                "no route to host",
                "connection failed",
            )
        ):
            return ServerUnavailableError(
                f"Cannot reach the PostgreSQL server at {server}: is it running, and is "
                "the address right?"
            )
        if any(
            phrase in text
            for phrase in (
                "server closed the connection",
                "terminating connection",
                "connection is closed",
                "consuming input failed",
                "connection already closed",
                "the connection is lost",
            )
        ):
            return ServerUnavailableError(
                f"Lost the connection to {where}; nothing was saved. TaskFlow reconnects "
                "on the next action."
            )
        if "deadlock" in text or "could not serialize" in text or "lock timeout" in text:
            return BusyError(f"{where} is busy with another client's change. Try again.")
        if "read-only" in text or "read only" in text:
            return ReadOnlyError(f"{where} is read-only; the change was not saved.")
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if self.server.password:
            detail = detail.replace(self.server.password, "***")
        return StoreError(f"Database error on {where}: {detail}.")


def _is_driver_error(error: BaseException) -> bool:
    if isinstance(error, peewee.PeeweeException):
        return True
    module = type(error).__module__ or ""
    return module.startswith("psycopg")
