"""Migration 3: trigger-kept counters and the trigram search index stay exactly right."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import NewTask, Status, TaskQuery, TaskStore, open_store
from tests.helpers import FrozenClock
from tests.store.test_query_plans import captured_sql, plan


def true_counts(path: Path, user: str) -> tuple[int, int]:
    raw = sqlite3.connect(path)
    rows = dict(
        raw.execute(
            "SELECT completed, count(*) FROM tasks WHERE user_id = ? GROUP BY completed", (user,)
        ).fetchall()
    )
    raw.close()
    return rows.get(0, 0), rows.get(1, 0)


@pytest.mark.sqlite_only
def test_counters_follow_every_kind_of_change(store: TaskStore, db_path: Path) -> None:
    tasks = [store.create(f"task {n}") for n in range(6)]
    store.create_many([NewTask("bulk one"), NewTask("bulk two", completed=True)])
    store.toggle(tasks[0].id)
    store.toggle(tasks[1].id)
    store.delete(tasks[2].id)
    store.delete(tasks[0].id)  # a done one
    store.undo()  # restores it, done
    store.undo()  # restores tasks[2]
    store.undo()  # tasks[1] open again
    counts = store.counts()
    assert (counts.open, counts.done) == true_counts(db_path, "alice")
    assert store.count(TaskQuery(status=Status.OPEN)) == counts.open
    assert store.count(TaskQuery(status=Status.DONE)) == counts.done
    assert store.count() == counts.total == 8


def test_counters_are_per_owner(db_path: Path) -> None:
    with open_store(db_path, user="alice") as alice, open_store(db_path, user="bob") as bob:
        alice.create("a")
        bob.create_many([NewTask("b1"), NewTask("b2")])
        assert (alice.count(), bob.count()) == (1, 2)


def test_narrowed_counts_are_the_owners_alone_or_not(db_path: Path) -> None:
    """Counts of a tree folded (one task unfolded again), a project and the Inbox:
    answered without the owner test while one owner has tasks in the file, and with
    it once a second one does; each equal to what the list holds."""
    with open_store(db_path, user="alice") as alice, open_store(db_path, user="bob") as bob:
        work = alice.create_project("Work")
        plan = alice.create("Plan", project_id=work.id)
        alice.create("Draft", parent_id=plan.id)
        alice.create("Loose")
        queries = [
            TaskQuery(collapse_all=True),
            TaskQuery(collapse_all=True, expanded=frozenset({plan.id})),
            TaskQuery(projects=frozenset({work.id})),
            TaskQuery(projects=frozenset({None})),
            TaskQuery(status=Status.OPEN, projects=frozenset({work.id, None})),
        ]

        def counted(store: TaskStore) -> list[tuple[int, int]]:
            return [(store.count(q), len(store.list_tasks(q))) for q in queries]

        alone = counted(alice)
        assert alone == [(2, 2), (3, 3), (2, 2), (1, 1), (3, 3)]
        assert counted(bob) == [(0, 0)] * 5  # bob has no task: alice's are not his
        bob.create("Bob's own")
        bob_work = bob.create_project("Work")
        bob.create("Bob's plan", project_id=bob_work.id)
        assert counted(alice) == alone
        assert counted(bob) == [(2, 2), (2, 2), (0, 0), (1, 1), (1, 1)]
        for task in bob.list_tasks():
            bob.delete(task.id)  # bob's tasks gone: alice counts alone again
        assert counted(alice) == alone


def test_counters_are_rebuilt_for_an_older_file(db_path: Path, clock: FrozenClock) -> None:
    with open_store(db_path, user="alice", clock=clock) as store:
        for n in range(5):
            task = store.create(f"t{n}")
            if n % 2:
                store.toggle(task.id)
        store.migrate(to=2)
        store.migrate()
        assert (store.counts().open, store.counts().done) == (3, 2)


@pytest.fixture
def texts(store: TaskStore) -> TaskStore:
    store.create_many(
        [
            NewTask("Buy MILK and bread"),
            NewTask("Call mum", "ask about the buttermilk recipe"),
            NewTask("Pay rent", completed=True),
            NewTask('Quote "this" exactly'),
            NewTask("100% done_ish"),
            NewTask("Été à Paris"),
        ]
    )
    return store


@pytest.mark.parametrize(
    "search", ["milk", "MILK bread", "rent", '"this"', "100%", "ish", "été", "mi", "zzz", "t"]
)
def test_search_through_the_index_answers_as_a_plain_scan(
    texts: TaskStore, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    for status in Status:
        query = TaskQuery(status=status, search=search)
        indexed = [t.id for t in texts.list_tasks(query)]
        counted = texts.count(query)
        with monkeypatch.context() as patch:
            patch.setattr(texts._backend, "search_candidates", lambda terms: None)
            scanned = [t.id for t in texts.list_tasks(query)]
            assert texts.count(query) == counted == len(scanned)
        assert indexed == scanned, (search, status)


@pytest.mark.sqlite_only
def test_searches_walk_the_index_hits(texts: TaskStore) -> None:
    with captured_sql(texts) as seen:
        texts.count(TaskQuery(search="milk"))
        texts.list_tasks(TaskQuery(search="milk"), limit=10)
    for sql, params in seen:
        # The found tasks' blockers are then read by the tasks' ids (a key lookup).
        blockers = 'FROM "task_blocks"' in sql
        if sql.lstrip().upper().startswith("SELECT") and '"tasks"' in sql and not blockers:
            explained = plan(texts, sql, params)
            assert "VIRTUAL TABLE" in explained, explained
            assert "tasks_seq" in explained, explained


def test_edits_and_deletes_keep_the_index_in_step(texts: TaskStore) -> None:
    task = texts.list_tasks(TaskQuery(search="bread"))[0]
    texts.update(task.id, expected_version=task.version, title="Buy cheese")
    assert texts.list_tasks(TaskQuery(search="bread")) == []
    assert [t.id for t in texts.list_tasks(TaskQuery(search="cheese"))] == [task.id]
    texts.delete(task.id)
    assert texts.list_tasks(TaskQuery(search="cheese")) == []
    texts.undo()
    assert [t.id for t in texts.list_tasks(TaskQuery(search="cheese"))] == [task.id]


def test_vacuum_does_not_confuse_the_index(texts: TaskStore, db_path: Path) -> None:
    # VACUUM may renumber the rowids of a table keyed by text; the index is keyed by seq.
    doomed = [t for t in texts.list_tasks() if t.title not in ("Call mum", "Pay rent")][:3]
    for task in doomed:
        texts.delete(task.id)
    raw = sqlite3.connect(db_path)
    raw.execute("VACUUM")
    raw.close()
    assert [t.title for t in texts.list_tasks(TaskQuery(search="mum"))] == ["Call mum"]
    assert [t.title for t in texts.list_tasks(TaskQuery(search="rent"))] == ["Pay rent"]


def test_without_fts5_the_store_still_searches(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.migrations.m0003_search_and_counts as step

    monkeypatch.setattr(step, "search_index_supported", lambda ctx: False)
    with open_store(db_path, user="alice") as plain:
        plain.create_many([NewTask("Buy milk"), NewTask("Call mum", "buttermilk")])
        assert plain._backend.search_candidates(["milk"]) is None
        found = {t.title for t in plain.list_tasks(TaskQuery(search="MILK"))}
        assert found == {"Buy milk", "Call mum"}
        assert plain.count(TaskQuery(search="milk")) == 2
