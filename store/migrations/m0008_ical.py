"""Schema v8: iCalendar objects kept beside the tasks they map.

* ``task_ical``: for a task read from iCalendar (``import -f ics``, and CalDAV sync),
  the whole calendar object as it was last read or written (``object``: a VCALENDAR
  holding the VTODO and the time zones it names), the VTODO's own UID (a task made
  elsewhere keeps it, whatever id the task has here), its SEQUENCE then, and the
  task's version it describes (0: none, the task has changed from it in ways not yet
  written back: a sync merged only part of it). What TaskFlow does not map (alarms,
  other apps' X- properties, a parameter on a property it maps) lives only in
  ``object`` and is written back from it byte for byte (store/ical.py).

No foreign key to ``tasks``: a deleted task that an undo brings back finds its object
again. ``down`` drops the table; the tasks themselves are untouched (``lost_by_down``
counts the objects whose foreign properties go with it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 8
NAME = "iCalendar objects"

_UP = (
    """CREATE TABLE task_ical (
        task_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        uid TEXT NOT NULL CHECK (length(uid) >= 1),
        object TEXT NOT NULL,
        sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
        at_version INTEGER NOT NULL CHECK (at_version >= 0))""",
    "CREATE INDEX task_ical_uid ON task_ical (user_id, uid)",
)
_DOWN = ("DROP INDEX task_ical_uid", "DROP TABLE task_ical")

LOSS_QUERY = "SELECT count(*), count(DISTINCT user_id) FROM task_ical"
LOSS_NOUNS = (("task's iCalendar object (its alarms and other apps' properties)",
               "tasks' iCalendar objects (their alarms and other apps' properties)"),)  # fmt: skip


def up(ctx: MigrationContext) -> None:
    ctx.statements(*_UP)


def down(ctx: MigrationContext) -> None:
    ctx.statements(*_DOWN)


def lost_by_down(ctx: MigrationContext) -> tuple[tuple[tuple[int, str, str], ...], int]:
    """((count, singular, plural), ...) of what ``down`` drops, and the owners affected."""
    count, owners = ctx.execute(LOSS_QUERY).fetchone()
    (one, many) = LOSS_NOUNS[0]
    return ((int(count), one, many),), int(owners)
