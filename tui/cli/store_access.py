"""What every command shares: the store that --db and --user (or the config file) name,
opened and closed, the clock the store uses, and text read from standard input."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

# store/__init__.py imports utc_now but leaves it out of __all__: drop the ignore once listed.
from store import (
    DB_ENV_VAR,
    DatabaseLocation,
    LocationError,
    NotADatabaseError,
    Source,
    TaskRecord,
    TaskStore,
    ValidationError,
    formats,
    local_now,
    open_store,
    resolve_location,
    resolve_user,
    utc_now,
)
from store.config import special_file_kind
from tui.cli.settings_access import configured


def open_from_args(args: argparse.Namespace, *, migrate: bool = True) -> TaskStore:
    """The store --db, $TASKFLOW_DB_PATH, the config file or the default names, for the
    owner --user, $TASKFLOW_USER, the config file or the login names. A database the
    config file names that cannot be used is refused naming the file, its line and the
    setting (the user's fix is there), before anything is created."""
    location = location_from_args(args)
    owner = user_from_args(args)
    refuse_an_unusable_place(location)
    try:
        return open_store(
            location, user=owner, migrate=migrate, clock=getattr(args, "clock", utc_now)
        )
    except (LocationError, NotADatabaseError) as error:
        if location.configured is None:
            raise
        raise LocationError(location.configured.refusal(str(error))) from None


def location_from_args(args: argparse.Namespace) -> DatabaseLocation:
    return resolve_location(getattr(args, "db", None), configured=configured(args, "database"))


def user_from_args(args: argparse.Namespace) -> str:
    return resolve_user(getattr(args, "user", None), configured=configured(args, "user"))


def refuse_a_missing_database(args: argparse.Namespace) -> None:
    """A read command on a path given with --db or $TASKFLOW_DB_PATH where there is no
    file: most likely a typo. Creating an empty database there and saying "No open
    tasks" would hide it. The default location is left alone: on first use it is
    empty, and that is the truth. Nothing here touches the file system but a stat."""
    user_from_args(args)  # a bad --user is the first thing to fix
    location = location_from_args(args)
    path = location.path
    if location.source is Source.DEFAULT or path is None or path.exists():
        return
    refuse_an_unusable_place(location)  # the more precise of the two
    fix = "check the path (a command that adds a task, or an import, creates one there)."
    if location.configured is not None:
        message = f"There is no database at {location.display()}; {fix}"
        raise LocationError(location.configured.refusal(message))
    raise LocationError(
        f"There is no database at {location.display()} ({source_words(location)}); {fix}"
    )


def refuse_an_unusable_place(location: DatabaseLocation) -> None:
    """What no command can use as its database, refused before anything is opened or
    created, naming the config file's line if that is where it is from: a path under a
    file, not a folder (it can never be made), and a folder or a special file (a FIFO
    would hang every command) where the database file should be. Only stats. The open
    path runs it, and `config show` and `config edit` report what it refuses."""
    path = location.path
    if path is None:
        return
    message = _unusable(path)
    if message is None:
        return
    if location.configured is not None:
        message = location.configured.refusal(message)
    raise LocationError(message)


def _unusable(path: Path) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError:  # none there yet (or not to be seen): then its folders
        for folder in path.parents:
            try:
                if not stat.S_ISDIR(os.stat(folder).st_mode):
                    return f"Cannot use {path}: {folder} is a file, not a folder."
            except OSError:  # not there either (it will be made), or not to be seen
                continue
            return None
        return None
    kind = special_file_kind(mode)
    if kind == "a folder":
        return (
            f"{path} is a folder, not a database file; give a file path such as "
            f"{path / 'tasks.db'}."
        )
    if kind is not None:
        return (
            f"{path} is {kind}, not a database file; give the path of a database file "
            "(or of a new one)."
        )
    return None


def source_words(location: DatabaseLocation) -> str:
    """'from --db', 'from $TASKFLOW_DB_PATH', 'from /home/me/.config/taskflow/config.toml,
    line 3' or 'the default'."""
    if location.configured is not None:
        return f"from {location.configured.place()}"
    return {Source.ARGUMENT: "from --db", Source.ENVIRONMENT: f"from ${DB_ENV_VAR}"}.get(
        location.source, "the default"
    )


def now_local(args: argparse.Namespace) -> datetime:
    """The moment in local time, from the same clock as the store (as the app does)."""
    return local_now(args.clock())


@contextlib.contextmanager
def opened(
    args: argparse.Namespace, *, migrate: bool = True, existing: bool = False
) -> Iterator[TaskStore]:
    """The store, closed afterwards. A command that can only work on tasks already there
    (it reads, or changes a task it names: edit, done, rm, undo) passes ``existing``: on
    a path the user named that holds no database, it fails rather than create one."""
    if existing:
        refuse_a_missing_database(args)
    store = open_from_args(args, migrate=migrate)
    try:
        yield store
    finally:
        store.close()


def read_text_argument(value: str | None) -> str | None:
    """A --description value; '-' means the text comes from standard input."""
    if value != "-":
        return value
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "description", f"Standard input is not UTF-8 text (byte {error.start + 1})."
            ) from None
    return data


def task_views(
    store: TaskStore, tasks: Sequence[TaskRecord], paths: Mapping[str, str] | None = None
) -> Callable[[TaskRecord], Any]:
    """How --json shows these tasks: with their projects' paths (``paths``, unless
    the caller read them already) and their subtasks counted, read while the store
    is open."""
    paths = store.project_paths() if paths is None else paths
    counts = store.subtask_counts([task.id for task in tasks])
    return lambda task: formats.task_json(task, paths, counts)
