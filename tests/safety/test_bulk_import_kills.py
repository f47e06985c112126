"""kill -9 in the middle of a big import: all of it or none of it, and the schema whole.

A big import into a SQLite file drops the plain indexes and the search trigger, writes
the rows, then builds them again (store.deferred), all inside its transaction. The
child (tests.safety.bulk_importer) is stopped at each of those steps and killed there;
the file must then hold exactly the tasks it held before, with every index and
trigger as a fresh database has them, its search index and counters right, and the
same import must go through afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import TaskQuery, open_store
from store.deferred import DEFER_FROM
from store.transfer import ImportedTask, read_file
from tests.safety.bulk_importer import USER
from tests.safety.inspect_db import connected, integrity, schema, task_count
from tests.safety.processes import Child

IMPORTED = DEFER_FROM + 500
BEFORE = ("Water the ferns", "Pay the gas bill", "Call the plumber")
# Statements the big import runs, in order; the child is killed just before each.
STEPS = (
    "SAVEPOINT",
    "DROP INDEX",
    "DROP TRIGGER",
    'INSERT INTO "tasks"',
    'INSERT INTO "task_events"',
    "CREATE INDEX",
    "INSERT INTO task_search",
    "CREATE TRIGGER",
    "RELEASE",
    "COMMIT",
)


def export_file(path: Path, count: int) -> Path:
    """A TaskFlow JSON file of ``count`` tasks, each with a word of its own to search for."""
    tasks = [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "title": f"Imported errand zq{n:05d}x",
            "description": "brought in by the kill test",
            "completed": n % 7 == 0,
            "created_at": "2026-03-01T08:00:00+00:00",
            "updated_at": "2026-03-02T08:00:00+00:00",
            "tags": ["bulk"] if n % 3 == 0 else [],
        }
        for n in range(count)
    ]
    path.write_text(json.dumps({"format": "taskflow", "format_version": 2, "tasks": tasks}))
    return path


@pytest.fixture
def reference_schema(tmp_path: Path) -> set[tuple[str, str, str]]:
    fresh = tmp_path / "fresh.db"
    open_store(fresh, user=USER).create("one task")
    with connected(fresh) as connection:
        return schema(connection)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.db"
    store = open_store(path, user=USER)
    for title in BEFORE:
        store.create(title)
    return path


def assert_whole(path: Path, reference: set[tuple[str, str, str]], tasks: int) -> None:
    with connected(path) as connection:
        assert integrity(connection) == "ok"
        assert schema(connection) == reference
        assert task_count(connection) == tasks


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_a_big_import_keeps_none_of_it(
    tmp_path: Path, database: Path, reference_schema: set[tuple[str, str, str]], step: str
) -> None:
    source = export_file(tmp_path / "big.json", IMPORTED)
    child = Child("bulk_importer", str(database), str(source), step)
    reached = child.wait_for(f"at {step}")
    child.kill()
    _, errors = child.finish()
    assert reached, errors

    assert_whole(database, reference_schema, len(BEFORE))
    store = open_store(database, user=USER)
    assert [t.title for t in store.list_tasks(TaskQuery(search="plumber"))] == ["Call the plumber"]
    assert store.counts().open == len(BEFORE)

    outcome = store.import_tasks(_parsed(source))
    assert len(outcome.added) == IMPORTED
    assert_whole(database, reference_schema, len(BEFORE) + IMPORTED)
    found = store.list_tasks(TaskQuery(search="zq01234x"))
    assert [t.title for t in found] == ["Imported errand zq01234x"]
    done = sum(1 for n in range(IMPORTED) if n % 7 == 0)
    counts = store.counts()
    assert (counts.open, counts.done) == (len(BEFORE) + IMPORTED - done, done)


def test_the_big_import_left_alone_is_saved_whole(
    tmp_path: Path, database: Path, reference_schema: set[tuple[str, str, str]]
) -> None:
    source = export_file(tmp_path / "big.json", IMPORTED)
    child = Child("bulk_importer", str(database), str(source), "no such statement")
    reached = child.wait_for(f"imported {IMPORTED}")
    child.kill()
    _, errors = child.finish()
    assert reached, errors
    assert_whole(database, reference_schema, len(BEFORE) + IMPORTED)
    store = open_store(database, user=USER)
    assert len(store.list_tasks(TaskQuery(search="zq0"))) == IMPORTED


def _parsed(source: Path) -> tuple[ImportedTask, ...]:
    return read_file(source).tasks
