"""Projects on the command line: add/edit --project, +Work in a title, list --project,
projects, project add|rename|move|rm; through ``main``, the database checked after."""

from __future__ import annotations

import json

import pytest

from store import NotFoundError, Status, TaskQuery, TaskStore
from tests.cli.helpers import CLI
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def project_path(store: TaskStore, title: str) -> str | None:
    """The path of the project the task with that title is in (None: the Inbox)."""
    (task,) = [t for t in store.list_tasks(TaskQuery(status=Status.ALL)) if t.title == title]
    return None if task.project_id is None else store.project_by_id(task.project_id).path


def test_add_with_a_project_in_the_title_makes_it_and_one_undo_takes_both_back(
    cli: CLI, alice: TaskStore
) -> None:
    result = cli("add", "Plan the launch +Work/Q4 !high")

    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[1] == "  in Work/Q4 (new project) · !!! high"
    assert project_path(alice, "Plan the launch") == "Work/Q4"
    assert cli("add", "Draft it", "--project", "work/q4").out.splitlines()[1] == "  in Work/Q4"
    assert [p.path for p in alice.projects()] == ["Work", "Work/Q4"]

    assert cli("undo").code == EXIT_OK
    assert (
        cli("undo").out
        == "Removed the newly added task “Plan the launch” and 2 more changes made with it.\n"
    )
    assert alice.projects() == [] and alice.list_tasks() == []


def test_the_project_option_wins_over_the_title_and_cpp_stays_a_word(
    cli: CLI, alice: TaskStore
) -> None:
    assert cli("add", "Learn C++ +Home", "--project", "Study").code == EXIT_OK
    assert project_path(alice, "Learn C++") == "Study"
    assert [p.path for p in alice.projects()] == ["Study"]


def test_add_json_names_the_project_by_its_path(cli: CLI, alice: TaskStore) -> None:
    placed = json.loads(cli("add", "Plan", "--project", "Work/Q4", "--json").out)
    loose = json.loads(cli("add", "Loose", "--json").out)
    assert placed["project"] == "Work/Q4" and loose["project"] is None
    # added after every key scripts already read (and before issue 17's repeat keys)
    assert list(placed)[-7] == "project"
    assert alice.get(placed["id"]).project_id == alice.project("Work/Q4").id


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("Work//Q4", "A project name cannot be empty"),
        ("Bell\x07", "control characters"),
        ("x" * 61, "at most 60 characters"),
    ],
)
def test_a_bad_project_path_fails_in_one_line_and_writes_nothing(
    cli: CLI, alice: TaskStore, path: str, message: str
) -> None:
    result = cli("add", "Plan", "--project", path)
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1 and message in result.err
    assert "Traceback" not in result.err
    assert alice.list_tasks() == [] and alice.projects() == []


def test_edit_moves_a_task_between_projects_and_to_the_inbox(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Plan")
    short = task.id[:8]

    moved = cli("edit", short, "--project", "Work")
    assert moved.code == EXIT_OK, moved.err
    assert moved.out.splitlines() == [f"Edited project of {short}  Plan", "  in Work (new project)"]
    assert project_path(alice, "Plan") == "Work"
    out = cli("edit", short, "--no-project").out
    assert out.splitlines() == [
        f"Edited project of {short}  Plan",
        "  in the Inbox, no due date, priority or tags",
    ]
    assert project_path(alice, "Plan") is None
    history = cli("history", short).out
    assert "project Inbox → Work" in history and "project Work → Inbox" in history
    both = cli("edit", short, "--project", "Work", "--no-project")
    assert both.code == EXIT_USAGE and "not allowed with" in both.err


def test_show_names_the_project(cli: CLI, alice: TaskStore) -> None:
    work = alice.create_project("Work/Q4")
    task = alice.create("Plan", project_id=work.id)
    assert "Project:  Work/Q4\n" in cli("show", task.id[:8]).out
    loose = alice.create("Loose")
    assert "Project:  Inbox\n" in cli("show", loose.id[:8]).out


def test_list_project_shows_its_tasks_and_those_of_the_projects_under_it(
    cli: CLI, alice: TaskStore
) -> None:
    alice.create_project("Work/Q4")
    alice.create_project("Home")
    alice.create("Plan", project_id=alice.project("Work").id)
    alice.create("Draft", project_id=alice.project("Work/Q4").id)
    alice.create("Paint", project_id=alice.project("Home").id)
    alice.create("Loose")

    def titles(*args: str) -> list[str]:
        result = cli("list", *args, "--json")
        assert result.code == EXIT_OK, result.err
        return [item["title"] for item in json.loads(result.out)]

    assert titles("--project", "work") == ["Plan", "Draft"]
    assert titles("--project", "Work/Q4") == ["Draft"]
    assert titles("--project", "") == ["Loose"]
    listed = cli("list", "--project", "Work").out.splitlines()
    assert [line.split("  ")[-1] for line in listed] == ["+Work", "+Work/Q4"]
    missing = cli("list", "--project", "Work/Q5")
    assert missing.code == EXIT_FAILURE
    assert missing.err == "taskflow: No project Work/Q5 (taskflow projects lists them).\n"


def test_projects_lists_the_tree_with_open_and_done_counts(cli: CLI, alice: TaskStore) -> None:
    alice.create_project("Work/Q4")
    alice.create_project("Home")
    alice.create("Plan", project_id=alice.project("Work").id)
    done = alice.create("Draft", project_id=alice.project("Work/Q4").id)
    alice.toggle(done.id)
    alice.create("Loose")

    result = cli("projects")
    assert result.code == EXIT_OK
    assert result.out.splitlines() == [
        "Inbox       1     0",
        "Work        1     1",
        "  Q4        0     1",
        "Home        0     0",
    ]
    listed = json.loads(cli("projects", "--json").out)
    assert [(p["path"], p["depth"], p["open"], p["done"]) for p in listed] == [
        ("Work", 0, 1, 1),
        ("Work/Q4", 1, 0, 1),
        ("Home", 0, 0, 0),
    ]
    assert listed[1]["parent_id"] == listed[0]["id"] == alice.project("Work").id


def test_projects_on_a_database_without_any_says_how_to_make_one(
    cli: CLI, alice: TaskStore
) -> None:
    alice.create("Loose")
    lines = cli("projects").out.splitlines()
    assert lines[0] == "Inbox       1     0"
    assert "taskflow project add Work" in lines[1]


def test_project_add_rename_and_move(cli: CLI, alice: TaskStore) -> None:
    assert cli("project", "add", "Work/Launch").out == "Made project Work/Launch.\n"
    assert cli("project", "add", "Home").code == EXIT_OK
    again = cli("project", "add", "work")
    assert (
        again.code == EXIT_FAILURE and again.err == "taskflow: There is already a project Work.\n"
    )

    renamed = cli("project", "rename", "Work/Launch", "Launch 2027")
    assert renamed.out == "Renamed project Work/Launch to Work/Launch 2027.\n"
    moved = cli("project", "move", "Work/Launch 2027", "Home")
    assert moved.out == "Moved project Work/Launch 2027 to Home/Launch 2027.\n"
    assert cli("project", "move", "Home/Launch 2027", "").out == (
        "Moved project Home/Launch 2027 to Launch 2027.\n"
    )
    assert [p.path for p in alice.projects()] == ["Work", "Home", "Launch 2027"]

    under_itself = cli("project", "move", "Work", "Work")
    assert under_itself.code == EXIT_FAILURE and "under itself" in under_itself.err
    slash = cli("project", "rename", "Work", "Job/Work")
    assert slash.code == EXIT_FAILURE and "cannot hold '/'" in slash.err
    assert [p.path for p in alice.projects()] == ["Work", "Home", "Launch 2027"]

    assert cli("undo").code == EXIT_OK  # the move to the top
    assert [p.path for p in alice.projects()] == ["Work", "Home", "Home/Launch 2027"]


def test_project_rm_moves_what_it_holds_up_and_undo_brings_it_back(
    cli: CLI, alice: TaskStore
) -> None:
    alice.create_project("Work/Q4/Launch")
    alice.create("Draft", project_id=alice.project("Work/Q4").id)

    result = cli("project", "rm", "Work/Q4")
    assert result.code == EXIT_OK, result.err
    assert result.out == (
        "Deleted project Work/Q4; its 1 task and 1 project moved up to Work"
        "  ('taskflow undo' brings it back)\n"
    )
    assert [p.path for p in alice.projects()] == ["Work", "Work/Launch"]
    assert project_path(alice, "Draft") == "Work"

    assert cli("undo").code == EXIT_OK
    assert [p.path for p in alice.projects()] == ["Work", "Work/Q4", "Work/Q4/Launch"]
    assert project_path(alice, "Draft") == "Work/Q4"


def test_project_rm_with_tasks_deletes_the_subtree(cli: CLI, alice: TaskStore) -> None:
    alice.create_project("Work/Q4")
    alice.create("Plan", project_id=alice.project("Work").id)
    alice.create("Draft", project_id=alice.project("Work/Q4").id)
    alice.create("Loose")

    result = cli("project", "rm", "Work", "--with-tasks", "--json")
    assert json.loads(result.out)["tasks"] == 2
    assert alice.projects() == []
    assert [t.title for t in alice.list_tasks()] == ["Loose"]
    with pytest.raises(NotFoundError):
        alice.project("Work")

    assert cli("undo").code == EXIT_OK
    assert project_path(alice, "Draft") == "Work/Q4"
    assert len(alice.list_tasks()) == 3
