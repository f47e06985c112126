"""Fixtures of the sync tests (tests/sync, and tests/safety's sync kills): real Radicale
CalDAV servers on 127.0.0.1. A plugin, loaded by tests/conftest.py for every test.

- ``radicale_session``: the one server the session shares. CI starts it beforehand
  (.ci/radicale-up) and passes its URL in TASKFLOW_TEST_CALDAV_URL and its plain
  htpasswd users file in TASKFLOW_TEST_CALDAV_USERS; without them the session starts
  one of its own.
- ``caldav_account``: a fresh user on that server, so that no test sees another's
  collections.
- ``radicale``: a running server of the test's own, with one user
  (``radicale.account``), for the tests that stop and restart it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.radicale_server import CalDavAccount, RadicaleServer, SharedServer, new_credentials

CALDAV_URL_ENV = "TASKFLOW_TEST_CALDAV_URL"
CALDAV_USERS_ENV = "TASKFLOW_TEST_CALDAV_USERS"


@pytest.fixture(scope="session")
def radicale_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    url = os.environ.get(CALDAV_URL_ENV, "").strip()
    if url:
        users = os.environ.get(CALDAV_USERS_ENV, "").strip()
        if not users or not Path(users).is_file():
            pytest.fail(
                f"{CALDAV_URL_ENV} is set, but {CALDAV_USERS_ENV} does not name the "
                f"server's users file (it is {users!r})"
            )
        yield SharedServer(url if url.endswith("/") else url + "/", Path(users))
        return
    server = RadicaleServer(tmp_path_factory.mktemp("radicale-session"))
    try:
        server.start()
        yield SharedServer(server.url, server.users_file)
    finally:
        server.stop()


@pytest.fixture
def caldav_account(radicale_session: SharedServer) -> CalDavAccount:
    return radicale_session.add_user(*new_credentials())


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[RadicaleServer]:
    """A running server of the test's own; its one user: ``radicale.account``."""
    server = RadicaleServer(tmp_path / "radicale")
    server.add_user(*new_credentials())
    try:
        server.start()
        yield server
    finally:
        server.stop()
