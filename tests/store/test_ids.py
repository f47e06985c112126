"""Which task an id names (issue 13, item 11), and which ids an import may take (item 10).

Exact ids match exactly. Only UUID text may be typed in either case, and then only for
ids that are UUIDs: with adopted ids 'ABC', 'abc' and 'Émile', each is named by itself
alone. An import never gives a new task an id that is not a UUID, that another owner
has, or that any owner's history still names; the substitute is reported and stable.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from store import AmbiguousIdError, NotFoundError, TaskStore, open_store, transfer
from store.validation import UUID_TEXT
from tests.helpers import tamper

# Why an id was replaced, as the import reports it (store.importing.REASON_*).
REASON_OTHER_OWNER = "is another owner's id here"
REASON_IN_HISTORY = "is the id of a deleted task whose history is kept here"
REASON_NOT_UUID = "is not a UUID"

SOUND = "2026-01-01T00:00:00Z"


def adopt_id(store: TaskStore, task_id: str, adopted: str) -> None:
    """Give a task an id as the earlier service's database had them (kept on adoption)."""
    tamper(store, "UPDATE tasks SET id = ? WHERE id = ?", adopted, task_id)
    tamper(store, "UPDATE task_events SET task_id = ? WHERE task_id = ?", adopted, task_id)


@pytest.fixture
def adopted(store: TaskStore) -> TaskStore:
    for title, task_id in (("upper", "ABC"), ("lower", "abc"), ("accent", "Émile")):
        adopt_id(store, store.create(title).id, task_id)
    return store


def test_exact_ids_name_exactly_their_own_task(adopted: TaskStore) -> None:
    assert adopted.resolve_id("ABC").title == "upper"
    assert adopted.resolve_id("abc").title == "lower"
    assert adopted.resolve_id("Émile").title == "accent"


def test_a_prefix_matches_with_its_case(adopted: TaskStore) -> None:
    assert adopted.resolve_id("AB").title == "upper"
    assert adopted.resolve_id("ab").title == "lower"
    assert adopted.resolve_id("Ém").title == "accent"
    for other_case in ("émile", "ÉMILE", "Ab", "aB"):
        with pytest.raises(NotFoundError):
            adopted.resolve_id(other_case)


def test_deleting_by_an_exact_id_deletes_that_task_only(adopted: TaskStore) -> None:
    adopted.delete(adopted.resolve_id("ABC").id)
    assert sorted(task.id for task in adopted.list_tasks()) == ["abc", "Émile"]
    assert adopted.resolve_any_id("ABC") == "ABC"
    assert adopted.resolve_any_id("abc") == "abc"
    assert adopted.resolve_any_id("Émile") == "Émile"
    with pytest.raises(NotFoundError):
        adopted.resolve_any_id("émile")


def test_uuid_text_may_be_typed_in_capitals(store: TaskStore) -> None:
    task = store.create("a task")
    assert store.resolve_id(task.id.upper()).id == task.id
    assert store.resolve_id(task.id[:6].upper()).id == task.id
    assert store.resolve_any_id(task.id[:6].upper()) == task.id
    store.delete(task.id)
    assert store.resolve_any_id(task.id.upper()) == task.id


def test_like_wildcards_in_an_id_are_only_themselves(store: TaskStore) -> None:
    adopt_id(store, store.create("underscore").id, "a_c")
    adopt_id(store, store.create("letter").id, "abc")
    assert store.resolve_id("a_").title == "underscore"
    with pytest.raises(NotFoundError):
        store.resolve_id("a%")


def test_an_ambiguous_start_still_lists_the_candidates(store: TaskStore) -> None:
    adopt_id(store, store.create("one").id, "task-1")
    adopt_id(store, store.create("two").id, "task-2")
    with pytest.raises(AmbiguousIdError) as ambiguous:
        store.resolve_id("task-")
    assert {c.title for c in ambiguous.value.candidates} == {"one", "two"}


# -- the ids an import takes ------------------------------------------------------------------


def json_file(*tasks: dict[str, Any]) -> list[transfer.ImportedTask]:
    items = [
        {"completed": False, "created_at": SOUND, "updated_at": SOUND, **task} for task in tasks
    ]
    text = json.dumps({"format": "taskflow", "format_version": 2, "tasks": items})
    return list(transfer.parse(text, transfer.Format.JSON).tasks)


def test_ids_that_are_not_uuids_are_replaced_stably(store: TaskStore) -> None:
    tasks = json_file(
        {"id": "ABC", "title": "upper"},
        {"id": "abc", "title": "lower"},
        {"id": "Émile", "title": "accent"},
    )
    first = store.import_tasks(tasks)
    assert set(first.reassigned) == {"ABC", "abc", "Émile"}
    assert set(first.reassigned_reasons.values()) == {REASON_NOT_UUID}
    assert len(set(first.reassigned.values())) == 3
    assert all(UUID_TEXT.fullmatch(new) for new in first.reassigned.values())
    again = store.import_tasks(tasks)
    assert again.reassigned == first.reassigned
    assert not again.added and len(again.unchanged) == 3


def test_an_adopted_id_of_the_owner_is_the_same_task_in_an_import(adopted: TaskStore) -> None:
    outcome = adopted.import_tasks(
        json_file({"id": "ABC", "title": "upper, renamed", "updated_at": "2030-01-01T00:00:00Z"})
    )
    assert not outcome.reassigned and [t.id for t in outcome.updated] == ["ABC"]
    assert adopted.get("ABC").title == "upper, renamed"


@pytest.fixture
def bob(location: str, clock: Any) -> Iterator[TaskStore]:
    with open_store(location, user="bob", clock=clock) as store:
        yield store


def exported(store: TaskStore) -> list[transfer.ImportedTask]:
    """The owner's export, read back as an import would read it."""
    out = io.StringIO()
    transfer.write_json(store.export_tasks(), out)
    return list(transfer.parse(out.getvalue(), transfer.Format.JSON).tasks)


def test_an_import_never_takes_an_id_another_owners_history_names(
    store: TaskStore, bob: TaskStore
) -> None:
    """Alice exports, deletes a2; bob imports her file twice; alice's undo still works."""
    alice = store
    alice.create("a1")
    a2 = alice.create("a2")
    file = exported(alice)
    alice.delete(a2.id)
    first = bob.import_tasks(file)
    assert a2.id in first.reassigned
    assert first.reassigned_reasons[a2.id] == REASON_IN_HISTORY
    assert list(first.reassigned_reasons.values()).count(REASON_OTHER_OWNER) == 1
    second = bob.import_tasks(file)
    assert not second.added and second.reassigned == first.reassigned
    assert sorted(t.title for t in bob.list_tasks()) == ["a1", "a2"]
    restored = alice.undo()
    assert restored.task is not None and restored.task.id == a2.id
    assert sorted(t.title for t in alice.list_tasks()) == ["a1", "a2"]


def test_an_import_never_takes_an_id_the_owners_own_history_names(store: TaskStore) -> None:
    task = store.create("mine")
    file = exported(store)
    store.delete(task.id)
    outcome = store.import_tasks(file)
    assert outcome.reassigned_reasons == {task.id: REASON_IN_HISTORY}
    assert store.import_tasks(file).reassigned == outcome.reassigned  # stable
    restored = store.undo()  # the import's 'created' event first
    assert restored.task is None
    assert store.undo().task is not None  # then the deletion: the task itself is back


def test_a_substitute_that_is_itself_taken_gets_one_of_its_own(
    store: TaskStore, bob: TaskStore
) -> None:
    alice = store
    a = alice.create("a")
    file = exported(alice)
    first = bob.import_tasks(file)
    substitute = first.reassigned[a.id]
    bob.delete(substitute)  # bob's history now names the substitute
    again = bob.import_tasks(file)
    assert again.reassigned[a.id] not in (a.id, substitute)
    assert bob.import_tasks(file).reassigned == again.reassigned
