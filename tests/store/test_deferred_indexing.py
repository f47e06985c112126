"""Big bulk writes build their indexes once (store.deferred), and nothing shows it after.

Which path a write took is read from SQLite's schema_version, which every DROP and
CREATE moves: the row-by-row path leaves it alone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import NewTask, StoreError, TaskQuery, TaskStore
from store.deferred import DEFER_FROM
from tests.safety.inspect_db import schema

pytestmark = pytest.mark.sqlite_only


def schema_state(path: Path) -> tuple[int, set[tuple[str, str, str]]]:
    raw = sqlite3.connect(path)
    try:
        (version,) = raw.execute("PRAGMA schema_version").fetchone()
        return int(version), schema(raw)
    finally:
        raw.close()


def many(count: int, word: str) -> list[NewTask]:
    return [
        NewTask(f"{word} errand q{n:05d}z", completed=n % 4 == 0, tags=("bulk",) if n % 2 else ())
        for n in range(count)
    ]


def test_a_big_bulk_write_into_a_small_list_is_indexed_once_and_reads_as_any(
    store: TaskStore, db_path: Path
) -> None:
    store.create("Water the ferns")
    version, before = schema_state(db_path)

    store.create_many(many(DEFER_FROM, "deferred"))

    after_version, after = schema_state(db_path)
    assert after_version > version  # the indexes were dropped and built again
    assert after == before
    found = store.list_tasks(TaskQuery(search="q00042z"))
    assert [t.title for t in found] == ["deferred errand q00042z"]
    assert len(store.list_tasks(TaskQuery(search="deferred errand"))) == DEFER_FROM
    assert len(store.list_tasks(TaskQuery(search="ferns"))) == 1
    done = sum(1 for n in range(DEFER_FROM) if n % 4 == 0)
    counts = store.counts()
    assert (counts.open, counts.done) == (1 + DEFER_FROM - done, done)
    assert store.count(TaskQuery(tag="bulk")) == DEFER_FROM // 2
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_later_edits_keep_the_rebuilt_search_index_in_step(store: TaskStore) -> None:
    created = store.create_many(many(DEFER_FROM, "rebuilt"))
    task = created[10]
    store.update(task.id, expected_version=task.version, title="renamed to marigold")
    store.delete(created[11].id)
    assert [t.title for t in store.list_tasks(TaskQuery(search="marigold"))] == [
        "renamed to marigold"
    ]
    assert store.list_tasks(TaskQuery(search="q00010z")) == []
    assert store.list_tasks(TaskQuery(search="q00011z")) == []
    store.create("one more marigold")
    assert len(store.list_tasks(TaskQuery(search="marigold"))) == 2


@pytest.mark.parametrize(
    ("first", "then"),
    [
        pytest.param(0, DEFER_FROM - 1, id="few-new-rows"),
        pytest.param(DEFER_FROM + 10, DEFER_FROM, id="fewer-than-the-list-holds"),
    ],
)
def test_smaller_bulk_writes_take_the_row_by_row_path(
    store: TaskStore, db_path: Path, first: int, then: int
) -> None:
    if first:
        store.create_many(many(first, "first"))
    version, _ = schema_state(db_path)
    store.create_many(many(then, "then"))
    assert schema_state(db_path)[0] == version
    assert len(store.list_tasks(TaskQuery(search="then errand"))) == then


def test_a_bulk_write_refused_part_way_leaves_the_schema_and_the_list_as_they_were(
    store: TaskStore, db_path: Path
) -> None:
    store.create("Water the ferns")
    before = schema_state(db_path)
    tasks = many(DEFER_FROM + 5, "refused")
    # The same id twice: refused by the primary key (kept while the rest is put off)
    # at the last row, after every index was dropped.
    repeated = "11111111-2222-4333-8444-555555555555"
    tasks[0] = NewTask("first holder", id=repeated)
    tasks[-1] = NewTask("second holder", id=repeated)

    with pytest.raises(StoreError, match=r"UNIQUE constraint failed: tasks\.id"):
        store.create_many(tasks)

    assert schema_state(db_path) == before
    assert [t.title for t in store.list_tasks()] == ["Water the ferns"]
    assert store.counts().open == 1
    assert len(store.list_tasks(TaskQuery(search="ferns"))) == 1
