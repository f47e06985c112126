"""taskflow config: path, show and edit of the config file (tui.settings reads it)."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import textwrap
from typing import Any

from store import LocationError, ValidationError, default_database_path, resolve_user
from tui.cli.output import EXIT_FAILURE, EXIT_OK, Style, fail, human, print_json
from tui.cli.settings_access import load_all, problem_lines
from tui.cli.store_access import location_from_args, refuse_an_unusable_place, user_from_args
from tui.settings import Origin, Settings, config_path
from tui.settings.catalogue import SETTINGS, STATE_SETTINGS, BadValue, Setting
from tui.settings.loading import toml_value
from tui.text import visible

# `config edit` without $VISUAL or $EDITOR: as git and crontab do.
FALLBACK_EDITOR = "vi"
# What the command line cannot check: said where it says what it did check.
KEY_CLASHES_NOTE = (
    "Clashes between remapped keys ([keys]) are checked when the app starts: "
    "the command line cannot check them without loading the app."
)
# The value column of `config show` is as wide as its widest value up to this; a longer
# one (a long path, many keys) pushes its own row's origin along, not every row's.
VALUE_COLUMN_MAX = 60
# What a setting with no default value means, in `config show` and the template.
NO_VALUE_WORDS = {"database": "the user data folder", "user": "your login name"}


def cmd_config_path(args: argparse.Namespace) -> int:
    path, _ = config_path(getattr(args, "config", None))
    human().line(str(path))
    return EXIT_OK


def cmd_config_show(args: argparse.Namespace) -> int:
    settings = load_all(args)
    problems = all_problems(args, settings)
    names = [setting.name for setting in SETTINGS]
    names += [setting.name for setting in STATE_SETTINGS if setting.name in settings.values]
    if args.json:
        print_json(
            {
                "path": str(settings.path),
                "exists": settings.exists,
                "settings": {name: _value_json(settings, name) for name in names},
                "keys": {
                    binding: {"keys": list(keys), "where": f"line {line}" if line else ""}
                    for binding, (keys, line) in settings.keys.items()
                },
                "problems": problems,
            }
        )
        return EXIT_OK
    out = human()
    state = "" if settings.exists else "; there is no file: every setting has its default"
    out.line(
        f"Config file: {visible(str(settings.path))} ({_path_words(settings.path_origin)}{state})"
    )
    width = max(len(name) for name in [*names, *(f"keys.{key}" for key in settings.keys)])
    rows: list[tuple[str, str, str]] = []
    for name in names:
        found = settings.origin(name)
        rows.append(
            (name, _shown(name, found.value), _origin_words(name, found.origin, found.where))
        )
    for binding, (keys, line) in settings.keys.items():
        where = f"file, line {line}" if line else "file"
        rows.append((f"keys.{binding}", toml_value(list(keys)), where))
    fitting = [len(value) for _, value, _ in rows if len(value) <= VALUE_COLUMN_MAX]
    value_width = max(fitting, default=0)
    for name, value, origin in rows:
        padded = value.ljust(value_width)
        out.line(f"{name.ljust(width)}  {visible(padded)}  {out.paint(origin, Style.DIM)}")
    if settings.keys:
        out.line(out.paint(KEY_CLASHES_NOTE, Style.DIM))
    else:
        out.line(out.paint("No keys remapped ([keys] in the file).", Style.DIM))
    for problem in problems:
        out.line(out.paint(f"problem: {visible(problem)}", Style.BAD))
    return EXIT_OK


def cmd_config_edit(args: argparse.Namespace) -> int:
    path, _ = config_path(getattr(args, "config", None))
    if not os.path.lexists(path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as file:
                file.write(template())
        except OSError as error:
            return fail(f"Cannot create {path}: {error.strerror or type(error).__name__}.")
    editor, variable = chosen_editor()
    try:
        command = shlex.split(editor)
    except ValueError as error:
        return fail(f"Cannot start the editor {editor!r} (from {variable}): {error}.")
    if not command:
        command = [FALLBACK_EDITOR]
    try:
        finished = subprocess.run([*command, str(path)], check=False)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return fail(f"Cannot start the editor {editor!r} (from {variable}): {reason}.")
    if finished.returncode != 0:
        return fail(
            f"The editor {editor!r} (from {variable}) exited with status "
            f"{finished.returncode}; {path} was not checked."
        )
    settings = load_all(args)
    problems = all_problems(args, settings)
    for problem in problems:
        fail(problem)
    if problems:
        return EXIT_FAILURE
    out = human()
    out.line(f"No problems found in {visible(str(path))}.")
    if settings.keys:
        out.line(KEY_CLASHES_NOTE)
    return EXIT_OK


def chosen_editor() -> tuple[str, str]:
    """The editor's command line and where it came from: $VISUAL, $EDITOR or vi."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "")
        if value.strip():
            return value, f"${variable}"
    return FALLBACK_EDITOR, "the default"


def all_problems(args: argparse.Namespace, settings: Settings) -> list[str]:
    """The file's problems, and a database or user it names that cannot be used (which
    every other command refuses to run with: the checks are theirs), each one line."""
    problems = [line for line, _ in problem_lines(settings)]
    with_file = argparse.Namespace(**{**vars(args), "settings": settings})
    try:
        location = location_from_args(with_file)
        if location.configured is not None:  # the file's: a path no command can use
            refuse_an_unusable_place(location)
    except LocationError as error:
        problems.append(str(error))
    try:
        user_from_args(with_file)
    except ValidationError as error:
        problems.append(str(error))
    return problems


def template() -> str:
    """A new config file: every setting, commented out at its default, with what it does
    and what it accepts; tables as they must be (the top-level settings first). It ends
    in [keys], where a line added at the end lands: its last words say so."""
    lines = [
        "# TaskFlow's settings. Remove the '# ' before a setting to change it; every",
        "# setting is in the README, under Configuration. 'taskflow config edit' checks",
        "# the file when the editor closes; 'taskflow config show' says what applies.",
        "",
    ]
    table = None
    for setting in SETTINGS:
        *tables, key = setting.name.split(".")
        here = tables[0] if tables else None
        if here != table:
            lines += [f"[{here}]", ""]
            table = here
        lines += _commented(setting, key)
    lines += [
        "[keys]",
        "# Remap a key binding by its id (the README lists every id): the keys given",
        '# replace its defaults. One key ("t"), or several: ["t", "space"] or "t,space".',
        '# toggle_done = "t"',
        "",
        '# [state] is written by TaskFlow where [list] says "remember": the list as',
        "# you left it. No need to write it yourself.",
        "",
        "# A line added below this one is in [keys]. The settings of the top (theme,",
        "# week_start, time_format, dates, database, user) belong above the first",
        "# [table], with the others at the top of this file.",
    ]
    return "\n".join(lines) + "\n"


def _commented(setting: Setting, key: str) -> list[str]:
    accepts = _accepts(setting)
    text = f"{setting.help}; {accepts}" if accepts else setting.help
    lines = [f"# {line}" for line in textwrap.wrap(text, 78, break_on_hyphens=False)]
    if setting.default is None:
        example = {"database": "~/tasks/tasks.db", "user": "me"}.get(key, "")
        lines.append(f"# (default: {NO_VALUE_WORDS.get(key, 'none')})")
        lines.append(f"# {key} = {toml_value(example)}")
    else:
        lines.append(f"# {key} = {toml_value(setting.default)}")
    return [*lines, ""]


def _accepts(setting: Setting) -> str:
    """What a setting accepts, in the words its own check refuses a wrong value with."""
    try:
        setting.check(object())
    except BadValue as error:
        return str(error)
    return ""


def _value_json(settings: Settings, name: str) -> dict[str, Any]:
    found = settings.origin(name)
    value = list(found.value) if isinstance(found.value, tuple) else found.value
    return {"value": value, "origin": found.origin.value, "where": found.where}


def _shown(name: str, value: Any) -> str:
    """The value as the file would write it; for the database and user left to their
    defaults, in words: "(the user data folder)", "(your login name)"."""
    if value is None and name in NO_VALUE_WORDS:
        return f"({NO_VALUE_WORDS[name]})"
    return toml_value(value)


def _origin_words(name: str, origin: Origin, where: str) -> str:
    """'default', 'file, line 3', 'environment, $TASKFLOW_USER', 'flag, --db'; for the
    database and user left to their defaults, what that default is: the path, the name."""
    if origin is Origin.DEFAULT and name == "database":
        return f"default: {default_database_path()}"
    if origin is Origin.DEFAULT and name == "user":
        return f"default: {resolve_user(None, {})}"
    return f"{origin.value}, {where}" if where else origin.value


def _path_words(origin: Origin) -> str:
    return {
        Origin.FLAG: "from --config",
        Origin.ENVIRONMENT: "from $TASKFLOW_CONFIG",
    }.get(origin, "the default place")
