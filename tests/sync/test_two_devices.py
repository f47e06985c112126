"""Two TaskFlow databases, "laptop" and "desktop", and one real Radicale: every kind of
change made on either side reaches the other, and the server holds what both hold;
then both sides edit the same task between syncs, one case of the merge rule each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from store import Due, Priority, Repeat
from tests.helpers import FrozenClock
from tests.sync.devices import Device, device, on_the_server, server_state
from tests.sync.radicale_server import CalDavAccount

pytestmark = pytest.mark.zone("Europe/Berlin")

WEEKLY = Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", date(2026, 11, 23))


@pytest.fixture
def pair(
    tmp_path: Path, caldav_account: CalDavAccount, clock: FrozenClock
) -> Iterator[tuple[Device, Device]]:
    with (
        device("laptop", tmp_path, caldav_account, clock) as laptop,
        device("desktop", tmp_path, caldav_account, clock) as desktop,
    ):
        laptop.store.create("Already there", due=Due(date(2026, 11, 25)))
        laptop.store.create_project("Work")
        laptop.setup()
        laptop.sync()
        desktop.setup()
        desktop.sync()
        assert laptop.state() == desktop.state()
        yield laptop, desktop


def settle(*devices: Device) -> None:
    """Sync each in turn, twice round: what one pushed, the other has pulled."""
    for _ in range(2):
        for each in devices:
            report = each.sync()
            assert report.errors == [], report.errors


@pytest.mark.parametrize("maker", ["laptop", "desktop"])
def test_every_kind_of_change_reaches_the_other_side(
    pair: tuple[Device, Device], caldav_account: CalDavAccount, clock: FrozenClock, maker: str
) -> None:
    laptop, desktop = pair
    here, there = (laptop, desktop) if maker == "laptop" else (desktop, laptop)
    store = here.store
    work = store.project("Work")
    clock.advance(minutes=1)
    store.create(
        "Full one",
        "notes, with; marks\nand a second line",
        due=Due(date(2026, 11, 27), time(9, 30)),
        priority=Priority.HIGH,
        tags=("shop", "errands"),
    )
    edited = store.create("To edit")
    done = store.create("To complete")
    doomed = store.create("To delete")
    moved = store.create("To move")
    parent = store.create("Parent", project_id=work.id)
    blocker = store.create("Blocker", project_id=work.id)
    series = store.create("Water plants", repeat=WEEKLY, due=Due(date(2026, 11, 23)))
    settle(here, there)
    clock.advance(minutes=1)
    store.update(
        edited.id,
        expected_version=edited.version,
        title="Edited",
        description="now with notes",
        due=Due(date(2026, 12, 1)),
        priority=Priority.LOW,
        tags=("new",),
    )
    store.toggle(done.id)
    store.delete(doomed.id)
    store.update(moved.id, expected_version=moved.version, project_id=work.id)
    store.create("Child", parent_id=parent.id)
    store.create("Waiting", project_id=work.id, blocked_by=(blocker.id,))
    store.toggle(series.id)  # done: the next one, due the Monday after, is the open one
    settle(here, there)
    assert there.state() == here.state()
    assert server_state(caldav_account) == on_the_server(there)
    titles = {t.title: t for t in there.tasks()}
    assert "To delete" not in titles
    assert titles["Child"].parent_id == titles["Parent"].id
    assert titles["Waiting"].blocked_by == (titles["Blocker"].id,)
    plants = sorted((t.completed, t.due) for t in there.tasks() if t.title == "Water plants")
    assert plants == [(False, Due(date(2026, 11, 30))), (True, Due(date(2026, 11, 23)))]
    assert there.store.project_paths()[titles["To move"].project_id or ""] == "Work"


def test_a_new_project_on_one_side_is_a_list_on_the_other(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    laptop, desktop = pair
    q4 = laptop.store.create_project("Work/Q4")
    laptop.store.create("Plan Q4", project_id=q4.id)
    settle(laptop, desktop)
    assert "Work/Q4" in desktop.store.project_paths().values()
    assert desktop.state() == laptop.state()
    assert ("Work/Q4", "Plan Q4") in {(row[0], row[1]) for row in server_state(caldav_account)}


def test_fields_changed_on_different_sides_are_both_kept(
    pair: tuple[Device, Device], clock: FrozenClock
) -> None:
    laptop, desktop = pair
    task = laptop.task("Already there")
    laptop.store.update(task.id, expected_version=task.version, title="Renamed on the laptop")
    clock.advance(minutes=1)
    mirror = desktop.task("Already there")
    desktop.store.update(mirror.id, expected_version=mirror.version, priority=Priority.HIGH)
    desktop.store.toggle(mirror.id)
    laptop_report = laptop.sync()
    desktop_report = desktop.sync()
    laptop.sync()
    assert laptop_report.conflicts == desktop_report.conflicts == []
    assert laptop.state() == desktop.state()
    merged = laptop.task("Renamed on the laptop")
    assert (merged.priority, merged.completed) == (Priority.HIGH, True)


@pytest.mark.parametrize("newer", ["laptop", "desktop"])
def test_a_field_changed_on_both_sides_takes_the_newer_and_keeps_the_other_in_history(
    pair: tuple[Device, Device], clock: FrozenClock, newer: str
) -> None:
    laptop, desktop = pair
    first, second = (desktop, laptop) if newer == "laptop" else (laptop, desktop)
    task = first.task("Already there")
    first.store.update(task.id, expected_version=task.version, title=f"By the {first.name}")
    clock.advance(minutes=5)
    task = second.task("Already there")
    second.store.update(task.id, expected_version=task.version, title=f"By the {second.name}")
    reports = [first.sync(), second.sync(), first.sync()]
    assert laptop.state() == desktop.state()
    (kept,) = [t for t in laptop.tasks() if t.title.startswith("By")]
    assert kept.title == f"By the {newer}"
    said = [line for report in reports for line in report.conflicts]
    assert any(f"By the {first.name}" in line for line in said), said
    # The older value is in the task's history where the newer one was applied over it.
    loser = f"By the {first.name}"
    history = second.store.history(second.task(f"By the {newer}").id)
    snapshots = [s for event in history for s in (event.before, event.after) if s is not None]
    assert loser in {snapshot.title for snapshot in snapshots}


def test_the_same_change_on_both_sides_is_no_conflict(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    for each in (laptop, desktop):
        task = each.task("Already there")
        each.store.update(task.id, expected_version=task.version, title="Same on both")
    reports = [laptop.sync(), desktop.sync(), laptop.sync()]
    assert [line for report in reports for line in report.conflicts] == []
    assert laptop.state() == desktop.state()


@pytest.mark.parametrize("deleter", ["laptop", "desktop"])
def test_edited_on_one_side_and_deleted_on_the_other_survives(
    pair: tuple[Device, Device], clock: FrozenClock, deleter: str
) -> None:
    laptop, desktop = pair
    gone, editor = (laptop, desktop) if deleter == "laptop" else (desktop, laptop)
    gone.store.delete(gone.task("Already there").id)
    clock.advance(minutes=1)
    task = editor.task("Already there")
    editor.store.update(task.id, expected_version=task.version, title="Still wanted")
    reports = [gone.sync(), editor.sync(), gone.sync(), editor.sync()]
    said = [line for report in reports for line in report.conflicts]
    assert any("kept" in line for line in said), said
    assert [t.title for t in gone.tasks()] == ["Still wanted"]
    assert gone.state() == editor.state()


def test_a_delete_on_one_side_deletes_on_the_other(
    pair: tuple[Device, Device], caldav_account: CalDavAccount
) -> None:
    laptop, desktop = pair
    laptop.store.delete(laptop.task("Already there").id)
    settle(laptop, desktop)
    assert desktop.tasks() == []
    assert server_state(caldav_account) == []


def test_one_change_among_many_costs_a_handful_of_requests(
    pair: tuple[Device, Device], clock: FrozenClock
) -> None:
    laptop, desktop = pair
    work = laptop.store.project("Work")
    for n in range(300):
        laptop.store.create(f"Task {n}", project_id=work.id if n % 2 else None)
    settle(laptop, desktop)
    clock.advance(minutes=1)
    task = laptop.task("Task 7")
    laptop.store.update(task.id, expected_version=task.version, title="Task seven")
    laptop.sync()
    # The lists (1), what changed in each of the two lists (2), the one write (1).
    assert laptop.requests == 4
    desktop.sync()
    # The lists, what changed in each, one multiget of the one object that did.
    assert desktop.requests == 4
    assert desktop.task("Task seven").id == task.id
    nothing = laptop.sync()
    assert laptop.requests == 3 and nothing.pushed == nothing.pulled == []


@pytest.mark.parametrize(
    ("field", "first_value", "second_value"),
    [
        ("description", "notes from the first", "notes from the second"),
        ("due", Due(date(2026, 12, 1)), Due(date(2026, 12, 2), time(9, 0))),
        ("priority", Priority.LOW, Priority.HIGH),
        ("tags", ("first",), ("second",)),
    ],
)
def test_each_field_changed_on_both_sides_takes_the_newer(
    pair: tuple[Device, Device], clock: FrozenClock, field: str, first_value: object,
    second_value: object,
) -> None:  # fmt: skip
    laptop, desktop = pair
    task = desktop.task("Already there")
    desktop.store.update(task.id, expected_version=task.version, **{field: first_value})
    clock.advance(minutes=5)
    task = laptop.task("Already there")
    laptop.store.update(task.id, expected_version=task.version, **{field: second_value})
    reports = [desktop.sync(), laptop.sync(), desktop.sync()]
    assert laptop.state() == desktop.state()
    assert getattr(desktop.task("Already there"), field) == second_value  # the newer
    assert sum(len(report.conflicts) for report in reports) == 1


def test_a_second_account_leaves_the_first_ones_projects_alone(
    tmp_path: Path, pair: tuple[Device, Device], radicale_session: object, clock: FrozenClock
) -> None:
    from tests.sync.radicale_server import new_credentials

    laptop, _ = pair
    other = radicale_session.add_user(*new_credentials())  # type: ignore[attr-defined]
    second = Device("laptop", laptop.store, other, clock)
    linked = second.setup_another()
    assert linked == []  # Inbox and Work are the first account's; nothing else here
    laptop.store.create("Still one copy")
    for account in laptop.store.sync_rows().accounts():
        second_report = second.sync_account(account)
        assert second_report.errors == []
    assert server_state(other) == []


def test_a_server_without_sync_collection_is_synced_by_etags(
    pair: tuple[Device, Device], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Radicale offers RFC 6578; a server that does not (its REPORT refused) is stood in
    # for by refusing it here, the one fake in these tests: the rest is the real server.
    from store.dav import CalDavClient, NotCalDavError

    def refused(self: CalDavClient, list_href: str, token: str | None) -> object:
        raise NotCalDavError("no sync-collection here")

    laptop, desktop = pair
    monkeypatch.setattr(CalDavClient, "changes", refused)
    task = laptop.task("Already there")
    laptop.store.update(task.id, expected_version=task.version, title="Seen by ETag")
    laptop.store.create("New, by ETag")
    desktop.store.delete(desktop.task("Already there").id)  # and an edit meets a delete
    settle(laptop, desktop)
    settle(laptop, desktop)
    assert laptop.state() == desktop.state()
    assert {t.title for t in desktop.tasks()} == {"Seen by ETag", "New, by ETag"}
