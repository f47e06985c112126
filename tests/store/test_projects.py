"""A project tree through TaskStore: made by path, renamed, moved, deleted both ways, each
taken back by one undo, on both backends; the database is read after each step."""

from __future__ import annotations

import pytest

from store import (
    EventKind,
    NotFoundError,
    ProjectRecord,
    Status,
    TaskQuery,
    TaskStore,
    UndoBlockedError,
    ValidationError,
    open_store,
)
from tests.helpers import FrozenClock, rows_of


def tree(store: TaskStore) -> list[tuple[str, str | None]]:
    """Every project row of alice's, as (name, the parent's name), sorted."""
    rows = rows_of(
        store,
        "SELECT p.name, q.name FROM projects p LEFT JOIN projects q ON q.id = p.parent_id "
        "WHERE p.user_id = ? ORDER BY p.name, q.name",
        "alice",
    )
    return [(name, parent) for name, parent in rows]


def project_of(store: TaskStore, task_id: str) -> str | None:
    """The name of the project the task's row is in (None: the Inbox)."""
    rows = rows_of(
        store,
        "SELECT p.name FROM tasks t LEFT JOIN projects p ON p.id = t.project_id WHERE t.id = ?",
        task_id,
    )
    assert len(rows) == 1, f"task {task_id} is not in the database"
    return rows[0][0]


def paths(store: TaskStore) -> list[str]:
    return [p.path for p in store.projects()]


def test_a_path_makes_every_missing_level_as_one_change(store: TaskStore) -> None:
    made = store.create_project(" Work / Q4 / Launch ")

    assert (made.name, made.path, made.depth) == ("Launch", "Work/Q4/Launch", 2)
    assert tree(store) == [("Launch", "Q4"), ("Q4", "Work"), ("Work", None)]
    assert store.project("work/q4").path == "Work/Q4"  # found in any case
    store.create_project("Work/Q4/Review")
    assert paths(store) == ["Work", "Work/Q4", "Work/Q4/Launch", "Work/Q4/Review"]

    undone = store.undo()
    assert undone.message == "Removed the new project “Review”"
    assert tree(store) == [("Launch", "Q4"), ("Q4", "Work"), ("Work", None)]
    whole = store.undo()  # the three levels were made together: one undo takes them back
    assert len(whole.together) == 2
    assert tree(store) == []


def test_ensure_project_finds_one_in_any_case_or_makes_it(store: TaskStore) -> None:
    made, new = store.ensure_project("Work/Q4")
    found, again = store.ensure_project("WORK/q4")
    assert (new, again) == (True, False) and found == made
    deeper, new = store.ensure_project("work/Q4/Launch")
    assert new and deeper.path == "Work/Q4/Launch"
    assert tree(store) == [("Launch", "Q4"), ("Q4", "Work"), ("Work", None)]


def test_a_sibling_name_is_unique_ignoring_case_and_the_first_spelling_is_kept(
    store: TaskStore,
) -> None:
    store.create_project("Work/Q4")
    with pytest.raises(ValidationError, match="already a project Work/Q4"):
        store.create_project("WORK/q4")
    again = store.create_project("WORK/q4", exist_ok=True)
    assert again.path == "Work/Q4"
    store.create_project("Home/Q4")  # the same name elsewhere in the tree is another one
    assert tree(store) == [("Home", None), ("Q4", "Home"), ("Q4", "Work"), ("Work", None)]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("Work//Q4", "cannot be empty"),
        ("Work/", "cannot be empty"),
        ("Bell\x07", "control characters"),
        ("x" * 61, "at most 60 characters"),
        ("/".join(f"L{n}" for n in range(9)), "at most 8 levels"),
    ],
    ids=["empty", "blank", "empty-level", "trailing-slash", "control", "too-long", "too-deep"],
)
def test_a_bad_path_is_refused_and_nothing_is_written(
    store: TaskStore, path: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        store.create_project(path)
    assert tree(store) == []
    assert rows_of(store, "SELECT COUNT(*) FROM task_events")[0][0] == 0


def test_a_slash_in_a_new_name_is_refused_with_the_reason(store: TaskStore) -> None:
    work = store.create_project("Work")
    with pytest.raises(ValidationError, match="cannot hold '/'"):
        store.rename_project(work.id, "Work/Home")
    assert tree(store) == [("Work", None)]


def test_markup_like_names_are_kept_as_text(store: TaskStore) -> None:
    made = store.create_project("[bold]Loud[red]")
    assert store.project_by_id(made.id).name == "[bold]Loud[red]"


def test_a_rename_keeps_what_the_project_holds_and_undo_puts_the_name_back(
    store: TaskStore,
) -> None:
    work = store.create_project("Work")
    store.create_project("Work/Q4")
    store.create_project("Home")
    task = store.create("plan", project_id=work.id)

    renamed = store.rename_project(work.id, "Job")
    assert (renamed.path, renamed.version) == ("Job", work.version + 1)
    assert paths(store) == ["Job", "Job/Q4", "Home"]
    assert project_of(store, task.id) == "Job"
    with pytest.raises(ValidationError, match="already a project Home at the top"):
        store.rename_project(work.id, "home")
    assert store.rename_project(work.id, "Job") == store.project_by_id(work.id)  # no change

    assert store.undo().message == "Reverted the rename or move of the project “Job”"
    assert tree(store) == [("Home", None), ("Q4", "Work"), ("Work", None)]
    assert project_of(store, task.id) == "Work"


def test_a_move_takes_the_subtree_along_and_undo_puts_it_back_in_its_place(
    store: TaskStore,
) -> None:
    store.create_project("Work/Q4")
    home = store.create_project("Home")
    launch = store.create_project("Work/Launch")
    store.create_project("Work/Launch/Week 1")
    task = store.create("write it", project_id=store.project("Work/Launch/Week 1").id)

    moved = store.move_project(launch.id, home.id)
    assert moved.path == "Home/Launch"
    assert paths(store) == ["Work", "Work/Q4", "Home", "Home/Launch", "Home/Launch/Week 1"]
    assert project_of(store, task.id) == "Week 1"
    store.move_project(launch.id, None)
    assert paths(store) == ["Work", "Work/Q4", "Home", "Launch", "Launch/Week 1"]

    store.undo()
    store.undo()
    assert paths(store) == ["Work", "Work/Q4", "Work/Launch", "Work/Launch/Week 1", "Home"]
    assert store.project_by_id(launch.id).position == launch.position


def test_a_project_cannot_go_under_itself_or_below_the_depth_limit(store: TaskStore) -> None:
    work = store.create_project("Work/Q4/Launch")
    top = store.project("Work")
    with pytest.raises(ValidationError, match="under itself"):
        store.move_project(top.id, top.id)
    with pytest.raises(ValidationError, match="under itself"):
        store.move_project(top.id, work.id)
    store.create_project("/".join(f"D{n}" for n in range(6)))  # D0/.../D5: six levels
    with pytest.raises(ValidationError, match="at most 8 levels"):
        store.move_project(top.id, store.project("D0/D1/D2/D3/D4/D5").id)
    store.move_project(top.id, store.project("D0/D1/D2/D3/D4").id)  # exactly eight: fine
    assert store.project_by_id(work.id).path == "D0/D1/D2/D3/D4/Work/Q4/Launch"


def test_deleting_a_project_moves_what_it_holds_up_a_level_and_undo_brings_it_back(
    store: TaskStore,
) -> None:
    store.create_project("Work/Q4/Launch")
    q4 = store.project("Work/Q4")
    in_q4 = store.create("plan", project_id=q4.id)
    in_launch = store.create("ship", project_id=store.project("Work/Q4/Launch").id)
    loose = store.create("loose")

    removal = store.delete_project(q4.id)

    assert (removal.moved, removal.tasks, removal.projects) == (True, 1, 1)
    assert tree(store) == [("Launch", "Work"), ("Work", None)]
    assert project_of(store, in_q4.id) == "Work"
    assert project_of(store, in_launch.id) == "Launch"
    assert store.history(in_q4.id)[-1].summary == "moved to another project"

    result = store.undo()
    assert len(result.together) == 2  # the task moved, the sub-project moved: one change
    assert tree(store) == [("Launch", "Q4"), ("Q4", "Work"), ("Work", None)]
    assert project_of(store, in_q4.id) == "Q4"
    assert project_of(store, in_launch.id) == "Launch"
    assert project_of(store, loose.id) is None


def test_deleting_a_top_project_sends_its_tasks_to_the_inbox(store: TaskStore) -> None:
    work = store.create_project("Work/Q4")
    task = store.create("plan", project_id=store.project("Work").id)
    store.delete_project(store.project("Work").id)
    assert tree(store) == [("Q4", None)]
    assert project_of(store, task.id) is None
    assert store.project_by_id(work.id).path == "Q4"


def test_deleting_a_project_with_its_tasks_deletes_the_subtree_and_undo_restores_it(
    store: TaskStore,
) -> None:
    store.create_project("Work/Q4/Launch")
    store.create_project("Home")
    work = store.project("Work")
    doomed = [
        store.create("plan", project_id=work.id),
        store.create("draft", project_id=store.project("Work/Q4").id),
        store.create("ship", project_id=store.project("Work/Q4/Launch").id),
    ]
    kept = store.create("paint", project_id=store.project("Home").id)

    removal = store.delete_project(work.id, with_tasks=True)

    assert (removal.moved, removal.tasks, removal.projects) == (False, 3, 2)
    assert tree(store) == [("Home", None)]
    assert [t.title for t in store.list_tasks()] == ["paint"]
    assert project_of(store, kept.id) == "Home"

    result = store.undo()
    assert len(result.together) == 5  # 3 tasks and 3 projects, one change
    assert tree(store) == [("Home", None), ("Launch", "Q4"), ("Q4", "Work"), ("Work", None)]
    assert [project_of(store, t.id) for t in doomed] == ["Work", "Q4", "Launch"]
    assert store.projects()[0].open == 3


def test_a_task_goes_only_into_an_existing_project_of_its_owner(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    with open_store(location, user="bob", clock=clock) as bobs:
        theirs = bobs.create_project("Secret")
    with pytest.raises(NotFoundError, match="No project"):
        store.create("sneak in", project_id=theirs.id)
    with pytest.raises(NotFoundError, match="No project"):
        store.create("nowhere", project_id="no-such-project")
    assert store.list_tasks() == []
    with pytest.raises(NotFoundError, match="No project Work"):
        store.project("Work/Q4")
    assert paths(store) == []


def test_moving_a_task_between_projects_is_an_undoable_edit(store: TaskStore) -> None:
    work, home = store.create_project("Work"), store.create_project("Home")
    task = store.create("plan", project_id=work.id)

    moved = store.update(task.id, expected_version=task.version, project_id=home.id)
    assert moved.project_id == home.id and project_of(store, task.id) == "Home"
    inbox = store.update(task.id, expected_version=moved.version, project_id=None)
    assert inbox.project_id is None and project_of(store, task.id) is None

    store.undo()
    assert project_of(store, task.id) == "Home"
    store.undo()
    assert project_of(store, task.id) == "Work"


def test_a_project_lists_its_tasks_and_those_of_the_projects_under_it(
    store: TaskStore,
) -> None:
    store.create_project("Work/Q4")
    store.create_project("Home")
    work, q4, home = (store.project(p) for p in ("Work", "Work/Q4", "Home"))
    store.create("plan", project_id=work.id)
    done = store.create("draft", project_id=q4.id)
    store.toggle(done.id)
    store.create("paint", project_id=home.id)
    store.create("loose")

    def titles(projects: frozenset[str | None], status: Status = Status.ALL) -> list[str]:
        query = TaskQuery(status=status, projects=projects)
        assert store.count(query) == len(store.list_tasks(query))
        return sorted(t.title for t in store.list_tasks(query))

    assert store.project_scope(work.id) == {work.id, q4.id}
    assert titles(store.project_scope(work.id)) == ["draft", "plan"]
    assert titles(store.project_scope(work.id), Status.OPEN) == ["plan"]
    assert titles(store.project_scope(q4.id)) == ["draft"]
    assert titles(frozenset({None})) == ["loose"]
    counted = {p.path: (p.open, p.done) for p in store.projects()}
    assert counted == {"Work": (1, 1), "Work/Q4": (0, 1), "Home": (1, 0)}
    assert (store.inbox_counts().open, store.inbox_counts().done) == (1, 0)


def test_a_projects_change_shows_in_the_poll_but_not_in_any_tasks_history(
    store: TaskStore,
) -> None:
    task = store.create("plan")
    mark = store.last_event_id()
    work = store.create_project("Work")

    changes = store.changes_since(mark)
    assert changes.projects and changes.task_ids == frozenset()
    assert store.changes_since(changes.last_event_id).projects is False
    with pytest.raises(NotFoundError):
        store.history(work.id)  # a project's id is not a task's
    assert [e.summary for e in store.history(task.id)] == ["created"]


def test_skipping_a_projects_change_lets_undo_reach_the_one_before(store: TaskStore) -> None:
    task = store.create("plan")
    store.create_project("Work")

    skipped = store.skip_undo()
    assert skipped.skipped and skipped.undone.subject == "project"
    assert skipped.message.startswith("Skipped the change “Work” (project created)")
    assert paths(store) == ["Work"]  # a skip changes nothing
    assert store.undo().undone.task_id == task.id
    assert paths(store) == ["Work"]


def test_undoing_a_new_project_that_now_holds_tasks_is_refused(store: TaskStore) -> None:
    work = store.create_project("Work")
    task = store.create("plan", project_id=work.id)
    store.skip_undo()  # passes over the task's creation

    with pytest.raises(UndoBlockedError, match="holds tasks or projects"):
        store.undo()
    assert paths(store) == ["Work"] and project_of(store, task.id) == "Work"


def test_undoing_a_deleted_project_whose_name_is_taken_again_is_refused(
    store: TaskStore,
) -> None:
    first = store.create_project("Work")
    store.delete_project(first.id)
    second = store.create_project("work")
    store.skip_undo()  # passes over the new one, which stays

    with pytest.raises(UndoBlockedError, match="already a project work"):
        store.undo()
    assert [p.id for p in store.projects()] == [second.id]


def test_a_projects_logged_change_has_the_projects_name(store: TaskStore) -> None:
    store.create_project("Work")
    events = rows_of(store, "SELECT subject, kind FROM task_events ORDER BY id")
    assert events == [("project", EventKind.CREATED.value)]


def test_records_read_back_the_same_after_reopening(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    made = store.create_project("Work/Q4")
    with open_store(location, user="alice", clock=clock) as again:
        found = again.project("Work/Q4")
    assert isinstance(found, ProjectRecord)
    assert (found.id, found.path, found.parent_id) == (made.id, "Work/Q4", made.parent_id)
