"""Two windows and a command-line loop on one file: no lock error reaches a user, no update
is lost, a second edit of the same task is told of the conflict, and readers never
block the writer.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from store import TaskQuery, TaskRecord, TaskStore, UndoResult, open_store
from tests.cli.helpers import run_process
from tests.safety.apps import (
    SIZE,
    Acknowledged,
    Heard,
    back_to_the_list,
    run_cli,
    window,
)
from tests.safety.helpers import sizes
from tests.safety.inspect_db import connected, consistency_problems, integrity
from tests.safety.processes import Child, record_tally
from tests.tui.helpers import settle, shown_titles, table_of
from tui.app import TaskFlowApp
from tui.screens.conflict import ConflictScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

USER = "alice"
# What a user may rightly be told when someone else got there first: the task is gone,
# it changed since it was read, or an undo no longer applies. Nothing else may appear,
# and above all no "database is locked" or "busy".
RACE_OUTCOMES = re.compile(
    r"No task with id|No task, live or deleted|was deleted on|changed elsewhere|"
    r"Cannot undo|Nothing to undo|No task with an id starting"
)
FIRST_ACTIONS = 40  # each run makes at least this many key-driven changes in the windows


def snapshot_of(task: TaskRecord | dict[str, Any]) -> tuple[str, str, bool, int]:
    if isinstance(task, dict):
        return (task["title"], task["description"], task["completed"], task["version"])
    return (task.title, task.description, task.completed, task.version)


class Workload:
    """Random but plausible key presses in one window; an edit is opened by one action and
    saved by a later one, so that others can change the task in between."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.conflicts_shown = 0
        self.number = 0

    async def step(self, pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        self.number += 1
        if isinstance(app.screen, TaskEditScreen):
            await self._save_edit(pilot)
            return
        if not isinstance(app.screen, TaskListScreen):
            await back_to_the_list(pilot)
        if self.rng.random() < 0.5:
            await pilot.press("g")  # the oldest tasks, which the command line works on too
        for _ in range(self.rng.randint(0, 4)):
            await pilot.press(self.rng.choice("jk"))
        action = self.rng.choice(
            ["add", "add", "toggle", "toggle", "edit", "edit", "delete", "undo"]
        )
        if action == "add":
            await pilot.press("a")
            await settle(pilot)
            app.screen.query_one("#title").value = f"added in a window {self.number} [b]x[/b]"
            await pilot.press("enter")
        elif action == "toggle":
            await pilot.press("space")
        elif action == "edit":
            await pilot.press("e")  # saved by a later step
        elif action == "delete":
            await pilot.press("d")
            await settle(pilot)
            await pilot.press("y")
        else:
            await pilot.press("u")
        await settle(pilot)

    async def _save_edit(self, pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        app.screen.query_one("#title").value = f"edited in a window {self.number}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ConflictScreen):
            self.conflicts_shown += 1
            # theirs, or mine knowingly, for the fields both changed
            await pilot.press(self.rng.choice("tm"))
            await settle(pilot)
        await back_to_the_list(pilot)


def check_log_accounts_for(store: TaskStore, acknowledged: list[tuple[str, Any]]) -> list[str]:
    """Every change a user was told is saved is in the log, and each task's history is
    one unbroken chain: every change starts from exactly the state the one before left."""
    problems: list[str] = []
    histories = store.histories(
        {getattr(result, "id", None) or result.task_id for _, result in acknowledged}
    )
    for task_id, events in histories.items():
        for before, after in itertools.pairwise(events):
            if after.before is not None and after.before != before.after:
                problems.append(f"task {task_id}: event {after.id} did not start from {before.id}")
            if after.before is None and before.after is not None:
                problems.append(f"task {task_id}: event {after.id} re-created a live task")
    for kind, result in acknowledged:
        if isinstance(result, UndoResult):
            logged = {event.id for event in histories[result.task_id]}
            if result.event.id not in logged:
                problems.append(f"undo event {result.event.id} is not in the log")
            continue
        events = histories[result.id]
        side = [e.before for e in events] if kind in ("delete", "rm") else [e.after for e in events]
        wanted = snapshot_of(result)
        if not any(s is not None and snapshot_of_snapshot(s) == wanted for s in side):
            problems.append(f"{kind} of {result.id} acknowledged as {wanted} is not in the log")
    return problems


def snapshot_of_snapshot(snapshot: Any) -> tuple[str, str, bool, int]:
    return (snapshot.title, snapshot.description, snapshot.completed, snapshot.version)


def cli_acknowledged(results: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The command line's successful changes, as (command, record-like) pairs."""
    acknowledged: list[tuple[str, Any]] = []
    for result in results:
        command = result["args"][0]
        if result["code"] != 0 or command not in ("add", "edit", "done", "undone", "rm"):
            continue
        task = json.loads(result["out"])
        acknowledged.append((command, _Acked(task)))
    return acknowledged


class _Acked:
    def __init__(self, task: dict[str, Any]) -> None:
        self.id = task["id"]
        self.title = task["title"]
        self.description = task["description"]
        self.completed = task["completed"]
        self.version = task["version"]


def out_of_step(app: TaskFlowApp, store: TaskStore) -> list[str]:
    """How what a window shows differs from what the file holds (empty: in step)."""
    table = table_of(app)
    shown = [table.rows.row(i) for i in range(len(table.rows))]
    wanted = store.list_tasks(TaskQuery())
    if [None if t is None else snapshot_of(t) for t in shown] == [snapshot_of(t) for t in wanted]:
        return []
    shown_set = {snapshot_of(t) for t in shown if t is not None}
    wanted_set = {snapshot_of(t) for t in wanted}
    return [
        f"{len(shown)} rows shown, {len(wanted)} in the file",
        f"only shown: {sorted(shown_set - wanted_set)[:5]}",
        f"only in the file: {sorted(wanted_set - shown_set)[:5]}",
    ]


async def wait_until_in_step(pilot: Pilot[Any], store: TaskStore) -> list[str]:
    """Let a window catch up with the file (it polls for others' changes): what still
    differs after a generous wait, which is only a guard against waiting forever."""
    for _ in range(50):
        await settle(pilot)
        if not out_of_step(pilot.app, store):  # type: ignore[arg-type]
            return []
        await pilot.pause(0.1)
    return out_of_step(pilot.app, store)  # type: ignore[arg-type]


@pytest.mark.parametrize("rounds", sizes(25, 300))
async def test_two_windows_and_a_command_line_loop_lose_nothing(
    tmp_path: Path, rounds: int
) -> None:
    path = tmp_path / "tasks.db"
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    with open_store(path, user=USER) as seeder:
        for number in range(6):
            seeder.create(f"seeded {number}", "notes")
    stores = [open_store(path, user=USER) for _ in range(2)]
    apps: list[TaskFlowApp] = [window(store) for store in stores]
    acknowledged = [Acknowledged(store) for store in stores]
    heard = [Heard(app) for app in apps]
    workload = Workload(rng)
    form_errors: list[str] = []
    cli = Child("cli_loop", str(path), USER, str(rounds), str(seed))
    try:
        async with apps[0].run_test(size=SIZE) as one, apps[1].run_test(size=SIZE) as two:
            pilots = [one, two]
            for pilot in pilots:
                await settle(pilot)
            actions = 0
            while cli.process.poll() is None or actions < FIRST_ACTIONS:
                pilot = rng.choice(pilots)
                await workload.step(pilot)
                form_errors += heard[pilots.index(pilot)].form_errors()
                actions += 1
            for pilot in pilots:
                await back_to_the_list(pilot)
            with open_store(path, user=USER) as reader:
                differences = [await wait_until_in_step(pilot, reader) for pilot in pilots]
    finally:
        code, errors = cli.finish()
        lines = cli.remaining_lines()
        for store in stores:
            store.close()
    assert code == 0, errors
    cli_results = [json.loads(line) for line in lines if line.startswith("{")]

    told = [message for ears in heard for message in ears.errors] + form_errors
    cli_failures = [r["err"].strip() for r in cli_results if r["code"] != 0]
    wrong_messages = [m for m in told + cli_failures if not RACE_OUTCOMES.search(m)]
    not_one_line = [m for m in cli_failures if "\n" in m or not m.startswith("taskflow: ")]
    with open_store(path, user=USER) as store:
        lost = check_log_accounts_for(
            store, [a for ack in acknowledged for a in ack.results] + cli_acknowledged(cli_results)
        )
    # An edit saved from a window replaced exactly the version its editor showed: had
    # it overwritten a newer one, it would have skipped a version.
    lost += [
        f"an edit based on version {based_on} saved {saved.title!r} as version {saved.version}"
        for ack in acknowledged
        for based_on, saved in ack.edits
        if saved.version not in (based_on, based_on + 1)
    ]
    with connected(path) as connection:
        sound = integrity(connection)
        lost += consistency_problems(connection, USER)
    out = [f"window {n + 1}: {d}" for n, d in enumerate(differences) if d]
    failures = wrong_messages + not_one_line + lost + out
    record_tally(
        "two windows and a CLI loop on one file",
        runs=1,
        failures=int(bool(failures) or sound != "ok"),
        seed=seed,
        window_actions=workload.number,
        cli_commands=len(cli_results),
        conflicts_shown=workload.conflicts_shown,
        race_messages=len(told) + len(cli_failures),
    )
    assert sound == "ok"
    assert not wrong_messages, f"seed {seed}: users were told {wrong_messages}"
    assert not not_one_line, not_one_line
    assert not lost, f"seed {seed}: {lost[:5]}"
    assert not out, f"seed {seed}: {out}"
    assert len(cli_results) >= rounds * 2


async def _open_editor(pilot: Pilot[Any], title: str) -> TaskEditScreen:
    app: Any = pilot.app
    await settle(pilot)
    index = shown_titles(app).index(title)
    table_of(app).select_index(index)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, TaskEditScreen)
    return app.screen


async def test_the_second_of_two_window_edits_is_told_not_silently_lost(tmp_path: Path) -> None:
    path = tmp_path / "tasks.db"
    with open_store(path, user=USER) as seeder:
        task = seeder.create("shared task")
    first, second = open_store(path, user=USER), open_store(path, user=USER)
    one_app, two_app = window(first), window(second)
    try:
        async with one_app.run_test(size=SIZE) as one, two_app.run_test(size=SIZE) as two:
            editor_one = await _open_editor(one, "shared task")
            editor_two = await _open_editor(two, "shared task")
            editor_one.query_one("#title").value = "from window one"  # type: ignore[attr-defined]
            await one.press("ctrl+s")
            await settle(one)
            editor_two.query_one("#title").value = "from window two"  # type: ignore[attr-defined]
            await two.press("ctrl+s")
            await settle(two)
            assert isinstance(two_app.screen, ConflictScreen)
            assert first.get(task.id).title == "from window one"  # not overwritten
            await two.press("t")  # theirs, for the title both changed
            await settle(two)
            assert not isinstance(two_app.screen, TaskEditScreen | ConflictScreen)
            assert first.get(task.id).title == "from window one"
    finally:
        first.close()
        second.close()


async def test_a_window_edit_after_a_command_line_edit_is_told_of_the_conflict(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.db"
    with open_store(path, user=USER) as seeder:
        task = seeder.create("shared task")
    store = open_store(path, user=USER)
    app = window(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            editor = await _open_editor(pilot, "shared task")
            code, _, err = run_cli(path, "edit", task.id[:8], "-t", "from the command line")
            assert (code, err) == (0, "")
            editor.query_one("#title").value = "from the window"  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConflictScreen)
            assert store.get(task.id).title == "from the command line"
            await pilot.press("escape")  # keep editing: still nothing overwritten
            await settle(pilot)
            assert store.get(task.id).title == "from the command line"
    finally:
        store.close()
    # And the other way round: the command line refuses an edit whose read is stale.
    with open_store(path, user=USER) as store:
        current = store.get(task.id)
        store.update(task.id, expected_version=current.version, title="changed meanwhile")
        code, _, err = run_cli(path, "edit", task.id[:8], "-t", "late")
        assert code == 0  # a fresh read each time: the CLI's own read is never stale
        assert store.get(task.id).title == "late"


async def test_readers_never_block_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "tasks.db"
    with open_store(path, user=USER) as seeder:
        for number in range(5):
            seeder.create(f"seeded {number}")
    reader = Child("locker", str(path), "read")
    store = open_store(path, user=USER)
    app = window(store)
    heard = Heard(app)
    try:
        assert reader.wait_for("count 5")
        assert reader.wait_for("holding")
        # Another long reader in this process: an export paused half-way, in its snapshot.
        with open_store(path, user=USER) as exporter:
            export = exporter.export_tasks(batch=2)
            first_page = [next(export)[0].title for _ in range(2)]
            # While both read, every writer gets through, at once or within the busy
            # timeout; a blocked writer would fail here with a "busy" error.
            code, _, err = run_cli(path, "add", "written while others read")
            assert (code, err) == (0, "")
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await pilot.press("a")
                await settle(pilot)
                app.screen.query_one("#title").value = "added in the window while others read"  # type: ignore[attr-defined]
                await pilot.press("enter")
                await settle(pilot)
                await pilot.press("g", "space")
                await settle(pilot)
            rest = [task.title for task, _ in export]
        assert heard.errors == []
        assert first_page + rest == [f"seeded {number}" for number in range(5)]
        reader.send("again")
        assert reader.wait_for("count 5")  # its snapshot did not move under it
        assert reader.wait_for("count 7")  # and it sees both writes once it ends
    finally:
        reader.kill()
        reader.finish()
        store.close()
    with open_store(path, user=USER) as store:
        titles = {task.title: task for task in store.list_tasks(TaskQuery())}
        assert titles["seeded 0"].completed
        assert "added in the window while others read" in titles


def add_from_another_program(path: Path, title: str) -> None:
    """``taskflow add TITLE`` in a process of its own: SQLite's locks are per process."""
    added = run_process("--db", str(path), "--user", USER, "add", title, cwd=path.parent)
    assert added.returncode == 0, added.stderr


def titles_seen_by_another_program(path: Path) -> list[str]:
    listed = run_process("--db", str(path), "--user", USER, "list", "--json", cwd=path.parent)
    return [task["title"] for task in json.loads(listed.stdout)]


def test_a_second_store_on_the_file_in_one_process_keeps_the_first_in_step(
    tmp_path: Path,
) -> None:
    """Two windows in one process (as above) open the file twice. Opening it must not
    drop the locks the first store's connection holds: if it did, the next program
    to close the file would take itself for its last user and delete the -wal and -shm
    files under the first store, which would then read a stale file and commit into a
    deleted one (found by the two-windows run above: a saved task vanished)."""
    path = tmp_path / "tasks.db"
    first = open_store(path, user=USER)
    try:
        first.data_version()  # the app keeps this connection open to watch for changes
        with open_store(path, user=USER) as second:
            second.create("from the second store")
        # Another program writes three times; the first store (the app's watch reads
        # between writes like this) must see each write.
        for number in range(3):
            add_from_another_program(path, f"from another program {number}")
            seen = [task.title for task in first.list_tasks(TaskQuery())]
            assert seen[-1] == f"from another program {number}", seen
        first.create("saved by the first store")
    finally:
        first.close()
    assert titles_seen_by_another_program(path)[-1] == "saved by the first store"
    with connected(path) as connection:
        assert integrity(connection) == "ok"


def test_a_store_closed_while_a_worker_still_reads_keeps_that_worker_in_step(
    tmp_path: Path,
) -> None:
    """The app closes its store when it quits, and a thread worker may still be inside
    a store call then (a slow load, an export). The file stays open through that
    worker's connection, so opening the file again in this process (a test, the
    benchmark, a second window) must not drop the process's locks, as above: another
    program closing the file would then delete the -wal under the worker and the new
    store, and a saved task would vanish (found by the benchmark, where the next
    launch tripped over a -wal that vanished between two looks)."""
    path = tmp_path / "tasks.db"
    with open_store(path, user=USER) as seeder:
        for number in range(4):
            seeder.create(f"seeded {number}")
    first = open_store(path, user=USER)
    paused = threading.Event()
    resume = threading.Event()
    exported: list[str] = []

    def export_in_a_worker() -> None:
        export = first.export_tasks(batch=2)
        exported.append(next(export)[0].title)
        paused.set()
        resume.wait(30)
        exported.extend(task.title for task, _ in export)

    worker = threading.Thread(target=export_in_a_worker)
    worker.start()
    try:
        assert paused.wait(30)
        first.close()  # the worker's connection is still open in its thread
        with open_store(path, user=USER) as second:
            for number in range(2):
                add_from_another_program(path, f"other program {number}")
                second.create(f"second store {number}")
                seen = [task.title for task in second.list_tasks(TaskQuery())]
                assert seen[-2:] == [f"other program {number}", f"second store {number}"]
    finally:
        resume.set()
        worker.join(30)
    assert exported == [f"seeded {number}" for number in range(4)]  # its snapshot held
    assert titles_seen_by_another_program(path)[4:] == [
        "other program 0",
        "second store 0",
        "other program 1",
        "second store 1",
    ]
    with connected(path) as connection:
        assert integrity(connection) == "ok"
