"""merge_edit: an edit made from one version, merged with the task as it is now."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from store import Due, Priority, TaskRecord, merge_edit

BASE = TaskRecord(
    id="t",
    title="Call the plumber",
    description="about the sink",
    completed=False,
    created_at=datetime(2026, 11, 20, tzinfo=UTC),
    updated_at=datetime(2026, 11, 20, tzinfo=UTC),
    user_id="alice",
    version=3,
    due=Due(date(2026, 11, 23)),
    priority=Priority.MEDIUM,
    tags=("home",),
)
FORM = {
    "title": BASE.title,
    "description": BASE.description,
    "due": BASE.due,
    "priority": BASE.priority,
    "tags": BASE.tags,
}


def test_nothing_changed_on_either_side() -> None:
    merge = merge_edit(BASE, FORM, BASE)
    assert (dict(merge.mine_only), merge.theirs_only, merge.clashes) == ({}, (), ())


def test_their_change_to_a_field_i_left_alone_is_kept() -> None:
    theirs = replace(BASE, version=4, priority=Priority.LOW, completed=True)
    merge = merge_edit(BASE, {**FORM, "title": "Call Bob"}, theirs)
    assert dict(merge.mine_only) == {"title": "Call Bob"}
    assert merge.theirs_only == ("priority", "completed")
    assert merge.changes(clashes_to="mine") == {"title": "Call Bob"}


def test_both_changing_one_field_differently_is_a_clash() -> None:
    theirs = replace(BASE, version=4, title="Call Ann")
    merge = merge_edit(BASE, {**FORM, "title": "Call Bob", "tags": ("home", "work")}, theirs)
    assert [(c.name, c.base, c.mine, c.theirs) for c in merge.clashes] == [
        ("title", "Call the plumber", "Call Bob", "Call Ann")
    ]
    assert merge.changes(clashes_to="mine") == {"tags": ("home", "work"), "title": "Call Bob"}
    assert merge.changes(clashes_to="theirs") == {"tags": ("home", "work")}


def test_both_making_the_same_change_is_no_clash() -> None:
    theirs = replace(BASE, version=4, due=None)
    merge = merge_edit(BASE, {**FORM, "due": None}, theirs)
    assert merge.clashes == ()


@pytest.mark.parametrize(
    ("field", "mine", "theirs"),
    [
        ("tags", ("HOME",), ("home",)),  # tags ignore case
        ("tags", ("b", "a"), ("a", "b")),  # and order
        ("description", "about the sink\n\n", "about the sink"),  # trailing space
        ("title", "  Call the plumber ", "Call the plumber"),
    ],
)
def test_values_the_store_keeps_as_equal_are_equal(
    field: str, mine: object, theirs: object
) -> None:
    merge = merge_edit(BASE, {**FORM, field: mine}, replace(BASE, **{field: theirs}))
    assert merge.clashes == ()


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="position"):
        merge_edit(BASE, {"position": 2.0}, BASE)
