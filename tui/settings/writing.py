"""Writing what the user chose in the app (a theme, the list as it was left) back to the
config file, keeping every comment, blank line and order of theirs (tomlkit), and
never leaving a half-written file (a new file, then an atomic rename)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.settings.loading import MAX_CONFIG_BYTES

_NEW_FILE_HEADER = (
    "# TaskFlow's settings: every one is in the README, under Configuration.\n"
    "# TaskFlow writes the theme you choose, and the list as you left it ([state]), here.\n"
)


class NotWritten(Exception):
    """The file was left as it was; the text says why, in words fit for a notification."""


def write_settings(path: Path, changes: Mapping[str, Any]) -> None:
    """Set each dotted name ("theme", "state.view") to its value in the file at ``path``,
    creating it (and its folder) if there is none."""
    import tomlkit  # here: only a change made in the app writes the file
    from tomlkit.exceptions import TOMLKitError

    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        data = _NEW_FILE_HEADER.encode()
    except OSError as error:
        raise NotWritten(f"{path} cannot be read ({error.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise NotWritten(f"{path} is over 1 MB")
    try:
        document = tomlkit.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, TOMLKitError):
        raise NotWritten(f"{path} has an error to fix first ('taskflow config edit')") from None
    changed = False
    for name, value in changes.items():
        *tables, key = name.split(".")
        container: Any = document
        for table in tables:
            if table not in container:
                container[table] = tomlkit.table()
            container = container[table]
        if container.get(key) != value:
            container[key] = value
            changed = True
    if changed:
        _replace_atomically(path, tomlkit.dumps(document).encode("utf-8"))


def _replace_atomically(path: Path, data: bytes) -> None:
    """A reader sees the old file or the new one, never a part of either."""
    # Through a symlink the user keeps (a dotfiles repository), not over it.
    target = path.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
        handle, temporary = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise NotWritten(f"{path} cannot be written ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise NotWritten(f"{path} cannot be written ({error.strerror})") from None
