"""Undo that cannot be done, and the way past it (issue 13, items 8 and 10).

An undo never restores what validation would refuse (a title with a terminal escape
that came in through an imported history), never fails forever on an id another
owner took, and never stalls on a history that ends in 'deleted'. Each refusal is one
line that says why and how to go on; ``skip_undo`` passes over that change, and the
next undo reaches the change before it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from store import (
    ConflictError,
    FileFormatError,
    NothingToUndoError,
    TaskStore,
    open_store,
    transfer,
)
from tests.helpers import tamper

# store.errors.UndoBlockedError is a ConflictError: matched by what it says, so that on a
# TaskFlow without it each test fails on its own.
UndoBlockedError = ConflictError

SOUND = "2026-01-01T00:00:00Z"
LATER = "2026-01-02T00:00:00Z"
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"
TASK_ID = "6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d42"


def snapshot(title: str, **fields: Any) -> dict[str, Any]:
    return {
        "title": title,
        "description": "",
        "completed": False,
        "created_at": SOUND,
        "updated_at": SOUND,
        "version": 1,
        "due": None,
        "priority": 0,
        "tags": [],
        "position": 1.0,
        **fields,
    }


def with_history(*events: dict[str, Any], title: str = "clean") -> str:
    task = {
        "id": TASK_ID,
        "title": title,
        "completed": False,
        "created_at": SOUND,
        "updated_at": LATER,
        "events": list(events),
    }
    return json.dumps({"format": "taskflow", "format_version": 2, "tasks": [task]})


def edit(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    created = {"kind": "created", "at": SOUND, "before": None, "after": before, "reverts": None}
    edited = {"kind": "edited", "at": LATER, "before": before, "after": after, "reverts": None}
    return [created, edited]


# -- item 8: an imported history passes the rules a task's own fields do ------------------------


@pytest.mark.parametrize(
    ("before", "named"),
    [
        (snapshot(f"evil {OSC52}"), "event 1, after: The title contains a control character"),
        (snapshot("ok", description=f"x{OSC52}"), "The description contains a control"),
        (snapshot("ok", tags=["a\x1bb"]), "Invalid tag"),
        (snapshot("line\nbreak"), "A title is one line"),
        (snapshot("ok", due="0001-01-01"), "due 0001-01-01 is outside"),
        (snapshot("ok", position=1e308), "position 1e+308 is beyond"),
        (snapshot("ok", version=2**63), "version must be a whole number"),
    ],
)
def test_an_imported_history_holding_refused_text_is_refused_whole(
    before: dict[str, Any], named: str
) -> None:
    text = with_history(*edit(before, snapshot("clean", version=2, updated_at=LATER)))
    with pytest.raises(FileFormatError) as refused:
        transfer.parse(text, transfer.Format.JSON, name="f")
    assert named in str(refused.value) and "\n" not in str(refused.value)


def test_a_clean_imported_history_is_undone_step_by_step(store: TaskStore) -> None:
    before, after = snapshot("first title"), snapshot("clean", version=2, updated_at=LATER)
    store.import_tasks(
        transfer.parse(with_history(*edit(before, after)), transfer.Format.JSON).tasks
    )
    result = store.undo()
    assert result.task is not None and result.task.title == "first title"


def test_undo_never_puts_back_a_title_validation_refuses(store: TaskStore) -> None:
    """A database that already holds such a history (imported before this check)."""
    task = store.create("clean start")
    store.update(task.id, expected_version=1, title="clean")
    evil = json.dumps(snapshot(f"evil {OSC52}"), sort_keys=True)
    tamper(
        store,
        "UPDATE task_events SET before = ? WHERE task_id = ? AND kind = 'edited'",
        evil,
        task.id,
    )
    with pytest.raises(UndoBlockedError) as refused:
        store.undo()
    message = str(refused.value)
    assert "title that is refused" in message and "\x1b" not in message and "\n" not in message
    assert "Skipping it ('taskflow undo --skip', or U in the app)" in message
    assert type(refused.value).__name__ == "UndoBlockedError"  # a ConflictError, as before
    assert store.get(task.id).title == "clean"  # nothing changed
    skipped = store.skip_undo()
    assert skipped.skipped and skipped.undone.kind.value == "edited"
    assert store.get(task.id).title == "clean" and store.get(task.id).version == 2
    assert store.undo().task is None  # the change before: the creation
    with pytest.raises(NothingToUndoError):
        store.undo()


# -- item 10: an id another owner took, a history that ends in 'deleted' -----------------------


@pytest.fixture
def bob(location: str, clock: Any) -> Iterator[TaskStore]:
    with open_store(location, user="bob", clock=clock) as store:
        yield store


def test_an_undo_whose_id_another_owner_took_says_so_and_can_be_passed(
    store: TaskStore, bob: TaskStore
) -> None:
    """The wedge as an older import left it: bob holds the id of alice's deleted a2."""
    alice = store
    a1 = alice.create("a1")
    a2 = alice.create("a2")
    alice.delete(a2.id)
    taken = bob.create("bob's")
    tamper(bob, "UPDATE tasks SET id = ? WHERE id = ?", a2.id, taken.id)
    for _ in range(2):  # refused the same each time, never a database error
        with pytest.raises(UndoBlockedError, match="its id is now another task's here"):
            alice.undo()
    alice.skip_undo()
    # The change before: a2's creation, whose task is gone (alice's a2 never came back).
    with pytest.raises(UndoBlockedError, match="no longer as that change left it"):
        alice.undo()
    assert alice.skip_undo().undone.task_id == a2.id
    assert alice.undo().undone.task_id == a1.id
    assert bob.get(a2.id).title == "bob's"  # bob's task untouched throughout


def test_a_history_that_ends_in_deleted_is_refused_on_import() -> None:
    created = {
        "kind": "created",
        "at": SOUND,
        "before": None,
        "after": snapshot("x"),
        "reverts": None,
    }
    deleted = {
        "kind": "deleted",
        "at": LATER,
        "before": snapshot("x"),
        "after": None,
        "reverts": None,
    }
    with pytest.raises(FileFormatError, match="its history ends with 'deleted'"):
        transfer.parse(with_history(created, deleted), transfer.Format.JSON)
    edited = {
        "kind": "edited",
        "at": LATER,
        "before": snapshot("x"),
        "after": snapshot("y"),
        "reverts": None,
    }
    with pytest.raises(
        FileFormatError, match="event 3: a 'edited' event while the task was deleted"
    ):
        transfer.parse(with_history(created, deleted, edited), transfer.Format.JSON)


def test_a_stored_history_that_ends_in_deleted_does_not_wedge_undo(store: TaskStore) -> None:
    """As an import before this check left it: a live task whose last event is 'deleted'."""
    first = store.create("first")
    task = store.create("live")
    tamper(
        store,
        "UPDATE task_events SET kind = 'deleted', before = after, after = NULL WHERE task_id = ?",
        task.id,
    )
    with pytest.raises(UndoBlockedError, match="no longer as that change left it"):
        store.undo()
    store.skip_undo()
    assert store.undo().undone.task_id == first.id
    assert store.get(task.id).title == "live"


def test_a_skip_is_logged_kept_and_left_out_of_exports(store: TaskStore) -> None:
    task = store.create("kept")
    store.update(task.id, expected_version=1, title="renamed")
    store.skip_undo()
    history = store.history(task.id)
    assert [e.summary for e in history] == ["created", "title changed", "undo skipped"]
    out = io.StringIO()
    transfer.write_json(store.export_tasks(events=True), out)
    events = json.loads(out.getvalue())["tasks"][0]["events"]
    assert [e["kind"] for e in events] == ["created", "edited"]
    assert store.undo().task is None  # the skip lasts: the creation is next


def test_skip_with_nothing_to_undo_says_so(store: TaskStore) -> None:
    with pytest.raises(NothingToUndoError):
        store.skip_undo()
