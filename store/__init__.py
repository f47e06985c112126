"""TaskFlow's model layer: the only thing outside ``store/`` imports is this module.

from store import open_store
with open_store("tasks.db") as tasks:
    task = tasks.create("Buy milk")
    tasks.toggle(task.id)
    tasks.undo()
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

# First: peewee must load before any store module imports it, with the drivers hidden.
import store.driverless  # noqa: F401
from store.clock import utc_now

if TYPE_CHECKING:
    from store import formats, transfer
    from store.config import (
        DB_ENV_VAR,
        USER_ENV_VAR,
        Configured,
        DatabaseLocation,
        Source,
        default_database_path,
        resolve_location,
        resolve_user,
    )
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
        UndoBlockedError,
        UnsupportedDatabaseURL,
        ValidationError,
    )
    from store.merge import MERGED_FIELDS, EditMerge, FieldClash, merge_edit, same_value
    from store.migrate import DataLoss
    from store.migrations import LATEST_VERSION
    from store.planning import (
        MONDAY,
        PATH_SEPARATOR,
        SUNDAY,
        DateStyle,
        Due,
        Priority,
        clean_project_name,
        clean_tag,
        clean_tags,
        day_heading,
        due_label,
        local_now,
        parse_due,
        split_project_path,
    )
    from store.quick_add import QuickAdd, parse_quick_add, quick_add_text
    from store.records import (
        ChangeSet,
        EventKind,
        EventRecord,
        FutureOccurrence,
        HealthReport,
        MigrationReport,
        NewTask,
        ProjectRecord,
        ProjectRemoval,
        Sort,
        Status,
        TaskCounts,
        TaskQuery,
        TaskRecord,
        TaskSnapshot,
        TreeContext,
        UndoResult,
    )
    from store.recurrence import (
        Repeat,
        RepeatMode,
        Rule,
        dates_ahead,
        describe,
        prepare_rules,
        start_due,
    )
    from store.repeat_phrases import RepeatPhrase, parse_repeat
    from store.tasks import TaskStore
    from store.transfer import ImportedTask, ImportOutcome, ParsedFile
    from store.validation import (
        MAX_DESCRIPTION_LENGTH,
        MAX_TITLE_LENGTH,
        clean_description,
        clean_title,
    )

# What each public name is, imported on first use: a `taskflow add` loads only the
# modules it needs (not the file formats, the import merge or the migration steps).
# tests/store/test_lazy_exports.py keeps this, the imports above and __all__ in step.
_EXPORTS: dict[str, str] = {
    "formats": "store.formats",
    "utc_now": "store.clock",
    "DB_ENV_VAR": "store.config",
    "DatabaseLocation": "store.config",
    "Configured": "store.config",
    "Source": "store.config",
    "USER_ENV_VAR": "store.config",
    "default_database_path": "store.config",
    "resolve_location": "store.config",
    "resolve_user": "store.config",
    "AmbiguousIdError": "store.errors",
    "BusyError": "store.errors",
    "ConflictError": "store.errors",
    "DataLossError": "store.errors",
    "FileFormatError": "store.errors",
    "HealthCheckError": "store.errors",
    "LocationError": "store.errors",
    "MigrationError": "store.errors",
    "NewerSchemaError": "store.errors",
    "NotADatabaseError": "store.errors",
    "NotFoundError": "store.errors",
    "NothingToUndoError": "store.errors",
    "PermissionDeniedError": "store.errors",
    "ReadOnlyError": "store.errors",
    "ServerUnavailableError": "store.errors",
    "StorageFullError": "store.errors",
    "StoreError": "store.errors",
    "UndoBlockedError": "store.errors",
    "UnsupportedDatabaseURL": "store.errors",
    "ValidationError": "store.errors",
    "EditMerge": "store.merge",
    "FieldClash": "store.merge",
    "MERGED_FIELDS": "store.merge",
    "merge_edit": "store.merge",
    "same_value": "store.merge",
    "DataLoss": "store.migrate",
    "LATEST_VERSION": "store.migrations",
    "DateStyle": "store.planning",
    "Due": "store.planning",
    "MONDAY": "store.planning",
    "SUNDAY": "store.planning",
    "PATH_SEPARATOR": "store.planning",
    "split_project_path": "store.planning",
    "Priority": "store.planning",
    "QuickAdd": "store.quick_add",
    "clean_project_name": "store.planning",
    "clean_tag": "store.planning",
    "clean_tags": "store.planning",
    "day_heading": "store.planning",
    "due_label": "store.planning",
    "local_now": "store.planning",
    "parse_due": "store.planning",
    "parse_quick_add": "store.quick_add",
    "quick_add_text": "store.quick_add",
    "Repeat": "store.recurrence",
    "RepeatMode": "store.recurrence",
    "Rule": "store.recurrence",
    "dates_ahead": "store.recurrence",
    "describe": "store.recurrence",
    "start_due": "store.recurrence",
    "prepare_rules": "store.recurrence",
    "FutureOccurrence": "store.records",
    "RepeatPhrase": "store.repeat_phrases",
    "parse_repeat": "store.repeat_phrases",
    "ChangeSet": "store.records",
    "EventKind": "store.records",
    "EventRecord": "store.records",
    "HealthReport": "store.records",
    "MigrationReport": "store.records",
    "NewTask": "store.records",
    "ProjectRecord": "store.records",
    "ProjectRemoval": "store.records",
    "Sort": "store.records",
    "Status": "store.records",
    "TaskCounts": "store.records",
    "TreeContext": "store.records",
    "TaskQuery": "store.records",
    "TaskRecord": "store.records",
    "TaskSnapshot": "store.records",
    "UndoResult": "store.records",
    "TaskStore": "store.tasks",
    "ImportOutcome": "store.transfer",
    "ImportedTask": "store.transfer",
    "ParsedFile": "store.transfer",
    "transfer": "store.transfer",
    "MAX_DESCRIPTION_LENGTH": "store.validation",
    "MAX_TITLE_LENGTH": "store.validation",
    "clean_description": "store.validation",
    "clean_title": "store.validation",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if module == f"store.{name}" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "DB_ENV_VAR",
    "LATEST_VERSION",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_TITLE_LENGTH",
    "MERGED_FIELDS",
    "MONDAY",
    "PATH_SEPARATOR",
    "SUNDAY",
    "USER_ENV_VAR",
    "AmbiguousIdError",
    "BusyError",
    "ChangeSet",
    "Configured",
    "ConflictError",
    "DataLoss",
    "DataLossError",
    "DatabaseLocation",
    "DateStyle",
    "Due",
    "EditMerge",
    "EventKind",
    "EventRecord",
    "FieldClash",
    "FileFormatError",
    "FutureOccurrence",
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
    "ProjectRecord",
    "ProjectRemoval",
    "QuickAdd",
    "ReadOnlyError",
    "Repeat",
    "RepeatMode",
    "RepeatPhrase",
    "Rule",
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
    "TreeContext",
    "UndoBlockedError",
    "UndoResult",
    "UnsupportedDatabaseURL",
    "ValidationError",
    "clean_description",
    "clean_project_name",
    "clean_tag",
    "clean_tags",
    "clean_title",
    "dates_ahead",
    "day_heading",
    "default_database_path",
    "describe",
    "due_label",
    "formats",
    "local_now",
    "merge_edit",
    "open_store",
    "parse_due",
    "parse_quick_add",
    "parse_repeat",
    "prepare_rules",
    "quick_add_text",
    "resolve_location",
    "resolve_user",
    "same_value",
    "split_project_path",
    "start_due",
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
    from store import migrate as _migrate
    from store.config import DatabaseLocation, resolve_location, resolve_user
    from store.database import open_backend
    from store.records import MigrationReport
    from store.tasks import TaskStore

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
