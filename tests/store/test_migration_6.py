"""Migration 6 (projects, subtasks, blocks, grouped changes): up, down with data, and
the constraints, on both backends.

The rows are written with SQL here: the store's own project operations build on this
schema, and this test holds the schema itself, what it refuses, and what going down
keeps (every task; a project as a tag) and reports (what is dropped).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from store import DataLossError, Status, TaskQuery, TaskStore, open_store
from store.backend import execute_sql
from store.migrate import DataLoss
from store.migrations import LATEST_VERSION
from tests.helpers import FrozenClock

STAMP = "2026-11-01 09:00:00.000000"


def run(store: TaskStore, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """One statement on the store's own connection, '?' for parameters on either backend."""
    backend = store._backend
    if backend.dialect == "postgresql":
        sql = sql.replace("?", "%s")
    with backend.session(), backend.write():
        cursor = execute_sql(backend.db, sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def add_project(
    store: TaskStore, project_id: str, name: str, parent: str | None = None, user: str = "alice"
) -> None:
    run(
        store,
        "INSERT INTO projects (id, user_id, parent_id, name, name_key, position, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        (project_id, user, parent, name, name.casefold(), STAMP, STAMP),
    )


@pytest.fixture
def structured(store: TaskStore) -> dict[str, Any]:
    """Tasks in nested projects, a subtask, a block, a project's own logged change and a
    change of two tasks: one of everything version 5 has no place for."""
    tasks = {name: store.create(name) for name in ("plan", "draft", "ship", "loose", "deep")}
    add_project(store, "p-work", "Work")
    add_project(store, "p-q4", "Q4 Launch", "p-work")
    add_project(store, "p-deep", "x" * 60, "p-q4")
    run(store, "UPDATE tasks SET project_id = 'p-work' WHERE id = ?", (tasks["plan"].id,))
    run(store, "UPDATE tasks SET project_id = 'p-q4' WHERE id IN (?, ?)",
        (tasks["draft"].id, tasks["ship"].id))  # fmt: skip
    run(store, "UPDATE tasks SET project_id = 'p-deep' WHERE id = ?", (tasks["deep"].id,))
    run(store, "UPDATE tasks SET parent_id = ? WHERE id = ?", (tasks["draft"].id, tasks["ship"].id))
    run(store, "INSERT INTO task_blocks (task_id, blocker_id) VALUES (?, ?)",
        (tasks["ship"].id, tasks["plan"].id))  # fmt: skip
    run(
        store,
        "INSERT INTO task_events (task_id, user_id, kind, at, after, subject) "
        "VALUES ('p-work', 'alice', 'created', ?, '{}', 'project')",
        (STAMP,),
    )
    store.toggle(tasks["loose"].id)
    run(store, "UPDATE task_events SET change_id = 900 WHERE task_id IN (?, ?)",
        (tasks["loose"].id, tasks["plan"].id))  # fmt: skip
    return tasks


def test_a_new_database_is_at_version_6_with_the_structure_tables(store: TaskStore) -> None:
    assert store.schema_version() == LATEST_VERSION >= 6
    tables = store._backend.tables()
    assert {"projects", "task_blocks"} <= tables
    assert {"project_id", "parent_id"} <= store._backend.columns("tasks")
    assert {"subject", "change_id"} <= store._backend.columns("task_events")
    assert {"tasks_project", "tasks_parent"} <= store._backend.indexes("tasks")


def test_going_down_reports_what_is_dropped_and_keeps_every_task(
    store: TaskStore, structured: dict[str, Any]
) -> None:
    asked: list[DataLoss] = []
    with pytest.raises(DataLossError) as refused:
        store.migrate(to=5)
    assert store.schema_version() == LATEST_VERSION  # nothing changed without a yes
    loss = refused.value.loss
    assert isinstance(loss, DataLoss)
    assert loss.as_dict() == {
        "projects": 3,
        "tasks' projects kept as tags": 3,
        "tasks' projects dropped (no tag can hold their paths)": 1,
        "subtask links": 1,
        "blocks": 1,
        "project history entries": 1,
        "changes of several tasks (undone one task at a time afterwards)": 1,
    }

    store.migrate(to=5, confirm=lambda what: asked.append(what) or True)
    assert asked == [loss]
    assert store.schema_version() == 5
    assert "projects" not in store._backend.tables()
    assert not {"project_id", "parent_id"} & store._backend.columns("tasks")

    store.migrate()  # and up again: the structure is gone, the tasks and tags stay
    kept = {t.title: t for t in store.list_tasks(TaskQuery(status=Status.ALL))}
    assert set(kept) == {"plan", "draft", "ship", "loose", "deep"}
    assert kept["plan"].tags == ("Work",)
    assert kept["draft"].tags == kept["ship"].tags == ("Work/Q4-Launch",)
    assert kept["deep"].tags == () and kept["loose"].tags == ()
    assert run(store, "SELECT count(*) FROM projects") == [(0,)]
    assert [e.summary for e in store.history(structured["loose"].id)] == ["created", "marked done"]


def test_a_project_tag_joins_a_tag_of_the_same_name(
    store: TaskStore, structured: dict[str, Any]
) -> None:
    plan = structured["plan"]
    store.update(plan.id, expected_version=store.get(plan.id).version, tags=["work", "home"])
    store.migrate(to=5, confirm=lambda _: True)
    store.migrate()  # the store reads the latest schema
    assert store.get(plan.id).tags == ("home", "work")  # the owner's spelling, once


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        pytest.param("UPDATE tasks SET project_id = 'nowhere'", (), id="unknown-project"),
        pytest.param("UPDATE tasks SET parent_id = 'nobody'", (), id="unknown-parent"),
        pytest.param("DELETE FROM projects WHERE id = 'p-q4'", (), id="project-with-tasks"),
        pytest.param("DELETE FROM projects WHERE id = 'p-work'", (), id="project-with-children"),
        pytest.param(
            "INSERT INTO projects (id, user_id, parent_id, name, name_key, created_at, "
            "updated_at) VALUES ('p-2', 'alice', 'p-work', 'q4 LAUNCH', 'q4 launch', ?, ?)",
            (STAMP, STAMP),
            id="sibling-name-in-another-case",
        ),
        pytest.param(
            "INSERT INTO projects (id, user_id, name, name_key, created_at, updated_at) "
            "VALUES ('p-3', 'alice', 'a/b', 'a/b', ?, ?)",
            (STAMP, STAMP),
            id="slash-in-a-name",
        ),
        pytest.param(
            "INSERT INTO task_blocks SELECT id, id FROM tasks LIMIT 1", (), id="blocked-by-itself"
        ),
    ],
)
def test_the_schema_refuses_broken_structure(
    store: TaskStore, structured: dict[str, Any], sql: str, params: tuple[Any, ...]
) -> None:
    with pytest.raises(Exception) as refused:
        run(store, sql, params)
    assert type(refused.value).__name__ in {"StoreError", "ConflictError", "ValidationError"}
    assert run(store, "SELECT count(*) FROM projects") == [(3,)]


def test_the_same_name_may_be_used_under_different_parents(
    store: TaskStore, structured: dict[str, Any]
) -> None:
    add_project(store, "p-home", "Home")
    add_project(store, "p-home-q4", "Q4 Launch", "p-home")
    add_project(store, "p-top-q4", "Q4 Launch")
    assert run(store, "SELECT count(*) FROM projects WHERE name_key = 'q4 launch'") == [(3,)]


@pytest.mark.sqlite_only
def test_step_6_down_gives_the_schema_that_version_5_creates(
    tmp_path: Path, clock: FrozenClock
) -> None:
    def definitions(path: Path) -> set[tuple[str, str]]:
        raw = sqlite3.connect(path)
        rows = raw.execute("SELECT name, sql FROM sqlite_master").fetchall()
        raw.close()
        return {(name, " ".join((sql or "").split())) for name, sql in rows}

    made_at_5, taken_down = tmp_path / "made-at-5.db", tmp_path / "taken-down.db"
    with open_store(made_at_5, user="alice", migrate=False, clock=clock) as store:
        store.migrate(to=5)
    with open_store(taken_down, user="alice", clock=clock) as store:
        store.create("kept")
        store.migrate(to=5)
    assert definitions(taken_down) == definitions(made_at_5)
    raw = sqlite3.connect(taken_down)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert raw.execute("SELECT title FROM tasks").fetchall() == [("kept",)]
    raw.close()
