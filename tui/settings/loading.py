"""Finding and reading the config file: every setting's value, where it came from, and
one line for each thing in the file that could not be used.

A bad line never stops TaskFlow: the setting it meant keeps its default and the user is
told which file, line and setting. The database and the user (FATAL_SETTINGS) are the
exception: a problem with either, or a file that cannot be read at all but names one,
ends a command (tui/cli does that), since a default there would put tasks elsewhere.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from store import MONDAY, SUNDAY, DateStyle
from tui.settings.catalogue import (
    BINDING_IDS,
    SETTINGS_BY_NAME,
    STATE_SETTINGS,
    BadValue,
    Setting,
    key_list,
)

CONFIG_ENV_VAR = "TASKFLOW_CONFIG"
FATAL_SETTINGS = ("database", "user")
CONFIG_FILE_NAME = "config.toml"
TABLES = ("list", "cli", "keys", "state")
# A file this big is not a config file someone wrote (and reading it would be slow).
MAX_CONFIG_BYTES = 1_000_000
# A syntax error leaves its line out and the rest is read again, this many times at most.
_MAX_LINES_LEFT_OUT = 20
MAX_PROBLEMS = 20  # told one by one; past these, how many more


class Origin(Enum):
    """Where a setting's value came from (``config show``)."""

    DEFAULT = "default"
    FILE = "file"
    ENVIRONMENT = "environment"
    FLAG = "flag"


# Records as NamedTuples and Settings as a plain class, not frozen dataclasses: those
# cost about a millisecond each to define, and a scripted command with a config file
# reads this module every time (benchmarks: --only config).


class Value(NamedTuple):
    value: Any
    origin: Origin
    where: str = ""  # "line 3", "$TASKFLOW_USER", "--db"


class Problem(NamedTuple):
    """One thing in the config file TaskFlow could not use, in one line."""

    path: Path
    line: int | None
    setting: str | None
    message: str

    def __str__(self) -> str:
        where = shown_path(self.path)
        if self.line:
            where += f", line {self.line}"
        what = f"{self.setting}: " if self.setting else ""
        return f"{where}: {what}{self.message}"


def shown_path(path: Path) -> str:
    """The file as a message names it: under the home folder, as ~/..., as shells do."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # elsewhere, or no home folder known
        return str(path)


class Settings:
    """The effective settings: the file's, over the defaults, under the environment and
    the flags for the two settings those name (the database and the user). Not changed
    once made: ``replace`` makes another."""

    __slots__ = ("exists", "keys", "path", "path_origin", "problems", "unreadable", "values")

    def __init__(
        self,
        path: Path | None,  # None: no file at all (tests, and the app built without one)
        path_origin: Origin = Origin.DEFAULT,
        exists: bool = False,
        values: Mapping[str, Value] | None = None,
        # [keys]: binding id -> the keys it is remapped to, and the line that says so.
        keys: Mapping[str, tuple[tuple[str, ...], int | None]] | None = None,
        problems: tuple[Problem, ...] = (),
        # The file could not be read as TOML at all: TaskFlow must not write to it.
        unreadable: bool = False,
    ) -> None:
        self.path = path
        self.path_origin = path_origin
        self.exists = exists
        self.values: Mapping[str, Value] = MappingProxyType(dict(values or {}))
        self.keys: Mapping[str, tuple[tuple[str, ...], int | None]] = MappingProxyType(
            dict(keys or {})
        )
        self.problems = problems
        self.unreadable = unreadable

    def replace(self, **changes: Any) -> Settings:
        now = {name: getattr(self, name) for name in self.__slots__}
        return Settings(**{**now, **changes})

    def __repr__(self) -> str:
        return f"Settings(path={self.path!r}, values={dict(self.values)!r})"

    def __getitem__(self, name: str) -> Any:
        found = self.values.get(name)
        if found is not None:
            return found.value
        return _ALL_SETTINGS[name].default

    def origin(self, name: str) -> Value:
        return self.values.get(name) or Value(_ALL_SETTINGS[name].default, Origin.DEFAULT)

    @property
    def week_start(self) -> int:
        return SUNDAY if self["week_start"] == "sunday" else MONDAY

    @property
    def date_style(self) -> DateStyle:
        return DateStyle(
            hours=12 if self["time_format"] == "12h" else 24,
            relative=self["dates"] == "relative",
        )

    @property
    def keymap(self) -> dict[str, str]:
        """[keys] as Textual's keymap: binding id -> "key,key"."""
        return {binding_id: ",".join(keys) for binding_id, (keys, _) in self.keys.items()}

    def problem_with(self, name: str) -> Problem | None:
        """The file's problem with setting ``name``, if it has one. For the database and
        the user (FATAL_SETTINGS) a problem ends a command rather than fall back to the
        default: tasks would go to, or be read from, somewhere the user did not mean."""
        return next((problem for problem in self.problems if problem.setting == name), None)

    def line_of_key(self, binding_id: str) -> int | None:
        return self.keys.get(binding_id, ((), None))[1]


_ALL_SETTINGS: dict[str, Setting] = {
    **SETTINGS_BY_NAME,
    **{setting.name: setting for setting in STATE_SETTINGS},
}

DEFAULTS = Settings(path=None)


def config_path(
    flag: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Path, Origin]:
    """``--config PATH``, then ``$TASKFLOW_CONFIG``, then the platformdirs config folder
    (``~/.config/taskflow/config.toml`` on Linux)."""
    environ = os.environ if environ is None else environ
    if flag is not None and os.fspath(flag) != "":
        return Path(os.path.abspath(Path(flag).expanduser())), Origin.FLAG
    named = environ.get(CONFIG_ENV_VAR, "")
    if named.strip():
        return Path(os.path.abspath(Path(named).expanduser())), Origin.ENVIRONMENT
    import platformdirs  # here: only a start without --config or $TASKFLOW_CONFIG needs it

    folder = platformdirs.user_config_path("taskflow", appauthor=False)
    return folder / CONFIG_FILE_NAME, Origin.DEFAULT


def load_settings(
    flag: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, tuple[Any, Origin, str]] | None = None,
) -> Settings:
    """Read the config file (where ``--config``, $TASKFLOW_CONFIG or the default says),
    then lay ``overrides`` over it: ``{"database": (value, Origin.FLAG, "--db")}``."""
    environ = os.environ if environ is None else environ
    path, origin = config_path(flag, environ)
    settings = read_file(path, origin)
    values = dict(settings.values)
    for name, (value, over, where) in (overrides or {}).items():
        if value is not None and value != "":
            values[name] = Value(value, over, where)
    return settings.replace(values=values)


def read_file(path: Path, origin: Origin = Origin.FLAG) -> Settings:
    """The settings one file holds (the defaults where it says nothing or is wrong)."""
    try:
        # Opened without waiting: a named pipe at the path would block until a writer came.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise OSError(0, "Is a directory" if stat.S_ISDIR(mode) else "not a regular file")
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        if origin is Origin.DEFAULT:
            return Settings(path, origin)  # no file yet: the defaults, and nothing to say
        problem = Problem(path, None, None, "there is no such file; using the defaults")
        return Settings(path, origin, problems=(problem,))
    except OSError as error:
        reason = error.strerror or type(error).__name__
        problem = Problem(path, None, None, f"cannot be read ({reason}); using the defaults")
        return Settings(path, origin, exists=True, problems=(problem,), unreadable=True)
    if len(data) > MAX_CONFIG_BYTES:
        problem = Problem(path, None, None, "is over 1 MB: not a config file; using the defaults")
        return _unread(path, origin, problem, data)
    try:
        # A byte-order mark (Windows Notepad writes one) is not part of the first line.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = Problem(path, line, None, "is not UTF-8 text; using the defaults")
        return _unread(path, origin, problem, data)
    return _settings_of_text(path, origin, text)


# Patterns for files that go wrong, compiled (and cached by re) only when one does.
_NAMES_A_FATAL_SETTING = rb"^[ \t]*(database|user)[ \t]*="


def _unread(
    path: Path,
    origin: Origin,
    problem: Problem,
    data: bytes,
    before: list[Problem] | None = None,
) -> Settings:
    """A file read as nothing at all: the defaults, and ``problem``. If its bytes seem to
    set the database or the user, that is a problem with each too (FATAL_SETTINGS)."""
    problems = [*(before or []), problem]
    for found in re.finditer(_NAMES_A_FATAL_SETTING, data, re.MULTILINE):
        name = found.group(1).decode()
        line = data[: found.start()].count(b"\n") + 1
        problems.append(
            Problem(path, line, name, "the file around it cannot be read; that line is left out")
        )
    return Settings(path, origin, exists=True, problems=tuple(problems), unreadable=True)


def _settings_of_text(path: Path, origin: Origin, text: str) -> Settings:
    import tomllib  # here: a start with no config file does not pay for it

    problems: list[Problem] = []
    # Only "\n" ends a line in TOML (splitlines would also break at U+2028 or a form
    # feed, which a string or a comment may hold, and miscount every line after it).
    lines = text.split("\n")
    # A file that is not TOML throughout is not written to: tomlkit could not keep it.
    broken = False
    for _ in range(_MAX_LINES_LEFT_OUT):
        try:
            document = tomllib.loads("\n".join(lines))
            break
        except tomllib.TOMLDecodeError as error:
            line = _error_line(str(error)) or _first_failing_line(lines)
            reason = re.sub(_ERROR_POSITION, "", str(error)).strip()
            if line is None or line > len(lines):
                problem = Problem(path, None, None, f"{reason}; using the defaults")
                return _unread(path, origin, problem, text.encode(), problems)
            setting = _name_on_line(lines, line)
            problems.append(
                Problem(path, line, setting, f"not valid TOML ({reason}); that line is left out")
            )
            lines[line - 1] = ""
            broken = True
    else:
        problem = Problem(path, None, None, "too many errors; using the defaults")
        return _unread(path, origin, problem, text.encode(), problems)

    found = _Found(path, _assignment_lines(lines), problems)
    for name, value in document.items():
        if name in TABLES:
            found.table(name, value)
        else:
            found.setting(name, value, found.line_of(None, name))
    # Syntax problems first, then the rest in the order of the file; a file of
    # thousands of mistakes is not told line by line.
    problems.sort(key=lambda problem: problem.line or 0)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        del problems[MAX_PROBLEMS:]
        problems.append(Problem(path, None, None, f"and {more} more problems like these"))
    return Settings(path, origin, True, found.values, found.keys, tuple(problems), broken)


class _Found:
    """What the file's settings come to, and each problem, as they are read."""

    def __init__(
        self, path: Path, lines: dict[tuple[str | None, str], int], problems: list[Problem]
    ) -> None:
        self.path = path
        self._lines = lines
        self.problems = problems
        self.values: dict[str, Value] = {}
        self.keys: dict[str, tuple[tuple[str, ...], int | None]] = {}

    def line_of(self, table: str | None, key: str) -> int | None:
        return self._lines.get((table, key))

    def say(self, line: int | None, name: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, name, message))

    def table(self, name: str, value: Any) -> None:
        if not isinstance(value, dict):
            line = self.line_of(None, name) or self._lines.get((name, ""))
            self.say(line, name, f"must be a table ([{name}] and its settings under it)")
            return
        for inner, inner_value in value.items():
            line = self.line_of(name, inner)
            if inner in SETTINGS_BY_NAME:  # a top-level setting written after a [table]
                self.say(
                    line,
                    f"{name}.{inner}",
                    f"{inner!r} is a setting of its own: it belongs above the first "
                    "[table] of the file; it is left out",
                )
            elif name == "keys":
                self.key(inner, inner_value, line)
            else:
                self.setting(f"{name}.{inner}", inner_value, line)

    def setting(self, name: str, value: Any, line: int | None) -> None:
        setting = _ALL_SETTINGS.get(name)
        if setting is None:
            self.say(line, name, self._unknown(name, list(_ALL_SETTINGS), "setting"))
            return
        try:
            self.values[name] = Value(
                setting.check(value), Origin.FILE, f"line {line}" if line else ""
            )
        except BadValue as error:
            default = toml_value(setting.default)
            self.say(line, name, f"{error}; using the default ({default})")

    def key(self, binding_id: str, value: Any, line: int | None) -> None:
        name = f"keys.{binding_id}"
        if binding_id not in BINDING_IDS:
            message = self._unknown(binding_id, list(BINDING_IDS), "binding id")
            self.say(line, name, message + " (the README lists them)")
            return
        try:
            self.keys[binding_id] = (key_list(value), line)
        except BadValue as error:
            self.say(line, name, f"{error}; keeping its default keys")

    def _unknown(self, name: str, known: list[str], what: str) -> str:
        hint = ""
        if len(self.problems) < MAX_PROBLEMS:  # past those, not told anyway
            import difflib  # here: only a file with a misspelt name pays for it

            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"there is no {what} {name!r}{hint}; it is left out"


def toml_value(value: Any) -> str:
    """A value as the file would write it ("nord", true, ["id", "due"]), for messages
    and `config show`; None (a setting with no default) as "none"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(each) for each in value) + "]"
    return "none" if value is None else str(value)


_ERROR_POSITION = r"\(at (?:line (\d+), column \d+|end of document)\)"


def _error_line(message: str) -> int | None:
    found = re.search(_ERROR_POSITION, message)
    return int(found.group(1)) if found and found.group(1) else None


def _first_failing_line(lines: list[str]) -> int | None:
    """The line an error "at end of document" comes from (a string left open, a key
    set twice): the first line at which the file, read up to it, is no longer TOML.
    Found by halving (a dozen reads of a long file, not one a line)."""
    import tomllib

    def fails(end: int) -> bool:
        try:
            tomllib.loads("\n".join(lines[:end]))
        except tomllib.TOMLDecodeError:
            return True
        return False

    low, high = 1, len(lines)
    if not fails(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if fails(middle):
            high = middle
        else:
            low = middle + 1
    return low


_ASSIGNMENT = re.compile(r"""^\s*(?P<key>[A-Za-z0-9_\-."' ]+?)\s*=""")
_HEADER = re.compile(r"""^\s*\[\s*(?P<table>[A-Za-z0-9_\-."' ]+?)\s*\]""")


def _name_on_line(lines: list[str], line: int) -> str | None:
    """The setting a line sets ("list.view"), for a message about a line that is not TOML."""
    found = _ASSIGNMENT.match(lines[line - 1])
    if found is None:
        return None
    table = None
    for previous in reversed(lines[: line - 1]):
        header = _HEADER.match(previous)
        if header:
            table = _bare(header.group("table"))
            break
    key = _bare(found.group("key"))
    return f"{table}.{key}" if table else key


def _assignment_lines(lines: list[str]) -> dict[tuple[str | None, str], int]:
    """Where each setting is set: (table or None, key) -> its line, for messages (tomllib
    keeps no positions). A table's own line is under (table, ""). One pass."""
    found: dict[tuple[str | None, str], int] = {}
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            current = _bare(header.group("table"))
            found.setdefault((current, ""), number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        name = _bare(assignment.group("key"))
        found.setdefault((current, name), number)
        if current is None and "." in name:  # list.view = "today" at the top
            table, _, key = name.partition(".")
            found.setdefault((table, key), number)
    return found


def _bare(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))
