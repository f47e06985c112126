"""A config file that is wrong: each problem is one line on stderr naming the file, the
line and the setting, the command goes on with that setting's default (exit 0) and the
file's other lines still apply; a database or owner there that cannot be used ends the
command (exit 1) before anything is created.

And what the config layer costs a scripted command: with no file, nothing (no module of
it, no tomllib, no platformdirs is loaded); the default path is worked out as
platformdirs does.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from store import open_store
from tests.cli.helpers import REPO, Result
from tests.helpers import run_unprivileged, shared_tmpdir
from tui.cli import EXIT_FAILURE, EXIT_OK, main, settings_access
from tui.settings import CONFIG_ENV_VAR, DEFAULTS, config_path
from tui.settings.catalogue import SETTINGS_BY_NAME
from tui.settings.loading import FATAL_SETTINGS

Run = Callable[..., Result]
# What makes a file wrong, the line and setting its one line names, and the setting
# whose default then applies. Each file also sets cli.list_sort, which still applies.
BAD_LINES = {
    "syntax": ("week_start = sunday\n", 1, "week_start", "not valid TOML"),
    "unknown setting": ('colour = "red"\n', 1, "colour", "there is no setting 'colour'"),
    "wrong type": ("time_format = 12\n", 1, "time_format", "must be one of '24h', '12h'"),
    "unknown theme": ('theme = "neon"\n', 1, "theme", "is not one of TaskFlow's themes"),
    "unknown binding id": (
        '[keys]\ntoggle_don = "t"\n',
        2,
        "keys.toggle_don",
        "there is no binding id 'toggle_don' (did you mean 'toggle_done'?)",
    ),
    "bad key": ('[keys]\ntoggle_done = "ctrl+"\n', 2, "keys.toggle_done", "has 'ctrl+', which"),
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The config file's default place (the test's XDG_CONFIG_HOME)."""
    path = tmp_path / "xdg-config" / "taskflow" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def titles(result: Result) -> list[str]:
    return [task["title"] for task in json.loads(result.out)]


def origin(run: Run, name: str, *argv: str) -> str:
    report = json.loads(run(*argv, "config", "show", "--json").out)
    found: str = report["settings"][name]["origin"]
    return found


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_a_bad_line_is_one_warning_and_its_setting_keeps_its_default(
    run: Run, config: Path, tmp_path: Path, case: str
) -> None:
    text, line, name, words = BAD_LINES[case]
    # The bad line first (a table, if it opens one, is last): cli.list_sort still applies.
    if text.startswith("["):
        config.write_text(f'[cli]\nlist_sort = "title"\n{text}')
        line += 2
    else:
        config.write_text(f'{text}[cli]\nlist_sort = "title"\n')
    db = str(tmp_path / "tasks.db")
    for title in ("b", "a"):
        assert run("--db", db, "add", title).code == EXIT_OK
    result = run("--db", db, "list", "--json")
    assert result.code == EXIT_OK
    [warning] = result.error_lines
    assert warning.startswith(f"taskflow: warning: {config}, line {line}: {name}: {words}")
    assert titles(result) == ["a", "b"]
    if name in SETTINGS_BY_NAME:
        assert origin(run, name) == "default"
    else:
        assert origin(run, "cli.list_sort") == "file"


def test_a_syntax_error_leaves_out_its_line_alone(run: Run, config: Path, tmp_path: Path) -> None:
    config.write_text('dates = "absolute"\ntheme = "nord\n[cli]\nlist_sort = "title"\n')
    result = run("--db", str(tmp_path / "t.db"), "config", "show", "--json")
    report = json.loads(result.out)
    [problem] = report["problems"]
    assert problem.startswith(f"{config}, line 2: theme: not valid TOML (")
    assert problem.endswith("); that line is left out")
    assert report["settings"]["dates"]["value"] == "absolute"
    assert report["settings"]["cli.list_sort"]["value"] == "title"
    assert report["settings"]["theme"]["origin"] == "default"


def test_a_file_that_is_not_utf8_names_its_line_and_is_left_aside(
    run: Run, config: Path, tmp_path: Path
) -> None:
    config.write_bytes(b'[cli]\nlist_sort = "title"\n# caf\xe9\n')
    result = run("--db", str(tmp_path / "t.db"), "add", "x")
    assert result.code == EXIT_OK
    assert result.error_lines == [
        f"taskflow: warning: {config}, line 3: is not UTF-8 text; using the defaults"
    ]


def test_a_file_config_names_that_is_not_there_is_one_warning(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = run("--config", str(missing), "--db", str(tmp_path / "t.db"), "add", "x")
    assert result.code == EXIT_OK
    assert result.error_lines == [
        f"taskflow: warning: {missing}: there is no such file; using the defaults"
    ]


def test_a_folder_where_the_file_should_be_cannot_be_read(
    run: Run, config: Path, tmp_path: Path
) -> None:
    config.mkdir()
    result = run("--db", str(tmp_path / "t.db"), "add", "x")
    assert result.code == EXIT_OK
    assert result.error_lines == [
        f"taskflow: warning: {config}: cannot be read (Is a directory); using the defaults"
    ]


def test_a_file_the_user_may_not_read(tmp_path: Path) -> None:
    """As root every file is readable: the command runs as nobody (tests/helpers.py)."""
    folder = shared_tmpdir()
    config = folder / "config.toml"
    config.write_text('theme = "nord"\n')
    config.chmod(0o000)

    def as_nobody() -> tuple[int, str]:
        errors = io.StringIO()
        sys.stderr = errors
        sys.stdout = io.StringIO()
        code = main(["--config", str(config), "--db", str(folder / "no.db"), "db", "status"])
        return code, errors.getvalue()

    code, err = run_unprivileged(as_nobody)
    assert (code, err) == (
        EXIT_OK,
        f"taskflow: warning: {config}: cannot be read (Permission denied); using the defaults\n",
    )


def test_a_default_place_the_user_may_not_search_is_as_if_there_were_no_file(
    config: Path, run: Run
) -> None:
    """XDG_CONFIG_HOME is in root's private tmp_path: as nobody, whether the file is
    there cannot be known, and a command run so (cron as another user) is not nagged.
    The file warns whoever reads it: so nobody did not."""
    config.write_text('theme = "neon"\n')
    folder = shared_tmpdir()
    argv = ["--db", str(folder / "no.db"), "db", "status"]
    [warning] = run(*argv).error_lines  # as root, who may read it
    assert warning.startswith(f"taskflow: warning: {config}, line 1: theme: ")

    def as_nobody() -> tuple[int, str]:
        errors = io.StringIO()
        sys.stderr = errors
        sys.stdout = io.StringIO()
        code = main(argv)
        return code, errors.getvalue()

    assert run_unprivileged(as_nobody) == (EXIT_OK, "")


# -- a database or owner there that cannot be used: exit 1, nothing created -----------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("mysql://db.example/tasks", "Unsupported database URL scheme 'mysql'"),
        ("sqlite://tasks.db", "An sqlite URL needs three slashes"),
        ("postgresql://only-a-host", "A PostgreSQL URL needs a host and a database"),
        ("a-folder", "is a folder, not a database file"),
        ("a-file/tasks.db", "is a file, not a folder"),
        ("a-file/deeper/tasks.db", "a-file is a file, not a folder"),
        ("a-fifo", "is a named pipe (FIFO), not a database file"),
    ],
)
@pytest.mark.parametrize("command", [["add", "x"], ["list"], ["db", "status"], []])
def test_a_database_in_the_file_that_cannot_be_used_ends_every_command(
    run: Run, config: Path, tmp_path: Path, value: str, words: str, command: list[str]
) -> None:
    (config.parent / "a-folder").mkdir()
    (config.parent / "a-file").write_text("not a folder")
    os.mkfifo(config.parent / "a-fifo")
    config.write_text(f'theme = "nord"\ndatabase = "{value}"\n')
    before = sorted(tmp_path.rglob("*"))
    result = run("--user", "alice", *command)  # [] is the bare `taskflow`: the app
    assert (result.code, result.out) == (EXIT_FAILURE, "")
    [line] = result.error_lines
    assert line.startswith(f"taskflow: {config}, line 2: database: ")
    assert words in line
    assert sorted(tmp_path.rglob("*")) == before  # no database, no folder


def test_a_database_in_the_file_is_below_the_flag_and_the_environment(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text('database = "mysql://db.example/tasks"\n')
    assert run("--db", str(tmp_path / "flag.db"), "add", "x").code == EXIT_OK
    monkeypatch.setenv("TASKFLOW_DB_PATH", str(tmp_path / "env.db"))
    assert run("add", "x").code == EXIT_OK


def test_a_read_command_on_a_database_the_file_names_that_is_not_there_fails(
    run: Run, config: Path
) -> None:
    config.write_text('database = "typo.db"\n')
    result = run("list")
    assert result.code == EXIT_FAILURE
    assert result.error_lines == [
        f"taskflow: {config}, line 1: database: There is no database at "
        f"{config.parent / 'typo.db'}; check the path (a command that adds a task, or an "
        "import, creates one there)."
    ]
    assert not (config.parent / "typo.db").exists()


def test_an_owner_in_the_file_that_cannot_be_used_ends_the_command(
    run: Run, config: Path, tmp_path: Path
) -> None:
    config.write_text('user = "a\\u0007b"\n')
    result = run("--db", str(tmp_path / "t.db"), "add", "x")
    assert result.code == EXIT_FAILURE
    assert result.error_lines == [
        f"taskflow: {config}, line 1: user: Invalid user name 'a\\x07b': use 1 to 200 "
        "printable characters."
    ]
    assert not (tmp_path / "t.db").exists()


# What a database or owner line may get wrong, the line's setting, and what the one line
# says of it. Whatever the rest of the file or the command, falling back to the default
# would put tasks where the user did not mean.
BAD_DATABASE_OR_OWNER = {
    "database not TOML": ("database = ~/work.db\n", "database", "not valid TOML ("),
    "database a number": ("database = 5\n", "database", "must be a non-empty string"),
    "database empty": ('database = ""\n', "database", "must be a non-empty string"),
    "database blank": ('database = "  "\n', "database", "must be a non-empty string"),
    "database twice": (
        'database = "a.db"\ndatabase = "b.db"\n',
        "database",
        "not valid TOML (",
    ),
    "user a number": ("user = 5\n", "user", "must be a non-empty string"),
    "user not TOML": ("user = bob\n", "user", "not valid TOML ("),
}
DECIDED_BY = {
    "database": ("--db", "TASKFLOW_DB_PATH", "database"),
    "user": ("--user", "TASKFLOW_USER", "owner"),
}


def refusal_words(name: str) -> str:
    option, variable, what = DECIDED_BY[name]
    return (
        f"; fix the line, or give {option} or ${variable} "
        f"(TaskFlow will not guess which {what} you meant)"
    )


@pytest.mark.parametrize("case", list(BAD_DATABASE_OR_OWNER))
@pytest.mark.parametrize("command", [["add", "x"], ["list"], ["db", "status"], []])
def test_a_database_or_owner_line_with_a_problem_ends_every_command(
    run: Run, config: Path, tmp_path: Path, case: str, command: list[str]
) -> None:
    """Not the default database, not the login name: one line, exit 1, nothing made.
    The option or variable of the other setting changes nothing; the file's other
    problems are warnings before it."""
    text, name, words = BAD_DATABASE_OR_OWNER[case]
    line = text.count("\n")
    config.write_text(f'{text}theme = "neon"\n')
    other = ["--user", "alice"] if name == "database" else ["--db", str(tmp_path / "t.db")]
    before = sorted(tmp_path.rglob("*"))
    result = run(*other, *command)  # [] is the bare `taskflow`: the app
    assert (result.code, result.out) == (EXIT_FAILURE, "")
    warning, refusal = result.error_lines
    assert warning.startswith(f"taskflow: warning: {config}, line {line + 1}: theme: ")
    assert refusal.startswith(f"taskflow: {config}, line {line}: {name}: {words}")
    assert refusal.endswith(refusal_words(name))
    assert "using the default" not in refusal and "left out" not in refusal
    assert sorted(tmp_path.rglob("*")) == before  # no database, no folder


def test_both_a_database_and_an_owner_line_with_a_problem_are_each_one_line(
    run: Run, config: Path
) -> None:
    config.write_text("user = 5\ndatabase = 5\n")
    result = run("add", "x")
    assert result.code == EXIT_FAILURE
    assert [line.split(": ")[:3] for line in result.error_lines] == [
        ["taskflow", f"{config}, line 1", "user"],
        ["taskflow", f"{config}, line 2", "database"],
    ]


@pytest.mark.parametrize("name", ["database", "user"])
def test_the_option_or_the_variable_decides_over_a_bad_line_but_a_blank_one_does_not(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    option, variable, _ = DECIDED_BY[name]
    value = str(tmp_path / "t.db") if name == "database" else "bob"
    config.write_text(f"{name} = 5\n")
    other = ["--user", "alice"] if name == "database" else ["--db", str(tmp_path / "t.db")]
    result = run(*other, option, value, "add", "x")
    assert result.code == EXIT_OK
    [warning] = result.error_lines  # the line is still wrong: said, as any other
    assert warning.startswith(f"taskflow: warning: {config}, line 1: {name}: ")
    monkeypatch.setenv(variable, value)
    assert run(*other, "add", "y").code == EXIT_OK
    monkeypatch.setenv(variable, " ")
    assert run(*other, option, " ", "add", "z").code == EXIT_FAILURE
    with open_store(tmp_path / "t.db", user="bob" if name == "user" else "alice") as store:
        assert [task.title for task in store.list_tasks()] == ["x", "y"]


def test_the_config_commands_still_run_on_a_database_line_with_a_problem(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text("database = ~/work.db\n")
    assert run("config", "path") == Result(EXIT_OK, f"{config}\n", "")
    shown = run("config", "show", "--json")
    assert shown.code == EXIT_OK
    [problem] = json.loads(shown.out)["problems"]
    assert problem.startswith(f"{config}, line 1: database: not valid TOML (")
    assert problem.endswith(refusal_words("database"))
    # The editor leaves it as it was: still refused, exit 1, after the editor.
    script = tmp_path / "editor"
    script.write_text("#!/bin/sh\nprintf '# looked\\n' >> \"$1\"\n")
    script.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    edited = run("config", "edit")
    assert (edited.code, edited.out) == (EXIT_FAILURE, "")
    assert edited.error_lines == [f"taskflow: {problem}"]
    assert config.read_text() == "database = ~/work.db\n# looked\n"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("a-folder", "is a folder, not a database file"),
        ("a-file/tasks.db", "a-file is a file, not a folder"),
        ("a-fifo", "is a named pipe (FIFO), not a database file"),
    ],
)
def test_config_show_and_edit_report_a_database_every_command_refuses(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, words: str
) -> None:
    (config.parent / "a-folder").mkdir()
    (config.parent / "a-file").write_text("not a folder")
    os.mkfifo(config.parent / "a-fifo")
    config.write_text(f'database = "{value}"\n')
    refused = run("--user", "alice", "add", "x")
    [line] = refused.error_lines
    assert line.startswith(f"taskflow: {config}, line 1: database: ") and words in line
    report = json.loads(run("config", "show", "--json").out)
    assert report["problems"] == [line.removeprefix("taskflow: ")]
    script = tmp_path / "editor"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    edited = run("config", "edit")
    assert (edited.code, edited.out, edited.error_lines) == (EXIT_FAILURE, "", [line])


# -- --config with no path -------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", " "])
@pytest.mark.parametrize("command", [["config", "path"], ["add", "x"], []])
def test_config_with_no_path_is_a_usage_error(
    run: Run, config: Path, tmp_path: Path, blank: str, command: list[str]
) -> None:
    """Not the default file, quietly (it has a theme that would warn)."""
    config.write_text('theme = "neon"\n')
    before = sorted(tmp_path.rglob("*"))
    for argv in (["--config", blank, *command], [*command, f"--config={blank}"]):
        if not command and argv[0] != "--config":
            continue
        result = run("--user", "alice", *argv)
        assert result == Result(
            2, "", "taskflow: --config needs a path (see 'taskflow --help')\n"
        ), argv
    assert sorted(tmp_path.rglob("*")) == before


# -- what the config layer costs a command ---------------------------------------------------


def test_the_command_line_s_defaults_are_the_catalogue_s() -> None:
    assert set(settings_access._DECIDED_BY) == set(FATAL_SETTINGS)
    assert settings_access.CONFIG_ENV_VAR == CONFIG_ENV_VAR
    assert SETTINGS_BY_NAME["cli.list_sort"].default == settings_access.DEFAULT_LIST_SORT
    assert SETTINGS_BY_NAME["cli.list_columns"].default == settings_access.DEFAULT_LIST_COLUMNS
    assert DEFAULTS.date_style == settings_access.DEFAULT_DATE_STYLE


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"XDG_CONFIG_HOME": ""},
        {"XDG_CONFIG_HOME": "relative/config"},
        {"XDG_CONFIG_HOME": "/somewhere/else/"},
        {"XDG_CONFIG_HOME": "", "HOME": "/home/someone/"},
        {"XDG_CONFIG_HOME": "", "HOME": "/"},
        {"XDG_CONFIG_HOME": "", "HOME": "relative-home"},
    ],
)
def test_the_default_path_is_platformdirs_own(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if not env:
        monkeypatch.delenv("XDG_CONFIG_HOME")
    assert settings_access.default_config_file() == config_path(environ={})[0]


REPORT_MODULES = """
import json, sys
from tui.cli import main
code = main(sys.argv[1:])
loaded = sorted({name for name in sys.modules
                 if name.split('.')[0] in ('tomllib', 'platformdirs', 'tomlkit')
                 or name.startswith('tui.settings')})
print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)
"""


def loaded_by(tmp_path: Path, *argv: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", REPORT_MODULES, *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "TASKFLOW_USER": "alice",
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        },
        timeout=120,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    loaded: list[str] = report["loaded"]
    return loaded


def test_a_command_without_a_config_file_loads_nothing_of_the_config_layer(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "tasks.db")
    assert loaded_by(tmp_path, "--db", db, "add", "Buy milk") == []
    config = tmp_path / "xdg-config" / "taskflow" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[cli]\nlist_sort = "title"\n')
    loaded = loaded_by(tmp_path, "--db", db, "add", "Buy milk")
    # Reading a file: tomllib, but not tomlkit (only the app writes the file).
    assert "tomllib" in loaded and "tui.settings.loading" in loaded
    assert not any(name.startswith("tomlkit") for name in loaded)
    # Nor platformdirs: the default file's place is worked out here on Linux.
    assert not any(name.startswith("platformdirs") for name in loaded)


def test_a_file_that_cannot_be_read_but_names_a_database_ends_a_command(
    run: Run, config: Path, tmp_path: Path
) -> None:
    """Not UTF-8 after its database line: nothing of it can be read, and the default
    database is not where these tasks belong."""
    config.write_bytes(b'database = "' + str(tmp_path / "work.db").encode() + b'"\n\xff\n')
    before = sorted(tmp_path.rglob("*"))
    result = run("add", "Buy milk")
    assert (result.code, result.out) == (EXIT_FAILURE, "")
    warning, line = result.error_lines
    assert warning.startswith(f"taskflow: warning: {config}, line 2: is not UTF-8 text")
    assert line.startswith(f"taskflow: {config}, line 1: database: the file around it cannot")
    assert sorted(tmp_path.rglob("*")) == before  # no database anywhere
