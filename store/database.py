"""Open and close one database, and everything in the store that knows it is SQLite.

Only this module and the migrations may depend on SQLite: the rest of the store
asks a backend for sessions, write transactions, case folding and change
detection, so that a PostgreSQL backend can slot in beside this one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import peewee

from store.backend import Backend, ConnectionSettings, SearchHits, execute_sql
from store.config import DatabaseLocation, special_file_kind
from store.errors import (
    BusyError,
    DamagedDatabaseError,
    LocationError,
    NotADatabaseError,
    PermissionDeniedError,
    ReadOnlyError,
    StorageFullError,
    StoreError,
    ValidationError,
)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 5.0

# Applied by peewee to every new connection, in every thread.
#
# synchronous=FULL: in WAL mode, NORMAL already survives a crash of the app, but a
# power cut or OS crash can roll back the last commits, which the UI had already
# reported as saved. FULL fsyncs the WAL on every commit, so "saved" means saved
# even then. It costs one fsync per change, which an interactive app never feels,
# and bulk imports run in one transaction, so they pay it once.
CONNECTION_PRAGMAS: tuple[tuple[str, Any], ...] = (
    ("foreign_keys", 1),
    ("busy_timeout", int(BUSY_TIMEOUT_SECONDS * 1000)),
    ("synchronous", "FULL"),
)


# POSIX advisory locks belong to a process, not to a descriptor: closing ANY descriptor
# of a file drops every lock the process holds on it, SQLite's included (see "How To
# Corrupt An SQLite Database File", 2.2). In WAL mode another process that then finds
# the file unlocked takes itself for its last user, checkpoints, and deletes the -wal
# and -shm files under this process's open connections, which go on reading a stale
# file and commit into a deleted one: the write is lost. So a database file is read
# with our own open() only while no backend in this process may hold it open. A backend
# stays here while any of its connections is open, in any thread: close() only closes the
# calling thread's, and a thread worker may still be inside a store call when it runs.
_HOLDING: weakref.WeakSet[SqliteBackend] = weakref.WeakSet()
_HOLDING_LOCK = threading.Lock()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _held_in_this_process(path: Path) -> bool:
    wanted = _file_id(path)
    with _HOLDING_LOCK:
        return wanted is not None and any(b._file_id == wanted for b in list(_HOLDING))


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


class SqliteBackend:
    """One SQLite database file (or in-memory database) and its connections."""

    dialect = "sqlite"

    def __init__(self, location: DatabaseLocation, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self.read_only_reason: str | None = "opened read-only on request" if read_only else None
        # An in-memory database exists once per connection, so every thread must share
        # one connection; the lock keeps their transactions from interleaving.
        self._shared_lock: threading.RLock | None = None
        self._search_index: bool | None = None  # whether migration 3 built one (asked once)
        # Hits per search phrase, to choose a query plan (a stale figure only costs speed).
        self._hit_counts: dict[str, int] = {}
        self._file_id: tuple[int, int] | None = None
        self._open_connections = 0  # across all threads, guarded by _HOLDING_LOCK
        # The journal mode the file's header records, and whether SQLite was told the
        # file is immutable (which makes it report "delete" whatever the file says).
        self._header_journal_mode: str | None = None
        self._immutable = False
        self.db: peewee.SqliteDatabase = self._open()
        if self.location.path is not None:
            self._file_id = _file_id(self.location.path)
            self._connection_opened()

    # -- opening -----------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self.location.path

    def describe(self) -> str:
        return self.location.display()

    def _open(self) -> peewee.SqliteDatabase:
        path = self.location.path
        if path is None:
            self._shared_lock = threading.RLock()
            db = self._make_database(":memory:", uri=False, thread_safe=False)
            self._connect_and_validate(db)
            return db

        self._check_file(path)
        if self.read_only:
            db = self._open_read_only(path)
        else:
            db = self._make_database(str(path), uri=False)
            self._connect_and_validate(db)
        return db

    def _make_database(
        self, name: str, *, uri: bool, thread_safe: bool = True
    ) -> peewee.SqliteDatabase:
        connect_params: dict[str, Any] = {"uri": uri}
        if not thread_safe:
            connect_params["check_same_thread"] = False
        db = peewee.SqliteDatabase(
            name,
            pragmas=CONNECTION_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
            # Writers take the write lock when they begin, so a transaction never has to
            # upgrade a read lock, the one case SQLite's busy timeout cannot wait out.
            lock_type="IMMEDIATE",
            thread_safe=thread_safe,
            **connect_params,
        )
        db.register_function(_casefold, "tf_casefold", 1, deterministic=True)
        return db

    def _check_file(self, path: Path) -> None:
        """Refuse what is not a usable database file before SQLite can touch it."""
        if path.is_dir():
            raise LocationError(
                f"{path} is a folder, not a database file; give a file path such as "
                f"{path / 'tasks.db'}."
            )
        parent = path.parent
        if parent.exists() and not parent.is_dir():
            raise LocationError(f"Cannot use {path}: {parent} is a file, not a folder.")
        if not parent.exists():
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise LocationError(
                    f"Cannot create the folder {parent}: {_reason(error)}."
                ) from None

        if not path.exists():
            _refuse_special_companions(path)
            if not os.access(parent, os.W_OK | os.X_OK):
                raise PermissionDeniedError(
                    f"Cannot create {path}: permission denied in the folder {parent}."
                )
            return

        _refuse_a_special_file(path)
        if not _held_in_this_process(path):
            self._check_header(path)
        # Else SQLite already has it open here, so it was read and accepted, and reading
        # it again with open() would drop this process's locks (see _HOLDING).
        _refuse_special_companions(path)

        if not self.read_only:
            writable = os.access(path, os.W_OK) and os.access(parent, os.W_OK | os.X_OK)
            if not writable:
                self.read_only = True
                self.read_only_reason = (
                    "the file is read-only"
                    if not os.access(path, os.W_OK)
                    else f"the folder {parent} is read-only"
                )

    def _check_header(self, path: Path) -> None:
        try:
            header = _read_header(path)
        except PermissionError:
            raise PermissionDeniedError(f"Permission denied reading {path}.") from None
        except OSError as error:
            raise LocationError(f"Cannot read {path}: {_reason(error)}.") from None

        if not header:
            raise NotADatabaseError(
                f"{path} is an empty file, not a TaskFlow database; "
                "remove it or choose another --db path."
            )
        if not header.startswith(SQLITE_HEADER):
            raise NotADatabaseError(
                f"{path} is not a SQLite database; TaskFlow will not open or overwrite it."
            )
        # Bytes 18 and 19, the file format's write and read versions: 2 means WAL.
        self._header_journal_mode = "wal" if header[18:20] == b"\x02\x02" else "delete"
        try:
            truncated = _looks_truncated(path, header)
        except OSError as error:  # gone or unreadable since it was read just now
            raise LocationError(f"Cannot read {path}: {_reason(error)}.") from None
        if truncated:
            raise NotADatabaseError(
                f"{path} is truncated or corrupt (shorter than its header says); "
                "restore it from a backup."
            )

    def _open_read_only(self, path: Path) -> peewee.SqliteDatabase:
        base = "file:" + quote(str(path))
        db = self._make_database(base + "?mode=ro", uri=True)
        try:
            self._connect_and_validate(db)
            return db
        except (LocationError, ReadOnlyError):
            # A WAL database needs its -shm file; where that cannot be created (a
            # read-only folder), "immutable" is the only way in. We never write, and
            # nobody else can write the file without write access to its folder.
            db = self._make_database(base + "?immutable=1", uri=True)
            self._immutable = True
            self._connect_and_validate(db)
            return db

    def _connect_and_validate(self, db: peewee.SqliteDatabase) -> None:
        try:
            with self._translated():
                db.connect(reuse_if_open=True)
                # Reading the schema is the cheapest query that proves the file is a
                # database SQLite can read; it does not grow with the number of tasks.
                execute_sql(db, "SELECT count(*) FROM sqlite_master").fetchone()
        except StoreError:
            if not db.is_closed():
                db.close()
            raise

    # -- sessions and transactions -------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Run store work on this thread's connection, opening (and then closing) it if needed.

        A thread worker thus needs nothing special: its connection lives exactly as
        long as the call. Errors leave as StoreError subclasses with a user message.
        """
        lock = self._shared_lock or contextlib.nullcontext()
        with lock, self._translated():
            if not self.db.is_closed():
                yield
                return
            self.db.connect()
            self._connection_opened()
            try:
                yield
            finally:
                if not self.db.in_transaction():
                    self.db.close()
                    self._connection_closed()

    def write(self) -> AbstractContextManager[object]:
        """A write transaction (BEGIN IMMEDIATE); nested calls become savepoints."""
        if self.read_only:
            raise ReadOnlyError(
                f"{self.describe()} is open read-only ({self.read_only_reason}); "
                "changes cannot be saved."
            )
        return self.db.atomic()

    def explicit_ids_written(self, table: str, column: str = "id") -> None:
        """Nothing to do: SQLite's next rowid is always past the largest."""

    def read_snapshot(self) -> AbstractContextManager[object]:
        """A read transaction: one consistent view of the file for a long read (an
        export), while writers elsewhere carry on (WAL lets them)."""
        return self.db.atomic(lock_type="DEFERRED")

    @contextlib.contextmanager
    def migration_transaction(self) -> Iterator[None]:
        """A transaction for schema changes: foreign keys paused, checked before commit.

        SQLite's documented recipe for rebuilding tables: foreign_keys cannot change
        inside a transaction, so switch it off first and verify by hand at the end.
        """
        execute_sql(self.db, "PRAGMA foreign_keys = OFF")
        try:
            with self.db.atomic():
                yield
                violations = execute_sql(self.db, "PRAGMA foreign_key_check").fetchall()
                if violations:
                    table = violations[0][0]
                    raise StoreError(
                        f"the new schema breaks {len(violations)} foreign key(s), "
                        f"first in table {table}"
                    )
        finally:
            execute_sql(self.db, "PRAGMA foreign_keys = ON")

    def close(self) -> None:
        """Close this thread's connection; a worker's closes when its store call ends."""
        with contextlib.suppress(peewee.PeeweeException, sqlite3.Error):
            if not self.db.is_closed():
                self.db.close()
                self._connection_closed()

    def _connection_opened(self) -> None:
        """Note that this process holds the file open through SQLite (see _HOLDING)."""
        if self._file_id is not None:
            with _HOLDING_LOCK:
                self._open_connections += 1
                _HOLDING.add(self)

    def _connection_closed(self) -> None:
        if self._file_id is not None:
            with _HOLDING_LOCK:
                self._open_connections -= 1
                if self._open_connections == 0:
                    _HOLDING.discard(self)

    # -- introspection -------------------------------------------------------------------

    def tables(self) -> set[str]:
        return {name for name in self.db.get_tables() if not name.startswith("sqlite_")}

    def columns(self, table: str) -> set[str]:
        return {column.name for column in self.db.get_columns(table)}

    def indexes(self, table: str) -> set[str]:
        return {index.name for index in self.db.get_indexes(table)}

    def settings(self) -> ConnectionSettings:
        journal_mode = str(self.db.pragma("journal_mode")).lower()
        if self._immutable and self._header_journal_mode is not None:
            # An immutable open reports "delete"; the file's own mode is in its header.
            journal_mode = self._header_journal_mode
        return ConnectionSettings(
            journal_mode=journal_mode,
            foreign_keys=bool(self.db.pragma("foreign_keys")),
            synchronous=int(self.db.pragma("synchronous")),
            busy_timeout_ms=int(self.db.pragma("busy_timeout")),
        )

    def expected_journal_mode(self) -> str:
        return "memory" if self.location.is_memory else "wal"

    def quick_check(self) -> str:
        return self._check("quick_check")

    def integrity_check(self) -> str:
        return self._check("integrity_check")

    def _check(self, pragma: str) -> str:
        """SQLite's verdict as text ('ok' when sound); a file too damaged to check says so."""
        try:
            rows = execute_sql(self.db, f"PRAGMA {pragma}").fetchall()
        except (peewee.DatabaseError, sqlite3.DatabaseError) as error:
            return f"cannot be checked: {error}"
        return "; ".join(str(row[0]) for row in rows)

    # -- SQLite-specific behaviour the store relies on -----------------------------------------

    def enable_wal(self) -> None:
        """Switch the file to WAL mode (persistent, so every later connection has it)."""
        if self.read_only or self.location.is_memory:
            return
        mode = str(self.db.pragma("journal_mode", "wal")).lower()
        if mode != "wal":
            raise StoreError(
                f"Cannot switch {self.describe()} to WAL mode (got {mode!r}); "
                "is it on a network file system?"
            )

    def search_candidates(self, terms: list[str]) -> SearchHits | None:
        """Search-index numbers (tasks.seq) of the tasks that may contain every one of
        ``terms``, with how many there are; None when the index cannot help.

        The trigram index knows substrings of three characters or more, folding case
        as SQLite does; the caller still checks its exact rule on each candidate, so
        the index only ever narrows the search, never changes its answer.
        """
        if any("\x00" in term for term in terms):
            # SQLite reads a LIKE or MATCH pattern only up to a NUL ("\x00" alone would
            # match every task, "a\x00b" fail as an unterminated string), and no title or
            # description may hold one (validation refuses it): such a search finds none.
            return SearchHits(peewee.SQL("(SELECT NULL WHERE 0)"), 0)
        usable = [term for term in terms if len(term) >= 3 and term.isascii()]
        if not usable or not self._has_search_index():
            return None
        phrase = " AND ".join('"' + term.replace('"', '""') + '"' for term in usable)
        search = peewee.Table("task_search", ("rowid",)).bind(self.db)
        rowid = peewee.Column(search, "rowid")
        matches = peewee.NodeList((peewee.Entity("task_search"), peewee.SQL("MATCH"), phrase))
        count = self._hit_counts.get(phrase)
        if count is None:
            # Counting hits in the index alone is cheap (no task is read); it tells the
            # store whether to walk the hits (few) or the list's own index (many).
            count = int(search.select(peewee.fn.COUNT(rowid)).where(matches).scalar())
            if len(self._hit_counts) > 64:
                self._hit_counts.clear()
            self._hit_counts[phrase] = count
        return SearchHits(search.select(rowid).where(matches), count)

    def bulk_insert_work(self, new_rows: int, first_seq: int) -> AbstractContextManager[None]:
        from store.deferred import deferred_index_work  # only for many tasks at once

        return deferred_index_work(self.db, new_rows=new_rows, first_seq=first_seq)

    def unindexed(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        """``expression`` as SQLite may not answer from an index (the unary + idiom): so
        that a search walks the few index hits rather than every task of the owner."""
        return peewee.NodeList((peewee.SQL("+"), expression), glue="")

    def schema_changed(self) -> None:
        """Forget what was learnt about the schema (after a migration)."""
        self._search_index = None
        self._hit_counts.clear()

    def _has_search_index(self) -> bool:
        if self._search_index is None:
            row = execute_sql(
                self.db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'task_search'"
            ).fetchone()
            self._search_index = row is not None
        return self._search_index

    def casefold(self, expression: peewee.ColumnBase) -> peewee.ColumnBase:
        """Unicode-aware case folding (SQLite's own lower() only knows ASCII)."""
        return peewee.fn.tf_casefold(expression)

    def data_version(self) -> int:
        """A number that changes when another connection commits to the file.

        Needs a connection that stays open between calls, so this one is kept open
        on the calling thread (the app's main thread) until close().
        """
        lock = self._shared_lock or contextlib.nullcontext()
        with lock, self._translated():
            if self.db.connect(reuse_if_open=True):
                self._connection_opened()
            return int(self.db.pragma("data_version"))

    def backup_refusal(self) -> StoreError | None:
        """None: a SQLite file is backed up (an in-memory database has no file, which
        the store says itself)."""
        return None

    def backup_to(self, target: Path) -> None:
        """Copy the live database with SQLite's online backup API (safe while others write).

        Written to a hidden temporary name, checked with quick_check on a connection of
        its own, then renamed: a backup that exists is complete and sound. A copy that
        fails the check is removed and refused (the database's pages are damaged), so
        that it never takes the place of a good backup.
        """
        partial = partial_backup_path(target)
        with _WRITING_LOCK:
            _WRITING.add(partial.name)
        try:
            try:
                destination = sqlite3.connect(partial)
            except sqlite3.Error as error:
                # SQLite says only "unable to open database file", which the session
                # would report against the live database: name the backup instead.
                folder = target.absolute().parent
                writable = os.access(folder, os.W_OK | os.X_OK)
                why = "permission denied" if not writable else str(error).lower()
                raise StoreError(
                    f"Cannot write the backup {target}: {why} in {folder}; nothing was changed."
                ) from error
            try:
                # peewee's stub leaves connection() unannotated (an untyped call).
                source: sqlite3.Connection = self.db.connection()  # type: ignore[no-untyped-call]
                source.backup(destination)
            finally:
                destination.close()
            verdict = _quick_check_of(partial)
            if verdict != "ok":
                raise self._damaged_copy(verdict)
            os.replace(partial, target)
        except BaseException:
            remove_with_companions(partial)
            raise
        finally:
            with _WRITING_LOCK:
                _WRITING.discard(partial.name)

    def _damaged_copy(self, verdict: str) -> StoreError:
        """Why a copy failed its check: the database itself, or the copy on its way."""
        if self.quick_check() == "ok":
            return StoreError(
                f"The backup of {self.describe()} came out damaged (quick_check: "
                f"{_first_of(verdict)}) and was removed; the database itself passes the "
                "check. Check the disk the backup goes to."
            )
        return DamagedDatabaseError(
            f"{self.describe()} is damaged: a copy of it fails SQLite's quick_check "
            f"({_first_of(verdict)}). No backup was made, and the backups already made were "
            "kept; run 'taskflow db check' and restore the newest sound backup."
        )

    def check_schema_owner(self, change: str) -> None:
        """Nothing to check: whoever may write the file may change its schema (and the
        file is backed up first)."""

    # -- errors ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except (peewee.PeeweeException, sqlite3.Error) as error:
            raise self.translate(error) from error
        except UnicodeEncodeError as error:
            # Text with an unpaired surrogate (how Python carries bytes that are not
            # UTF-8, e.g. in a command-line argument) cannot reach SQLite at all.
            code = ord(error.object[error.start]) if error.object else 0
            raise ValidationError(
                "text",
                f"The text contains an unpaired surrogate (U+{code:04X}), which is not "
                "a character; it usually comes from bytes that are not UTF-8.",
            ) from error
        except OSError as error:
            if error.errno == errno.ENOSPC:
                raise StorageFullError(
                    f"The disk holding {self.describe()} is full; nothing was saved."
                ) from error
            raise StoreError(f"Cannot use {self.describe()}: {_reason(error)}.") from error

    def translate(self, error: BaseException) -> StoreError:
        """Turn a driver error into a StoreError whose message a user can act on."""
        error = _cause_not_rollback(error)
        text = str(error).lower()
        where = self.describe()
        if "locked" in text or "busy" in text:
            return BusyError(
                f"{where} is busy: another program kept it locked for over "
                f"{BUSY_TIMEOUT_SECONDS:g} seconds. Try again."
            )
        if "readonly" in text or "read-only" in text:
            return ReadOnlyError(f"{where} is read-only; the change was not saved.")
        if "full" in text:
            return StorageFullError(f"The disk holding {where} is full; the change was not saved.")
        if "not a database" in text or "malformed" in text or "encrypted" in text:
            return NotADatabaseError(
                f"{where} is corrupt or not a SQLite database; restore it from a backup."
            )
        if "unable to open" in text:
            return LocationError(f"Cannot open {where}: permission denied or missing folder.")
        if "disk i/o" in text:
            return StoreError(f"Disk error while using {where}; the change was not saved.")
        return StoreError(f"Database error on {where}: {error}.")


def _cause_not_rollback(error: BaseException) -> BaseException:
    """The failure itself, not the failed rollback after it.

    After some errors (a full disk, an I/O error) SQLite rolls the transaction back by
    itself; the ROLLBACK the transaction's context manager then sends fails with
    "cannot rollback - no transaction is active", which would hide why the change
    was not saved.
    """
    while (
        "cannot rollback" in str(error).lower() or "no such savepoint" in str(error).lower()
    ) and isinstance(error.__context__, (peewee.PeeweeException, sqlite3.Error)):
        error = error.__context__
    return error


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


# What SQLite keeps beside a database file while it is in use.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
PARTIAL_SUFFIX = ".partial"
# Partial backups this process is writing now (names): not leftovers, whatever their pid.
_WRITING: set[str] = set()
_WRITING_LOCK = threading.Lock()


def partial_backup_path(target: Path) -> Path:
    """Where a backup is written before it counts: a hidden name carrying the writer's
    process id, so that a rotation can tell a killed backup's leftovers (their process
    is gone) from one in progress in another process."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}{PARTIAL_SUFFIX}")


def is_leftover_partial(path: Path) -> bool:
    """Whether ``path``, a partial backup or one of its journals, was left by a backup
    that no longer runs: its process is gone, or its name is of the older form that
    carried no process id (written before this check existed)."""
    name = path.name
    for suffix in COMPANION_SUFFIXES:
        name = name.removesuffix(suffix)
    if not name.endswith(PARTIAL_SUFFIX):
        return False
    with _WRITING_LOCK:
        if name in _WRITING:
            return False
    writer = name.removesuffix(PARTIAL_SUFFIX).rsplit(".", 1)[-1].split("-", 1)[0]
    if not writer.isdigit() or int(writer) <= 0:
        return True
    pid = int(writer)
    return pid == os.getpid() or not _process_exists(pid)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:  # someone else's process: it exists
        return True
    except (OSError, OverflowError):
        return False
    return True


def remove_with_companions(path: Path) -> None:
    """Remove a database file (a backup, a partial copy) and any journal of its own."""
    for suffix in ("", *COMPANION_SUFFIXES):
        with contextlib.suppress(OSError):
            path.with_name(path.name + suffix).unlink()


def _quick_check_of(path: Path) -> str:
    """SQLite's quick_check of a file just written, on a connection of its own, so that
    what is checked is what reached the file, not pages the writer had cached. Opened
    read-write: its last connection then removes the -wal and -shm it makes."""
    try:
        connection = sqlite3.connect(path)
    except sqlite3.Error as error:
        return f"cannot be opened: {error}"
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        return f"cannot be checked: {error}"
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)


def _first_of(verdict: str, limit: int = 160) -> str:
    """The first of SQLite's findings (up to 100 of them), short enough for one line."""
    first, _, rest = verdict.partition("; ")
    first = " ".join(first.split())  # SQLite's findings may span lines
    more = rest.count("; ") + 1 if rest else 0
    shown = first if len(first) <= limit else first[: limit - 1] + "…"
    return shown + (f", and {more} more" if more else "")


def _refuse_a_special_file(path: Path) -> None:
    """A FIFO, a device or a socket is not a database: opening a FIFO waits for a writer
    that never comes (every command hung), and a device never ends. Refused by a stat,
    before anything opens it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # gone since it was seen: the header read reports it
    kind = special_file_kind(mode)
    if kind is not None:
        raise LocationError(
            f"{path} is {kind}, not a database file; give the path of a database file "
            "(or of a new one)."
        )


def _refuse_special_companions(path: Path) -> None:
    """SQLite would open path-wal, -shm and -journal itself, and hang as on the file."""
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        try:
            kind = special_file_kind(companion.stat().st_mode)
        except OSError:  # none there (the usual case), or gone since
            continue
        if kind is not None:
            raise LocationError(
                f"Cannot open {path}: {companion} beside it is {kind}, where SQLite keeps "
                "its journal; remove it or choose another --db path."
            )


def _read_header(path: Path) -> bytes:
    """The first 100 bytes, read without waiting: O_NONBLOCK keeps a FIFO put in the
    file's place since the stat from blocking the open (a regular file ignores it)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        kind = special_file_kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise LocationError(f"{path} is {kind}, not a database file.")
        return os.read(descriptor, 100)
    finally:
        os.close(descriptor)


def _looks_truncated(path: Path, header: bytes) -> bool:
    """True when the file is shorter than the page count its own header records.

    The header's page count is only trusted when its "valid-for" number matches the
    change counter (as SQLite does), and a non-empty WAL may legitimately hold pages
    a checkpoint has not written yet, so then nothing is concluded.
    """
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter = header[24:28]
    valid_for = header[92:96]
    page_count = int.from_bytes(header[28:32], "big")
    if change_counter != valid_for or page_count == 0:
        return False
    wal = path.with_name(path.name + "-wal")
    # One look at the -wal, not "exists, then how big": another program's last
    # connection deletes it after its checkpoint, which may fall between two looks.
    # Once it is gone, that checkpoint has finished, so the file's size (read after)
    # is final.
    try:
        if wal.stat().st_size > 0:
            return False
    except FileNotFoundError:
        pass
    return path.stat().st_size < page_count * page_size


def open_backend(location: DatabaseLocation, *, read_only: bool = False) -> Backend:
    """The one place that picks a backend for a location: a SQLite file (or memory), or
    a PostgreSQL server (store.postgres, imported only when asked for)."""
    if location.server is not None:
        from store.postgres import PostgresBackend

        return PostgresBackend(location, read_only=read_only)
    return SqliteBackend(location, read_only=read_only)
