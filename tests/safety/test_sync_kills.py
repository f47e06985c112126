"""Sync cut short: ``taskflow sync`` killed with SIGKILL at random moments, and a server
stopped in the middle of a sync. After each, a clean sync on both devices must leave
no duplicate and nothing lost: both databases equal, and the server holding exactly
what they hold (a real Radicale, a real process, a real kill)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from store.dav import DavError
from tests.helpers import FrozenClock
from tests.safety.helpers import sizes
from tests.safety.processes import record_tally
from tests.sync.devices import (
    Device,
    device,
    on_the_server,
    server_etags,
    server_objects,
    server_state,
)
from tests.sync.radicale_server import CalDavAccount, RadicaleServer

pytestmark = pytest.mark.zone("UTC")

LATEST_KILL_SECONDS = 1.5  # until the first run has measured how long a sync takes
SYNC_RUN = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


def settled(laptop: Device, desktop: Device, account: CalDavAccount) -> list[str]:
    """Clean syncs on both sides; what is wrong afterwards, in words (nothing: [])."""
    problems: list[str] = []
    for each in (laptop, desktop, laptop, desktop):
        report = each.sync()
        problems += [f"{each.name}: {line}" for line in report.errors]
    if laptop.state() != desktop.state():
        problems.append(f"the devices differ: {laptop.state()} != {desktop.state()}")
    on_server = server_state(account)
    if on_server != on_the_server(laptop):
        problems.append(f"the server differs: {on_server} != {on_the_server(laptop)}")
    titles = [row[1] for row in on_server]
    if len(titles) != len(set(titles)):
        problems.append(f"duplicates on the server: {sorted(titles)}")
    return problems


def changes(dev: Device, rng: random.Random, run: int, new: int) -> None:
    """Changes of each kind made here between syncs: ``new`` tasks, and edits, a delete,
    a completion."""
    store = dev.store
    for n in range(new):
        store.create(f"{dev.name} {run}.{n}", due=None)
    tasks = [t for t in dev.tasks() if not t.completed]
    for task in rng.sample(tasks, min(2, len(tasks))):
        store.update(task.id, expected_version=task.version, description=f"edited in {run}")
    if len(tasks) > 3 and rng.random() < 0.5:
        doomed = rng.choice(tasks)
        store.delete(doomed.id)
        tasks.remove(doomed)  # not also the one completed below
    if tasks and rng.random() < 0.5:
        store.toggle(rng.choice(tasks).id)


@pytest.mark.parametrize("kills", sizes(20, 200))
def test_a_sync_killed_at_random_moments_duplicates_and_loses_nothing(
    tmp_path: Path, caldav_account: CalDavAccount, clock: FrozenClock, kills: int
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    env = {
        **os.environ,
        "TASKFLOW_SYNC_PASSWORD": caldav_account.password,
        "TASKFLOW_NO_KEYRING": "1",
    }
    killed_mid_way = interrupted_writes = 0
    full_run = LATEST_KILL_SECONDS
    with (
        device("laptop", tmp_path, caldav_account, clock) as laptop,
        device("desktop", tmp_path, caldav_account, clock) as desktop,
    ):
        laptop.store.create_project("Work")
        laptop.setup()
        desktop.setup()
        run = 0
        # At least ``kills`` kills, and on until one has cut a sync in its writes (the
        # torture must torture), three times as many at most.
        while run <= kills or (interrupted_writes == 0 and run <= 3 * kills):
            clock.advance(minutes=1)
            # Enough for the laptop to push that its writes take a good part of its run.
            changes(laptop, rng, run, new=rng.randint(10, 20))
            changes(desktop, rng, run, new=rng.randint(1, 4))
            desktop.sync()  # the other device's changes are on the server
            before = server_etags(caldav_account)
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-c", SYNC_RUN, "--db", str(tmp_path / "laptop.db"),
                 "--user", "alice", "sync"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            if run == 0:  # the first runs whole: how long a sync takes here, start to end
                _, errors = process.communicate()
                assert process.returncode == 0, errors.decode()
                full_run = time.monotonic() - started
            else:
                # Past the start-up (imports, most of the first half), over the reads,
                # the merges and the writes, and now and then just after the end.
                time.sleep(rng.uniform(0.5, 1.1) * full_run)
                process.kill()
                process.wait()
                killed_mid_way += process.returncode == -9
                interrupted_writes += (
                    process.returncode == -9 and server_etags(caldav_account) != before
                )
            problems = settled(laptop, desktop, caldav_account)
            assert not problems, f"seed {seed}, run {run}: {problems}"
            run += 1
    record_tally(
        "kill -9 during taskflow sync", runs=run - 1, failures=0, seed=seed,
        killed_before_the_end=killed_mid_way, killed_after_writing_some=interrupted_writes,
        seconds_a_whole_sync_takes=round(full_run, 2),
    )  # fmt: skip
    # The torture must torture: some kills must land after the sync began writing.
    assert interrupted_writes > 0, f"no kill landed mid-write (seed {seed})"


def test_a_server_stopped_mid_sync_then_back(
    tmp_path: Path, radicale: RadicaleServer, clock: FrozenClock
) -> None:
    account = radicale.account
    with (
        device("laptop", tmp_path, account, clock) as laptop,
        device("desktop", tmp_path, account, clock) as desktop,
    ):
        laptop.setup()
        desktop.setup()
        for n in range(120):
            laptop.store.create(f"Task {n}")

        # A thread that sleeps, not a threading.Timer: a Timer waits for an absolute
        # time, which under .ci/run's faketime passes lies months ahead.
        def stop_soon() -> None:
            time.sleep(0.3)
            radicale.stop()

        stopper = threading.Thread(target=stop_soon)
        stopper.start()
        try:
            laptop.sync()
            stopped_too_late = True  # it finished first: still a fair run, said below
        except DavError as error:
            stopped_too_late = False
            assert "Cannot reach" in str(error) or "closed the connection" in str(error)
        stopper.join()
        pushed_before = len(server_objects_or_none(radicale))
        radicale.restart()
        assert settled(laptop, desktop, account) == []
        assert len(server_objects(account)) == 120
        record_tally(
            "server stopped mid-sync", runs=1, failures=0,
            stopped_before_the_end=not stopped_too_late, objects_before_the_stop=pushed_before,
        )  # fmt: skip


def server_objects_or_none(radicale: RadicaleServer) -> list[Path]:
    """The objects the stopped server holds on disk (it cannot be asked)."""
    return [p for p in radicale.collections_folder.rglob("*.ics")]
