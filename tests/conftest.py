"""Fixtures shared by every test: a frozen clock, stores on tmp_path, a clean environment."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store import TaskStore, open_store
from tests.helpers import FROZEN_START, FrozenClock

# The real CalDAV servers the sync tests use (tests/sync/fixtures.py).
pytest_plugins = ["tests.sync.fixtures"]


@pytest.fixture(autouse=True)
def clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[None]:
    """No test sees the developer's own database, user, config file, theme or colours.

    Tests run in the time zone they find (CI runs the suite in several, under a
    shifted clock: .ci/run), so that nothing passes only in UTC. A test whose
    expected output is written for one zone says so: ``@pytest.mark.zone("UTC")``.
    """
    for name in (
        "TASKFLOW_DB_PATH",
        "TASKFLOW_USER",
        "TASKFLOW_CONFIG",
        "NO_COLOR",
        "TEXTUAL_THEME",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    # Anything that still falls back to the default location lands in the test's folder:
    # the database, and the config file (never the developer's own).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    zone = request.node.get_closest_marker("zone")
    if zone is not None:
        monkeypatch.setenv("TZ", zone.args[0])
    time.tzset()
    yield
    monkeypatch.undo()  # before tzset: the zone goes back for the next test
    time.tzset()


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``zone("Pacific/Kiritimati")`` puts the process in that time zone for the rest of
    the test (clean_environment puts the zone back afterwards)."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    return set_zone


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tasks.db"


# The store and command-line suites run on both backends. PostgreSQL needs a server:
# a URL of a database the test user may create schemas in. Each test gets a schema of
# its own. Without the URL the PostgreSQL cases skip, except in CI (CI=true), where
# they must run: .ci/run starts a server and sets the URL.
POSTGRES_ENV = "TASKFLOW_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgres")
BOTH_BACKENDS_UNDER = ("store", "cli")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("postgres_only"):
        metafunc.parametrize("backend", ("postgres",))
        return
    folder = metafunc.definition.path.parent.name
    both = folder in BOTH_BACKENDS_UNDER and not metafunc.definition.get_closest_marker(
        "sqlite_only"
    )
    metafunc.parametrize("backend", BACKENDS if both else ("sqlite",))


@pytest.fixture
def location(backend: str, db_path: Path) -> Iterator[str]:
    """Where the test's database is: a file, or a fresh schema on the test server."""
    if backend == "sqlite":
        yield str(db_path)
        return
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL cases, but {POSTGRES_ENV} is not set")
        pytest.skip(f"no PostgreSQL server for this run: set {POSTGRES_ENV} to test on one")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(location: str, clock: FrozenClock) -> Iterator[TaskStore]:
    with open_store(location, user="alice", clock=clock) as opened:
        yield opened


@pytest.fixture
def is_root() -> bool:
    return os.geteuid() == 0
