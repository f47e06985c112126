"""Each setting of the config file the command line uses, and its effect: week_start on
every date in plain words, time_format and dates wherever a due date or a time of day is
printed, cli.list_sort and cli.list_columns on `taskflow list`.

Through ``main`` on the frozen clock (Friday 20 November 2026, 09:30 UTC, in UTC), the
config file in its default place; a few runs as real processes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from store import MONDAY, SUNDAY, Due, parse_due, parse_repeat
from tests.cli.helpers import Result, run_process
from tests.helpers import FROZEN_START
from tui.cli import EXIT_OK

pytestmark = pytest.mark.zone("UTC")

NOW = FROZEN_START.replace(tzinfo=None)  # local time, in UTC


@pytest.fixture
def config(tmp_path: Path) -> Callable[[str], Path]:
    """``config('week_start = "sunday"')`` writes the config file, in its default place
    (the test's XDG_CONFIG_HOME)."""
    path = tmp_path / "xdg-config" / "taskflow" / "config.toml"

    def write(text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run(run: Callable[..., Result], db_path: Path) -> Callable[..., Result]:
    """``run("list")``: ``taskflow --db <test db> --user alice list`` in-process."""
    return lambda *argv: run("--db", str(db_path), "--user", "alice", *argv)


def rows(result: Result) -> dict[str, str]:
    """`show`'s rows: label -> value."""
    found = {}
    for line in ok(result).out.splitlines():
        label, _, value = line.partition(":")
        if value:
            found[label] = value.strip()
    return found


def ok(result: Result) -> Result:
    assert (result.code, result.err) == (EXIT_OK, ""), result.err
    return result


def due_of(run: Callable[..., Result], *argv: str) -> str | None:
    """The due date of the task ``add ... --json`` made (or ``edit``), as stored."""
    due: str | None = json.loads(ok(run(*argv, "--json")).out)["due"]
    return due


# -- week_start -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "monday", "sunday"),
    [
        ("next week", "2026-11-23", "2026-11-22"),
        ("end of week", "2026-11-22", "2026-11-21"),
        ("next sunday", "2026-11-29", "2026-11-22"),
    ],
)
def test_week_start_says_which_days_the_week_phrases_mean(
    run: Callable[..., Result],
    config: Callable[[str], Path],
    words: str,
    monday: str,
    sunday: str,
) -> None:
    # The expectations are the store's own reading with each week start.
    assert parse_due(words, NOW, week_start=MONDAY) == Due.from_key(monday)
    assert parse_due(words, NOW, week_start=SUNDAY) == Due.from_key(sunday)
    assert due_of(run, "add", f"Title {words}") == monday
    assert due_of(run, "add", "Option", "--due", words) == monday
    config('week_start = "sunday"\n')
    assert due_of(run, "add", f"Title {words}") == sunday  # quick add's words
    assert due_of(run, "add", "Option", "--due", words) == sunday
    task_id = json.loads(ok(run("add", "Edited", "--json")).out)["id"]
    assert due_of(run, "edit", task_id, "--due", words) == sunday


def test_week_start_applies_to_a_repeat_s_start(
    run: Callable[..., Result], config: Callable[[str], Path]
) -> None:
    phrase = "every day starting next week"
    assert parse_repeat(phrase, NOW, week_start=MONDAY).first == Due(date(2026, 11, 23))
    assert parse_repeat(phrase, NOW, week_start=SUNDAY).first == Due(date(2026, 11, 22))
    assert due_of(run, "add", "Walk", "--repeat", phrase) == "2026-11-23"
    config('week_start = "sunday"\n')
    assert due_of(run, "add", "Walk", "--repeat", phrase) == "2026-11-22"
    assert due_of(run, "add", f"Stretch {phrase}") == "2026-11-22"


# -- time_format and dates ------------------------------------------------------------------


def test_twelve_hour_times_in_every_place_a_time_is_printed(
    run: Callable[..., Result], config: Callable[[str], Path]
) -> None:
    config('time_format = "12h"\n')
    added = ok(run("add", "Call mum tomorrow 5pm every day")).out.splitlines()
    assert added[1] == (
        "  due Sat 21 Nov 2026, 5pm (tomorrow) · ↻ every day at 5pm · "
        "then Sun 22 Nov, Mon 23 Nov, Tue 24 Nov"
    )
    task_id = added[0].split()[1]
    assert ok(run("list")).out.splitlines() == [
        f"{task_id[:8]}  [ ]  tmrw 5pm  2026-11-20 9:30am  Call mum ↻"
    ]
    show = rows(run("show", task_id))
    assert show["Due"] == "Sat 21 Nov 2026, 5pm (tomorrow)"
    assert show["Repeats"] == "every day at 5pm"
    assert show["Created"] == "2026-11-20 9:30am (UTC)"
    edited = ok(run("edit", task_id, "--due", "sat 12:30am")).out.splitlines()
    assert edited[1].startswith("  due Sat 21 Nov 2026, 12:30am (tomorrow) · ↻ every day at")
    history = ok(run("history", task_id)).out.splitlines()
    assert history[-1] == (
        "2026-11-20 9:30am   due date changed  due Sat 21 Nov 5pm → Sat 21 Nov 12:30am"
    )
    done = ok(run("done", task_id)).out.splitlines()
    assert done[1].endswith("Sun 22 Nov 2026, 12:30am")


def test_the_default_is_a_24_hour_clock_and_relative_dates(run: Callable[..., Result]) -> None:
    added = ok(run("add", "Call mum tomorrow 5pm")).out.splitlines()
    assert added[1] == "  due Sat 21 Nov 2026, 17:00 (tomorrow)"
    assert (
        ok(run("list"))
        .out.splitlines()[0]
        .endswith("  [ ]  tmrw 17:00  2026-11-20 09:30  Call mum")
    )


def test_absolute_dates_in_the_list_and_on_a_task(
    run: Callable[..., Result], config: Callable[[str], Path]
) -> None:
    config('dates = "absolute"\n')
    task_id = ok(run("add", "Dentist tomorrow", "--json")).out
    task_id = json.loads(task_id)["id"]
    ok(run("add", "Late", "--due", "2026-11-18"))
    listed = ok(run("list", "--sort", "due")).out.splitlines()
    assert [row.split("  ")[2:4] for row in listed] == [
        ["Nov 18", "2026-11-20 09:30"],
        ["Nov 21", "2026-11-20 09:30"],
    ]
    assert rows(run("show", task_id))["Due"] == "Sat 21 Nov 2026"  # without "(tomorrow)"


# -- cli.list_sort and cli.list_columns -----------------------------------------------------


def titles(result: Result) -> list[str]:
    return [task["title"] for task in json.loads(ok(result).out)]


def test_list_sort_is_the_order_without_sort_but_not_of_the_views_by_date(
    run: Callable[..., Result], config: Callable[[str], Path]
) -> None:
    for title, due in (("b", "tomorrow"), ("c", "today"), ("a", "in 3 days")):
        ok(run("add", title, "--due", due))
    assert titles(run("list", "--json")) == ["b", "c", "a"]  # created, the default
    config('[cli]\nlist_sort = "title"\n')
    assert titles(run("list", "--json")) == ["a", "b", "c"]
    assert titles(run("list", "--sort", "created", "--json")) == ["b", "c", "a"]
    assert titles(run("list", "--upcoming", "--json")) == ["c", "b", "a"]  # due, as ever
    assert titles(run("list", "--today", "--json")) == ["c"]
    config('[cli]\nlist_sort = "due"\n')
    assert titles(run("list", "--json")) == ["c", "b", "a"]


def test_list_columns_choose_what_list_shows_in_its_own_order(
    run: Callable[..., Result], config: Callable[[str], Path]
) -> None:
    task = json.loads(ok(run("add", "Pay rent tomorrow !high #home +Bills", "--json")).out)
    short = task["id"][:8]
    full = f"{short}  [ ]  !!!  tomorrow  2026-11-20 09:30  Pay rent  +Bills #home"
    assert ok(run("list")).out == full + "\n"
    config('[cli]\nlist_columns = ["due"]\n')
    assert ok(run("list")).out == "[ ]  tomorrow  Pay rent\n"
    config('[cli]\nlist_columns = ["tags", "created", "id"]\n')  # shown in list's order
    assert ok(run("list")).out == f"{short}  [ ]  2026-11-20 09:30  Pay rent  +Bills #home\n"
    config("[cli]\nlist_columns = []\n")
    assert ok(run("list")).out == "[ ]  Pay rent\n"
    # --json is every field, whatever the columns.
    assert json.loads(ok(run("list", "--json")).out)[0]["tags"] == ["home"]


def test_list_columns_with_a_header_on_a_terminal(
    run: Callable[..., Result], config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run("add", "Pay rent tomorrow"))
    config('[cli]\nlist_columns = ["due", "created"]\n')
    monkeypatch.setattr("tui.cli.output.is_terminal", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    lines = ok(run("list")).out.splitlines()
    assert lines == [
        "          Due  Created           Title",
        "[ ]  tomorrow  2026-11-20 09:30  Pay rent",
        "1 open task.",
    ]


# -- as a real process ----------------------------------------------------------------------


def test_settings_apply_in_a_real_process(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[cli]\nlist_sort = "title"\nlist_columns = []\n')
    env = {"TASKFLOW_CONFIG": str(config), "TASKFLOW_USER": "alice"}
    db = str(tmp_path / "tasks.db")
    for title in ("b", "c", "a"):
        assert run_process("--db", db, "add", title, cwd=tmp_path, env=env).returncode == 0
    done = run_process("--db", db, "list", cwd=tmp_path, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[ ]  a\n[ ]  b\n[ ]  c\n", "")
    done = run_process(
        "list", "--db", db, "--config", str(tmp_path / "none.toml"), cwd=tmp_path, env=env
    )
    assert done.returncode == 0
    missing = tmp_path / "none.toml"
    assert (
        done.stderr == f"taskflow: warning: {missing}: there is no such file; using the defaults\n"
    )
    assert [line.split("  ")[-1] for line in done.stdout.splitlines()] == ["b", "c", "a"]
