"""The app syncs in the background against a real Radicale: on launch, after a change,
and on "Sync now" (R, and the palette), and says how it went in the title bar: synced,
offline with the changes waiting, or why it failed. Checked in the database and on the
server, not only on the screen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from store import Status, TaskQuery
from tests.helpers import FrozenClock
from tests.sync.devices import Device, device, server_state
from tests.sync.radicale_server import CalDavAccount, RadicaleServer
from tests.tui.helpers import settle, shown_titles
from tui.app import TaskFlowApp, make_app

pytestmark = pytest.mark.zone("UTC")


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKFLOW_NO_KEYRING", "1")


def app_of(dev: Device, password: str, monkeypatch: pytest.MonkeyPatch) -> TaskFlowApp:
    monkeypatch.setenv("TASKFLOW_SYNC_PASSWORD", password)
    return make_app(
        dev.store, clock=dev.clock, theme="textual-dark", animations=False, sync_delay=0.05
    )


def title(app: TaskFlowApp) -> str:
    return str(app.screen.query_one("#title-bar", Static).render())


async def until(pilot: object, check: object, seconds: float = 10) -> None:
    """Wait (at most ``seconds``) for the background sync to reach ``check``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():  # type: ignore[operator]
        assert loop.time() < deadline, "the background sync did not get there"
        await settle(pilot)  # type: ignore[arg-type]
        await asyncio.sleep(0.05)


@pytest.fixture
def pair(
    tmp_path: Path, caldav_account: CalDavAccount, clock: FrozenClock
) -> Iterator[tuple[Device, Device]]:
    with (
        device("laptop", tmp_path, caldav_account, clock) as laptop,
        device("desktop", tmp_path, caldav_account, clock) as desktop,
    ):
        laptop.setup()
        desktop.setup()
        yield laptop, desktop


async def test_the_app_syncs_on_launch_after_a_change_and_on_r(
    pair: tuple[Device, Device], caldav_account: CalDavAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, desktop = pair
    desktop.store.create("Made on the desktop")
    desktop.sync()
    app = app_of(laptop, caldav_account.password, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "synced just now" in title(app))
        await until(pilot, lambda: "Made on the desktop" in shown_titles(app))
        # A task added here reaches the server a moment after it is saved.
        await pilot.press("a")
        await pilot.press(*"Buy milk")
        await pilot.press("enter")
        await until(pilot, lambda: ("Inbox", "Buy milk") in
                    {(row[0], row[1]) for row in server_state(caldav_account)})  # fmt: skip
        # A change on the desktop, pulled on R.
        desktop.store.create("Second from the desktop")
        desktop.sync()
        await pilot.press("R")
        await until(pilot, lambda: "Second from the desktop" in shown_titles(app))
    titles = sorted(t.title for t in laptop.store.list_tasks(TaskQuery(status=Status.ALL)))
    assert titles == ["Buy milk", "Made on the desktop", "Second from the desktop"]


async def test_offline_the_title_bar_counts_the_changes_waiting(
    tmp_path: Path, radicale: RadicaleServer, clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with device("laptop", tmp_path, radicale.account, clock) as laptop:
        laptop.setup()
        laptop.store.create("Made offline")
        laptop.store.create("Also offline")
        radicale.stop()
        app = app_of(laptop, radicale.account.password, monkeypatch)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: "offline · 2 changes waiting" in title(app))
            # The list is there, and works, while the server is away.
            await until(pilot, lambda: shown_titles(app) == ["Made offline", "Also offline"])
            radicale.restart()
            await pilot.press("R")
            await until(pilot, lambda: "synced just now" in title(app))
        assert sorted(row[1] for row in server_state(radicale.account)) == [
            "Also offline",
            "Made offline",
        ]


async def test_a_refused_login_is_said_in_the_title_bar(
    pair: tuple[Device, Device], monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, _ = pair
    app = app_of(laptop, "not-the-password", monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "sync failed:" in title(app))
        assert "refused the user name or password" in title(app)
        assert "not-the-password" not in title(app)


async def test_without_an_account_r_says_how_to_set_one_up(
    tmp_path: Path, clock: FrozenClock, caldav_account: CalDavAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with device("alone", tmp_path, caldav_account, clock) as alone:
        app = app_of(alone, "", monkeypatch)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert "sync" not in title(app)
            await pilot.press("R")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("taskflow sync setup" in message for message in messages)
