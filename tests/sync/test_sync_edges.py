"""Cases a review of the sync found wrong, each now held: a parent deleted on one side
while the other changes its subtask, a task moved to another list, a repeating task
postponed or completed on both sides, a blocker deleted on the other side, the end of
a series. After both devices sync, they and the server agree, and nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from store import Due, Repeat
from tests.helpers import FrozenClock
from tests.sync.devices import Device, device, on_the_server, server_state
from tests.sync.radicale_server import CalDavAccount

pytestmark = pytest.mark.zone("UTC")

WEEKLY = Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", date(2026, 11, 23))


@pytest.fixture
def pair(
    tmp_path: Path, caldav_account: CalDavAccount, clock: FrozenClock
) -> Iterator[tuple[Device, Device]]:
    with (
        device("laptop", tmp_path, caldav_account, clock) as laptop,
        device("desktop", tmp_path, caldav_account, clock) as desktop,
    ):
        parent = laptop.store.create("Parent")
        laptop.store.create("Child", parent_id=parent.id)
        laptop.store.create("Blocker")
        laptop.store.create("Water", repeat=WEEKLY, due=Due(date(2026, 11, 23)))
        laptop.store.create_project("Alpha")
        laptop.setup()
        laptop.sync()
        desktop.setup()
        desktop.sync()
        clock.advance(minutes=1)
        yield laptop, desktop


def settle(first: Device, second: Device) -> None:
    for _ in range(2):
        for each in (first, second):
            assert each.sync().errors == []


@pytest.mark.parametrize("first", ["deleter", "editor"])
def test_a_subtask_changed_while_its_parent_is_deleted_survives(
    pair: tuple[Device, Device], caldav_account: CalDavAccount, first: str
) -> None:
    laptop, desktop = pair
    laptop.store.delete(laptop.task("Parent").id)  # and Child with it, here
    child = desktop.task("Child")
    desktop.store.update(child.id, expected_version=child.version, title="Child, edited")
    order = (laptop, desktop) if first == "deleter" else (desktop, laptop)
    settle(*order)
    assert laptop.state() == desktop.state()
    assert "Child, edited" in {t.title for t in laptop.tasks()}
    assert server_state(caldav_account) == on_the_server(laptop)


@pytest.mark.parametrize("first", ["mover", "editor"])
def test_a_task_moved_to_another_list_stays_the_same_task(
    pair: tuple[Device, Device], caldav_account: CalDavAccount, first: str
) -> None:
    laptop, desktop = pair
    alpha = laptop.store.project("Alpha")
    blocker = laptop.task("Blocker")
    waiting = laptop.store.create("Waits", blocked_by=(blocker.id,))
    settle(laptop, desktop)
    laptop.store.update(blocker.id, expected_version=blocker.version, project_id=alpha.id)
    mirror = desktop.task("Blocker")
    desktop.store.update(mirror.id, expected_version=mirror.version, description="noted")
    order = (laptop, desktop) if first == "mover" else (desktop, laptop)
    settle(*order)
    assert laptop.state() == desktop.state()
    moved = desktop.task("Blocker")
    assert moved.id == blocker.id and moved.description == "noted"
    assert desktop.store.project_paths()[moved.project_id or ""] == "Alpha"
    assert desktop.task("Waits").blocked_by == (blocker.id,) and waiting.id
    assert server_state(caldav_account) == on_the_server(desktop)


def test_a_repeating_task_postponed_is_not_completed(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    water = laptop.task("Water")
    laptop.store.update(water.id, expected_version=water.version, due=Due(date(2026, 11, 24)))
    settle(laptop, desktop)
    assert [(t.completed, t.due) for t in desktop.tasks() if t.title == "Water"] == [
        (False, Due(date(2026, 11, 24)))
    ]


def test_a_repeating_task_completed_on_both_sides_goes_on_once(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    laptop, desktop = pair
    laptop.store.toggle(laptop.task("Water").id)
    desktop.store.toggle(desktop.task("Water").id)
    settle(laptop, desktop)
    assert laptop.state() == desktop.state()
    for each in (laptop, desktop):
        assert sorted((t.completed, t.due) for t in each.tasks() if t.title == "Water") == [
            (False, Due(date(2026, 11, 30))),
            (True, Due(date(2026, 11, 23))),
        ]
    assert [row[1:4] for row in server_state(caldav_account) if row[1] == "Water"] == [
        ("Water", False, "2026-11-30")
    ]


def test_a_blocker_deleted_on_the_other_side_breaks_no_sync(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    blocker = laptop.task("Blocker")
    child = laptop.task("Child")
    laptop.store.update(child.id, expected_version=child.version, blocked_by=(blocker.id,))
    desktop.store.delete(desktop.task("Blocker").id)
    settle(laptop, desktop)
    settle(desktop, laptop)
    assert laptop.state() == desktop.state()
    assert "Blocker" not in {t.title for t in desktop.tasks()}


def test_the_end_of_a_series_reaches_the_other_side(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    laptop, desktop = pair
    water = laptop.task("Water")
    laptop.store.update(water.id, expected_version=water.version, repeat=None)
    laptop.store.toggle(water.id)
    settle(laptop, desktop)
    assert [(t.completed, t.repeat) for t in desktop.tasks() if t.title == "Water"] == [
        (True, None)
    ]
    assert ("Inbox", "Water", True) in {row[:3] for row in server_state(caldav_account)}


def test_a_project_deleted_on_one_side_goes_on_the_other_and_on_the_server(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    laptop, desktop = pair
    alpha = laptop.store.project("Alpha")
    laptop.store.create("In Alpha", project_id=alpha.id)
    settle(laptop, desktop)
    desktop.store.delete_project(desktop.store.project("Alpha").id)  # its task: to the Inbox
    settle(desktop, laptop)
    settle(desktop, laptop)
    assert laptop.state() == desktop.state()
    assert "Alpha" not in laptop.store.project_paths().values()
    assert laptop.task("In Alpha").project_id is None
    lists = {row[0] for row in server_state(caldav_account)}
    assert "Alpha" not in lists
    assert server_state(caldav_account) == on_the_server(laptop)


def test_a_list_deleted_on_the_server_takes_its_tasks_but_not_a_changed_one(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    import caldav

    laptop, desktop = pair
    alpha = laptop.store.project("Alpha")
    laptop.store.create("Goes", project_id=alpha.id)
    kept = laptop.store.create("Changed here", project_id=alpha.id)
    settle(laptop, desktop)
    rows = laptop.store.sync_rows()
    (account,) = rows.accounts()
    (link,) = [link for link in rows.lists(account.id) if link.project_id == alpha.id]
    phone = caldav.DAVClient(
        url=caldav_account.url, username=caldav_account.username, password=caldav_account.password
    )
    phone.calendar(url=caldav_account.url.rstrip("/") + link.href).delete()
    laptop.store.update(kept.id, expected_version=kept.version, description="still wanted")
    settle(laptop, desktop)
    settle(laptop, desktop)
    assert laptop.state() == desktop.state()
    titles = {t.title: t for t in laptop.tasks()}
    assert "Goes" not in titles and titles["Changed here"].project_id is None
    assert "Alpha" not in laptop.store.project_paths().values()
    assert server_state(caldav_account) == on_the_server(laptop)
