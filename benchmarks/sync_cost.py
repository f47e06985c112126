"""The sync section: CalDAV sync against a real Radicale on 127.0.0.1.

- first sync: a database of N tasks (1,000) pushes them all to empty lists; a second
  database then pulls them all. Time and HTTP requests of each.
- one change among M (10,000): with both databases in step, one task is edited on one;
  the time and requests of its sync (the push) and of the other's (the pull), against
  the baseline measured in the same run: a sync with nothing to do, and reading every
  object of the lists once (what a sync without sync-collection or ETags would cost).

Radicale runs in its own process: the times include the server's work, as a real
server's would.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from store import NewTask, TaskStore, open_store
from store.dav import CalDavClient
from store.syncing import setup_account, sync_once
from tests.sync.radicale_server import CalDavAccount, RadicaleServer, new_credentials


@dataclass
class Side:
    store: TaskStore
    account: CalDavAccount
    requests: int = 0

    def client(self) -> CalDavClient:
        return CalDavClient(
            self.account.url, self.account.username, self.account.password, timeout=600
        )

    def setup(self) -> None:
        client = self.client()
        setup_account(self.store, client, now=self.store._clock())
        client.close()

    def sync(self) -> float:
        (account,) = self.store.sync_rows().accounts()
        client = self.client()
        begin = time.perf_counter()
        report = sync_once(self.store, account, client, now=self.store._clock)
        took = time.perf_counter() - begin
        assert not report.errors, report.errors
        self.requests = client.requests
        return took


def full_download(account: CalDavAccount) -> tuple[float, int]:
    """Every object of every list, read once: the naive sync's floor."""
    client = CalDavClient(account.url, account.username, account.password)
    begin = time.perf_counter()
    for task_list in client.task_lists(client.home()):
        for _ in client.fetch(task_list.href, client.etags(task_list.href)):
            pass
    took = time.perf_counter() - begin
    client.close()
    return took, client.requests


def section(*, quick: bool) -> int:
    first_size, many = (100, 500) if quick else (1_000, 10_000)
    print(f"\nsync (Radicale on 127.0.0.1; {first_size:,} and {many:,} tasks)")
    with tempfile.TemporaryDirectory() as folder:
        server = RadicaleServer(Path(folder) / "radicale")
        account = server.add_user(*new_credentials())
        server.start()
        try:
            _first_sync(Path(folder), account, first_size)
            other = server.add_user(*new_credentials())
            _one_change(Path(folder), server, other, many)
        finally:
            server.stop()
    return 0  # reported, not judged: the figures are the server's as much as ours


def _sides(folder: Path, account: CalDavAccount, name: str, size: int) -> tuple[Side, Side]:
    laptop = Side(open_store(folder / f"{name}-laptop.db", user="bench"), account)
    laptop.store.create_many(NewTask(f"Task {n}") for n in range(size))
    desktop = Side(open_store(folder / f"{name}-desktop.db", user="bench"), account)
    laptop.setup()
    desktop.setup()
    return laptop, desktop


def _first_sync(folder: Path, account: CalDavAccount, size: int) -> None:
    laptop, desktop = _sides(folder, account, "first", size)
    pushed = laptop.sync()
    pulled = desktop.sync()
    assert desktop.store.count() == size
    for label, took, requests in (
        (f"first sync, push {size:,} tasks", pushed, laptop.requests),
        (f"first sync, pull {size:,} tasks", pulled, desktop.requests),
    ):
        print(f"  {label:<40} {took * 1000:9.0f} ms  {requests:6,} requests")
    laptop.store.close()
    desktop.store.close()


def _one_change(folder: Path, server: RadicaleServer, account: CalDavAccount, size: int) -> None:
    # The server starts with ``size`` tasks another app wrote, put straight into
    # Radicale's storage: pushing them one PUT at a time is the first sync's figure
    # (above), and at 10,000 had taken Radicale over 20 minutes here when it was stopped.
    client = CalDavClient(account.url, account.username, account.password)
    inbox = client.make_list(client.home(), "Inbox")
    client.close()
    stored = server.collections_folder / inbox.href.strip("/")
    for n in range(size):
        uid = f"seeded-{n:05d}"
        (stored / f"{uid}.ics").write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VTODO\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:Task {n}\r\n"
            "END:VTODO\r\nEND:VCALENDAR\r\n",
            encoding="utf-8",
        )
    # Radicale reads files it did not write on the next request: not ours to time.
    warm = CalDavClient(account.url, account.username, account.password, timeout=1800)
    begin = time.perf_counter()
    warm.task_lists(warm.home())
    warm.changes(inbox.href, None)
    warm.close()
    print(f"  (Radicale reading the {size:,} seeded files: {time.perf_counter() - begin:.0f} s)")
    laptop = Side(open_store(folder / "one-laptop.db", user="bench"), account)
    desktop = Side(open_store(folder / "one-desktop.db", user="bench"), account)
    laptop.setup()
    desktop.setup()
    first_pull = laptop.sync()
    print(f"  {f'first sync, pull {size:,} tasks':<40} {first_pull * 1000:9.0f} ms  "
          f"{laptop.requests:6,} requests")  # fmt: skip
    desktop.sync()
    idle = laptop.sync()
    idle_requests = laptop.requests
    download, download_requests = full_download(account)
    (task,) = laptop.store.list_tasks(limit=1)
    laptop.store.update(task.id, expected_version=task.version, title="Changed once")
    pushed = laptop.sync()
    push_requests = laptop.requests
    pulled = desktop.sync()
    assert desktop.store.get(task.id).title == "Changed once"
    rows = [
        ("nothing to do (baseline)", idle, idle_requests),
        ("every object read once (baseline)", download, download_requests),
        (f"one change among {size:,}: push", pushed, push_requests),
        (f"one change among {size:,}: pull", pulled, desktop.requests),
    ]
    for label, took, requests in rows:
        print(f"  {label:<40} {took * 1000:9.0f} ms  {requests:6,} requests")
    print(
        f"  the pull against reading every object: {pulled / download:.2f}x the time, "
        f"{desktop.requests} requests against {download_requests}"
    )
    laptop.store.close()
    desktop.store.close()
