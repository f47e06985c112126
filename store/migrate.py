"""The migration runner: read the file's version, back it up, apply steps, refuse newer files.

Runs on every open, so the common case (already current) costs a few small reads
of the schema tables and writes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.backend import Backend, execute_sql
from store.database import COMPANION_SUFFIXES, is_leftover_partial, remove_with_companions
from store.errors import (
    DataLossError,
    MigrationError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
    StoreError,
)
from store.migrations import LATEST_VERSION, STEPS, MigrationContext, m0001_initial
from store.migrations.m0001_initial import LEGACY_COLUMNS
from store.models import format_timestamp
from store.records import MigrationReport

KEEP_BACKUPS = 5
VERSION_TABLE = "schema_migrations"
# The columns of TaskFlow's own version table (see _record_version).
VERSION_COLUMNS = frozenset({"version", "name", "applied_at"})
# The lowest version a file may be taken down to: 0 is the earlier service's bare table,
# which has no owners, so a file taken there could only come back as one owner's.
LOWEST_VERSION = 1


@dataclass(frozen=True)
class SchemaState:
    version: int
    legacy: bool  # the earlier service's bare `tasks` table, version 0
    has_tasks: bool


@dataclass(frozen=True)
class DataLoss:
    """What going down to ``target`` drops, counted over every owner's tasks."""

    target: int
    counts: tuple[tuple[int, str, str], ...]  # (how many, singular, plural); non-zero only
    owners: int  # how many owners lose something

    def __bool__(self) -> bool:
        return bool(self.counts)

    def describe(self) -> str:
        """'6,667 due dates, 15,000 priorities and 20,000 tag links, counted over all
        owners (2 owners affected)'."""
        parts = [f"{n:,} {one if n == 1 else many}" for n, one, many in self.counts]
        if not parts:
            return "nothing"
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        whose = "one owner" if self.owners == 1 else f"{self.owners:,} owners"
        return f"{listed}, counted over all owners ({whose} affected)"

    def as_dict(self) -> dict[str, int]:
        return {many: n for n, _, many in self.counts}


# Asked, with exactly what would be lost, before a step down drops data; True goes ahead.
Confirm = Callable[[DataLoss], bool]


def read_state(backend: Backend, *, check_rows: bool = True) -> SchemaState:
    """What is in the database now. Refuses one that belongs to another program, and a
    table of the earlier service that cannot be adopted whole (``check_rows``: read every
    row of it to know; only a version-0 file has one).

    Only reads: a refused file is left byte for byte as it was, by every command.
    """
    tables = backend.tables()
    if not tables:
        return SchemaState(version=0, legacy=False, has_tasks=False)
    if VERSION_TABLE in tables:
        version = _recorded_version(backend)
        if version == 0:
            return _unversioned_state(backend, tables)
        legacy = False
    elif tables == {"tasks"}:
        _check_legacy_shape(backend)
        if check_rows:
            _check_legacy_rows(backend)
        version, legacy = 0, True
    else:
        raise _another_program(backend, f"tables: {_listed(tables)}")
    return SchemaState(version=version, legacy=legacy, has_tasks=_has_tasks(backend, tables))


def _has_tasks(backend: Backend, tables: set[str]) -> bool:
    return "tasks" in tables and bool(
        execute_sql(backend.db, "SELECT 1 FROM tasks LIMIT 1").fetchone()
    )


def _recorded_version(backend: Backend) -> int:
    """The highest version in TaskFlow's version table; another program's table of the
    same name (Rails' and golang-migrate's are called so too) is refused.

    One query, for the columns and the rows alike: TaskFlow's table holds one small row
    a version, and this runs on every open (a round trip each, on a server)."""
    cursor = execute_sql(backend.db, f"SELECT * FROM {VERSION_TABLE}")
    names = [column[0] for column in cursor.description or ()]
    rows = cursor.fetchall()
    if set(names) != VERSION_COLUMNS:
        raise _another_program(
            backend,
            f"its {VERSION_TABLE} table has the columns {_listed(set(names))}, not "
            "TaskFlow's version, name and applied_at",
        )
    versions = [row[names.index("version")] for row in rows]
    odd = [value for value in versions if type(value) is not int or value < 1]
    if odd:
        raise _another_program(
            backend, f"its {VERSION_TABLE} table holds the version {str(odd[0])[:40]!r}"
        )
    return max(versions, default=0)


def _unversioned_state(backend: Backend, tables: set[str]) -> SchemaState:
    """TaskFlow's version table with no version in it: a new file (nothing beside it), or
    one that an earlier TaskFlow took down to version 0 (a legacy-shaped `tasks` beside
    it), whose rows' owners were lost on the way down: it is refused, as adopting it
    would give every owner's tasks to whoever opened it first."""
    others = tables - {VERSION_TABLE}
    if not others:
        return SchemaState(version=0, legacy=False, has_tasks=False)
    if others != {"tasks"}:
        raise _another_program(
            backend, f"an empty {VERSION_TABLE} table beside the tables {_listed(others)}"
        )
    _check_legacy_shape(backend)
    raise NotADatabaseError(
        f"{backend.describe()} was taken down to schema version 0 by an earlier TaskFlow, "
        "which keeps no owners there: bringing it up would give every owner's tasks to "
        "whoever opens it. It was not changed; restore the backup taken before it went "
        f"down{_newest_versioned_backup(backend)}."
    )


def _check_legacy_shape(backend: Backend) -> None:
    """Adopt only the earlier service's exact table: other columns would be dropped."""
    columns = backend.columns("tasks")
    if columns != LEGACY_COLUMNS:
        extra, missing = sorted(columns - LEGACY_COLUMNS), sorted(LEGACY_COLUMNS - columns)
        differences = [f"columns {', '.join(extra)} that it does not have"] if extra else []
        differences += [f"no {', '.join(missing)}"] if missing else []
        raise _another_program(
            backend,
            "a tasks table that is not the earlier TaskFlow service's: "
            + " and ".join(differences),
        )
    if backend.dialect != "sqlite":
        raise _another_program(
            backend, "a bare tasks table; only a SQLite file of the earlier service is adopted"
        )


def _check_legacy_rows(backend: Backend) -> None:
    """Refuse, before anything is written, a legacy table that cannot be adopted whole."""
    ctx = MigrationContext(backend=backend, user="", now="")
    problems = m0001_initial.adoption_problems(ctx)
    if problems:
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise NotADatabaseError(
            f"{backend.describe()} has the earlier TaskFlow service's tasks table, but not "
            f"every row fits TaskFlow: {'; '.join(problems[:3])}{more}. TaskFlow adopts the "
            "table only whole, so the file was not changed; correct those rows and open it "
            "again."
        )


def _newest_versioned_backup(backend: Backend) -> str:
    """' (the newest: PATH)' for the newest backup of a TaskFlow version, if any."""
    if backend.path is None:
        return ""
    versioned = [b for b in list_backups(backend.path) if not b.name.endswith("-v0")]
    return f" (the newest: {versioned[-1]})" if versioned else ""


def _another_program(backend: Backend, what: str) -> NotADatabaseError:
    return NotADatabaseError(
        f"{backend.describe()} is a database of another program ({what}); "
        "TaskFlow will not change it."
    )


def _listed(names: set[str] | frozenset[str]) -> str:
    shown = sorted(names)
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")


def check_not_newer(backend: Backend, state: SchemaState) -> None:
    if state.version > LATEST_VERSION:
        raise NewerSchemaError(
            f"{backend.describe()} was written by a newer TaskFlow (schema version "
            f"{state.version}; this version knows up to {LATEST_VERSION}). "
            "Upgrade TaskFlow to open it; the file was not changed.",
            found=state.version,
            known=LATEST_VERSION,
        )


def migrate(
    backend: Backend,
    *,
    user: str,
    clock: Callable[[], datetime],
    to: int | None = None,
    confirm: Confirm | None = None,
) -> MigrationReport:
    """Bring the file to version ``to`` (default: the latest), up or down.

    Everything that can refuse does so before the backup and the switch to WAL, so a
    refused file is left as it was. A step down that would drop data asks ``confirm``
    first; without one it is refused (DataLossError): losing data is never a default.
    """
    target = LATEST_VERSION if to is None else to
    _check_target(target)
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
    upward = target > state.version
    confirmed: DataLoss | None = None
    if not upward:
        backend.check_schema_owner(f"Going down from schema version {state.version} to {target}")
        confirmed = _confirmed_loss(backend, state.version, target, user, clock, confirm)

    backup = make_backup(backend, state.version, clock()) if state.has_tasks else None
    backend.enable_wal()

    # Every step of one migration goes in one transaction: a crash, a kill or a failing
    # step leaves the file at the version it had, never at one in between (from 0 to 3,
    # say, a file left at 1 would be neither what the user had nor what they asked for).
    applied: list[str] = []
    current = state.version
    step = None
    try:
        with backend.migration_transaction():
            # Another process may have migrated while we waited for the write lock.
            current = read_state(backend, check_rows=False).version
            if upward:
                steps = STEPS[current:target] if current < target else ()
            else:
                steps = tuple(reversed(STEPS[target:current])) if current > target else ()
                if confirmed is not None and steps:
                    _check_loss_unchanged(backend, current, target, user, clock, confirmed)
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


def _check_target(target: int) -> None:
    if target == 0:
        raise MigrationError(
            "Schema version 0 is not TaskFlow's: it is the earlier service's bare tasks "
            "table, which keeps no owners, so every owner's tasks would come back as one "
            f"owner's. The lowest version to go down to is {LOWEST_VERSION}."
        )
    if not LOWEST_VERSION <= target <= LATEST_VERSION:
        raise MigrationError(
            f"There is no schema version {target}; versions go from {LOWEST_VERSION} "
            f"to {LATEST_VERSION}."
        )


# -- what a step down drops ---------------------------------------------------------------------


def planned_loss(
    backend: Backend, current: int, target: int, user: str, clock: Callable[[], datetime]
) -> DataLoss:
    """What the steps from ``current`` down to ``target`` would drop (each step that drops
    data counts it with its ``lost_by_down``)."""
    ctx = MigrationContext(backend=backend, user=user, now=format_timestamp(clock()))
    counts: list[tuple[int, str, str]] = []
    owners = 0
    for step in reversed(STEPS[target:current]):
        lost_by_down = getattr(step, "lost_by_down", None)
        if lost_by_down is None:
            continue
        step_counts, step_owners = lost_by_down(ctx)
        counts += [entry for entry in step_counts if entry[0]]
        owners = max(owners, step_owners)
    return DataLoss(target=target, counts=tuple(counts), owners=owners)


def _confirmed_loss(
    backend: Backend,
    current: int,
    target: int,
    user: str,
    clock: Callable[[], datetime],
    confirm: Confirm | None,
) -> DataLoss | None:
    """Ask before a loss, outside any transaction (a question must not hold the write
    lock); the answer is checked against the file again once the lock is held."""
    loss = planned_loss(backend, current, target, user, clock)
    if not loss:
        return loss
    if confirm is None or not confirm(loss):
        raise DataLossError(
            f"Going down to schema version {target} would drop {loss.describe()}; "
            f"{backend.describe()} was not changed.",
            loss=loss,
        )
    return loss


def _check_loss_unchanged(
    backend: Backend,
    current: int,
    target: int,
    user: str,
    clock: Callable[[], datetime],
    confirmed: DataLoss,
) -> None:
    now = planned_loss(backend, current, target, user, clock)
    if now != confirmed:
        what = now.describe() if now else "nothing"
        raise StoreError(
            f"the tasks changed while the loss was being confirmed (it would now drop "
            f"{what}); run it again"
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


# -- backups ---------------------------------------------------------------------------------


def make_backup(backend: Backend, version: int, now: datetime) -> Path | None:
    """Copy the file beside itself before its schema changes; keep the newest few.

    The copy counts only once it passes quick_check (backup_to refuses a damaged one,
    DamagedDatabaseError), so a damaged database never pushes a sound backup out.
    """
    path = backend.path
    if path is None:
        return None
    remove_leftovers(path)
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
        remove_with_companions(old)
    return target


def list_backups(path: Path) -> list[Path]:
    """Backups of this database, oldest first (their names sort by time). A backup's own
    journal (someone opened it) is not a backup."""
    return sorted(
        candidate
        for candidate in path.parent.glob(f"{_glob_escape(path.name)}.backup-*")
        if not candidate.name.endswith(COMPANION_SUFFIXES)
    )


def remove_leftovers(path: Path) -> list[Path]:
    """Remove what killed backups and migrations left beside the database, and return it:
    partial copies (hidden ``*.partial`` files) of processes that are gone, with their
    journals, and journals of backups that no longer exist. A journal beside a backup
    that exists is kept: it may be the hot journal of someone who has that backup open.
    """
    escaped = _glob_escape(path.name)
    removed: list[Path] = []
    for candidate in path.parent.glob(f".{escaped}.backup-*"):
        if is_leftover_partial(candidate):
            removed.append(candidate)
    for journal in path.parent.glob(f"{escaped}.backup-*"):
        owner = _journal_owner(journal)
        if owner is not None and not owner.exists():
            removed.append(journal)
    for leftover in removed:
        with contextlib.suppress(OSError):
            leftover.unlink()
    return removed


def _journal_owner(path: Path) -> Path | None:
    """The database file a -wal, -shm or -journal file belongs to; None for other files."""
    for suffix in COMPANION_SUFFIXES:
        if path.name.endswith(suffix):
            return path.with_name(path.name[: -len(suffix)])
    return None


def _glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)
