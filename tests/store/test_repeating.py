"""Repeating tasks in the store: completing an occurrence makes the next in the same
change, skip, stop, a new rule, and the undo of each, checked in the database.

The clock is frozen at Friday 20 November 2026, 09:30 UTC, and each test runs in a
named zone (the local day decides which dates a rule gives).
"""

from __future__ import annotations

from datetime import date, time

import pytest

from store import (
    ConflictError,
    TaskQuery,
    TaskRecord,
    TaskStore,
    UndoBlockedError,
    ValidationError,
)
from store.planning import Due, Priority
from store.recurrence import Repeat
from tests.helpers import FrozenClock, rows_of

pytestmark = pytest.mark.zone("Europe/Berlin")

FRIDAY = date(2026, 11, 20)
WEEKLY_MONDAY = Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", FRIDAY)
EVERY_3_DAYS_AFTER_DONE = Repeat.of("FREQ=DAILY;INTERVAL=3", "completion", FRIDAY)


def series_rows(store: TaskStore, task: TaskRecord) -> list[tuple[int, bool, str | None]]:
    """(occurrence, done, due) of each task of the series, as the database holds them."""
    rows = rows_of(
        store,
        "SELECT occurrence, completed, due FROM tasks WHERE series_id = ? ORDER BY occurrence",
        task.series_id,
    )
    return [(int(number), bool(done), due) for number, done, due in rows]


def test_a_repeating_task_without_a_due_date_starts_on_the_rules_first_day(
    store: TaskStore,
) -> None:
    task = store.create("Standup", repeat=WEEKLY_MONDAY)
    assert task.due == Due(date(2026, 11, 23))
    assert task.repeat is not None and task.repeat.start == date(2026, 11, 23)
    assert (task.series_id, task.occurrence) == (task.id, 1)
    stored = store.get(task.id)
    assert stored.repeat == task.repeat
    assert series_rows(store, task) == [(1, False, "2026-11-23")]


def test_completing_makes_the_next_occurrence_in_the_same_change(store: TaskStore) -> None:
    first = store.create(
        "Water plants",
        "The ones on the balcony too",
        due=Due(date(2026, 11, 23), time(9, 0)),
        priority=Priority.HIGH,
        tags=["home"],
        repeat=WEEKLY_MONDAY,
    )
    done = store.toggle(first.id, expected_version=first.version)
    assert done.completed and done.repeat is None  # the open occurrence carries the rule
    following = store.next_in_series(done)
    assert following is not None and following.id != first.id
    assert (following.title, following.description) == (first.title, first.description)
    assert (following.priority, following.tags) == (Priority.HIGH, ("home",))
    assert following.due == Due(date(2026, 11, 30), time(9, 0))
    assert following.repeat == first.repeat
    assert (following.series_id, following.occurrence) == (first.id, 2)
    assert not following.completed
    assert series_rows(store, first) == [
        (1, True, "2026-11-23 09:00"),
        (2, False, "2026-11-30 09:00"),
    ]
    assert [task.id for task in store.series(following.id)] == [first.id, following.id]


def test_undo_of_the_completion_removes_the_next_and_opens_the_old_one(store: TaskStore) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    sub = store.create("Read the notes", parent_id=first.id, due=Due(date(2026, 11, 22)))
    store.set_completed(first.id, True, with_subtasks=True)
    following = store.next_in_series(store.get(first.id))
    assert following is not None
    copies = store.subtasks(following.id)
    assert [(c.title, c.completed, c.due) for c in copies] == [
        ("Read the notes", False, Due(date(2026, 11, 29)))  # moved as far as its parent
    ]
    assert store.get(sub.id).completed  # the old one's stays as it was marked

    result = store.undo()
    assert result.message == ("Marked open again “Standup”; its next occurrence was removed")
    reopened = store.get(first.id)
    assert not reopened.completed and reopened.repeat == first.repeat
    assert not store.get(sub.id).completed
    assert store.get_many([following.id, copies[0].id]) == []
    assert series_rows(store, first) == [(1, False, "2026-11-23")]


def test_completing_the_same_occurrence_twice_never_makes_two(
    store: TaskStore, location: str, clock: FrozenClock
) -> None:
    from store import open_store

    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    with open_store(location, user="alice", clock=clock) as other_window:
        seen_there = other_window.get(first.id)
        store.toggle(first.id, expected_version=first.version)
        # The other window's version check refuses the stale completion...
        with pytest.raises(ConflictError):
            other_window.toggle(first.id, expected_version=seen_there.version)
        # ...and marking it done again without one changes nothing.
        other_window.set_completed(first.id, True)
    assert series_rows(store, first) == [(1, True, "2026-11-23"), (2, False, "2026-11-30")]


def test_done_then_open_again_leaves_the_series_as_it_was(store: TaskStore) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    sub = store.create("Notes", parent_id=first.id)
    store.toggle(first.id)
    assert store.get(sub.id).completed  # done with its occurrence: its copy is the next's
    following = store.next_in_series(store.get(first.id))
    assert following is not None
    reopened = store.toggle(first.id)  # as space twice: the untouched next one goes
    assert not reopened.completed and reopened.repeat == first.repeat
    assert store.get_many([following.id]) == []
    assert series_rows(store, first) == [(1, False, "2026-11-23")]
    assert [(t.title, t.completed) for t in store.subtasks(first.id)] == [("Notes", False)]
    store.undo()  # the reopening, as one change: the next one is back
    assert series_rows(store, first) == [(1, True, "2026-11-23"), (2, False, "2026-11-30")]


def test_a_past_occurrence_opened_after_the_next_was_worked_on_stays_plain(
    store: TaskStore,
) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    store.toggle(first.id)
    following = store.next_in_series(store.get(first.id))
    assert following is not None
    store.update(following.id, expected_version=following.version, priority=Priority.HIGH)
    reopened = store.toggle(first.id)
    assert not reopened.completed and reopened.repeat is None  # the next one carries it
    store.toggle(first.id)  # done again: no second next
    assert series_rows(store, first) == [(1, True, "2026-11-23"), (2, False, "2026-11-30")]
    # Given a rule of its own, the reopened one starts a series of its own.
    store.toggle(first.id)
    tuesdays = Repeat.of("FREQ=WEEKLY;BYDAY=TU", "schedule", FRIDAY)
    changed = store.update(first.id, expected_version=store.get(first.id).version, repeat=tuesdays)
    assert changed.series_id not in (None, first.series_id) and changed.occurrence == 1
    store.toggle(first.id)
    made = store.next_in_series(store.get(first.id))
    assert made is not None and made.repeat is not None
    assert made.repeat.rule.text == "FREQ=WEEKLY;BYDAY=TU"


def test_after_completion_the_next_date_counts_from_the_day_it_was_done(
    store: TaskStore, clock: FrozenClock
) -> None:
    first = store.create("Water cactus", due=Due(FRIDAY), repeat=EVERY_3_DAYS_AFTER_DONE)
    clock.advance(days=2)  # done two days late, on Sunday the 22nd
    store.toggle(first.id)
    following = store.next_in_series(store.get(first.id))
    assert following is not None and following.due == Due(date(2026, 11, 25))


def test_the_last_occurrence_of_a_rule_with_an_end_makes_none(store: TaskStore) -> None:
    twice = Repeat.of("FREQ=WEEKLY;BYDAY=MO;COUNT=2", "schedule", FRIDAY)
    first = store.create("Course", repeat=twice)
    store.toggle(first.id)
    second = store.next_in_series(store.get(first.id))
    assert second is not None and second.due == Due(date(2026, 11, 30))
    store.toggle(second.id)
    assert store.next_in_series(store.get(second.id)) is None
    assert series_rows(store, first) == [(1, True, "2026-11-23"), (2, True, "2026-11-30")]


def test_skip_moves_the_open_occurrence_on_and_undo_moves_it_back(store: TaskStore) -> None:
    task = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    skipped = store.skip_occurrence(task.id, expected_version=task.version)
    assert skipped.id == task.id and skipped.due == Due(date(2026, 11, 30))
    assert not skipped.completed
    assert series_rows(store, task) == [(1, False, "2026-11-30")]
    store.undo()
    assert series_rows(store, task) == [(1, False, "2026-11-23")]


def test_skip_is_refused_for_a_plain_task_and_past_the_rules_end(store: TaskStore) -> None:
    plain = store.create("Buy milk", due=Due(FRIDAY))
    with pytest.raises(ValidationError, match="does not repeat"):
        store.skip_occurrence(plain.id)
    once = store.create("Once", repeat=Repeat.of("FREQ=DAILY;COUNT=1", "schedule", FRIDAY))
    with pytest.raises(ValidationError, match="last of its series"):
        store.skip_occurrence(once.id)
    assert store.get(once.id).due == once.due


def test_stop_keeps_the_task_and_no_occurrence_follows(store: TaskStore) -> None:
    task = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    stopped = store.update(task.id, expected_version=task.version, repeat=None)
    assert stopped.repeat is None and stopped.series_id == task.id
    assert store.history(task.id)[-1].summary == "repeat changed"
    store.toggle(task.id)
    assert series_rows(store, task) == [(1, True, "2026-11-23")]
    store.undo()
    store.undo()  # the stop
    assert store.get(task.id).repeat == task.repeat


def test_a_new_rule_applies_from_the_open_occurrence_on(store: TaskStore) -> None:
    task = store.create("Standup", due=Due(date(2026, 11, 23), time(9, 0)), repeat=WEEKLY_MONDAY)
    tuesdays = Repeat.of("FREQ=WEEKLY;BYDAY=TU", "schedule", FRIDAY)
    changed = store.update(task.id, expected_version=task.version, repeat=tuesdays)
    # Monday is no Tuesday: the task moves to the new rule's first day, time kept.
    assert changed.due == Due(date(2026, 11, 24), time(9, 0))
    assert changed.repeat is not None and changed.repeat.start == date(2026, 11, 24)
    store.toggle(changed.id)
    following = store.next_in_series(store.get(task.id))
    assert following is not None and following.due == Due(date(2026, 12, 1), time(9, 0))
    store.undo()  # the completion
    store.undo()  # the new rule
    back = store.get(task.id)
    assert (back.due, back.repeat) == (task.due, task.repeat)


def test_a_new_rule_keeps_a_due_date_that_is_one_of_its_days(store: TaskStore) -> None:
    task = store.create("Review", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    fortnightly = Repeat.of("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "schedule", FRIDAY)
    changed = store.update(task.id, expected_version=task.version, repeat=fortnightly)
    assert changed.due == task.due
    store.toggle(changed.id)
    following = store.next_in_series(store.get(task.id))
    assert following is not None and following.due == Due(date(2026, 12, 7))


def test_giving_a_plain_task_a_rule_starts_a_series_and_undo_ends_it(store: TaskStore) -> None:
    task = store.create("Pay rent")
    monthly = Repeat.of("FREQ=MONTHLY;BYMONTHDAY=1", "schedule", FRIDAY)
    changed = store.update(task.id, expected_version=task.version, repeat=monthly)
    assert changed.due == Due(date(2026, 12, 1))
    assert (changed.series_id, changed.occurrence) == (task.id, 1)
    assert store.history(task.id)[-1].summary == "edited due date and repeat"
    store.undo()
    back = store.get(task.id)
    assert (back.due, back.repeat, back.series_id, back.occurrence) == (None, None, None, None)


def test_a_repeating_task_keeps_a_due_date_and_a_done_one_takes_no_rule(
    store: TaskStore,
) -> None:
    task = store.create("Standup", repeat=WEEKLY_MONDAY)
    with pytest.raises(ValidationError, match="needs a due date"):
        store.update(task.id, expected_version=task.version, due=None)
    done = store.toggle(store.create("Old").id)
    with pytest.raises(ValidationError, match="done task does not repeat"):
        store.update(done.id, expected_version=done.version, repeat=WEEKLY_MONDAY)


def test_month_ends_fall_on_the_last_day_of_a_shorter_month(store: TaskStore) -> None:
    rent = Repeat.of("FREQ=MONTHLY;BYMONTHDAY=31", "schedule", FRIDAY)
    task = store.create("Rent", repeat=rent)
    dues = [task.due]
    for _ in range(3):
        store.toggle(task.id)
        following = store.next_in_series(store.get(task.id))
        assert following is not None
        task = following
        dues.append(task.due)
    assert dues == [Due(date(2026, 11, 30)), Due(date(2026, 12, 31)), Due(date(2027, 1, 31)),
                    Due(date(2027, 2, 28))]  # fmt: skip


def test_upcoming_lists_a_series_future_dates_but_not_those_after_completion(
    store: TaskStore,
) -> None:
    store.create("Standup", due=Due(date(2026, 11, 23), time(9, 0)), repeat=WEEKLY_MONDAY)
    store.create("Cactus", due=Due(FRIDAY), repeat=EVERY_3_DAYS_AFTER_DONE)
    store.create("Plain", due=Due(date(2026, 11, 24)))
    future = store.future_occurrences(TaskQuery(), date(2026, 12, 7))
    assert [(f.task.title, f.due, f.number) for f in future] == [
        ("Standup", Due(date(2026, 11, 30), time(9, 0)), 1),
        ("Standup", Due(date(2026, 12, 7), time(9, 0)), 2),
    ]
    narrowed = store.future_occurrences(TaskQuery(search="cactus"), date(2026, 12, 7))
    assert narrowed == []


def test_skipping_an_after_completion_task_counts_from_its_due_or_today(
    store: TaskStore,
) -> None:
    task = store.create("Water cactus", due=Due(date(2026, 11, 22)), repeat=EVERY_3_DAYS_AFTER_DONE)
    once = store.skip_occurrence(task.id)
    assert once.due == Due(date(2026, 11, 25))  # as if done on its day, the 22nd
    twice = store.skip_occurrence(task.id)
    assert twice.due == Due(date(2026, 11, 28))  # and again: it always moves on
    late = store.create("Late one", due=Due(date(2026, 11, 10)), repeat=EVERY_3_DAYS_AFTER_DONE)
    assert store.skip_occurrence(late.id).due == Due(date(2026, 11, 23))  # from today


def test_a_new_rule_never_starts_on_a_time_already_past_today(
    store: TaskStore, clock: FrozenClock
) -> None:
    # 09:30 in Berlin is 08:30 UTC; the task is due at 09:00 on a day the rule lacks.
    clock.now = clock.now.replace(hour=8, minute=30)
    task = store.create("Stretch", due=Due(date(2026, 11, 19), time(9, 0)))
    daily = Repeat.of("FREQ=WEEKLY;BYDAY=FR,SA", "schedule", FRIDAY)
    changed = store.update(task.id, expected_version=task.version, repeat=daily)
    assert changed.due == Due(date(2026, 11, 21), time(9, 0))  # not today's 09:00, gone


def test_a_new_rule_never_moves_a_task_back_before_its_due(store: TaskStore) -> None:
    # Due Wednesday the 25th; Tuesdays from today would be the 24th, before it (the
    # day an occurrence before it may have been done): the rule counts from its due.
    task = store.create("Sync", due=Due(date(2026, 11, 25)), repeat=WEEKLY_MONDAY)
    tuesdays = Repeat.of("FREQ=WEEKLY;BYDAY=TU", "schedule", FRIDAY)
    changed = store.update(task.id, expected_version=task.version, repeat=tuesdays)
    assert changed.due == Due(date(2026, 12, 1))


@pytest.mark.parametrize("work", ["a subtask added", "a task blocked by it"])
def test_reopening_never_removes_a_next_occurrence_that_was_worked_on(
    store: TaskStore, work: str
) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    store.toggle(first.id)
    following = store.next_in_series(store.get(first.id))
    assert following is not None
    if work == "a subtask added":
        store.create("Agenda", "written already", parent_id=following.id)
    else:
        store.create("Review", blocked_by=[following.id])
    assert store.get(following.id).version == 1  # its own row untouched: not the test
    reopened = store.toggle(first.id)
    assert reopened.repeat is None  # a plain task again; the worked-on one stays
    assert store.get(following.id).repeat == first.repeat
    assert series_rows(store, first) == [(1, False, "2026-11-23"), (2, False, "2026-11-30")]


def test_a_repeating_subtask_goes_on_in_its_parents_next_occurrence(store: TaskStore) -> None:
    review = store.create("Review", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    daily = Repeat.of("FREQ=DAILY", "schedule", FRIDAY)
    water = store.create("Water", parent_id=review.id, due=Due(date(2026, 11, 23)), repeat=daily)
    store.toggle(review.id)
    old = store.get(water.id)
    assert old.completed and old.repeat is None  # done with it: its copy carries the rule
    following = store.next_in_series(store.get(review.id))
    assert following is not None
    (copy,) = store.subtasks(following.id)
    assert copy.repeat == water.repeat and not copy.completed
    assert (copy.series_id, copy.occurrence) == (water.id, 2)
    store.toggle(review.id)  # open again, untouched: all as it was
    back = store.get(water.id)
    assert (back.completed, back.repeat) == (False, water.repeat)
    assert store.get_many([copy.id]) == []


def test_done_with_subtasks_makes_a_repeating_subtasks_next(store: TaskStore) -> None:
    plan = store.create("Plan the week")
    daily = Repeat.of("FREQ=DAILY", "schedule", FRIDAY)
    water = store.create("Water", parent_id=plan.id, due=Due(date(2026, 11, 23)), repeat=daily)
    store.set_completed(plan.id, True, with_subtasks=True)
    following = store.next_in_series(store.get(water.id))
    assert following is not None and following.due == Due(date(2026, 11, 24))
    assert not store.get(water.id).repeat  # the done one hands its rule on


def test_an_undo_that_would_take_a_place_another_task_has_is_refused(
    store: TaskStore,
) -> None:
    first = store.create("Standup", due=Due(date(2026, 11, 23)), repeat=WEEKLY_MONDAY)
    store.toggle(first.id)
    second = store.next_in_series(store.get(first.id))
    assert second is not None
    store.delete(second.id)  # occurrence 2 gone; the series has no open occurrence now
    reopened = store.toggle(first.id)
    store.update(first.id, expected_version=reopened.version, repeat=WEEKLY_MONDAY)
    store.toggle(first.id)  # a new occurrence 2 takes the place
    for _ in range(3):
        store.skip_undo()  # past the completion, the rule and the reopening
    with pytest.raises(UndoBlockedError, match="its place in its series is another task's now"):
        store.undo()  # bringing back the deleted occurrence 2
    assert len([t for t in store.series(first.id) if t.occurrence == 2]) == 1
