"""Never a duplicate: two processes complete the same occurrence of a repeating task at
the same moment, round after round, and each round leaves exactly one next occurrence.

Two real processes (tests/safety/completer.py), each with its own connection, busy-wait
for one agreed instant and then complete the task: half the rounds with the version
each read, as a window's save does (the version check lets one through and refuses the
other), half without, as `taskflow done` and the app's space do (the second, inside
its own write, finds it done already). Whether the two writes overlapped or ran one
after the other, the outcome must be the same: that is what is checked, round after
round, with the children started at one instant to make overlap as likely as can be.
After each round the database itself is read: one task per occurrence number, one open.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from store import TaskStore, open_store
from store.planning import Due
from store.recurrence import Repeat
from tests.helpers import rows_of
from tests.safety.helpers import sizes
from tests.safety.processes import Child, record_tally

# Far enough ahead that both children have read "go" and are spinning on the clock.
LEAD_SECONDS = 0.05


def race(location: str, rounds: int) -> None:
    first_day = date(2027, 1, 4)
    with open_store(location, user="alice") as store:
        task = store.create(
            "Standup",
            due=Due(first_day),
            repeat=Repeat.of("FREQ=DAILY", "schedule", first_day),
        )
    children = [Child("completer", location) for _ in range(2)]
    answers: Counter[str] = Counter()
    duplicates = 0
    try:
        for child in children:
            assert child.wait_for("ready")
        with open_store(location, user="alice") as store:
            for number in range(1, rounds + 1):
                mode = "versioned" if number % 2 else "plain"
                for child in children:
                    child.send(f"arm {task.id}")
                for child in children:
                    assert child.wait_for(f"armed {task.version}")
                at = time.monotonic() + LEAD_SECONDS
                for child in children:
                    child.send(f"go {mode} {at!r}")
                said = sorted(_answer(child) for child in children)
                answers.update(f"{mode}: {word}" for word in said)
                words = sorted(answer.split()[0] for answer in said)
                if mode == "versioned":
                    assert words == ["conflict", "done"], said  # the version check decided
                else:
                    assert words == ["done", "done"], said  # the second found it done
                duplicates += _occurrences_beyond_one(store, task.series_id)
                following = store.next_in_series(store.get(task.id))
                assert following is not None, f"round {number}: no next occurrence"
                assert following.due == Due(first_day + timedelta(days=number))
                task = following
            _check_series(store, task.series_id, rounds)
    finally:
        for child in children:
            child.send("quit")
            child.finish()
    record_tally("series completion race", rounds, duplicates, answers=dict(answers))
    assert duplicates == 0


def _answer(child: Child) -> str:
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while not lines and time.monotonic() < deadline:
        lines = child.remaining_lines()
        time.sleep(0.001)
    assert lines, "no answer from a child"
    return lines[0]


def _occurrences_beyond_one(store: TaskStore, series_id: str | None) -> int:
    """How many occurrence numbers of the series more than one task holds, and by how
    many tasks too many (read from the table, past the unique index's promise)."""
    rows = rows_of(
        store,
        "SELECT occurrence, count(*) FROM tasks WHERE series_id = ? GROUP BY occurrence",
        series_id,
    )
    return sum(int(n) - 1 for _, n in rows if int(n) > 1)


def _check_series(store: TaskStore, series_id: str | None, rounds: int) -> None:
    rows = rows_of(
        store,
        "SELECT occurrence, completed FROM tasks WHERE series_id = ? ORDER BY occurrence",
        series_id,
    )
    assert [int(number) for number, _ in rows] == list(range(1, rounds + 2))
    assert [bool(done) for _, done in rows] == [True] * rounds + [False]


@pytest.mark.parametrize("rounds", sizes(short=200, long=1000))
def test_two_processes_completing_one_occurrence_make_one_next(tmp_path: Path, rounds: int) -> None:
    race(str(tmp_path / "race.db"), rounds)


@pytest.mark.postgres_only
def test_two_clients_of_a_server_completing_one_occurrence_make_one_next(
    location: str,
) -> None:
    race(location, 200)
