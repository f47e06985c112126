"""Subtasks and "blocked by" through TaskStore: indent, outdent, a subtree moved or
deleted, blocks made and refused, each taken back by one undo; on both backends, the
database read after each step."""

from __future__ import annotations

import pytest

from store import (
    NotFoundError,
    Status,
    TaskQuery,
    TaskRecord,
    TaskStore,
    UndoBlockedError,
    ValidationError,
    open_store,
)
from tests.helpers import FrozenClock, rows_of


def parents(store: TaskStore) -> dict[str, str | None]:
    """Each task's title with its parent's title, as the rows hold them."""
    rows = rows_of(
        store,
        "SELECT t.title, p.title FROM tasks t LEFT JOIN tasks p ON p.id = t.parent_id "
        "WHERE t.user_id = ?",
        "alice",
    )
    return dict(rows)


def blocks(store: TaskStore) -> set[tuple[str, str]]:
    """(blocked, blocker) titles, as task_blocks holds them."""
    rows = rows_of(
        store,
        "SELECT t.title, b.title FROM task_blocks k JOIN tasks t ON t.id = k.task_id "
        "JOIN tasks b ON b.id = k.blocker_id",
    )
    return {(blocked, blocker) for blocked, blocker in rows}


def projects_of(store: TaskStore) -> dict[str, str | None]:
    rows = rows_of(
        store,
        "SELECT t.title, p.name FROM tasks t LEFT JOIN projects p ON p.id = t.project_id",
    )
    return dict(rows)


@pytest.fixture
def plan(store: TaskStore) -> dict[str, TaskRecord]:
    """Launch > (Draft > Review, Ship), and Loose on its own."""
    launch = store.create("Launch")
    draft = store.create("Draft", parent_id=launch.id)
    review = store.create("Review", parent_id=draft.id)
    ship = store.create("Ship", parent_id=launch.id)
    loose = store.create("Loose")
    return {t.title: t for t in (launch, draft, review, ship, loose)}


# Each task of ``plan`` with its parent's title, as the rows hold them.
PLAN_TREE = {"Launch": None, "Draft": "Launch", "Review": "Draft", "Ship": "Launch", "Loose": None}


def test_subtasks_are_linked_and_counted(store: TaskStore, plan: dict[str, TaskRecord]) -> None:
    assert parents(store) == PLAN_TREE
    store.toggle(plan["Ship"].id)
    counts = store.subtask_counts([plan["Launch"].id, plan["Draft"].id, plan["Loose"].id])
    assert {key: (c.open, c.done) for key, c in counts.items()} == {
        plan["Launch"].id: (1, 1),
        plan["Draft"].id: (1, 0),
    }
    assert [t.title for t in store.subtasks(plan["Launch"].id)] == ["Draft", "Ship"]
    assert [t.title for t in store.subtasks(plan["Launch"].id, deep=True)] == [
        "Draft",
        "Ship",
        "Review",
    ]
    assert [t.title for t in store.ancestors(plan["Review"].id)] == ["Draft", "Launch"]


def test_a_subtask_goes_into_its_parents_project(store: TaskStore) -> None:
    work, home = store.create_project("Work"), store.create_project("Home")
    launch = store.create("Launch", project_id=work.id)
    draft = store.create("Draft", parent_id=launch.id)
    assert draft.project_id == work.id
    with pytest.raises(ValidationError, match="in its parent task's project"):
        store.create("Elsewhere", parent_id=launch.id, project_id=home.id)
    assert projects_of(store) == {"Launch": "Work", "Draft": "Work"}


def test_indent_and_outdent_are_undoable_edits(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    loose = plan["Loose"]
    indented = store.update(loose.id, expected_version=loose.version, parent_id=plan["Ship"].id)
    assert indented.parent_id == plan["Ship"].id and parents(store)["Loose"] == "Ship"
    draft = store.get(plan["Draft"].id)
    store.update(draft.id, expected_version=draft.version, parent_id=None)  # outdent to the top
    assert parents(store)["Draft"] is None and parents(store)["Review"] == "Draft"
    assert store.history(draft.id)[-1].summary == "parent task changed"

    store.undo()
    assert parents(store)["Draft"] == "Launch"
    store.undo()
    assert parents(store)["Loose"] is None


def test_a_task_cannot_go_under_itself_or_its_subtasks(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    launch = plan["Launch"]
    for under in (launch, plan["Draft"], plan["Review"]):
        with pytest.raises(ValidationError, match="under itself or under one of its subtasks"):
            store.update(launch.id, expected_version=launch.version, parent_id=under.id)
    assert parents(store)["Launch"] is None


def test_subtasks_go_at_most_eight_levels_deep(store: TaskStore) -> None:
    chain = [store.create("L1")]
    for level in range(2, 9):
        chain.append(store.create(f"L{level}", parent_id=chain[-1].id))
    with pytest.raises(ValidationError, match="at most 8 levels"):
        store.create("L9", parent_id=chain[-1].id)
    other = store.create("Other")
    store.create("Under other", parent_id=other.id)
    with pytest.raises(ValidationError, match="at most 8 levels"):  # two levels under L7
        store.update(other.id, expected_version=other.version, parent_id=chain[6].id)
    assert len(store.list_tasks()) == 10


def test_a_parent_of_another_owner_is_not_found(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    with open_store(location, user="bob", clock=clock) as bobs:
        theirs = bobs.create("Bob's")
    with pytest.raises(NotFoundError):
        store.create("Sneaky", parent_id=theirs.id)
    with pytest.raises(NotFoundError):
        store.create("Sneaky", blocked_by=[theirs.id])
    assert store.list_tasks() == []


def test_moving_a_task_to_a_project_moves_its_subtree_and_one_undo_moves_it_back(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    work = store.create_project("Work")
    launch = plan["Launch"]
    store.update(launch.id, expected_version=launch.version, project_id=work.id)
    assert projects_of(store) == {
        "Launch": "Work",
        "Draft": "Work",
        "Review": "Work",
        "Ship": "Work",
        "Loose": None,
    }
    result = store.undo()
    assert len(result.together) == 3
    assert set(projects_of(store).values()) == {None}


def test_a_subtask_moved_to_another_project_leaves_its_parent(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    home = store.create_project("Home")
    draft = plan["Draft"]
    store.update(draft.id, expected_version=draft.version, project_id=home.id)
    assert parents(store)["Draft"] is None and parents(store)["Review"] == "Draft"
    assert projects_of(store)["Review"] == "Home" and projects_of(store)["Launch"] is None
    store.undo()
    assert parents(store)["Draft"] == "Launch" and projects_of(store)["Review"] is None


def test_deleting_a_task_deletes_its_subtree_and_one_undo_restores_it(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    store.delete(plan["Launch"].id)
    assert parents(store) == {"Loose": None}

    result = store.undo()
    assert len(result.together) == 3
    assert parents(store) == PLAN_TREE


def test_completing_a_task_with_its_subtasks_is_one_change(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    store.set_completed(plan["Draft"].id, True)  # this one only
    assert [t.title for t in store.list_tasks(TaskQuery(status=Status.DONE))] == ["Draft"]
    store.undo()
    store.set_completed(plan["Launch"].id, True, with_subtasks=True)
    done = {t.title for t in store.list_tasks(TaskQuery(status=Status.DONE))}
    assert done == {"Launch", "Draft", "Review", "Ship"}
    assert len(store.undo().together) == 3
    assert store.list_tasks(TaskQuery(status=Status.DONE)) == []


def test_a_blocked_task_is_not_ready_until_its_blocker_is_done(store: TaskStore) -> None:
    design = store.create("Design")
    build = store.create("Build", blocked_by=[design.id])
    store.create("Tidy")
    ready = TaskQuery(status=Status.OPEN, ready=True)

    assert blocks(store) == {("Build", "Design")}
    assert store.get(build.id).blocked and store.get(build.id).blocked_by == (design.id,)
    assert [t.title for t in store.list_tasks(ready)] == ["Design", "Tidy"]
    assert store.count(ready) == 2
    store.toggle(design.id)
    assert [t.title for t in store.list_tasks(ready)] == ["Build", "Tidy"]
    assert not store.get(build.id).blocked
    assert blocks(store) == {("Build", "Design")}  # the block stays; it no longer holds


def test_the_task_an_edit_returns_says_whether_its_new_blockers_hold_it(
    store: TaskStore,
) -> None:
    design, shipped = store.create("Design"), store.create("Shipped")
    store.toggle(shipped.id)
    build = store.create("Build")
    blocked = store.update(build.id, expected_version=build.version, blocked_by=[design.id])
    assert blocked.blocked and blocked == store.get(build.id)
    waits_on_done = store.update(
        build.id, expected_version=blocked.version, blocked_by=[shipped.id]
    )
    assert not waits_on_done.blocked and waits_on_done.blocked_by == (shipped.id,)


def test_block_and_unblock_are_undoable_edits(store: TaskStore) -> None:
    design, test = store.create("Design"), store.create("Test")
    build = store.create("Build")
    store.update(build.id, expected_version=build.version, blocked_by=[design.id, test.id])
    assert blocks(store) == {("Build", "Design"), ("Build", "Test")}
    build = store.get(build.id)
    store.update(build.id, expected_version=build.version, blocked_by=[test.id])
    assert blocks(store) == {("Build", "Test")}
    assert store.history(build.id)[-1].summary == "blocked-by changed"
    store.undo()
    assert blocks(store) == {("Build", "Design"), ("Build", "Test")}
    store.undo()
    assert blocks(store) == set()


def test_blocks_that_would_wait_on_each_other_are_refused(store: TaskStore) -> None:
    first = store.create("First")
    second = store.create("Second", blocked_by=[first.id])
    third = store.create("Third", blocked_by=[second.id])
    with pytest.raises(ValidationError, match="wait on each other"):
        store.update(first.id, expected_version=first.version, blocked_by=[third.id])
    with pytest.raises(ValidationError, match="blocked by itself"):
        store.update(first.id, expected_version=first.version, blocked_by=[first.id])
    with pytest.raises(NotFoundError):
        store.update(first.id, expected_version=first.version, blocked_by=["no-such-task"])
    assert blocks(store) == {("Second", "First"), ("Third", "Second")}


def test_deleting_a_blocker_unblocks_and_undo_blocks_again(store: TaskStore) -> None:
    design = store.create("Design")
    build = store.create("Build", blocked_by=[design.id])
    store.delete(design.id)
    assert blocks(store) == set() and store.get(build.id).blocked_by == ()
    assert store.history(build.id)[-1].summary == "blocked-by changed"
    assert len(store.undo().together) == 1
    assert blocks(store) == {("Build", "Design")}


def test_a_subtree_whose_tasks_block_each_other_is_deleted_and_restored_whole(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    launch, review, ship = plan["Launch"], plan["Review"], plan["Ship"]
    store.update(launch.id, expected_version=launch.version, blocked_by=[review.id])
    store.update(ship.id, expected_version=ship.version, blocked_by=[review.id])
    loose = plan["Loose"]
    store.update(loose.id, expected_version=loose.version, blocked_by=[ship.id])

    store.delete(launch.id)
    assert parents(store) == {"Loose": None} and blocks(store) == set()

    store.undo()
    assert blocks(store) == {("Launch", "Review"), ("Ship", "Review"), ("Loose", "Ship")}
    assert parents(store)["Review"] == "Draft"


def test_deleting_a_project_with_its_tasks_takes_subtasks_and_blocks_along(
    store: TaskStore,
) -> None:
    work = store.create_project("Work")
    launch = store.create("Launch", project_id=work.id)
    draft = store.create("Draft", parent_id=launch.id)
    store.create("Outside", blocked_by=[draft.id])

    store.delete_project(work.id, with_tasks=True)
    assert parents(store) == {"Outside": None} and blocks(store) == set()
    store.undo()
    assert parents(store) == {"Launch": None, "Draft": "Launch", "Outside": None}
    assert blocks(store) == {("Outside", "Draft")}


def test_undoing_the_creation_of_a_task_that_others_hang_on_is_refused(
    store: TaskStore,
) -> None:
    parent = store.create("Parent")
    child = store.create("Child", parent_id=parent.id)
    store.skip_undo()  # passes over the child's creation: undo reaches the parent's
    with pytest.raises(UndoBlockedError, match="it has subtasks now"):
        store.undo()
    blocker = store.create("Blocker")
    store.create("Waits", blocked_by=[blocker.id])
    store.skip_undo()
    with pytest.raises(UndoBlockedError, match="other tasks are blocked by it"):
        store.undo()
    assert parents(store) == {"Parent": None, "Child": "Parent", "Blocker": None, "Waits": None}
    assert store.get(child.id).parent_id == parent.id


def test_undo_that_would_put_back_a_parent_that_is_gone_is_refused(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    ship = plan["Ship"]
    store.update(ship.id, expected_version=ship.version, parent_id=None)  # outdent
    store.delete(plan["Launch"].id)
    store.skip_undo()  # passes over the delete: Launch stays gone

    with pytest.raises(UndoBlockedError, match="its parent task is gone"):
        store.undo()
    assert parents(store) == {"Ship": None, "Loose": None}


def test_undo_after_a_skip_keeps_a_subtask_in_its_parents_project(store: TaskStore) -> None:
    parent = store.create("Parent")
    child = store.create("Child", parent_id=parent.id)
    store.update(child.id, expected_version=store.get(child.id).version, parent_id=None)
    work = store.create_project("Work")
    store.update(parent.id, expected_version=store.get(parent.id).version, project_id=work.id)
    store.skip_undo()  # the parent's move stays
    store.skip_undo()  # and so does the new project
    with pytest.raises(UndoBlockedError, match="its parent task is in another project now"):
        store.undo()
    assert parents(store)["Child"] is None


def test_undo_after_a_skip_never_makes_blocks_wait_on_each_other(store: TaskStore) -> None:
    first, second = store.create("First"), store.create("Second")
    store.update(first.id, expected_version=store.get(first.id).version, blocked_by=[second.id])
    store.update(first.id, expected_version=store.get(first.id).version, blocked_by=[])
    store.update(second.id, expected_version=store.get(second.id).version, blocked_by=[first.id])
    store.skip_undo()  # Second stays blocked by First
    with pytest.raises(UndoBlockedError, match="now wait on it"):
        store.undo()  # would block First by Second again
    assert blocks(store) == {("Second", "First")}


def test_undo_after_a_skip_keeps_to_the_depth_limit(store: TaskStore) -> None:
    chain = [store.create("L1")]
    for level in range(2, 8):
        chain.append(store.create(f"L{level}", parent_id=chain[-1].id))  # seven levels
    top = store.create("Top")
    below = store.create("Below", parent_id=top.id)
    store.update(below.id, expected_version=below.version, parent_id=None)
    store.update(top.id, expected_version=top.version, parent_id=chain[-1].id)  # now 8 deep
    store.skip_undo()
    with pytest.raises(UndoBlockedError, match="more than 8 levels"):
        store.undo()  # Below back under Top would be a ninth level
    assert parents(store)["Below"] is None
