"""The app's background sync: one run over every account, and what the title bar says.

Textual-free: the app runs ``run_sync`` in a thread worker (on launch, a few seconds
after a change, every few minutes, and on "Sync now") and shows ``status_words``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from store import StoreError, TaskStore

SYNC_AFTER_CHANGE_SECONDS = 5.0  # a change is pushed this long after the last one
SYNC_EVERY_SECONDS = 300.0  # and the server is asked for changes this often
PASSWORD_ENV = "TASKFLOW_SYNC_PASSWORD"


@dataclass(frozen=True)
class SyncOutcome:
    """How the last background sync ended."""

    at: datetime
    error: str | None = None  # one line: the first thing that failed
    offline: bool = False  # the server could not be reached
    waiting: int = 0  # changes here not yet on the server
    pulled: int = 0  # tasks added or changed here by it
    conflicts: tuple[str, ...] = ()
    busy: bool = False  # another sync of this database was running: this one did not


def has_accounts(store: TaskStore) -> bool:
    try:
        return bool(store.sync_rows().accounts())
    except StoreError:
        return False  # a database that cannot say: no sync, and no error for it here


def run_sync(store: TaskStore, clock: Callable[[], datetime]) -> SyncOutcome:
    """One sync of every account (in a thread: it waits on the network)."""
    from store.dav import CalDavClient, DavError, OfflineError
    from store.secrets import load_password
    from store.syncing import SyncBusy, sync_once, waiting_changes

    error: str | None = None
    offline = False
    pulled = 0
    conflicts: list[str] = []
    try:
        for account in store.sync_rows().accounts():
            password = os.environ.get(PASSWORD_ENV) or load_password(account.id)
            if not password:
                error = error or f"no password kept for {account.username}: run taskflow sync setup"
                continue
            client = CalDavClient(account.url, account.username, password)
            try:
                report = sync_once(store, account, client, now=clock)
            except SyncBusy:
                return SyncOutcome(clock(), busy=True)
            except OfflineError as failure:
                offline = True
                error = error or str(failure)
                continue
            except DavError as failure:
                error = error or str(failure)
                continue
            pulled += len(report.pulled) + len(report.merged) + len(report.deleted)
            conflicts += report.conflicts
            if report.errors:
                error = error or report.errors[0]
        waiting = waiting_changes(store)
    except StoreError as failure:
        return SyncOutcome(clock(), error=str(failure))
    return SyncOutcome(clock(), error, offline, waiting, pulled, tuple(conflicts))


def status_words(outcome: SyncOutcome | None, *, running: bool, now: datetime) -> str:
    """What the title bar says: 'syncing…', 'synced 2 min ago', 'offline · 3 changes
    waiting', 'sync failed: <one line>'."""
    if outcome is None:
        return "syncing…" if running else ""
    if outcome.offline:
        noun = "change" if outcome.waiting == 1 else "changes"
        return f"offline · {outcome.waiting} {noun} waiting" if outcome.waiting else "offline"
    if outcome.error:
        return f"sync failed: {' '.join(outcome.error.split())}"
    if running:
        return "syncing…"
    return f"synced {_ago(now - outcome.at)}"


def _ago(delta: object) -> str:
    seconds = int(getattr(delta, "total_seconds", lambda: 0)())
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 24 else f"{hours // 24} d ago"
