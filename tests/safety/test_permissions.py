"""What an unprivileged user may not do, run as one (issue 13, items 2 and 16).

Root ignores file permissions, so every case here runs the command in a forked child
that has become ``nobody``. Without root the child cannot become anyone, and the
test cannot show anything: it skips, except in CI (CI=true), where it fails.

- `export -o` never replaces a file the caller could not have written: in a 0777
  folder, another user's 0444, 0644 and 0600 files are refused, and their 0666 file
  too (a replacement could not keep its owner); bytes, owner and mode unchanged, no
  temporary file left.
- `db backup PATH` into a folder the caller cannot write names that folder and the
  target, not the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
import tempfile  # imported before the fork: nobody cannot read the standard library here
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from store import open_store
from tests.helpers import NOBODY_GID, NOBODY_UID, shared_tmpdir
from tui.cli import main

assert tempfile  # the export's temporary file needs it in the child


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def as_nobody(argv: list[str]) -> Ran:
    """``taskflow ARGV`` through ``main`` in a forked child running as nobody."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must run the permission tests as root (to become nobody)")
        pytest.skip("needs root, to run the command as the unprivileged user nobody")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False))
                os.setgroups([])
                os.setgid(NOBODY_GID)
                os.setuid(NOBODY_UID)
                if os.geteuid() != NOBODY_UID:
                    raise RuntimeError("could not become nobody")
                code = main(argv)
            except BaseException:
                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return Ran(os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder in /tmp that nobody can enter (pytest's tmp_path is private to root)."""
    folder = shared_tmpdir()
    try:
        yield folder
    finally:
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        folder.rmdir()


@pytest.fixture
def nobodys_database(place: Path) -> Path:
    """A database of nobody's own, in a folder of nobody's own."""
    home = place / "home"
    home.mkdir()
    path = home / "tasks.db"
    with open_store(path, user="nobody") as store:
        store.create("mine")
    for item in (home, *home.iterdir()):
        os.chown(item, NOBODY_UID, NOBODY_GID)
    return path


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("taskflow: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("mode", [0o444, 0o644, 0o600, 0o666], ids=oct)
def test_export_never_replaces_another_users_file(
    nobodys_database: Path, place: Path, mode: int
) -> None:
    open_folder = place / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)  # anyone may create and rename files here
    theirs = open_folder / "theirs.json"
    theirs.write_text("root's own file")
    theirs.chmod(mode)
    before = (digest(theirs), theirs.stat().st_uid, theirs.stat().st_mode, theirs.stat().st_ino)
    ran = as_nobody(
        ["--db", str(nobodys_database), "--user", "nobody", "export", "-o", str(theirs)]
    )
    assert ran.code == 1, ran
    line = one_line(ran.err)
    assert str(theirs) in line
    info = theirs.stat()
    assert (digest(theirs), info.st_uid, info.st_mode, info.st_ino) == before
    assert [p.name for p in open_folder.iterdir()] == ["theirs.json"]  # no temporary left


def test_export_through_a_link_to_another_users_file_is_refused(
    nobodys_database: Path, place: Path
) -> None:
    theirs = place / "theirs.json"
    theirs.write_text("root's own file")
    theirs.chmod(0o644)
    link = nobodys_database.parent / "tasks.json"
    link.symlink_to(theirs)
    os.lchown(link, NOBODY_UID, NOBODY_GID)
    ran = as_nobody(["--db", str(nobodys_database), "--user", "nobody", "export", "-o", str(link)])
    assert ran.code == 1, ran
    one_line(ran.err)
    assert theirs.read_text() == "root's own file" and theirs.stat().st_uid == 0
    assert link.is_symlink()


def test_export_to_a_file_of_nobodys_own_works(nobodys_database: Path) -> None:
    mine = nobodys_database.parent / "tasks.json"
    mine.write_text("old")
    os.chown(mine, NOBODY_UID, NOBODY_GID)
    mine.chmod(0o640)
    ran = as_nobody(["--db", str(nobodys_database), "--user", "nobody", "export", "-o", str(mine)])
    assert ran.code == 0, ran
    assert '"title": "mine"' in mine.read_text()
    info = mine.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (
        NOBODY_UID,
        NOBODY_GID,
        0o640,
    )


@pytest.mark.parametrize("given", ["file", "folder"])
def test_backup_into_a_folder_nobody_cannot_write_names_the_target(
    nobodys_database: Path, place: Path, given: str
) -> None:
    locked = place / "locked"
    locked.mkdir()
    locked.chmod(0o755)  # root's: nobody may look, not write
    target = locked / "copy.db" if given == "file" else locked
    ran = as_nobody(
        ["--db", str(nobodys_database), "--user", "nobody", "db", "backup", str(target)]
    )
    assert ran.code == 1, ran
    line = one_line(ran.err)
    assert str(locked) in line
    assert "backup" in line and "permission denied" in line
    assert str(nobodys_database) not in line
    assert list(locked.iterdir()) == []


def test_backup_into_a_folder_of_nobodys_own_works(nobodys_database: Path) -> None:
    target = nobodys_database.parent / "copy.db"
    ran = as_nobody(
        ["--db", str(nobodys_database), "--user", "nobody", "db", "backup", str(target)]
    )
    assert ran.code == 0, ran
    with open_store(target, user="nobody") as copy:
        assert [task.title for task in copy.list_tasks()] == ["mine"]
