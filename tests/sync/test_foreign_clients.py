"""VTODOs another app wrote (with the ``caldav`` package, in the shapes Apple Reminders,
Tasks.org and Thunderbird write) sync in, are edited in TaskFlow, and go back with every
property TaskFlow does not map intact, compared in the server's raw text; and a phone
that completes a repeating task by moving its DUE completes that occurrence, once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import caldav
import pytest

from store import Due
from tests.helpers import FrozenClock
from tests.sync.devices import Device, device, server_objects
from tests.sync.radicale_server import CalDavAccount

pytestmark = pytest.mark.zone("Europe/London")

APPLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//iOS 17.1//EN
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19810329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTODO
CREATED:20261101T100000Z
DTSTAMP:20261102T100000Z
LAST-MODIFIED:20261102T100000Z
SEQUENCE:3
UID:APPLE-REMINDER-0001
SUMMARY:Call the dentist
DUE;TZID=Europe/Berlin:20261210T150000
PRIORITY:5
STATUS:NEEDS-ACTION
URL;VALUE=URI:https://example.com/dentist
GEO:52.520008;13.404954
X-APPLE-SORT-ORDER:123456789
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Reminder
TRIGGER;VALUE=DATE-TIME:20261210T130000Z
UID:ALARM-0001
X-WR-ALARMUID:ALARM-0001
END:VALARM
END:VTODO
END:VCALENDAR
"""

TASKS_ORG = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:+//IDN tasks.org//android-130900//EN
BEGIN:VTODO
DTSTAMP:20261103T081500Z
UID:5739017238901283921
CREATED:20261101T090000Z
LAST-MODIFIED:20261103T081500Z
SUMMARY:Plan the trip
PRIORITY:9
DUE;VALUE=DATE:20261220
CATEGORIES:holiday,family
X-APPLE-SORT-ORDER:-1
X-OC-HIDESUBTASKS:1
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
"""

THUNDERBIRD = """BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
BEGIN:VTODO
CREATED:20261104T120000Z
LAST-MODIFIED:20261104T121500Z
DTSTAMP:20261104T121500Z
UID:b1e0a5f2-9c3d-4e7a-8f61-2d4c5b6a7e80
SUMMARY:Renew the domain
PRIORITY:1
STATUS:IN-PROCESS
PERCENT-COMPLETE:40
DUE:20261209T080000Z
X-MOZ-GENERATION:3
X-MOZ-LASTACK:20261104T121500Z
CLASS:PRIVATE
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;VALUE=DURATION;RELATED=END:-PT15M
DESCRIPTION:Default Mozilla Description
END:VALARM
END:VTODO
END:VCALENDAR
"""

# What TaskFlow writes when a task changes (the rest must come back as it was).
MAPPED = re.compile(
    r"^(SUMMARY|STATUS|COMPLETED|PERCENT-COMPLETE|DTSTAMP|LAST-MODIFIED|SEQUENCE)[;:]"
)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def logical_lines(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).replace("\r\n", "\n").split("\n")


def foreign(text: str) -> list[str]:
    return [line for line in logical_lines(text) if line and not MAPPED.match(line)]


@pytest.fixture
def laptop(tmp_path: Path, caldav_account: CalDavAccount, clock: FrozenClock) -> Iterator[Device]:
    with device("laptop", tmp_path, caldav_account, clock) as dev:
        dev.setup()
        yield dev


def phone_calendar(account: CalDavAccount, laptop: Device) -> caldav.Calendar:
    """The Inbox's list, as the phone's own CalDAV client sees it."""
    rows = laptop.store.sync_rows()
    (account_row,) = rows.accounts()
    (inbox,) = [link for link in rows.lists(account_row.id) if link.project_id is None]
    client = caldav.DAVClient(url=account.url, username=account.username, password=account.password)
    return client.calendar(url=account.url.rstrip("/") + inbox.href)


@pytest.mark.parametrize(
    "shape", [APPLE, TASKS_ORG, THUNDERBIRD], ids=["apple", "tasks-org", "thunderbird"]
)
def test_a_foreign_vtodo_goes_back_with_its_own_properties(
    laptop: Device, caldav_account: CalDavAccount, clock: FrozenClock, shape: str
) -> None:
    phone_calendar(caldav_account, laptop).save_todo(ical=crlf(shape))
    (before,) = server_objects(caldav_account).values()
    report = laptop.sync()
    assert len(report.pulled) == 1 and report.errors == []
    (task,) = laptop.tasks()
    clock.advance(days=30)  # after the phone's change: ours is the newer
    laptop.store.update(task.id, expected_version=task.version, title="Edited in TaskFlow")
    laptop.store.toggle(task.id)
    report = laptop.sync()
    assert report.pushed == ["“Edited in TaskFlow”"], report
    (after,) = server_objects(caldav_account).values()
    assert "SUMMARY:Edited in TaskFlow" in logical_lines(after)
    assert "STATUS:COMPLETED" in logical_lines(after)
    assert foreign(after) == foreign(before)  # every other line, as the phone left it
    sequence = int(re.search(r"SEQUENCE:(\d+)", after).group(1))  # type: ignore[union-attr]
    assert sequence >= 1


def test_the_apple_shape_maps_its_fields(laptop: Device, caldav_account: CalDavAccount) -> None:
    phone_calendar(caldav_account, laptop).save_todo(ical=crlf(APPLE))
    laptop.sync()
    (task,) = laptop.tasks()
    assert task.title == "Call the dentist"
    assert task.due is not None and task.due.key == "2026-12-10 14:00"  # 15:00 Berlin
    assert task.priority.label == "medium"
    assert laptop.store.ical_objects()[task.id].uid == "APPLE-REMINDER-0001"
    laptop.sync()  # nothing changed: nothing written back
    assert "SUMMARY:Call the dentist" in server_objects(caldav_account).popitem()[1]


REPEATING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//iOS 17.1//EN
BEGIN:VTODO
UID:APPLE-WEEKLY-0001
DTSTAMP:20261101T100000Z
LAST-MODIFIED:20261101T100000Z
SUMMARY:Water plants
DUE;VALUE=DATE:{due}
RRULE:FREQ=WEEKLY;BYDAY=MO
STATUS:NEEDS-ACTION
X-APPLE-SORT-ORDER:42
END:VTODO
END:VCALENDAR
"""


def test_a_phone_completing_a_repeating_task_by_moving_due_completes_it_once(
    tmp_path: Path, laptop: Device, caldav_account: CalDavAccount, clock: FrozenClock
) -> None:
    calendar = phone_calendar(caldav_account, laptop)
    calendar.save_todo(ical=crlf(REPEATING.format(due="20261123")))
    laptop.sync()
    (task,) = laptop.tasks()
    assert task.repeat is not None and task.due == Due(date(2026, 11, 23))
    # The phone marks it done: it moves DUE to the next Monday, in place (same UID).
    (todo,) = calendar.todos()
    todo.data = crlf(REPEATING.format(due="20261130")).replace(
        "LAST-MODIFIED:20261101T100000Z", "LAST-MODIFIED:20261123T180000Z"
    )
    todo.save()
    laptop.sync()
    laptop.sync()  # and again: nothing more happens
    states = sorted((t.completed, t.due, t.repeat is not None) for t in laptop.tasks())
    assert states == [
        (False, Due(date(2026, 11, 30)), True),
        (True, Due(date(2026, 11, 23)), False),
    ]
    (on_server,) = server_objects(caldav_account).values()
    assert "UID:APPLE-WEEKLY-0001" in logical_lines(on_server)
    assert "X-APPLE-SORT-ORDER:42" in logical_lines(on_server)
    with device("desktop", tmp_path, caldav_account, clock) as desktop:
        desktop.setup()
        desktop.sync()
        assert [(t.title, t.due) for t in desktop.tasks()] == [
            ("Water plants", Due(date(2026, 11, 30)))
        ]
