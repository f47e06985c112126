"""Every failure the store reports, each with a message fit to show a user as it is.

The TUI and the command line print ``str(error)`` and nothing else, so a message
must stand on its own: say what went wrong, with which file or task, and what
the user can do about it, in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.records import TaskRecord


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LocationError(StoreError):
    """The database location cannot be used: a folder, an uncreatable folder, a bad URL."""


class UnsupportedDatabaseURL(LocationError):
    """A URL scheme the store does not speak."""


class ServerUnavailableError(LocationError):
    """A database server cannot be reached, refused the login, lacks the database, or
    dropped the connection."""


class PermissionDeniedError(LocationError):
    """The operating system refused access to the file or its folder."""


class NotADatabaseError(StoreError):
    """The file is not a SQLite database, not a TaskFlow one, or is corrupt."""


class DamagedDatabaseError(NotADatabaseError):
    """A copy of the database failed SQLite's quick_check: its pages are damaged. No
    backup is made of it, so that none of the good ones is rotated away."""


class NewerSchemaError(StoreError):
    """The file was written by a newer TaskFlow; it is refused untouched."""

    def __init__(self, message: str, *, found: int, known: int) -> None:
        super().__init__(message)
        self.found = found
        self.known = known


class MigrationError(StoreError):
    """A migration step failed; the file stays at its previous version."""

    def __init__(self, message: str, *, backup: Path | None = None) -> None:
        super().__init__(message)
        self.backup = backup


class DataLossError(MigrationError):
    """A schema step down would drop data and was not confirmed; nothing was changed.
    ``loss`` says what it would drop (a store.migrate.DataLoss)."""

    def __init__(self, message: str, *, loss: object) -> None:
        super().__init__(message)
        self.loss = loss


class OwnerRequiredError(StoreError):
    """A change only the database's owner may make (a schema step down on a server)."""


class ReadOnlyError(StoreError):
    """A change was asked of a database opened read-only."""


class BusyError(StoreError):
    """Another program held the database locked for longer than the busy timeout."""


class StorageFullError(StoreError):
    """The disk (or the file system holding the database) is full."""


class HealthCheckError(StoreError):
    """The health check found a connection setting or the file itself wrong."""


class ValidationError(StoreError):
    """A title, description or other input was refused; nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(StoreError):
    """No task with that id belongs to this owner."""


class AmbiguousIdError(StoreError):
    """An id prefix matches more than one task."""

    def __init__(self, message: str, candidates: Sequence[TaskRecord]) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


class ConflictError(StoreError):
    """The task changed since the caller read it; nothing was overwritten."""

    def __init__(
        self,
        message: str,
        *,
        current: TaskRecord | None,
        changed_fields: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.current = current
        self.changed_fields = tuple(changed_fields)


class NothingToUndoError(StoreError):
    """The owner has no change left to undo."""


class FileFormatError(StoreError):
    """An import file is unreadable or malformed; it was refused whole, nothing written."""


class UndoBlockedError(ConflictError):
    """The change an undo would revert next cannot be undone: its task changed since, its
    id is now another task's, it would restore what validation refuses, or it cannot be
    read. Nothing changed; ``TaskStore.skip_undo`` passes over that change, so that the
    next undo reaches the one before it. A ConflictError, as a stale undo always was."""

    def __init__(
        self, message: str, *, event_id: int, task_id: str, current: TaskRecord | None = None
    ) -> None:
        super().__init__(message, current=current)
        self.event_id = event_id
        self.task_id = task_id


class UnreadableTaskError(StoreError):
    """A stored task cannot be read (see ``TaskRecord.unreadable``): it can be listed,
    shown and deleted, not changed, and an export that would include it is refused."""

    def __init__(self, message: str, *, task_id: str) -> None:
        super().__init__(message)
        self.task_id = task_id
