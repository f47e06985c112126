"""taskflow db migrate --to N, going down: it says what it drops and asks first.

A step down that drops data (version 4 to 3 drops due dates, priorities, tags and the
manual order) names the counts, over every owner's tasks, and goes ahead only with
--yes, or a 'y' typed on a terminal; a script without --yes is refused in one line. A
file is backed up first. On a server only the database owner's role may go down.
Version 0 (the earlier service's table, which has no owners) is refused, and a file
that an earlier TaskFlow took there is never handed to whoever opens it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from store import (
    LATEST_VERSION,
    DataLoss,
    DataLossError,
    MigrationError,
    Priority,
    Sort,
    TaskQuery,
    TaskStore,
    open_store,
)
from store.planning import Due
from tests.cli.helpers import CLI, REPO
from tests.helpers import LEGACY_DDL, FrozenClock, file_digest
from tui.cli import EXIT_FAILURE, EXIT_OK

FRIDAY = date(2026, 11, 20)
# What going down from the latest version to 3 drops of the ``planned`` tasks.
DROPPED = {
    "due dates": 2,
    "priorities": 2,
    "tags": 3,
    "tag links": 3,
    "tasks' places in the manual order": 2,
}
DROPPED_IN_WORDS = (
    "2 due dates, 2 priorities, 3 tags, 3 tag links and 2 tasks' places in the manual "
    "order, counted over all owners (2 owners affected)"
)


@pytest.fixture
def planned(alice: TaskStore, location: str, clock: FrozenClock) -> Iterator[TaskStore]:
    """Alice's and Bob's tasks with due dates, priorities, tags and a manual order."""
    alice.create("pay rent", due=Due(FRIDAY), priority=Priority.HIGH, tags=["home", "bills"])
    alice.create("call mum", due=Due(FRIDAY))
    moved = alice.create("water plants")
    alice.move(moved.id, -1)  # above "call mum": two tasks change places
    with open_store(location, user="bob", clock=clock) as bob:
        bob.create("bob's", priority=Priority.LOW, tags=["work"])
    yield alice


def alice_still_has_everything(alice: TaskStore) -> None:
    assert alice.schema_version() == LATEST_VERSION
    tasks = alice.list_tasks(TaskQuery(sort=Sort.MANUAL))
    assert [t.title for t in tasks] == ["pay rent", "water plants", "call mum"]
    assert tasks[0].due == Due(FRIDAY) and tasks[0].priority is Priority.HIGH
    assert set(tasks[0].tags) == {"home", "bills"}


def test_a_step_down_that_drops_data_is_refused_in_a_script_naming_what(
    cli: CLI, planned: TaskStore
) -> None:
    result = cli("db", "migrate", "--to", "3", user="mallory")
    assert result.code == EXIT_FAILURE
    assert result.out == ""
    assert len(result.error_lines) == 1
    assert f"would drop {DROPPED_IN_WORDS}" in result.err
    assert "was not changed" in result.err and "--yes" in result.err
    alice_still_has_everything(planned)
    assert planned.backups() == []  # refused before the backup, too


def test_with_yes_it_drops_exactly_what_it_said_after_a_backup(
    cli: CLI, planned: TaskStore, backend: str
) -> None:
    result = cli("db", "migrate", "--to", "3", "--yes", "--json")
    assert result.code == EXIT_OK, result.err
    report = json.loads(result.out)
    assert report["to_version"] == 3
    assert report["dropped"] == DROPPED
    if backend == "sqlite":
        backup = Path(report["backup"])
        with open_store(backup, user="alice", migrate=False) as copy:
            alice_still_has_everything(copy)
    up = cli("db", "migrate")
    assert up.code == EXIT_OK, up.err
    tasks = planned.list_tasks(TaskQuery(sort=Sort.MANUAL))
    assert [t.title for t in tasks] == ["pay rent", "call mum", "water plants"]
    assert all(t.due is None and t.priority is Priority.NONE and not t.tags for t in tasks)


def test_the_human_output_says_what_was_dropped(cli: CLI, planned: TaskStore) -> None:
    result = cli("db", "migrate", "--to", "3", "--yes")
    assert result.code == EXIT_OK, result.err
    assert f"Dropped {DROPPED_IN_WORDS}." in result.out.splitlines()


def test_a_step_down_that_drops_nothing_needs_no_confirmation(cli: CLI, planned: TaskStore) -> None:
    result = cli("db", "migrate", "--to", str(LATEST_VERSION - 1))
    assert result.code == EXIT_OK, result.err
    assert "Dropped" not in result.out
    assert planned.schema_version() == LATEST_VERSION - 1


def test_version_0_is_refused_and_no_owner_is_handed_anothers_tasks(
    cli: CLI, planned: TaskStore
) -> None:
    down = cli("db", "migrate", "--to", "0", "--yes")
    assert down.code == EXIT_FAILURE
    assert len(down.error_lines) == 1 and "lowest version to go down to is 1" in down.err
    listed = cli("list", "--all", "--json", user="mallory")
    assert listed.code == EXIT_OK, listed.err
    assert json.loads(listed.out) == []
    alice_still_has_everything(planned)


def test_tasks_changing_while_the_user_is_asked_refuses_the_step(
    planned: TaskStore, location: str, clock: FrozenClock
) -> None:
    """The question is asked with no lock held; once the lock is held, the file must still
    hold what was confirmed, or nothing is done."""

    def yes_but_meanwhile_bob_adds_a_due_date(loss: DataLoss) -> bool:
        with open_store(location, user="bob", clock=clock) as bob:
            bob.create("late", due=Due(FRIDAY))
        return True

    with pytest.raises(MigrationError, match="changed while the loss was being confirmed"):
        planned.migrate(to=3, confirm=yes_but_meanwhile_bob_adds_a_due_date)
    alice_still_has_everything(planned)


def test_the_store_never_drops_data_on_a_step_down_unless_asked(planned: TaskStore) -> None:
    """Any caller of TaskStore.migrate, not only the command line: no confirm, no loss."""
    with pytest.raises(DataLossError, match="would drop"):
        planned.migrate(to=3)
    alice_still_has_everything(planned)
    told: list[DataLoss] = []
    report = planned.migrate(to=3, confirm=lambda loss: told.append(loss) or True)
    assert report.to_version == 3 and told and told[0].target == 3


@pytest.mark.sqlite_only
def test_a_file_an_earlier_taskflow_took_down_to_0_is_handed_to_nobody(
    cli: CLI, db_path: Path
) -> None:
    """What `--user alice db migrate --to 0` used to leave: the legacy table, beside
    TaskFlow's own version table with no version left in it."""
    connection = sqlite3.connect(db_path)
    connection.executescript(LEGACY_DDL)
    connection.execute(
        "CREATE TABLE schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    connection.executemany(
        "INSERT INTO tasks (id, title, completed) VALUES (?, ?, 0)",
        [("a-1", "alice's"), ("b-1", "bob's")],
    )
    connection.commit()
    connection.close()
    before = file_digest(db_path), sorted(os.listdir(db_path.parent))
    for user in ("mallory", "alice"):
        result = cli("list", user=user)
        assert result.code == EXIT_FAILURE and result.out == ""
        assert len(result.error_lines) == 1
        assert "taken down to schema version 0 by an earlier TaskFlow" in result.err
    assert (file_digest(db_path), sorted(os.listdir(db_path.parent))) == before


# -- on a terminal: asked, y/N ----------------------------------------------------------------


def run_on_a_terminal(database: Path, answer: bytes) -> tuple[int, str]:
    """`taskflow db migrate --to 3` with a pseudo-terminal for all three streams: what it
    printed (prompt included) and its exit status, after ``answer`` was typed."""
    main, child_end = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    command = ["--db", str(database), "--user", "alice", "db", "migrate", "--to", "3"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *command],
        stdin=child_end,
        stdout=child_end,
        stderr=child_end,
        env=environment,
        cwd=REPO,
    )
    os.close(child_end)
    seen = b""
    answered = False
    deadline = time.monotonic() + 120  # against a hang only; nothing is timed
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(main, answer)
                answered = True
        return process.wait(timeout=60), seen.decode("utf-8", "replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("answer", [b"n\n", b"\n", b"y\n"], ids=["no", "enter", "yes"])
def test_on_a_terminal_it_asks_and_does_what_the_answer_says(
    planned: TaskStore, db_path: Path, answer: bytes
) -> None:
    planned.close()
    code, shown = run_on_a_terminal(db_path, answer)
    assert f"drops {DROPPED_IN_WORDS}. Go ahead? [y/N]" in shown
    if answer.strip().lower() == b"y":
        assert code == EXIT_OK, shown
        assert "Migrated from schema version" in shown
        with open_store(db_path, user="alice", migrate=False) as store:
            assert store.schema_version() == 3
    else:
        assert code == EXIT_FAILURE, shown
        assert "was not changed" in shown and "--yes" not in shown
        alice_still_has_everything(planned)


# -- on a server: only the database owner's role goes down ----------------------------------------

OTHER_ROLE_ENV = "TASKFLOW_TEST_POSTGRES_OTHER_URL"
OTHER_ROLE_FILE = REPO / ".ci" / ".postgres-other-url"


def other_role_url() -> str:
    """The URL of a login that owns nothing (.ci/postgres-up makes one, taskflow_other)."""
    url = os.environ.get(OTHER_ROLE_ENV, "").strip()
    if not url and OTHER_ROLE_FILE.exists():
        url = OTHER_ROLE_FILE.read_text(encoding="utf-8").strip()
    if not url:
        message = f"no second PostgreSQL role: set {OTHER_ROLE_ENV} or run .ci/postgres-up"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test, but there is {message}")
        pytest.skip(message)
    return url


@pytest.fixture
def not_the_owner(location: str) -> str:
    """A TaskFlow user's URL on the test schema, for a role that may read and write the
    tasks (as a team's members do) but owns neither the database nor the tables."""
    import psycopg

    other = other_role_url()
    role = unquote(urlsplit(other).username or "")
    query = urlsplit(location).query
    schema = unquote(query).split("search_path=", 1)[1]
    with psycopg.connect(location, autocommit=True) as owner:
        owner.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        owner.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
        owner.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    return f"{other}?{query}"


@pytest.mark.postgres_only
def test_on_a_server_a_role_that_owns_nothing_cannot_go_down(
    cli: CLI, planned: TaskStore, not_the_owner: str
) -> None:
    # The role is a working TaskFlow user...
    listed = cli("list", "--all", user="mallory", db=not_the_owner)
    assert listed.code == EXIT_OK, listed.err
    # ...but going down, which drops every owner's data with no backup, is the owner's.
    for target in ("3", str(LATEST_VERSION - 1)):
        result = cli("db", "migrate", "--to", target, "--yes", user="mallory", db=not_the_owner)
        assert result.code == EXIT_FAILURE
        assert len(result.error_lines) == 1
        assert "needs the role that owns the database" in result.err
        assert "Nothing was changed" in result.err
    alice_still_has_everything(planned)
    # The owner's role may.
    owner = cli("db", "migrate", "--to", "3", "--yes", user="mallory")
    assert owner.code == EXIT_OK, owner.err
    assert planned.schema_version() == 3
