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

from tests.cli.helpers import REPO, Result
from tests.helpers import FrozenClock, run_unprivileged, shared_tmpdir
from tui.cli import EXIT_FAILURE, EXIT_OK, main, settings_access
from tui.settings import CONFIG_ENV_VAR, DEFAULTS, config_path
from tui.settings.catalogue import SETTINGS_BY_NAME

Run = Callable[..., Result]
# What makes a file wrong, the line and setting its one line names, and the setting
# whose default then applies. Each file also sets cli.list_sort, which still applies.
BAD_LINES = {
    "syntax": ("week_start = sunday\n", 1, "week_start", "not valid TOML"),
    "unknown setting": ('colour = "red"\n', 1, "colour", "there is no setting 'colour'"),
    "wrong type": ("time_format = 12\n", 1, "time_format", "must be one of '24h', '12h'"),
    "unknown theme": ('theme = "neon"\n', 1, "theme", "must be one of 'textual-dark'"),
    "unknown binding id": (
        '[keys]\ntoggle_don = "t"\n',
        2,
        "keys.toggle_don",
        "there is no binding id 'toggle_don' (did you mean 'toggle_done'?)",
    ),
    "bad key": ('[keys]\ntoggle_done = "ctrl+"\n', 2, "keys.toggle_done", "has 'ctrl+', which"),
}


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Run:
    def go(*argv: str) -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return go


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
    config: Path,
) -> None:
    """XDG_CONFIG_HOME is in root's private tmp_path: as nobody, whether the file is
    there cannot be known, and a command run so (cron as another user) is not nagged."""
    config.write_text('theme = "nord"\n')
    folder = shared_tmpdir()

    def as_nobody() -> tuple[int, str]:
        errors = io.StringIO()
        sys.stderr = errors
        sys.stdout = io.StringIO()
        code = main(["--db", str(folder / "no.db"), "db", "status"])
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
    ],
)
@pytest.mark.parametrize("command", [["add", "x"], ["list"], ["db", "status"], []])
def test_a_database_in_the_file_that_cannot_be_used_ends_every_command(
    run: Run, config: Path, tmp_path: Path, value: str, words: str, command: list[str]
) -> None:
    (config.parent / "a-folder").mkdir()
    (config.parent / "a-file").write_text("not a folder")
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


# -- what the config layer costs a command ---------------------------------------------------


def test_the_command_line_s_defaults_are_the_catalogue_s() -> None:
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
