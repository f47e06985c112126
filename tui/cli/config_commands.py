"""taskflow config: path, show and edit of the config file (tui.settings reads it)."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import textwrap
from typing import Any

from store import LocationError, ValidationError, default_database_path
from tui.cli.output import EXIT_FAILURE, EXIT_OK, Style, fail, human, print_json
from tui.cli.settings_access import load_all
from tui.cli.store_access import location_from_args, user_from_args
from tui.settings import Origin, Settings, config_path
from tui.settings.catalogue import SETTINGS, STATE_SETTINGS, BadValue, Setting
from tui.text import visible

# `config edit` without $VISUAL or $EDITOR: as git and crontab do.
FALLBACK_EDITOR = "vi"


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
        rows.append((name, _shown(found.value), _origin_words(name, found.origin, found.where)))
    for binding, (keys, line) in settings.keys.items():
        where = f"file, line {line}" if line else "file"
        rows.append((f"keys.{binding}", _toml(list(keys)), where))
    value_width = min(max(len(value) for _, value, _ in rows), 40)
    for name, value, origin in rows:
        padded = value.ljust(value_width)
        out.line(f"{name.ljust(width)}  {visible(padded)}  {out.paint(origin, Style.DIM)}")
    if not settings.keys:
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
    problems = all_problems(args, load_all(args))
    for problem in problems:
        fail(problem)
    if problems:
        return EXIT_FAILURE
    human().line(f"No problems found in {visible(str(path))}.")
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
    every other command refuses to run with), each one line."""
    problems = [str(problem) for problem in settings.problems]
    with_file = argparse.Namespace(**{**vars(args), "settings": settings})
    for check in (location_from_args, user_from_args):
        try:
            check(with_file)
        except (LocationError, ValidationError) as error:
            problems.append(str(error))
    return problems


def template() -> str:
    """A new config file: every setting, commented out at its default, with what it does
    and what it accepts; tables as they must be (the top-level settings first)."""
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
    ]
    return "\n".join(lines) + "\n"


def _commented(setting: Setting, key: str) -> list[str]:
    accepts = _accepts(setting)
    text = f"{setting.help}; {accepts}" if accepts else setting.help
    lines = [f"# {line}" for line in textwrap.wrap(text, 78, break_on_hyphens=False)]
    if setting.default is None:
        example = {"database": "~/tasks/tasks.db", "user": "me"}.get(key, "")
        what = {"database": "the user data folder", "user": "your login name"}.get(key, "none")
        lines.append(f"# (default: {what})")
        lines.append(f"# {key} = {_toml(example)}")
    else:
        lines.append(f"# {key} = {_toml(setting.default)}")
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


def _shown(value: Any) -> str:
    return "none" if value is None else _toml(value)


def _origin_words(name: str, origin: Origin, where: str) -> str:
    """'default', 'file, line 3', 'environment, $TASKFLOW_USER', 'flag, --db'; for the
    database and user left to their defaults, what that default is."""
    if origin is Origin.DEFAULT and name == "database":
        return f"default: the user data folder, {default_database_path()}"
    if origin is Origin.DEFAULT and name == "user":
        return "default: your login name"
    return f"{origin.value}, {where}" if where else origin.value


def _path_words(origin: Origin) -> str:
    return {
        Origin.FLAG: "from --config",
        Origin.ENVIRONMENT: "from $TASKFLOW_CONFIG",
    }.get(origin, "the default place")


def _toml(value: Any) -> str:
    """A value as TOML writes it: "nord", true, ["id", "due"]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(each) for each in value) + "]"
    return str(value)
