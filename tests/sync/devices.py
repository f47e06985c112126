"""Devices for the sync tests: a TaskFlow database set up with a CalDAV account on a real
Radicale, synced through store/syncing.py, and what a database or the server holds, in
terms that two devices can compare (ids differ where each made an occurrence itself)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store import Status, TaskQuery, TaskStore, open_store
from store.dav import CalDavClient
from store.ical import object_uid, parse_object
from store.syncing import (
    SyncReport,
    is_past_occurrence,
    latest_occurrences,
    setup_account,
    sync_once,
)
from tests.helpers import FrozenClock
from tests.sync.radicale_server import CalDavAccount

_PASSWORDS: dict[str, str] = {}  # each account set up in a test, by user name


@dataclass
class Device:
    """One TaskFlow database ("laptop", "desktop") syncing with one account."""

    name: str
    store: TaskStore
    account: CalDavAccount
    clock: FrozenClock
    requests: int = 0

    def client(self) -> CalDavClient:
        return CalDavClient(self.account.url, self.account.username, self.account.password)

    def setup(self) -> list[str]:
        _PASSWORDS[self.account.username] = self.account.password
        client = self.client()
        try:
            _, linked = setup_account(self.store, client, now=self.clock())
        finally:
            client.close()
        return linked

    def setup_another(self) -> list[str]:
        """Set up this device's account beside those the database has already."""
        return self.setup()

    def sync_account(self, account: Any) -> SyncReport:
        """One sync of one of the database's accounts, with this device's login for it
        when it is this device's account, else with that account's own."""
        client = (
            self.client()
            if account.username == self.account.username
            else CalDavClient(account.url, account.username, _PASSWORDS[account.username])
        )
        return sync_once(self.store, account, client, now=self.clock)

    def sync(self) -> SyncReport:
        (account,) = self.store.sync_rows().accounts()
        client = self.client()
        try:
            return sync_once(self.store, account, client, now=self.clock)
        finally:
            self.requests = client.requests  # what the last sync cost, in HTTP requests

    def task(self, title: str) -> Any:
        (found,) = [t for t in self.tasks() if t.title == title]
        return found

    def tasks(self) -> list[Any]:
        return self.store.list_tasks(TaskQuery(status=Status.ALL))

    def state(self) -> list[tuple[Any, ...]]:
        """Every task as two devices can compare it: no ids, but each field the sync
        carries, its project's path and its parent's and blockers' titles."""
        return self._rows(past_too=True)

    def synced_state(self) -> list[tuple[Any, ...]]:
        """What of ``state`` is on the server: all but past occurrences of a series."""
        return self._rows(past_too=False)

    def _rows(self, *, past_too: bool) -> list[tuple[Any, ...]]:
        tasks = self.tasks()
        titles = {t.id: t.title for t in tasks}
        paths = self.store.project_paths()
        latest = latest_occurrences(tasks)
        return sorted(
            (
                task.title,
                task.description,
                task.completed,
                task.due.key if task.due else None,
                task.priority.label,
                tuple(sorted(task.tags, key=str.casefold)),
                paths.get(task.project_id) if task.project_id else None,
                titles.get(task.parent_id) if task.parent_id else None,
                tuple(sorted(titles.get(b, b) for b in task.blocked_by)),
                str(task.repeat.rule) if task.repeat else None,
            )
            for task in tasks
            if past_too or not is_past_occurrence(task, latest)
        )


@contextmanager
def device(name: str, folder: Path, account: CalDavAccount, clock: FrozenClock) -> Iterator[Device]:
    with open_store(folder / f"{name}.db", user="alice", clock=clock) as store:
        yield Device(name, store, account, clock)


def on_the_server(dev: Device) -> list[tuple[Any, ...]]:
    """A device's tasks as server_state shows them (list name, title, done, due, ...)."""
    return sorted(
        (row[6] or "Inbox", row[0], row[2], row[3], row[4], row[5]) for row in dev.synced_state()
    )


def server_state(account: CalDavAccount) -> list[tuple[Any, ...]]:
    """Every VTODO on the server, as (list name, title, done, due, priority, tags)."""
    client = CalDavClient(account.url, account.username, account.password)
    try:
        found: list[tuple[Any, ...]] = []
        for task_list in client.task_lists(client.home()):
            hrefs = list(client.changes(task_list.href, None).changed)
            for resource in client.fetch(task_list.href, hrefs):
                todo = parse_object(resource.text, object_uid(resource.text), resource.href)
                found.append(
                    (
                        task_list.name,
                        todo.title,
                        todo.completed,
                        todo.due.key if todo.due else None,
                        todo.priority.label,
                        tuple(sorted(todo.tags, key=str.casefold)),
                    )
                )
        return sorted(found)
    finally:
        client.close()


def server_objects(account: CalDavAccount) -> dict[str, str]:
    """Every object's text on the server, by its href."""
    client = CalDavClient(account.url, account.username, account.password)
    try:
        texts: dict[str, str] = {}
        for task_list in client.task_lists(client.home()):
            hrefs = list(client.changes(task_list.href, None).changed)
            texts.update((r.href, r.text) for r in client.fetch(task_list.href, hrefs))
        return texts
    finally:
        client.close()


def server_etags(account: CalDavAccount) -> dict[str, str]:
    """Every object's ETag on the server, by its href (cheap: no object is read)."""
    client = CalDavClient(account.url, account.username, account.password)
    try:
        etags: dict[str, str] = {}
        for task_list in client.task_lists(client.home()):
            etags.update(client.changes(task_list.href, None).changed)
        return etags
    finally:
        client.close()
