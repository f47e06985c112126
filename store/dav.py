"""A small CalDAV client (RFC 4791, with RFC 6578 sync) over the standard library.

Why not the ``caldav`` package: sync needs exact control of what goes over the wire —
``If-Match``/``If-None-Match`` on every write, the ETag each write answers with, a
sync-collection REPORT and one multiget for what changed, and a count of requests (a
one-change sync among 10,000 tasks must cost a handful). Those are a few hundred lines
over ``http.client`` (one kept-alive connection, TLS verified by default), where the
package brings niquests and about 300 ms of imports to every sync. The tests use
``caldav`` as the other apps' client, against a real Radicale.

Every failure is a ``DavError`` whose text is one line for the user.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

from store.errors import StoreError

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
MULTIGET_BATCH = 100  # objects fetched per calendar-multiget request
MAX_REDIRECTS = 5
SAFE_IN_PATH = "/@:+,;=~!$&'()*"  # what a path keeps unescaped (RFC 3986 pchar)


class DavError(StoreError):
    """Talking to the CalDAV server failed: the text says how, in one line."""


class OfflineError(DavError):
    """The server could not be reached (down, no network, a name that does not resolve)."""


class LoginError(DavError):
    """The server refused the user name or password."""


class NotCalDavError(DavError):
    """The URL answers, but not as a CalDAV server (or not with task lists)."""


class PreconditionFailed(DavError):
    """Another device wrote the object since it was read (412): read it again."""


class SyncTokenExpired(DavError):
    """The server no longer knows the sync token: a full listing is needed."""


@dataclass(frozen=True)
class TaskList:
    """A calendar collection on the server."""

    href: str  # its path, ending in '/'
    name: str  # its display name (the path's last part when it has none)
    sync_token: str | None
    ctag: str | None
    has_tasks: bool  # it holds VTODOs (or says nothing of what it holds)


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str
    text: str


@dataclass(frozen=True)
class Changes:
    """What a sync-collection REPORT says changed since a token."""

    token: str
    changed: dict[str, str]  # href -> etag
    deleted: tuple[str, ...]


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class CalDavClient:
    """One account on one server; not thread-safe (one connection)."""

    def __init__(self, url: str, username: str, password: str, *, timeout: float = 30) -> None:
        parts = urlsplit(url)
        # Never in a message: a password written into the URL (https://me:secret@host/).
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotCalDavError(f"{shown!r} is not an http:// or https:// URL.")
        self.url = shown if shown.endswith("/") else shown + "/"
        self.username = username
        self._auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._origin = (parts.scheme, parts.hostname, parts.port)
        self.requests = 0  # every request sent, for the tests and benchmarks to count

    # -- the wire ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            scheme, host, port = self._origin
            if scheme == "https":
                context = ssl.create_default_context()
                self._connection = http.client.HTTPSConnection(
                    host, port, timeout=self._timeout, context=context
                )
            else:
                self._connection = http.client.HTTPConnection(host, port, timeout=self._timeout)
        return self._connection

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
    ) -> _Answer:
        """One request, following redirects within the server; DavError for what the
        user must hear of (offline, login refused, TLS), else the answer as it is."""
        data = body.encode() if isinstance(body, str) else body
        for _ in range(MAX_REDIRECTS):
            answer = self._send(method, path, data, headers or {})
            location = answer.headers.get("location")
            if answer.status in (301, 302, 307, 308) and location:
                target = urlsplit(urljoin(self._absolute(path), location))
                if (target.scheme, target.hostname, target.port) != self._origin:
                    raise NotCalDavError(
                        f"The server sends {self._absolute(path)} to another server "
                        f"({target.scheme}://{target.hostname}): give that URL instead."
                    )
                path = target.path or "/"
                continue
            if answer.status == 401:
                raise LoginError(f"{self._host()} refused the user name or password (401).")
            return answer
        raise NotCalDavError(f"{self._host()} redirects in a loop.")

    def _send(self, method: str, path: str, data: bytes, headers: dict[str, str]) -> _Answer:
        sent = {"Authorization": self._auth, "User-Agent": "TaskFlow", **headers}
        if data:
            sent.setdefault("Content-Type", "application/xml; charset=utf-8")
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            connection = self._connect()
            try:
                self.requests += 1
                connection.request(method, href_of(path), data, sent)
                response = connection.getresponse()
                body = response.read()
                answer_headers = {k.lower(): v for k, v in response.getheaders()}
                if answer_headers.get("connection", "").lower() == "close":
                    self.close()
                return _Answer(response.status, answer_headers, body)
            except ssl.SSLError as error:
                self.close()
                reason = getattr(error, "verify_message", None) or error.reason or str(error)
                raise DavError(f"TLS with {self._host()} failed: {reason}.") from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise OfflineError(f"{self._host()} closed the connection.") from None
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise OfflineError(f"Cannot reach {self._host()}: {_why(error)}.") from None
        raise OfflineError(f"Cannot reach {self._host()}.")  # not reached

    def _host(self) -> str:
        _, host, port = self._origin
        return f"{host}:{port}" if port else host

    def _absolute(self, path: str) -> str:
        scheme, host, port = self._origin
        return f"{scheme}://{host}{':' + str(port) if port else ''}{path}"

    def _multistatus(self, answer: _Answer, what: str) -> ET.Element:
        if answer.status != 207:
            raise NotCalDavError(
                f"{self._host()} does not answer {what} as a CalDAV server does "
                f"(HTTP {answer.status})."
            )
        try:
            return ET.fromstring(answer.body)
        except ET.ParseError:
            raise NotCalDavError(f"{self._host()} answered {what} with broken XML.") from None

    # -- finding the task lists ----------------------------------------------------------------

    def home(self) -> str:
        """The path of the user's calendar home (RFC 4791 6.2.1), found from the URL."""
        start = urlsplit(self.url).path or "/"
        principal = self._one_href(start, "current-user-principal", DAV) or start
        if start == "/" and principal == "/":
            # Nothing said at the root: the well-known address (RFC 6764) may.
            known = self._one_href("/.well-known/caldav", "current-user-principal", DAV)
            principal = known or start
        home = self._one_href(principal, "calendar-home-set", CALDAV)
        if home is None:
            raise NotCalDavError(
                f"{self.url} is not a CalDAV address (no calendar home found there)."
            )
        return home

    def _one_href(self, path: str, name: str, namespace: str) -> str | None:
        body = (
            f'<d:propfind xmlns:d="DAV:" xmlns:x="{namespace}"><d:prop><x:{name}/>'
            "</d:prop></d:propfind>"
        )
        answer = self.request("PROPFIND", path, body, {"Depth": "0"})
        if answer.status in (404, 405, 501):
            return None
        root = self._multistatus(answer, "PROPFIND")
        for element in root.iter(f"{{{namespace}}}{name}"):
            href = element.find(f"{{{DAV}}}href")
            if href is not None and href.text:
                return urlsplit(href.text.strip()).path
        return None

    def task_lists(self, home: str) -> list[TaskList]:
        body = (
            f'<d:propfind xmlns:d="DAV:" xmlns:c="{CALDAV}" xmlns:cs="{CS}"><d:prop>'
            "<d:displayname/><d:resourcetype/><c:supported-calendar-component-set/>"
            "<d:sync-token/><cs:getctag/></d:prop></d:propfind>"
        )
        root = self._multistatus(
            self.request("PROPFIND", home, body, {"Depth": "1"}), "the task-list listing"
        )
        found: list[TaskList] = []
        for response in root.iter(f"{{{DAV}}}response"):
            href = _text(response.find(f"{{{DAV}}}href"))
            props = _found_props(response)
            kind = props.get(f"{{{DAV}}}resourcetype")
            if kind is None or kind.find(f"{{{CALDAV}}}calendar") is None:
                continue
            components = props.get(f"{{{CALDAV}}}supported-calendar-component-set")
            names = (
                {comp.get("name", "").upper() for comp in components}
                if components is not None and len(components)
                else {"VTODO"}
            )
            path = href_of(href)
            found.append(
                TaskList(
                    href=path,
                    name=_text(props.get(f"{{{DAV}}}displayname")) or _last_part(path),
                    sync_token=_text(props.get(f"{{{DAV}}}sync-token")) or None,
                    ctag=_text(props.get(f"{{{CS}}}getctag")) or None,
                    has_tasks="VTODO" in names,
                )
            )
        return found

    def make_list(self, home: str, name: str) -> TaskList:
        """A new task list (VTODO only) named ``name`` in the home."""
        path = home.rstrip("/") + "/" + str(uuid.uuid4()) + "/"
        body = (
            f'<c:mkcalendar xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:set><d:prop>'
            f"<d:displayname>{_escape(name)}</d:displayname>"
            '<c:supported-calendar-component-set><c:comp name="VTODO"/>'
            "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"
        )
        answer = self.request("MKCALENDAR", path, body)
        if answer.status not in (200, 201):
            raise DavError(f"{self._host()} did not make the list “{name}” (HTTP {answer.status}).")
        return TaskList(path, name, None, None, True)

    # -- reading -------------------------------------------------------------------------------

    def changes(self, list_href: str, token: str | None) -> Changes:
        """What changed in the list since ``token`` (None: everything there is)."""
        body = (
            '<d:sync-collection xmlns:d="DAV:">'
            f"<d:sync-token>{_escape(token or '')}</d:sync-token><d:sync-level>1</d:sync-level>"
            "<d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        answer = self.request("REPORT", list_href, body)
        if answer.status in (403, 409) and b"valid-sync-token" in answer.body:
            raise SyncTokenExpired(f"{self._host()} no longer knows the last sync's token.")
        root = self._multistatus(answer, "a sync-collection REPORT")
        changed: dict[str, str] = {}
        deleted: list[str] = []
        for response in root.iter(f"{{{DAV}}}response"):
            href = href_of(_text(response.find(f"{{{DAV}}}href")))
            if href.rstrip("/") == href_of(list_href).rstrip("/"):
                continue
            status = _text(response.find(f"{{{DAV}}}status"))
            etag = _text(_found_props(response).get(f"{{{DAV}}}getetag"))
            if " 404 " in f" {status} " or (not etag and "404" in status):
                deleted.append(href)
            elif etag:
                changed[href] = etag
        new_token = _text(root.find(f"{{{DAV}}}sync-token"))
        return Changes(new_token, changed, tuple(deleted))

    def etags(self, list_href: str) -> dict[str, str]:
        """Every VTODO's href and ETag, in one REPORT: for a server without sync tokens."""
        body = (
            f'<c:calendar-query xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:getetag/></d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/>'
            "</c:comp-filter></c:filter></c:calendar-query>"
        )
        root = self._multistatus(
            self.request("REPORT", list_href, body, {"Depth": "1"}), "a calendar-query REPORT"
        )
        found: dict[str, str] = {}
        for response in root.iter(f"{{{DAV}}}response"):
            href = href_of(_text(response.find(f"{{{DAV}}}href")))
            etag = _text(_found_props(response).get(f"{{{DAV}}}getetag"))
            if etag and href.rstrip("/") != href_of(list_href).rstrip("/"):
                found[href] = etag
        return found

    def fetch(self, list_href: str, hrefs: Iterable[str]) -> Iterator[Resource]:
        """The objects at ``hrefs`` (one multiget per hundred); one gone meanwhile is left out."""
        wanted = list(hrefs)
        for start in range(0, len(wanted), MULTIGET_BATCH):
            batch = wanted[start : start + MULTIGET_BATCH]
            names = "".join(f"<d:href>{_escape(href_of(h))}</d:href>" for h in batch)
            body = (
                f'<c:calendar-multiget xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:getetag/>'
                f"<c:calendar-data/></d:prop>{names}</c:calendar-multiget>"
            )
            root = self._multistatus(
                self.request("REPORT", list_href, body, {"Depth": "1"}), "a multiget REPORT"
            )
            for response in root.iter(f"{{{DAV}}}response"):
                props = _found_props(response)
                data = props.get(f"{{{CALDAV}}}calendar-data")
                etag = _text(props.get(f"{{{DAV}}}getetag"))
                if data is not None and data.text and etag:
                    yield Resource(href_of(_text(response.find(f"{{{DAV}}}href"))), etag, data.text)

    # -- writing -------------------------------------------------------------------------------

    def put(self, href: str, text: str, *, etag: str | None) -> str | None:
        """Write the object: over ``etag`` only (If-Match), or new only (If-None-Match).
        PreconditionFailed when another device wrote first; the new ETag, if told."""
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        answer = self.request("PUT", href, text, headers)
        if answer.status == 412:
            raise PreconditionFailed(f"{href} changed on the server meanwhile.")
        if answer.status not in (200, 201, 204):
            raise DavError(
                f"{self._host()} refused to store a task (HTTP {answer.status}"
                f"{_condition(answer.body)})."
            )
        return answer.headers.get("etag")

    def delete_list(self, href: str) -> None:
        """Delete a task list (empty of our tasks by then); gone already counts as done."""
        answer = self.request("DELETE", href)
        if answer.status not in (200, 204, 404, 410):
            raise DavError(f"{self._host()} refused to delete a list (HTTP {answer.status}).")

    def delete(self, href: str, *, etag: str) -> None:
        """Delete the object if it is still ``etag``; gone already counts as done."""
        answer = self.request("DELETE", href, b"", {"If-Match": etag})
        if answer.status == 412:
            raise PreconditionFailed(f"{href} changed on the server meanwhile.")
        if answer.status not in (200, 204, 404, 410):
            raise DavError(f"{self._host()} refused to delete a task (HTTP {answer.status}).")


def href_of(href: str) -> str:
    """A path as one spelling, whatever the server or the caller wrote: escaped once
    (``a b``, ``a%20b`` and ``http://host/a%20b`` are all ``/a%20b``)."""
    return quote(unquote(urlsplit(href).path), safe=SAFE_IN_PATH)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _found_props(response: ET.Element) -> dict[str, ET.Element]:
    """The properties a response found (its 200 propstats), by their qualified name."""
    props: dict[str, ET.Element] = {}
    for propstat in response.iter(f"{{{DAV}}}propstat"):
        if " 200 " not in f" {_text(propstat.find(f'{{{DAV}}}status'))} ":
            continue
        prop = propstat.find(f"{{{DAV}}}prop")
        for element in prop if prop is not None else ():
            props[element.tag] = element
    return props


def _last_part(path: str) -> str:
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _condition(body: bytes) -> str:
    """The precondition a refusal names (Radicale's no-uid-conflict), if any."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return ""
    names = [child.tag.rsplit("}", 1)[-1] for child in root]
    return f": {', '.join(names)}" if names else ""


def _why(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return "the name does not resolve"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError | socket.timeout):
        return "no answer in time"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return str(text).rstrip(".")
