"""Kill -9 during a schema migration: the file is at the old version or the new one, never
in between, every task survives, and the backup taken before the migration opens.

The migration runs as the real ``taskflow db migrate`` in a child process
(tests/safety/migrator.py) on a large database, so that it lasts long enough for
kills to land inside it. Some kills are spread over the whole command (opening,
backup, steps, commit, closing); the rest are aimed at the schema steps, between
the moment the backup is complete and the moment the last step has run.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from store import LATEST_VERSION, MigrationError, open_store
from tests.helpers import make_legacy_database
from tests.safety.helpers import sizes
from tests.safety.inspect_db import (
    connected,
    consistency_problems,
    integrity,
    schema,
    schema_version,
    task_count,
)
from tests.safety.migrator import USER
from tests.safety.processes import Child, record_tally

# (name, version the file starts at, version the command moves it to)
DIRECTIONS = (
    ("up one step", LATEST_VERSION - 1, LATEST_VERSION),
    ("down one step", LATEST_VERSION, LATEST_VERSION - 1),
    ("legacy file to latest", 0, LATEST_VERSION),
)


# Aimed kills added when none of the planned ones landed inside the migration.
EXTRA_AIMED_KILLS = 6


@dataclass(frozen=True)
class Run:
    tasks: int
    kills_per_direction: int


@dataclass(frozen=True)
class Outcome:
    version: int
    landed: str  # before the backup was complete / inside the migration / after the commit
    problems: tuple[str, ...]


def content_digest(path: Path) -> str:
    """The tasks' ids, titles and done states, which every schema version keeps."""
    digest = hashlib.sha256()
    with connected(path, read_only=True) as connection:
        for task_id, title, completed in connection.execute(
            "SELECT id, title, completed FROM tasks ORDER BY id"
        ):
            digest.update(f"{task_id}\x1f{title}\x1f{int(completed)}\x1e".encode())
    return digest.hexdigest()


def complete_backups(path: Path) -> list[Path]:
    # A backup in progress has a hidden .partial name; only finished ones carry this one.
    return sorted(path.parent.glob(f"{path.name}.backup-*"))


def legacy_rows(count: int) -> list[tuple[object, ...]]:
    return [
        (
            f"00000000-0000-4000-8000-{number:012d}",
            f"legacy task {number} with a few words in it",
            "notes " * 8,
            int(number % 3 == 0),
            "2024-01-01 10:00:00",
            "2024-01-02 10:00:00",
        )
        for number in range(count)
    ]


class Templates:
    """A large file at each starting version, made once per size and copied for every run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[tuple[int, int], Path] = {}

    def at(self, version: int, tasks: int) -> Path:
        key = (version, tasks)
        if key not in self.made:
            target = self.folder / f"v{version}-{tasks}.db"
            if version == 0:
                make_legacy_database(target, legacy_rows(tasks))
            else:
                shutil.copyfile(self.at(0, tasks), target)
                with open_store(target, user=USER, migrate=False) as store:
                    store.migrate(to=version)
                for backup in complete_backups(target):
                    backup.unlink()
            self.made[key] = target
        return self.made[key]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("migration-templates"))


def run_migration(
    path: Path, target: int, kill_at: Callable[[Child], None] | None
) -> tuple[int, dict[str, float]]:
    """The migrating command, killed where ``kill_at`` says (None: left to finish).
    Returns its exit status and, for a run left to finish, when each landmark came."""
    child = Child("migrator", str(path), str(target))
    marks: dict[str, float] = {}
    if kill_at is not None:
        kill_at(child)
    else:
        for landmark in ("migrating", "backed-up", "applied", "finished"):
            assert child.wait_for(landmark), f"no {landmark!r} from the migration"
            marks[landmark] = time.monotonic()
    code, errors = child.finish()
    if kill_at is None:
        assert code == 0, errors
    else:
        assert code in (0, -9), f"the migration failed on its own (exit {code}): {errors}"
    return code, marks


def judge(
    path: Path,
    start: int,
    target: int,
    tasks: int,
    digest: str,
    reference: dict[int, set[tuple[str, str, str]]],
) -> Outcome:
    problems: list[str] = []
    with connected(path) as connection:
        check = integrity(connection)
        if check != "ok":
            return Outcome(-1, "?", (f"integrity_check: {check}",))
        version = schema_version(connection)
        if version not in (start, target):
            problems.append(f"left at version {version}, between {start} and {target}")
        elif schema(connection) != reference[version]:
            problems.append(f"version {version} recorded, but the schema is not that version's")
        if task_count(connection) != tasks:
            problems.append(f"{task_count(connection)} tasks, expected {tasks}")
        if version == LATEST_VERSION:
            problems += consistency_problems(connection, USER)
    if content_digest(path) != digest:
        problems.append("the tasks' ids, titles or done states changed")
    backups = complete_backups(path)
    for backup in backups:
        with connected(backup, read_only=True) as connection:
            check = integrity(connection)
            backed_up = schema_version(connection)
            count = task_count(connection)
        if (check, backed_up, count) != ("ok", start, tasks):
            problems.append(
                f"backup {backup.name}: integrity {check}, version {backed_up}, {count} tasks"
            )
    if version == target:
        landed = "after the commit"
    elif backups:
        landed = "inside the migration"
    else:
        landed = "before the backup was complete"
    # The next launch finishes the job from wherever the kill left it.
    with open_store(path, user=USER, migrate=False) as store:
        store.migrate(to=target)
        if store.schema_version() != target or store.integrity_check() != "ok":
            problems.append("migrating again after the kill did not reach a sound file")
    if content_digest(path) != digest:
        problems.append("the tasks changed when the migration was run again")
    return Outcome(version, landed, tuple(problems))


def kill_spread(seconds: float, rng: random.Random) -> Callable[[Child], None]:
    def kill(child: Child) -> None:
        assert child.wait_for("migrating")
        child.kill_after(rng.uniform(0, seconds))

    return kill


def kill_aimed(seconds: float, rng: random.Random) -> Callable[[Child], None]:
    def kill(child: Child) -> None:
        if child.wait_for("backed-up"):
            child.kill_after(rng.uniform(0, seconds))

    return kill


@pytest.mark.parametrize("run", sizes(Run(100_000, 3), Run(100_000, 40)))
@pytest.mark.parametrize(
    ("direction", "start", "target"), DIRECTIONS, ids=[d[0] for d in DIRECTIONS]
)
def test_sigkill_during_a_migration_leaves_old_or_new_never_between(
    tmp_path: Path,
    templates: Templates,
    run: Run,
    direction: str,
    start: int,
    target: int,
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    template = templates.at(start, run.tasks)
    digest = content_digest(template)
    reference = {start: _schema_of(template)}

    # One run left to finish: the schema it ends with is what "the new version" means,
    # and its landmarks say when to aim the kills.
    control = tmp_path / "control" / "tasks.db"
    control.parent.mkdir()
    shutil.copyfile(template, control)
    _, marks = run_migration(control, target, None)
    reference[target] = _schema_of(control)
    whole = marks["finished"] - marks["migrating"]
    steps = marks["applied"] - marks["backed-up"]
    shutil.rmtree(control.parent)

    outcomes: list[Outcome] = []
    number = 0
    # The planned kills, then (a step of a few milliseconds is easily missed by a
    # timer on a busy machine) more aimed ones until one has landed inside the
    # migration, a few at most: every kill is judged the same either way.
    while number < run.kills_per_direction or (
        number < run.kills_per_direction + EXTRA_AIMED_KILLS
        and not any(o.landed == "inside the migration" for o in outcomes)
    ):
        folder = tmp_path / f"kill-{number}"
        folder.mkdir()
        path = folder / "tasks.db"
        shutil.copyfile(template, path)
        # A third of the kills anywhere in the command, the rest aimed at the steps.
        spread = number % 3 == 0 and number < run.kills_per_direction
        aim = kill_spread(whole, rng) if spread else kill_aimed(steps, rng)
        run_migration(path, target, aim)
        outcomes.append(judge(path, start, target, run.tasks, digest, reference))
        shutil.rmtree(folder)  # hundreds of megabytes a run
        number += 1

    failures = [outcome for outcome in outcomes if outcome.problems]
    landings = {
        place: sum(o.landed == place for o in outcomes) for place in {o.landed for o in outcomes}
    }
    record_tally(
        f"kill -9 during a migration ({direction}, {run.tasks:,} tasks)",
        runs=len(outcomes),
        failures=len(failures),
        seed=seed,
        landed=landings,
    )
    assert not failures, f"seed {seed}: {[f.problems for f in failures]}"
    assert landings.get("inside the migration", 0) > 0, (
        f"no kill landed inside the migration (seed {seed}): {landings}"
    )


def _schema_of(path: Path) -> set[tuple[str, str, str]]:
    with connected(path, read_only=True) as connection:
        return schema(connection)


def test_a_step_failing_late_in_a_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deterministic twin of the kills above: a legacy file whose migration fails at
    its last step keeps its old schema whole, not the steps before the failing one."""
    import store.migrate as runner

    path = tmp_path / "tasks.db"
    make_legacy_database(path, legacy_rows(50))
    before = _schema_of(path)
    digest = content_digest(path)

    def fail(ctx: object) -> None:
        raise RuntimeError("the disk went away")

    failing = SimpleNamespace(VERSION=LATEST_VERSION + 1, NAME="doomed", up=fail, down=fail)
    monkeypatch.setattr(runner, "STEPS", (*runner.STEPS, failing))
    monkeypatch.setattr(runner, "LATEST_VERSION", LATEST_VERSION + 1)
    with pytest.raises(MigrationError, match="unchanged at version 0") as caught:
        open_store(path, user=USER)
    assert "\n" not in str(caught.value)
    monkeypatch.undo()

    with connected(path, read_only=True) as connection:
        assert schema_version(connection) == 0
    assert _schema_of(path) == before
    assert content_digest(path) == digest
    with open_store(path, user=USER) as store:  # and it still migrates once the bug is gone
        assert store.schema_version() == LATEST_VERSION
        assert store.count() == 50
