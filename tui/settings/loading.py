"""Finding and reading the config file: every setting's value, where it came from, and
one line for each thing in the file that could not be used.

A bad line never stops TaskFlow: the setting it meant keeps its default and the user is
told which file, line and setting. Only a database that cannot be used ends a command
(store_access does that, as for --db).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

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
CONFIG_FILE_NAME = "config.toml"
TABLES = ("list", "cli", "keys", "state")
# A file this big is not a config file someone wrote (and reading it would be slow).
MAX_CONFIG_BYTES = 1_000_000
# A syntax error leaves its line out and the rest is read again, this many times at most.
_MAX_LINES_LEFT_OUT = 20


class Origin(Enum):
    """Where a setting's value came from (``config show``)."""

    DEFAULT = "default"
    FILE = "file"
    ENVIRONMENT = "environment"
    FLAG = "flag"


@dataclass(frozen=True)
class Value:
    value: Any
    origin: Origin
    where: str = ""  # "line 3", "$TASKFLOW_USER", "--db"


@dataclass(frozen=True)
class Problem:
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


@dataclass(frozen=True)
class Settings:
    """The effective settings: the file's, over the defaults, under the environment and
    the flags for the two settings those name (the database and the user)."""

    path: Path | None  # None: no file at all (tests, and the app built without one)
    path_origin: Origin = Origin.DEFAULT
    exists: bool = False
    values: Mapping[str, Value] = field(default_factory=dict)
    # [keys]: binding id -> the keys it is remapped to, and the line that says so.
    keys: Mapping[str, tuple[tuple[str, ...], int | None]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    # The file could not be read as TOML at all: TaskFlow must not write to it.
    unreadable: bool = False

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
    return replace(settings, values=values)


def read_file(path: Path, origin: Origin = Origin.FLAG) -> Settings:
    """The settings one file holds (the defaults where it says nothing or is wrong)."""
    try:
        with path.open("rb") as file:
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
        return Settings(path, origin, exists=True, problems=(problem,), unreadable=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = Problem(path, line, None, "is not UTF-8 text; using the defaults")
        return Settings(path, origin, exists=True, problems=(problem,), unreadable=True)
    return _settings_of_text(path, origin, text)


def _settings_of_text(path: Path, origin: Origin, text: str) -> Settings:
    import tomllib  # here: a start with no config file does not pay for it

    problems: list[Problem] = []
    lines = text.splitlines()
    # A file that is not TOML throughout is not written to: tomlkit could not keep it.
    broken = False
    for _ in range(_MAX_LINES_LEFT_OUT):
        try:
            document = tomllib.loads("\n".join(lines))
            break
        except tomllib.TOMLDecodeError as error:
            line = _error_line(str(error)) or _first_failing_line(lines)
            reason = _ERROR_POSITION.sub("", str(error)).strip()
            if line is None or line > len(lines):
                problems.append(Problem(path, None, None, f"{reason}; using the defaults"))
                return Settings(path, origin, True, problems=tuple(problems), unreadable=True)
            setting = _name_on_line(lines, line)
            problems.append(
                Problem(path, line, setting, f"not valid TOML ({reason}); that line is left out")
            )
            lines[line - 1] = ""
            broken = True
    else:
        problems.append(Problem(path, None, None, "too many errors; using the defaults"))
        return Settings(path, origin, True, problems=tuple(problems), unreadable=True)

    values: dict[str, Value] = {}
    keys: dict[str, tuple[tuple[str, ...], int | None]] = {}
    for name, value in document.items():
        if name in TABLES and isinstance(value, dict):
            for inner, inner_value in value.items():
                line = _line_of(lines, name, inner)
                if name == "keys":
                    _read_key(path, inner, inner_value, line, keys, problems)
                else:
                    _read_setting(path, f"{name}.{inner}", inner_value, line, values, problems)
        else:
            _read_setting(path, name, value, _line_of(lines, None, name), values, problems)
    # Syntax problems first, then the rest in the order of the file.
    problems.sort(key=lambda problem: problem.line or 0)
    return Settings(path, origin, True, values, keys, tuple(problems), unreadable=broken)


def _read_setting(
    path: Path,
    name: str,
    value: Any,
    line: int | None,
    values: dict[str, Value],
    problems: list[Problem],
) -> None:
    setting = _ALL_SETTINGS.get(name)
    if setting is None:
        problems.append(Problem(path, line, name, _unknown(name, list(_ALL_SETTINGS), "setting")))
        return
    try:
        values[name] = Value(setting.check(value), Origin.FILE, f"line {line}" if line else "")
    except BadValue as error:
        problems.append(
            Problem(path, line, name, f"{error}; using the default ({_toml(setting.default)})")
        )


def _read_key(
    path: Path,
    binding_id: str,
    value: Any,
    line: int | None,
    keys: dict[str, tuple[tuple[str, ...], int | None]],
    problems: list[Problem],
) -> None:
    name = f"keys.{binding_id}"
    if binding_id not in BINDING_IDS:
        message = _unknown(binding_id, list(BINDING_IDS), "binding id")
        problems.append(Problem(path, line, name, message + " (the README lists them)"))
        return
    try:
        keys[binding_id] = (key_list(value), line)
    except BadValue as error:
        problems.append(Problem(path, line, name, f"{error}; keeping its default keys"))


def _unknown(name: str, known: list[str], what: str) -> str:
    import difflib  # here: only a file with a misspelt name pays for it

    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"there is no {what} {name!r}{hint}; it is left out"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(each) for each in value) + "]"
    return "none" if value is None else str(value)


_ERROR_POSITION = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)")


def _error_line(message: str) -> int | None:
    found = _ERROR_POSITION.search(message)
    return int(found.group(1)) if found and found.group(1) else None


def _first_failing_line(lines: list[str]) -> int | None:
    """The line an error "at end of document" comes from (a string left open, a key
    set twice): the first line at which the file, read up to it, is no longer TOML."""
    import tomllib

    for end in range(1, min(len(lines), 2000) + 1):
        try:
            tomllib.loads("\n".join(lines[:end]))
        except tomllib.TOMLDecodeError:
            return end
    return None


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


def _line_of(lines: list[str], table: str | None, key: str) -> int | None:
    """The line that sets ``key`` in ``table`` (or at the top), for messages: found by
    reading the lines, since tomllib keeps no positions."""
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            current = _bare(header.group("table"))
            continue
        found = _ASSIGNMENT.match(line)
        if found is None:
            continue
        name = _bare(found.group("key"))
        if (current == table and name == key) or (
            current is None and table is not None and name == f"{table}.{key}"
        ):
            return number
    return None


def _bare(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))
