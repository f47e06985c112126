"""Repeating tasks: a series' rows, and what its next occurrence is.

A series is its tasks linked by ``series_id`` and numbered by ``occurrence``; the
open one carries the repeat. Completing it makes the next (TaskStore does that in
the same transaction as the completion, and undo takes both back together); this
module says what the next one is and whether it is there already. The unique index
on (series_id, occurrence) is the database's own guarantee that one occurrence never
has two next ones, whoever completes it at the same moment.

Always inside the caller's session (and write transaction, for what writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from store.models import Models
from store.planning import Due
from store.records import FutureOccurrence, TaskRecord
from store.recurrence import RepeatMode, next_due, occurrences
from store.validation import day_problem

# How many dates of one series Upcoming shows at most (a daily series in a long window).
MAX_FUTURE_DATES = 60


class SeriesRows:
    """The rows of one owner's series."""

    def __init__(self, models: Models, user: str) -> None:
        self._models = models
        self.user = user

    def has_occurrence(self, series_id: str, occurrence: int) -> bool:
        Task = self._models.Task
        return bool(
            Task.select(Task.id)
            .where((Task.series_id == series_id) & (Task.occurrence == occurrence))
            .exists()
        )

    def members(
        self, series_id: str, last: int | None = None, before: int | None = None
    ) -> list[str]:
        """The ids of the series' tasks, first occurrence first: those numbered below
        ``before`` if given, and the ``last`` of them only if given (a daily series
        holds a task a day)."""
        Task = self._models.Task
        mine = (Task.user == self.user) & (Task.series_id == series_id)
        if before is not None:
            mine &= Task.occurrence < before
        rows = (
            Task.select(Task.id)
            .where(mine)
            .order_by(Task.occurrence.desc(), Task.created_at.desc(), Task.id.desc())
        )
        if last is not None:
            rows = rows.limit(last)
        return [row.id for row in rows][::-1]

    def counts(self, series_id: str, before: int) -> tuple[int, int]:
        """How many tasks the series has, and how many of them are done with a number
        below ``before``."""
        Task = self._models.Task
        mine = (Task.user == self.user) & (Task.series_id == series_id)
        total = Task.select().where(mine).count()
        done = (
            Task.select()
            .where(mine & (Task.completed == True) & (Task.occurrence < before))  # noqa: E712
            .count()
        )
        return int(total), int(done)

    def open_repeating(self, narrowed: Any) -> Any:
        """The open tasks with a repeat among those ``narrowed`` (a SELECT of tasks)
        selects: through the (owner, completed) index of the tasks that repeat
        (migration 7), whose condition is written out as it is there."""
        Task = self._models.Task
        return narrowed.where(Task.repeat.is_null(False) & (Task.completed == False))  # noqa: E712


def next_occurrence_due(done: TaskRecord, done_on: date) -> Due | None:
    """When the occurrence after ``done`` (completed on ``done_on``) falls due, or None
    when its rule has ended (or would go past the days TaskFlow keeps)."""
    repeat = done.repeat
    if repeat is None:
        return None
    current = done.due if done.due is not None else Due(done_on)
    due = next_due(repeat, current, done_on=done_on)
    if due is None or day_problem(due.day) is not None:
        return None
    return due


def skipped_due(task: TaskRecord, today: date) -> Due | None:
    """Where skipping the open occurrence moves it: the rule's next date after its due
    (on schedule); after completion, counted from its due as if it were done then, or
    from today when that is later (skipping a late one, or skipping twice, always moves
    it on)."""
    day = max(today, task.due.day) if task.due is not None else today
    return next_occurrence_due(task, day)


def shifted(due: Due | None, days: int) -> Due | None:
    """A subtask's due moved with its parent's (the next occurrence's subtasks keep
    their distance to it)."""
    if due is None or days == 0:
        return due
    moved = due.day + timedelta(days=days)
    return due if day_problem(moved) is not None else Due(moved, due.at)


def future_dates(tasks: Sequence[TaskRecord], since: date, until: date) -> list[FutureOccurrence]:
    """The dates each series (its open occurrence among ``tasks``) falls due on after
    its open one and after ``since``, up to ``until``: on schedule only, since a rule
    counted from each completion has no date known before the one before is done.
    (A series long overdue has many dates between its due and today: they are not
    coming dates, and are not counted against MAX_FUTURE_DATES.)"""
    found: list[FutureOccurrence] = []
    for task in tasks:
        repeat = task.repeat
        if repeat is None or task.due is None or repeat.mode is not RepeatMode.SCHEDULE:
            continue
        after = max(task.due.day, since)
        for number, day in enumerate(occurrences(repeat, after=after), start=1):
            if day > until or number > MAX_FUTURE_DATES:
                break
            found.append(FutureOccurrence(task, Due(day, task.due.at), number))
    found.sort(key=lambda f: (f.due.order_key, f.task.position, f.task.id, f.number))
    return found
