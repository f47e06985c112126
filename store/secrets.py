"""Sync passwords: never in the database, never in any output.

Kept with ``keyring`` where it is installed and has a real backend (the desktop's
keychain: GNOME Keyring, KWallet, macOS Keychain), else in a file only the user may
read (mode 0600) in the platformdirs config folder, one line a key: ``key<TAB>password``
with the password base64-encoded (so that no character of it can break a line; it is
not encryption, and the file's mode is what protects it). ``taskflow sync status``
says which holds each account's password.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import os
from pathlib import Path
from typing import Any

from store.errors import StoreError

KEYRING_SERVICE = "taskflow-sync"
FILE_NAME = "sync-passwords"
KEYRING = "the system keyring"


def passwords_file() -> Path:
    import platformdirs

    return platformdirs.user_config_path("taskflow", appauthor=False) / FILE_NAME


def _keyring() -> Any:
    """The keyring module if it has a backend that really keeps secrets, else None."""
    if os.environ.get("TASKFLOW_NO_KEYRING"):
        return None
    try:  # not a dependency: used where the user has it
        ring = importlib.import_module("keyring")
        backend = ring.get_keyring()
    except Exception:  # not installed, or broken: the file it is
        return None
    # The 'fail' backend, or a chain of none, has no priority: nothing would be kept.
    if getattr(backend, "priority", 0) <= 0:
        return None
    return ring


def save_password(key: str, password: str) -> str:
    """Keep ``password`` under ``key``; where it went, in words."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(KEYRING_SERVICE, key, password)
            return KEYRING
        except Exception:  # a locked or refusing keyring: the file, then
            pass
    entries = _read_file()
    entries[key] = password
    _write_file(entries)
    return str(passwords_file())


def load_password(key: str) -> str | None:
    ring = _keyring()
    if ring is not None:
        try:
            found = ring.get_password(KEYRING_SERVICE, key)
        except Exception:
            found = None
        if found is not None:
            return str(found)
    return _read_file().get(key)


def password_place(key: str) -> str | None:
    """Where the password of ``key`` is kept, in words; None if nowhere."""
    ring = _keyring()
    if ring is not None:
        try:
            if ring.get_password(KEYRING_SERVICE, key) is not None:
                return KEYRING
        except Exception:
            pass
    return str(passwords_file()) if key in _read_file() else None


def forget_password(key: str) -> None:
    ring = _keyring()
    if ring is not None:
        with contextlib.suppress(Exception):
            ring.delete_password(KEYRING_SERVICE, key)
    entries = _read_file()
    if entries.pop(key, None) is not None:
        _write_file(entries)


def _read_file() -> dict[str, str]:
    path = passwords_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise StoreError(f"Cannot read {path}: {error.strerror or error}.") from None
    entries: dict[str, str] = {}
    for line in text.splitlines():
        key, _, encoded = line.partition("\t")
        try:
            entries[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except ValueError:
            continue  # a line someone broke: that password is asked for again
    return entries


def _write_file(entries: dict[str, str]) -> None:
    """Written to a 0600 temporary file beside it, then renamed: never readable by
    others, not even for a moment, and never half written."""
    path = passwords_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            for key, password in sorted(entries.items()):
                encoded = base64.b64encode(password.encode("utf-8")).decode("ascii")
                stream.write(f"{key}\t{encoded}\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as error:
        raise StoreError(f"Cannot write {path}: {error.strerror or error}.") from None
