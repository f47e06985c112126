"""The config file's edges, below the app: keys as a terminal sends them, lines TOML
counts differently from Python, files made to be slow, and writing back into a file
that is read-only, changing, or shaped unexpectedly. Each checks the file afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import tui.settings.writing as writing
from tui.keymap import find_clashes
from tui.settings import read_file
from tui.settings.catalogue import BadValue, key_list
from tui.settings.writing import NotWritten, write_settings


def config(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- keys as Textual receives them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("t", "t"),
        ("T", "T"),
        ("shift+t", "T"),  # what a terminal sends for Shift+T
        ("Ctrl+T", "ctrl+t"),
        ("ctrl+shift+t", "ctrl+t"),
        ("Enter", "enter"),
        ("Space", "space"),
        ("?", "question_mark"),
        ("question_mark", "question_mark"),
        ("/", "slash"),
        ("+", "plus"),
        ("ctrl++", "ctrl+plus"),
        (",", "comma"),
        (".", "full_stop"),
        ("F2", "f2"),
        ("alt+up", "alt+up"),
        ("shift+tab", "shift+tab"),
    ],
)
def test_a_key_is_written_as_textual_names_it(written: str, key: str) -> None:
    assert key_list(written) == (key,)


@pytest.mark.parametrize(
    "written",
    ["ctrl+", "hyper+q", "super+x", "ctrl+shift+hyper+q", "latin_small_letter_t", "alt+x",
     "enterr", "ctrl+ctrl+t", " ", "\t"],
)  # fmt: skip
def test_a_key_no_terminal_sends_is_refused(written: str) -> None:
    with pytest.raises(BadValue):
        key_list(written)


def test_several_keys_in_one_string_or_a_list() -> None:
    assert key_list("t, space") == ("t", "space")
    assert key_list(["d", "Delete", "d"]) == ("d", "delete")
    with pytest.raises(BadValue):
        key_list("t,,u")
    with pytest.raises(BadValue):
        key_list([])


@pytest.mark.parametrize(
    ("keymap", "key", "other", "where"),
    [
        ({"toggle_done": "ctrl+p"}, "ctrl+p", "the command palette", "the task list"),
        ({"save": "s"}, "s", "typing in the fields", "the editor"),
        ({"save": "ctrl+w"}, "ctrl+w", "the Input's Delete left to start of word", "the editor"),
        ({"rename_project": "enter"}, "enter", "open", "the projects sidebar"),
        ({"toggle_done": "j"}, "j", "cursor_down", "the task list"),
    ],
)
def test_a_remap_onto_a_key_textual_or_a_field_has_is_a_clash(
    keymap: dict[str, str], key: str, other: str, where: str
) -> None:
    (first, *_) = find_clashes(keymap)
    assert (first.key, first.other, first.where) == (key, other, where)


def test_keys_that_share_by_default_and_new_free_keys_are_no_clash() -> None:
    assert find_clashes({}) == []
    assert find_clashes({"delete": "d,delete,ctrl+x", "save": "ctrl+b", "add": "plus"}) == []


# -- reading ----------------------------------------------------------------------------------


def test_a_byte_order_mark_is_not_part_of_the_first_line(tmp_path: Path) -> None:
    settings = read_file(config(tmp_path, '\ufefftheme = "nord"\n'.encode()))
    assert settings.problems == () and settings["theme"] == "nord"


def test_a_line_separator_inside_a_string_does_not_shift_the_lines(tmp_path: Path) -> None:
    settings = read_file(config(tmp_path, 'user = "me\u2028you"\nthem = 1\n'))
    assert settings["user"] == "me\u2028you"
    (problem,) = settings.problems
    assert (problem.line, problem.setting) == (2, "them")


@pytest.mark.parametrize("text", ['state = "x"\n', "[[state]]\nview = 'all'\n", "list = 3\n"])
def test_a_table_given_as_something_else_is_said(tmp_path: Path, text: str) -> None:
    settings = read_file(config(tmp_path, text))
    (problem,) = settings.problems
    assert "must be a table" in problem.message


def test_a_setting_written_under_a_table_is_told_where_it_belongs(tmp_path: Path) -> None:
    settings = read_file(config(tmp_path, '[keys]\nadd = "+"\ntime_format = "12h"\n'))
    (problem,) = settings.problems
    assert (problem.line, problem.setting) == (3, "keys.time_format")
    assert "belongs above the first [table]" in problem.message
    assert settings.keymap == {"add": "plus"}


def test_thousands_of_mistakes_are_counted_not_listed(tmp_path: Path) -> None:
    text = "".join(f"k{number} = 1\n" for number in range(5000)) + 'theme = "nord"\n'
    settings = read_file(config(tmp_path, text))
    assert settings["theme"] == "nord"
    assert len(settings.problems) == 21
    assert settings.problems[-1].message == "and 4980 more problems like these"


def test_a_string_left_open_at_the_end_of_a_long_file_is_found_by_its_line(
    tmp_path: Path,
) -> None:
    lines = [f"# note {number} " + "x" * 400 for number in range(2000)]
    text = 'theme = "nord"\n' + "\n".join(lines) + '\nuser = """\n'
    settings = read_file(config(tmp_path, text))
    assert settings["theme"] == "nord"
    (problem,) = settings.problems
    assert problem.line == 2002 and problem.setting == "user"


# -- writing --------------------------------------------------------------------------------


def test_writing_keeps_comments_and_goes_through_a_symlink(tmp_path: Path) -> None:
    real = config(tmp_path, '# mine\nweek_start = "sunday"  # at home\n')
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    write_settings(link, {"theme": "nord", "state.view": "today"})
    assert link.is_symlink()
    assert real.read_text() == (
        '# mine\nweek_start = "sunday"  # at home\ntheme = "nord"\n\n[state]\nview = "today"\n'
    )


def test_a_change_made_while_writing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, 'theme = "nord"\n')
    real_updated = writing._updated
    saved_by_the_user = False

    def user_saves_meanwhile(target: Path, data: bytes, changes: object) -> bytes | None:
        nonlocal saved_by_the_user
        if not saved_by_the_user:  # the user's editor saves between our read and write
            saved_by_the_user = True
            time.sleep(0.01)  # a new mtime even on a coarse clock
            path.write_text('theme = "nord"\n# my new note\nweek_start = "sunday"\n')
        return real_updated(target, data, changes)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "_updated", user_saves_meanwhile)
    write_settings(path, {"state.view": "today"})
    assert path.read_text() == (
        'theme = "nord"\n# my new note\nweek_start = "sunday"\n\n[state]\nview = "today"\n'
    )


@pytest.mark.parametrize("text", ['state = "x"\n', "[[state]]\nview = 'all'\n"])
def test_a_file_whose_state_is_not_a_table_is_left_as_it_is(tmp_path: Path, text: str) -> None:
    path = config(tmp_path, text)
    with pytest.raises(NotWritten, match="state must be a table"):
        write_settings(path, {"state.view": "today"})
    assert path.read_text() == text


def test_a_file_with_an_error_is_left_as_it_is(tmp_path: Path) -> None:
    path = config(tmp_path, "theme = nord\n")
    with pytest.raises(NotWritten, match="has an error to fix first"):
        write_settings(path, {"theme": "dracula"})
    assert path.read_text() == "theme = nord\n"


_AS_NOBODY = """
import os, sys
from pathlib import Path
import tomlkit, tomlkit.exceptions  # loaded first: nobody may not read root's Python
from tui.settings.writing import NotWritten, write_settings
os.setgid(65534); os.setuid(65534)
try:
    write_settings(Path(sys.argv[1]), {"theme": "dracula"})
except NotWritten as error:
    print("refused:", error)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_a_read_only_file_is_not_replaced_even_where_its_folder_allows() -> None:
    # As root, permissions do not stop anything: the writer runs as nobody, in a
    # folder nobody may write to, on a file nobody may only read.
    # (Not under tmp_path: pytest's own folder is closed to other users.)
    folder = Path(tempfile.mkdtemp(prefix="taskflow-shared-"))
    try:
        folder.chmod(0o777)
        path = folder / "config.toml"
        path.write_text('theme = "nord"\n')
        path.chmod(0o444)
        done = subprocess.run(
            [sys.executable, "-c", _AS_NOBODY, str(path)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            check=False,
        )
        after = path.read_text()
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "is read-only" in done.stdout
    assert after == 'theme = "nord"\n'


def test_a_named_pipe_at_the_path_is_said_not_waited_for(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    settings = read_file(fifo)  # would block forever if it were opened to be read
    (problem,) = settings.problems
    assert problem.message == "cannot be read (not a regular file); using the defaults"


def test_a_database_with_a_shell_variable_is_refused(tmp_path: Path) -> None:
    settings = read_file(config(tmp_path, 'database = "$HOME/tasks.db"\n'))
    problem = settings.problem_with("database")
    assert problem is not None and "does not expand" in problem.message
    assert read_file(config(tmp_path, 'database = "~/tasks.db"\n')).problems == ()
