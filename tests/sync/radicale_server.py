"""A real Radicale CalDAV server on 127.0.0.1, for the sync tests.

``RadicaleServer(folder)`` writes a config, an htpasswd users file (plain passwords) and
a storage folder under ``folder``, and runs ``python -m radicale --config FILE`` in a
child process on a free port. ``restart()`` brings it back on the same port with the
same storage (the "server gone mid-sync" tests). The child never outlives the tests:
``stop()`` terminates it (and kills it if it has not ended within 5 s), the fixtures
call ``stop()`` in their finalizers, an ``atexit`` hook stops whatever is still running
when the interpreter exits, and on Linux the child asks the kernel for SIGTERM when its
parent dies (a pytest killed with SIGKILL).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
HOST = "127.0.0.1"


@dataclass(frozen=True)
class CalDavAccount:
    """A login on a CalDAV server: its root URL, a user name and a password."""

    url: str
    username: str
    password: str


@dataclass(frozen=True)
class SharedServer:
    """A running server known by its URL and its users file (the session's: started
    here or by CI's .ci/radicale-up)."""

    url: str
    users_file: Path

    def add_user(self, name: str, password: str) -> CalDavAccount:
        append_user(self.users_file, name, password)
        return CalDavAccount(self.url, name, password)


def new_credentials() -> tuple[str, str]:
    """A fresh user name (``u<hex>``) and a random password."""
    return f"u{secrets.token_hex(6)}", secrets.token_urlsafe(12)


def append_user(users_file: Path, name: str, password: str) -> None:
    """Add ``name:password`` to a plain htpasswd file.

    Radicale 3.9 needs no restart to see it: with ``[auth] htpasswd_cache = False``
    (its default) ``radicale/auth/htpasswd.py`` (``Auth._login``) re-reads the whole
    file on every login; with the cache on, it re-reads it when the file's size or
    mtime changed. One ``write`` of a short line in append mode, so that a server
    reading the file meanwhile sees the line whole or not at all.
    """
    if not name or any(c in name for c in ":\r\n") or any(c in password for c in "\r\n"):
        raise ValueError(f"not a valid htpasswd user: {name!r}")
    with users_file.open("a", encoding="utf-8") as users:
        users.write(f"{name}:{password}\n")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether an HTTP server at host:port answers a request (any status will do)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("OPTIONS", "/")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


_running: set[RadicaleServer] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    # PR_SET_PDEATHSIG (1): SIGTERM this process when the thread that forked it ends.
    # Best effort: a libc without prctl (not Linux) leaves only the other guards.
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _real_clock_environment() -> dict[str, str]:
    """The environment without faketime (.ci/run's shifted-clock passes): the server is
    another machine, on the real clock. Under a shifted one, its sync tokens, stamped on
    its files with the real time, would read as months old and expired."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith(("FAKETIME", "DONT_FAKE"))
    }


class RadicaleServer:
    """One Radicale process serving ``url``, with its users and storage under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.users_file = folder / "users"
        self.storage_folder = folder / "storage"
        self.config_file = folder / "config"
        self.log_file = folder / "radicale.log"
        self.port = free_port()
        self.accounts: list[CalDavAccount] = []
        self._process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.storage_folder.mkdir(exist_ok=True)
        self.users_file.touch()
        self.config_file.write_text(self._config(), encoding="utf-8")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def collections_folder(self) -> Path:
        """Where Radicale keeps the collections: ``<storage>/collection-root``
        (one folder per user, a calendar a folder in it, an object a ``.ics`` file)."""
        return self.storage_folder / "collection-root"

    @property
    def account(self) -> CalDavAccount:
        """The first user added (the ``radicale`` fixture adds one)."""
        if not self.accounts:
            raise LookupError(f"no user on the Radicale server at {self.url}")
        return self.accounts[0]

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _config(self) -> str:
        return "\n".join(
            [
                "[server]",
                f"hosts = {HOST}:{self.port}",
                "[auth]",
                "type = htpasswd",
                f"htpasswd_filename = {self.users_file}",
                "htpasswd_encryption = plain",
                # No pause after a 401 (default 1 s): tests log in, and fail to, often.
                "delay = 0",
                "[rights]",
                "type = owner_only",
                "[storage]",
                "type = multifilesystem",
                f"filesystem_folder = {self.storage_folder}",
                "[web]",
                "type = none",
                "[logging]",
                "level = warning",
                "",
            ]
        )

    def add_user(self, name: str, password: str) -> CalDavAccount:
        """Add a login (no restart needed: see ``append_user``)."""
        append_user(self.users_file, name, password)
        account = CalDavAccount(self.url, name, password)
        self.accounts.append(account)
        return account

    def start(self) -> None:
        """Start the server and wait until it answers HTTP (at most 15 s)."""
        if self.running:
            return
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=_real_clock_environment(),
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        _running.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if answers(HOST, self.port, timeout=0.5):
                return
            time.sleep(0.05)
        returncode = self._process.poll()
        self.stop()
        state = f"did not answer within {START_TIMEOUT:.0f} s"
        if returncode is not None:
            state = f"exited with status {returncode}"
        log_text = self.log_file.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"Radicale on {self.url} {state}; its output:\n{log_text[-4000:]}")

    def stop(self) -> None:
        """Terminate the server and wait for it; kill it if it has not ended in 5 s."""
        process, self._process = self._process, None
        _running.discard(self)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def restart(self) -> None:
        """Stop, then start again on the same port with the same users and storage."""
        self.stop()
        self.start()
