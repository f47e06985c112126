"""Subtasks and blocks on the command line: add/edit --parent and --blocked-by, list
--tree and --ready, done --with-subtasks, rm of a subtree, and the JSON keys; through
``main``, the database checked after."""

from __future__ import annotations

import json

from store import Status, TaskQuery, TaskRecord, TaskStore
from tests.cli.helpers import CLI
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def by_title(store: TaskStore) -> dict[str, TaskRecord]:
    return {t.title: t for t in store.list_tasks(TaskQuery(status=Status.ALL))}


def added(cli: CLI, *args: str) -> str:
    result = cli("add", *args, "--json")
    assert result.code == EXIT_OK, result.err
    return str(json.loads(result.out)["id"])


def test_add_a_subtask_and_a_blocked_task(cli: CLI, alice: TaskStore) -> None:
    launch = added(cli, "Launch", "--project", "Work")
    draft = added(cli, "Draft", "--parent", launch[:8])
    ship = json.loads(cli("add", "Ship", "--blocked-by", draft[:8], "--json").out)

    tasks = by_title(alice)
    assert tasks["Draft"].parent_id == launch
    assert tasks["Draft"].project_id == alice.project("Work").id  # its parent's project
    assert tasks["Ship"].blocked_by == (draft,) and tasks["Ship"].blocked
    assert (ship["parent_id"], ship["blocked_by"]) == (None, [draft])
    assert list(ship)[-7:-3] == ["project", "parent_id", "blocked_by", "subtask_counts"]
    assert list(ship)[-3:] == ["repeat", "series_id", "occurrence"]  # issue 17, after them
    shown = json.loads(cli("show", launch[:8], "--json").out)
    assert shown["subtask_counts"] == {"open": 1, "done": 0}


def test_an_unknown_parent_or_blocker_fails_and_writes_nothing(cli: CLI, alice: TaskStore) -> None:
    for option in ("--parent", "--blocked-by"):
        result = cli("add", "Orphan", option, "ffffffff")
        assert result.code == EXIT_FAILURE and len(result.error_lines) == 1
        assert "ffffffff" in result.err and "Traceback" not in result.err
    assert alice.list_tasks() == []


def test_edit_indents_outdents_blocks_and_unblocks(cli: CLI, alice: TaskStore) -> None:
    launch, design, ship = added(cli, "Launch"), added(cli, "Design"), added(cli, "Ship")

    result = cli("edit", ship[:8], "--parent", launch[:8], "--blocked-by", design[:8])
    assert result.code == EXIT_OK, result.err
    assert result.out.startswith(f"Edited parent task and blocked-by of {ship[:8]}")
    assert (by_title(alice)["Ship"].parent_id, by_title(alice)["Ship"].blocked_by) == (
        launch,
        (design,),
    )
    cycle = cli("edit", launch[:8], "--parent", ship[:8])
    assert cycle.code == EXIT_FAILURE and "under one of its subtasks" in cycle.err
    loop = cli("edit", design[:8], "--blocked-by", ship[:8])
    assert loop.code == EXIT_FAILURE and "wait on each other" in loop.err

    assert cli("edit", ship[:8], "--no-parent", "--unblock", design[:8]).code == EXIT_OK
    assert (by_title(alice)["Ship"].parent_id, by_title(alice)["Ship"].blocked_by) == (None, ())
    assert "parent task " in cli("history", ship[:8]).out
    both = cli("edit", ship[:8], "--parent", launch[:8], "--no-parent")
    assert both.code == EXIT_USAGE


def test_list_tree_indents_subtasks_with_progress_and_ready_hides_blocked(
    cli: CLI, alice: TaskStore
) -> None:
    launch = alice.create("Launch")
    draft = alice.create("Draft", parent_id=launch.id)
    alice.create("Review", parent_id=draft.id)
    done = alice.create("Ship", parent_id=launch.id, blocked_by=[draft.id])
    alice.create("Loose", blocked_by=[draft.id])
    alice.toggle(done.id)

    lines = cli("list", "--all", "--tree").out.splitlines()
    titles = [line.split("  ", 3)[3] for line in lines]
    assert titles == [
        "Launch  [1/2]",
        "  Draft  [0/1]",
        "    Review",
        "  Ship  (blocked)",
        "Loose  (blocked)",
    ]
    ready = [item["title"] for item in json.loads(cli("list", "--ready", "--json").out)]
    assert ready == ["Launch", "Draft", "Review"]
    assert cli("list", "--tree", "--sort", "due").code == EXIT_USAGE


def test_done_asks_for_with_subtasks_and_marks_them_all_as_one_change(
    cli: CLI, alice: TaskStore
) -> None:
    launch = alice.create("Launch")
    alice.create("Draft", parent_id=launch.id)
    alice.create("Ship", parent_id=launch.id)

    only = cli("done", launch.id[:8])
    assert "2 of its subtasks are still open" in only.out
    assert [t.title for t in alice.list_tasks(TaskQuery(status=Status.DONE))] == ["Launch"]
    assert cli("undo").code == EXIT_OK

    assert cli("done", "--with-subtasks", launch.id[:8]).code == EXIT_OK
    assert alice.list_tasks(TaskQuery(status=Status.OPEN)) == []
    assert cli("undo").code == EXIT_OK
    assert len(alice.list_tasks(TaskQuery(status=Status.OPEN))) == 3


def test_rm_takes_the_subtree_and_undo_brings_it_back(cli: CLI, alice: TaskStore) -> None:
    launch = alice.create("Launch")
    draft = alice.create("Draft", parent_id=launch.id)
    alice.create("Loose", blocked_by=[draft.id])

    result = cli("rm", launch.id[:8], draft.id[:8])  # the second is gone with the first
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines() == [
        f"Deleted {launch.id[:8]}  Launch and its 1 subtask",
        "'taskflow undo' brings all 2 back.",
    ]
    assert list(by_title(alice)) == ["Loose"] and by_title(alice)["Loose"].blocked_by == ()
    assert cli("undo").code == EXIT_OK
    tasks = by_title(alice)
    assert tasks["Draft"].parent_id == launch.id and tasks["Loose"].blocked_by == (draft.id,)


def test_show_lists_parent_subtasks_and_blockers(cli: CLI, alice: TaskStore) -> None:
    launch = alice.create("Launch")
    design = alice.create("Design")
    ship = alice.create("Ship", parent_id=launch.id, blocked_by=[design.id])
    out = cli("show", ship.id[:8]).out
    assert f"Parent:     {launch.id[:8]}  Launch\n" in out
    assert f"Blocked by: {design.id[:8]}  Design (open)\n" in out
    parent = cli("show", launch.id[:8]).out
    assert "Subtasks: 0/1 done\n" in parent and f"[ ] {ship.id[:8]}  Ship" in parent


def test_done_with_subtasks_given_a_parent_and_its_subtask_marks_both(
    cli: CLI, alice: TaskStore
) -> None:
    launch = alice.create("Launch")
    draft = alice.create("Draft", parent_id=launch.id)
    result = cli("done", launch.id[:8], draft.id[:8], "--with-subtasks")
    assert result.code == EXIT_OK, result.err
    assert alice.list_tasks(TaskQuery(status=Status.OPEN)) == []


def test_history_json_shows_what_a_move_changed(cli: CLI, alice: TaskStore) -> None:
    work = alice.create_project("Work")
    task = alice.create("Plan")
    assert cli("edit", task.id[:8], "--project", "Work").code == EXIT_OK
    moved = json.loads(cli("history", task.id[:8], "--json").out)[-1]
    assert (moved["before"]["project_id"], moved["after"]["project_id"]) == (None, work.id)
    assert moved["summary"] == "moved to another project"


def test_a_parent_named_again_with_another_project_is_refused(cli: CLI, alice: TaskStore) -> None:
    launch = alice.create("Launch")
    draft = alice.create("Draft", parent_id=launch.id)
    result = cli("edit", draft.id[:8], "--parent", launch.id[:8], "--project", "Other")
    assert result.code == EXIT_FAILURE and "in its parent task's project" in result.err
    assert alice.get(draft.id).parent_id == launch.id and alice.projects() == []


def test_project_rm_of_a_top_project_holding_only_projects_says_where_they_went(
    cli: CLI, alice: TaskStore
) -> None:
    alice.create_project("Work/Q4")
    out = cli("project", "rm", "Work").out
    assert "its 1 project moved to the top level" in out


def test_done_with_subtasks_on_a_done_parent_says_it_marked_them(
    cli: CLI, alice: TaskStore
) -> None:
    launch = alice.create("Launch")
    alice.create("Draft", parent_id=launch.id)
    alice.create("Ship", parent_id=launch.id)
    alice.toggle(launch.id)
    out = cli("done", "--with-subtasks", launch.id[:8]).out
    assert out == f"Already done: {launch.id[:8]}  Launch (and marked 2 subtasks done)\n"
    assert alice.list_tasks(TaskQuery(status=Status.OPEN)) == []
