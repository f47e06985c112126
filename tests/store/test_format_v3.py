"""Our JSON, format version 3: the projects (paths, in their order), each task's project,
parent and blockers; a round trip is byte for byte the same (with version 4's repeating
tasks too: tests/store/test_format_v4.py has the rest of version 4); version 2 files
still import as before."""

from __future__ import annotations

import io
import json
from datetime import date, time
from pathlib import Path

import pytest

from store import (
    Due,
    FileFormatError,
    Repeat,
    RepeatMode,
    Status,
    TaskQuery,
    TaskStore,
    open_store,
    transfer,
)
from tests.helpers import FrozenClock


def export_json(store: TaskStore, *, events: bool = False) -> str:
    out = io.StringIO()
    transfer.write_json(store.export_tasks(events=events), out, store.project_paths())
    return out.getvalue()


def import_text(store: TaskStore, text: str) -> transfer.ImportOutcome:
    parsed = transfer.parse(text, transfer.Format.JSON)
    return store.import_tasks(parsed.tasks, projects=parsed.projects)


def structured(store: TaskStore) -> None:
    """Projects three deep (one empty), subtasks two deep, blocks, a done task."""
    store.create_project("Work/Q4/Launch")
    store.create_project("Home")
    store.create_project("Someday/Maybe")  # holds no task: only the list keeps it
    launch = store.create("Launch", project_id=store.project("Work/Q4/Launch").id)
    draft = store.create("Draft", parent_id=launch.id)
    review = store.create("Review", parent_id=draft.id)
    paint = store.create("Paint", project_id=store.project("Home").id, blocked_by=[review.id])
    store.create("Loose", blocked_by=[paint.id, draft.id])
    store.toggle(review.id)
    store.update(draft.id, expected_version=store.get(draft.id).version, title="Draft it")


def repeating(store: TaskStore) -> None:
    """A weekly series in a project, with a subtask, its first occurrence done (so the
    second, with a copy of the subtask, is open), and a rule counted from completion."""
    home = store.project("Home").id
    weekly = Repeat.of("FREQ=WEEKLY;BYDAY=MO", RepeatMode.SCHEDULE, date(2026, 11, 23))
    plants = store.create(
        "Water plants", due=Due(date(2026, 11, 23), time(8, 0)), repeat=weekly, project_id=home
    )
    store.create("Fill the can", parent_id=plants.id)
    store.toggle(plants.id)
    every = Repeat.of("FREQ=DAILY;INTERVAL=3", RepeatMode.COMPLETION, date(2026, 11, 21))
    store.create("Stretch", due=Due(date(2026, 11, 21)), repeat=every)


@pytest.mark.parametrize("events", [False, True], ids=["tasks", "with-history"])
def test_a_round_trip_is_byte_for_byte_the_same(
    store: TaskStore, tmp_path: Path, clock: FrozenClock, events: bool
) -> None:
    structured(store)
    repeating(store)
    first = export_json(store, events=events)
    with open_store(tmp_path / "copy.db", user="alice", clock=clock) as copy:
        outcome = import_text(copy, first)
        assert len(outcome.added) == 10  # an import makes no occurrence of its own
        assert export_json(copy, events=events) == first
        assert [p.path for p in copy.projects()] == [p.path for p in store.projects()]
        again = import_text(copy, first)
        assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 10)

        # The series as the store reads them: the same tasks, numbers and rules.
        def series_of(opened: TaskStore, task_id: str) -> list[tuple[object, ...]]:
            return [
                (t.id, t.completed, t.due, t.repeat, t.series_id, t.occurrence)
                for t in opened.series(task_id)
            ]

        repeating_now = [t for t in store.list_tasks(TaskQuery(status=Status.ALL)) if t.repeat]
        for task in repeating_now:
            assert series_of(copy, task.id) == series_of(store, task.id)
        plants = next(t for t in repeating_now if t.title == "Water plants")
        assert [t[-1] for t in series_of(copy, plants.id)] == [1, 2]
        assert {t.repeat.rule.text for t in repeating_now if t.repeat} == {
            "FREQ=WEEKLY;BYDAY=MO",
            "FREQ=DAILY;INTERVAL=3",
        }

    document = json.loads(first)
    assert document["format_version"] == transfer.FORMAT_VERSION == 4
    assert document["projects"] == [
        "Work",
        "Work/Q4",
        "Work/Q4/Launch",
        "Home",
        "Someday",
        "Someday/Maybe",
    ]
    by_title = {item["title"]: item for item in document["tasks"]}
    assert by_title["Review"]["parent_id"] == by_title["Draft it"]["id"]
    assert by_title["Review"]["project"] == "Work/Q4/Launch"
    assert sorted(by_title["Loose"]["blocked_by"]) == sorted(
        [by_title["Paint"]["id"], by_title["Draft it"]["id"]]
    )
    done, open_one = (t for t in document["tasks"] if t["title"] == "Water plants")
    assert (done["completed"], done["repeat"], done["occurrence"]) == (True, None, 1)
    assert open_one["repeat"] == {
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "mode": "schedule",
        "series_id": done["id"],
        "text": "every Monday",
        "start": "2026-11-23",
    }
    assert (open_one["series_id"], open_one["occurrence"]) == (done["id"], 2)
    assert (open_one["due"], open_one["project"]) == ("2026-11-30 08:00", "Home")
    stretch = by_title["Stretch"]
    assert stretch["repeat"]["mode"] == "completion"
    assert (stretch["series_id"], stretch["occurrence"]) == (stretch["id"], 1)
    assert by_title["Fill the can"]["series_id"] is None


def test_the_structure_imports_into_a_database_that_has_tasks(
    store: TaskStore, tmp_path: Path, clock: FrozenClock
) -> None:
    structured(store)
    text = export_json(store)
    with open_store(tmp_path / "busy.db", user="alice", clock=clock) as busy:
        busy.create_project("home")  # the same project, spelled otherwise: kept as it is
        busy.create("Already here")
        import_text(busy, text)
        tasks = {t.title: t for t in busy.list_tasks(TaskQuery(status=Status.ALL))}
        paths = busy.project_paths()
        assert paths[tasks["Paint"].project_id or ""] == "home"
        assert tasks["Review"].parent_id == tasks["Draft it"].id
        assert tasks["Loose"].blocked_by == tuple(sorted((tasks["Paint"].id, tasks["Draft it"].id)))
        assert tasks["Paint"].blocked is False  # Review is done


def test_a_parent_or_blocker_missing_from_the_file_is_reported_not_invented(
    store: TaskStore,
) -> None:
    structured(store)
    document = json.loads(export_json(store))
    document["tasks"] = [t for t in document["tasks"] if t["title"] not in ("Draft it", "Paint")]
    parsed = transfer.parse(json.dumps(document), transfer.Format.JSON)
    assert any("is a subtask of" in warning for warning in parsed.warnings)
    assert any("which is not imported" in warning for warning in parsed.warnings)
    review = next(t for t in parsed.tasks if t.title == "Review")
    loose = next(t for t in parsed.tasks if t.title == "Loose")
    assert review.parent_id is None and loose.blocked_by == ()


def test_a_version_2_file_imports_as_before_and_leaves_tasks_where_they_are(
    store: TaskStore,
) -> None:
    work = store.create_project("Work")
    task = store.create("Plan", project_id=work.id)
    later = {
        "id": task.id,
        "title": "Plan it",
        "completed": False,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-12-20T09:30:00.000000Z",
    }
    v2 = json.dumps({"format": "taskflow", "format_version": 2, "tasks": [later]})
    outcome = import_text(store, v2)
    assert [t.title for t in outcome.updated] == ["Plan it"]
    assert store.get(task.id).project_id == work.id  # a v2 file says nothing of projects


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 2, "projects": []}, "unknown top-level field(s): projects"),
        ({"projects": "Work"}, '"projects" must be a list of paths'),
        ({"projects": ["Work//Q4"]}, "project 1: A project name cannot be empty"),
    ],
    ids=["v2-with-projects", "not-a-list", "bad-path"],
)
def test_a_bad_project_list_is_refused(
    store: TaskStore, change: dict[str, object], message: str
) -> None:
    document = {"format": "taskflow", "format_version": 3, "projects": [], "tasks": []}
    with pytest.raises(FileFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        transfer.parse(json.dumps({**document, **change}), transfer.Format.JSON)


def test_a_bad_task_project_is_refused(store: TaskStore) -> None:
    item = {
        "id": "x1",
        "title": "t",
        "completed": False,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-11-20T09:30:00.000000Z",
        "project": 7,
    }
    document = {"format": "taskflow", "format_version": 3, "projects": [], "tasks": [item]}
    with pytest.raises(FileFormatError, match="project must be a path"):
        transfer.parse(json.dumps(document), transfer.Format.JSON)
