"""Writing what the user chose in the app (a theme, the list as it was left) back to the
config file, keeping every comment, blank line and order of theirs (tomlkit), and
never leaving a half-written file (a new file, then an atomic rename).

A file the user made read-only is left alone, and so is one that changed while it was
being rewritten (the user saving it in an editor, another window): it is read again and
the change made over theirs, never the other way round.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.settings.loading import MAX_CONFIG_BYTES, shown_path

_NEW_FILE_HEADER = (
    "# TaskFlow's settings: every one is in the README, under Configuration.\n"
    "# TaskFlow writes the theme you choose, and the list as you left it ([state]), here.\n"
)
_ATTEMPTS = 3  # reads of a file that keeps changing under us, before giving up


class NotWritten(Exception):
    """The file was left as it was; the text says why, in words fit for a notification."""


def write_settings(path: Path, changes: Mapping[str, Any]) -> None:
    """Set each dotted name ("theme", "state.view") to its value in the file at ``path``,
    creating it (and its folder) if there is none."""
    # Through a symlink the user keeps (a dotfiles repository), not over it.
    target = path.resolve()
    for _ in range(_ATTEMPTS):
        before = _identity(target)
        data = _read(target)
        updated = _updated(target, data, changes)
        if updated is None:
            return  # the file says so already
        if _replace_if_unchanged(target, updated, before):
            return
    raise NotWritten(f"{path} kept changing while TaskFlow wrote to it")


def _identity(target: Path) -> tuple[int, int, int] | None:
    """What tells one version of the file from another; None: there is no file."""
    try:
        found = target.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise NotWritten(f"{shown_path(target)} cannot be read ({error.strerror})") from None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _read(target: Path) -> bytes:
    try:
        with target.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return _NEW_FILE_HEADER.encode()
    except OSError as error:
        raise NotWritten(f"{shown_path(target)} cannot be read ({error.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise NotWritten(f"{shown_path(target)} is over 1 MB")
    if not os.access(target, os.W_OK):
        raise NotWritten(f"{shown_path(target)} is read-only")
    return data


def _updated(target: Path, data: bytes, changes: Mapping[str, Any]) -> bytes | None:
    """The file's text with ``changes`` made; None when it says all of them already."""
    import tomlkit  # here: only a change made in the app writes the file
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, TOMLKitError):
        raise NotWritten(
            f"{shown_path(target)} has an error to fix first ('taskflow config edit')"
        ) from None
    changed = False
    for name, value in changes.items():
        *tables, key = name.split(".")
        container: Any = document
        for table in tables:
            if table not in container:
                container[table] = tomlkit.table()
            container = container[table]
            if not isinstance(container, dict):
                raise NotWritten(f"{shown_path(target)}: {table} must be a table ([{table}])")
        if container.get(key) != value:
            container[key] = value
            changed = True
    return tomlkit.dumps(document).encode("utf-8") if changed else None


def _replace_if_unchanged(target: Path, data: bytes, before: tuple[int, int, int] | None) -> bool:
    """Put ``data`` in place of the file, unless the file is no longer the one read
    (then False: read it again). A reader sees the old file or the new, never a part."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o7777 if before is not None else 0o644
        handle, temporary = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise NotWritten(f"{shown_path(target)} cannot be written ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        if _identity(target) != before:
            os.unlink(temporary)
            return False
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise NotWritten(f"{shown_path(target)} cannot be written ({error.strerror})") from None
    return True
