"""Where the database is and who owns the tasks: --db > TASKFLOW_DB_PATH > user data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import (
    DB_ENV_VAR,
    USER_ENV_VAR,
    LocationError,
    Source,
    UnsupportedDatabaseURL,
    ValidationError,
    default_database_path,
    open_store,
    resolve_location,
    resolve_user,
)


def test_argument_beats_environment_beats_default(tmp_path: Path) -> None:
    env = {DB_ENV_VAR: str(tmp_path / "env.db")}
    chosen = resolve_location(str(tmp_path / "arg.db"), env)
    assert (chosen.path, chosen.source) == (tmp_path / "arg.db", Source.ARGUMENT)
    chosen = resolve_location(None, env)
    assert (chosen.path, chosen.source) == (tmp_path / "env.db", Source.ENVIRONMENT)
    chosen = resolve_location(None, {})
    assert (chosen.path, chosen.source) == (default_database_path(), Source.DEFAULT)


def test_default_is_under_the_user_data_dir(tmp_path: Path) -> None:
    # conftest points XDG_DATA_HOME at the test's folder.
    assert default_database_path() == tmp_path / "xdg-data" / "taskflow" / "tasks.db"


def test_resolving_creates_nothing(tmp_path: Path) -> None:
    resolve_location(str(tmp_path / "not" / "yet" / "tasks.db"), {})
    resolve_location(None, {})
    assert not (tmp_path / "not").exists()
    assert not (tmp_path / "xdg-data").exists()


def test_default_location_is_created_on_open(tmp_path: Path) -> None:
    with open_store(environ={}, user="alice") as store:
        store.create("in the default place")
    assert (tmp_path / "xdg-data" / "taskflow" / "tasks.db").is_file()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite:////abs/olute.db", "/abs/olute.db"),
        ("sqlite:///with%20space.db", "with space.db"),
    ],
)
def test_sqlite_urls(value: str, expected: str) -> None:
    location = resolve_location(value, {})
    assert location.path == Path(expected).absolute()


@pytest.mark.parametrize("value", [":memory:", "sqlite:///:memory:", "sqlite://"])
def test_memory_spellings(value: str) -> None:
    if value == "sqlite://":
        with pytest.raises(LocationError, match="three slashes"):
            resolve_location(value, {})
        return
    assert resolve_location(value, {}).is_memory


@pytest.mark.parametrize("url", ["ftp://h/db", "http://example.com/x", "mysql://x"])
def test_other_schemes_are_unsupported(url: str) -> None:
    with pytest.raises(UnsupportedDatabaseURL, match="Unsupported database URL"):
        resolve_location(url, {})


def test_password_in_a_refused_url_is_not_echoed() -> None:
    with pytest.raises(UnsupportedDatabaseURL) as caught:
        resolve_location("mysql://user:hunter2@host/db", {})
    assert "hunter2" not in str(caught.value)


def test_user_resolution() -> None:
    assert resolve_user("cli", {USER_ENV_VAR: "env"}) == "cli"
    assert resolve_user(None, {USER_ENV_VAR: "env"}) == "env"
    assert resolve_user(None, {}) != ""
    with pytest.raises(ValidationError, match="Invalid user name"):
        resolve_user("bad\x00name", {})


def test_postgresql_urls_resolve_without_showing_the_password() -> None:
    location = resolve_location("postgresql://bob:hunter2@db.example:6543/tasks", {})
    server = location.server
    assert server is not None
    assert (server.host, server.port, server.database, server.user) == (
        "db.example",
        6543,
        "tasks",
        "bob",
    )
    assert server.password == "hunter2"
    assert location.display() == "postgresql://bob@db.example:6543/tasks"
    assert "hunter2" not in repr(location)
    env = resolve_location(None, {DB_ENV_VAR: "postgres://h/db?sslmode=require"})
    assert env.server is not None and env.server.settings == (("sslmode", "require"),)


@pytest.mark.parametrize(
    "url", ["postgresql://h", "postgresql://:secret@/db", "postgresql://h/db?evil=1"]
)
def test_bad_postgresql_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(LocationError) as caught:
        resolve_location(url, {})
    assert "secret" not in str(caught.value)
