"""Keys reach what the user meant, in a real terminal, typed as people type them.

Reproduces the newcomer's reports on main: a second ``a`` that became a search for
"a", ``/xmas`` pasted in one go that marked a task done and opened New task, and a
title typed right after ``a`` that was lost. Everything is checked in the database
after the app has quit.
"""

from __future__ import annotations

from store import Status, TaskQuery, open_store
from tests.terminal.helpers import Terminal


def titles(terminal: Terminal) -> list[tuple[str, bool]]:
    with open_store(terminal.database, user="alice") as store:
        return [(t.title, t.completed) for t in store.list_tasks(TaskQuery(status=Status.ALL))]


def quit_app(terminal: Terminal) -> None:
    terminal.press("q")
    terminal.wait_for_exit()


def test_new_database_add_then_add_again(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.press("a")
    terminal.wait_for("New task")
    terminal.type_burst("Buy milk")
    terminal.press("Enter")
    terminal.wait_for("Added “Buy milk”")
    terminal.press("a")
    terminal.wait_for("New task")  # not a search for "a"
    terminal.type_burst("Call mum")
    terminal.press("Enter")
    terminal.wait_for("Added “Call mum”")
    quit_app(terminal)
    assert titles(terminal) == [("Buy milk", False), ("Call mum", False)]


def test_a_title_pasted_with_a_and_enter_in_one_write_is_saved(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.type_burst("aBuy oat milk\r")
    terminal.wait_for("Added “Buy oat milk”")
    quit_app(terminal)
    assert titles(terminal) == [("Buy oat milk", False)]


def test_slash_and_a_search_in_one_write_is_all_search(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.type_burst("aBuy milk\r")
    terminal.wait_for("Added “Buy milk”")
    terminal.type_burst("/xmas")
    shown = terminal.wait_for("No task matches “xmas”")
    assert "New task" not in shown
    terminal.press("Escape")
    terminal.wait_until_gone("xmas")
    quit_app(terminal)
    assert titles(terminal) == [("Buy milk", False)]  # "x" marked nothing done


def test_help_then_escape_then_a_opens_new_task(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.type_burst("?")
    terminal.wait_for("Keys on the task list")
    terminal.press("Escape")
    terminal.wait_until_gone("Keys on the task list")
    terminal.type_burst("aFirst task\r")
    terminal.wait_for("Added “First task”")
    quit_app(terminal)
    assert titles(terminal) == [("First task", False)]


def test_ctrl_q_in_the_editor_asks_before_throwing_the_edit_away(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.type_burst("aHalf a thought")
    terminal.wait_for("Half a thought")
    terminal.press("C-q")
    terminal.wait_for("discard your changes")
    terminal.press("n")
    terminal.wait_until_gone("discard your changes")
    terminal.press("Enter")  # saves: nothing was lost by asking
    terminal.wait_for("Added “Half a thought”")
    quit_app(terminal)
    assert titles(terminal) == [("Half a thought", False)]


def test_escape_and_a_key_in_one_write_are_escape_then_the_key(terminal: Terminal) -> None:
    """A terminal sends Alt+a as Escape and "a": read in one go, that is what it is."""
    terminal.start()
    terminal.wait_for("No tasks yet")
    terminal.type_burst("?")
    terminal.wait_for("Keys on the task list")
    terminal.type_burst("\x1baFrom the help\r")  # Escape closes the help; a adds
    terminal.wait_for("Added “From the help”")
    quit_app(terminal)
    assert titles(terminal) == [("From the help", False)]


def test_tasks_typed_before_the_app_has_the_terminal_are_each_saved(terminal: Terminal) -> None:
    # Typed at once, before the app is up: the terminal may still turn Return into a
    # line feed, which the editor takes as Enter. Two tasks, never one merged title.
    terminal.start()
    terminal.type_burst("aEarly bird +Early\r")
    terminal.wait_for("Added “Early bird”")
    terminal.type_burst("aSecond\r")
    terminal.wait_for("Added “Second”")
    quit_app(terminal)
    assert titles(terminal) == [("Early bird", False), ("Second", False)]
    with open_store(terminal.database, user="alice") as store:
        assert [p.path for p in store.projects()] == ["Early"]


def test_a_first_project_made_in_the_sidebar_takes_the_task_added_in_it(
    terminal: Terminal,
) -> None:
    terminal.start()  # 100 columns: the sidebar is shown
    terminal.wait_for("No tasks yet")
    terminal.press("p", "n")
    terminal.wait_for("New project")
    terminal.type_burst("Work\r")
    terminal.wait_for("Project “Work” made")
    terminal.press("Enter")  # the cursor is on the new project: the list narrows to it
    terminal.wait_for("Nothing in “Work” yet")
    terminal.type_burst("aPlan the launch\r")
    terminal.wait_for("Added “Plan the launch”")
    quit_app(terminal)
    with open_store(terminal.database, user="alice") as store:
        (task,) = store.list_tasks()
        assert task.title == "Plan the launch"
        assert task.project_id == store.project("Work").id
