"""Schema v9: CalDAV sync (store/syncing.py).

* ``sync_accounts``: each account set up (``taskflow sync setup``): the server's URL,
  the user name (the password is never in the database: see store/secrets.py), the
  calendar home found there, the list the Inbox syncs with, and how the last sync went.
* ``sync_lists``: the server's task lists linked to projects (``project_id`` null: the
  Inbox), with the sync token the last complete pull ended at.
* ``sync_items``: which task each object on the server is (its href), and the ETag it
  had when we last read or wrote it: a write says ``If-Match`` that ETag, so nothing
  another device wrote since is overwritten unseen. What the object said then is the
  task's kept calendar object (``task_ical``, migration 8): the base of the three-way
  merge. Local changes waiting to be pushed are the tasks that differ from it, and
  local deletions the items whose task is gone: no queue to lose.

``down`` drops the three tables: the accounts must be set up again, and nothing else
is lost (``lost_by_down`` counts them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 9
NAME = "CalDAV sync"

_UP = (
    """CREATE TABLE sync_accounts (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        url TEXT NOT NULL,
        username TEXT NOT NULL,
        home TEXT NOT NULL,
        inbox TEXT NOT NULL,
        created_at TEXT NOT NULL,
        synced_at TEXT,
        last_error TEXT,
        UNIQUE (user_id, url, username))""",
    """CREATE TABLE sync_lists (
        account_id TEXT NOT NULL REFERENCES sync_accounts (id) ON DELETE CASCADE,
        href TEXT NOT NULL,
        project_id TEXT,
        name TEXT NOT NULL,
        sync_token TEXT,
        PRIMARY KEY (account_id, href))""",
    """CREATE TABLE sync_items (
        account_id TEXT NOT NULL REFERENCES sync_accounts (id) ON DELETE CASCADE,
        href TEXT NOT NULL,
        list_href TEXT NOT NULL,
        task_id TEXT NOT NULL,
        etag TEXT NOT NULL,
        PRIMARY KEY (account_id, href))""",
    "CREATE UNIQUE INDEX sync_items_task ON sync_items (task_id)",
)
_DOWN = (
    "DROP INDEX sync_items_task",
    "DROP TABLE sync_items",
    "DROP TABLE sync_lists",
    "DROP TABLE sync_accounts",
)

LOSS_QUERY = "SELECT count(*), count(DISTINCT user_id) FROM sync_accounts"
LOSS_NOUNS = (("sync account (set it up again after)", "sync accounts (set them up again after)"),)


def up(ctx: MigrationContext) -> None:
    ctx.statements(*_UP)


def down(ctx: MigrationContext) -> None:
    ctx.statements(*_DOWN)


def lost_by_down(ctx: MigrationContext) -> tuple[tuple[tuple[int, str, str], ...], int]:
    """((count, singular, plural), ...) of what ``down`` drops, and the owners affected."""
    count, owners = ctx.execute(LOSS_QUERY).fetchone()
    (one, many) = LOSS_NOUNS[0]
    return ((int(count), one, many),), int(owners)
