"""`taskflow config path`, `show` and `edit`, and where the database and the owner come
from: --db/--user, then the environment, then the config file, then the defaults.

Through ``main`` on the frozen clock, with the config file in the test's own
XDG_CONFIG_HOME (tests/conftest.py), and a few runs as real processes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from store import open_store, resolve_user
from tests.cli.helpers import REPO, Result, run_process
from tui.cli import EXIT_FAILURE, EXIT_OK
from tui.cli.config_commands import KEY_CLASHES_NOTE, template
from tui.settings import BINDING_IDS, SETTINGS, read_file
from tui.settings.catalogue import STATE_SETTINGS

Run = Callable[..., Result]


@pytest.fixture
def default_file(tmp_path: Path) -> Path:
    """Where the config file is when nothing names another (XDG_CONFIG_HOME is the test's)."""
    return tmp_path / "xdg-config" / "taskflow" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shown(run: Run, *argv: str) -> dict[str, object]:
    result = run(*argv, "config", "show", "--json")
    assert (result.code, result.err) == (EXIT_OK, ""), result.err
    report: dict[str, object] = json.loads(result.out)
    return report


def setting(report: dict[str, object], name: str) -> dict[str, object]:
    settings = report["settings"]
    assert isinstance(settings, dict)
    found: dict[str, object] = settings[name]
    return found


# -- config path ----------------------------------------------------------------------------


def test_config_path_prints_the_default_path_alone_whether_or_not_there_is_a_file(
    run: Run, default_file: Path
) -> None:
    assert run("config", "path") == Result(EXIT_OK, f"{default_file}\n", "")
    write(default_file, "theme = 'no such theme'\nbogus = 1\n")
    # Its problems are for `config show` and the other commands: stdout is the path alone.
    assert run("config", "path") == Result(EXIT_OK, f"{default_file}\n", "")


def test_config_path_follows_the_environment_then_the_option(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TASKFLOW_CONFIG", "from-env.toml")
    assert run("config", "path").out == f"{tmp_path / 'from-env.toml'}\n"
    # --config beats the environment, before or after the command; a relative path is
    # made absolute against the working folder.
    assert run("--config", "flag.toml", "config", "path").out == f"{tmp_path / 'flag.toml'}\n"
    assert run("config", "path", "--config", "/x/y.toml").out == "/x/y.toml\n"


def test_config_path_as_a_real_process(tmp_path: Path) -> None:
    done = run_process(
        "config", "path", cwd=tmp_path, env={"TASKFLOW_CONFIG": str(tmp_path / "c.toml")}
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{tmp_path / 'c.toml'}\n", "")
    done = run_process(
        "config", "path", cwd=tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "home-config")}
    )
    assert done.stdout == f"{tmp_path / 'home-config' / 'taskflow' / 'config.toml'}\n"


# -- config show ----------------------------------------------------------------------------


def test_config_show_without_a_file_says_every_setting_is_its_default(
    run: Run, default_file: Path
) -> None:
    report = shown(run)
    assert report["path"] == str(default_file)
    assert report["exists"] is False
    assert report["keys"] == {} and report["problems"] == []
    assert list(report["settings"]) == [setting.name for setting in SETTINGS]
    for each in SETTINGS:
        default = list(each.default) if isinstance(each.default, tuple) else each.default
        assert setting(report, each.name) == {"value": default, "origin": "default", "where": ""}


def test_config_show_names_each_origin(
    run: Run, default_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        default_file,
        "# my settings\n"
        'theme = "nord"\n'
        'database = "from-file.db"\n'
        'user = "file-user"\n'
        "[cli]\n"
        'list_sort = "title"\n'
        "[keys]\n"
        'toggle_done = ["t", "space"]\n',
    )
    monkeypatch.setenv("TASKFLOW_USER", "env-user")
    report = shown(run, "--db", str(tmp_path / "flag.db"))
    assert setting(report, "theme") == {"value": "nord", "origin": "file", "where": "line 2"}
    assert setting(report, "cli.list_sort") == {
        "value": "title",
        "origin": "file",
        "where": "line 6",
    }
    assert setting(report, "week_start") == {"value": "monday", "origin": "default", "where": ""}
    assert setting(report, "database") == {
        "value": str(tmp_path / "flag.db"),
        "origin": "flag",
        "where": "--db",
    }
    assert setting(report, "user") == {
        "value": "env-user",
        "origin": "environment",
        "where": "$TASKFLOW_USER",
    }
    assert report["keys"] == {"toggle_done": {"keys": ["t", "space"], "where": "line 8"}}

    monkeypatch.setenv("TASKFLOW_DB_PATH", str(tmp_path / "env.db"))
    report = shown(run, "--user", "flag-user")
    assert setting(report, "database")["origin"] == "environment"
    assert setting(report, "database")["where"] == "$TASKFLOW_DB_PATH"
    assert setting(report, "user") == {"value": "flag-user", "origin": "flag", "where": "--user"}

    monkeypatch.delenv("TASKFLOW_DB_PATH")
    monkeypatch.delenv("TASKFLOW_USER")
    report = shown(run)
    assert setting(report, "database") == {
        "value": "from-file.db",
        "origin": "file",
        "where": "line 3",
    }
    assert setting(report, "user") == {"value": "file-user", "origin": "file", "where": "line 4"}


# A row of `config show`: the setting, its value, then (two spaces or more on) the origin.
ROW = re.compile(r"^(?P<name>\S+) +(?P<value>.*?)  +(?P<origin>\S.*)$")


def rows_of(out: str) -> dict[str, re.Match[str]]:
    found = {}
    for line in out.splitlines()[1:]:
        match = ROW.match(line)
        if match and (match["name"] in NAMES or match["name"].startswith("keys.")):
            found[match["name"]] = match
    return found


NAMES = {setting.name for setting in (*SETTINGS, *STATE_SETTINGS)}


def test_config_show_in_words(run: Run, default_file: Path) -> None:
    write(default_file, 'time_format = "12h"\nbogus = 1\n[keys]\nquit = "Q"\n')
    result = run("--user", "someone", "config", "show")
    assert result.code == EXIT_OK and result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == f"Config file: {default_file} (the default place)"
    rows = {name: [row["value"], row["origin"]] for name, row in rows_of(result.out).items()}
    assert rows["time_format"] == ['"12h"', "file, line 1"]
    assert rows["week_start"] == ['"monday"', "default"]
    assert rows["user"] == ['"someone"', "flag, --user"]
    assert rows["keys.quit"] == ['["Q"]', "file, line 4"]
    assert rows["database"] == [
        "(the user data folder)",
        f"default: {default_file.parents[2] / 'xdg-data' / 'taskflow' / 'tasks.db'}",
    ]
    assert lines[-2] == KEY_CLASHES_NOTE
    assert lines[-1] == (
        f"problem: {default_file}, line 2: bogus: there is no setting 'bogus'; it is left out"
    )


def test_config_show_aligns_its_origins_and_words_the_database_and_user_left_alone(
    run: Run,
) -> None:
    """The longest default (cli.list_columns, 43 characters) too; an unset database and
    user are what they then are, not "none"."""
    result = run("config", "show")
    rows = rows_of(result.out)
    assert set(rows) == {setting.name for setting in SETTINGS}
    assert len({row.start("origin") for row in rows.values()}) == 1, result.out
    assert rows["cli.list_columns"]["value"] == '["id", "priority", "due", "created", "tags"]'
    assert rows["database"]["value"] == "(the user data folder)"
    assert rows["user"]["value"] == "(your login name)"
    assert rows["user"]["origin"] == f"default: {resolve_user(None, {})}"
    assert "none" not in result.out
    assert result.out.splitlines()[-1] == "No keys remapped ([keys] in the file)."


def test_config_show_names_a_database_in_the_file_that_cannot_be_used(
    run: Run, default_file: Path
) -> None:
    write(default_file, 'database = "mysql://db.example/tasks"\n')
    report = shown(run)
    [problem] = report["problems"]
    assert problem.startswith(f"{default_file}, line 1: database: Unsupported database URL")


# -- precedence: flag > environment > file > default ----------------------------------------


def titles_in(path: Path, user: str) -> list[str]:
    with open_store(path, user=user) as store:
        return [task.title for task in store.list_tasks()]


def test_the_database_flag_beats_the_environment_beats_the_file_beats_the_default(
    run: Run, default_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_default = tmp_path / "xdg-data" / "taskflow" / "tasks.db"
    assert run("--user", "u", "add", "To the default").code == EXIT_OK
    # A relative path in the file is relative to the file's folder, not the working one.
    write(default_file, 'database = "in-config.db"\n')
    in_config = default_file.parent / "in-config.db"
    assert run("--user", "u", "add", "To the file's").code == EXIT_OK
    monkeypatch.setenv("TASKFLOW_DB_PATH", str(tmp_path / "env.db"))
    assert run("--user", "u", "add", "To the environment's").code == EXIT_OK
    assert run("--user", "u", "--db", str(tmp_path / "flag.db"), "add", "To the flag's").code == 0
    assert titles_in(data_default, "u") == ["To the default"]
    assert titles_in(in_config, "u") == ["To the file's"]
    assert titles_in(tmp_path / "env.db", "u") == ["To the environment's"]
    assert titles_in(tmp_path / "flag.db", "u") == ["To the flag's"]

    monkeypatch.delenv("TASKFLOW_DB_PATH")
    status = run("--user", "u", "db", "status")
    assert status.out.splitlines()[0] == (
        f"Database:     {in_config} (from {default_file}, line 1)"
    )
    report = json.loads(run("--user", "u", "db", "status", "--json").out)
    assert (report["path"], report["source"]) == (str(in_config), "config")


def test_the_user_flag_beats_the_environment_beats_the_file_beats_the_login(
    run: Run, default_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "tasks.db")

    def owner(*argv: str) -> str:
        result = run("--db", db, *argv, "db", "status", "--json")
        assert result.code == EXIT_OK, result.err
        user: str = json.loads(result.out)["user"]
        return user

    assert run("--db", db, "add", "x").code == EXIT_OK  # made, so that status opens it
    login = owner()
    write(default_file, 'user = "from-file"\n')
    assert owner() == "from-file" != login
    monkeypatch.setenv("TASKFLOW_USER", "from-env")
    assert owner() == "from-env"
    assert owner("--user", "from-flag") == "from-flag"


def test_a_blank_user_or_db_option_is_as_if_not_given(
    run: Run, default_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the store takes them (and the environment's): the file's user and database
    apply, and `config show` says so, not "flag"."""
    write(default_file, 'user = "bob"\ndatabase = "from-file.db"\n')
    assert run("--user", " ", "--db", " ", "add", "Bob's").code == EXIT_OK
    assert titles_in(default_file.parent / "from-file.db", "bob") == ["Bob's"]
    report = shown(run, "--user", " ", "--db", "  ")
    assert setting(report, "user") == {"value": "bob", "origin": "file", "where": "line 1"}
    assert setting(report, "database") == {
        "value": "from-file.db",
        "origin": "file",
        "where": "line 2",
    }
    status = json.loads(run("--user", " ", "--db", "", "db", "status", "--json").out)
    assert (status["user"], status["source"]) == ("bob", "config")


# -- config edit ----------------------------------------------------------------------------


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """``editor('toggle_done = "t"')``: $EDITOR becomes a script that appends that line
    to the file it is given (and $VISUAL is unset); its path is returned."""

    def make(line: str, *, status: int = 0, name: str = "append-editor") -> Path:
        script = tmp_path / name
        script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{line}' >> \"$1\"\nexit {status}\n")
        script.chmod(0o755)
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setenv("EDITOR", str(script))
        return script

    return make


def test_config_edit_makes_the_file_from_the_template_then_checks_it(
    run: Run, default_file: Path, editor: Callable[..., Path]
) -> None:
    editor('toggle_done = "t"')  # the template ends in [keys]
    result = run("config", "edit")
    assert result == Result(
        EXIT_OK, f"No problems found in {default_file}.\n{KEY_CLASHES_NOTE}\n", ""
    )
    text = default_file.read_text()
    assert text == template() + 'toggle_done = "t"\n'
    settings = read_file(default_file)
    assert settings.problems == ()
    assert settings.keymap == {"toggle_done": "t"}
    assert shown(run)["keys"] == {
        "toggle_done": {"keys": ["t"], "where": f"line {len(text.splitlines())}"}
    }


def test_the_template_lists_every_setting_at_its_default_commented_out(tmp_path: Path) -> None:
    text = template()
    for each in SETTINGS:
        key = each.name.split(".")[-1]
        assert f"\n# {key} = " in text, each.name
    uncommented = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert uncommented == ["[list]", "[cli]", "[keys]"]
    path = write(tmp_path / "t.toml", text)
    assert read_file(path).problems == ()
    # Every line uncommented is a valid file giving every setting its default.
    for each in SETTINGS:
        key = each.name.split(".")[-1]
        if each.default is None:
            continue
        text = text.replace(f"\n# {key} = ", f"\n{key} = ")
    write(path, text)
    settings = read_file(path)
    assert settings.problems == ()
    for each in SETTINGS:
        if each.default is not None:
            assert settings.values[each.name].value == each.default, each.name


def test_the_template_ends_saying_where_a_setting_of_the_top_goes(
    run: Run, default_file: Path, editor: Callable[..., Path]
) -> None:
    """A line a script adds at its end is in [keys], the last table: the template's last
    words say that the settings of the top belong above the first [table]."""
    last = template().rstrip("\n").split("\n\n")[-1]
    assert "[keys]" in last and "above the first" in last and "[table]" in last
    for name in ("theme", "week_start", "time_format", "dates", "database", "user"):
        assert name in last
    assert all(line.startswith("# ") for line in last.splitlines())
    editor('time_format = "12h"')
    assert run("config", "edit").code == EXIT_FAILURE
    [problem] = shown(run)["problems"]
    line = len(default_file.read_text().splitlines())
    assert problem.startswith(f"{default_file}, line {line}: keys.time_format: ")
    assert "belongs above the first [table]" in problem


@pytest.mark.parametrize("table", ["keys", "list", "cli", "state"])
def test_a_setting_of_the_top_found_in_a_table_is_said_to_belong_above_it(
    run: Run, default_file: Path, table: str
) -> None:
    write(default_file, f'[{table}]\ntime_format = "12h"\n')
    [problem] = shown(run)["problems"]
    assert problem.startswith(f"{default_file}, line 2: {table}.time_format: ")
    assert "'time_format' is a setting of its own: it belongs above the first [table]" in problem


def test_config_edit_reports_each_problem_the_edit_left(
    run: Run, default_file: Path, editor: Callable[..., Path]
) -> None:
    write(default_file, "# mine\n[keys]\n")
    editor('toggle_don = "t"')
    result = run("config", "edit")
    assert result.code == EXIT_FAILURE and result.out == ""
    assert result.error_lines == [
        f"taskflow: {default_file}, line 3: keys.toggle_don: there is no binding id "
        "'toggle_don' (did you mean 'toggle_done'?); it is left out (the README lists them)"
    ]
    # The user's file is theirs: edited in place, never replaced by the template.
    assert default_file.read_text() == '# mine\n[keys]\ntoggle_don = "t"\n'


def test_config_edit_prefers_visual_and_edits_the_file_config_names(
    run: Run, tmp_path: Path, editor: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    editor("this is not toml")
    visual = editor('quit = "Q"', name="visual-editor")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    monkeypatch.setenv("VISUAL", str(visual))
    named = tmp_path / "sub" / "mine.toml"
    result = run("--config", str(named), "config", "edit")
    assert result == Result(EXIT_OK, f"No problems found in {named}.\n{KEY_CLASHES_NOTE}\n", "")
    assert named.read_text() == template() + 'quit = "Q"\n'


def test_an_editor_that_cannot_be_started_or_fails_is_one_line(
    run: Run, default_file: Path, editor: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "/nonexistent/editor --wait")
    result = run("config", "edit")
    assert (result.code, result.out) == (EXIT_FAILURE, "")
    assert result.error_lines == [
        "taskflow: Cannot start the editor '/nonexistent/editor --wait' (from $EDITOR): "
        "No such file or directory."
    ]
    assert default_file.exists()  # made before the editor was tried: ready for the next one

    editor('theme = "nord"', status=3)
    result = run("config", "edit")
    assert result.code == EXIT_FAILURE
    assert result.error_lines == [
        f"taskflow: The editor '{os.environ['EDITOR']}' (from $EDITOR) exited with status 3; "
        f"{default_file} was not checked."
    ]


def test_config_edit_as_a_real_process(tmp_path: Path) -> None:
    script = tmp_path / "ed"
    script.write_text('#!/bin/sh\nprintf \'quit = "Q"\\n\' >> "$1"\n')
    script.chmod(0o755)
    config = tmp_path / "c.toml"
    done = run_process(
        "--config",
        str(config),
        "config",
        "edit",
        cwd=tmp_path,
        env={"EDITOR": str(script), "VISUAL": ""},
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"No problems found in {config}.\n{KEY_CLASHES_NOTE}\n",
        "",
    )
    assert read_file(config).keymap == {"quit": "Q"}


# -- the README's Configuration section -----------------------------------------------------


def configuration_section() -> str:
    text = (REPO / "README.md").read_text()
    return text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_example_sets_every_setting_and_has_no_problem(tmp_path: Path) -> None:
    [example] = re.findall(r"```toml\n(.+?)```", configuration_section(), flags=re.DOTALL)
    settings = read_file(write(tmp_path / "config.toml", example))
    assert settings.problems == ()
    names = {setting.name for setting in (*SETTINGS, *STATE_SETTINGS)}
    assert set(settings.values) == names
    for each in SETTINGS:  # each shows a value other than its default
        assert settings[each.name] != each.default, each.name
    assert settings.keys


def test_the_readme_lists_every_binding_id_with_its_description() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", configuration_section(), re.MULTILINE)
    assert [(binding, what) for binding, _, what in rows] == list(BINDING_IDS.items())
