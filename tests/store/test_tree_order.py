"""My order reads as the tree: a subtask follows its parent, indent and outdent and
J/K keep each branch together, a folded tree hides what is under a folded task, and
a page of the list tells each task's place (depth, parents, project, progress). On
both backends; the order checked as the rows hold it."""

from __future__ import annotations

import pytest

from store import Sort, Status, TaskQuery, TaskRecord, TaskStore, ValidationError
from tests.helpers import make_plan_tree, rows_of

MINE = TaskQuery(sort=Sort.MANUAL)


def stored_order(store: TaskStore) -> list[str]:
    """The titles in my order, as the positions in the rows put them."""
    rows = rows_of(
        store, "SELECT title FROM tasks WHERE user_id = ? ORDER BY position, id", "alice"
    )
    return [title for (title,) in rows]


def listed(store: TaskStore, query: TaskQuery = MINE) -> list[str]:
    return [task.title for task in store.list_tasks(query)]


@pytest.fixture
def plan(store: TaskStore) -> dict[str, TaskRecord]:
    return make_plan_tree(store)


TREE = ["Launch", "Draft", "Review", "Ship", "Loose"]


def test_a_new_subtask_goes_last_under_its_parent(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    assert stored_order(store) == TREE
    store.create("Polish", parent_id=plan["Launch"].id)
    assert stored_order(store) == ["Launch", "Draft", "Review", "Ship", "Polish", "Loose"]


def test_indent_goes_under_the_task_above_at_its_level(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    loose = plan["Loose"]
    indented = store.indent(loose.id, expected_version=loose.version, query=MINE)
    assert indented.parent_id == plan["Launch"].id
    assert stored_order(store) == TREE  # the last subtask of Launch: where it already was
    ship = store.get(plan["Ship"].id)
    store.indent(ship.id, expected_version=ship.version, query=MINE)
    assert store.get(ship.id).parent_id == plan["Draft"].id
    assert stored_order(store) == ["Launch", "Draft", "Review", "Ship", "Loose"]
    store.undo()
    assert store.get(ship.id).parent_id == plan["Launch"].id
    assert stored_order(store) == TREE


def test_indent_is_refused_for_the_first_at_its_level(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    draft = plan["Draft"]
    with pytest.raises(ValidationError, match="no task above"):
        store.indent(draft.id, expected_version=draft.version, query=MINE)
    assert store.get(draft.id).parent_id == plan["Launch"].id


def test_outdent_follows_the_branch_it_left_and_takes_its_subtasks(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    draft = store.get(plan["Draft"].id)
    outdented = store.outdent(draft.id, expected_version=draft.version)
    assert outdented.parent_id is None
    assert store.get(plan["Review"].id).parent_id == draft.id
    # After the rest of Launch's branch (Ship), before Loose; Review comes along.
    assert stored_order(store) == ["Launch", "Ship", "Draft", "Review", "Loose"]
    store.undo()  # one change, the subtree's new places included
    assert stored_order(store) == TREE
    assert store.get(draft.id).parent_id == plan["Launch"].id


def test_outdent_at_the_top_is_refused(store: TaskStore, plan: dict[str, TaskRecord]) -> None:
    loose = plan["Loose"]
    with pytest.raises(ValidationError, match="already at the top"):
        store.outdent(loose.id, expected_version=loose.version)


def test_a_parent_set_by_edit_moves_the_branch_under_it(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    launch = store.get(plan["Launch"].id)
    store.update(launch.id, expected_version=launch.version, parent_id=plan["Loose"].id)
    assert stored_order(store) == ["Loose", "Launch", "Draft", "Review", "Ship"]
    assert store.history(launch.id)[-1].summary == "parent task changed"


def test_moving_a_task_takes_its_branch_past_the_next_branch(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    store.move(plan["Launch"].id, 1, MINE)
    assert stored_order(store) == ["Loose", "Launch", "Draft", "Review", "Ship"]
    store.move(plan["Launch"].id, 1, MINE)  # already last at its level: nothing changes
    assert stored_order(store) == ["Loose", "Launch", "Draft", "Review", "Ship"]
    store.move(plan["Ship"].id, -1, MINE)  # among its siblings: before Draft's branch
    assert stored_order(store) == ["Loose", "Launch", "Ship", "Draft", "Review"]
    store.undo()
    store.undo()
    assert stored_order(store) == TREE


def test_a_moved_task_passes_tasks_the_list_hides(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    store.toggle(plan["Draft"].id)
    open_tree = TaskQuery(sort=Sort.MANUAL, status=Status.OPEN)
    store.move(plan["Ship"].id, -1, open_tree)  # Draft is hidden: Ship stays where it is
    assert stored_order(store) == TREE


def test_a_collapsed_task_hides_every_level_under_it(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    folded = TaskQuery(sort=Sort.MANUAL, collapsed=frozenset({plan["Launch"].id}))
    assert listed(store, folded) == ["Launch", "Loose"]
    assert store.count(folded) == 2
    only_draft = TaskQuery(sort=Sort.MANUAL, collapsed=frozenset({plan["Draft"].id}))
    assert listed(store, only_draft) == ["Launch", "Draft", "Ship", "Loose"]
    assert store.locate(only_draft, plan["Ship"].id) == (4, 2)


def test_collapse_all_shows_the_top_and_what_is_expanded_under_it(
    store: TaskStore, plan: dict[str, TaskRecord]
) -> None:
    closed = TaskQuery(sort=Sort.MANUAL, collapse_all=True)
    assert listed(store, closed) == ["Launch", "Loose"]
    launch_open = TaskQuery(
        sort=Sort.MANUAL, collapse_all=True, expanded=frozenset({plan["Launch"].id})
    )
    assert listed(store, launch_open) == ["Launch", "Draft", "Ship", "Loose"]
    # Draft expanded but Launch not: Draft is not shown, so neither is Review.
    draft_only = TaskQuery(
        sort=Sort.MANUAL, collapse_all=True, expanded=frozenset({plan["Draft"].id})
    )
    assert listed(store, draft_only) == ["Launch", "Loose"]
    both = TaskQuery(
        sort=Sort.MANUAL,
        collapse_all=True,
        expanded=frozenset({plan["Draft"].id, plan["Launch"].id}),
    )
    assert listed(store, both) == TREE
    assert store.count(both) == 5
    assert store.position_of(plan["Review"].id, both) == 2


def test_a_page_tells_each_task_its_place(store: TaskStore, plan: dict[str, TaskRecord]) -> None:
    work = store.create_project("Work/Q4")
    launch = store.get(plan["Launch"].id)
    store.update(launch.id, expected_version=launch.version, project_id=work.id)
    store.toggle(plan["Review"].id)
    page = store.list_tasks(MINE)
    contexts = store.tree_context(page)
    review = contexts[plan["Review"].id]
    assert review.parent_titles == ("Launch", "Draft") and review.depth == 2
    assert review.parent_ids == (plan["Launch"].id, plan["Draft"].id)
    assert review.project == "Work/Q4" and review.subtasks is None
    launch_context = contexts[plan["Launch"].id]
    assert launch_context.depth == 0 and launch_context.subtasks is not None
    assert (launch_context.subtasks.open, launch_context.subtasks.done) == (2, 0)
    draft_counts = contexts[plan["Draft"].id].subtasks
    assert draft_counts is not None and (draft_counts.open, draft_counts.done) == (0, 1)
    assert contexts[plan["Loose"].id].project is None
