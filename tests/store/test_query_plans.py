"""Every list the app can show walks an index: no full scan, no sort of the whole table.

This is what lets the list cost one screenful at any size (see the scale issue);
it is checked with SQLite's own EXPLAIN QUERY PLAN, not with timings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pytest

from store import Sort, Status, TaskQuery, TaskStore
from store.planning import Due, Priority

pytestmark = pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's


@contextmanager
def captured_sql(store: TaskStore) -> Iterator[list[tuple[str, Any]]]:
    database = store._backend.db
    original = database.execute_sql
    seen: list[tuple[str, Any]] = []

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        database.execute_sql = original  # type: ignore[method-assign]


def plan(store: TaskStore, sql: str, params: Any) -> str:
    with store._backend.session():
        rows = store._backend.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.fixture
def filled(store: TaskStore) -> TaskStore:
    for number in range(30):
        task = store.create(
            f"task {number}",
            tags=["home"] if number % 3 else ["work", "x"],
            due=Due(date(2026, 12, 1 + number % 5)) if number % 4 else None,
            priority=Priority(number % 4),
        )
        if number % 2:
            store.toggle(task.id)
    with store._backend.session():
        store._backend.db.execute_sql("ANALYZE")
    return store


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", list(Status))
def test_every_page_query_walks_an_index_in_order(
    filled: TaskStore, sort: Sort, status: Status
) -> None:
    query = TaskQuery(status=status, sort=sort)
    middle = filled.list_tasks(query)[10]
    with captured_sql(filled) as seen:
        filled.list_tasks(query, limit=50)
        filled.list_tasks(query, limit=50, after=middle)
        filled.list_tasks(query, limit=50, before=middle)
        filled.position_of(middle.id, query)
        filled.count(query)
    selects = [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) >= 5
    for sql, params in selects:
        explained = plan(filled, sql, params)
        assert "USING" in explained and ("INDEX" in explained or "PRIMARY KEY" in explained), (
            explained
        )
        assert "TEMP B-TREE" not in explained, f"sorts the whole result:\n{sql}\n{explained}"
        assert "SCAN tasks\n" not in explained + "\n", explained


@pytest.mark.parametrize("until", [date(2026, 12, 2), date(2026, 12, 8)], ids=["today", "week"])
def test_today_and_upcoming_walk_the_due_moment_index(filled: TaskStore, until: date) -> None:
    # The views and their headings compare the due moment (migration 5): each of those
    # reads must be a range on the index of that very expression.
    query = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=until)
    middle = filled.list_tasks(query)[2]
    with captured_sql(filled) as seen:
        filled.list_tasks(query, limit=50)
        filled.list_tasks(query, limit=50, after=middle)
        filled.list_tasks(query, limit=50, before=middle)
        filled.position_of(middle.id, query)
        filled.count(query)
        filled.count_by_due_day(query, now=datetime(2026, 12, 2, 12, 0))
    on_due = [(sql, params) for sql, params in seen if "COALESCE(CASE" in sql]
    # three pages, a position, a count, the overdue count and one count a day
    assert len(on_due) == 5 + 1 + (until - date(2026, 12, 2)).days + 1
    for sql, params in on_due:
        explained = plan(filled, sql, params)
        assert "USING INDEX tasks_user_completed_due_moment" in explained, explained
        assert "TEMP B-TREE" not in explained, f"sorts the whole result:\n{sql}\n{explained}"
        assert "SCAN tasks\n" not in explained + "\n", explained
