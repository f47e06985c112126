"""Lists far longer than the screen: the table holds a window, fetches by keyset, stays right."""

from __future__ import annotations

import pytest

from store import NewTask, Sort, TaskQuery, TaskStore
from tests.tui.helpers import AppFactory, current_task, settle, table_lines, table_of

COUNT = 1500


@pytest.fixture
def many(seed_store: TaskStore) -> TaskStore:
    seed_store.create_many(NewTask(f"task {n:05d}") for n in range(COUNT))
    return seed_store


async def test_g_and_end_show_the_last_rows_and_memory_stays_a_window(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert len(table.rows) == COUNT
        assert table.rows.cached < 400  # a window, not the list
        await pilot.press("G")
        await settle(pilot)
        assert current_task(app).title == f"task {COUNT - 1:05d}"  # type: ignore[union-attr]
        lines = table_lines(app)
        assert f"task {COUNT - 1:05d}" in lines[-1]
        assert f"task {COUNT - table.body_height:05d}" in lines[1]
        assert table.rows.cached < 1000


async def test_paging_down_through_the_list_shows_every_row_in_order(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        seen: list[str] = []
        for _ in range(COUNT // table.body_height + 2):
            top = round(table.scroll_y)
            for y in range(table.body_height):
                record = table.rows.row(top + y)
                if record is not None and record.title not in seen:
                    seen.append(record.title)
            await pilot.press("pagedown")
            await settle(pilot)
        assert seen == [f"task {n:05d}" for n in range(COUNT)]
        assert table.rows.cached < 1000


async def test_scrolling_back_up_fetches_backwards(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        for _ in range(20):
            await pilot.press("pageup")
        await settle(pilot)
        table = table_of(app)
        top = round(table.scroll_y)
        for y in range(table.body_height):
            assert table.rows.row(top + y).title == f"task {top + y:05d}"  # type: ignore[union-attr]


async def test_changes_deep_in_a_long_list_keep_the_cursor_and_the_count(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G", "k", "k")
        await settle(pilot)
        target = current_task(app)
        assert target is not None
        # Another window deletes a task near the top, far outside this window's rows...
        far = many.list_tasks(TaskQuery(), limit=1, offset=5)[0]
        many.delete(far.id)
        # ...and adds one that sorts first by title.
        many.create("aaa first by title")
        for _ in range(40):
            await pilot.pause(0.05)
        await settle(pilot)
        assert current_task(app) == target
        assert len(table_of(app).rows) == COUNT
        await pilot.press("s", "s")  # title order
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert current_task(app).title == "aaa first by title"  # type: ignore[union-attr]


async def test_toggle_and_search_work_at_any_depth(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G", "space")
        await settle(pilot)
        assert many.get(current_task(app).id).completed  # type: ignore[union-attr]
        await pilot.press("/", *"01499")
        await pilot.pause(0.3)
        await settle(pilot)
        assert [table_of(app).rows.row(0).title] == ["task 01499"]  # type: ignore[union-attr]
        assert len(table_of(app).rows) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert current_task(app).title == "task 01499"  # type: ignore[union-attr]
        assert len(table_of(app).rows) == COUNT


def test_sort_of_titles_is_case_insensitive(many: TaskStore) -> None:
    many.create("Zebra")
    many.create("apple")
    first = many.list_tasks(TaskQuery(sort=Sort.TITLE), limit=1)[0]
    assert first.title == "apple"


async def test_launch_reads_no_table_from_end_to_end(
    app_factory: AppFactory, many: TaskStore
) -> None:
    """Start-up cost must not grow with the number of tasks: every query the app makes
    while opening walks an index or a primary key, or reads a single row."""
    from tests.store.test_query_plans import captured_sql, plan

    app = app_factory()
    with captured_sql(app.store) as seen:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            for _ in range(4):  # a few change polls too
                await pilot.pause(0.1)
    reads = [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]
    assert reads
    for sql, params in reads:
        explained = plan(app.store, sql, params)
        for line in explained.splitlines():
            full_scan = line.startswith("SCAN") and "USING" not in line
            if full_scan and "LIMIT 1" not in sql.upper() and "sqlite_master" not in line:
                raise AssertionError(f"{sql}\n{explained}")


async def test_a_new_search_starts_at_the_first_match(
    app_factory: AppFactory, many: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G", "/", *"task 004")
        await pilot.pause(0.3)
        await settle(pilot)
        assert table_of(app).cursor == 0
        assert current_task(app).title == "task 00004"  # type: ignore[union-attr]
        assert round(table_of(app).scroll_y) == 0
