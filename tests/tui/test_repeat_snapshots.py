"""Repeating tasks as the user sees them (reviewed SVG snapshots: frozen clock on
Friday 20 November 2026, 09:30, fixed theme, fixed sizes, UTC).

The ↻ after a repeating task's title in the list; its rule, mode, next dates and past
occurrences on its page; the editor's preview of a rule typed in plain words; and the
dates series will fall due on, dimmed under Upcoming's days (not tasks yet).
"""

from __future__ import annotations

from datetime import date, time

import pytest

from store import Due, Priority, Repeat, TaskRecord, TaskStore
from tests.helpers import FrozenClock
from tests.tui.test_detail_structure_snapshots import on_page_of
from tests.tui.test_snapshots import SIZE, steps

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.zone("UTC"),  # a snapshot is one fixed picture, local times and days included
]

FRIDAY = date(2026, 11, 20)


def seed_routines(store: TaskStore, clock: FrozenClock) -> dict[str, TaskRecord]:
    """A weekday standup done twice before, a weekly review, plants watered after
    completion, a monthly rent, and two plain tasks."""
    clock.advance(days=-3)
    standup = store.create(
        "Standup notes",
        due=Due(date(2026, 11, 18), time(10, 0)),
        tags=["work"],
        repeat=Repeat.of("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "schedule", FRIDAY),
    )
    for _ in range(2):  # two past occurrences, Wed 18 and Thu 19 Nov: today's is open
        store.toggle(standup.id)
        following = store.next_in_series(store.get(standup.id))
        assert following is not None
        standup = following
    clock.advance(days=3)
    review = store.create(
        "Weekly review",
        due=Due(date(2026, 11, 23)),
        priority=Priority.MEDIUM,
        repeat=Repeat.of("FREQ=WEEKLY;BYDAY=MO", "schedule", FRIDAY),
    )
    plants = store.create(
        "Water the plants",
        due=Due(date(2026, 11, 22)),
        tags=["home"],
        repeat=Repeat.of("FREQ=DAILY;INTERVAL=3", "completion", FRIDAY),
    )
    rent = store.create(
        "Pay rent",
        due=Due(date(2026, 12, 1)),
        tags=["bills"],
        repeat=Repeat.of("FREQ=MONTHLY;BYMONTHDAY=1", "schedule", FRIDAY),
    )
    store.create("Buy milk", due=Due(date(2026, 11, 21)))
    store.create("Renew passport")
    clock.advance(minutes=5)
    return {task.title: task for task in (standup, review, plants, rent)}


class TestRepeatingTasks:
    def test_the_list_marks_repeating_tasks(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_routines(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps())

    def test_upcoming_shows_coming_dates_dimmed(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_routines(seed_store, clock)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=steps("3"))

    def test_upcoming_on_a_light_theme(self, snap_compare, app_factory, seed_store, clock) -> None:
        seed_routines(seed_store, clock)
        app = app_factory(theme="textual-light")
        assert snap_compare(app, terminal_size=SIZE, run_before=steps("3"))

    def test_a_task_page_shows_its_rule_next_dates_and_series(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        tasks = seed_routines(seed_store, clock)
        run = on_page_of(tasks["Standup notes"])
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_the_editor_previews_a_rule_typed_in_words(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        seed_routines(seed_store, clock)
        run = steps("a", *"Call grandma every last sunday at 5pm", pause=0.2)
        assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)

    def test_the_editor_of_a_repeating_task_at_80x24(
        self, snap_compare, app_factory, seed_store, clock
    ) -> None:
        tasks = seed_routines(seed_store, clock)
        run = on_page_of(tasks["Water the plants"], "e")
        assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=run)
