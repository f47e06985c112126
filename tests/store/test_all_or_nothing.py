"""TaskStore.all_or_nothing: several changes kept together or not at all."""

from __future__ import annotations

import pytest

from store import ConflictError, TaskStore


def test_a_failure_part_way_keeps_none_of_the_changes(store: TaskStore) -> None:
    first, second = store.create("first"), store.create("second")
    store.update(second.id, expected_version=second.version, title="second, renamed")
    with pytest.raises(ConflictError), store.all_or_nothing():
        store.toggle(first.id)
        store.set_completed(second.id, True, expected_version=second.version)  # stale
    assert not store.get(first.id).completed
    assert not store.get(second.id).completed
    assert [event.kind.value for event in store.history(first.id)] == ["created"]


def test_changes_kept_together_are_each_undone_on_their_own(store: TaskStore) -> None:
    first, second = store.create("first"), store.create("second")
    with store.all_or_nothing():
        store.toggle(first.id)
        store.delete(second.id)
    assert store.get(first.id).completed
    store.undo()  # the delete
    assert store.get(second.id).title == "second"
    assert store.get(first.id).completed
    store.undo()  # the toggle
    assert not store.get(first.id).completed
