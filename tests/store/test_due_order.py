"""The due order is the moment a task falls due, and "overdue" is its first stretch.

An all-day task is due by the end of its day, so it sorts after that day's timed
tasks (09:00 < 18:00 < all day). Then everything overdue (earlier days, and today's
times already past) comes first in the due order, and the Today and Upcoming headings
count it as one range. On SQLite and PostgreSQL alike, on the frozen clock: Friday
20 November 2026, 09:30 UTC, in the UTC zone unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from store import NewTask, Sort, Status, TaskQuery, TaskRecord, TaskStore, local_now
from store.planning import Due, Priority
from tests.helpers import FrozenClock

FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
TODAY = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=FRIDAY)
WEEK = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=date(2026, 11, 26))


def titles(tasks: list[TaskRecord]) -> list[str]:
    return [task.title for task in tasks]


@pytest.fixture
def day(store: TaskStore) -> list[TaskRecord]:
    """A day's worth of tasks around Friday 20 November, made in a jumbled order."""
    return store.create_many(
        [
            NewTask("sat all day", due=Due(SATURDAY)),
            NewTask("fri all day", due=Due(FRIDAY)),
            NewTask("fri 18:00", due=Due(FRIDAY, time(18, 0))),
            NewTask("undated"),
            NewTask("sat 00:00", due=Due(SATURDAY, time(0, 0))),
            NewTask("fri 09:00", due=Due(FRIDAY, time(9, 0))),
            NewTask("thu all day", due=Due(date(2026, 11, 19))),
            NewTask("fri 23:59", due=Due(FRIDAY, time(23, 59))),
            NewTask("thu 20:00", due=Due(date(2026, 11, 19), time(20, 0))),
            NewTask("fri 09:30", due=Due(FRIDAY, time(9, 30))),
        ]
    )


IN_DUE_ORDER = [
    "thu 20:00",
    "thu all day",
    "fri 09:00",
    "fri 09:30",
    "fri 18:00",
    "fri 23:59",
    "fri all day",
    "sat 00:00",
    "sat all day",
    "undated",
]


def test_an_all_day_task_sorts_after_the_times_of_its_day(
    store: TaskStore, day: list[TaskRecord]
) -> None:
    assert titles(store.list_tasks(TaskQuery(sort=Sort.DUE))) == IN_DUE_ORDER


def test_the_priority_order_breaks_ties_by_the_same_due_order(store: TaskStore) -> None:
    store.create_many(
        [
            NewTask("high all day", due=Due(FRIDAY), priority=Priority.HIGH),
            NewTask("low 08:00", due=Due(FRIDAY, time(8, 0)), priority=Priority.LOW),
            NewTask("high 17:00", due=Due(FRIDAY, time(17, 0)), priority=Priority.HIGH),
            NewTask("low all day", due=Due(FRIDAY), priority=Priority.LOW),
        ]
    )
    assert titles(store.list_tasks(TaskQuery(sort=Sort.PRIORITY))) == [
        "high 17:00",
        "high all day",
        "low 08:00",
        "low all day",
    ]


def test_the_python_order_key_is_the_database_s_order(
    store: TaskStore, day: list[TaskRecord]
) -> None:
    # What a window uses to place one changed task must say what the SQL says.
    def key(task: TaskRecord) -> tuple[str, float, str]:
        return (task.due.order_key if task.due else "~", task.position, task.id)

    assert sorted(day, key=key) == store.list_tasks(TaskQuery(sort=Sort.DUE))


@pytest.mark.parametrize("sort", [Sort.DUE, Sort.PRIORITY])
def test_keyset_pages_and_positions_follow_the_due_order(
    store: TaskStore, day: list[TaskRecord], sort: Sort
) -> None:
    query = TaskQuery(sort=sort)
    everything = store.list_tasks(query)
    for index, task in enumerate(everything):
        assert store.position_of(task.id, query) == index
        assert store.list_tasks(query, limit=3, after=task) == everything[index + 1 : index + 4]
        assert (
            store.list_tasks(query, limit=3, before=task) == everything[max(index - 3, 0) : index]
        )
    assert store.list_tasks(query, limit=4, from_end=True) == everything[-4:]


def test_today_lists_the_overdue_first_then_the_rest_of_today(
    store: TaskStore, day: list[TaskRecord]
) -> None:
    now = datetime(2026, 11, 20, 9, 30)
    listed = store.list_tasks(TODAY)
    assert titles(listed) == IN_DUE_ORDER[:7]
    overdue = [task.title for task in listed if task.due is not None and task.due.is_overdue(now)]
    # "overdue" is the head of the list, not scattered through it
    assert overdue == titles(listed)[: len(overdue)] == ["thu 20:00", "thu all day", "fri 09:00"]


def test_the_headings_count_today_s_times_already_past_as_overdue(
    store: TaskStore, day: list[TaskRecord]
) -> None:
    counts = store.count_by_due_day(WEEK, now=datetime(2026, 11, 20, 9, 30))
    assert counts == [
        (None, 3),  # thu 20:00, thu all day, fri 09:00
        (FRIDAY, 4),  # fri 09:30 (this minute: not yet), 18:00, 23:59, all day
        (SATURDAY, 2),
        *((date(2026, 11, d), 0) for d in range(22, 27)),
    ]


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (datetime(2026, 11, 20, 0, 0), 2),  # only yesterday's
        (datetime(2026, 11, 20, 9, 0, 59), 2),  # 09:00 is not past within its minute
        (datetime(2026, 11, 20, 9, 1), 3),  # ... and is from 09:01, as Due.is_overdue says
        (datetime(2026, 11, 20, 23, 59, 59), 5),
    ],
)
def test_overdue_has_minute_precision_like_is_overdue(
    store: TaskStore, day: list[TaskRecord], now: datetime, overdue: int
) -> None:
    counts = dict(store.count_by_due_day(TODAY, now=now))
    listed = store.list_tasks(TODAY)
    assert counts[None] == overdue
    assert counts[None] == sum(1 for t in listed if t.due is not None and t.due.is_overdue(now))
    assert counts[None] + counts[FRIDAY] == len(listed)
    assert all(t.due is not None and t.due.is_overdue(now) for t in listed[:overdue])


def test_overdue_late_in_the_evening_in_kiritimati(
    store: TaskStore, day: list[TaskRecord], clock: FrozenClock, zone: Callable[[str], None]
) -> None:
    # UTC+14: the frozen 09:30 UTC is 23:30 on Friday there; only the 23:59 task and
    # the all-day one are still to come today.
    zone("Pacific/Kiritimati")
    now = local_now(clock())
    assert f"{now:%Y-%m-%d %H:%M}" == "2026-11-20 23:30"
    assert dict(store.count_by_due_day(TODAY, now=now)) == {None: 5, FRIDAY: 2}


def test_overdue_on_the_day_the_clocks_go_back_in_los_angeles(
    store: TaskStore, zone: Callable[[str], None]
) -> None:
    # Sunday 1 November 2026: the clocks went from 01:59 PDT back to 01:00 PST.
    # 17:30 UTC is 09:30 PST; what the clock's face says is what counts.
    zone("America/Los_Angeles")
    sunday = date(2026, 11, 1)
    store.create_many(
        [
            NewTask("01:30", due=Due(sunday, time(1, 30))),
            NewTask("09:00", due=Due(sunday, time(9, 0))),
            NewTask("all day", due=Due(sunday)),
            NewTask("10:00", due=Due(sunday, time(10, 0))),
        ]
    )
    now = local_now(datetime(2026, 11, 1, 17, 30, tzinfo=UTC))
    assert now.replace(tzinfo=None) == datetime(2026, 11, 1, 9, 30)
    query = TaskQuery(status=Status.OPEN, sort=Sort.DUE, due_until=sunday)
    assert titles(store.list_tasks(query)) == ["01:30", "09:00", "10:00", "all day"]
    assert store.count_by_due_day(query, now=now) == [(None, 2), (sunday, 2)]


def test_done_tasks_are_not_counted(store: TaskStore, day: list[TaskRecord]) -> None:
    store.toggle(day[5].id)  # fri 09:00, which was overdue
    counts = store.count_by_due_day(TODAY, now=datetime(2026, 11, 20, 9, 30))
    assert counts == [(None, 2), (FRIDAY, 4)]


@pytest.mark.postgres_only
def test_postgres_counts_walk_a_due_moment_index(store: TaskStore) -> None:
    # The server matches an expression index by the parsed expression: the store's
    # range on the due moment must appear as the index condition.
    store.create_many([NewTask(f"t{n}", due=Due(FRIDAY, time(n % 24, 0))) for n in range(30)])
    database = store._backend.db
    seen: list[tuple[str, object]] = []
    original = database.execute_sql

    def spy(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy  # type: ignore[method-assign]
    try:
        store.count_by_due_day(TODAY, now=datetime(2026, 11, 20, 9, 30))
    finally:
        database.execute_sql = original  # type: ignore[method-assign]
    counts = [(sql, params) for sql, params in seen if sql.lstrip().startswith("SELECT COUNT")]
    assert counts
    with store._backend.session():
        # 30 rows cost less to read whole: ask the planner what it would do at scale.
        database.execute_sql("SET enable_seqscan = off")
        try:
            for sql, params in counts:
                rows = database.execute_sql("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in rows)
                assert "_moment on tasks" in plan and "Index Cond" in plan, plan
                assert "' 24:00'" in plan.split("Index Cond", 1)[1], plan
        finally:
            database.execute_sql("RESET enable_seqscan")
