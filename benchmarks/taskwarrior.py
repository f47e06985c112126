"""Taskwarrior for the peers section: a private configuration and data folder, and
the sample tasks as a Taskwarrior JSON export, which both tools import.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.words import TAGS, WORDS

INSTALL = "apt-get install taskwarrior"
STAMP = "%Y%m%dT%H%M%SZ"  # Taskwarrior's own date format in its JSON

# The settings, and why (the rest are Taskwarrior's defaults, as a user has them):
# - data.location: the temporary folder (TASKDATA is set to it as well), never ~/.task.
# - confirmation=off: never ask (delete, undo, changes to several tasks); stdin is
#   empty too, so a question would fail the command rather than hang the run.
# - verbose=nothing: print the data only, no "Created task 3.", no column labels, no
#   footnote counting the tasks, no override notes: what `taskflow` prints in a pipe.
# - hooks=off: no hook scripts can run (none are installed in the new folder anyway).
# - news.version: 2.6 nags "run task news" after an upgrade until this is set.
# - defaultwidth=0: the output goes to a file, where Taskwarrior cannot ask the
#   terminal's width and would wrap at 80 columns; 0 prints each row whole, on one
#   line, as `taskflow list` does in a pipe.
# Left at their defaults, and why they do not distort: gc=on, as users have it. `task
# ID done` and `task add` do no gc; the next report does, and may renumber. So the
# reports and exports are measured first, on freshly imported data with nothing to
# collect, and each `done` looks its task's current id up first (untimed). And
# recurrence=on: no sample task recurs, so there is nothing to generate.
RC = """\
data.location={data}
confirmation=off
verbose=nothing
hooks=off
news.version=2.6.2
defaultwidth=0
"""


def available() -> bool:
    return shutil.which("task") is not None


def private_data(folder: Path) -> dict[str, str]:
    """A new empty Taskwarrior data folder under ``folder``: its environment."""
    data = folder / "data"
    data.mkdir(parents=True)
    rc = folder / "taskrc"
    rc.write_text(RC.format(data=data))
    return {"TASKRC": str(rc), "TASKDATA": str(data)}


def sample_export(count: int, seed: int = 15) -> list[dict[str, object]]:
    """``count`` open tasks as `task export` writes them: a uuid, a description, entry
    and modified; a fifth with a tag or two, a third with a due date, a quarter with
    a priority. Task 0 is the oldest and comes first: the first that either tool
    lists in its own order (the launch row waits for it)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    today = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    tasks: list[dict[str, object]] = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
        entry = (start + timedelta(seconds=number * 7)).strftime(STAMP)
        task: dict[str, object] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": f"{title} #{number}",
            "status": "pending",
            "entry": entry,
            "modified": entry,
        }
        if number % 5 == 0:
            task["tags"] = sorted(set(rng.sample(TAGS, rng.randint(1, 2))))
        if number % 3 == 1:
            task["due"] = (today + timedelta(days=rng.randint(-60, 60))).strftime(STAMP)
        if number % 4 == 1:
            task["priority"] = rng.choice("HML")
        tasks.append(task)
    return tasks


def write_export(path: Path, tasks: list[dict[str, object]]) -> None:
    # One task a line, as `task export` writes it.
    path.write_text("[\n" + ",\n".join(json.dumps(task) for task in tasks) + "\n]\n")
