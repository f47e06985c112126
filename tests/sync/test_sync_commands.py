"""taskflow sync setup / sync / sync status / sync forget against a real Radicale: what
they print, the exit codes, and the password, which appears in no output and not in
the database file (its bytes are searched), and is kept in a 0600 file here (no
keyring backend on a test machine)."""

from __future__ import annotations

import io
import json
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from store import open_store
from store.secrets import passwords_file
from tests.cli.helpers import Result
from tests.helpers import FrozenClock
from tests.sync.radicale_server import CalDavAccount, RadicaleServer
from tui.cli import EXIT_FAILURE, EXIT_OK, main

Run = Callable[..., Result]


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Run:
    """``run("sync", stdin="pw\\n")``: taskflow on the test's database, in-process."""
    monkeypatch.setenv("TASKFLOW_NO_KEYRING", "1")
    monkeypatch.delenv("TASKFLOW_SYNC_PASSWORD", raising=False)

    def go(*argv: str, stdin: str = "", db: Path | None = None) -> Result:
        stream = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stream)
        database = db or tmp_path / "tasks.db"
        code = main(["--db", str(database), "--user", "alice", *argv], clock=clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return go


def setup(run: Run, account: CalDavAccount, *extra: str) -> Result:
    return run(
        "sync", "setup", account.url, "--username", account.username, "--password-stdin",
        *extra, stdin=account.password + "\n",
    )  # fmt: skip


def test_setup_sync_status_and_forget(
    run: Run, caldav_account: CalDavAccount, tmp_path: Path
) -> None:
    run("add", "Buy milk tomorrow #shop")
    run("add", "Plan the launch +Work")
    made = setup(run, caldav_account)
    assert made.code == EXIT_OK, made.err
    assert "linked  Work ↔ the list “Work” (list made)" in made.out
    assert "linked  Inbox ↔ the list “Inbox” (list made)" in made.out
    synced = run("sync", "--json")
    assert synced.code == EXIT_OK, synced.err
    report = json.loads(synced.out)
    assert set(report) == {"pulled", "pushed", "merged", "conflicts", "deleted", "errors"}
    assert report["pushed"]["count"] == 2 and report["errors"]["count"] == 0
    again = run("sync")
    assert again.out.startswith("Synced: 0 pulled, 0 pushed")
    status = run("sync", "status")
    assert f"{caldav_account.username} at {caldav_account.url}" in status.out
    assert f"kept in {passwords_file()}" in status.out
    assert "Work ↔ Work" in status.out
    mode = stat.S_IMODE(passwords_file().stat().st_mode)
    assert mode == 0o600
    forgot = run("sync", "forget", caldav_account.username)
    assert forgot.code == EXIT_OK
    assert run("sync").code == EXIT_FAILURE  # no account any more
    assert caldav_account.password not in passwords_file().read_text(encoding="utf-8")


def test_the_password_is_in_no_output_and_not_in_the_database(
    run: Run, caldav_account: CalDavAccount, tmp_path: Path
) -> None:
    run("add", "A task")
    outputs = [setup(run, caldav_account), run("sync"), run("sync", "status")]
    outputs += [run("sync", "status", "--json"), run("db", "status"), run("export")]
    outputs += [run("sync", "--json"), run("list", "--json")]
    secret = caldav_account.password
    for result in outputs:
        assert secret not in result.out and secret not in result.err
    for path in tmp_path.glob("tasks.db*"):
        assert secret.encode() not in path.read_bytes()
    # Kept, but not as the text itself (base64, in a file only the user can read).
    assert secret not in passwords_file().read_text(encoding="utf-8")


def test_a_wrong_password_is_one_line_and_sets_nothing_up(
    run: Run, caldav_account: CalDavAccount, tmp_path: Path
) -> None:
    wrong = CalDavAccount(caldav_account.url, caldav_account.username, "not-it")
    result = setup(run, wrong)
    assert result.code == EXIT_FAILURE
    assert result.err.count("\n") == 1 and "refused the user name or password" in result.err
    assert "not-it" not in result.err + result.out
    with open_store(tmp_path / "tasks.db", user="alice") as store:
        assert store.sync_rows().accounts() == []
    assert not passwords_file().exists()


def test_a_server_that_is_down_is_one_line_and_changes_no_task(
    run: Run, radicale: RadicaleServer, tmp_path: Path
) -> None:
    run("add", "Stays as it is")
    assert setup(run, radicale.account).code == EXIT_OK
    assert run("sync").code == EXIT_OK
    before = run("list", "--json").out
    radicale.stop()
    down = run("sync")
    assert down.code == EXIT_FAILURE
    assert down.err.count("\n") == 1 and "Cannot reach 127.0.0.1" in down.err
    assert "Traceback" not in down.err
    assert run("list", "--json").out == before
    assert "Cannot reach" in run("sync", "status").out  # the last sync's failure, said
    radicale.restart()
    assert run("sync").code == EXIT_OK


def test_a_url_that_is_not_caldav_and_one_that_is_not_http(run: Run) -> None:
    result = run("sync", "setup", "ftp://example.com/", "--username", "me", "--password-stdin",
                 stdin="pw\n")  # fmt: skip
    assert result.code == EXIT_FAILURE and "not an http:// or https:// URL" in result.err
    no_password = run("sync", "setup", "https://example.com/", "--username", "me")
    assert no_password.code == EXIT_FAILURE and "--password-stdin" in no_password.err


def test_setting_up_the_same_account_twice_is_refused(
    run: Run, caldav_account: CalDavAccount
) -> None:
    assert setup(run, caldav_account).code == EXIT_OK
    twice = setup(run, caldav_account)
    assert twice.code == EXIT_FAILURE and "set up already" in twice.err


def test_a_tls_failure_is_one_line(run: Run, tmp_path: Path) -> None:
    # A real HTTPS server (Python's own, on 127.0.0.1) whose certificate no one signed.
    import http.server
    import ssl
    import subprocess
    import threading

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_port}/"
        result = run("sync", "setup", url, "--username", "me", "--password-stdin", stdin="pw\n")
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == EXIT_FAILURE
    assert result.err.count("\n") == 1 and "TLS with 127.0.0.1" in result.err
    assert "certificate" in result.err and "Traceback" not in result.err
    with open_store(tmp_path / "tasks.db", user="alice") as store:
        assert store.sync_rows().accounts() == []


def test_a_calendar_without_tasks_is_left_alone(run: Run, caldav_account: CalDavAccount) -> None:
    import caldav

    client = caldav.DAVClient(
        url=caldav_account.url, username=caldav_account.username, password=caldav_account.password
    )
    events = client.principal().make_calendar(
        name="Work", supported_calendar_component_set=["VEVENT"]
    )
    run("add", "Plan the launch +Work")
    made = setup(run, caldav_account)
    assert made.code == EXIT_OK
    assert "Work ↔ the list “Work” (list made)" in made.out  # its own list, for tasks
    assert run("sync").code == EXIT_OK
    assert events.todos() == [] and events.events() == []  # nothing written into it


def test_a_second_sync_of_the_same_database_waits_its_turn(
    run: Run, caldav_account: CalDavAccount, tmp_path: Path
) -> None:
    import fcntl
    import os

    assert setup(run, caldav_account).code == EXIT_OK
    # Another sync holds the database's sync lock (the app's, say).
    descriptor = os.open(tmp_path / "tasks.db.sync-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        busy = run("sync")
    finally:
        os.close(descriptor)
    assert busy.code == EXIT_FAILURE
    assert busy.err.count("\n") == 1 and "Another sync of this database is running" in busy.err
    assert run("sync").code == EXIT_OK  # released: its turn
