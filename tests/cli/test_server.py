"""What only a PostgreSQL server has: logins, a server that goes away, clients that start
together, and backups that are its operator's job. Everything else a server shares with a
file is tested on both by the rest of the store and command-line suites."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from store import (
    LATEST_VERSION,
    Priority,
    ServerUnavailableError,
    StoreError,
    TaskStore,
    open_store,
)
from tests.cli.helpers import CLI
from tests.cli.test_tui_refresh import shown_titles
from tests.helpers import FrozenClock
from tui.app import make_app
from tui.cli import EXIT_FAILURE, EXIT_OK

pytestmark = pytest.mark.postgres_only


def changed(
    location: str,
    *,
    password: str | None = None,
    port: int | None = None,
    database: str | None = None,
) -> str:
    """The test server's URL with one part changed."""
    parts = urlsplit(location)
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:{password if password is not None else parts.password}@{host}:"
    netloc += str(port if port is not None else parts.port)
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def secret_of(location: str) -> str:
    password = urlsplit(location).password
    assert password, "the test server's URL must carry a password for these tests"
    return password


def admin_connection(location: str) -> psycopg.Connection:
    return psycopg.connect(location.split("?")[0], autocommit=True)


def drop_taskflow_connections(location: str) -> int:
    """What a server restart does to the clients: every TaskFlow connection is cut."""
    with admin_connection(location) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'taskflow' AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


# -- logins and addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_url", "complaint"),
    [
        (lambda url: changed(url, password="not-the-password"), "wrong or missing password"),
        (lambda url: changed(url, database="no_such_database"), "no database 'no_such_database'"),
        (lambda url: changed(url, port=1), "Cannot reach the PostgreSQL server at"),
    ],
    ids=["wrong-password", "missing-database", "server-down"],
)
def test_a_server_that_cannot_be_used_gets_one_line_and_no_password(
    cli: CLI, location: str, make_url: Callable[[str], str], complaint: str
) -> None:
    url = make_url(location)
    # [] is the app itself: it must not start, let alone draw half a screen.
    for argv in ([], ["list"], ["add", "Lost?"], ["db", "status"]):
        result = cli(*argv, db=url)
        assert result.code == EXIT_FAILURE, argv
        assert result.out == ""
        assert len(result.error_lines) == 1, result.err
        assert complaint in result.err
        assert "Traceback" not in result.err
        assert secret_of(location) not in result.err
        assert "not-the-password" not in result.err


def test_the_store_raises_one_error_type_for_an_unusable_server(location: str) -> None:
    with pytest.raises(ServerUnavailableError) as raised:
        open_store(changed(location, password="not-the-password"), user="alice")
    assert secret_of(location) not in repr(raised.value)
    assert "not-the-password" not in str(raised.value)


def test_without_the_driver_the_message_names_the_extra(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    result = cli("list")
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1
    assert "pip install 'taskflow[postgres]'" in result.err


# -- database care on a server -------------------------------------------------------------------


def test_status_names_the_server_and_says_backups_are_the_operators(
    cli: CLI, alice: TaskStore, location: str
) -> None:
    alice.create("shared")
    human = cli("db", "status")
    assert human.code == EXIT_OK
    assert secret_of(location) not in human.out
    assert "postgresql://" in human.out
    assert "operator's job (pg_dump)" in human.out
    assert "1 open, 0 done" in human.out

    report = cli("db", "status", "--json")
    assert report.code == EXIT_OK
    assert secret_of(location) not in report.out
    assert '"backups_by": "operator"' in report.out
    assert f'"schema_version": {LATEST_VERSION}' in report.out


def test_backup_is_refused_in_one_line(cli: CLI, alice: TaskStore, tmp_path: object) -> None:
    alice.create("shared")
    for argv in (["db", "backup"], ["db", "backup", str(tmp_path)]):
        result = cli(*argv)
        assert result.code == EXIT_FAILURE
        assert len(result.error_lines) == 1
        assert "operator's job (pg_dump)" in result.err


def test_check_and_migrate_down_and_up_on_a_server(cli: CLI, alice: TaskStore) -> None:
    alice.create("kept", priority=Priority.HIGH, tags=["home"])
    assert cli("db", "check").code == EXIT_OK
    refused = cli("db", "migrate", "--to", "1")  # it would drop the priority and tag
    assert refused.code == EXIT_FAILURE and "--yes" in refused.err
    down = cli("db", "migrate", "--to", "1", "--yes")  # the test user owns the schema
    assert down.code == EXIT_OK, down.err
    assert "to 1" in down.out
    up = cli("db", "migrate")
    assert up.code == EXIT_OK, up.err
    listed = cli("list", "--json")
    assert '"title": "kept"' in listed.out


# -- several clients ---------------------------------------------------------------------------


def test_clients_starting_together_migrate_once_and_all_open(location: str) -> None:
    opened: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def client(number: int) -> None:
        start.wait()
        try:
            with open_store(location, user=f"user{number}") as store:
                store.create(f"task of client {number}")
                opened.append(store.schema_version())
        except BaseException as error:  # collected: a thread's exception is otherwise lost
            failures.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert opened == [LATEST_VERSION] * 4
    with admin_connection(location) as admin:
        schema = location.split("search_path%3D")[1]
        versions = admin.execute(
            f"SELECT version FROM {schema}.schema_migrations ORDER BY version"
        ).fetchall()
    assert [version for (version,) in versions] == list(range(1, LATEST_VERSION + 1))


def test_two_users_on_one_server_see_and_change_only_their_own(location: str) -> None:
    with (
        open_store(location, user="alice") as alice,
        open_store(location, user="bob") as bob,
    ):
        hers = alice.create("Alice's")
        bob.create("Bob's")
        assert [task.title for task in alice.list_tasks()] == ["Alice's"]
        assert [task.title for task in bob.list_tasks()] == ["Bob's"]
        for attempt in (
            lambda: bob.get(hers.id),
            lambda: bob.toggle(hers.id),
            lambda: bob.update(hers.id, expected_version=hers.version, title="mine now"),
            lambda: bob.delete(hers.id),
        ):
            with pytest.raises(StoreError):
                attempt()
        assert alice.get(hers.id) == hers


# -- a connection the server drops ----------------------------------------------------------------


def test_a_dropped_connection_is_replaced_on_the_next_action(location: str) -> None:
    with open_store(location, user="alice") as store:
        first = store.create("before the restart")
        assert drop_taskflow_connections(location) >= 1
        # The pooled connection is dead; the store notices and takes a new one.
        assert [task.title for task in store.list_tasks()] == ["before the restart"]
        store.toggle(first.id)
        assert store.get(first.id).completed


def fill_the_pool(store: TaskStore, connections: int) -> None:
    """Leave several idle connections in the store's pool, as a running app does: its
    thread workers each take one at the same time and give it back."""
    all_in = threading.Barrier(connections)

    def hold_one() -> None:
        with store._backend.session():
            all_in.wait(timeout=10)

    threads = [threading.Thread(target=hold_one) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_restart_that_drops_every_pooled_connection_costs_no_action(location: str) -> None:
    with open_store(location, user="alice") as store:
        first = store.create("before the restart")
        fill_the_pool(store, 4)
        assert drop_taskflow_connections(location) >= 4
        # Every idle connection is dead, not only the first the pool hands out.
        assert [task.title for task in store.list_tasks()] == ["before the restart"]
        store.toggle(first.id)
        assert store.get(first.id).completed


def test_a_server_gone_after_a_restart_says_it_cannot_be_reached(location: str) -> None:
    """Not "lost the connection, reconnecting": the pool's other idle connections are as
    dead as the first, and a new one is refused."""
    with open_store(location, user="alice") as store:
        fill_the_pool(store, 4)
        store._backend.db.connect_params["port"] = 1
        drop_taskflow_connections(location)
        with pytest.raises(ServerUnavailableError, match="Cannot reach the PostgreSQL server"):
            store.list_tasks()


async def test_the_app_reports_a_lost_server_and_its_return(
    location: str, clock: FrozenClock
) -> None:
    store = open_store(location, user="alice", clock=clock)
    store.create("on the server")
    app = make_app(store, clock=clock, animations=False, poll_seconds=0.1)
    pool_settings = store._backend.db.connect_params  # where new connections go
    real_port = pool_settings["port"]

    def titles() -> list[str]:
        return [notification.message for notification in app._notifications]

    async def wait_for(condition: Callable[[], bool]) -> bool:
        for _ in range(100):
            if condition():
                return True
            await asyncio.sleep(0.1)
        return condition()

    try:
        async with app.run_test(size=(100, 30)):
            assert await wait_for(lambda: shown_titles(app) == ["on the server"])
            # The counts load after the list is shown: one still to load would fail too,
            # and say so in a second message. Wait for them, and for nothing else to run.
            assert await wait_for(
                lambda: (
                    getattr(app.screen, "counts", None) is not None
                    and all(w.group == "watch-server" for w in app.workers if w.is_running)
                )
            )
            # The server goes away: its connections are cut and new ones are refused.
            pool_settings["port"] = 1
            drop_taskflow_connections(location)
            assert await wait_for(lambda: any("Cannot reach" in t for t in titles())), titles()
            lost = [t for t in titles() if "Cannot reach" in t]
            assert len(lost) == 1  # said once, not on every retry
            assert secret_of(location) not in lost[0]

            # It comes back: the app says so, and a change made meanwhile shows.
            pool_settings["port"] = real_port
            with open_store(location, user="alice") as other:
                other.create("made while it was away")
            assert await wait_for(lambda: any("Reconnected" in t for t in titles())), titles()
            assert await wait_for(
                lambda: shown_titles(app) == ["on the server", "made while it was away"]
            ), shown_titles(app)
    finally:
        store.close()


@pytest.mark.parametrize("server_stays_down", [True, False], ids=["down", "back-at-once"])
async def test_a_poll_cut_in_the_middle_reports_the_server_as_it_is(
    location: str, clock: FrozenClock, server_stays_down: bool
) -> None:
    """A restart that cuts the watch's query mid-flight: the app tries again at once, so a
    server that is down is named as such (not "reconnects on the next action"), and one
    that is back at once is no news at all."""
    store = open_store(location, user="alice", clock=clock)
    store.create("on the server")
    app = make_app(store, clock=clock, animations=False, poll_seconds=0.1)
    pool_settings = store._backend.db.connect_params

    def lost_messages() -> list[str]:
        return [n.message for n in app._notifications if n.title == "Connection lost"]

    async def wait_for(condition: Callable[[], bool]) -> bool:
        for _ in range(100):
            if condition():
                return True
            await asyncio.sleep(0.1)
        return condition()

    def poll_waits_on_the_lock() -> bool:
        with admin_connection(location) as admin:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = 'taskflow' AND wait_event_type = 'Lock'"
            ).fetchone()
        return row is not None and row[0] >= 1

    try:
        async with app.run_test(size=(100, 30)):
            assert await wait_for(lambda: shown_titles(app) == ["on the server"])
            assert await wait_for(
                lambda: (
                    getattr(app.screen, "counts", None) is not None
                    and all(w.group == "watch-server" for w in app.workers if w.is_running)
                )
            )
            # The full URL keeps the test's schema, so the lock is on the app's log table.
            with psycopg.connect(location) as locker:
                locker.execute("LOCK TABLE task_events IN ACCESS EXCLUSIVE MODE")
                assert await wait_for(poll_waits_on_the_lock)
                if server_stays_down:
                    pool_settings["port"] = 1
                assert drop_taskflow_connections(location) >= 1
                locker.rollback()
            if server_stays_down:
                assert await wait_for(lambda: bool(lost_messages())), lost_messages()
                await asyncio.sleep(0.5)  # several more rounds fail: still one message
                lost = lost_messages()
                assert len(lost) == 1
                assert "Cannot reach the PostgreSQL server" in lost[0]
                assert secret_of(location) not in lost[0]
            else:
                # The watch goes on: another client's change shows, and nothing was said.
                with open_store(location, user="alice") as other:
                    other.create("made after the restart")
                assert await wait_for(
                    lambda: shown_titles(app) == ["on the server", "made after the restart"]
                ), shown_titles(app)
                assert lost_messages() == []
    finally:
        store.close()
