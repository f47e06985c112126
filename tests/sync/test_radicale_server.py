"""The sync tests' CalDAV servers work: a real Radicale, reached with the caldav library
(the foreign client that writes VTODOs as phones and other apps do)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from caldav.collection import Calendar, Principal
from caldav.davclient import DAVClient
from caldav.lib.error import AuthorizationError

from tests.sync.radicale_server import (
    CalDavAccount,
    RadicaleServer,
    SharedServer,
    new_credentials,
)

BUY_MILK = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//TaskFlow tests//Phone//EN\r\n"
    "BEGIN:VTODO\r\n"
    "UID:buy-milk@phone.example\r\n"
    "DTSTAMP:20260101T120000Z\r\n"
    "SUMMARY:Buy milk\r\n"
    "STATUS:NEEDS-ACTION\r\n"
    "END:VTODO\r\n"
    "END:VCALENDAR\r\n"
)


@contextmanager
def principal(account: CalDavAccount, password: str | None = None) -> Iterator[Principal]:
    with DAVClient(
        url=account.url,
        username=account.username,
        password=account.password if password is None else password,
    ) as client:
        me = client.principal()  # type: ignore[no-untyped-call]
        assert isinstance(me, Principal)
        yield me


# caldav's methods are typed for both its clients, the blocking and the asyncio one
# (``Calendar | Coroutine[...]``): these narrow them to the blocking client's answers.


def make_work_calendar(me: Principal) -> Calendar:
    calendar = me.make_calendar(name="Work", supported_calendar_component_set=["VTODO"])
    assert isinstance(calendar, Calendar)
    return calendar


def calendars(me: Principal) -> list[Calendar]:
    found = me.calendars()
    assert isinstance(found, list)
    return found


def summaries(calendar: Calendar) -> list[str]:
    todos = calendar.todos()
    assert isinstance(todos, list)
    return sorted(str(todo.icalendar_component["SUMMARY"]) for todo in todos)


def test_a_todo_saved_by_a_caldav_client_reads_back(caldav_account: CalDavAccount) -> None:
    with principal(caldav_account) as me:
        work = make_work_calendar(me)
        work.save_todo(ical=BUY_MILK)

        assert summaries(work) == ["Buy milk"]
        assert [calendar.get_display_name() for calendar in calendars(me)] == ["Work"]


def test_a_wrong_password_is_refused(caldav_account: CalDavAccount) -> None:
    with (
        pytest.raises(AuthorizationError, match="Unauthorized"),
        principal(caldav_account, password="not-it"),
    ):
        pass


def test_two_accounts_do_not_see_each_others_calendars(
    caldav_account: CalDavAccount, radicale_session: SharedServer
) -> None:
    other = radicale_session.add_user(*new_credentials())
    with principal(caldav_account) as mine:
        work = make_work_calendar(mine)
        work.save_todo(ical=BUY_MILK)
    with principal(other) as theirs:
        assert calendars(theirs) == []
        # Not even by its address: Radicale's owner_only rights answer 403.
        with pytest.raises(AuthorizationError, match="Forbidden"):
            summaries(Calendar(client=theirs.client, url=work.url))


def refuses_connections(url: str) -> bool:
    address = urlsplit(url)
    assert address.hostname is not None and address.port is not None
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.request("OPTIONS", "/")
    except ConnectionRefusedError:
        return True
    finally:
        connection.close()
    return False


def test_a_stopped_server_comes_back_on_its_port_with_its_storage(
    radicale: RadicaleServer,
) -> None:
    url = radicale.url
    with principal(radicale.account) as me:
        work = make_work_calendar(me)
        work.save_todo(ical=BUY_MILK)
    stored = list(radicale.collections_folder.glob(f"{radicale.account.username}/*/*.ics"))
    assert [path.name for path in stored] == ["buy-milk@phone.example.ics"]

    radicale.stop()
    assert not radicale.running
    assert refuses_connections(url)

    radicale.restart()
    assert radicale.url == url
    with principal(radicale.account) as me:
        (calendar,) = calendars(me)
        assert summaries(calendar) == ["Buy milk"]


def test_a_user_added_to_a_running_server_logs_in(radicale: RadicaleServer) -> None:
    newcomer = radicale.add_user(*new_credentials())
    with principal(newcomer) as me:
        assert calendars(me) == []
