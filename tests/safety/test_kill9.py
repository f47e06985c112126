"""Kill -9 torture: a writer killed at random moments never loses a change it was told was saved.

The writer (tests/safety/kill_writer.py) creates, edits, toggles, deletes and
undoes through the store, logging each operation once the store has returned
(see its docstring). After every SIGKILL the file is reopened from outside the
store and must be sound (integrity_check), at the current schema version, and
hold exactly what the log says: every operation logged as done, plus at most the
one operation that was under way when the kill landed (committed or not, never
half). The next writer then carries on with the same file.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from store import LATEST_VERSION, TaskQuery, open_store
from tests.safety.helpers import sizes
from tests.safety.inspect_db import (
    TaskState,
    connected,
    consistency_problems,
    integrity,
    schema_version,
    task_states,
)
from tests.safety.kill_writer import USER
from tests.safety.processes import Child, record_tally

# The kill lands this long after the writer says it is ready: a spread of moments,
# most of them inside a store call, since the writer spends its time there.
LATEST_KILL_SECONDS = 0.3


@dataclass
class Verdict:
    """What one kill left behind, and whether it is allowed."""

    landed_inside_a_call: bool
    operations_done: int
    problems: list[str] = field(default_factory=list)


def read_log(path: Path) -> list[dict[str, Any]]:
    """The log's complete lines; a line the kill cut short is dropped (it was being
    written when the kill came, so what it would have said is still in doubt)."""
    data = path.read_bytes() if path.exists() else b""
    complete = data.split(b"\n")[:-1]  # whatever follows the last newline is cut short
    return [json.loads(line) for line in complete]


def expected_after(
    baseline: dict[str, TaskState], entries: list[dict[str, Any]]
) -> tuple[dict[str, TaskState], dict[str, Any] | None, int]:
    """The tasks the log says must exist, the operation still in doubt, and how many were done."""
    expected = dict(baseline)
    pending: dict[str, Any] | None = None
    done = 0
    for entry in entries:
        if "intent" in entry:
            pending = entry
            continue
        assert pending is not None and entry["done"] == pending["intent"], entry
        pending = None
        done += 1
        for task_id, title, description, completed, version in entry.get("tasks", []):
            expected[task_id] = (title, description, completed, version)
        for task_id in entry.get("removed", []):
            expected.pop(task_id, None)
    return expected, pending, done


def committed_pending_explains(
    expected: dict[str, TaskState], actual: dict[str, TaskState], pending: dict[str, Any]
) -> bool:
    """Whether ``actual`` is ``expected`` with the operation in doubt applied whole."""
    added = {task_id: actual[task_id] for task_id in actual.keys() - expected.keys()}
    missing = expected.keys() - actual.keys()
    changed = {
        task_id
        for task_id in expected.keys() & actual.keys()
        if expected[task_id] != actual[task_id]
    }
    operation = pending["op"]
    if operation in ("create", "create_many"):
        wanted = sorted((title, pending["description"], False, 1) for title in pending["titles"])
        return not missing and not changed and sorted(added.values()) == wanted
    if operation == "undo":
        # An undo reverts whichever change was last: exactly one task differs by it.
        return len(added) + len(missing) + len(changed) == 1 and all(
            actual[task_id][3] == expected[task_id][3] + 1 for task_id in changed
        )
    if added:
        return False
    target = pending["id"]
    before = expected[target]
    title, description, completed, version = before
    if operation == "delete":
        return missing == {target} and not changed
    if missing or changed != {target}:
        return False
    if operation == "edit":
        return actual[target] == (pending["title"], pending["description"], completed, version + 1)
    return actual[target] == (title, description, not completed, version + 1)  # toggle


def verify_after_kill(
    path: Path, log: Path, baseline: dict[str, TaskState]
) -> tuple[Verdict, dict[str, TaskState]]:
    entries = read_log(log)
    expected, pending, done = expected_after(baseline, entries)
    verdict = Verdict(landed_inside_a_call=pending is not None, operations_done=done)
    with connected(path) as connection:
        check = integrity(connection)
        if check != "ok":
            verdict.problems.append(f"integrity_check: {check}")
            return verdict, baseline
        version = schema_version(connection)
        if version != LATEST_VERSION:
            verdict.problems.append(f"schema version {version}, expected {LATEST_VERSION}")
        verdict.problems += consistency_problems(connection, USER)
        actual = task_states(connection, USER)
    if actual != expected and not (
        pending is not None and committed_pending_explains(expected, actual, pending)
    ):
        lost = sorted(expected.keys() - actual.keys())[:3]
        extra = sorted(actual.keys() - expected.keys())[:3]
        differ = [
            (task_id, expected[task_id], actual[task_id])
            for task_id in expected.keys() & actual.keys()
            if expected[task_id] != actual[task_id]
        ][:3]
        in_doubt = json.dumps(pending, ensure_ascii=False)[:300] if pending else None
        verdict.problems.append(
            f"the file does not hold what the log says (in doubt: {in_doubt}): "
            f"missing {lost}, unexpected {extra}, different {differ}"
        )
    return verdict, actual


def torture(folder: Path, kills: int, seed: int) -> list[Verdict]:
    path = folder / "tasks.db"
    open_store(path, user=USER).close()  # a current file, so every kill lands in the writer
    rng = random.Random(seed)
    baseline: dict[str, TaskState] = {}
    verdicts: list[Verdict] = []
    for run in range(kills):
        log = folder / f"run-{run:04d}.log"
        writer = Child("kill_writer", str(path), str(log), f"{seed}.{run}")
        if not writer.wait_for("ready"):
            code, errors = writer.finish()
            raise AssertionError(f"writer {run} failed to start (exit {code}): {errors}")
        writer.kill_after(rng.uniform(0, LATEST_KILL_SECONDS))
        code, errors = writer.finish()
        assert code == -9, f"writer {run} ended by itself (exit {code}) before the kill: {errors}"
        verdict, baseline = verify_after_kill(path, log, baseline)
        verdicts.append(verdict)
        if verdict.problems:
            break  # the file is no longer what the next run could be judged against
    return verdicts


@pytest.mark.parametrize("kills", sizes(30, 300))
def test_sigkill_at_random_moments_loses_no_saved_change(tmp_path: Path, kills: int) -> None:
    seed = random.randrange(2**32)
    verdicts = torture(tmp_path, kills, seed)
    failures = [v for v in verdicts if v.problems]
    inside = sum(v.landed_inside_a_call for v in verdicts)
    record_tally(
        "kill -9 during writes",
        runs=len(verdicts),
        failures=len(failures),
        seed=seed,
        kills_inside_a_store_call=inside,
        operations_logged_done=sum(v.operations_done for v in verdicts),
    )
    assert not failures, f"seed {seed}, kill {len(verdicts)}: {failures[0].problems}"
    # The torture must actually torture: kills have to land while the store is writing.
    assert inside > 0, f"no kill of {len(verdicts)} landed inside a store call (seed {seed})"
    # Through the store's own front door, the file still works after all of it, and
    # the store reads exactly the tasks the last check found.
    survivors = task_states_of(tmp_path / "tasks.db")
    with open_store(tmp_path / "tasks.db", user=USER) as store:
        assert store.check_health().ok
        assert store.integrity_check() == "ok"
        listed = {task.id: task for task in store.list_tasks(TaskQuery())}
        assert {
            task_id: (task.title, task.description, task.completed, task.version)
            for task_id, task in listed.items()
        } == survivors
        created = store.create("after the last kill")
        assert store.get(created.id).title == "after the last kill"


def task_states_of(path: Path) -> dict[str, TaskState]:
    with connected(path) as connection:
        return task_states(connection, USER)
