"""TaskFlow's model layer: the only thing outside ``store/`` imports is this module.

from store import open_store
with open_store("tasks.db") as tasks:
    task = tasks.create("Buy milk")
    tasks.toggle(task.id)
    tasks.undo()
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from store import migrate as _migrate
from store import transfer
from store.config import (
    DB_ENV_VAR,
    USER_ENV_VAR,
    DatabaseLocation,
    Source,
    default_database_path,
    resolve_location,
    resolve_user,
)
from store.database import open_backend
from store.errors import (
    AmbiguousIdError,
    BusyError,
    ConflictError,
    DataLossError,
    FileFormatError,
    HealthCheckError,
    LocationError,
    MigrationError,
    NewerSchemaError,
    NotADatabaseError,
    NotFoundError,
    NothingToUndoError,
    PermissionDeniedError,
    ReadOnlyError,
    ServerUnavailableError,
    StorageFullError,
    StoreError,
    UnsupportedDatabaseURL,
    ValidationError,
)
from store.merge import MERGED_FIELDS, EditMerge, FieldClash, merge_edit, same_value
from store.migrate import DataLoss
from store.migrations import LATEST_VERSION
from store.planning import (
    Due,
    Priority,
    QuickAdd,
    clean_tag,
    clean_tags,
    day_heading,
    due_label,
    local_now,
    parse_due,
    parse_quick_add,
    quick_add_text,
)
from store.records import (
    ChangeSet,
    EventKind,
    EventRecord,
    HealthReport,
    MigrationReport,
    NewTask,
    Sort,
    Status,
    TaskCounts,
    TaskQuery,
    TaskRecord,
    TaskSnapshot,
    UndoResult,
)
from store.tasks import TaskStore, utc_now
from store.transfer import ImportedTask, ImportOutcome, ParsedFile
from store.validation import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    clean_description,
    clean_title,
)

__all__ = [
    "DB_ENV_VAR",
    "LATEST_VERSION",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_TITLE_LENGTH",
    "MERGED_FIELDS",
    "USER_ENV_VAR",
    "AmbiguousIdError",
    "BusyError",
    "ChangeSet",
    "ConflictError",
    "DataLoss",
    "DataLossError",
    "DatabaseLocation",
    "Due",
    "EditMerge",
    "EventKind",
    "EventRecord",
    "FieldClash",
    "FileFormatError",
    "HealthCheckError",
    "HealthReport",
    "ImportOutcome",
    "ImportedTask",
    "LocationError",
    "MigrationError",
    "MigrationReport",
    "NewTask",
    "NewerSchemaError",
    "NotADatabaseError",
    "NotFoundError",
    "NothingToUndoError",
    "ParsedFile",
    "PermissionDeniedError",
    "Priority",
    "QuickAdd",
    "ReadOnlyError",
    "ServerUnavailableError",
    "Sort",
    "Source",
    "Status",
    "StorageFullError",
    "StoreError",
    "TaskCounts",
    "TaskQuery",
    "TaskRecord",
    "TaskSnapshot",
    "TaskStore",
    "UndoResult",
    "UnsupportedDatabaseURL",
    "ValidationError",
    "clean_description",
    "clean_tag",
    "clean_tags",
    "clean_title",
    "day_heading",
    "default_database_path",
    "due_label",
    "local_now",
    "merge_edit",
    "open_store",
    "parse_due",
    "parse_quick_add",
    "quick_add_text",
    "resolve_location",
    "resolve_user",
    "same_value",
    "transfer",
    "utc_now",
]


def open_store(
    db: str | os.PathLike[str] | DatabaseLocation | None = None,
    *,
    user: str | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utc_now,
    read_only: bool = False,
    migrate: bool = True,
) -> TaskStore:
    """Open the database (``--db`` > ``TASKFLOW_DB_PATH`` > the user data dir) for one owner.

    Brings the schema up to date first (backing the file up if it holds tasks), unless
    ``migrate`` is False, in which case only a newer-than-known file is refused.
    Raises a StoreError subclass with a one-line message on any failure.
    """
    location = db if isinstance(db, DatabaseLocation) else resolve_location(db, environ)
    owner = resolve_user(user, environ)
    backend = open_backend(location, read_only=read_only)
    try:
        with backend.session():
            if migrate:
                report = _migrate.migrate(backend, user=owner, clock=clock)
            else:
                state = _migrate.read_state(backend)
                _migrate.check_not_newer(backend, state)
                report = MigrationReport(state.version, state.version)
    except BaseException:
        backend.close()
        raise
    return TaskStore(backend, user=owner, clock=clock, migration=report)
