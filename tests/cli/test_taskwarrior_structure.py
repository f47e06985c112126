"""A Taskwarrior export's projects and depends become projects and blocks here.

tests/cli/data/taskwarrior-structured.json is what Taskwarrior 2.6.2 itself wrote
(`task export`) after:

    task add project:Work.Q4.Launch Write the launch plan +writing priority:H
    task add project:Work.Q4 Book the venue
    task add project:Home Paint the fence
    task add Loose end
    task 1 modify depends:2
    task 3 modify depends:1,2
    task 2 done
"""

from __future__ import annotations

import json
from pathlib import Path

from store import Status, TaskQuery, TaskStore
from tests.cli.helpers import CLI
from tui.cli import EXIT_OK

EXPORT = Path(__file__).parent / "data" / "taskwarrior-structured.json"
WRITE = "baf209a4-5702-4100-b34c-11e0e8eef3ac"
PAINT = "76487bd6-c9b3-4d41-84ee-fd20d6b95a55"
VENUE = "507aa9f3-88ae-4d03-80fb-da457ed092a9"
LOOSE = "35c5e2d2-5171-42c0-8592-7210cf7053df"


def test_nested_projects_and_depends_of_a_real_export(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    result = cli("import", str(EXPORT))
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[0].endswith("4 added, 0 updated, 0 skipped.")

    paths = alice.project_paths()
    tasks = {t.id: t for t in alice.list_tasks(TaskQuery(status=Status.ALL))}
    assert {paths.get(t.project_id or "") for t in tasks.values()} == {
        "Work/Q4/Launch",
        "Work/Q4",
        "Home",
        None,
    }
    assert paths[tasks[WRITE].project_id or ""] == "Work/Q4/Launch"
    assert tasks[LOOSE].project_id is None
    assert tasks[WRITE].tags == ("writing",)  # the project is no longer a tag
    assert tasks[WRITE].blocked_by == (VENUE,) and not tasks[WRITE].blocked  # venue is done
    assert tasks[PAINT].blocked_by == tuple(sorted((VENUE, WRITE))) and tasks[PAINT].blocked
    assert tasks[WRITE].description == ""  # nothing left over for the description
    counted = {p.path: (p.open, p.done) for p in alice.projects()}
    assert counted == {
        "Work": (1, 1),
        "Work/Q4": (1, 1),
        "Work/Q4/Launch": (1, 0),
        "Home": (1, 0),
    }
    ready = {t["title"] for t in json.loads(cli("list", "--ready", "--json").out)}
    assert ready == {"Write the launch plan", "Loose end"}  # created at the same moment

    again = cli("import", str(EXPORT))
    assert again.out.splitlines()[0].endswith("0 added, 0 updated, 4 skipped (4 already here).")
    assert len(alice.projects()) == 4


def test_the_older_shapes_and_a_missing_dependency(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    # Taskwarrior before 2.6: one object a line, depends as one comma-separated text.
    first, second, gone = (f"{n}0000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
    lines = [
        {"uuid": first, "description": "Design", "status": "pending", "entry": "20261101T090000Z"},
        {
            "uuid": second,
            "description": "Build",
            "status": "pending",
            "entry": "20261101T090000Z",
            "project": "Work",
            "depends": f"{first},{gone}",
        },
    ]
    path = tmp_path / "old.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.err
    assert f"depends on {gone}, which is not imported" in result.out + result.err
    build = alice.get(second)
    assert build.blocked_by == (first,)
    assert alice.get_many([gone]) == []  # reported, not invented
    assert json.loads(cli("show", second[:8], "--json").out)["project"] == "Work"


def test_a_later_export_moves_a_task_and_changes_its_blocks(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    assert cli("import", str(EXPORT)).code == EXIT_OK
    items = json.loads(EXPORT.read_text())
    for item in items:
        if item["uuid"] == PAINT:
            item["project"] = "Home.Garden"
            item["depends"] = [VENUE]
            item["modified"] = "20261204T090000Z"
    path = tmp_path / "later.json"
    path.write_text(json.dumps(items))

    result = cli("import", str(path))
    assert result.out.splitlines()[0].endswith("0 added, 1 updated, 3 skipped (3 already here).")
    paint = alice.get(PAINT)
    assert alice.project_paths()[paint.project_id or ""] == "Home/Garden"
    assert paint.blocked_by == (VENUE,) and not paint.blocked
    assert alice.history(PAINT)[-1].summary == "edited project and blocked by"
