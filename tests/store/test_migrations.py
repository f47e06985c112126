"""The migration runner: apply, repeat, roll back, refuse newer files, adopt the legacy service."""

from __future__ import annotations

import sqlite3
from datetime import date, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import peewee
import pytest

import store.migrate as runner
from store import (
    LATEST_VERSION,
    MigrationError,
    NewerSchemaError,
    NewTask,
    NotADatabaseError,
    Sort,
    Status,
    TaskQuery,
    open_store,
)
from store.planning import Due
from tests.helpers import FrozenClock, file_digest, make_legacy_database


def _version(path: Path) -> int:
    raw = sqlite3.connect(path)
    value = raw.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    raw.close()
    return int(value or 0)


def test_migrations_apply_all_on_a_new_file(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        assert store.migration.from_version == 0
        assert store.migration.to_version == LATEST_VERSION
        assert len(store.migration.applied) == LATEST_VERSION
        assert store.migration.backup is None  # nothing to lose in a new file
    assert _version(db_path) == LATEST_VERSION


def test_migrations_are_idempotent(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        store.create("one")
    before = file_digest(db_path)
    for _ in range(3):
        with open_store(db_path, user="alice") as store:
            assert not store.migration.changed
            assert store.migration.applied == ()
            assert store.migration.backup is None
    assert file_digest(db_path) == before
    assert not list(db_path.parent.glob("*.backup-*"))


def test_migrations_roll_back_and_forward_again(db_path: Path, clock: FrozenClock) -> None:
    with open_store(db_path, user="alice", clock=clock) as store:
        kept = [store.create(f"task {n}", f"notes {n}") for n in range(5)]
        store.toggle(kept[2].id)
        report = store.migrate(to=1)
        assert (report.from_version, report.to_version) == (LATEST_VERSION, 1)
        assert report.backup is not None and report.backup.exists()
        assert store.schema_version() == 1

    raw = sqlite3.connect(db_path)
    rows = raw.execute("SELECT id, user_id, title, completed FROM tasks ORDER BY title").fetchall()
    raw.close()
    assert rows == [(t.id, "alice", t.title, int(t.id == kept[2].id)) for t in kept]

    with open_store(db_path, user="alice", clock=clock) as store:
        assert store.migration.to_version == LATEST_VERSION
        again = {t.id: t for t in store.list_tasks()}
        assert set(again) == {t.id for t in kept}
        for original in kept:
            restored = again[original.id]
            assert restored.title == original.title
            assert restored.description == original.description
            assert restored.created_at == original.created_at
        assert again[kept[2].id].completed


def test_migrating_to_version_0_is_refused_and_changes_nothing(store: Any) -> None:
    """Version 0 is the earlier service's table, which has no owners: a file taken there
    would come back as the tasks of whoever opened it next, every owner's together."""
    store.create("mine")
    with pytest.raises(MigrationError, match="lowest version to go down to is 1") as caught:
        store.migrate(to=0)
    assert "\n" not in str(caught.value)
    assert store.schema_version() == LATEST_VERSION
    assert [task.title for task in store.list_tasks()] == ["mine"]
    assert store.backups() == []


def test_migrate_to_a_version_that_does_not_exist_is_refused(store: Any) -> None:
    with pytest.raises(MigrationError, match="no schema version 99"):
        store.migrate(to=99)


def test_migrations_enforce_foreign_keys(store: Any, db_path: Path) -> None:
    store.create("anchor")  # creates the owner row
    with store._backend.session(), pytest.raises(peewee.IntegrityError, match=r"(?i)foreign key"):
        store._backend.db.execute_sql(
            "INSERT INTO tasks (id, user_id, title, created_at, updated_at) "
            "VALUES ('x', 'nobody-at-all', 't', '2026-01-01', '2026-01-01')"
        )


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "INSERT INTO tasks (id, user_id, title, completed, created_at, updated_at) "
            "VALUES ('x', ?, 't', 2, '2026-01-01', '2026-01-01')",  # PostgreSQL: a type check
            ("alice",),
        ),
        (
            "INSERT INTO tasks (id, user_id, title, version, created_at, updated_at) "
            "VALUES ('x', ?, 't', 0, '2026-01-01', '2026-01-01')",
            ("alice",),
        ),
        (
            "INSERT INTO task_events (task_id, user_id, kind, at, after) "
            "VALUES ('x', ?, 'exploded', '2026-01-01', '{}')",
            ("alice",),
        ),
    ],
    ids=["completed-is-boolean", "version-positive", "event-kind-closed-set"],
)
def test_migrations_enforce_check_constraints(store: Any, sql: str, params: tuple[str]) -> None:
    store.create("anchor")
    # PostgreSQL refuses completed=2 by its boolean type rather than a CHECK.
    refused = r"(?i)check|boolean"
    with store._backend.session(), pytest.raises(peewee.DatabaseError, match=refused):
        store._backend.db.execute_sql(sql.replace("?", store._backend.db.param), params)


def test_newer_version_file_is_refused_and_unchanged(db_path: Path) -> None:
    with open_store(db_path, user="alice") as store:
        store.create("from the future")
    raw = sqlite3.connect(db_path)
    raw.execute(
        "INSERT INTO schema_migrations VALUES (?, 'a step from a later release', '2030-01-01')",
        (LATEST_VERSION + 1,),
    )
    raw.commit()
    raw.close()
    before = file_digest(db_path)
    with pytest.raises(NewerSchemaError, match="newer TaskFlow") as caught:
        open_store(db_path, user="alice")
    assert caught.value.found == LATEST_VERSION + 1
    assert "not changed" in str(caught.value)
    assert file_digest(db_path) == before
    assert not list(db_path.parent.glob("*.backup-*"))


LEGACY_ROWS = [
    (
        "3b0c7d0e-8a8e-4f3c-9d55-0b9f1a2c3d4e",
        "Water the plants",
        None,
        0,
        "2024-03-01 08:15:00",
        "2024-03-02 09:00:30",
    ),
    (
        "a1b2c3d4-0000-4000-8000-000000000002",
        "File taxes",
        "Before *April*",
        1,
        "2024-01-10 12:00:00",
        "2024-04-01 17:45:59",
    ),
    ("legacy-id-3", "Call the bank", "", 0, "2023-12-31 23:59:59", "2023-12-31 23:59:59"),
]


def test_legacy_file_is_adopted_with_rows_intact_and_a_backup(
    db_path: Path, clock: FrozenClock
) -> None:
    make_legacy_database(db_path, LEGACY_ROWS)
    with open_store(db_path, user="carol", clock=clock) as store:
        assert store.migration.adopted_legacy
        backup = store.migration.backup
        assert backup is not None and backup.exists()
        tasks = {task.id: task for task in store.list_tasks(TaskQuery())}
        assert set(tasks) == {row[0] for row in LEGACY_ROWS}
        for task_id, title, description, completed, created, updated in LEGACY_ROWS:
            task = tasks[task_id]
            assert task.title == title
            assert task.description == (description or "")
            assert task.completed is bool(completed)
            assert task.created_at.strftime("%Y-%m-%d %H:%M:%S") == created
            assert task.updated_at.strftime("%Y-%m-%d %H:%M:%S") == updated
            assert task.created_at.utcoffset().total_seconds() == 0
            assert task.user_id == "carol"
            assert task.version == 1
        # Adopted tasks are fully usable: edit, history, undo.
        edited = store.update(LEGACY_ROWS[0][0], expected_version=1, title="Water the ferns")
        assert edited.version == 2
        store.undo()
        assert store.get(LEGACY_ROWS[0][0]).title == "Water the plants"

    # The backup is the legacy file as it was, readable with plain sqlite3.
    raw = sqlite3.connect(backup)
    assert raw.execute("SELECT count(*) FROM tasks").fetchone()[0] == len(LEGACY_ROWS)
    assert "user_id" not in {row[1] for row in raw.execute("PRAGMA table_info(tasks)")}
    raw.close()


def test_another_programs_schema_migrations_table_is_refused_unchanged(
    location: str, backend: str, db_path: Path
) -> None:
    """Flyway, Rails and golang-migrate keep a `schema_migrations` table too; a text
    version used to crash every command with a ValueError."""
    statements = (
        "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)",
        "INSERT INTO schema_migrations VALUES ('V1__init')",
    )
    if backend == "sqlite":
        raw = sqlite3.connect(db_path)
        for statement in statements:
            raw.execute(statement)
        raw.commit()
        raw.close()
    else:
        import psycopg

        with psycopg.connect(location, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)
    before = file_digest(db_path) if backend == "sqlite" else None
    with pytest.raises(NotADatabaseError, match="another program") as caught:
        open_store(location, user="alice")
    assert "\n" not in str(caught.value)
    assert "version, name and applied_at" in str(caught.value)
    if backend == "sqlite":
        assert file_digest(db_path) == before
        assert sorted(p.name for p in db_path.parent.iterdir()) == ["tasks.db"]


def test_a_legacy_row_without_a_done_state_is_adopted_as_open(
    db_path: Path, clock: FrozenClock
) -> None:
    make_legacy_database(db_path, [("n-1", "never set", None, None, None, None)])
    with open_store(db_path, user="carol", clock=clock) as store:
        (task,) = store.list_tasks(TaskQuery(status=Status.ALL))
    assert (task.id, task.title, task.completed) == ("n-1", "never set", False)
    assert task.created_at == task.updated_at  # both 'now', as the service would have set


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (("x", "   ", None, 0, None, None), "a title TaskFlow refuses"),
        (("x", "bell\x07", None, 0, None, None), "control character"),
        (("x", "ok", None, 2, None, None), "completed neither 0 nor 1"),
        (("x", "ok", None, 0, "yesterday", None), "created_at that is not a time"),
        (("x", "ok", None, 0, "0226-05-01 00:00:00", None), "created_at that is not a time"),
        (("", "ok", None, 0, None, None), "no id"),
    ],
    ids=["blank title", "control character", "completed 2", "not a time", "year 226", "no id"],
)
def test_a_legacy_row_that_does_not_fit_refuses_the_file_unchanged(
    db_path: Path, row: tuple[Any, ...], said: str
) -> None:
    make_legacy_database(db_path, [("fine", "a good row", None, 0, None, None), row])
    before = file_digest(db_path)
    with pytest.raises(NotADatabaseError, match="not every row fits") as caught:
        open_store(db_path, user="carol")
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)
    assert file_digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["tasks.db"]


def test_legacy_tasks_stay_invisible_to_other_owners(db_path: Path) -> None:
    make_legacy_database(db_path, LEGACY_ROWS)
    open_store(db_path, user="carol").close()
    with open_store(db_path, user="dave") as store:
        assert store.list_tasks() == []


def test_old_backups_are_pruned(db_path: Path, clock: FrozenClock) -> None:
    with open_store(db_path, user="alice", clock=clock) as store:
        store.create("keep me")
        for _ in range(runner.KEEP_BACKUPS + 3):
            clock.advance(seconds=1)
            store.backup()
    backups = runner.list_backups(db_path)
    assert len(backups) == runner.KEEP_BACKUPS
    assert all(path.stat().st_size > 0 for path in backups)


def _failing_step(version: int) -> SimpleNamespace:
    def up(ctx: Any) -> None:
        ctx.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk gremlins")

    def down(ctx: Any) -> None:  # pragma: no cover - never reached
        raise AssertionError

    return SimpleNamespace(VERSION=version, NAME="add gremlins", up=up, down=down)


def test_failed_step_leaves_the_previous_version_and_names_step_and_backup(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(db_path, user="alice") as store:
        store.create("precious")
    failing = _failing_step(LATEST_VERSION + 1)
    monkeypatch.setattr(runner, "STEPS", (*runner.STEPS, failing))
    monkeypatch.setattr(runner, "LATEST_VERSION", LATEST_VERSION + 1)

    with pytest.raises(MigrationError) as caught:
        open_store(db_path, user="alice")
    message = str(caught.value)
    assert f"Migration {LATEST_VERSION + 1:04d} (add gremlins)" in message
    assert "disk gremlins" in message
    assert f"unchanged at version {LATEST_VERSION}" in message
    assert caught.value.backup is not None and str(caught.value.backup) in message
    assert caught.value.backup.exists()

    monkeypatch.undo()
    assert _version(db_path) == LATEST_VERSION
    raw = sqlite3.connect(db_path)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert "half_done" not in tables
    with open_store(db_path, user="alice") as store:
        assert [t.title for t in store.list_tasks()] == ["precious"]


# Version 4's indexes on the due order, and version 5's on the due moment that replace them.
V4_DUE_INDEXES = {
    "tasks_user_due",
    "tasks_user_completed_due",
    "tasks_user_priority",
    "tasks_user_completed_priority",
}
V5_DUE_INDEXES = {f"{name}_moment" for name in V4_DUE_INDEXES}


def test_step_5_swaps_the_due_indexes_both_ways_and_keeps_every_due_date(store: Any) -> None:
    friday = date(2026, 11, 20)
    made = store.create_many(
        [
            NewTask("all day", due=Due(friday)),
            NewTask("evening", due=Due(friday, time(18, 0))),
            NewTask("undated"),
            NewTask("morning", due=Due(friday, time(9, 0)), completed=True),
        ]
    )
    indexes = store._backend.indexes("tasks")
    assert indexes >= V5_DUE_INDEXES and not V4_DUE_INDEXES & indexes

    store.migrate(to=5)
    report = store.migrate(to=4)
    assert report.applied == ("0005 due order by the moment a task falls due (down)",)
    indexes = store._backend.indexes("tasks")
    assert indexes >= V4_DUE_INDEXES and not V5_DUE_INDEXES & indexes

    report = store.migrate(to=5)
    assert report.applied == ("0005 due order by the moment a task falls due (up)",)
    assert store.schema_version() == 5
    store.migrate()
    assert store.schema_version() == LATEST_VERSION
    indexes = store._backend.indexes("tasks")
    assert indexes >= V5_DUE_INDEXES and not V4_DUE_INDEXES & indexes
    again = {task.id: task for task in store.list_tasks(TaskQuery(status=Status.ALL))}
    assert again == {task.id: task for task in made}
    ordered = store.list_tasks(TaskQuery(status=Status.ALL, sort=Sort.DUE))
    assert [task.title for task in ordered] == ["morning", "evening", "all day", "undated"]


@pytest.mark.sqlite_only
def test_step_5_down_gives_the_schema_that_version_4_creates(tmp_path: Path) -> None:
    def definitions(path: Path) -> dict[str, str]:
        raw = sqlite3.connect(path)
        rows = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
        raw.close()
        return {name: " ".join(sql.split()) for name, sql in rows if sql is not None}

    made_at_4, taken_down = tmp_path / "made-at-4.db", tmp_path / "taken-down.db"
    with open_store(made_at_4, user="alice", migrate=False) as store:
        store.migrate(to=4)
    with open_store(taken_down, user="alice") as store:
        store.migrate(to=5)
        at_5 = definitions(taken_down)
        store.migrate(to=4)
    assert definitions(taken_down) == definitions(made_at_4)
    assert set(definitions(made_at_4)) >= V4_DUE_INDEXES
    assert set(at_5) >= V5_DUE_INDEXES and not V4_DUE_INDEXES & set(at_5)
    moment = "COALESCE(CASE WHEN length(due) = 10 THEN due || ' 24:00' ELSE due END, '~')"
    assert all(moment in at_5[name] for name in V5_DUE_INDEXES)
    with open_store(taken_down, user="alice") as store:
        store.migrate(to=3)  # version 4's own step down finds the indexes it made
    with open_store(taken_down, user="alice", migrate=False) as store:
        store.migrate(to=5)
        assert definitions(taken_down) == at_5
