"""A full disk: a save fails with a clear message, the database stays intact, and the
tasks saved before stay readable, in the store, the app and the command line.

The database lives on a small tmpfs mounted for the test (this needs root, as CI
and these machines run); where mounting is not permitted the test is skipped,
saying why. The disk is filled to the last byte with a file beside the database.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import StorageFullError, TaskQuery, open_store
from tests.safety.apps import Heard, back_to_the_list, run_cli, window
from tests.safety.inspect_db import connected, consistency_problems, integrity, task_states
from tests.safety.processes import record_tally
from tests.tui.helpers import settle, shown_titles
from tui.screens.task_edit import TaskEditScreen

USER = "alice"
DISK_SIZE = "4m"
EARLIER = [f"saved before the disk filled {number}" for number in range(20)]
# Bigger than anything the -wal file has room for, so that saving it must grow a file.
BIG_NOTES = ("notes that will not fit ✓ " * 3500).strip()  # 91,000 characters
NOT_PERMITTED = ("permission denied", "not permitted", "must be superuser", "only root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or f"exit status {mounted.returncode}"
        if os.geteuid() != 0 or any(word in reason.lower() for word in NOT_PERMITTED):
            pytest.skip(f"mounting a {DISK_SIZE} tmpfs is not permitted here: {reason}")
        pytest.fail(f"could not mount a tmpfs: {reason}")
    try:
        yield mount_point
    finally:
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, check=False)
        if unmounted.returncode != 0:  # something still holds a file open: detach lazily
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has not one byte left."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 8, 1):
            block = os.urandom(size)
            while True:
                try:
                    if os.write(descriptor, block) < size:
                        break
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error
                    break
    finally:
        os.close(descriptor)
    return filler


async def test_a_full_disk_fails_a_save_clearly_and_keeps_every_earlier_task(
    small_disk: Path,
) -> None:
    path = small_disk / "tasks.db"
    with open_store(path, user=USER) as store:
        for title in EARLIER:
            store.create(title, "a few words of notes")
    with connected(path) as connection:
        before = task_states(connection, USER)

    store = open_store(path, user=USER)  # open, as a running app is, when the disk fills
    app = window(store)
    heard = Heard(app)
    problems: list[str] = []
    try:
        filler = fill(small_disk)

        # The store: a clear error, nothing written, earlier tasks readable.
        count, last_event = store.count(), store.last_event_id()
        with pytest.raises(StorageFullError) as caught:
            store.create("one more", BIG_NOTES)
        message = str(caught.value)
        assert "full" in message and "\n" not in message, message
        assert (store.count(), store.last_event_id()) == (count, last_event)
        assert [task.title for task in store.list_tasks(TaskQuery())] == EARLIER

        # The command line: one line, exit 1; reading still works.
        code, out, err = run_cli(path, "add", "from the command line", "-d", BIG_NOTES)
        if not (code == 1 and out == "" and err.count("\n") == 1 and "full" in err):
            problems.append(f"taskflow add on a full disk: {code}, {out!r}, {err!r}")
        code, out, err = run_cli(path, "list")
        if code != 0 or any(title not in out for title in EARLIER):
            problems.append(f"taskflow list on a full disk: {code}, {err!r}")

        # The app: the editor says why and keeps what was typed; the list is intact.
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            editor = app.screen
            assert isinstance(editor, TaskEditScreen)
            editor.query_one("#title").value = "typed on a full disk"  # type: ignore[attr-defined]
            editor.query_one("#description").text = BIG_NOTES  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            shown = heard.form_errors() + heard.errors
            if app.screen is not editor or not any("full" in text for text in shown):
                problems.append(f"the app did not say the disk is full: {shown}")
            if editor.description_value != BIG_NOTES:
                problems.append("the editor lost what was typed")
            await back_to_the_list(pilot)
            if shown_titles(app) != EARLIER:
                problems.append(f"the list shows {shown_titles(app)}")
        filler.unlink()
    finally:
        store.close()

    # Room again: the file is sound and holds exactly the earlier tasks.
    with connected(path) as connection:
        sound = integrity(connection)
        problems += consistency_problems(connection, USER)
        after = task_states(connection, USER)
    record_tally("full disk (tmpfs)", runs=1, failures=int(bool(problems) or sound != "ok"))
    assert sound == "ok"
    assert after == before
    assert problems == []
    with open_store(path, user=USER) as reopened:
        reopened.create("saved once there is room", BIG_NOTES)
        assert reopened.count() == len(EARLIER) + 1
