"""add, list, show, edit, done, undone, rm, undo, history: through ``main``, database checked."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from store import MAX_TITLE_LENGTH, EventKind, NewTask, Status, TaskQuery, TaskStore, open_store
from tests.cli.helpers import CLI
from tui.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def only_task(store: TaskStore) -> tuple[str, str, str, bool]:
    tasks = store.list_tasks(TaskQuery(status=Status.ALL))
    assert len(tasks) == 1
    task = tasks[0]
    return task.id, task.title, task.description, task.completed


# -- add ---------------------------------------------------------------------------------------


def test_add_writes_the_task_and_prints_its_full_id(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Buy", "oat", "milk", "--description", "the barista kind")
    assert result.code == EXIT_OK
    assert result.err == ""
    task_id, title, description, completed = only_task(alice)
    assert (title, description, completed) == ("Buy oat milk", "the barista kind", False)
    assert result.out == f"Added {task_id}  Buy oat milk\n"
    assert [event.kind for event in alice.history(task_id)] == [EventKind.CREATED]


def test_add_json_is_the_stored_task(cli: CLI, alice: TaskStore) -> None:
    result = cli("add", "Write report", "--json")
    printed = json.loads(result.out)
    stored = alice.get(printed["id"])
    assert printed == {
        "id": stored.id,
        "title": "Write report",
        "description": "",
        "completed": False,
        "created_at": stored.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "updated_at": stored.updated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "version": 1,
        "due": None,
        "priority": "none",
        "tags": [],
        "position": stored.position,
        "project": None,
        "parent_id": None,
        "blocked_by": [],
        "subtask_counts": {"open": 0, "done": 0},
        # Added with repeating tasks (issue 17), after every key scripts already read.
        "repeat": None,
        "series_id": None,
        "occurrence": None,
    }


def test_add_reads_the_description_from_stdin(cli: CLI, alice: TaskStore) -> None:
    notes = "line one\n\tindented ✓\nline three\n"
    result = cli("add", "From a pipe", "--description", "-", stdin=notes.encode())
    assert result.code == EXIT_OK
    assert only_task(alice)[2] == notes.rstrip("\n")


@pytest.mark.parametrize(
    ("title", "complaint"),
    [
        ("   ", "needs a title"),
        ("x" * (MAX_TITLE_LENGTH + 1), f"at most {MAX_TITLE_LENGTH} characters"),
        ("bell\x07here", "control character (U+0007"),
        ("esc\x1b[31mred", "control character (U+001B"),
    ],
)
def test_add_refuses_bad_titles_in_one_line_and_writes_nothing(
    cli: CLI, location: str, title: str, complaint: str
) -> None:
    result = cli("add", title)
    assert result.code == EXIT_FAILURE
    assert result.out == ""
    assert len(result.error_lines) == 1
    assert result.err.startswith("taskflow: ")
    assert complaint in result.err
    assert "\x1b" not in result.err and "\x07" not in result.err
    with open_store(location, user="alice") as store:
        assert store.count() == 0


def test_markup_and_unicode_are_stored_and_printed_literally(cli: CLI, alice: TaskStore) -> None:
    title = "[bold red]not markup[/] 日本語 עברית ✓"
    assert cli("add", title).code == EXIT_OK
    assert only_task(alice)[1] == title
    listed = cli("list")
    assert title in listed.out
    assert "\x1b" not in listed.out  # captured output is not a terminal: no colour


def test_a_title_with_an_escape_adopted_from_elsewhere_is_shown_not_obeyed(
    cli: CLI, alice: TaskStore
) -> None:
    # Validation refuses control characters, but an older database may hold them.
    task = alice.create("placeholder")
    db = alice._backend.db  # written behind the store's back on purpose
    db.execute_sql(
        f"UPDATE tasks SET title = {db.param} WHERE id = {db.param}",
        ("evil\x1b[2Jtitle\nsecond line", task.id),
    )
    listed = cli("list")
    assert "\x1b" not in listed.out
    assert "evil␛[2Jtitle␊second line" in listed.out
    assert len(listed.out.splitlines()) == 1


# -- list --------------------------------------------------------------------------------------


def test_list_filters_searches_and_aligns(cli: CLI, alice: TaskStore) -> None:
    milk = alice.create("Buy milk")
    alice.create("Call the plumber", "about the MILKY water")
    done = alice.create("File taxes")
    alice.toggle(done.id)

    open_list = cli("list")
    assert open_list.code == EXIT_OK
    lines = open_list.out.splitlines()
    assert [line.split("  ")[-1] for line in lines] == ["Buy milk", "Call the plumber"]
    assert lines[0].startswith(milk.id[:8])
    assert "[ ]" in lines[0]
    # aligned: every column starts at the same place on every line
    assert len({line.index("[") for line in lines}) == 1

    assert [line.split("  ")[-1] for line in cli("list", "--done").out.splitlines()] == [
        "File taxes"
    ]
    assert len(cli("list", "--all").out.splitlines()) == 3
    searched = cli("list", "--search", "milk").out.splitlines()
    assert [line.split("  ")[-1] for line in searched] == ["Buy milk", "Call the plumber"]
    assert cli("list", "--all", "--done").code == EXIT_USAGE


def test_list_json_is_an_array_of_every_field(cli: CLI, alice: TaskStore) -> None:
    first = alice.create("first", "notes")
    second = alice.create("second")
    alice.toggle(second.id)
    printed = json.loads(cli("list", "--all", "--json").out)
    assert [item["id"] for item in printed] == [first.id, second.id]
    assert set(printed[0]) == {
        "id",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
        "version",
        "due",
        "priority",
        "tags",
        "position",
        "project",
        "parent_id",
        "blocked_by",
        "subtask_counts",
        "repeat",
        "series_id",
        "occurrence",
    }
    assert printed[1]["completed"] is True
    assert printed[1]["version"] == 2
    assert json.loads(cli("list", "--done", "--search", "nothing", "--json").out) == []


def test_list_says_so_when_empty(cli: CLI, alice: TaskStore) -> None:
    # ``alice`` makes the database: a read command on a missing --db path fails instead
    assert cli("list").out == "No open tasks.\n"
    assert cli("list", "--search", "zz").out == "No open tasks matching 'zz'.\n"


def test_listed_ids_grow_until_they_are_unique(cli: CLI, alice: TaskStore) -> None:
    alice.create_many(
        [
            NewTask("twin one", id="abcdef0123-1111-4000-8000-000000000001"),
            NewTask("twin two", id="abcdef0123-2222-4000-8000-000000000002"),
        ]
    )
    lines = cli("list").out.splitlines()
    assert [line.split()[0] for line in lines] == ["abcdef0123-1", "abcdef0123-2"]


# -- ids by prefix -----------------------------------------------------------------------------


def make_twins(store: TaskStore) -> tuple[str, str]:
    first, second = "5eed0000-aaaa-4000-8000-000000000001", "5eed0000-bbbb-4000-8000-000000000002"
    store.create_many([NewTask("Twin A", id=first), NewTask("Twin B", id=second)])
    return first, second


def test_any_unique_prefix_names_a_task(cli: CLI, alice: TaskStore) -> None:
    first, second = make_twins(alice)
    assert cli("done", "5eed0000-a").code == EXIT_OK
    assert alice.get(first).completed and not alice.get(second).completed
    assert cli("done", second.upper()).code == EXIT_OK  # ids are matched case-blind
    assert alice.get(second).completed


@pytest.mark.parametrize("command", ["show", "done", "undone", "rm", "edit", "history"])
def test_an_ambiguous_prefix_fails_listing_the_candidates(
    cli: CLI, alice: TaskStore, command: str
) -> None:
    make_twins(alice)
    extra = ["--title", "x"] if command == "edit" else []
    result = cli(command, "5eed", *extra)
    assert result.code == EXIT_FAILURE
    assert result.out == ""
    assert len(result.error_lines) == 1
    assert "matches 2 tasks" in result.err
    assert "5eed0000-aaa" in result.err and "Twin A" in result.err
    assert "5eed0000-bbb" in result.err and "Twin B" in result.err
    assert [t.title for t in alice.list_tasks()] == ["Twin A", "Twin B"]
    assert not any(t.completed for t in alice.list_tasks())


@pytest.mark.parametrize("command", ["show", "done", "undone", "rm", "history"])
def test_an_unknown_id_fails_in_one_line(cli: CLI, alice: TaskStore, command: str) -> None:
    alice.create("something")
    result = cli(command, "ffffffff")
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1
    assert "ffffffff" in result.err


# -- show, edit, done, undone, rm, undo ----------------------------------------------------------


def test_show_prints_every_field_and_the_description(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Plan trip", "# Packing\n- [ ] socks\n- [x] passport")
    result = cli("show", task.id[:6])
    assert result.code == EXIT_OK
    assert f"Id:       {task.id}" in result.out
    assert "Title:    Plan trip" in result.out
    assert "Status:   open" in result.out
    assert "Version:  1" in result.out
    assert result.out.endswith("\n# Packing\n- [ ] socks\n- [x] passport\n")
    assert json.loads(cli("show", task.id, "--json").out)["description"] == task.description


def test_edit_changes_title_and_description_with_a_logged_event(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Draft", "old notes")
    result = cli("edit", task.id[:8], "--title", "Final", "--description", "")
    assert result.code == EXIT_OK
    assert result.out == f"Edited title and description of {task.id[:8]}  Final\n"
    stored = alice.get(task.id)
    assert (stored.title, stored.description, stored.version) == ("Final", "", 2)
    assert alice.history(task.id)[-1].kind is EventKind.EDITED
    unchanged = cli("edit", task.id, "--title", "Final")
    assert unchanged.out.startswith("Nothing to change in")
    assert alice.get(task.id).version == 2


def test_edit_without_a_change_is_a_usage_error(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Draft")
    result = cli("edit", task.id)
    assert result.code == EXIT_USAGE
    assert len(result.error_lines) == 1
    assert alice.get(task.id).version == 1


def test_edit_refuses_an_invalid_title_and_keeps_the_old_one(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Keep me")
    result = cli("edit", task.id, "--title", "two\nlines")
    assert result.code == EXIT_FAILURE
    assert "one line" in result.err
    assert alice.get(task.id).title == "Keep me"


def test_done_and_undone(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Water plants")
    assert cli("done", task.id[:5]).out == f"Marked done {task.id[:8]}  Water plants\n"
    assert alice.get(task.id).completed
    assert cli("done", task.id[:5]).out == f"Already done: {task.id[:8]}  Water plants\n"
    assert alice.get(task.id).version == 2
    result = cli("undone", task.id[:5], "--json")
    assert json.loads(result.out)["completed"] is False
    assert not alice.get(task.id).completed
    kinds = [event.kind for event in alice.history(task.id)]
    assert kinds == [EventKind.CREATED, EventKind.TOGGLED, EventKind.TOGGLED]


def test_rm_then_undo_brings_it_back(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Fragile", "notes kept")
    removed = cli("rm", task.id[:6])
    assert removed.code == EXIT_OK
    assert "Deleted" in removed.out and "taskflow undo" in removed.out
    assert alice.count() == 0
    undone = cli("undo")
    assert undone.code == EXIT_OK
    assert undone.out == "Restored “Fragile”.\n"
    restored = alice.get(task.id)
    assert (restored.title, restored.description) == ("Fragile", "notes kept")


def test_undo_walks_back_and_then_says_there_is_nothing(cli: CLI, alice: TaskStore) -> None:
    cli("add", "One")
    task_id = only_task(alice)[0]
    cli("done", task_id)
    first = json.loads(cli("undo", "--json").out)
    assert first["undone"] == {"kind": "toggled", "task_id": task_id}
    assert first["task"]["completed"] is False
    second = cli("undo")
    assert second.out == "Removed the newly added task “One”.\n"
    assert alice.count() == 0
    third = cli("undo")
    assert third.code == EXIT_FAILURE
    assert third.err == "taskflow: Nothing to undo.\n"


def test_show_of_a_deleted_task_points_to_its_history(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Gone soon")
    alice.delete(task.id)
    result = cli("show", task.id[:8])
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1
    assert "was deleted" in result.err and f"taskflow history {task.id[:8]}" in result.err


# -- history -----------------------------------------------------------------------------------


@pytest.mark.zone("UTC")  # the times printed
def test_history_lists_every_change_including_for_a_deleted_task(
    cli: CLI, alice: TaskStore
) -> None:
    task = alice.create("Buy milk")
    alice.toggle(task.id)
    alice.update(task.id, expected_version=2, title="Buy oat milk")
    alice.delete(task.id)
    result = cli("history", task.id[:7])
    assert result.code == EXIT_OK
    lines = result.out.splitlines()
    assert lines[0] == f"History of {task.id} (UTC)"
    summaries = [line[18:].split("  ")[0].strip() for line in lines[1:]]
    assert summaries == ["created", "marked done", "title changed", "deleted"]
    assert "“Buy milk” → “Buy oat milk”" in lines[3]
    events = json.loads(cli("history", task.id, "--json").out)
    assert [event["kind"] for event in events] == ["created", "toggled", "edited", "deleted"]
    assert events[2]["before"]["title"] == "Buy milk"
    assert events[2]["after"]["title"] == "Buy oat milk"
    assert events[3]["after"] is None
    assert events[1]["summary"] == "marked done"


def test_history_prefix_can_be_ambiguous_between_live_and_deleted(
    cli: CLI, alice: TaskStore
) -> None:
    first, _ = make_twins(alice)
    alice.delete(first)
    result = cli("history", "5eed")
    assert result.code == EXIT_FAILURE
    assert "matches 2 tasks" in result.err and "Twin A" in result.err
    assert cli("history", "5eed0000-a").code == EXIT_OK


# -- owners, --db and --user -------------------------------------------------------------------


def test_each_owner_sees_only_their_tasks(cli: CLI, location: str) -> None:
    cli("add", "Alice's", user="alice")
    cli("add", "Bob's", user="bob")
    assert "Alice's" in cli("list", user="alice").out
    assert "Bob's" not in cli("list", user="alice").out
    with open_store(location, user="alice") as store:
        alices = store.list_tasks()[0]
    refused = cli("done", alices.id, user="bob")
    assert refused.code == EXIT_FAILURE
    with open_store(location, user="alice") as store:
        assert not store.get(alices.id).completed


def test_db_and_user_work_before_and_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui.cli import main

    before, after = tmp_path / "before.db", tmp_path / "after.db"
    assert main(["--db", str(before), "--user", "carol", "add", "first"]) == EXIT_OK
    assert main(["add", "second", "--db", str(after), "--user", "dave"]) == EXIT_OK
    # Given before the command, not overwritten by the command parser's default:
    assert main(["--db", str(before), "--user", "carol", "list", "--json"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--db", str(before), "list", "--user", "carol", "--json"]) == EXIT_OK
    assert [t["title"] for t in json.loads(capsys.readouterr().out)] == ["first"]
    with open_store(before, user="carol") as store:
        assert [t.title for t in store.list_tasks()] == ["first"]
    with open_store(after, user="dave") as store:
        assert [t.title for t in store.list_tasks()] == ["second"]
    with open_store(after, user="carol") as store:
        assert store.list_tasks() == []


def test_the_environment_chooses_database_and_owner(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.cli import main

    path = tmp_path / "from-env.db"
    monkeypatch.setenv("TASKFLOW_DB_PATH", str(path))
    monkeypatch.setenv("TASKFLOW_USER", "erin")
    assert main(["add", "via the environment"]) == EXIT_OK
    with open_store(path, user="erin") as store:
        assert [t.title for t in store.list_tasks()] == ["via the environment"]
    # --db beats the environment
    other = tmp_path / "explicit.db"
    assert main(["--db", str(other), "add", "explicit"]) == EXIT_OK
    with open_store(other, user="erin") as store:
        assert [t.title for t in store.list_tasks()] == ["explicit"]
    with open_store(path, user="erin") as store:
        assert store.count() == 1


def test_the_default_database_is_in_the_user_data_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui.cli import main

    assert main(["--user", "frank", "add", "default place"]) == EXIT_OK
    default = tmp_path / "xdg-data" / "taskflow" / "tasks.db"
    with open_store(default, user="frank") as store:
        assert [t.title for t in store.list_tasks()] == ["default place"]


def test_a_bad_user_name_is_refused(cli: CLI) -> None:
    result = cli("list", user="bad\x01name")
    assert result.code == EXIT_FAILURE
    assert "Invalid user name" in result.err
    assert len(result.error_lines) == 1


def test_a_database_that_is_not_one_is_refused_untouched(cli: CLI, tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database\n" * 100)
    before = junk.read_bytes()
    result = cli("list", db=junk)
    assert result.code == EXIT_FAILURE
    assert len(result.error_lines) == 1
    assert junk.read_bytes() == before


def test_ids_made_by_the_cli_are_uuids(cli: CLI, alice: TaskStore) -> None:
    cli("add", "x")
    task_id = only_task(alice)[0]
    assert str(uuid.UUID(task_id)) == task_id
