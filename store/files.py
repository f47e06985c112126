"""Writing a file atomically and durably: a crash or a reader never sees it half written.

Plain file-system code, with no database in it. The command line's ``export -o``
writes through it (having chosen the target, see tui/cli/export_target.py), and so
may anything in the store that replaces a user's file. The guards that belong to
the write itself live here: the replacement keeps the old file's owner, group and
mode or nothing is written, and the file is renamed over only if it is still the
one that was checked. Failures are StoreErrors with a message fit to show a user
(worded for an export, the one caller so far).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from store.errors import StoreError, ValidationError


def write_atomically(
    path: Path,
    write: Callable[[TextIO], int],
    *,
    replacing: os.stat_result | None = None,
    name: Path | None = None,
) -> int:
    """Write through a temporary file in the same folder: fsync, then rename over ``path``.

    Readers (and a crash) see the old file or the complete new one, never a torn one.
    ``path`` is where the bytes land (no symlink); ``replacing`` the file found there
    (None: a new path), whose owner, group and mode the new file keeps, or nothing is
    written. ``name`` is the path as the user gave it, for messages.
    """
    shown = name or path
    if path.is_dir():
        raise ValidationError("output", f"{shown} is a folder; give a file name.")
    import tempfile  # here, not at the top: only an export to a file needs it

    folder = path.absolute().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise StoreError(f"Cannot write {shown}: {error_reason(error)}.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            _keep_owner_and_mode(stream.fileno(), replacing, shown)
            count = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        _refuse_a_changed_target(path, replacing, shown)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise StoreError(f"Cannot write {shown}: {error_reason(error)}.") from None
        raise
    _fsync_folder(folder)
    return count


def _keep_owner_and_mode(descriptor: int, replacing: os.stat_result | None, name: Path) -> None:
    """The new file gets the old one's owner, group and mode (set before a byte is in it);
    when it cannot (the old file is another user's, or of a group the caller is not
    in), the export is refused rather than hand someone's file to the caller."""
    if replacing is not None:
        mine = os.fstat(descriptor)
        uid = replacing.st_uid if replacing.st_uid != mine.st_uid else -1
        gid = replacing.st_gid if replacing.st_gid != mine.st_gid else -1
        if uid != -1 or gid != -1:
            try:
                os.fchown(descriptor, uid, gid)
            except PermissionError:
                whose = "belongs to another user" if uid != -1 else "has a group you are not in"
                raise StoreError(
                    f"Cannot replace {name}: it {whose}, and a new file in its place could "
                    "not keep that; nothing was written."
                ) from None
    # mkstemp makes the file private; give it the mode a plain write would have.
    os.fchmod(descriptor, _mode_for(replacing))


def _refuse_a_changed_target(path: Path, replacing: os.stat_result | None, name: Path) -> None:
    """Just before the rename: the file there is still the one that was checked."""
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return  # gone meanwhile: the new file simply takes the name
    if replacing is not None and (now.st_dev, now.st_ino, now.st_nlink) == (
        replacing.st_dev,
        replacing.st_ino,
        1,
    ):
        return
    raise StoreError(
        f"{name} changed while the export was being written (another program put a "
        "file there); nothing was written. Try again."
    )


def _mode_for(replacing: os.stat_result | None) -> int:
    if replacing is not None:
        return stat.S_IMODE(replacing.st_mode)  # replacing a file keeps its permissions
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: sync the folder's entry)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def error_reason(error: OSError) -> str:
    """An OSError in the words a message uses: 'no space left on device'."""
    return (error.strerror or str(error)).lower()
