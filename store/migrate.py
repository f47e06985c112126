"""The migration runner: read the file's version, back it up, apply steps, refuse newer files.

Runs on every open, so the common case (already current) costs two small reads
of the schema tables and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.database import SqliteBackend
from store.errors import MigrationError, NewerSchemaError, NotADatabaseError, ReadOnlyError
from store.migrations import LATEST_VERSION, STEPS, MigrationContext
from store.migrations.m0001_initial import LEGACY_COLUMNS
from store.models import format_timestamp
from store.records import MigrationReport

KEEP_BACKUPS = 5
VERSION_TABLE = "schema_migrations"
# Tables an older TaskFlow or SQLite itself may leave beside the legacy `tasks` table.
_LEGACY_TABLES = {"tasks"}


@dataclass(frozen=True)
class SchemaState:
    version: int
    legacy: bool  # the earlier service's bare `tasks` table, version 0
    has_tasks: bool


def read_state(backend: SqliteBackend) -> SchemaState:
    """What is in the file now. Refuses a SQLite file that belongs to another program."""
    tables = backend.tables()
    if VERSION_TABLE in tables:
        row = backend.db.execute_sql(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
        version = int(row[0] or 0)
        legacy = version == 0 and "tasks" in tables
    elif not tables:
        return SchemaState(version=0, legacy=False, has_tasks=False)
    elif tables.issubset(_LEGACY_TABLES) and LEGACY_COLUMNS.issubset(backend.columns("tasks")):
        version, legacy = 0, True
    else:
        listed = ", ".join(sorted(tables)[:5])
        raise NotADatabaseError(
            f"{backend.describe()} is a SQLite database of another program "
            f"(tables: {listed}); TaskFlow will not change it."
        )
    has_tasks = "tasks" in tables and bool(
        backend.db.execute_sql("SELECT 1 FROM tasks LIMIT 1").fetchone()
    )
    return SchemaState(version=version, legacy=legacy, has_tasks=has_tasks)


def check_not_newer(backend: SqliteBackend, state: SchemaState) -> None:
    if state.version > LATEST_VERSION:
        raise NewerSchemaError(
            f"{backend.describe()} was written by a newer TaskFlow (schema version "
            f"{state.version}; this version knows up to {LATEST_VERSION}). "
            "Upgrade TaskFlow to open it; the file was not changed.",
            found=state.version,
            known=LATEST_VERSION,
        )


def migrate(
    backend: SqliteBackend,
    *,
    user: str,
    clock: Callable[[], datetime],
    to: int | None = None,
) -> MigrationReport:
    """Bring the file to version ``to`` (default: the latest), up or down."""
    target = LATEST_VERSION if to is None else to
    if not 0 <= target <= LATEST_VERSION:
        raise MigrationError(
            f"There is no schema version {target}; versions go from 0 to {LATEST_VERSION}."
        )

    state = read_state(backend)
    check_not_newer(backend, state)
    if state.version == target:
        return MigrationReport(from_version=state.version, to_version=target)
    if backend.read_only:
        raise ReadOnlyError(
            f"{backend.describe()} needs its schema changed from version {state.version} "
            f"to {target}, but it is read-only ({backend.read_only_reason}). "
            "Open it once with write access."
        )

    backup = make_backup(backend, state.version, clock()) if state.has_tasks else None
    backend.enable_wal()

    # Every step of one migration goes in one transaction: a crash, a kill or a failing
    # step leaves the file at the version it had, never at one in between (from 0 to 3,
    # say, a file left at 1 would be neither what the user had nor what they asked for).
    applied: list[str] = []
    upward = target > state.version
    current = state.version
    step = None
    try:
        with backend.migration_transaction():
            # Another process may have migrated while we waited for the write lock.
            current = read_state(backend).version
            if upward:
                steps = STEPS[current:target] if current < target else ()
            else:
                steps = tuple(reversed(STEPS[target:current])) if current > target else ()
            for step in steps:
                ctx = MigrationContext(backend=backend, user=user, now=format_timestamp(clock()))
                if upward:
                    step.up(ctx)
                    _record_version(ctx, step.VERSION, step.NAME)
                else:
                    step.down(ctx)
                    ctx.execute(f"DELETE FROM {VERSION_TABLE} WHERE version = ?", (step.VERSION,))
                applied.append(f"{step.VERSION:04d} {step.NAME} ({'up' if upward else 'down'})")
            if steps:
                current = steps[-1].VERSION if upward else steps[-1].VERSION - 1
    except Exception as error:
        where = f"; a backup is at {backup}" if backup else ""
        failed = (
            f"Migration {step.VERSION:04d} ({step.NAME}) {'up' if upward else 'down'}"
            if step is not None
            else "The migration"
        )
        raise MigrationError(
            f"{failed} failed: {error}. "
            f"{backend.describe()} is unchanged at version {current}{where}.",
            backup=backup,
        ) from error
    finally:
        backend.schema_changed()
    return MigrationReport(
        from_version=state.version,
        to_version=current,
        applied=tuple(applied),
        backup=backup,
        adopted_legacy=state.legacy and upward,
    )


def _record_version(ctx: MigrationContext, version: int, name: str) -> None:
    ctx.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    ctx.execute(
        f"INSERT INTO {VERSION_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
        (version, name, ctx.now),
    )


def make_backup(backend: SqliteBackend, version: int, now: datetime) -> Path | None:
    """Copy the file beside itself before its schema changes; keep the newest few."""
    path = backend.path
    if path is None:
        return None
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.backup-{stamp}-v{version}")
    try:
        backend.backup_to(target)
    except OSError as error:
        raise MigrationError(
            f"Cannot back up {path} before changing its schema: {error.strerror or error}. "
            "Nothing was changed."
        ) from error
    for old in list_backups(path)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


def list_backups(path: Path) -> list[Path]:
    """Backups of this database, oldest first (their names sort by time)."""
    return sorted(path.parent.glob(f"{_glob_escape(path.name)}.backup-*"))


def _glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)
