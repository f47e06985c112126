"""The app as a whole: launch, notifications, read-only mode, two windows, the palette."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import LATEST_VERSION, TaskStore, open_store
from tests.helpers import FrozenClock, make_legacy_database
from tests.tui.helpers import AppFactory, current_task, settle, shown_titles, table_of
from tui.cli import main
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen


async def _wait_for(pilot: object, condition: object, seconds: float = 3.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return True
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    return bool(condition())  # type: ignore[operator]


async def test_two_windows_on_one_file_stay_in_sync_without_moving_the_cursor(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    for title in ("alpha", "beta", "gamma"):
        seed_store.create(title)
        clock.advance(minutes=1)
    first, second = app_factory(), app_factory()
    async with first.run_test(size=(100, 30)) as one, second.run_test(size=(100, 30)) as two:
        await settle(one)
        await settle(two)
        await two.press("G")  # the second window looks at gamma
        assert current_task(second).title == "gamma"  # type: ignore[union-attr]

        await one.press("a", *"added in window one", "enter")
        await settle(one)
        await one.press("g", "space")  # alpha done in window one
        await settle(one)

        def caught_up() -> bool:
            table = table_of(second)
            alpha = table.rows.row(0)
            return "added in window one" in shown_titles(second) and bool(alpha and alpha.completed)

        assert await _wait_for(two, caught_up), shown_titles(second)
        assert current_task(second).title == "gamma"  # type: ignore[union-attr]

        # A delete elsewhere removes the row; the cursor moves to the neighbour.
        await one.press("G", "d")
        await settle(one)
        await one.press("y")
        await settle(one)
        assert await _wait_for(two, lambda: "added in window one" not in shown_titles(second))


async def test_a_direct_store_write_appears_within_a_second(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        seed_store.create("written by someone else")
        assert await _wait_for(pilot, lambda: shown_titles(app) == ["written by someone else"], 1.0)


async def test_read_only_mode_disables_editing_keys(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("look, don't touch")
    app = app_factory(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        assert "READ-ONLY" in str(screen.query_one("#title-bar").render())
        for action in ("add", "toggle_done", "edit", "delete", "undo"):
            assert screen.check_action(action, ()) is None, action  # shown, greyed out
        await pilot.press("space", "a", "d", "u", "e")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
        assert not seed_store.list_tasks()[0].completed
        # Reading still works: search, open.
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.record.title == "look, don't touch"  # type: ignore[attr-defined]
    assert seed_store.last_event_id() == 1


async def test_a_migration_and_its_backup_are_announced_once(
    app_db: Path, clock: FrozenClock, home: Path
) -> None:
    from tui.app import make_app

    make_legacy_database(
        app_db,
        [("id-1", "from the old service", None, 0, "2024-01-01 10:00:00", "2024-01-01 10:00:00")],
    )
    with open_store(app_db, user="alice", clock=clock) as store:
        app = make_app(store, clock=clock, animations=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert len([m for m in messages if "backup saved as" in m]) == 1
            assert shown_titles(app) == ["from the old service"]
    # Opening again: nothing to announce.
    with open_store(app_db, user="alice", clock=clock) as store:
        app = make_app(store, clock=clock, animations=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert not [n for n in app._notifications if "backup" in n.message]


async def test_command_palette_offers_actions_and_jumps_to_a_task(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    for number in range(30):
        seed_store.create(f"filler {number}")
    seed_store.create("Renew passport")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")  # hide done; the jump must still find an open task
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"passport")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert current_task(app).title == "Renew passport"  # type: ignore[union-attr]

        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Add a task")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)


@pytest.mark.parametrize(
    ("make_bad_file", "expected"),
    [
        (lambda p: p.write_text("just some notes"), "not a SQLite database"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: p.write_bytes(b""), "empty file"),
    ],
    ids=["text-file", "folder", "empty-file"],
)
def test_launch_failure_is_one_line_and_exit_status_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_bad_file: object,
    expected: str,
) -> None:
    path = tmp_path / "tasks.db"
    make_bad_file(path)  # type: ignore[operator]
    assert main(["--db", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("taskflow: ") and expected in captured.err
    assert "Traceback" not in captured.err


def test_newer_schema_launch_failure_leaves_the_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tasks.db"
    open_store(path, user="alice").close()
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO schema_migrations VALUES (?, 'future', '2031-01-01')", (LATEST_VERSION + 1,)
    )
    raw.commit()
    raw.close()
    before = path.read_bytes()
    assert main(["--db", str(path)]) == 1
    assert "newer TaskFlow" in capsys.readouterr().err
    assert path.read_bytes() == before


async def test_a_failing_read_is_reported_not_lost(
    app_factory: AppFactory, seed_store: TaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import BusyError

    seed_store.create("present")
    app = app_factory()

    def busy(*args: object, **kwargs: object) -> None:
        raise BusyError("tasks.db is busy: another program kept it locked. Try again.")

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.store, "list_tasks", busy)
        await pilot.press("s")  # a new sort needs a fresh list from the store
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("is busy" in message for message in messages)
        assert app.is_running
