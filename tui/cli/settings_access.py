"""The config file as the command line reads it: once per command, in ``main``, and only
when there is a file (a stat). What each command takes from it: the database and the
owner (below --db/--user and the environment), the week's first day for dates in plain
words, how dates and times are written, and `list`'s sort and columns.

``args.settings`` is the file's Settings (tui.settings), or None when there is no file:
then every setting has its default, and the command paid nothing for the config layer,
neither its modules nor platformdirs (`taskflow --db X add` loads neither otherwise).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import DB_ENV_VAR, MONDAY, USER_ENV_VAR, Configured, DateStyle

if TYPE_CHECKING:
    from tui.settings import Settings

CONFIG_ENV_VAR = "TASKFLOW_CONFIG"  # tui.settings.CONFIG_ENV_VAR (a test keeps them equal)
APP_FOLDER = "taskflow"
CONFIG_FILE_NAME = "config.toml"

# The defaults of the settings the command line uses, for a command run without a config
# file (tui.settings.catalogue has them too; a test keeps the two equal).
DEFAULT_LIST_SORT = "created"
DEFAULT_LIST_COLUMNS = ("id", "priority", "due", "created", "tags")
DEFAULT_DATE_STYLE = DateStyle()


def read_settings(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> Settings | None:
    """The settings ``args`` ask for (``--config``, else $TASKFLOW_CONFIG, else the
    default file), with --db/--user and $TASKFLOW_DB_PATH/$TASKFLOW_USER laid over the
    file's database and user; None when neither option nor variable names a file and the
    default one does not exist."""
    environ = os.environ if environ is None else environ
    flag = getattr(args, "config", None)
    named = (flag is not None and os.fspath(flag) != "") or bool(
        environ.get(CONFIG_ENV_VAR, "").strip()
    )
    if named:
        return load_all(args, environ)
    default = default_config_file()
    if not _exists(default):
        return None
    return load_all(args, environ, default=default)


def load_all(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None = None,
    *,
    default: Path | None = None,
) -> Settings:
    """The settings, read whether or not there is a file (the app and `config` want a
    Settings, with the file's path, in every case). ``default``: the default file's
    path, when the caller knows it already (then platformdirs is not asked again)."""
    from tui.settings import Origin, load_settings

    environ = os.environ if environ is None else environ
    overrides: dict[str, tuple[Any, Origin, str]] = {}
    for name, option, variable in (("database", "db", DB_ENV_VAR), ("user", "user", USER_ENV_VAR)):
        # A blank value counts as not given, as resolve_location and resolve_user see it.
        given = getattr(args, option, None)
        if given is not None and os.fspath(given).strip():
            overrides[name] = (os.fspath(given), Origin.FLAG, f"--{option}")
        elif environ.get(variable, "").strip():
            overrides[name] = (environ[variable], Origin.ENVIRONMENT, f"${variable}")
    if default is None:
        return load_settings(getattr(args, "config", None), environ=environ, overrides=overrides)
    # Read as a file named outright, then told it is the default one (which it is).
    settings = load_settings(default, environ=environ, overrides=overrides)
    return settings.replace(path_origin=Origin.DEFAULT)


def _exists(path: Path) -> bool:
    """Whether there is anything at the default file's place to read (or to fail to
    read, and say so: a file the user may not read is reported). A folder on the way
    that may not be searched hides whether there is a file at all: then, as when there
    is none, the defaults, quietly (a command run as another user, by cron, say)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return False
    except (OSError, ValueError):
        return True  # there, but in the way (a loop of links, a name too long): say so
    return True


def default_config_file() -> Path:
    """Where the config file is when nothing names one: platformdirs' user config folder
    (``~/.config/taskflow/config.toml`` on Linux).

    On Linux, with an absolute $HOME, worked out here as platformdirs does it (an
    absolute $XDG_CONFIG_HOME, else ~/.config): platformdirs' import costs a scripted
    command about 3 ms, more than reading a config file. Elsewhere, platformdirs itself.
    tests/cli/test_config_files.py keeps the two equal.
    """
    if sys.platform == "linux":
        home = os.environ.get("HOME", "")
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        if os.path.isabs(xdg):
            return Path(xdg, APP_FOLDER, CONFIG_FILE_NAME)
        if os.path.isabs(home):
            return Path(home, ".config", APP_FOLDER, CONFIG_FILE_NAME)
    import platformdirs

    return platformdirs.user_config_path(APP_FOLDER, appauthor=False) / CONFIG_FILE_NAME


def settings_of(args: argparse.Namespace) -> Settings | None:
    return getattr(args, "settings", None)


def setting(args: argparse.Namespace, name: str, default: Any) -> Any:
    """The effective value of ``name``; ``default`` when there is no config file."""
    settings = settings_of(args)
    return default if settings is None else settings[name]


def week_start(args: argparse.Namespace) -> int:
    """The first day of the week (store.MONDAY or SUNDAY), for dates in plain words."""
    settings = settings_of(args)
    return MONDAY if settings is None else settings.week_start


def date_style(args: argparse.Namespace) -> DateStyle:
    """How due dates and times of day are written: time_format and dates."""
    settings = settings_of(args)
    return DEFAULT_DATE_STYLE if settings is None else settings.date_style


def list_sort(args: argparse.Namespace) -> str:
    """cli.list_sort: `taskflow list`'s order without --sort."""
    return str(setting(args, "cli.list_sort", DEFAULT_LIST_SORT))


def list_columns(args: argparse.Namespace) -> tuple[str, ...]:
    """cli.list_columns: which of DEFAULT_LIST_COLUMNS `taskflow list` shows."""
    return tuple(setting(args, "cli.list_columns", DEFAULT_LIST_COLUMNS))


# A file's problem with the database or the owner (tui.settings.loading.FATAL_SETTINGS;
# a test keeps the two in step) ends a command, unless an option or variable decides
# instead: falling back to the default would put tasks in, or read them from, a database
# or owner the user did not mean. What decides instead, and what it names.
_DECIDED_BY = {
    "database": ("--db", DB_ENV_VAR, "database"),
    "user": ("--user", USER_ENV_VAR, "owner"),
}
# How a problem's message says its setting falls back (tui.settings.loading): not so for
# those two, which stop the command instead.
_FALLBACK = re.compile(r"; (?:using the default \(.*\)|that line is left out)$")


def problem_lines(settings: Settings) -> list[tuple[str, bool]]:
    """Each of the file's problems as one line, and whether it ends every command (a
    problem with the database or the owner that no option or variable overrides): those
    say so, rather than that the setting falls back to its default."""
    from tui.settings.loading import FATAL_SETTINGS

    lines: list[tuple[str, bool]] = []
    for problem in settings.problems:
        name = problem.setting
        if name not in FATAL_SETTINGS or _overridden(settings, name):
            lines.append((str(problem), False))
            continue
        option, variable, what = _DECIDED_BY[name]
        message = _FALLBACK.sub("", problem.message)
        message += (
            f"; fix the line, or give {option} or ${variable} "
            f"(TaskFlow will not guess which {what} you meant)"
        )
        lines.append((str(problem._replace(message=message)), True))
    return lines


def refusals(settings: Settings | None) -> list[str]:
    """The lines a command (or the app) stops with, before it opens anything: the file's
    problems with the database or the owner that no option or variable overrides."""
    if settings is None:
        return []
    return [line for line, fatal in problem_lines(settings) if fatal]


def _overridden(settings: Settings, name: str) -> bool:
    from tui.settings import Origin  # loaded already: there are settings

    return settings.origin(name).origin in (Origin.FLAG, Origin.ENVIRONMENT)


_LINE = re.compile(r"line \d+")


def configured(args: argparse.Namespace, name: str) -> Configured | None:
    """The config file's value of ``name`` ("database", "user") and where it says so;
    None when the file says nothing of it (or --db, $TASKFLOW_DB_PATH and the like
    decide instead: the resolvers look at those themselves)."""
    from_file = _from_file(args, name)
    if from_file is None:
        return None
    settings, value, where = from_file
    assert settings.path is not None  # a value from a file has a file
    return Configured(str(value), settings.path, name, where)


def _from_file(args: argparse.Namespace, name: str) -> tuple[Settings, Any, str] | None:
    settings = settings_of(args)
    if settings is None:
        return None
    from tui.settings import Origin  # loaded already: there are settings

    found = settings.values.get(name)
    if found is None or found.origin is not Origin.FILE:
        return None
    where = found.where if _LINE.fullmatch(found.where or "") else ""
    return settings, found.value, where
