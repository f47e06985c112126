"""Where ``export -o FILE`` may write, decided before a byte is written.

`-o FILE` writes only to a regular file or a new path (atomically, through a temporary
file renamed over it), or streams to a FIFO, a character device (/dev/null, a
terminal) or a descriptor already open (/dev/stdout, /dev/fd/N). A symlink is written
through: its target gets the new content, the link stays. Everything else is refused
in one line before a byte is written: a folder, a socket, a block device, a dangling
link, a file with other hard links (replacing it would cut them off, and writing
into it could leave it torn), a file the caller could not write, one whose owner or
group a replacement could not keep, and any of the database's own files.

The write itself (temporary file, fsync, rename, owner and mode kept) is
store.files.write_atomically; what is decided here is what ``-o`` may name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from store import StoreError, TaskStore, ValidationError
from store.files import error_reason
from tui.cli.output import HELD_CLOSED


@dataclass(frozen=True)
class ExportTarget:
    given: Path  # as the user wrote it, for messages
    path: Path  # every symlink followed: where the bytes land
    existing: os.stat_result | None  # the regular file replaced; None for a new one
    streamed: bool  # a FIFO, a character device or an open descriptor: no temporary file


# /proc/PID/fd/N (what /dev/stdout and /dev/fd/N lead to) is a descriptor this process
# already has open: written where it points, as the shell opened it.
_DESCRIPTOR = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd/(\d+)")
_MOST_LINKS = 40  # the kernel's own limit on symlinks in one path

_NOT_WRITTEN_TO = {
    stat.S_IFDIR: "a folder",
    stat.S_IFSOCK: "a socket",
    stat.S_IFBLK: "a block device",
}


def find_export_target(output: Path) -> ExportTarget:
    """What ``-o`` names, checked before the database is opened (the name is the first
    thing to fix); the write checks again, since the file may change in between."""
    path, descriptor = _followed(output)
    if descriptor:
        return ExportTarget(output, path, None, streamed=True)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _new_export_file(output, path)
    except OSError as error:
        raise StoreError(f"Cannot write {output}: {error_reason(error)}.") from None
    if stat.S_ISREG(info.st_mode):
        _refuse_replacing(output, path, info)
        return ExportTarget(output, path, info, streamed=False)
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
        return ExportTarget(output, path, None, streamed=True)
    what = _NOT_WRITTEN_TO.get(stat.S_IFMT(info.st_mode), "not a regular file")
    raise ValidationError(
        "output",
        f"{output} is {what}; an export writes to a regular file or a new path "
        "(or streams to a FIFO or a character device).",
    )


def _new_export_file(output: Path, path: Path) -> ExportTarget:
    if os.path.islink(output):
        # As GNU cp does: a dangling link may have been left to make us create a file
        # somewhere else, and its owner may not be the one running the export.
        raise ValidationError(
            "output",
            f"{output} is a symbolic link to {path}, which does not exist; "
            "an export does not write through a dangling link.",
        )
    if not path.parent.is_dir():
        raise StoreError(f"Cannot write {output}: no such file or directory.")
    return ExportTarget(output, path, None, streamed=False)


def _refuse_replacing(output: Path, path: Path, info: os.stat_result) -> None:
    """A replacement is a new file: it may not do what writing into the old one could not."""
    if not _may_write(path):
        raise StoreError(
            f"Cannot write {output}: permission denied "
            "(an export replaces only a file you could write)."
        )
    if info.st_nlink > 1:
        others = info.st_nlink - 1
        raise ValidationError(
            "output",
            f"{output} has {others} other hard link{'s' if others > 1 else ''}; a new file "
            "in its place would cut them off, and writing into it could leave it "
            "half-written. Export to a new file, then copy it over.",
        )


def _may_write(path: Path) -> bool:
    # The effective ids decide, as for open(); root may write anything not immutable.
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _followed(output: Path) -> tuple[Path, bool]:
    """``output`` with every symlink followed, as ``os.path.realpath`` does, and whether
    it names an open descriptor. Stops at the first name that does not exist.

    Each link is checked as Linux's fs.protected_symlinks does (whether or not the
    machine turns it on): a link in a shared sticky folder such as /tmp, owned by
    someone other than the caller and the folder's owner, is not followed. Otherwise
    another user could point /tmp/tasks.json at a file of ours and have root's export
    replace it.
    """
    try:
        absolute = output if output.is_absolute() else Path.cwd() / output
    except OSError as error:  # the current folder was removed
        raise StoreError(f"Cannot write {output}: {error_reason(error)}.") from None
    pending = list(reversed(absolute.parts[1:]))
    here = "/"
    links = 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            here = os.path.dirname(here)
            continue
        candidate = os.path.join(here, name)
        if not pending and _DESCRIPTOR.fullmatch(candidate):
            return Path(candidate), True
        try:
            info = os.lstat(candidate)
        except OSError:  # missing (a new file), or a folder we may not look into
            return Path(candidate, *reversed(pending)), False
        if not stat.S_ISLNK(info.st_mode):
            here = candidate
            continue
        links += 1
        if links > _MOST_LINKS:
            raise StoreError(f"Cannot write {output}: too many levels of symbolic links.")
        _refuse_a_planted_link(output, candidate, info, here)
        link = os.readlink(candidate)
        if link.startswith("/"):
            here = "/"
        pending.extend(reversed(link.split("/")))
    return Path(here), False


def _refuse_a_planted_link(output: Path, link: str, info: os.stat_result, folder: str) -> None:
    try:
        place = os.stat(folder)
    except OSError:
        return
    shared = bool(place.st_mode & stat.S_ISVTX) and bool(place.st_mode & stat.S_IWOTH)
    if shared and info.st_uid not in (os.geteuid(), place.st_uid):
        raise ValidationError(
            "output",
            f"{output} goes through {link}, a symbolic link another user made in the "
            f"shared folder {folder}; an export does not follow it.",
        )


def refuse_overwriting_the_database(
    store: TaskStore, target: ExportTarget, opened_file: os.stat_result | None = None
) -> None:
    """The database, its -wal, -shm and -journal, and its backups, whatever the path
    that leads there: a symlink, another spelling, a hard link, /dev/fd/N. Compared by
    what the paths resolve to and by file identity (device and inode)."""
    identity = opened_file or target.existing
    for role, path in _database_files(store):
        same = os.path.realpath(path) == str(target.path)
        if not same and identity is not None:
            with contextlib.suppress(OSError):
                info = os.stat(path)
                same = (info.st_dev, info.st_ino) == (identity.st_dev, identity.st_ino)
        if same:
            raise ValidationError("output", f"{target.given} is {role}; choose another file.")


def _database_files(store: TaskStore) -> list[tuple[str, Path]]:
    """The files that make up the database (those that exist now and those SQLite may
    create), under the name it was opened by and the one that name resolves to."""
    database = store.path
    if database is None:  # a server's database has no file of ours
        return []
    files: list[tuple[str, Path]] = [("a backup of the database", p) for p in store.backups()]
    for base in {database.absolute(), Path(os.path.realpath(database))}:
        files += [
            ("the database itself", base),
            ("the database's write-ahead log", base.with_name(base.name + "-wal")),
            ("the database's shared-memory file", base.with_name(base.name + "-shm")),
            ("the database's rollback journal", base.with_name(base.name + "-journal")),
        ]
        with contextlib.suppress(OSError):
            backup = base.name + ".backup-"  # as the store names them
            files += [
                ("a backup of the database", entry)
                for entry in base.parent.iterdir()
                if entry.name.startswith(backup)
            ]
    return files


def open_stream(target: ExportTarget) -> int:
    """One of our own descriptors (/dev/stdout is /proc/self/fd/1) is duplicated, so the
    export shares its offset and flags: `> file` and `>> file` mean what the shell
    meant. Anything else is opened without creating or truncating it."""
    found = _DESCRIPTOR.fullmatch(str(target.path))
    if found is not None and int(found.group(1)) == os.getpid():
        number = int(found.group(2))
        if number in HELD_CLOSED:
            raise OSError(errno.EBADF, "it was closed when the command started")
        return os.dup(number)
    return os.open(target.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_CLOEXEC)


def is_standard_output(target: ExportTarget) -> bool:
    """Whether the export went to the file standard output is, where the confirmation
    would land after (or, with another offset, over) the data."""
    if not target.streamed or sys.stdout is None:
        return False
    try:
        written, ours = os.stat(target.path), os.fstat(1)
    except OSError:
        return False
    return (written.st_dev, written.st_ino) == (ours.st_dev, ours.st_ino)
