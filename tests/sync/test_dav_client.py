"""store/dav.py against a real Radicale: finding the task lists, sync-collection,
multiget, and writes that never overwrite another device's change (If-Match and
If-None-Match), with the requests each costs counted; and the one line the user gets
for a wrong password, a server that is down and a URL that is not CalDAV."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import caldav
import pytest

from store.dav import (
    CalDavClient,
    LoginError,
    NotCalDavError,
    OfflineError,
    PreconditionFailed,
)
from tests.sync.radicale_server import CalDavAccount, RadicaleServer


def todo(uid: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//TaskFlow tests//EN\r\nBEGIN:VTODO\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:{summary}\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def client(caldav_account: CalDavAccount) -> Iterator[CalDavClient]:
    opened = CalDavClient(caldav_account.url, caldav_account.username, caldav_account.password)
    yield opened
    opened.close()


def test_finds_the_home_and_makes_and_lists_a_task_list(client: CalDavClient) -> None:
    home = client.home()
    assert home.startswith("/") and home.endswith("/")
    assert client.task_lists(home) == []  # a new account has none
    made = client.make_list(home, "Work & <Play>")
    (listed,) = client.task_lists(home)
    assert (listed.href, listed.name, listed.has_tasks) == (made.href, "Work & <Play>", True)
    assert listed.sync_token


def test_writes_are_conditional_and_changes_are_incremental(client: CalDavClient) -> None:
    home = client.home()
    work = client.make_list(home, "Work")
    href = work.href + "t1.ics"
    etag = client.put(href, todo("t1", "First"), etag=None)
    assert etag
    with pytest.raises(PreconditionFailed):
        client.put(href, todo("t1", "Again as new"), etag=None)  # If-None-Match: *
    first = client.changes(work.href, None)
    assert first.changed == {href: etag} and first.deleted == ()
    newer = client.put(href, todo("t1", "Second"), etag=etag)
    assert newer and newer != etag
    with pytest.raises(PreconditionFailed):
        client.put(href, todo("t1", "Over a stale read"), etag=etag)  # If-Match: old
    with pytest.raises(PreconditionFailed):
        client.delete(href, etag=etag)
    (resource,) = client.fetch(work.href, [href])
    assert "SUMMARY:Second" in resource.text and resource.etag == newer
    # One change since the token: reported alone, in two requests (the REPORT, a multiget).
    client.put(work.href + "t2.ics", todo("t2", "Other"), etag=None)
    before = client.requests
    since = client.changes(work.href, first.token)
    fetched = list(client.fetch(work.href, since.changed))
    assert client.requests - before == 2
    assert set(since.changed) == {href, work.href + "t2.ics"}
    assert {r.text.count("BEGIN:VTODO") for r in fetched} == {1}
    client.delete(href, etag=newer)
    gone = client.changes(work.href, since.token)
    assert gone.deleted == (href,) and gone.changed == {}
    assert client.etags(work.href) == {work.href + "t2.ics": since.changed[work.href + "t2.ics"]}


def test_names_that_need_escaping_are_one_spelling(client: CalDavClient) -> None:
    work = client.make_list(client.home(), "Work")
    for name in ("a b.ics", "{braces}.ics", "ümlaut.ics"):
        client.put(work.href + name, todo(name, "Odd name"), etag=None)
    listed = client.changes(work.href, None).changed
    fetched = {resource.href: resource.etag for resource in client.fetch(work.href, listed)}
    assert fetched == listed and len(listed) == 3


def test_a_password_in_the_url_is_never_shown() -> None:
    with pytest.raises(NotCalDavError) as refused:
        CalDavClient("ftp://me:hunter2@example.com/", "me", "hunter2")
    assert "hunter2" not in str(refused.value) and "example.com" in str(refused.value)


def test_a_change_by_another_client_is_seen(
    client: CalDavClient, caldav_account: CalDavAccount
) -> None:
    home = client.home()
    work = client.make_list(home, "Work")
    start = client.changes(work.href, None)
    other = caldav.DAVClient(
        url=caldav_account.url, username=caldav_account.username, password=caldav_account.password
    )
    calendar = other.calendar(url=caldav_account.url.rstrip("/") + work.href)
    calendar.save_todo(ical=todo("from-phone", "Made on a phone"))
    seen = client.changes(work.href, start.token)
    ((href, _),) = seen.changed.items()
    (resource,) = client.fetch(work.href, [href])
    assert "UID:from-phone" in resource.text


def test_a_wrong_password_is_one_line(caldav_account: CalDavAccount) -> None:
    client = CalDavClient(caldav_account.url, caldav_account.username, "not-the-password")
    with pytest.raises(LoginError) as refused:
        client.home()
    message = str(refused.value)
    assert "refused the user name or password" in message and "\n" not in message
    assert "not-the-password" not in message


def test_a_server_that_is_down_is_offline(radicale: RadicaleServer) -> None:
    account = radicale.account
    client = CalDavClient(account.url, account.username, account.password, timeout=5)
    home = client.home()
    radicale.stop()
    with pytest.raises(OfflineError) as down:
        client.task_lists(home)
    assert "Cannot reach 127.0.0.1" in str(down.value)
    radicale.restart()
    assert client.task_lists(home) == []  # and back once it is


class _NotDav(http.server.BaseHTTPRequestHandler):
    def do_PROPFIND(self) -> None:  # the method's name is the HTTP verb
        body = b"<html><body>Hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_url_that_is_not_caldav_is_said_so() -> None:
    # A real web server that is not a CalDAV one (Python's own, on 127.0.0.1).
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotDav)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = CalDavClient(f"http://127.0.0.1:{server.server_port}/", "u", "p")
        with pytest.raises(NotCalDavError) as refused:
            client.home()
        assert "CalDAV" in str(refused.value)
    finally:
        server.shutdown()
        server.server_close()
